//! PCA used by the data layer: astroML's iterative PCA (fills masked pixels), built on faer;
//! [`apply`] fills one spectrum from a basis fitted on a sample (surveys streamed to a store).

pub mod apply;
pub mod cholesky;
pub mod iterative;

pub use iterative::{IterativePca, PcaConfig, PcaError, iterative_pca};
