//! PCA used by the data layer: astroML's iterative PCA (fills masked pixels), built on faer.

pub mod cholesky;
pub mod iterative;

pub use iterative::{IterativePca, PcaConfig, PcaError, iterative_pca};
