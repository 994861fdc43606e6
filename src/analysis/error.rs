//! Errors of the analysis stage.

use std::path::PathBuf;

/// What went wrong in an analysis step; `what` names the input (e.g. "latents").
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("{what}: no points")]
    Empty { what: String },
    #[error("{what}: value {value} at row {row}, column {col} is not finite")]
    NonFinite {
        what: String,
        row: usize,
        col: usize,
        value: f32,
    },
    #[error(
        "{what}: {n} points, but {k} neighbours were asked for; need at least {} points",
        k + 1
    )]
    TooFewPoints { what: String, n: usize, k: usize },
    #[error("{what}: {d}-dimensional points are not supported (1 to {max} dimensions)")]
    Dimension { what: String, d: usize, max: usize },
    #[error("{0}")]
    Invalid(String),
    #[error("cancelled")]
    Cancelled,
    #[error("cannot write {}: {detail}", path.display())]
    Write { path: PathBuf, detail: String },
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
}

impl From<crate::util::progress::Cancelled> for AnalysisError {
    fn from(_: crate::util::progress::Cancelled) -> Self {
        AnalysisError::Cancelled
    }
}

impl From<crate::util::atomic::AtomicWriteError> for AnalysisError {
    fn from(e: crate::util::atomic::AtomicWriteError) -> Self {
        if crate::util::progress::is_cancelled_io(&e.source) {
            return AnalysisError::Cancelled;
        }
        AnalysisError::Write {
            path: e.path,
            detail: e.source.to_string(),
        }
    }
}
