//! Opening a trained model for a data set: a specae checkpoint (with its split and the identity
//! of the data it was trained on) or bare exported weights (PyTorch names), checked against the
//! data before use.

use std::path::{Path, PathBuf};

use burn::prelude::*;

use super::checkpoint::{Checkpoint, CheckpointError};
use crate::data::Split;
use crate::data::identity::FileIdentity;
use crate::data::split::DEFAULT_TRAIN_FRACTION;
use crate::model::Autoencoder;
use crate::model::interop::{config_from_safetensors, model_from_safetensors};

/// A model ready for a data set.
pub struct LoadedModel {
    pub model: Autoencoder,
    pub split: Split,
    pub latent_dim: usize,
    pub n_bins: usize,
    /// The checkpoint, when the file was one (training history, configuration).
    pub checkpoint: Option<Checkpoint>,
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
    #[error("{}: {detail}", path.display())]
    Split { path: PathBuf, detail: String },
}

/// Reads a model file: a specae checkpoint, or bare safetensors weights with PyTorch names
/// (F32 or F16).
pub fn read_model(
    model_path: &Path,
    device: &Device,
) -> Result<(Autoencoder, Option<Checkpoint>), LoadModelError> {
    match Checkpoint::read(model_path) {
        Ok(ck) => Ok((ck.model(device)?, Some(ck))),
        Err(CheckpointError::Io { path, source }) => {
            Err(CheckpointError::Io { path, source }.into())
        }
        Err(ck_err) => {
            let bytes = std::fs::read(model_path).map_err(|e| LoadModelError::Weights {
                path: model_path.to_path_buf(),
                detail: e.to_string(),
            })?;
            let m = model_from_weight_bytes(&bytes, model_path, device).map_err(|e| match e {
                LoadModelError::Weights { path, detail } => LoadModelError::Weights {
                    path,
                    detail: format!("{detail} (as a checkpoint: {ck_err})"),
                },
                other => other,
            })?;
            Ok((m, None))
        }
    }
}

/// Builds a model from bare safetensors weights held in memory (e.g. the built-in model);
/// `name` labels errors.
pub fn model_from_weight_bytes(
    bytes: &[u8],
    name: &Path,
    device: &Device,
) -> Result<Autoencoder, LoadModelError> {
    let weights = |detail: String| LoadModelError::Weights {
        path: name.to_path_buf(),
        detail,
    };
    let cfg = config_from_safetensors(bytes).map_err(|e| weights(e.to_string()))?;
    model_from_safetensors(&cfg, bytes, None, device).map_err(|e| weights(e.to_string()))
}

/// Opens `model_path` for the data at `data_path` (n_spectra × n_bins). Checkpoints must have
/// been trained on that file (same content); bare weights get a seeded split.
pub fn load_model_for(
    model_path: &Path,
    data_path: &Path,
    n_spectra: usize,
    n_bins: usize,
    split_seed: u64,
    device: &Device,
) -> Result<LoadedModel, LoadModelError> {
    let (model, checkpoint) = read_model(model_path, device)?;
    if let Some(ck) = &checkpoint
        && let Ok(identity) = FileIdentity::of(data_path)
    {
        ck.check_data(&identity)?;
    }
    fit_model_to_data(
        model, checkpoint, model_path, data_path, n_spectra, n_bins, split_seed,
    )
}

/// Checks that `model` fits data of n_spectra × n_bins and picks its split (the checkpoint's,
/// else a seeded one).
pub fn fit_model_to_data(
    model: Autoencoder,
    checkpoint: Option<Checkpoint>,
    model_path: &Path,
    data_path: &Path,
    n_spectra: usize,
    n_bins: usize,
    split_seed: u64,
) -> Result<LoadedModel, LoadModelError> {
    let split = match &checkpoint {
        Some(ck) => ck.split.clone(),
        None => Split::seeded(n_spectra, split_seed, DEFAULT_TRAIN_FRACTION),
    };
    let dims = |l: Option<&burn::nn::Linear>, axis: usize| {
        l.map(|l| l.weight.val().dims()[axis]).unwrap_or(0)
    };
    let expected = dims(model.encoder.first(), 0);
    if expected != n_bins {
        return Err(LoadModelError::Bins {
            model: model_path.to_path_buf(),
            data: data_path.to_path_buf(),
            expected,
            found: n_bins,
        });
    }
    split
        .validate(n_spectra)
        .map_err(|detail| LoadModelError::Split {
            path: model_path.to_path_buf(),
            detail,
        })?;
    Ok(LoadedModel {
        latent_dim: dims(model.encoder.last(), 1),
        model,
        split,
        n_bins,
        checkpoint,
    })
}
