//! The open survey's spectra as the explorer holds them: in memory (an npz, or a small store
//! read whole), or a survey store left on disk with only its catalogue in memory — what lets
//! the explorer open more spectra than the machine's memory holds. Views read the columns
//! (classes, redshifts, names) from here and the few spectra they draw with [`SurveyRows::rows`],
//! which reads just those rows' bytes from a store; whole passes (encoding, the analysis,
//! training) go through [`SurveyRows::as_rows`] and stream a store block by block.

use std::path::Path;
use std::sync::Arc;

use ndarray::s;

use crate::analysis::rows::SpectraRows;
use crate::data::catalogue::Catalogue;
use crate::data::error::DataError;
use crate::data::grid::LogGrid;
use crate::data::preprocess::{PcaBasis, median_snr_rows};
use crate::data::store::{Block, StoreRows};
use crate::data::survey::Metadata;
use crate::data::{GalaxyClass, Spectra};
use crate::util::progress::Progress;

/// A survey store opened for the explorer: its rows stay on disk.
pub struct StoreSurvey {
    pub rows: Arc<StoreRows>,
    pub catalogue: Catalogue,
}

impl StoreSurvey {
    /// Opens the store at `path`: its small arrays and catalogue, no spectra.
    pub fn open(path: &Path) -> Result<Self, DataError> {
        let rows = StoreRows::open(path)?;
        let catalogue = Catalogue::of_store(&rows)?;
        Ok(Self {
            rows: Arc::new(rows),
            catalogue,
        })
    }
}

/// Spectra in memory or on disk (cheap to clone: both are shared).
#[derive(Clone)]
pub enum SurveyRows {
    Memory(Arc<Spectra>),
    Store(Arc<StoreSurvey>),
}

impl SurveyRows {
    pub fn n_spectra(&self) -> usize {
        match self {
            SurveyRows::Memory(s) => s.n_spectra(),
            SurveyRows::Store(s) => s.rows.n_rows(),
        }
    }

    pub fn n_bins(&self) -> usize {
        match self {
            SurveyRows::Memory(s) => s.n_bins(),
            SurveyRows::Store(s) => s.rows.n_bins(),
        }
    }

    pub fn grid(&self) -> LogGrid {
        match self {
            SurveyRows::Memory(s) => s.grid(),
            SurveyRows::Store(s) => s.rows.grid(),
        }
    }

    /// Bin wavelengths (Å, rest frame).
    pub fn wavelengths(&self) -> Vec<f64> {
        match self {
            SurveyRows::Memory(s) => s.wavelengths.clone(),
            SurveyRows::Store(s) => s.rows.grid().wavelengths(),
        }
    }

    pub fn classes(&self) -> &[GalaxyClass] {
        match self {
            SurveyRows::Memory(s) => &s.classes,
            SurveyRows::Store(s) => &s.catalogue.classes,
        }
    }

    pub fn meta(&self) -> &Metadata {
        match self {
            SurveyRows::Memory(s) => &s.meta,
            SurveyRows::Store(s) => &s.catalogue.meta,
        }
    }

    /// The basis the file's masked pixels were filled from.
    pub fn infill(&self) -> PcaBasis {
        match self {
            SurveyRows::Memory(s) => s.infill_basis(),
            SurveyRows::Store(s) => s.rows.infill(),
        }
    }

    /// The spectra in memory, if they are.
    pub fn memory(&self) -> Option<&Arc<Spectra>> {
        match self {
            SurveyRows::Memory(s) => Some(s),
            SurveyRows::Store(_) => None,
        }
    }

    /// What a whole pass reads (a store: block by block).
    pub fn as_rows(&self) -> SpectraRows<'_> {
        match self {
            SurveyRows::Memory(s) => SpectraRows::Memory(s),
            SurveyRows::Store(s) => SpectraRows::Stream {
                rows: &s.rows,
                catalogue: &s.catalogue,
            },
        }
    }

    /// Rows `rows` (x, w and the stored mask), copied out of memory or read from the store.
    pub fn rows(&self, rows: std::ops::Range<usize>) -> Result<Block, DataError> {
        let n = self.n_spectra();
        let rows = rows.start.min(n)..rows.end.min(n);
        match self {
            SurveyRows::Memory(sp) => Ok(Block {
                start: rows.start,
                x: sp.x.slice(s![rows.clone(), ..]).to_owned(),
                w: sp.w.slice(s![rows.clone(), ..]).to_owned(),
                mask: sp.mask.slice(s![rows, ..]).to_owned(),
            }),
            SurveyRows::Store(st) => st.rows.rows_of(rows),
        }
    }

    /// Median S/N per spectrum (a store: one pass over its blocks, as a stage of `progress`;
    /// `None` when cancelled).
    pub fn median_snr(&self, progress: &Progress) -> Result<Option<Vec<f32>>, DataError> {
        match self {
            SurveyRows::Memory(s) => Ok(Some(s.median_snr())),
            SurveyRows::Store(st) => {
                let r = &st.rows;
                progress.stage("reading every spectrum", r.n_blocks() as u64);
                let mut out = Vec::with_capacity(r.n_rows());
                let mut blk = r.rows_of(0..0)?;
                for b in 0..r.n_blocks() {
                    if progress.is_cancelled() {
                        return Ok(None);
                    }
                    r.block_into(b, &mut blk)?;
                    out.extend(median_snr_rows(blk.x.view(), blk.w.view()));
                    progress.add(1);
                }
                Ok(Some(out))
            }
        }
    }
}
