//! Opening a trained model for a data set: a specae checkpoint (with its split and the identity
//! of the data it was trained on) or bare exported weights (PyTorch names), checked against the
//! data before use.

use std::path::{Path, PathBuf};

use burn::prelude::*;

use super::checkpoint::{Checkpoint, CheckpointError};
use crate::data::grid::LogGrid;
use crate::data::identity::FileIdentity;
use crate::data::split::DEFAULT_TRAIN_FRACTION;
use crate::data::{Spectra, Split};
use crate::model::Autoencoder;
use crate::model::builtin::Builtin;
use crate::model::inputs::ModelInputs;
use crate::model::interop::{
    config_from_safetensors, grid_from_safetensors, model_from_safetensors,
};

impl LoadedModel {
    /// `spectra` as this model sees them: masked pixels refilled from its training survey's
    /// basis when the file records one and it is not the spectra's own (see
    /// [`Spectra::refilled_for`]). Every command and the explorer prepare data through this.
    pub fn sees(&self, spectra: Spectra) -> Spectra {
        match &self.inputs.infill {
            Some(b) => spectra.refilled_for(b).unwrap_or(spectra),
            None => spectra,
        }
    }

    /// "AE", "VAE" or "InfoVAE": the checkpoint's kind, else VAE for weights with a
    /// log-variance head (bare weights do not say which VAE trained them).
    pub fn kind_name(&self) -> &'static str {
        use crate::model::ModelKind;
        let kind = match &self.checkpoint {
            Some(ck) => ck.meta.config.model.model_kind(),
            None if self.model.logvar.is_some() => ModelKind::Vae,
            None => ModelKind::Ae,
        };
        match kind {
            ModelKind::Ae => "AE",
            ModelKind::Vae => "VAE",
            ModelKind::InfoVae => "InfoVAE",
        }
    }
}

/// A model ready for a data set.
pub struct LoadedModel {
    pub model: Autoencoder,
    pub split: Split,
    pub latent_dim: usize,
    pub n_bins: usize,
    /// The checkpoint, when the file was one (training history, configuration).
    pub checkpoint: Option<Checkpoint>,
    /// What its input depended on: the training survey's infill basis, the validation fits.
    pub inputs: ModelInputs,
}

/// A model file read: the model, the checkpoint (when the file was one) and the rest-frame
/// grid it was trained on, where the file records it.
pub struct ModelFile {
    pub model: Autoencoder,
    pub checkpoint: Option<Checkpoint>,
    pub grid: Option<LogGrid>,
    pub inputs: ModelInputs,
}

impl ModelFile {
    /// The grid the model takes: the recorded one, else the paper's for a 1000-bin model (what
    /// every model before grids were recorded, and Portillo's PyTorch ones, were trained on).
    pub fn grid(&self) -> Option<LogGrid> {
        self.grid
            .or_else(|| (self.model.n_bins() == LogGrid::STANDARD.n).then_some(LogGrid::STANDARD))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadModelError {
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error("{}: neither a specae checkpoint nor safetensors weights: {detail}", path.display())]
    Weights { path: PathBuf, detail: String },
    #[error("{} expects spectra of {expected} bins but {} has {found}; it does not fit these data", model.display(), data.display())]
    Bins {
        model: PathBuf,
        data: PathBuf,
        expected: usize,
        found: usize,
    },
    #[error(
        "{} was trained on spectra on the rest-frame grid {model_grid}, but {} is on \
         {data_grid}; the same bin would mean another wavelength. Re-ingest the spectra with \
         `{options}`, or train a model on these data",
        model.display(),
        data.display()
    )]
    Grid {
        model: PathBuf,
        data: PathBuf,
        model_grid: String,
        data_grid: String,
        options: String,
    },
    #[error("{}: {detail}", path.display())]
    Split { path: PathBuf, detail: String },
}

/// Reads a model file: a specae checkpoint, or bare safetensors weights with PyTorch names
/// (F32 or F16); `builtin` or `builtin-vae` (when no such file exists) name the shipped models.
pub fn read_model(model_path: &Path, device: &Device) -> Result<ModelFile, LoadModelError> {
    if let Some(b) = Builtin::named(model_path) {
        return model_from_weight_bytes(b.bytes(), Path::new(b.asset()), device);
    }
    match Checkpoint::read(model_path) {
        Ok(ck) => Ok(ModelFile {
            model: ck.model(device)?,
            grid: ck.meta.grid,
            inputs: ck.inputs()?,
            checkpoint: Some(ck),
        }),
        Err(CheckpointError::Io { path, source }) => {
            Err(CheckpointError::Io { path, source }.into())
        }
        Err(ck_err) => {
            let bytes = std::fs::read(model_path).map_err(|e| LoadModelError::Weights {
                path: model_path.to_path_buf(),
                detail: e.to_string(),
            })?;
            model_from_weight_bytes(&bytes, model_path, device).map_err(|e| match e {
                LoadModelError::Weights { path, detail } => LoadModelError::Weights {
                    path,
                    detail: format!("{detail} (as a checkpoint: {ck_err})"),
                },
                other => other,
            })
        }
    }
}

/// Builds a model from bare safetensors weights held in memory (e.g. the built-in model);
/// `name` labels errors.
pub fn model_from_weight_bytes(
    bytes: &[u8],
    name: &Path,
    device: &Device,
) -> Result<ModelFile, LoadModelError> {
    let weights = |detail: String| LoadModelError::Weights {
        path: name.to_path_buf(),
        detail,
    };
    let cfg = config_from_safetensors(bytes).map_err(|e| weights(e.to_string()))?;
    let grid = grid_from_safetensors(bytes).map_err(|e| weights(e.to_string()))?;
    let model =
        model_from_safetensors(&cfg, bytes, None, device).map_err(|e| weights(e.to_string()))?;
    let inputs =
        ModelInputs::from_safetensors(bytes, cfg.n_bins).map_err(|e| weights(e.to_string()))?;
    Ok(ModelFile {
        model,
        checkpoint: None,
        grid,
        inputs,
    })
}

/// Opens `model_path` for the data at `data_path` (n_spectra spectra on `grid`). Checkpoints
/// must have been trained on that file (same content); bare weights get a seeded split.
pub fn load_model_for(
    model_path: &Path,
    data_path: &Path,
    n_spectra: usize,
    grid: &LogGrid,
    split_seed: u64,
    device: &Device,
) -> Result<LoadedModel, LoadModelError> {
    let file = read_model(model_path, device)?;
    fit_model_for(file, model_path, data_path, n_spectra, grid, split_seed)
}

/// As [`load_model_for`], for a model file already read: a checkpoint must have been trained
/// on `data_path`'s content, and the model must fit its spectra.
pub fn fit_model_for(
    file: ModelFile,
    model_path: &Path,
    data_path: &Path,
    n_spectra: usize,
    grid: &LogGrid,
    split_seed: u64,
) -> Result<LoadedModel, LoadModelError> {
    if let Some(ck) = &file.checkpoint
        && let Ok(identity) = FileIdentity::of(data_path)
    {
        ck.check_data(&identity)?;
    }
    fit_model_to_data(file, model_path, data_path, n_spectra, grid, split_seed)
}

/// As [`fit_model_for`], for the survey `spectra` read from `data_path`.
pub fn fit_model_to_spectra(
    file: ModelFile,
    model_path: &Path,
    data_path: &Path,
    spectra: &Spectra,
    split_seed: u64,
) -> Result<LoadedModel, LoadModelError> {
    fit_model_for(
        file,
        model_path,
        data_path,
        spectra.n_spectra(),
        &spectra.grid(),
        split_seed,
    )
}

/// Checks that the model takes `grid`'s spectra, and how many: its first layer's width, and
/// its recorded grid (see [`ModelFile::grid`]).
pub fn check_grid(
    file: &ModelFile,
    model_path: &Path,
    data_path: &Path,
    grid: &LogGrid,
) -> Result<(), LoadModelError> {
    let expected = file.model.n_bins();
    if expected != grid.n {
        return Err(LoadModelError::Bins {
            model: model_path.to_path_buf(),
            data: data_path.to_path_buf(),
            expected,
            found: grid.n,
        });
    }
    match file.grid() {
        Some(g) if !g.same_as(grid) => Err(LoadModelError::Grid {
            model: model_path.to_path_buf(),
            data: data_path.to_path_buf(),
            model_grid: g.describe(),
            data_grid: grid.describe(),
            options: g.as_options(),
        }),
        _ => Ok(()),
    }
}

/// Checks that `file`'s model fits n_spectra spectra on `grid` and picks its split (the
/// checkpoint's, else a seeded one).
pub fn fit_model_to_data(
    file: ModelFile,
    model_path: &Path,
    data_path: &Path,
    n_spectra: usize,
    grid: &LogGrid,
    split_seed: u64,
) -> Result<LoadedModel, LoadModelError> {
    check_grid(&file, model_path, data_path, grid)?;
    let ModelFile {
        model,
        checkpoint,
        inputs,
        ..
    } = file;
    let split = match &checkpoint {
        Some(ck) => ck.split.clone(),
        None => Split::seeded(n_spectra, split_seed, DEFAULT_TRAIN_FRACTION),
    };
    split
        .validate(n_spectra)
        .map_err(|detail| LoadModelError::Split {
            path: model_path.to_path_buf(),
            detail,
        })?;
    Ok(LoadedModel {
        latent_dim: model.latent_dim(),
        model,
        split,
        n_bins: grid.n,
        checkpoint,
        inputs,
    })
}
