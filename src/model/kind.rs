//! Which model a run trains: Portillo et al.'s plain autoencoder, a VAE, or their InfoVAE.

use serde::{Deserialize, Serialize};

/// The model family. All three share the encoder and decoder; the VAE and InfoVAE add a
/// log-variance head beside the latent layer (which gives the posterior mean μ) and train with
/// [`crate::model::vae_loss`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// The autoencoder: Σ w (x − x̂)² alone.
    #[default]
    Ae,
    /// A VAE: ½·Σ w (x − x̂)² + KL (InfoVAE with α = 0, λ = 1: no MMD term).
    Vae,
    /// Portillo's InfoVAE: ½·Σ w (x − x̂)² + (1 − α)·KL + (λ + α − 1)·MMD.
    #[value(name = "infovae")]
    #[serde(rename = "infovae")]
    InfoVae,
}

impl ModelKind {
    pub fn label(self) -> &'static str {
        match self {
            ModelKind::Ae => "ae",
            ModelKind::Vae => "vae",
            ModelKind::InfoVae => "infovae",
        }
    }

    /// Whether the model has a log-variance head and samples its latents in training.
    pub fn variational(self) -> bool {
        self != ModelKind::Ae
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The activation between layers: the paper's autoencoder uses ReLU, Portillo's InfoVAE leaky
/// ReLU (PyTorch's default slope, 0.01).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    #[default]
    Relu,
    LeakyRelu,
}

/// The negative slope of [`Activation::LeakyRelu`] (PyTorch's `F.leaky_relu` default).
pub const LEAKY_SLOPE: f64 = 0.01;

impl Activation {
    /// The slope below zero: 0 for ReLU.
    pub fn negative_slope(self) -> f64 {
        match self {
            Activation::Relu => 0.0,
            Activation::LeakyRelu => LEAKY_SLOPE,
        }
    }
}
