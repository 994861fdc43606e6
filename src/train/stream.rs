//! Where a run's rows come from: the survey in memory, or streamed from a survey store by a
//! reader thread, so a run's memory does not grow with the survey.
//!
//! A streamed epoch visits the store's blocks (chunk rows of 4,194 spectra) in a seeded random
//! order, [`WINDOW_BLOCKS`] at a time, and the training rows of a window in a seeded random
//! order among themselves: every training row once per epoch, as in memory, shuffled within
//! ~8,400 spectra instead of the whole survey. The reader reads, preprocesses and batches
//! ahead of the trainer (up to [`PREFETCH_BATCHES`]); dropping the batches stops it.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::data::DataError;
use crate::data::store::{Block, StoreRows};

/// Blocks whose training rows are shuffled together (2 × 4,194 spectra, ~70 MB of x and w).
pub const WINDOW_BLOCKS: usize = 2;
/// Batches the reader may be ahead of the trainer.
pub const PREFETCH_BATCHES: usize = 64;

/// An n × d array shared without copies.
pub type SharedRows = Arc<Array2<f32>>;

/// The rows a run trains on.
#[derive(Clone)]
pub enum Rows {
    /// Preprocessed x and w (n × d), shared without copies with the GUI.
    Memory {
        x: Arc<Array2<f32>>,
        w: Arc<Array2<f32>>,
    },
    /// Read block by block from a survey store.
    Stream(Arc<StoreRows>),
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rows::Memory { x, .. } => write!(f, "Rows::Memory({:?})", x.dim()),
            Rows::Stream(s) => write!(f, "Rows::Stream({})", s.path().display()),
        }
    }
}

impl Rows {
    pub fn memory(x: Arc<Array2<f32>>, w: Arc<Array2<f32>>) -> Self {
        Rows::Memory { x, w }
    }

    pub fn n_rows(&self) -> usize {
        match self {
            Rows::Memory { x, .. } => x.nrows(),
            Rows::Stream(s) => s.n_rows(),
        }
    }

    pub fn n_bins(&self) -> usize {
        match self {
            Rows::Memory { x, .. } => x.ncols(),
            Rows::Stream(s) => s.n_bins(),
        }
    }

    /// The in-memory arrays, if the rows are in memory.
    pub fn in_memory(&self) -> Option<(&SharedRows, &SharedRows)> {
        match self {
            Rows::Memory { x, w } => Some((x, w)),
            Rows::Stream(_) => None,
        }
    }

    /// Whether the rows are streamed from a store.
    pub fn streamed(&self) -> bool {
        matches!(self, Rows::Stream(_))
    }

    /// Up to `count` of `rows` that are cheap to read: the first ones (memory), or those in the
    /// store's first blocks (a speed measurement's rows, not a whole pass over the store).
    pub fn sample(&self, rows: &[u32], count: usize) -> Vec<u32> {
        match self {
            Rows::Memory { .. } => rows.iter().take(count).copied().collect(),
            Rows::Stream(_) => {
                let mut v: Vec<u32> = rows.to_vec();
                v.sort_unstable();
                v.truncate(count);
                v
            }
        }
    }

    /// `rows` (indices into the survey) in batches of `batch`, in the given order: from memory
    /// directly; from a store in block order (rows grouped by block, each block read once).
    pub fn batches_in_order(&self, rows: &[u32], batch: usize) -> Batches {
        match self {
            Rows::Memory { x, w } => Batches::memory(x, w, rows.to_vec(), batch),
            Rows::Stream(s) => Batches::stream(s, by_block(s, rows), batch),
        }
    }
}

/// The blocks a reader loads together and the rows it takes from them, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    pub blocks: Vec<usize>,
    pub rows: Vec<u32>,
}

/// `rows` grouped by their block, blocks ascending, rows ascending within a block.
fn by_block(s: &StoreRows, rows: &[u32]) -> Vec<Window> {
    let br = s.block_rows();
    let mut per: Vec<Vec<u32>> = vec![vec![]; s.n_blocks()];
    for &r in rows {
        if let Some(v) = per.get_mut(r as usize / br) {
            v.push(r);
        }
    }
    per.into_iter()
        .enumerate()
        .filter(|(_, v)| !v.is_empty())
        .map(|(b, mut v)| {
            v.sort_unstable();
            Window {
                blocks: vec![b],
                rows: v,
            }
        })
        .collect()
}

/// Epoch `epoch`'s streamed order of the training rows `train` (see the module's
/// documentation); without `shuffle`, block order and ascending rows.
pub fn stream_order(
    s: &StoreRows,
    train: &[u32],
    seed: u64,
    epoch: usize,
    shuffle: bool,
) -> Vec<Window> {
    let per_block = by_block(s, train);
    if !shuffle {
        return per_block;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(epoch as u64);
    let mut blocks = per_block;
    blocks.shuffle(&mut rng);
    blocks
        .chunks(WINDOW_BLOCKS)
        .map(|group| {
            let mut rows: Vec<u32> = group.iter().flat_map(|w| w.rows.clone()).collect();
            rows.shuffle(&mut rng);
            Window {
                blocks: group.iter().flat_map(|w| w.blocks.clone()).collect(),
                rows,
            }
        })
        .collect()
}

/// One batch: rows `idx` of `x` and `w` (the whole survey in memory, or the batch's own rows).
pub struct Batch {
    pub x: Arc<Array2<f32>>,
    pub w: Arc<Array2<f32>>,
    pub idx: Vec<u32>,
}

impl Batch {
    pub fn views(&self) -> (ArrayView2<'_, f32>, ArrayView2<'_, f32>) {
        (self.x.view(), self.w.view())
    }
}

/// An epoch's (or a validation pass's) batches, in order.
pub enum Batches {
    Memory {
        x: Arc<Array2<f32>>,
        w: Arc<Array2<f32>>,
        order: Vec<u32>,
        at: usize,
        batch: usize,
    },
    Stream {
        rx: Option<Receiver<Result<Batch, DataError>>>,
        reader: Option<JoinHandle<()>>,
        rows: usize,
    },
}

impl Batches {
    fn memory(x: &Arc<Array2<f32>>, w: &Arc<Array2<f32>>, order: Vec<u32>, batch: usize) -> Self {
        Batches::Memory {
            x: x.clone(),
            w: w.clone(),
            order,
            at: 0,
            batch: batch.max(1),
        }
    }

    /// Starts a reader thread that loads `windows` in order and sends their rows in batches
    /// of `batch` (a batch may span two windows; the last may be short).
    pub fn stream(s: &Arc<StoreRows>, windows: Vec<Window>, batch: usize) -> Self {
        let rows = windows.iter().map(|w| w.rows.len()).sum();
        let batch = batch.max(1);
        let (tx, rx) = sync_channel(PREFETCH_BATCHES);
        let store = s.clone();
        let reader = std::thread::Builder::new()
            .name("specae-rows".into())
            .spawn(move || read_batches(&store, windows, batch, &tx));
        let (rx, reader) = match reader {
            Ok(h) => (rx, Some(h)),
            Err(source) => {
                // The batches then end at once with the reason.
                let (tx, rx) = sync_channel(1);
                let _ = tx.send(Err(DataError::Io {
                    path: s.path().to_path_buf(),
                    source,
                }));
                (rx, None)
            }
        };
        Batches::Stream {
            rx: Some(rx),
            reader,
            rows,
        }
    }

    /// The rows these batches hold in all.
    pub fn rows(&self) -> usize {
        match self {
            Batches::Memory { order, .. } => order.len(),
            Batches::Stream { rows, .. } => *rows,
        }
    }
}

impl Iterator for Batches {
    type Item = Result<Batch, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Batches::Memory {
                x,
                w,
                order,
                at,
                batch,
            } => {
                if *at >= order.len() {
                    return None;
                }
                let end = (*at + *batch).min(order.len());
                let idx = order[*at..end].to_vec();
                *at = end;
                Some(Ok(Batch {
                    x: x.clone(),
                    w: w.clone(),
                    idx,
                }))
            }
            Batches::Stream { rx, .. } => rx.as_ref()?.recv().ok(),
        }
    }
}

impl Drop for Batches {
    fn drop(&mut self) {
        if let Batches::Stream { rx, reader, .. } = self {
            // The reader's next send fails and it returns; wait for it (at most one block).
            drop(rx.take());
            if let Some(h) = reader.take() {
                let _ = h.join();
            }
        }
    }
}

/// The reader: loads each window's blocks, copies its rows into batches and sends them;
/// returns when done, at the first error (sent on), or when the receiver is gone.
fn read_batches(
    s: &StoreRows,
    windows: Vec<Window>,
    batch: usize,
    tx: &SyncSender<Result<Batch, DataError>>,
) {
    let d = s.n_bins();
    let br = s.block_rows();
    let mut left: usize = windows.iter().map(|w| w.rows.len()).sum();
    let mut cur: Option<(Array2<f32>, Array2<f32>)> = None;
    let mut filled = 0usize;
    let send = |x: Array2<f32>, w: Array2<f32>| {
        let idx = (0..x.nrows() as u32).collect();
        tx.send(Ok(Batch {
            x: Arc::new(x),
            w: Arc::new(w),
            idx,
        }))
        .is_ok()
    };
    // The blocks of the last window, read into again (no fresh pages for every block).
    let mut spare: Vec<Block> = vec![];
    for win in windows {
        let mut loaded: Vec<Block> = Vec::with_capacity(win.blocks.len());
        for &b in &win.blocks {
            let read = match spare.pop() {
                Some(mut blk) => s.block_into(b, &mut blk).map(|()| blk),
                None => s.block(b),
            };
            match read {
                Ok(blk) => loaded.push(blk),
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        for &r in &win.rows {
            let r = r as usize;
            let Some(blk) = loaded.iter().find(|b| b.start / br == r / br) else {
                continue;
            };
            let rows = batch.min(left).max(1);
            let (bx, bw) = cur.get_or_insert_with(|| {
                (
                    Array2::<f32>::zeros((rows, d)),
                    Array2::<f32>::zeros((rows, d)),
                )
            });
            bx.row_mut(filled).assign(&blk.x.row(r - blk.start));
            bw.row_mut(filled).assign(&blk.w.row(r - blk.start));
            filled += 1;
            if filled == bx.nrows() {
                left = left.saturating_sub(filled);
                filled = 0;
                if let Some((x, w)) = cur.take()
                    && !send(x, w)
                {
                    return;
                }
            }
        }
        spare = loaded;
    }
    // Rows a window named but no block held (none, for orders made here): a short last batch.
    if let Some((x, w)) = cur.take()
        && filled > 0
    {
        let keep = ndarray::s![..filled, ..];
        send(x.slice(keep).to_owned(), w.slice(keep).to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Split;
    use crate::util::progress::Progress;

    fn store(n: usize, chunk_rows: usize) -> (tempfile::TempDir, Arc<StoreRows>) {
        let s = crate::synth::small_survey(n, 1, 0.0, 4);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.zarr");
        crate::data::store::write_survey_rows(&s, &path, chunk_rows, &Progress::default())
            .expect("written");
        (dir, Arc::new(StoreRows::open(&path).expect("opened")))
    }

    /// Every epoch visits each training row once; windows hold ≤ WINDOW_BLOCKS blocks and only
    /// their own rows; epochs differ; without shuffling, ascending rows.
    #[test]
    fn a_streamed_epoch_visits_every_training_row_once_window_by_window() {
        let (_dir, s) = store(700, 50);
        let split = Split::seeded(700, 2, 0.8);
        let mut sorted = split.train.clone();
        sorted.sort_unstable();
        let mut orders = vec![];
        for epoch in 1..=2 {
            let windows = stream_order(&s, &split.train, 7, epoch, true);
            for w in &windows {
                assert!(w.blocks.len() <= WINDOW_BLOCKS);
                assert!(
                    w.rows
                        .iter()
                        .all(|&r| w.blocks.contains(&(r as usize / 50)))
                );
            }
            let order: Vec<u32> = windows.into_iter().flat_map(|w| w.rows).collect();
            let mut o = order.clone();
            o.sort_unstable();
            assert_eq!(
                o, sorted,
                "epoch {epoch} is not a permutation of the training rows"
            );
            orders.push(order);
        }
        assert_ne!(orders[0], orders[1]);
        let plain: Vec<u32> = stream_order(&s, &split.train, 7, 1, false)
            .into_iter()
            .flat_map(|w| w.rows)
            .collect();
        assert_eq!(plain, sorted);
    }

    /// The reader's batches hold the rows it was asked for, in order, bit for bit, in batches
    /// of the asked size spanning windows; dropping the batches early stops the reader.
    #[test]
    fn streamed_batches_hold_the_asked_rows_in_order() {
        let (_dir, s) = store(300, 40);
        let windows = stream_order(&s, &(0..300).step_by(3).collect::<Vec<u32>>(), 3, 1, true);
        let order: Vec<u32> = windows.iter().flat_map(|w| w.rows.clone()).collect();
        let blocks: Vec<Block> = (0..s.n_blocks())
            .map(|b| s.block(b).expect("block"))
            .collect();
        let mut at = 0;
        let batches = Batches::stream(&s, windows.clone(), 16);
        assert_eq!(batches.rows(), 100);
        for b in batches {
            let b = b.expect("batch");
            assert!(b.idx.len() == 16 || at + b.idx.len() == 100);
            for (k, &i) in b.idx.iter().enumerate() {
                let r = order[at + k] as usize;
                let blk = &blocks[r / 40];
                assert_eq!(b.x.row(i as usize), blk.x.row(r - blk.start));
                assert_eq!(b.w.row(i as usize), blk.w.row(r - blk.start));
            }
            at += b.idx.len();
        }
        assert_eq!(at, 100);
        let mut early = Batches::stream(&s, windows, 4);
        assert!(early.next().is_some());
        drop(early); // joins the reader: the test would hang if it did not stop
    }
}
