//! The runtime state the views show: data, model, latents and analysis. It changes only when
//! a background job delivers a result; panels read it.
//!
//! Invariant (checked when a part is installed, so views may index freely): latents and the
//! analysis have one row per spectrum of the open data. Opening other data clears everything
//! computed from the old data and starts a new generation; results of older generations are
//! dropped (see [`super::tasks::Scope`]).

use std::path::PathBuf;
use std::sync::Arc;

use ndarray::Array2;

use super::tasks::Scope;
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

/// Latents of every spectrum under the current model, with a k-d tree for neighbours (built
/// by the job that computed them, off the UI thread).
pub struct Latents {
    pub z: Array2<f32>,
    pub index: KnnIndex,
    /// Per-dimension slider range (0.5th–99.5th percentile, padded).
    pub range: Vec<(f32, f32)>,
    /// From a checkpoint of a running training (not yet the final model).
    pub from_training: Option<usize>,
}

impl Latents {
    /// Latents with their k-d tree and slider ranges (sorts every column: background work).
    pub fn new(z: Array2<f32>, from_training: Option<usize>) -> Result<Self, String> {
        let index = KnnIndex::build(z.view(), "latents").map_err(|e| e.to_string())?;
        let range = latent_ranges(&z);
        Ok(Self {
            z,
            index,
            range,
            from_training,
        })
    }
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

    /// The scope of work computed from the open data.
    pub fn data_scope(&self) -> Scope {
        Scope::Data(self.data_gen)
    }

    /// The scope of work computed from the open data and model.
    pub fn model_scope(&self) -> Scope {
        Scope::Model {
            data: self.data_gen,
            model: self.model_gen,
        }
    }

    /// Whether a result computed from `scope` still describes this session.
    pub fn is_current(&self, scope: Scope) -> bool {
        match scope {
            Scope::Any => true,
            Scope::Data(d) => d == self.data_gen,
            Scope::Model { data, model } => data == self.data_gen && model == self.model_gen,
        }
    }

    /// Opens other data: everything computed from the old data goes.
    pub fn set_data(&mut self, d: LoadedData) {
        self.data = Some(d);
        self.model = None;
        self.latents = None;
        self.analysis = None;
        self.data_gen += 1;
        self.model_gen += 1;
        self.latents_gen += 1;
        self.analysis_gen += 1;
    }

    /// Opens a model for the open data (the latents stay on screen until the model's own
    /// arrive; the analysis goes).
    pub fn set_model(&mut self, m: ModelState) {
        self.model = Some(m);
        self.analysis = None;
        self.model_gen += 1;
        self.analysis_gen += 1;
    }

    /// Installs latents, if they have one row per open spectrum.
    pub fn set_latents(&mut self, l: Latents) -> Result<(), String> {
        let n = self.n();
        if l.z.nrows() != n {
            return Err(format!(
                "latents of {} spectra do not fit the open data ({n} spectra)",
                l.z.nrows()
            ));
        }
        self.latents = Some(l);
        self.latents_gen += 1;
        Ok(())
    }

    /// Installs an analysis, if every per-spectrum part has one row per open spectrum.
    pub fn set_analysis(&mut self, a: AnalysisView) -> Result<(), String> {
        let n = self.n();
        let rows = [
            a.embedding.nrows(),
            a.lof.len(),
            a.chi2.len(),
            a.outliers.len(),
        ];
        if rows.iter().any(|&r| r != n) || a.outliers.iter().any(|r| r.index >= n) {
            return Err(format!(
                "an analysis of {} spectra does not fit the open data ({n} spectra)",
                a.embedding.nrows()
            ));
        }
        self.analysis = Some(a);
        self.analysis_gen += 1;
        Ok(())
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
