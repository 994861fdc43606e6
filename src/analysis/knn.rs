//! Exact k-nearest neighbours in latent space with a k-d tree (kiddo).
//!
//! kiddo's trees take the dimension as a const generic; [`KnnIndex`] picks the instantiation
//! at run time for 1 to [`MAX_DIM`] dimensions.

use std::num::NonZeroUsize;

use kiddo::{ImmutableKdTree, SquaredEuclidean};
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use super::AnalysisError;
use crate::util::progress::Progress;

/// The largest latent dimension the k-d tree is built for.
pub const MAX_DIM: usize = 12;

trait Nearest: Send + Sync {
    /// The `k` nearest points to `q`: (index, Euclidean distance), nearest first.
    fn nearest(&self, q: &[f32], k: NonZeroUsize) -> Vec<(u32, f32)>;
}

struct Tree<const K: usize>(ImmutableKdTree<f32, K>);

impl<const K: usize> Nearest for Tree<K> {
    fn nearest(&self, q: &[f32], k: NonZeroUsize) -> Vec<(u32, f32)> {
        let mut p = [0f32; K];
        for (a, b) in p.iter_mut().zip(q) {
            *a = *b;
        }
        self.0
            .query(&p)
            .nearest_n::<SquaredEuclidean<f32>>(k)
            .execute()
            .into_iter()
            .map(|r| (r.item, r.distance.max(0.0).sqrt()))
            .collect()
    }
}

fn tree<const K: usize>(points: ArrayView2<f32>) -> Result<Box<dyn Nearest>, AnalysisError> {
    let pts: Vec<[f32; K]> = points
        .rows()
        .into_iter()
        .map(|r| {
            let mut p = [0f32; K];
            for (a, b) in p.iter_mut().zip(r.iter()) {
                *a = *b;
            }
            p
        })
        .collect();
    let t = ImmutableKdTree::new_from_slice(&pts)
        .map_err(|e| AnalysisError::Invalid(format!("cannot build the k-d tree: {e:?}")))?;
    Ok(Box::new(Tree(t)))
}

/// Checks that every value is finite and that there is at least one point.
pub fn check_points(points: ArrayView2<f32>, what: &str) -> Result<(), AnalysisError> {
    if points.nrows() == 0 || points.ncols() == 0 {
        return Err(AnalysisError::Empty { what: what.into() });
    }
    for ((row, col), &value) in points.indexed_iter() {
        if !value.is_finite() {
            return Err(AnalysisError::NonFinite {
                what: what.into(),
                row,
                col,
                value,
            });
        }
    }
    Ok(())
}

/// A k-d tree over a fixed set of points.
pub struct KnnIndex {
    tree: Box<dyn Nearest>,
    n: usize,
    dim: usize,
}

/// Neighbours of every point: `indices[i, j]` is the j-th nearest of point i, `dists` the
/// Euclidean distances (nearest first).
#[derive(Clone, Debug)]
pub struct KnnGraph {
    pub indices: Array2<u32>,
    pub dists: Array2<f32>,
    /// Points with another point at distance 0 among their neighbours (exact duplicates, e.g.
    /// the same spectrum twice). They are valid neighbours, as in scikit-learn and umap-learn.
    pub duplicates: usize,
}

impl KnnGraph {
    /// The graph of the first `k` neighbours of a graph built without the points themselves
    /// (`k` ≤ its columns), with `include_self` as [`KnnIndex::graph`] gives it: one query of
    /// the most neighbours any step needs serves them all (a million latents: ~12 s a graph
    /// on 2 cores). Returns `None` when the graph has fewer columns than that needs.
    pub fn first(&self, k: usize, include_self: bool) -> Option<KnnGraph> {
        let n = self.indices.nrows();
        let others = if include_self { k.checked_sub(1)? } else { k };
        if k == 0 || others > self.indices.ncols() {
            return None;
        }
        let off = usize::from(include_self);
        let mut indices = Array2::<u32>::zeros((n, k));
        let mut dists = Array2::<f32>::zeros((n, k));
        for i in 0..n {
            if include_self {
                indices[[i, 0]] = i as u32;
            }
            for c in 0..others {
                indices[[i, c + off]] = self.indices[[i, c]];
                dists[[i, c + off]] = self.dists[[i, c]];
            }
        }
        Some(KnnGraph {
            indices,
            dists,
            duplicates: self.duplicates,
        })
    }
}

impl KnnIndex {
    /// Builds the index; `what` names the points in errors.
    pub fn build(points: ArrayView2<f32>, what: &str) -> Result<Self, AnalysisError> {
        check_points(points, what)?;
        let dim = points.ncols();
        let tree = match dim {
            1 => tree::<1>(points),
            2 => tree::<2>(points),
            3 => tree::<3>(points),
            4 => tree::<4>(points),
            5 => tree::<5>(points),
            6 => tree::<6>(points),
            7 => tree::<7>(points),
            8 => tree::<8>(points),
            9 => tree::<9>(points),
            10 => tree::<10>(points),
            11 => tree::<11>(points),
            12 => tree::<12>(points),
            d => Err(AnalysisError::Dimension {
                what: what.into(),
                d,
                max: MAX_DIM,
            }),
        }?;
        Ok(Self {
            tree,
            n: points.nrows(),
            dim,
        })
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The `k` indexed points nearest to `q` (fewer if the index is smaller), nearest first.
    pub fn nearest(&self, q: &[f32], k: usize) -> Vec<(u32, f32)> {
        match NonZeroUsize::new(k.min(self.n)) {
            Some(k) if q.len() == self.dim => self.tree.nearest(q, k),
            _ => vec![],
        }
    }

    /// The `k` nearest *other* points of each indexed point (rows of `points`, the same points
    /// the index was built from). With `include_self`, column 0 is the point itself at distance
    /// 0 followed by its `k − 1` nearest others (umap-learn's convention). Exact duplicates are
    /// neighbours at distance 0 (counted in [`KnnGraph::duplicates`]). Fails when there are not
    /// more points than neighbours.
    pub fn graph(
        &self,
        points: ArrayView2<f32>,
        k: usize,
        include_self: bool,
        what: &str,
    ) -> Result<KnnGraph, AnalysisError> {
        self.graph_with(points, k, include_self, what, &Progress::new())
    }

    /// [`Self::graph`], stopping soon after `progress` is cancelled (each point's query checks
    /// it first: at 64k points the whole graph takes ~0.7 s on 2 cores, a cancel ~0 ms).
    pub fn graph_with(
        &self,
        points: ArrayView2<f32>,
        k: usize,
        include_self: bool,
        what: &str,
        progress: &Progress,
    ) -> Result<KnnGraph, AnalysisError> {
        let others = if include_self { k.saturating_sub(1) } else { k };
        if k == 0 || points.nrows() != self.n || self.n <= others {
            return Err(AnalysisError::TooFewPoints {
                what: what.into(),
                n: points.nrows(),
                k: others,
            });
        }
        let rows: Vec<(Vec<(u32, f32)>, bool)> = (0..self.n)
            .into_par_iter()
            .map(|i| {
                if progress.is_cancelled() {
                    return (vec![], false);
                }
                let q = points.row(i).to_vec();
                let mut found = self.nearest(&q, others + 1);
                // With more copies of a point than neighbours asked for, the point itself may
                // not be among the results; it is never its own neighbour either way.
                found.retain(|(j, _)| *j as usize != i);
                found.truncate(others);
                let twin = found.iter().any(|(_, d)| *d == 0.0);
                if include_self {
                    found.insert(0, (i as u32, 0.0));
                }
                (found, twin)
            })
            .collect();
        progress.check()?;
        let mut indices = Array2::<u32>::zeros((self.n, k));
        let mut dists = Array2::<f32>::zeros((self.n, k));
        let mut duplicates = 0;
        for (i, (r, twin)) in rows.into_iter().enumerate() {
            duplicates += usize::from(twin);
            for (c, (j, d)) in r.into_iter().enumerate() {
                indices[[i, c]] = j;
                dists[[i, c]] = d;
            }
        }
        Ok(KnnGraph {
            indices,
            dists,
            duplicates,
        })
    }
}
