//! The settings of an ingest (SDSS files and DESI coadds alike).

use std::path::PathBuf;

use super::rebin::PixelMask;
use crate::data::grid::LogGrid;
use crate::pca::PcaConfig;

/// Settings of an ingest.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// Minimum fraction of grid bins a spectrum must cover after de-redshifting.
    pub min_coverage: f64,
    pub mask: PixelMask,
    pub pca: PcaConfig,
    /// A redshift catalogue for DESI coadds (zpix/zall FITS, or CSV/FITS with TARGETID and
    /// Z); without one, each coadd's redrock file beside it.
    pub redshifts: Option<PathBuf>,
    /// DESI targets whose redshift fit beats the next-best by less than this Δχ² are
    /// rejected (DESI's BGS and LRG samples cut at 40 and 15; 25 by default).
    pub min_deltachi2: f64,
    /// The rest-frame grid spectra are rebinned onto (the paper's 3388–8310 Å in 1000 bins by
    /// default, so models trained on SDSS apply); recorded in the survey file.
    pub grid: LogGrid,
    /// Spectra the PCA infill's basis is fitted on when ingesting into a store: up to this
    /// many kept spectra are filled by the PCA over all of them (as in memory), more from a
    /// basis fitted on an evenly spaced sample of this many (`specae generate`'s 16,384).
    pub infill_sample: usize,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            min_coverage: 0.5,
            mask: PixelMask::Pipeline,
            pca: PcaConfig::default(),
            redshifts: None,
            min_deltachi2: 25.0,
            grid: LogGrid::STANDARD,
            infill_sample: 16_384,
        }
    }
}
