//! SDSS FITS files, DESI coadds and folders of them ingested into a new survey, for the
//! explorer to open, with the report of what happened to each input.

use std::path::{Path, PathBuf};

use super::{JobCtx, JobOutput};
use crate::ingest::survey::{IngestSurveyError, collect_paths, outcome_counts};

const TASK: &str = "ingest";

/// Ingests SDSS FITS files, DESI coadds and folders into a survey store at `out` (files read
/// a batch at a time, in parallel within it, never holding every spectrum; one damaged file
/// never stops the others). A cancel stops reading within a batch and leaves no survey behind.
pub fn ingest_into(inputs: &[PathBuf], out: &Path, cx: &JobCtx) -> JobOutput {
    let paths = match collect_paths(inputs) {
        Ok(p) => p,
        Err(e) => return JobOutput::failed(TASK, e),
    };
    if let Some(dir) = out.parent()
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return JobOutput::failed(
            TASK,
            format!("cannot create the folder {}: {e}", dir.display()),
        );
    }
    let opts = crate::ingest::IngestOptions::default();
    let got = match crate::ingest::ingest_to_store(&paths, &opts, out, cx.progress()) {
        Ok(g) => g,
        Err(IngestSurveyError::Cancelled) => return JobOutput::cancelled(TASK),
        Err(e @ IngestSurveyError::NothingKept { .. }) => {
            let summary = e.to_string();
            let IngestSurveyError::NothingKept { outcomes, .. } = e else {
                return JobOutput::failed(TASK, summary);
            };
            let first = outcomes
                .iter()
                .find_map(|o| o.reason())
                .map(|r| format!(" (e.g. {r})"))
                .unwrap_or_default();
            return JobOutput::Ingested {
                out: None,
                summary: format!("{TASK}: {summary}{first}"),
                outcomes,
            };
        }
        Err(e) => return JobOutput::failed(TASK, e),
    };
    let counts = outcome_counts(&got.outcomes);
    JobOutput::Ingested {
        out: Some(out.to_path_buf()),
        summary: format!(
            "ingested {} FITS files into {}: {counts}",
            paths.len(),
            out.display()
        ),
        outcomes: got.outcomes,
    }
}
