//! The work background tasks do: open data and models, encode, analyse, residuals of a
//! selection, bin the corner plot, fit a galaxy's stellar populations, refit the learned outlier ranking, ingest FITS files, write
//! exports. Each job takes a
//! [`JobCtx`] (its progress, cancel and a way to hand over partial results) and returns a
//! [`JobOutput`] that the explorer applies on the UI thread. No job knows the app.

pub mod analysis;
pub mod encode;
pub mod export;
pub mod ingest;
pub mod open;
pub mod triage;
pub mod views;

use std::path::PathBuf;

use super::commands::Pick;
use super::corner_bins::CornerBins;
use super::session::{Latents, LearnedState, LoadedData, ModelState, UmapView};
use super::tasks::TaskCtx;
use super::view_models::{PopulationsKey, SelectionResiduals};
use crate::analysis::run::Scores;
use crate::model::pca_baseline::PcaBaseline;
use crate::synth::fit::PopulationPair;

/// What a job's thread holds.
pub type JobCtx = TaskCtx<JobOutput>;

/// What a job hands to the app (some jobs hand several, as they are computed).
#[allow(clippy::large_enum_variant)]
pub enum JobOutput {
    Data(LoadedData),
    /// Median S/N per spectrum of a store opened on disk (one pass over its blocks after it
    /// opened).
    Snr(Vec<f32>),
    Model(ModelState),
    /// Latents of every spectrum under the open model (or a training checkpoint), indexed.
    Latents(Latents),
    /// The analysis's scores: χ², LOF, the outlier ranking, residual histograms.
    Scores(Scores),
    Umap(UmapView),
    Baseline(PcaBaseline),
    /// The analysis is complete (its parts were delivered before): how it went.
    AnalysisDone {
        note: String,
        warnings: Vec<String>,
    },
    /// Residual histograms of the selection of generation `selection_gen`.
    Residuals {
        selection_gen: u64,
        residuals: SelectionResiduals,
    },
    CornerBins(CornerBins),
    /// The stellar-population fits of the inspected galaxy and its reconstruction.
    Populations {
        key: PopulationsKey,
        pair: Result<PopulationPair, String>,
    },
    /// The learned outlier ranking, refitted to the labels.
    Learned(LearnedState),
    /// A file written (figure, table).
    Exported {
        what: String,
        path: PathBuf,
        bytes: usize,
    },
    /// FITS spectra ingested into the survey `out` (to open next; `None` when nothing could
    /// be kept), with what happened to each input.
    Ingested {
        out: Option<PathBuf>,
        summary: String,
        outcomes: Vec<crate::ingest::FileOutcome>,
    },
    /// A file dialog closed (`None`: cancelled).
    Picked {
        purpose: Pick,
        path: Option<PathBuf>,
    },
    Failed {
        task: String,
        error: String,
    },
    Cancelled {
        task: String,
    },
    /// Work the app itself replaced by newer work (a refit of older labels): nothing to say.
    Superseded,
}

impl JobOutput {
    /// The failure of `task`.
    pub fn failed(task: &str, error: impl std::fmt::Display) -> JobOutput {
        JobOutput::Failed {
            task: task.into(),
            error: error.to_string(),
        }
    }

    /// `task` stopped because it was cancelled.
    pub fn cancelled(task: &str) -> JobOutput {
        JobOutput::Cancelled { task: task.into() }
    }
}
