//! What an analysis reads: spectra in memory, or a survey store streamed a block at a time
//! with only its catalogue in memory (a million spectra: ~0.1 GB of columns and latents
//! instead of 8 GB of x and w).

use ndarray::{Array2, ArrayView1, ArrayView2, s};

use super::AnalysisError;
use crate::data::Spectra;
use crate::data::catalogue::Catalogue;
use crate::data::classes::GalaxyClass;
use crate::data::grid::LogGrid;
use crate::data::store::StoreRows;
use crate::data::survey::{Metadata, Truth};
use crate::model::pca_baseline::{BaselineError, PcaBaseline};
use crate::util::progress::Progress;

/// Rows per block visited in memory (a store's blocks are its chunks).
const MEMORY_BLOCK: usize = 4096;
/// Rows of one block read one by one rather than as the whole block.
const FEW_ROWS: usize = 64;
/// Training spectra the PCA baseline of a streamed store is fitted on (an evenly spaced
/// sample above this, 262 MB; in memory, all of them — 51,200 for the built-in survey).
const PCA_FIT_MAX: usize = 65_536;

/// What [`SpectraRows::visit`] calls with each block: its first row, x and w.
pub type BlockVisitor<'f> =
    dyn FnMut(usize, ArrayView2<f32>, ArrayView2<f32>) -> Result<(), AnalysisError> + 'f;

#[derive(Clone, Copy)]
pub enum SpectraRows<'a> {
    Memory(&'a Spectra),
    Stream {
        rows: &'a StoreRows,
        catalogue: &'a Catalogue,
    },
}

impl<'a> From<&'a Spectra> for SpectraRows<'a> {
    fn from(s: &'a Spectra) -> Self {
        SpectraRows::Memory(s)
    }
}

impl<'a> SpectraRows<'a> {
    pub fn n_spectra(&self) -> usize {
        match self {
            SpectraRows::Memory(s) => s.n_spectra(),
            SpectraRows::Stream { rows, .. } => rows.n_rows(),
        }
    }

    pub fn n_bins(&self) -> usize {
        match self {
            SpectraRows::Memory(s) => s.n_bins(),
            SpectraRows::Stream { rows, .. } => rows.n_bins(),
        }
    }

    pub fn grid(&self) -> LogGrid {
        match self {
            SpectraRows::Memory(s) => s.grid(),
            SpectraRows::Stream { rows, .. } => rows.grid(),
        }
    }

    pub fn classes(&self) -> &'a [GalaxyClass] {
        match self {
            SpectraRows::Memory(s) => &s.classes,
            SpectraRows::Stream { catalogue, .. } => &catalogue.classes,
        }
    }

    pub fn meta(&self) -> &'a Metadata {
        match self {
            SpectraRows::Memory(s) => &s.meta,
            SpectraRows::Stream { catalogue, .. } => &catalogue.meta,
        }
    }

    pub fn truth(&self) -> Option<&'a Truth> {
        match self {
            SpectraRows::Memory(s) => s.truth.as_ref(),
            SpectraRows::Stream { catalogue, .. } => catalogue.truth.as_ref(),
        }
    }

    /// Visits every spectrum in order, a block at a time: `f(first row, x, w)`.
    pub fn visit(&self, f: &mut BlockVisitor<'_>) -> Result<(), AnalysisError> {
        match self {
            SpectraRows::Memory(sp) => {
                let n = sp.n_spectra();
                for lo in (0..n).step_by(MEMORY_BLOCK) {
                    let hi = (lo + MEMORY_BLOCK).min(n);
                    f(lo, sp.x.slice(s![lo..hi, ..]), sp.w.slice(s![lo..hi, ..]))?;
                }
                Ok(())
            }
            // The next block is read on another thread while `f` works on this one (a
            // million spectra: the encoding pass left a core idle ~30% of the time waiting
            // for reads).
            SpectraRows::Stream { rows, .. } => std::thread::scope(|sc| {
                let (tx, rx) = std::sync::mpsc::sync_channel(1);
                sc.spawn(move || {
                    for b in 0..rows.n_blocks() {
                        let blk = rows.block(b);
                        let failed = blk.is_err();
                        // The receiver gone (`f` failed or was cancelled): stop reading.
                        if tx.send(blk).is_err() || failed {
                            break;
                        }
                    }
                });
                for blk in rx {
                    let blk = blk?;
                    f(blk.start, blk.x.view(), blk.w.view())?;
                }
                Ok(())
            }),
        }
    }

    /// The x rows `idx` (ascending) in that order; a store reads only the blocks holding them.
    pub fn gather(&self, idx: &[u32]) -> Result<Array2<f32>, AnalysisError> {
        Ok(self.gather_rows(idx, false)?.0)
    }

    /// The x and w rows `idx` (ascending), as [`Self::gather`].
    pub fn gather_xw(&self, idx: &[u32]) -> Result<(Array2<f32>, Array2<f32>), AnalysisError> {
        self.gather_rows(idx, true)
    }

    /// x rows, and w rows when `with_w` (else an empty w).
    fn gather_rows(
        &self,
        idx: &[u32],
        with_w: bool,
    ) -> Result<(Array2<f32>, Array2<f32>), AnalysisError> {
        let d = self.n_bins();
        let mut out = Array2::<f32>::zeros((idx.len(), d));
        let mut wout = Array2::<f32>::zeros((if with_w { idx.len() } else { 0 }, d));
        let mut put = |o: usize, x: ArrayView1<f32>, w: ArrayView1<f32>| {
            out.row_mut(o).assign(&x);
            if with_w {
                wout.row_mut(o).assign(&w);
            }
        };
        match self {
            SpectraRows::Memory(sp) => {
                for (o, &i) in idx.iter().enumerate() {
                    put(o, sp.x.row(i as usize), sp.w.row(i as usize));
                }
            }
            SpectraRows::Stream { rows, .. } => {
                let br = rows.block_rows();
                let mut at = 0;
                while at < idx.len() {
                    let b = idx[at] as usize / br;
                    let end = at + idx[at..].partition_point(|&i| i as usize / br == b);
                    if end - at <= FEW_ROWS {
                        // A few rows of this block (a selection, an inspected galaxy): each
                        // read on its own, ~10 kB instead of the block's 37 MB.
                        for (o, &i) in idx[at..end].iter().enumerate() {
                            let one = rows.rows_of(i as usize..i as usize + 1)?;
                            put(at + o, one.x.row(0), one.w.row(0));
                        }
                    } else {
                        let blk = rows.block(b)?;
                        for (o, &i) in idx[at..end].iter().enumerate() {
                            let r = i as usize - blk.start;
                            put(at + o, blk.x.row(r), blk.w.row(r));
                        }
                    }
                    at = end;
                }
            }
        }
        Ok((out, wout))
    }

    /// The PCA baseline with `k` components fitted on the training rows `train` (a streamed
    /// store: on an evenly spaced sample of at most [`PCA_FIT_MAX`] of them, read here).
    pub fn fit_baseline(
        &self,
        train: &[u32],
        k: usize,
        progress: &Progress,
    ) -> Result<PcaBaseline, AnalysisError> {
        let pick = self.baseline_sample(train);
        let sample = match self {
            SpectraRows::Memory(_) => None,
            SpectraRows::Stream { .. } => Some(self.gather(&pick)?),
        };
        self.fit_baseline_on(train, sample.as_ref().map(|s| s.view()), k, progress)
    }

    /// The rows a streamed store's PCA baseline is fitted on (ascending; none in memory,
    /// where every training row is used): a pass over the store can collect them on its way
    /// instead of reading the store once more.
    pub fn baseline_sample(&self, train: &[u32]) -> Vec<u32> {
        match self {
            SpectraRows::Memory(_) => vec![],
            SpectraRows::Stream { .. } => {
                let mut sorted = train.to_vec();
                sorted.sort_unstable();
                let step = sorted.len().div_ceil(PCA_FIT_MAX).max(1);
                sorted.into_iter().step_by(step).collect()
            }
        }
    }

    /// [`Self::fit_baseline`] on the x rows of [`Self::baseline_sample`] already read
    /// (`sample`; `None` in memory).
    pub fn fit_baseline_on(
        &self,
        train: &[u32],
        sample: Option<ArrayView2<f32>>,
        k: usize,
        progress: &Progress,
    ) -> Result<PcaBaseline, AnalysisError> {
        let fitted = match (self, sample) {
            (SpectraRows::Memory(sp), _) => PcaBaseline::fit_with(sp.x.view(), train, k, progress),
            (SpectraRows::Stream { .. }, Some(xs)) => {
                let all: Vec<u32> = (0..xs.nrows() as u32).collect();
                PcaBaseline::fit_with(xs, &all, k, progress)
            }
            (SpectraRows::Stream { .. }, None) => {
                return Err(AnalysisError::Invalid(
                    "PCA baseline: the training sample of the store was not read".into(),
                ));
            }
        };
        match fitted {
            Ok(p) => Ok(p),
            Err(BaselineError::Cancelled) => Err(AnalysisError::Cancelled),
            Err(e) => Err(AnalysisError::Invalid(format!("PCA baseline: {e}"))),
        }
    }
}
