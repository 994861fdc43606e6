//! Local Outlier Factor (Breunig et al. 2000), as scikit-learn's `LocalOutlierFactor`
//! computes it (its `negative_outlier_factor_` is −LOF).

use ndarray::ArrayView2;

use super::AnalysisError;
use super::knn::{KnnGraph, KnnIndex};
use crate::util::progress::Progress;

/// LOF with `k` neighbours for every point (≈ 1 inside clusters, ≫ 1 for outliers).
pub fn local_outlier_factor(points: ArrayView2<f32>, k: usize) -> Result<Vec<f64>, AnalysisError> {
    local_outlier_factor_with(points, k, &Progress::new())
}

/// [`local_outlier_factor`], stopping soon after `progress` is cancelled.
pub fn local_outlier_factor_with(
    points: ArrayView2<f32>,
    k: usize,
    progress: &Progress,
) -> Result<Vec<f64>, AnalysisError> {
    let what = "LOF input";
    let index = KnnIndex::build(points, what)?;
    progress.check()?;
    let g = index.graph_with(points, k, false, what, progress)?;
    Ok(lof_of_graph(&g, k))
}

/// LOF with the first `k` neighbours of `g`, a graph of every point's nearest *other* points
/// ([`KnnIndex::graph`] without the points themselves) with at least `k` columns.
pub fn lof_of_graph(g: &KnnGraph, k: usize) -> Vec<f64> {
    let n = g.indices.nrows();
    // k-distance of each point: distance to its k-th nearest neighbour.
    let kdist: Vec<f64> = (0..n).map(|i| g.dists[[i, k - 1]] as f64).collect();
    // Local reachability density.
    let lrd: Vec<f64> = (0..n)
        .map(|i| {
            let mean_reach = (0..k)
                .map(|c| {
                    let j = g.indices[[i, c]] as usize;
                    kdist[j].max(g.dists[[i, c]] as f64)
                })
                .sum::<f64>()
                / k as f64;
            1.0 / (mean_reach + 1e-10)
        })
        .collect();
    (0..n)
        .map(|i| {
            let m = (0..k).map(|c| lrd[g.indices[[i, c]] as usize]).sum::<f64>() / k as f64;
            m / lrd[i]
        })
        .collect()
}
