//! Checkpoints: one safetensors file holding the weights (PyTorch names), the optimiser state,
//! the split, and JSON metadata (configuration, data-file identity, history, schedule state).
//! Written atomically, so a crash or a full disk leaves the previous checkpoint intact.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use burn::optim::AdamConfig;
use burn::prelude::*;
use burn::tensor::Bytes;
use safetensors::tensor::SafeTensors;
use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use super::native::Adam;
use super::schedule::{EarlyStopper, Plateau};
use super::trainer::{Engine, EngineKind, EpochRecord, TrainData, Trainer};
use crate::data::Split;
use crate::data::grid::LogGrid;
use crate::data::identity::FileIdentity;
use crate::model::Autoencoder;
use crate::model::inputs::ModelInputs;
use crate::model::interop::{
    InteropError, NamedTensor, model_from_safetensors, state_dict, to_safetensors, weights_metadata,
};
use crate::util::atomic::{AtomicWriteError, write_bytes_atomically};

pub const CHECKPOINT_VERSION: u32 = 1;
const META_KEY: &str = "specae";
const OPTIM_KEY: &str = "specae.optimizer";
const TRAIN_KEY: &str = "specae.split.train";
const VALID_KEY: &str = "specae.split.valid";
/// Prefixes of the native engine's Adam moments, followed by the parameter's PyTorch name.
const ADAM_M_PREFIX: &str = "specae.adam.m.";
const ADAM_V_PREFIX: &str = "specae.adam.v.";

/// Everything but the tensors.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckpointMeta {
    pub version: u32,
    pub config: TrainConfig,
    pub identity: Option<FileIdentity>,
    pub epoch: usize,
    pub history: Vec<EpochRecord>,
    pub plateau: Plateau,
    pub stopper: EarlyStopper,
    pub split_seed: Option<u64>,
    pub param_ids: HashMap<String, u64>,
    pub backend: String,
    /// The native engine's Adam (β₁, β₂, ε, step count; its moments are tensors beside the
    /// weights). Absent when burn's optimiser state is stored instead.
    #[serde(default)]
    pub adam: Option<AdamMeta>,
    /// The rest-frame grid of the data (absent in checkpoints written before grids were
    /// recorded: those were all on the paper's grid).
    #[serde(default)]
    pub grid: Option<LogGrid>,
}

/// Adam's scalars, as stored in a checkpoint of the native engine.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AdamMeta {
    pub beta1: f32,
    pub beta2: f32,
    pub epsilon: f32,
    pub step: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a specae checkpoint: {detail}", path.display())]
    Format { path: PathBuf, detail: String },
    #[error("{}: {source}", path.display())]
    Architecture {
        path: PathBuf,
        #[source]
        source: InteropError,
    },
    #[error("{} was trained on {} ({} bytes, fingerprint {}), not on {} ({} bytes, fingerprint {}); pass that file with --data", path.display(), expected.path.display(), expected.bytes, expected.fingerprint, found.path.display(), found.bytes, found.fingerprint)]
    DataMismatch {
        path: PathBuf,
        expected: Box<FileIdentity>,
        found: Box<FileIdentity>,
    },
    #[error("{}: {detail}", path.display())]
    Incompatible { path: PathBuf, detail: String },
    #[error(transparent)]
    Write(#[from] AtomicWriteError),
}

fn u32_bytes(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn f32_values(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn bytes_u32(b: &[u8]) -> Vec<u32> {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Saves the trainer's state to `path` atomically.
pub fn save(trainer: &Trainer, backend: &str, path: &Path) -> Result<(), CheckpointError> {
    let format = |detail: String| CheckpointError::Format {
        path: path.to_path_buf(),
        detail,
    };
    let (mut tensors, param_ids) = trainer.state_dict().map_err(|e| format(e.to_string()))?;
    let mut extras = vec![];
    let mut adam_meta = None;
    match &trainer.engine {
        Engine::Burn { optim, .. } => {
            let optim = optim
                .into_bytes()
                .map_err(|e| format(format!("optimizer state: {e:?}")))?;
            extras.push((OPTIM_KEY.to_string(), optim.to_vec()));
        }
        Engine::Native(e) => {
            let moments = adam_tensors(&tensors, &e.adam);
            tensors.extend(moments);
            adam_meta = Some(AdamMeta {
                beta1: e.adam.beta1,
                beta2: e.adam.beta2,
                epsilon: e.adam.epsilon,
                step: e.adam.t,
            });
        }
    }
    // The training survey's infill basis, after the weights and moments (looked up by name).
    if let Some(b) = &trainer.data.infill {
        tensors.extend(crate::model::inputs::infill_tensors(b, b.evecs.nrows()));
    }
    let meta = CheckpointMeta {
        version: CHECKPOINT_VERSION,
        config: trainer.config.clone(),
        identity: trainer.data.identity.clone(),
        epoch: trainer.epoch,
        history: trainer.history.clone(),
        plateau: trainer.plateau.clone(),
        stopper: trainer.stopper.clone(),
        split_seed: trainer.data.split.seed,
        param_ids,
        backend: backend.into(),
        adam: adam_meta,
        grid: trainer.data.grid,
    };
    let json = serde_json::to_string(&meta).map_err(|e| format(e.to_string()))?;
    extras.push((TRAIN_KEY.to_string(), u32_bytes(&trainer.data.split.train)));
    extras.push((VALID_KEY.to_string(), u32_bytes(&trainer.data.split.valid)));
    let bytes = to_safetensors(
        &tensors,
        &extras,
        Some(HashMap::from([(META_KEY.to_string(), json)])),
    )
    .map_err(|e| format(e.to_string()))?;
    write_bytes_atomically(path, &bytes)?;
    Ok(())
}

/// Adam's moments as named tensors, one pair per weight tensor (same order as the state dict).
fn adam_tensors(weights: &[NamedTensor], adam: &Adam) -> Vec<NamedTensor> {
    weights
        .iter()
        .zip(adam.m.iter().zip(&adam.v))
        .flat_map(|((name, shape, _), (m, v))| {
            [
                (format!("{ADAM_M_PREFIX}{name}"), shape.clone(), m.clone()),
                (format!("{ADAM_V_PREFIX}{name}"), shape.clone(), v.clone()),
            ]
        })
        .collect()
}

/// Writes only the weights, with PyTorch names: `model.load_state_dict(load_file(path))`, and
/// the rest-frame grid they were trained on (when known) as metadata.
pub fn export_weights(
    model: &Autoencoder,
    grid: Option<&LogGrid>,
    path: &Path,
) -> Result<(), CheckpointError> {
    let format = |detail: String| CheckpointError::Format {
        path: path.to_path_buf(),
        detail,
    };
    let (tensors, _) = state_dict(model).map_err(|e| format(e.to_string()))?;
    let bytes = to_safetensors(&tensors, &[], weights_metadata(model, grid))
        .map_err(|e| format(e.to_string()))?;
    write_bytes_atomically(path, &bytes)?;
    Ok(())
}

/// A checkpoint read from disk.
pub struct Checkpoint {
    pub path: PathBuf,
    pub meta: CheckpointMeta,
    pub split: Split,
    bytes: Vec<u8>,
}

impl Checkpoint {
    pub fn read(path: &Path) -> Result<Self, CheckpointError> {
        let bytes = std::fs::read(path).map_err(|source| CheckpointError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(bytes, path)
    }

    /// A checkpoint from the bytes of its file; `path` names it in errors.
    pub fn from_bytes(bytes: Vec<u8>, path: &Path) -> Result<Self, CheckpointError> {
        let format = |detail: String| CheckpointError::Format {
            path: path.to_path_buf(),
            detail,
        };
        let (_, header) = SafeTensors::read_metadata(&bytes).map_err(|e| format(e.to_string()))?;
        let json = header
            .metadata()
            .as_ref()
            .and_then(|m| m.get(META_KEY))
            .ok_or_else(|| {
                format("no specae metadata (a plain weights file? use --init)".into())
            })?;
        let meta: CheckpointMeta =
            serde_json::from_str(json).map_err(|e| format(format!("metadata: {e}")))?;
        if meta.version != CHECKPOINT_VERSION {
            return Err(format(format!(
                "checkpoint version {} (this specae reads {CHECKPOINT_VERSION})",
                meta.version
            )));
        }
        let st = SafeTensors::deserialize(&bytes).map_err(|e| format(e.to_string()))?;
        let read_u32 = |k: &str| -> Result<Vec<u32>, CheckpointError> {
            Ok(bytes_u32(
                st.tensor(k)
                    .map_err(|_| format(format!("missing {k}")))?
                    .data(),
            ))
        };
        let split = Split {
            seed: meta.split_seed,
            train: read_u32(TRAIN_KEY)?,
            valid: read_u32(VALID_KEY)?,
        };
        Ok(Checkpoint {
            path: path.to_path_buf(),
            meta,
            split,
            bytes,
        })
    }

    /// The model in the checkpoint, on `device`.
    pub fn model(&self, device: &Device) -> Result<Autoencoder, CheckpointError> {
        model_from_safetensors(
            &self.meta.config.model,
            &self.bytes,
            Some(&self.meta.param_ids),
            device,
        )
        .map_err(|source| CheckpointError::Architecture {
            path: self.path.clone(),
            source,
        })
    }

    /// The infill basis of the survey the run was trained on (absent in checkpoints written
    /// before it was recorded).
    pub fn inputs(&self) -> Result<ModelInputs, CheckpointError> {
        ModelInputs::from_safetensors(&self.bytes, self.meta.config.model.n_bins).map_err(
            |source| CheckpointError::Architecture {
                path: self.path.clone(),
                source,
            },
        )
    }

    /// Checks that `identity` is the data file this checkpoint was trained on.
    pub fn check_data(&self, identity: &FileIdentity) -> Result<(), CheckpointError> {
        match &self.meta.identity {
            Some(expected) if !expected.same_content(identity) => {
                Err(CheckpointError::DataMismatch {
                    path: self.path.clone(),
                    expected: Box::new(expected.clone()),
                    found: Box::new(identity.clone()),
                })
            }
            _ => Ok(()),
        }
    }

    /// A trainer that continues this run exactly where it stopped (weights, Adam moments,
    /// learning-rate schedule, early-stopping state, history, split and shuffle sequence).
    pub fn resume(&self, data: TrainData, device: &Device) -> Result<Trainer, CheckpointError> {
        self.resume_with_config(self.meta.config.clone(), data, device)
    }

    /// As [`resume`](Self::resume), with a changed configuration (e.g. a higher epoch cap).
    /// The architecture cannot change.
    pub fn resume_with_config(
        &self,
        config: TrainConfig,
        data: TrainData,
        device: &Device,
    ) -> Result<Trainer, CheckpointError> {
        self.resume_on(config, data, device, EngineKind::for_device(device))
    }

    /// As [`resume_with_config`](Self::resume_with_config), on a given engine. Adam's moments
    /// carry over when the checkpoint was written by the same engine; otherwise they restart
    /// and [`Trainer::optimizer_restarted`] says so.
    pub fn resume_on(
        &self,
        config: TrainConfig,
        data: TrainData,
        device: &Device,
        engine: EngineKind,
    ) -> Result<Trainer, CheckpointError> {
        let incompatible = |detail: String| CheckpointError::Incompatible {
            path: self.path.clone(),
            detail,
        };
        if config.model != self.meta.config.model {
            return Err(incompatible(
                "the architecture cannot change when resuming".into(),
            ));
        }
        if let Some(id) = &data.identity {
            self.check_data(id)?;
        }
        if data.split != self.split {
            return Err(incompatible(
                "the data's split differs from the checkpoint's".into(),
            ));
        }
        // Weights are loaded on the plain device; moving them to the autodiff device makes them
        // tracked leaves.
        let model = self.model(&device.clone().inner())?;
        let mut t = Trainer::with_model_on(config, data, device, model, engine)
            .map_err(|e| incompatible(e.to_string()))?;
        let format = |detail: String| CheckpointError::Format {
            path: self.path.clone(),
            detail,
        };
        let st = SafeTensors::deserialize(&self.bytes).map_err(|e| format(e.to_string()))?;
        match &mut t.engine {
            Engine::Burn { optim, .. } => match st.tensor(OPTIM_KEY) {
                Ok(view) => {
                    *optim = AdamConfig::new()
                        .with_epsilon(t.config.adam_epsilon)
                        .init()
                        .from_bytes(Bytes::from_bytes_vec(view.data().to_vec()))
                        .map_err(|e| format(format!("optimizer state: {e:?}")))?;
                }
                Err(_) => t.optimizer_restarted = true,
            },
            Engine::Native(e) => match &self.meta.adam {
                Some(meta) => {
                    // Parameter names in state-dict order, without copying the weights.
                    let names: Vec<String> = e
                        .mlp
                        .all_layers()
                        .flat_map(|l| [format!("{}.weight", l.name), format!("{}.bias", l.name)])
                        .collect();
                    let read = |prefix: &str| -> Result<Vec<Vec<f32>>, CheckpointError> {
                        names
                            .iter()
                            .zip(&e.adam.m)
                            .map(|(name, like)| {
                                let key = format!("{prefix}{name}");
                                let view = st
                                    .tensor(&key)
                                    .map_err(|_| format(format!("missing {key}")))?;
                                let v = f32_values(view.data());
                                if v.len() != like.len() {
                                    return Err(format(format!(
                                        "{key} has {} values, expected {}",
                                        v.len(),
                                        like.len()
                                    )));
                                }
                                Ok(v)
                            })
                            .collect()
                    };
                    e.adam = Adam {
                        beta1: meta.beta1,
                        beta2: meta.beta2,
                        epsilon: meta.epsilon,
                        t: meta.step,
                        m: read(ADAM_M_PREFIX)?,
                        v: read(ADAM_V_PREFIX)?,
                    };
                }
                None => t.optimizer_restarted = true,
            },
        }
        t.epoch = self.meta.epoch;
        t.history = self.meta.history.clone();
        t.plateau = self.meta.plateau.clone();
        t.stopper = self.meta.stopper.clone();
        Ok(t)
    }
}
