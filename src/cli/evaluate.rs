//! `specae evaluate`: autoencoder vs PCA validation loss, overall and per class.

use std::path::PathBuf;

use clap::Args;
use specae::analysis::rows::SpectraRows;
use specae::data::catalogue::Catalogue;
use specae::data::prepped::read_prepped;
use specae::data::store::{StoreRows, is_store};
use specae::data::{GalaxyClass, Spectra};
use specae::model::evaluate::{model_losses, pca_losses};
use specae::model::pca_baseline::PcaBaseline;
use specae::train::load::{LoadedModel, load_model_for};
use specae::util::progress::Progress;

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// A checkpoint (best.safetensors) or exported weights (model.safetensors).
    pub model: PathBuf,
    /// Survey file [default: the built-in survey].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// A prepped file (x, w, cls) instead of --data, as given to `train --prepped`.
    #[arg(long, conflicts_with = "data")]
    pub prepped: Option<PathBuf>,
    /// Split seed, for weights files without a stored split.
    #[arg(long, default_value_t = 0)]
    pub split_seed: u64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Read a survey store whole into memory instead of streaming it block by block.
    #[arg(long)]
    pub in_memory: bool,
}

/// Per-spectrum validation losses of the model and of the PCA baseline (in `valid`'s order),
/// reading the spectra a block at a time.
fn streamed_losses(
    rows: SpectraRows<'_>,
    loaded: &LoadedModel,
    device: &burn::prelude::Device,
) -> anyhow::Result<(Vec<f64>, Option<Vec<f64>>)> {
    let split = &loaded.split;
    let pca = match too_few_for_pca(loaded) {
        true => None,
        false => Some(rows.fit_baseline(&split.train, loaded.latent_dim, &Progress::new())?),
    };
    let mut at = vec![u32::MAX; rows.n_spectra()];
    for (k, &i) in split.valid.iter().enumerate() {
        at[i as usize] = k as u32;
    }
    let (mut ae, mut pl) = (vec![0.0; split.valid.len()], vec![0.0; split.valid.len()]);
    rows.visit(&mut |lo, x, w| {
        let local: Vec<u32> = (0..x.nrows() as u32)
            .filter(|&r| at[lo + r as usize] != u32::MAX)
            .collect();
        let a = model_losses(&loaded.model, x, w, &local, device);
        for (&r, a) in local.iter().zip(a) {
            ae[at[lo + r as usize] as usize] = a;
        }
        if let Some(pca) = &pca {
            for (&r, p) in local.iter().zip(pca_losses(pca, x, w, &local)) {
                pl[at[lo + r as usize] as usize] = p;
            }
        }
        Ok(())
    })?;
    Ok((ae, pca.map(|_| pl)))
}

/// Whether the training split is too small for a PCA baseline with the model's latent
/// dimension (then only the model's losses are reported, and the command says why).
fn too_few_for_pca(loaded: &LoadedModel) -> bool {
    let (n, k) = (loaded.split.train.len(), loaded.latent_dim);
    let few = n <= k;
    if few {
        eprintln!(
            "note: no PCA baseline: {n} training spectra are too few for {k} components \
             (the model's losses are still reported)"
        );
    }
    few
}

pub fn run(a: EvaluateArgs) -> anyhow::Result<()> {
    let device = burn::prelude::Device::flex();
    if a.prepped.is_none() && !a.in_memory {
        let path = super::resolve_data(a.data.clone())?;
        if is_store(&path) {
            let rows = StoreRows::open(&path)?;
            let loaded = load_model_for(
                &a.model,
                &path,
                rows.n_rows(),
                &rows.grid(),
                a.split_seed,
                &device,
            )?;
            let own_basis = loaded
                .inputs
                .infill
                .as_ref()
                .is_none_or(|b| rows.infill().same_as(b));
            if own_basis {
                let catalogue = Catalogue::of_store(&rows)?;
                let streamed = SpectraRows::Stream {
                    rows: &rows,
                    catalogue: &catalogue,
                };
                let (ae, pl) = streamed_losses(streamed, &loaded, &device)?;
                return report(&a, &ae, pl.as_deref(), &catalogue.classes, &loaded);
            }
        }
    }
    let (x, w, classes, loaded) = match &a.prepped {
        Some(p) => {
            let pr = read_prepped(p)?;
            let classes: Vec<GalaxyClass> = pr
                .cls
                .iter()
                .map(|&c| GalaxyClass::from_lineindex(c))
                .collect();
            let loaded =
                load_model_for(&a.model, p, pr.x.nrows(), &pr.grid, a.split_seed, &device)?;
            (
                std::sync::Arc::new(pr.x),
                std::sync::Arc::new(pr.w),
                classes,
                loaded,
            )
        }
        None => {
            let path = super::resolve_data(a.data.clone())?;
            let s = Spectra::load(&path)?;
            let grid = s.grid();
            let loaded =
                load_model_for(&a.model, &path, s.n_spectra(), &grid, a.split_seed, &device)?;
            // Masked pixels as the model saw them in training.
            let s = loaded.sees(s);
            (s.x, s.w, s.classes, loaded)
        }
    };
    let split = &loaded.split;
    let ae = model_losses(&loaded.model, x.view(), w.view(), &split.valid, &device);
    let pl = match too_few_for_pca(&loaded) {
        true => None,
        false => {
            let pca = PcaBaseline::fit(x.view(), &split.train, loaded.latent_dim)?;
            Some(pca_losses(&pca, x.view(), w.view(), &split.valid))
        }
    };
    report(&a, &ae, pl.as_deref(), &classes, &loaded)
}

/// Prints the mean losses overall and per class.
fn report(
    a: &EvaluateArgs,
    ae: &[f64],
    pl: Option<&[f64]>,
    classes: &[GalaxyClass],
    loaded: &LoadedModel,
) -> anyhow::Result<()> {
    let name = loaded.kind_name();
    let (split, latent) = (&loaded.split, loaded.latent_dim);
    let mean = |v: &[f64], sel: &dyn Fn(usize) -> bool| {
        let (sum, n) = v
            .iter()
            .enumerate()
            .filter(|(k, _)| sel(*k))
            .fold((0.0, 0usize), |(s, n), (_, x)| (s + x, n + 1));
        (sum / n.max(1) as f64, n)
    };
    let class_of = |k: usize| classes[split.valid[k] as usize];
    let mut rows = vec![];
    let (a_all, n_all) = mean(ae, &|_| true);
    let pca_mean = |sel: &dyn Fn(usize) -> bool| pl.map(|p| mean(p, sel).0);
    let p_all = pca_mean(&|_| true);
    rows.push(("all".to_string(), n_all, a_all, p_all));
    for c in GalaxyClass::ALL {
        let (am, n) = mean(ae, &|k| class_of(k) == c);
        let pm = pca_mean(&|k| class_of(k) == c);
        if n > 0 {
            rows.push((c.label().to_string(), n, am, pm));
        }
    }
    if a.json {
        let v: Vec<_> = rows
            .iter()
            .map(|(c, n, am, pm)| serde_json::json!({"class": c, "n": n, "ae": am, "pca": pm}))
            .collect();
        println!(
            "{}",
            serde_json::json!({ "latent": latent, "validation": v })
        );
    } else {
        println!(
            "validation loss (mean over spectra of Σ w (x − x̂)²), {name}({latent}) vs PCA({latent}) fitted on the training split"
        );
        println!(
            "{:<16} {:>7} {:>12} {:>12} {:>8}",
            "class",
            "n",
            name,
            "PCA",
            format!("{name}/PCA")
        );
        for (c, n, am, pm) in rows {
            match pm {
                Some(pm) => println!("{c:<16} {n:>7} {am:>12.3} {pm:>12.3} {:>8.3}", am / pm),
                None => println!("{c:<16} {n:>7} {am:>12.3} {:>12} {:>8}", "—", "—"),
            }
        }
    }
    Ok(())
}
