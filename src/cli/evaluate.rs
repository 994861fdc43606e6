//! `specae evaluate`: autoencoder vs PCA validation loss, overall and per class.

use std::path::PathBuf;

use clap::Args;
use specae::data::prepped::read_prepped;
use specae::data::{GalaxyClass, Spectra};
use specae::model::evaluate::{model_losses, pca_losses};
use specae::model::pca_baseline::PcaBaseline;
use specae::train::load::load_model_for;

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
}

pub fn run(a: EvaluateArgs) -> anyhow::Result<()> {
    let device = burn::prelude::Device::flex();
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
    let name = loaded.kind_name();
    let (model, split, latent) = (loaded.model, loaded.split, loaded.latent_dim);
    let ae = model_losses(&model, x.view(), w.view(), &split.valid, &device);
    let pca = PcaBaseline::fit(x.view(), &split.train, latent)?;
    let pl = pca_losses(&pca, x.view(), w.view(), &split.valid);
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
    let (a_all, n_all) = mean(&ae, &|_| true);
    let (p_all, _) = mean(&pl, &|_| true);
    rows.push(("all".to_string(), n_all, a_all, p_all));
    for c in GalaxyClass::ALL {
        let (am, n) = mean(&ae, &|k| class_of(k) == c);
        let (pm, _) = mean(&pl, &|k| class_of(k) == c);
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
            println!("{c:<16} {n:>7} {am:>12.3} {pm:>12.3} {:>8.3}", am / pm);
        }
    }
    Ok(())
}
