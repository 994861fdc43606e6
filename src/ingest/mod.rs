//! Bring your own spectra: SDSS FITS files (DR8+ `spec-PLATE-MJD-FIBER.fits`, "lite" or full,
//! and DR7 `spSpec-MJD-PLATE-FIBER.fit`) and DESI coadds with their redshifts, turned into a
//! survey in astroML's npz schema.
//!
//! - [`sdss_fits`]: reading one SDSS file with `fitsrs` (pure Rust; no cfitsio needed);
//! - [`fits_table`]: typed tables and images of multi-spectrum files, counts bounded;
//! - [`desi_fits`]: one DESI coadd, its B/R/Z arms combined; [`redshifts`]: redrock files and
//!   redshift catalogues by TARGETID; [`desi`]: a coadd's targets kept or rejected;
//! - [`fits_write`], [`desi_write`]: a survey written as DESI coadds and redrock files;
//! - [`outcome`]: what happened to each file or target; [`options`]: an ingest's settings;
//! - [`rebin`]: shift to the rest frame and rebin onto the 1000-bin grid;
//! - [`lineindex`]: astroML's `lineratio_index` from the pipeline's line measurements;
//! - [`survey`]: many files in parallel → kept/rejected report → PCA-filled [`Survey`];
//! - [`to_store`]: the same into a survey store, a batch of files at a time, never holding
//!   every spectrum.
//!
//! [`Survey`]: crate::data::Survey

pub mod desi;
pub mod desi_fits;
pub mod desi_write;
pub mod fits_table;
pub mod fits_write;
pub mod lineindex;
pub mod options;
pub mod outcome;
pub mod rebin;
pub mod redshifts;
pub mod sdss_fits;
pub mod survey;
pub mod to_store;

use std::path::PathBuf;

/// Why one file could not be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IngestError {
    #[error("{}: cannot read: {detail}", path.display())]
    Io { path: PathBuf, detail: String },
    #[error("{}: not a readable FITS file: {detail}", path.display())]
    Fits { path: PathBuf, detail: String },
    #[error("{}: not an SDSS spectrum: {detail}", path.display())]
    NotSdss { path: PathBuf, detail: String },
    #[error("{}: not a usable DESI file: {detail}", path.display())]
    NotDesi { path: PathBuf, detail: String },
    #[error("{}: truncated or damaged: {detail}", path.display())]
    Truncated { path: PathBuf, detail: String },
    /// The reader failed in a way it should have caught (a bug); the other files go on.
    #[error("{}: could not be read (internal error: {detail})", path.display())]
    Internal { path: PathBuf, detail: String },
}

impl IngestError {
    /// The file the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            IngestError::Io { path, .. }
            | IngestError::Fits { path, .. }
            | IngestError::NotSdss { path, .. }
            | IngestError::NotDesi { path, .. }
            | IngestError::Truncated { path, .. }
            | IngestError::Internal { path, .. } => path,
        }
    }
}

pub use options::IngestOptions;
pub use outcome::FileOutcome;
pub use rebin::PixelMask;
pub use survey::{Ingested, ingest};
pub use to_store::{IngestedStore, ingest_to_store};
