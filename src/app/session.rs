//! The runtime state the views show: data, model, latents and analysis. It changes only when
//! a background job delivers a result; panels read it.

use std::path::PathBuf;
use std::sync::Arc;

use ndarray::Array2;

use crate::analysis::knn::KnnIndex;
use crate::analysis::outliers::OutlierRow;
use crate::analysis::residuals::ResidualHistograms;
use crate::data::{GalaxyClass, Spectra, Split};
use crate::model::Autoencoder;
use crate::model::pca_baseline::PcaBaseline;
use crate::train::trainer::EpochRecord;

/// An open survey.
pub struct LoadedData {
    pub path: PathBuf,
    pub label: String,
    /// The built-in survey (the built-in model fits it).
    pub builtin: bool,
    pub spectra: Arc<Spectra>,
    /// Median S/N per spectrum.
    pub snr: Vec<f32>,
    /// Spectra per class (indexed like `GalaxyClass::ALL`).
    pub class_counts: [usize; 5],
}

impl LoadedData {
    pub fn new(path: PathBuf, label: String, builtin: bool, spectra: Spectra) -> Self {
        let snr = spectra.median_snr();
        let mut class_counts = [0usize; 5];
        for c in &spectra.classes {
            class_counts[c.index()] += 1;
        }
        Self {
            path,
            label,
            builtin,
            spectra: Arc::new(spectra),
            snr,
            class_counts,
        }
    }
    pub fn n(&self) -> usize {
        self.spectra.n_spectra()
    }
    pub fn class_of(&self, i: usize) -> GalaxyClass {
        self.spectra.classes[i]
    }
}

/// The model the views show.
pub struct ModelState {
    pub model: Autoencoder,
    pub label: String,
    /// The file it came from (`None` for the built-in model).
    pub path: Option<PathBuf>,
    pub split: Split,
    pub latent_dim: usize,
    /// Training history (checkpoints only).
    pub history: Vec<EpochRecord>,
    /// Where its analysis is cached.
    pub analysis_dir: Option<PathBuf>,
}

/// Latents of every spectrum under the current model, with a k-d tree for neighbours.
pub struct Latents {
    pub z: Array2<f32>,
    pub index: KnnIndex,
    /// Per-dimension slider range (0.5th–99.5th percentile, padded).
    pub range: Vec<(f32, f32)>,
    /// From a checkpoint of a running training (not yet the final model).
    pub from_training: Option<usize>,
}

/// The analysis of the current model.
pub struct AnalysisView {
    pub embedding: Array2<f32>,
    pub embed_index: KnnIndex,
    pub lof: Vec<f64>,
    pub chi2: Vec<f64>,
    pub pca: PcaBaseline,
    pub residuals: ResidualHistograms,
    /// Every spectrum, most outlying first.
    pub outliers: Vec<OutlierRow>,
    /// One line for the status bar (cached or computed, how long).
    pub note: String,
}

impl AnalysisView {
    /// The view of an analysis, with a k-d tree over the embedding for picking.
    pub fn new(
        embedding: Array2<f32>,
        lof: Vec<f64>,
        chi2: Vec<f64>,
        pca: PcaBaseline,
        residuals: ResidualHistograms,
        outliers: Vec<OutlierRow>,
        note: String,
    ) -> Result<Self, String> {
        let embed_index =
            KnnIndex::build(embedding.view(), "UMAP embedding").map_err(|e| e.to_string())?;
        Ok(Self {
            embedding,
            embed_index,
            lof,
            chi2,
            pca,
            residuals,
            outliers,
            note,
        })
    }
}

/// Everything on screen. Each part carries a generation number that views use as a cache key.
#[derive(Default)]
pub struct Session {
    pub data: Option<LoadedData>,
    pub model: Option<ModelState>,
    pub latents: Option<Latents>,
    pub analysis: Option<AnalysisView>,
    pub data_gen: u64,
    pub model_gen: u64,
    pub latents_gen: u64,
    pub analysis_gen: u64,
}

impl Session {
    pub fn n(&self) -> usize {
        self.data.as_ref().map(|d| d.n()).unwrap_or(0)
    }
}

/// Slider ranges from latents: 0.5th–99.5th percentile of each dimension, padded by 10%.
pub fn latent_ranges(z: &Array2<f32>) -> Vec<(f32, f32)> {
    (0..z.ncols())
        .map(|j| {
            let c: Vec<f64> = z.column(j).iter().map(|&v| v as f64).collect();
            match crate::figures::umap::robust_range(&c, 0.005, 0.995) {
                Some((lo, hi)) => {
                    let pad = ((hi - lo) * 0.1).max(1e-3);
                    ((lo - pad) as f32, (hi + pad) as f32)
                }
                None => (-1.0, 1.0),
            }
        })
        .collect()
}
