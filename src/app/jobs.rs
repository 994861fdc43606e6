//! The work background tasks do: open data and models, encode, analyse, residuals of a
//! selection, exports. Each returns a [`JobOutput`] that the app applies on the UI thread.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use burn::prelude::Device;
use ndarray::{Array2, Axis};

use super::builtin_model;
use super::session::{AnalysisView, Latents, LoadedData, ModelState};
use super::tasks::TaskCtx;
use crate::analysis::bundle::{
    AnalysisOptions, Inputs, StoredAnalysis, analyze, read_stored, residuals_of_rows,
};
use crate::analysis::outliers::outlier_table;
use crate::analysis::residuals::ResidualHistograms;
use crate::data::{Spectra, Split};
use crate::model::Autoencoder;
use crate::model::evaluate::encode_rows;
use crate::synth::{Stage, SynthConfig, generate};
use crate::train::checkpoint::Checkpoint;
use crate::train::load::{fit_model_to_data, load_model_for, model_from_weight_bytes};
use crate::util::atomic::write_bytes_atomically;

/// What a finished job hands to the app.
#[allow(clippy::large_enum_variant)]
pub enum JobOutput {
    Data(LoadedData),
    Model(ModelState),
    /// Latents of every spectrum under the open model (or a training checkpoint), indexed.
    Latents(Latents),
    Analysis(AnalysisView),
    /// Residual histograms of the selection of generation `selection_gen`.
    Residuals {
        selection_gen: u64,
        rows: usize,
        hist: ResidualHistograms,
    },
    /// A file written (figure, table).
    Exported {
        what: String,
        path: PathBuf,
        bytes: usize,
    },
    /// FITS spectra ingested into the survey `out` (to open next).
    Ingested {
        out: PathBuf,
        summary: String,
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
}

/// What a file dialog was opened for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Data,
    Model,
    ExportDir,
}

fn failed(task: &str, error: impl std::fmt::Display) -> JobOutput {
    JobOutput::Failed {
        task: task.into(),
        error: error.to_string(),
    }
}

/// The built-in survey at `path` (generated there if missing).
pub fn open_builtin_at(path: &Path, n: usize, seed: u64, cx: &mut TaskCtx) -> JobOutput {
    if !path.is_file() {
        if let Some(dir) = path.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            return failed(
                "open data",
                format!("cannot create the data folder {}: {e}", dir.display()),
            );
        }
        let cfg = SynthConfig {
            n,
            seed,
            ..SynthConfig::default()
        };
        cx.set_stage("generating the built-in survey", n as u64);
        let mut stage_now = Stage::Spectra;
        let survey = generate(&cfg, &mut |stage, done, total| {
            if stage != stage_now {
                stage_now = stage;
                cx.set_stage("PCA infill", total as u64);
            }
            cx.set_done(done as u64);
        });
        let survey = match survey {
            Ok(s) => s,
            Err(e) => return failed("open data", format!("generating the built-in survey: {e}")),
        };
        cx.set_stage("writing the built-in survey", 0);
        if let Err(e) = survey.write(path, false) {
            return failed("open data", e);
        }
    }
    cx.set_stage("reading the built-in survey", 0);
    match Spectra::load(path) {
        Ok(s) => JobOutput::Data(LoadedData::new(
            path.to_path_buf(),
            format!("built-in survey ({n} synthetic spectra)"),
            true,
            s,
        )),
        Err(e) => failed("open data", e),
    }
}

/// A survey file chosen by the user.
pub fn open_data(path: &Path, cx: &mut TaskCtx) -> JobOutput {
    cx.set_stage(&format!("reading {}", path.display()), 0);
    match Spectra::load(path) {
        Ok(s) if s.n_spectra() == 0 => failed(
            "open data",
            format!("{}: the file holds no spectra", path.display()),
        ),
        Ok(s) => {
            let label = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            JobOutput::Data(LoadedData::new(path.to_path_buf(), label, false, s))
        }
        Err(e) => failed("open data", e),
    }
}

/// The built-in model for the survey at `data_path` (n × bins; any survey on the standard
/// 1000-bin grid).
pub fn builtin_model(data_path: &Path, n: usize, bins: usize) -> JobOutput {
    let name = Path::new("assets/builtin-model.safetensors");
    let opened = model_from_weight_bytes(builtin_model::BYTES, name, &Device::flex())
        .and_then(|m| fit_model_to_data(m, None, name, data_path, n, bins, 0));
    match opened {
        Ok(l) => JobOutput::Model(ModelState {
            latent_dim: l.latent_dim,
            model: l.model,
            label: builtin_model::LABEL.into(),
            path: None,
            split: l.split,
            history: vec![],
            analysis_dir: Some(builtin_model::analysis_dir(data_path)),
        }),
        Err(e) => failed("open model", e),
    }
}

/// A model file (checkpoint or weights) for the open data.
pub fn open_model(path: &Path, data_path: &Path, n: usize, bins: usize) -> JobOutput {
    match load_model_for(path, data_path, n, bins, 0, &Device::flex()) {
        Ok(l) => {
            let history = l
                .checkpoint
                .as_ref()
                .map(|c| c.meta.history.clone())
                .unwrap_or_default();
            JobOutput::Model(ModelState {
                latent_dim: l.latent_dim,
                model: l.model,
                label: path.display().to_string(),
                path: Some(path.to_path_buf()),
                split: l.split,
                history,
                analysis_dir: Some(crate::analysis::bundle::default_dir(path)),
            })
        }
        Err(e) => failed("open model", e),
    }
}

/// Latents of every spectrum, chunk by chunk with progress.
pub fn encode_all(model: &Autoencoder, s: &Spectra, cx: &mut TaskCtx) -> Option<Array2<f32>> {
    let n = s.n_spectra();
    let device = Device::flex();
    cx.set_stage("encoding spectra", n as u64);
    let idx: Vec<u32> = (0..n as u32).collect();
    let mut parts = vec![];
    for (k, c) in idx.chunks(4096).enumerate() {
        if cx.cancelled() {
            return None;
        }
        parts.push(encode_rows(model, s.x.view(), c, &device));
        cx.set_done(((k + 1) * 4096).min(n) as u64);
    }
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    ndarray::concatenate(Axis(0), &views).ok()
}

/// Latents of the checkpoint a running training just saved.
pub fn encode_checkpoint(path: &Path, s: &Spectra, cx: &mut TaskCtx) -> JobOutput {
    let ck = match Checkpoint::read(path) {
        Ok(c) => c,
        Err(e) => return failed("refresh latents", e),
    };
    let epoch = ck.meta.epoch;
    match ck.model(&Device::flex()) {
        Ok(m) => match encode_all(&m, s, cx) {
            Some(z) => latents_output("refresh latents", z, Some(epoch)),
            None => JobOutput::Cancelled {
                task: "refresh latents".into(),
            },
        },
        Err(e) => failed("refresh latents", e),
    }
}

/// Latents with their k-d tree and ranges, built here rather than on the UI thread.
pub fn latents_output(task: &str, z: Array2<f32>, from_training: Option<usize>) -> JobOutput {
    match Latents::new(z, from_training) {
        Ok(l) => JobOutput::Latents(l),
        Err(e) => failed(task, e),
    }
}

/// Latents of every spectrum under `model`.
pub fn encode(model: &Autoencoder, s: &Spectra, cx: &mut TaskCtx) -> JobOutput {
    match encode_all(model, s, cx) {
        Some(z) => latents_output("encode", z, None),
        None => JobOutput::Cancelled {
            task: "encode".into(),
        },
    }
}

/// The analysis view from stored results.
fn view_from_stored(a: StoredAnalysis, note: String) -> Result<AnalysisView, String> {
    let (lof, chi2) = (a.lof.to_vec(), a.chi2.to_vec());
    let outliers = outlier_table(&lof, &chi2);
    AnalysisView::new(a.embedding, lof, chi2, a.pca, a.residuals, outliers, note)
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

/// Everything the analysis job needs.
pub struct AnalysisJob {
    pub model: Autoencoder,
    pub spectra: Arc<Spectra>,
    pub split: Split,
    pub latents: Array2<f32>,
    pub dir: Option<PathBuf>,
    pub model_path: Option<PathBuf>,
    pub data_path: PathBuf,
    pub options: AnalysisOptions,
}

/// Reads the cached analysis when it matches the model's latents, else runs it (UMAP,
/// outliers, residuals, …) and caches it.
pub fn run_analysis(job: AnalysisJob, cx: &mut TaskCtx) -> JobOutput {
    let t0 = Instant::now();
    if let Some(dir) = &job.dir
        && dir.join("analysis.npz").is_file()
    {
        cx.set_stage("reading the cached analysis", 0);
        if let Ok(a) = read_stored(dir)
            && latents_match(&a.latents, &job.latents)
        {
            let note = format!("analysis read from {}", dir.display());
            return match view_from_stored(a, note) {
                Ok(view) => JobOutput::Analysis(view),
                Err(e) => failed("analysis", e),
            };
        }
    }
    let device = Device::flex();
    let inputs = Inputs {
        spectra: &job.spectra,
        model: &job.model,
        device: &device,
        split: &job.split,
        model_path: job.model_path.as_deref(),
        data_path: Some(&job.data_path),
    };
    let a = match analyze(&inputs, &job.options, cx) {
        Ok(a) => a,
        Err(crate::analysis::error::AnalysisError::Cancelled) => {
            return JobOutput::Cancelled {
                task: "analysis".into(),
            };
        }
        Err(e) => return failed("analysis", e),
    };
    let mut note = format!("analysis computed in {:.1} s", t0.elapsed().as_secs_f64());
    for w in &a.summary.warnings {
        note.push_str(&format!("; {w}"));
    }
    if let Some(dir) = &job.dir {
        cx.set_stage("caching the analysis", 0);
        match a.write(dir, &job.spectra, &job.split) {
            Ok(_) => note.push_str(&format!(", cached in {}", dir.display())),
            Err(e) => note.push_str(&format!(" (not cached: {e})")),
        }
    }
    match AnalysisView::new(
        a.embedding,
        a.lof,
        a.chi2,
        a.pca,
        a.residuals,
        a.outliers,
        note,
    ) {
        Ok(view) => JobOutput::Analysis(view),
        Err(e) => failed("analysis", e),
    }
}

/// Residual histograms of a selection.
pub fn selection_residuals(
    model: &Autoencoder,
    s: &Spectra,
    (rows, selection_gen): (&[u32], u64),
    range: (f64, f64),
    cx: &mut TaskCtx,
) -> JobOutput {
    cx.set_stage("residuals of the selection", rows.len() as u64);
    let hist = residuals_of_rows(model, &Device::flex(), s, rows, range);
    JobOutput::Residuals {
        selection_gen,
        rows: rows.len(),
        hist,
    }
}

/// Writes bytes atomically and reports it.
pub fn write_export(what: &str, path: &Path, bytes: Vec<u8>) -> JobOutput {
    match write_bytes_atomically(path, &bytes) {
        Ok(()) => JobOutput::Exported {
            what: what.into(),
            path: path.to_path_buf(),
            bytes: bytes.len(),
        },
        Err(e) => failed("export", e),
    }
}

/// Ingests SDSS FITS files and folders into a survey at `out` (files read in parallel, one
/// damaged file never stops the others), for the explorer to open.
pub fn ingest_into(inputs: &[PathBuf], out: &Path, cx: &mut TaskCtx) -> JobOutput {
    use crate::ingest::survey::{IngestSurveyError, collect_paths};
    let paths = match collect_paths(inputs) {
        Ok(p) => p,
        Err(e) => return failed("ingest", e),
    };
    cx.set_stage(
        &format!("reading {} FITS files", paths.len()),
        paths.len() as u64,
    );
    let progress = cx.clone();
    let opts = crate::ingest::IngestOptions::default();
    let got =
        match crate::ingest::ingest(&paths, &opts, &move |done| progress.set_done(done as u64)) {
            Ok(g) => g,
            Err(e @ IngestSurveyError::NothingKept { .. }) => {
                let first = match &e {
                    IngestSurveyError::NothingKept { outcomes, .. } => outcomes
                        .iter()
                        .find_map(|o| o.reason())
                        .map(|r| format!(" (e.g. {r})"))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                return failed("ingest", format!("{e}{first}"));
            }
            Err(e) => return failed("ingest", e),
        };
    if let Some(dir) = out.parent()
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return failed(
            "ingest",
            format!("cannot create the folder {}: {e}", dir.display()),
        );
    }
    cx.set_stage("writing the survey", 0);
    if let Err(e) = got.survey.write(out, false) {
        return failed("ingest", e);
    }
    let counts = got.counts();
    JobOutput::Ingested {
        out: out.to_path_buf(),
        summary: format!(
            "ingested {} FITS files into {}: {counts}",
            paths.len(),
            out.display()
        ),
    }
}
