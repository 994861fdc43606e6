//! Opening data and models: the built-in survey (generated on first use), a survey file, the
//! shipped model, a model file fitted to the open data.

use std::path::Path;
use std::sync::Arc;

use burn::prelude::Device;

use super::{JobCtx, JobOutput};
use crate::analysis::fidelity::{Judged, fits_of_reference, judge};
use crate::app::builtin_model::{Builtin, analysis_dir_of};
use crate::app::session::{LoadedData, ModelState};
use crate::data::{DataError, Spectra};
use crate::model::evaluate::reconstruct_rows;
use crate::synth::{SynthConfig, SynthError, generate};
use crate::train::load::{LoadedModel, fit_model_to_data, load_model_for, model_from_weight_bytes};

const TASK: &str = "open data";

/// Reads a survey file, stopping before preprocessing if cancelled meanwhile.
fn load(path: &Path, cx: &JobCtx) -> Result<Option<Spectra>, DataError> {
    cx.progress()
        .stage(&format!("reading {}", path.display()), 0);
    let survey = crate::data::Survey::read(path)?;
    if cx.cancelled() {
        return Ok(None);
    }
    cx.progress().stage("preprocessing", 0);
    Ok(Some(Spectra::from_survey(survey)))
}

/// The built-in survey at `path` (generated there if missing; a cancel leaves no file).
pub fn open_builtin_at(path: &Path, n: usize, seed: u64, cx: &JobCtx) -> JobOutput {
    if !path.is_file() {
        if let Some(dir) = path.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            return JobOutput::failed(
                TASK,
                format!("cannot create the data folder {}: {e}", dir.display()),
            );
        }
        let cfg = SynthConfig {
            n,
            seed,
            ..SynthConfig::default()
        };
        let survey = match generate(&cfg, cx.progress()) {
            Ok(s) => s,
            Err(SynthError::Cancelled) => return JobOutput::cancelled(TASK),
            Err(e) => {
                return JobOutput::failed(TASK, format!("generating the built-in survey: {e}"));
            }
        };
        match survey.write_with(path, false, cx.progress()) {
            Ok(()) => {}
            Err(DataError::Cancelled { .. }) => return JobOutput::cancelled(TASK),
            Err(e) => return JobOutput::failed(TASK, e),
        }
    }
    match load(path, cx) {
        Ok(Some(s)) => JobOutput::Data(LoadedData::new(
            path.to_path_buf(),
            format!("built-in survey ({n} synthetic spectra)"),
            true,
            s,
        )),
        Ok(None) => JobOutput::cancelled(TASK),
        Err(e) => JobOutput::failed(TASK, e),
    }
}

/// A survey file chosen by the user.
pub fn open_data(path: &Path, cx: &JobCtx) -> JobOutput {
    match load(path, cx) {
        Ok(Some(s)) if s.n_spectra() == 0 => JobOutput::failed(
            TASK,
            format!("{}: the file holds no spectra", path.display()),
        ),
        Ok(Some(s)) => {
            let label = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            JobOutput::Data(LoadedData::new(path.to_path_buf(), label, false, s))
        }
        Ok(None) => JobOutput::cancelled(TASK),
        Err(e) => JobOutput::failed(TASK, e),
    }
}

/// A built-in model for the open survey at `data_path` (`own`: its spectra with the file's
/// infill; any survey on the paper's 1000-bin grid).
pub fn builtin_model(which: Builtin, data_path: &Path, own: Arc<Spectra>) -> JobOutput {
    let name = Path::new(which.asset());
    let opened = model_from_weight_bytes(which.bytes(), name, &Device::flex())
        .and_then(|m| fit_model_to_data(m, name, data_path, own.n_spectra(), &own.grid(), 0));
    match opened {
        Ok(l) => {
            let (seen, fidelity) = as_seen(&l, &own);
            JobOutput::Model(ModelState {
                latent_dim: l.latent_dim,
                model: l.model,
                label: which.label().into(),
                path: None,
                split: l.split,
                history: vec![],
                analysis_dir: Some(analysis_dir_of(which, data_path)),
                seen,
                fidelity,
            })
        }
        Err(e) => JobOutput::failed("open model", e),
    }
}

/// A model file (checkpoint or weights) for the open data.
pub fn open_model(path: &Path, data_path: &Path, own: Arc<Spectra>) -> JobOutput {
    match load_model_for(
        path,
        data_path,
        own.n_spectra(),
        &own.grid(),
        0,
        &Device::flex(),
    ) {
        Ok(l) => {
            let history = l
                .checkpoint
                .as_ref()
                .map(|c| c.meta.history.clone())
                .unwrap_or_default();
            let (seen, fidelity) = as_seen(&l, &own);
            JobOutput::Model(ModelState {
                latent_dim: l.latent_dim,
                model: l.model,
                label: path.display().to_string(),
                path: Some(path.to_path_buf()),
                split: l.split,
                history,
                analysis_dir: Some(crate::analysis::store::default_dir(path)),
                seen,
                fidelity,
            })
        }
        Err(e) => JobOutput::failed("open model", e),
    }
}

/// The open spectra as the model sees them (when that differs from the file's infill), and
/// how they fit next to its training survey's validation spectra (when the model carries
/// those and these are other data).
fn as_seen(l: &LoadedModel, own: &Arc<Spectra>) -> (Option<Arc<Spectra>>, Option<Vec<Judged>>) {
    let seen = l
        .inputs
        .infill
        .as_ref()
        .and_then(|b| own.refilled_for(b))
        .map(Arc::new);
    // Not the model's own training survey (a refill implies another basis).
    let other_data = l.inputs.infill.as_ref().is_none_or(|b| !own.pca.same_as(b));
    let fidelity = l
        .inputs
        .reference
        .as_deref()
        .filter(|_| other_data)
        .and_then(|r| {
            let s = seen.as_deref().unwrap_or(own);
            let rows: Vec<u32> = (0..s.n_spectra() as u32).collect();
            let xhat = reconstruct_rows(&l.model, s.x.view(), &rows, &Device::flex());
            judge(s, xhat.view(), &fits_of_reference(r), FIDELITY_MATCHED)
        });
    (seen, fidelity)
}

/// Reference spectra matched to each judged one (as `specae fidelity`'s default).
pub const FIDELITY_MATCHED: usize = 200;
