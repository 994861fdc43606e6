//! Training hyper-parameters.

use burn::prelude::*;

use crate::model::AutoencoderConfig;

/// Everything that defines a training run (stored in every checkpoint).
#[derive(Config, Debug, PartialEq)]
pub struct TrainConfig {
    pub model: AutoencoderConfig,
    #[config(default = 64)]
    pub batch_size: usize,
    #[config(default = 1e-3)]
    pub lr: f64,
    #[config(default = 200)]
    pub max_epochs: usize,
    /// ReduceLROnPlateau: multiply the LR by this…
    #[config(default = 0.1)]
    pub lr_factor: f64,
    /// …after more than this many epochs without improvement.
    #[config(default = 5)]
    pub lr_patience: usize,
    /// Early stopping: stop after this many epochs…
    #[config(default = 10)]
    pub stop_patience: usize,
    /// …without this relative improvement of the validation loss.
    #[config(default = 1e-3)]
    pub stop_min_rel: f64,
    /// Adam ε (PyTorch's default; burn's is 1e-5).
    #[config(default = 1e-8)]
    pub adam_epsilon: f32,
    /// Seed of the initial weights and of each epoch's shuffle.
    #[config(default = 0)]
    pub seed: u64,
    /// Shuffle the training set every epoch (off: batches in split order, for parity runs).
    #[config(default = true)]
    pub shuffle: bool,
}
