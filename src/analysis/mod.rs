//! Latent-space analysis: k-nearest-neighbour graphs, UMAP, outlier scores, class separation,
//! residual statistics and latent tracks.
//!
//! Everything works on plain arrays and returns plain arrays, so the CLI (`specae analyze`), the
//! figure renderer and the GUI share it. Inputs are validated up front (finite values, enough
//! points, no duplicate points) and problems come back as [`AnalysisError`]s, never panics.

pub mod classify;
pub mod error;
pub mod fidelity;
pub mod indices;
pub mod knn;
pub mod lof;
pub mod misfit;
pub mod options;
pub mod outliers;
pub mod regions;
pub mod residuals;
pub mod rows;
pub mod run;
pub mod store;
pub mod tracks;
pub mod trust;
pub mod umap;

pub use error::AnalysisError;
