//! The autoencoder (burn), its loss, PyTorch interop and the PCA baseline.
//!
//! - [`autoencoder`]: 1000-703-94-6-94-703-1000 with ReLU, sizes configurable;
//! - [`loss`]: mean over the batch of Σⱼ wᵢⱼ (xᵢⱼ − x̂ᵢⱼ)²;
//! - [`kind`], [`vae_loss`]: the VAE and InfoVAE of Portillo et al. beside the autoencoder;
//! - [`interop`]: weights as safetensors with `reference.py`'s PyTorch state-dict names;
//! - [`pca_baseline`]: PCA at the same number of components, scored with the same loss;
//! - [`tensors`]: moving ndarray rows to and from burn tensors.

pub mod autoencoder;
pub mod builtin;
pub mod evaluate;
pub mod inputs;
pub mod interop;
pub mod kind;
pub mod loss;
pub mod pca_baseline;
pub mod tensors;
pub mod vae_loss;

pub use autoencoder::{Autoencoder, AutoencoderConfig};
pub use kind::{Activation, ModelKind};
