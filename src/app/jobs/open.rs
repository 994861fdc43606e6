//! Opening data and models: the built-in survey (generated on first use), a survey file, the
//! shipped model, a model file fitted to the open data.

use std::path::Path;
use std::sync::Arc;

use burn::prelude::Device;

use super::{JobCtx, JobOutput};
use crate::analysis::fidelity::{Judged, fits_of_reference, judge};
use crate::app::builtin_model::{Builtin, analysis_dir_of};
use crate::app::session::{LoadedData, ModelState};
use crate::app::survey_rows::{StoreSurvey, SurveyRows};
use crate::data::store::is_store;
use crate::data::{DataError, Spectra};
use crate::model::evaluate::reconstruct_rows;
use crate::synth::{SynthConfig, SynthError, generate};
use crate::train::fit_latents::{fitted_reconstructions, mlp_of};
use crate::train::load::{LoadedModel, fit_model_to_data, load_model_for, model_from_weight_bytes};
use crate::train::native::Mlp;

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

/// A survey file chosen by the user. A store stays on disk: only its catalogue is read (its
/// S/N comes later, from [`snr_of`]).
pub fn open_data(path: &Path, cx: &JobCtx) -> JobOutput {
    if is_store(path) {
        return match open_store(path, cx) {
            Ok(Some(d)) => JobOutput::Data(d),
            Ok(None) => JobOutput::cancelled(TASK),
            Err(e) => JobOutput::failed(TASK, e),
        };
    }
    match load(path, cx) {
        Ok(Some(s)) if s.n_spectra() == 0 => JobOutput::failed(
            TASK,
            format!("{}: the file holds no spectra", path.display()),
        ),
        Ok(Some(s)) => JobOutput::Data(LoadedData::new(
            path.to_path_buf(),
            label_of(path),
            false,
            s,
        )),
        Ok(None) => JobOutput::cancelled(TASK),
        Err(e) => JobOutput::failed(TASK, e),
    }
}

fn open_store(path: &Path, cx: &JobCtx) -> Result<Option<LoadedData>, DataError> {
    cx.progress()
        .stage(&format!("reading the catalogue of {}", path.display()), 0);
    let rows = SurveyRows::Store(Arc::new(StoreSurvey::open(path)?));
    if cx.cancelled() {
        return Ok(None);
    }
    Ok(Some(LoadedData::of_rows(
        path.to_path_buf(),
        label_of(path),
        false,
        rows,
        vec![],
    )))
}

/// The median S/N of every spectrum of a store, one pass over its blocks (50 s at a
/// million spectra on 2 cores, as `specae info`): colouring by S/N waits for it, nothing else.
pub fn snr_of(rows: &SurveyRows, cx: &JobCtx) -> JobOutput {
    match rows.median_snr(cx.progress()) {
        Ok(Some(v)) => JobOutput::Snr(v),
        Ok(None) => JobOutput::cancelled("S/N"),
        Err(e) => JobOutput::failed("S/N", e),
    }
}

fn label_of(path: &Path) -> String {
    path.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A built-in model for the open survey at `data_path` (`own`: its spectra with the file's
/// infill; any survey on the paper's 1000-bin grid).
pub fn builtin_model(which: Builtin, data_path: &Path, own: SurveyRows) -> JobOutput {
    let name = Path::new(which.asset());
    let opened = model_from_weight_bytes(which.bytes(), name, &Device::flex())
        .and_then(|m| fit_model_to_data(m, name, data_path, own.n_spectra(), &own.grid(), 0));
    match opened {
        Ok(l) => {
            let native = mlp_of(&l.model).ok().map(Arc::new);
            let (seen, fidelity, fidelity_fitted) =
                match as_seen(&l, native.as_deref(), &own, data_path) {
                    Ok(s) => s,
                    Err(e) => return JobOutput::failed("open model", e),
                };
            JobOutput::Model(ModelState {
                latent_dim: l.latent_dim,
                model: l.model,
                label: which.label().into(),
                path: None,
                builtin: Some(which),
                split: l.split,
                history: vec![],
                analysis_dir: Some(analysis_dir_of(which, data_path)),
                seen,
                fidelity,
                fidelity_fitted,
                native,
            })
        }
        Err(e) => JobOutput::failed("open model", e),
    }
}

/// A model file (checkpoint or weights) for the open data.
pub fn open_model(path: &Path, data_path: &Path, own: SurveyRows) -> JobOutput {
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
            let native = mlp_of(&l.model).ok().map(Arc::new);
            let (seen, fidelity, fidelity_fitted) =
                match as_seen(&l, native.as_deref(), &own, data_path) {
                    Ok(s) => s,
                    Err(e) => return JobOutput::failed("open model", e),
                };
            JobOutput::Model(ModelState {
                latent_dim: l.latent_dim,
                model: l.model,
                label: path.display().to_string(),
                path: Some(path.to_path_buf()),
                builtin: None,
                split: l.split,
                history,
                analysis_dir: Some(crate::analysis::store::default_dir(path)),
                seen,
                fidelity,
                fidelity_fitted,
                native,
            })
        }
        Err(e) => JobOutput::failed("open model", e),
    }
}

/// The spectra as a model sees them (`None`: the file's own) and how they fit next to its
/// training survey's validation spectra, with the encoder's latents and with fitted ones.
type Seen = (
    Option<Arc<Spectra>>,
    Option<Vec<Judged>>,
    Option<Vec<Judged>>,
);

/// The open spectra as the model sees them (when that differs from the file's infill), and
/// how they fit next to its training survey's validation spectra (when the model carries
/// those and these are other data). A store whose infill is not the model's is read whole to
/// be refilled (as `specae analyze` does), if it fits [`REFILL_MAX_BYTES`].
fn as_seen(
    l: &LoadedModel,
    native: Option<&Mlp>,
    own: &SurveyRows,
    data_path: &Path,
) -> Result<Seen, String> {
    let infill = own.infill();
    let other_basis = l.inputs.infill.as_ref().filter(|b| !infill.same_as(b));
    let whole = match (own, other_basis) {
        (SurveyRows::Memory(s), _) => Arc::clone(s),
        (SurveyRows::Store(_), None) => return Ok((None, None, None)),
        (SurveyRows::Store(_), Some(_)) => {
            let bytes = own.n_spectra() * own.n_bins() * 9;
            if bytes > REFILL_MAX_BYTES {
                return Err(format!(
                    "the model was trained on data filled from another PCA basis, and {} \
                     ({} spectra, {:.1} GB as the model sees them) is too large to refill \
                     in memory: open it with a model trained on it, or analyse it with \
                     `specae analyze MODEL --data {}`",
                    data_path.display(),
                    own.n_spectra(),
                    bytes as f64 / 1e9,
                    data_path.display()
                ));
            }
            Arc::new(Spectra::load(data_path).map_err(|e| e.to_string())?)
        }
    };
    let seen = other_basis
        .and_then(|b| whole.refilled_for(b))
        .map(Arc::new);
    // Not the model's own training survey (a refill implies another basis).
    let other_data = l
        .inputs
        .infill
        .as_ref()
        .is_none_or(|b| !whole.pca.same_as(b));
    let s = seen.as_deref().unwrap_or(&whole);
    let rows: Vec<u32> = (0..s.n_spectra() as u32).collect();
    let fidelity = l
        .inputs
        .reference
        .as_deref()
        .filter(|_| other_data)
        .and_then(|r| {
            let xhat = reconstruct_rows(&l.model, s.x.view(), &rows, &Device::flex());
            judge(s, xhat.view(), &fits_of_reference(r), FIDELITY_MATCHED)
        });
    let fidelity_fitted = l
        .inputs
        .reference_fitted
        .as_deref()
        .filter(|_| other_data && rows.len() <= FIT_ON_OPEN_MAX)
        .and_then(|r| {
            let xfit = fitted_reconstructions(native?, s.x.view(), s.w.view(), &rows, |_| {});
            judge(s, xfit.view(), &fits_of_reference(r), FIDELITY_MATCHED)
        });
    Ok((seen, fidelity, fidelity_fitted))
}

/// The most spectra whose latents are fitted when a model opens on other data, for the
/// fidelity table's "fitted" column: ~3.5 s on 2 cores (3.5 ms a spectrum); above it the
/// inspector fits the galaxy shown, and `specae fidelity --fit-latents` all of them.
pub const FIT_ON_OPEN_MAX: usize = 1000;

/// The largest store (x, w and the mask) read whole to refill its masked pixels for a model
/// trained on another basis: 2.5 GB, about 280,000 spectra of 1000 bins (the refilled copy
/// is made beside it, so the peak is twice that).
pub const REFILL_MAX_BYTES: usize = 2_500_000_000;

/// Reference spectra matched to each judged one (as `specae fidelity`'s default).
pub const FIDELITY_MATCHED: usize = 200;
