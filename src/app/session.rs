//! The runtime state the views show: data, model, latents and the analysis's parts (scores,
//! UMAP, PCA baseline). It changes only when background work delivers a result; panels read
//! it.
//!
//! Invariant (checked when a part is installed, so views may index freely): latents and every
//! analysis part have one row per spectrum of the open data. Each part carries a generation
//! number that views use as a cache key. Opening other data clears everything computed from
//! the old data and starts a new generation; results of older generations are dropped (see
//! [`Scope`]).

use std::path::PathBuf;
use std::sync::Arc;

use ndarray::Array2;

use super::survey_rows::SurveyRows;
use crate::analysis::knn::KnnIndex;
use crate::analysis::run::Scores;
use crate::data::survey::Metadata;
use crate::data::{GalaxyClass, Spectra, Split};
use crate::model::Autoencoder;
use crate::model::pca_baseline::PcaBaseline;
use crate::train::native::Mlp;
use crate::train::trainer::EpochRecord;
use crate::triage::labels::labels_path_for;
use crate::triage::{LabelBook, Learned, Prepared, survey_ids};
use crate::util::stats::robust_range;

/// What a background result was computed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Independent of the session (file dialogs, exports, opening data, ingesting files).
    Any,
    /// From the data of this generation (e.g. opening a model for them).
    Data(u64),
    /// From this data and model generation (encoding, the analysis, residuals).
    Model { data: u64, model: u64 },
}

/// An open survey.
pub struct LoadedData {
    pub path: PathBuf,
    pub label: String,
    /// The built-in survey (the built-in model fits it).
    pub builtin: bool,
    /// The spectra as the open model sees them: masked pixels refilled from the model's
    /// training survey's basis where that is not the file's own (the same path `specae
    /// analyze` and `specae fidelity` take), else `own`.
    pub spectra: SurveyRows,
    /// The spectra with the file's own infill (what training on them uses).
    pub own: SurveyRows,
    /// Bin wavelengths (Å, rest frame).
    pub wavelengths: Vec<f64>,
    /// Median S/N per spectrum.
    pub snr: Vec<f32>,
    /// Spectra per class (indexed like `GalaxyClass::ALL`).
    pub class_counts: [usize; 5],
    /// The user's labels of these spectra, or why they could not be read (labelling is then
    /// off, so a damaged file is never overwritten).
    pub labels: Result<LabelBook, String>,
}

impl LoadedData {
    /// Spectra read into memory.
    pub fn new(path: PathBuf, label: String, builtin: bool, spectra: Spectra) -> Self {
        let snr = spectra.median_snr();
        Self::of_rows(
            path,
            label,
            builtin,
            SurveyRows::Memory(Arc::new(spectra)),
            snr,
        )
    }

    /// Spectra in memory or on disk, with their median S/N.
    pub fn of_rows(
        path: PathBuf,
        label: String,
        builtin: bool,
        rows: SurveyRows,
        snr: Vec<f32>,
    ) -> Self {
        let mut class_counts = [0usize; 5];
        for c in rows.classes() {
            class_counts[c.index()] += 1;
        }
        let labels = open_labels(&path, rows.meta(), rows.n_spectra());
        Self {
            path,
            label,
            builtin,
            wavelengths: rows.wavelengths(),
            own: rows.clone(),
            spectra: rows,
            snr,
            class_counts,
            labels,
        }
    }

    /// The label book, if labelling is on.
    pub fn book(&self) -> Option<&LabelBook> {
        self.labels.as_ref().ok()
    }
    pub fn n(&self) -> usize {
        self.spectra.n_spectra()
    }
    pub fn class_of(&self, i: usize) -> GalaxyClass {
        self.spectra.classes()[i]
    }
}

/// The labels of the survey at `path` (beside it, or in specae's data folder when its folder
/// is read-only), keyed by the spectra's survey ids.
fn open_labels(path: &std::path::Path, meta: &Metadata, n: usize) -> Result<LabelBook, String> {
    let fp = crate::data::identity::FileIdentity::of(path)
        .map_err(|e| format!("labels: {e}"))?
        .fingerprint;
    let ids = survey_ids(meta, n, &fp);
    let file = labels_path_for(path, &fp, &crate::data::sources::data_dir().join("labels"));
    LabelBook::open(&file, ids)
        .map_err(|e| format!("{e}; labelling is off until the file is fixed or moved away"))
}

/// The learned ranking fitted to the labels, and what it was fitted from.
pub struct LearnedState {
    pub fit: Learned,
    /// The features and prior it was fitted on (reused by the next refit of these scores).
    pub prepared: Arc<Prepared>,
    /// The label book's generation and the scores' generation it was fitted to.
    pub labels_gen: u64,
    pub scores_gen: u64,
    pub fitted_at: std::time::Instant,
}

/// The model the views show.
pub struct ModelState {
    pub model: Autoencoder,
    pub label: String,
    /// The file it came from (`None` for the built-in model).
    pub path: Option<PathBuf>,
    /// Which shipped model it is (`None` for a file).
    pub builtin: Option<crate::model::builtin::Builtin>,
    pub split: Split,
    pub latent_dim: usize,
    /// Training history (checkpoints only).
    pub history: Vec<EpochRecord>,
    /// Where its analysis is cached.
    pub analysis_dir: Option<PathBuf>,
    /// The open data as this model sees them, where that differs from the file's own infill
    /// (installed as [`LoadedData::spectra`] with the model).
    pub seen: Option<Arc<Spectra>>,
    /// The open data judged against the validation spectra of the model's training survey
    /// (χ² at matched S/N, as `specae fidelity` prints it), when the model carries those fits
    /// and the data are not its training survey.
    pub fidelity: Option<Vec<crate::analysis::fidelity::Judged>>,
    /// The same with each spectrum's latents fitted to it, against the model's validation
    /// spectra fitted alike (`specae fidelity --fit-latents`), when the model carries those and
    /// the data are small enough to fit on opening ([`crate::app::jobs::open::FIT_ON_OPEN_MAX`]).
    pub fidelity_fitted: Option<Vec<crate::analysis::fidelity::Judged>>,
    /// The native engine's copy of the weights, for fitting latents (made once, by the job
    /// that opened the model; `None` if the weights could not be copied).
    pub native: Option<Arc<Mlp>>,
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
    /// A VAE's posterior σ per spectrum (geometric mean over the latents).
    pub sigma: Option<Vec<f32>>,
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
            sigma: None,
        })
    }

    /// The same with a VAE's posterior σ per spectrum.
    pub fn with_sigma(mut self, sigma: Option<Vec<f32>>) -> Self {
        self.sigma = sigma.filter(|s| s.len() == self.z.nrows());
        self
    }
}

/// The UMAP embedding with a k-d tree over it for picking.
pub struct UmapView {
    pub embedding: Array2<f32>,
    pub index: KnnIndex,
}

impl UmapView {
    pub fn new(embedding: Array2<f32>) -> Result<Self, String> {
        let index =
            KnnIndex::build(embedding.view(), "UMAP embedding").map_err(|e| e.to_string())?;
        Ok(Self { embedding, index })
    }
}

/// The outcome of an ingest: a line for the status bar, the survey written (if any spectrum was
/// kept), and what happened to each input.
#[derive(Clone, Debug)]
pub struct IngestReport {
    pub summary: String,
    pub out: Option<std::path::PathBuf>,
    pub outcomes: Vec<crate::ingest::FileOutcome>,
}

/// Everything on screen, and the generation of each part.
#[derive(Default)]
pub struct Session {
    pub data: Option<LoadedData>,
    pub model: Option<ModelState>,
    pub latents: Option<Latents>,
    /// χ², LOF, the outlier ranking and residual histograms of the current model.
    pub scores: Option<Scores>,
    pub umap: Option<UmapView>,
    /// The PCA at the latent dimension (the inspector's PCA reconstruction).
    pub baseline: Option<PcaBaseline>,
    /// Set once the whole analysis is in (cached or computed, how long).
    pub analysis_note: Option<String>,
    /// What the last ingest did with each input (shown in the Ingest report pane).
    pub ingest_report: Option<IngestReport>,
    /// The learned outlier ranking (fitted in the background after each label).
    pub learned: Option<LearnedState>,
    pub data_gen: u64,
    pub model_gen: u64,
    pub latents_gen: u64,
    pub scores_gen: u64,
    pub umap_gen: u64,
}

impl Session {
    pub fn n(&self) -> usize {
        self.data.as_ref().map(|d| d.n()).unwrap_or(0)
    }

    /// The whole analysis of the current model is in.
    pub fn analysis_complete(&self) -> bool {
        self.analysis_note.is_some()
            && self.scores.is_some()
            && self.umap.is_some()
            && self.baseline.is_some()
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

    /// The label book of the open data, if labelling is on.
    pub fn book(&self) -> Option<&LabelBook> {
        self.data.as_ref().and_then(|d| d.book())
    }

    /// The label book's generation (0 without one): views key their caches by it.
    pub fn labels_gen(&self) -> u64 {
        self.book().map_or(0, |b| b.generation)
    }

    /// The learned ranking, if it was fitted to the current scores (labels may be newer: it
    /// is shown until the refit arrives).
    pub fn current_learned(&self) -> Option<&LearnedState> {
        self.learned
            .as_ref()
            .filter(|l| l.scores_gen == self.scores_gen)
    }

    fn clear_analysis(&mut self) {
        self.learned = None;
        self.scores = None;
        self.umap = None;
        self.baseline = None;
        self.analysis_note = None;
        self.scores_gen += 1;
        self.umap_gen += 1;
    }

    /// Opens other data: everything computed from the old data goes.
    pub fn set_data(&mut self, d: LoadedData) {
        self.data = Some(d);
        self.model = None;
        self.latents = None;
        self.clear_analysis();
        self.data_gen += 1;
        self.model_gen += 1;
        self.latents_gen += 1;
    }

    /// Opens a model for the open data (the latents stay on screen until the model's own
    /// arrive; the analysis goes).
    pub fn set_model(&mut self, m: ModelState) {
        if let Some(d) = &mut self.data {
            d.spectra = m
                .seen
                .clone()
                .map_or_else(|| d.own.clone(), SurveyRows::Memory);
        }
        self.model = Some(m);
        self.clear_analysis();
        self.model_gen += 1;
    }

    fn check_rows(&self, what: &str, rows: usize) -> Result<(), String> {
        let n = self.n();
        if rows != n {
            return Err(format!(
                "{what} of {rows} spectra do not fit the open data ({n} spectra)"
            ));
        }
        Ok(())
    }

    /// Installs latents, if they have one row per open spectrum.
    pub fn set_latents(&mut self, l: Latents) -> Result<(), String> {
        self.check_rows("latents", l.z.nrows())?;
        self.latents = Some(l);
        self.latents_gen += 1;
        Ok(())
    }

    /// Installs the scores, if each has one row per open spectrum.
    pub fn set_scores(&mut self, s: Scores) -> Result<(), String> {
        let n = self.n();
        for rows in [
            s.chi2.len(),
            s.lof.len(),
            s.outliers.len(),
            s.regions.nrows(),
        ] {
            self.check_rows("scores", rows)?;
        }
        if s.outliers.iter().any(|r| r.index >= n) {
            return Err("the outlier ranking names spectra the open data do not have".into());
        }
        self.scores = Some(s);
        self.scores_gen += 1;
        Ok(())
    }

    /// Installs the UMAP embedding, if it has one row per open spectrum.
    pub fn set_umap(&mut self, u: UmapView) -> Result<(), String> {
        self.check_rows("a UMAP embedding", u.embedding.nrows())?;
        self.umap = Some(u);
        self.umap_gen += 1;
        Ok(())
    }

    /// Installs the PCA baseline, if it has the data's bins.
    pub fn set_baseline(&mut self, p: PcaBaseline) -> Result<(), String> {
        let bins = self.data.as_ref().map_or(0, |d| d.spectra.n_bins());
        if p.mean.len() != bins {
            return Err(format!(
                "a PCA baseline of {} bins does not fit the open data ({bins} bins)",
                p.mean.len()
            ));
        }
        self.baseline = Some(p);
        Ok(())
    }
}

/// Slider ranges from latents: 0.5th–99.5th percentile of each dimension, padded by 10%.
pub fn latent_ranges(z: &Array2<f32>) -> Vec<(f32, f32)> {
    (0..z.ncols())
        .map(|j| {
            let c: Vec<f64> = z.column(j).iter().map(|&v| v as f64).collect();
            match robust_range(&c, 0.005, 0.995) {
                Some((lo, hi)) => {
                    let pad = ((hi - lo) * 0.1).max(1e-3);
                    ((lo - pad) as f32, (hi + pad) as f32)
                }
                None => (-1.0, 1.0),
            }
        })
        .collect()
}
