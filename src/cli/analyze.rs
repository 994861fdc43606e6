//! `specae analyze MODEL`: latents, UMAP, outliers, class separation, residual statistics and
//! latent tracks, written next to the model for the GUI and the figure exporter.

use std::path::{Path, PathBuf};

use anyhow::Context;
use burn::prelude::Device;
use clap::Args;
use specae::analysis::AnalysisError;
use specae::analysis::options::AnalysisOptions;
use specae::analysis::rows::SpectraRows;
use specae::analysis::run::{Analysis, Inputs, analyze};
use specae::analysis::store::default_dir;
use specae::data::catalogue::Catalogue;
use specae::data::store::{StoreRows, is_store};
use specae::data::{GalaxyClass, Spectra};
use specae::train::load::LoadedModel;
use specae::train::load::load_model_for;
use specae::util::progress::Progress;

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// A checkpoint (best.safetensors) or exported weights (model.safetensors).
    pub model: PathBuf,
    /// Survey file the model was trained on [default: the built-in survey].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Output folder [default: MODEL without extension + ".analysis", beside the model].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// UMAP neighbours.
    #[arg(long, default_value_t = 15)]
    pub neighbors: usize,
    /// UMAP min_dist.
    #[arg(long, default_value_t = 0.1)]
    pub min_dist: f32,
    /// UMAP epochs [default: 200 above 10,000 spectra, else 500].
    #[arg(long)]
    pub umap_epochs: Option<usize>,
    /// Seed of UMAP's initial noise and negative sampling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Run UMAP on all cores (not bit-reproducible; on the 2-core test machine only 1.3×
    /// faster) instead of one.
    #[arg(long)]
    pub parallel: bool,
    /// Lay out UMAP on an evenly spaced sample of at most this many spectra and place the
    /// others by their nearest sampled neighbours (0: all spectra, however many).
    #[arg(long, default_value_t = specae::analysis::umap::FIT_MAX)]
    pub umap_fit_max: usize,
    /// Split seed, for weights files without a stored split.
    #[arg(long, default_value_t = 0)]
    pub split_seed: u64,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Read a survey store whole into memory instead of streaming it block by block.
    #[arg(long)]
    pub in_memory: bool,
}

/// A survey store opened for streaming, with its catalogue, and the model for it — or `None`
/// when the model's infill basis is not the store's own (the store is then read whole and
/// refilled as the model saw its training data).
pub(super) fn open_store_for_model(
    model: &Path,
    data: &Path,
    split_seed: u64,
    device: &Device,
) -> anyhow::Result<Option<(StoreRows, Catalogue, LoadedModel)>> {
    let rows = StoreRows::open(data)?;
    let loaded = load_model_for(model, data, rows.n_rows(), &rows.grid(), split_seed, device)?;
    if let Some(basis) = &loaded.inputs.infill
        && !rows.infill().same_as(basis)
    {
        eprintln!(
            "{} was trained on data filled from another PCA basis: reading {} whole to refill it",
            model.display(),
            data.display()
        );
        return Ok(None);
    }
    let catalogue = Catalogue::of_store(&rows)?;
    Ok(Some((rows, catalogue, loaded)))
}

/// Reads a survey (the built-in one when `data` is `None`) and opens `model` for it on the CPU.
pub(super) fn open_model_and_data(
    model: &Path,
    data: Option<PathBuf>,
    split_seed: u64,
) -> anyhow::Result<(PathBuf, Spectra, Device, LoadedModel)> {
    let data = super::resolve_data(data)?;
    let spectra = Spectra::load(&data)?;
    let device = Device::flex();
    let loaded = load_model_for(
        model,
        &data,
        spectra.n_spectra(),
        &spectra.grid(),
        split_seed,
        &device,
    )?;
    // Masked pixels as the model saw them in training.
    let spectra = loaded.sees(spectra);
    Ok((data, spectra, device, loaded))
}

/// Analyses `loaded` on `spectra` and writes the results into `dir`.
#[allow(clippy::too_many_arguments)]
pub(super) fn analyze_into(
    spectra: SpectraRows<'_>,
    loaded: &LoadedModel,
    device: &Device,
    model: &Path,
    data: &Path,
    opt: &AnalysisOptions,
    progress: &Progress,
    dir: &Path,
) -> anyhow::Result<(Analysis, Vec<PathBuf>)> {
    let inputs = Inputs {
        spectra,
        model: &loaded.model,
        device,
        split: &loaded.split,
        model_path: Some(model),
        data_path: Some(data),
        latents: None,
    };
    let result = match analyze(&inputs, opt, progress) {
        Err(AnalysisError::Cancelled) => {
            anyhow::bail!("cancelled: nothing was written to {}", dir.display())
        }
        r => r.with_context(|| format!("analysing {} on {}", model.display(), data.display()))?,
    };
    let files = result.write(dir, spectra, &loaded.split)?;
    Ok((result, files))
}

pub fn run(a: AnalyzeArgs) -> anyhow::Result<()> {
    let data = super::resolve_data(a.data.clone())?;
    let device = Device::flex();
    let streamed = match is_store(&data) && !a.in_memory {
        true => open_store_for_model(&a.model, &data, a.split_seed, &device)?,
        false => None,
    };
    let (in_memory, loaded, catalogue_rows) = match streamed {
        Some((rows, cat, loaded)) => {
            eprintln!(
                "data: {} spectra streamed from {} ({} blocks)",
                rows.n_rows(),
                data.display(),
                rows.n_blocks()
            );
            (None, loaded, Some((rows, cat)))
        }
        None => {
            let (_, spectra, _, loaded) =
                open_model_and_data(&a.model, Some(data.clone()), a.split_seed)?;
            (Some(spectra), loaded, None)
        }
    };
    let spectra_rows = match (&in_memory, &catalogue_rows) {
        (Some(s), _) => SpectraRows::Memory(s),
        (None, Some((rows, catalogue))) => SpectraRows::Stream { rows, catalogue },
        (None, None) => anyhow::bail!("no data were opened"),
    };
    let opt = AnalysisOptions {
        umap: specae::analysis::umap::UmapParams {
            n_neighbors: a.neighbors,
            min_dist: a.min_dist,
            n_epochs: a.umap_epochs,
            seed: a.seed,
            reproducible: !a.parallel,
            fit_max: a.umap_fit_max,
        },
        ..Default::default()
    };
    let dir = a.out.clone().unwrap_or_else(|| default_dir(&a.model));
    let (progress, bars) = super::progress::bars();
    let analysed = analyze_into(
        spectra_rows,
        &loaded,
        &device,
        &a.model,
        &data,
        &opt,
        &progress,
        &dir,
    );
    bars.finish();
    let (result, files) = analysed?;
    let s = &result.summary;
    if a.json {
        println!("{}", serde_json::to_string(s)?);
        return Ok(());
    }
    println!(
        "analysis of {} ({} spectra, {} latents) → {}",
        a.model.display(),
        s.n_spectra,
        s.latent_dim,
        dir.display()
    );
    for f in &files {
        println!("  {}", f.display());
    }
    for w in &s.warnings {
        println!("warning: {w}");
    }
    let used = &s.options;
    let name = loaded.kind_name();
    println!(
        "kNN classifier (k = {}, {}-fold): accuracy from {name} latents vs PCA({}) coefficients",
        used.classifier_k, used.folds, s.latent_dim
    );
    println!("  {:<16} {:>7} {:>8} {:>8}", "class", "n", name, "PCA");
    println!(
        "  {:<16} {:>7} {:>8.4} {:>8.4}",
        "all", s.n_spectra, s.knn_accuracy_ae.overall, s.knn_accuracy_pca.overall
    );
    for (&(l, n, acc), &(_, _, pacc)) in s
        .knn_accuracy_ae
        .per_label
        .iter()
        .zip(&s.knn_accuracy_pca.per_label)
    {
        let label = GalaxyClass::ALL.get(l).map(|c| c.label()).unwrap_or("?");
        println!("  {label:<16} {n:>7} {acc:>8.4} {pacc:>8.4}");
    }
    if let Some(t) = s.trustworthiness {
        println!(
            "UMAP trustworthiness ({} points): {t:.4}",
            opt.trust_sample.min(s.n_spectra)
        );
    }
    if let Some(o) = &s.oddities {
        println!(
            "injected oddities: {} ({:.2}%); precision of the top {:.0}% (best possible {:.3}): LOF {:.3}, χ² {:.3}, combined {:.3}",
            o.n_flagged,
            100.0 * o.base_rate,
            100.0 * o.top_fraction,
            o.max_possible,
            o.lof,
            o.chi2,
            o.combined
        );
    }
    let secs: Vec<String> = s
        .seconds
        .iter()
        .map(|(n, t)| format!("{n} {t:.2} s"))
        .collect();
    println!("time: {}", secs.join(", "));
    Ok(())
}
