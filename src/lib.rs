//! specae: train an autoencoder on galaxy spectra and explore its latent space.
//!
//! The crate follows the pipeline's stages:
//! - [`data`]: the astroML `sdss_corrected_spectra` npz schema, preprocessing, splits;
//! - [`pca`]: astroML's iterative PCA, used to fill masked pixels;
//! - [`spectro`]: line wavelengths, BPT lines, profiles on a grid, line measurement (shared by
//!   the synthetic survey and the readers of real spectra);
//! - [`synth`]: the built-in synthetic SDSS-like survey;
//! - [`ingest`]: SDSS FITS spectra → a survey file;
//! - [`model`]: the burn autoencoder, PyTorch interop, the PCA baseline, encode/decode;
//! - [`train`]: the training loop, its worker thread, checkpoints;
//! - [`analysis`]: kNN, UMAP, outliers, class separation, residual statistics, latent tracks;
//! - [`compare`]: Portillo et al.'s comparison of PCA, AE, VAE and InfoVAE by latent dimension;
//! - [`triage`]: labels, the learned outlier ranking, the simulated user;
//! - [`figures`]: publication figures (PNG/SVG/PDF);
//! - [`app`] (feature `gui`): the desktop explorer built on all of the above;
//! - [`fuzzing`]: the readers of untrusted files run on raw bytes (fuzz targets, property tests);
//! - [`util`]: atomic file writes and small helpers shared by all stages.

pub mod analysis;
#[cfg(feature = "gui")]
pub mod app;
pub mod compare;
pub mod data;
pub mod figures;
pub mod fuzzing;
pub mod ingest;
pub mod model;
pub mod pca;
pub mod spectro;
pub mod synth;
pub mod train;
pub mod triage;
pub mod util;
