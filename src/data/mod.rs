//! The data layer: astroML `sdss_corrected_spectra` npz files in, preprocessed spectra out.
//!
//! - [`grid`]: the 1000-bin log-spaced rest-frame wavelength grid;
//! - [`survey`]: a file's raw arrays as stored ([`Survey`]), read with full validation;
//! - [`store`]: the chunked on-disk survey store (Zarr v3), beside npz ([`arrays`]: either;
//!   `survey_files`: `Survey::read`/`write` choose by the path);
//! - [`preprocess`]: PCA infill, normalisation and weights ([`Spectra`]);
//! - [`catalogue`]: a survey's per-spectrum columns without its spectra;
//! - [`classes`]: galaxy classes from astroML's `lineindex_cln`;
//! - [`split`]: the seeded train/validation split;
//! - [`prepped`]: the prepped-file schema shared with `shared/anchors/reference.py`;
//! - [`release`]: which survey (SDSS, DESI survey/program) each spectrum came from;
//! - [`sources`]: where data sets live (the built-in survey's cache, astroML's cache);
//! - [`summary`]: counts and statistics for `specae info`.

pub mod arrays;
pub mod catalogue;
pub mod classes;
pub mod error;
pub mod grid;
pub mod identity;
pub mod npz;
pub mod prepped;
pub mod preprocess;
pub mod refill;
pub mod release;
pub mod sources;
pub mod split;
pub mod store;
pub mod summary;
pub mod survey;
mod survey_files;

pub use classes::GalaxyClass;
pub use error::DataError;
pub use preprocess::Spectra;
pub use split::Split;
pub use survey::Survey;
