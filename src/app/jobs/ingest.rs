//! SDSS FITS files, DESI coadds and folders of them ingested into a new survey, for the
//! explorer to open, with the report of what happened to each input.

use std::path::{Path, PathBuf};

use super::{JobCtx, JobOutput};
use crate::data::DataError;
use crate::ingest::survey::{IngestSurveyError, collect_paths};

const TASK: &str = "ingest";

/// Ingests SDSS FITS files, DESI coadds and folders into a survey at `out` (files read in parallel, one
/// damaged file never stops the others). A cancel stops reading at the next file and leaves
/// no survey behind.
pub fn ingest_into(inputs: &[PathBuf], out: &Path, cx: &JobCtx) -> JobOutput {
    let paths = match collect_paths(inputs) {
        Ok(p) => p,
        Err(e) => return JobOutput::failed(TASK, e),
    };
    let opts = crate::ingest::IngestOptions::default();
    let got = match crate::ingest::ingest(&paths, &opts, cx.progress()) {
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
    if let Some(dir) = out.parent()
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return JobOutput::failed(
            TASK,
            format!("cannot create the folder {}: {e}", dir.display()),
        );
    }
    match got.survey.write_with(out, false, cx.progress()) {
        Ok(()) => {}
        Err(DataError::Cancelled { .. }) => return JobOutput::cancelled(TASK),
        Err(e) => return JobOutput::failed(TASK, e),
    }
    let counts = got.counts();
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
