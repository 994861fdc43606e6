//! Portillo et al.'s comparison in one command (`specae compare`): PCA, the autoencoder, the
//! VAE and the InfoVAE at several latent dimensions, each scored on the validation split by
//! the same weighted loss (overall and per class), by how well a kNN classifier tells the
//! galaxy classes apart in its latent space, by how many of the built-in survey's injected
//! oddities its outlier ranking puts in the top 1%, and by wall time.
//!
//! Each run lives in its own folder (`{method}-{latent}/`): `last.safetensors` after every
//! epoch, `best.safetensors` at every new best, and `result.json` once scored. A finished run
//! is reused, an interrupted one resumes from its last epoch.
//!
//! - [`run`]: training and scoring one run;
//! - [`method`]: what is compared (PCA or a model kind).

pub mod method;
pub mod run;

pub use method::Method;
pub use run::{CompareError, CompareOptions, RunResult, run_or_reuse};
