//! Training hyper-parameters.

use burn::prelude::*;

use crate::model::vae_loss::VaeWeights;
use crate::model::{AutoencoderConfig, ModelKind};

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
    /// InfoVAE α (default 0, as in all of Portillo's runs). VAE kinds only.
    pub alpha: Option<f64>,
    /// InfoVAE λ: the MMD term's weight is λ + α − 1 (default: 1 for the VAE, i.e. no MMD;
    /// [`DEFAULT_INFOVAE_LAMBDA`] for the InfoVAE). VAE kinds only.
    pub lambda: Option<f64>,
}

/// λ of an InfoVAE when none is given. Portillo et al.'s `trainVAE.py` draws λ log-uniformly
/// in [1, 10⁵] for each configuration of a random search, and their `InfoVAE` class defaults
/// to 10⁴. Measured here (`specae compare --quick --epochs 30 --models infovae --latent 6
/// --lambda L` on the built-in survey: 3,000 training and 1,000 validation spectra), the
/// validation loss Σ w (x − x̂)² was 5,405 at λ = 10, 5,256 at 100, 5,733 at 1,000 and 7,190 at
/// 10⁴ (the VAE, λ = 1: 5,309; the AE: 4,963).
pub const DEFAULT_INFOVAE_LAMBDA: f64 = 100.0;

impl TrainConfig {
    /// The regularisers' weights of a VAE kind (`None` for the autoencoder).
    pub fn vae_weights(&self) -> Option<VaeWeights> {
        let kind = self.model.model_kind();
        kind.variational().then(|| VaeWeights {
            alpha: self.alpha.unwrap_or(0.0),
            lambda: self.lambda.unwrap_or(match kind {
                ModelKind::InfoVae => DEFAULT_INFOVAE_LAMBDA,
                _ => 1.0 - self.alpha.unwrap_or(0.0),
            }),
        })
    }
}
