//! The analysis of the open model: read from its cache when that was computed from the same
//! latents, else computed with each part handed to the app as soon as it exists (scores, then
//! the UMAP, then the PCA baseline) and cached for the next launch.

use std::path::PathBuf;
use std::time::Instant;

use burn::prelude::Device;
use ndarray::Array2;

use super::{JobCtx, JobOutput};
use crate::analysis::AnalysisError;
use crate::analysis::options::AnalysisOptions;
use crate::analysis::outliers::outlier_table;
use crate::analysis::run::{Inputs, Part, Scores, analyze_streaming};
use crate::analysis::store::{StoredAnalysis, read_stored};
use crate::app::session::UmapView;
use crate::app::survey_rows::SurveyRows;
use crate::data::Split;
use crate::model::Autoencoder;

const TASK: &str = "analysis";

/// Everything the analysis job needs.
pub struct AnalysisJob {
    pub model: Autoencoder,
    pub spectra: SurveyRows,
    pub split: Split,
    pub latents: Array2<f32>,
    pub dir: Option<PathBuf>,
    pub model_path: Option<PathBuf>,
    pub data_path: PathBuf,
    pub options: AnalysisOptions,
}

/// Whether stored latents belong to this model (same shape, same values to 1e-3).
fn latents_match(stored: &Array2<f32>, fresh: &Array2<f32>) -> bool {
    if stored.dim() != fresh.dim() {
        return false;
    }
    let scale = fresh.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-6);
    stored
        .iter()
        .zip(fresh.iter())
        .all(|(a, b)| (a - b).abs() <= 1e-3 * scale)
}

/// The job output of a part (the UMAP's k-d tree is built here, off the UI thread).
fn output_of(part: Part) -> JobOutput {
    match part {
        Part::Scores(s) => JobOutput::Scores(*s),
        Part::Embedding(e) => match UmapView::new(e) {
            Ok(u) => JobOutput::Umap(u),
            Err(e) => JobOutput::failed(TASK, e),
        },
        Part::Baseline(p) => JobOutput::Baseline(p),
    }
}

/// Hands over a stored analysis, part by part.
fn deliver_stored(a: StoredAnalysis, regions: Array2<f32>, cx: &JobCtx) {
    let (lof, chi2) = (a.lof.to_vec(), a.chi2.to_vec());
    let outliers = outlier_table(&lof, &chi2);
    for part in [
        Part::Scores(Box::new(Scores {
            chi2,
            lof,
            regions,
            outliers,
            residuals: a.residuals,
        })),
        Part::Embedding(a.embedding),
        Part::Baseline(a.pca),
    ] {
        cx.deliver(output_of(part));
    }
}

/// Reads the cached analysis when it matches the model's latents (and has the residual
/// statistics by region the triage learns from), else runs it (UMAP, outliers, residuals, …)
/// and caches it.
pub fn run_analysis(job: AnalysisJob, cx: &JobCtx) -> JobOutput {
    let t0 = Instant::now();
    if let Some(dir) = &job.dir
        && dir.join("analysis.npz").is_file()
    {
        cx.progress().stage("reading the cached analysis", 0);
        if let Ok(mut a) = read_stored(dir)
            && latents_match(&a.latents, &job.latents)
            && let Some(regions) = a.regions.take()
        {
            deliver_stored(a, regions, cx);
            return JobOutput::AnalysisDone {
                note: format!("analysis read from {}", dir.display()),
                warnings: vec![],
            };
        }
    }
    let device = Device::flex();
    let inputs = Inputs {
        spectra: job.spectra.as_rows(),
        model: &job.model,
        device: &device,
        split: &job.split,
        model_path: job.model_path.as_deref(),
        data_path: Some(&job.data_path),
        latents: Some(job.latents.view()),
    };
    let a = match analyze_streaming(&inputs, &job.options, cx.progress(), &mut |part| {
        cx.deliver(output_of(part))
    }) {
        Ok(a) => a,
        Err(AnalysisError::Cancelled) => return JobOutput::cancelled(TASK),
        Err(e) => return JobOutput::failed(TASK, e),
    };
    let mut note = format!("analysis computed in {:.1} s", t0.elapsed().as_secs_f64());
    if let Some(dir) = &job.dir {
        cx.progress().stage("caching the analysis", 0);
        match a.write(dir, job.spectra.as_rows(), &job.split) {
            Ok(_) => note.push_str(&format!(", cached in {}", dir.display())),
            Err(e) => note.push_str(&format!(" (not cached: {e})")),
        }
    }
    JobOutput::AnalysisDone {
        note,
        warnings: a.summary.warnings,
    }
}
