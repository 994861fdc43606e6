//! Outlier triage that learns: the user labels what they look at (a 0–5 interest score and
//! tags), and a ranking fitted to those labels puts what they find interesting first.
//!
//! - [`labels`]: the labels, keyed by survey id, as CSV, written atomically;
//! - [`book`]: the labels of one open survey by row, saved on every change;
//! - [`features`]: what the learned ranking sees of each spectrum;
//! - [`learned`]: the learned ranking (kernel regression with the outlier ranking as prior);
//! - [`ranking`]: the four rankings a user picks from, and the survey ids of rows;
//! - [`ranked`]: the ranked list as CSV (importable as labels);
//! - [`simulate`]: a simulated user on the built-in survey (`specae bench triage`).
//!
//! Below the explorer and the CLI, above the analysis: it takes the analysis's latents,
//! χ², LOF and residual statistics, and gives orders of rows.

pub mod book;
pub mod features;
pub mod labels;
pub mod learned;
pub mod ranked;
pub mod ranking;
pub mod simulate;

pub use book::LabelBook;
pub use features::Features;
pub use labels::{Label, Labels, Tag};
pub use learned::{Labelled, Learned, Prepared, fit_learned};
pub use ranking::{Ranking, survey_ids};

use std::path::PathBuf;

/// Errors of the triage.
#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    #[error("{}{}: {detail}", path.display(), if *line > 0 { format!(", line {line}") } else { String::new() })]
    Labels {
        path: PathBuf,
        line: usize,
        detail: String,
    },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] crate::util::atomic::AtomicWriteError),
    #[error("{0}")]
    Invalid(String),
    #[error("cancelled")]
    Cancelled,
}

impl From<crate::util::progress::Cancelled> for TriageError {
    fn from(_: crate::util::progress::Cancelled) -> Self {
        TriageError::Cancelled
    }
}
