//! Class separation: k-nearest-neighbour classification accuracy with k-fold cross-validation.

use ndarray::{ArrayView2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::Serialize;

use super::AnalysisError;
use super::knn::KnnIndex;
use crate::util::progress::Progress;

/// Accuracy overall and per label.
#[derive(Clone, Debug, Serialize)]
pub struct Accuracy {
    pub overall: f64,
    /// (label, number of points, fraction classified correctly), labels ascending.
    pub per_label: Vec<(usize, usize, f64)>,
}

/// Predicts each point's label from its `k` nearest neighbours (majority vote, ties to the
/// label with the smaller summed distance) in `folds`-fold cross-validation with a seeded
/// shuffle, as scikit-learn's `cross_val_predict(KNeighborsClassifier(k), …, KFold(shuffle))`.
pub fn knn_cross_validate(
    points: ArrayView2<f32>,
    labels: &[usize],
    k: usize,
    folds: usize,
    seed: u64,
) -> Result<Accuracy, AnalysisError> {
    knn_cross_validate_with(points, labels, k, folds, seed, &Progress::new())
}

/// [`knn_cross_validate`], stopping soon after `progress` is cancelled (checked per fold and
/// per query point).
pub fn knn_cross_validate_with(
    points: ArrayView2<f32>,
    labels: &[usize],
    k: usize,
    folds: usize,
    seed: u64,
    progress: &Progress,
) -> Result<Accuracy, AnalysisError> {
    let n = points.nrows();
    if labels.len() != n {
        return Err(AnalysisError::Invalid(format!(
            "kNN classifier: {n} points but {} labels",
            labels.len()
        )));
    }
    if folds < 2 || n < folds * (k + 1) {
        return Err(AnalysisError::TooFewPoints {
            what: format!("{folds}-fold kNN classifier"),
            n,
            k: folds * (k + 1) - 1,
        });
    }
    super::knn::check_points(points, "kNN classifier input")?;
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
    let n_labels = labels.iter().max().map_or(0, |m| m + 1);
    let mut predicted = vec![usize::MAX; n];
    for f in 0..folds {
        let (lo, hi) = (f * n / folds, (f + 1) * n / folds);
        let test = &order[lo..hi];
        let train: Vec<usize> = order[..lo].iter().chain(&order[hi..]).copied().collect();
        let train_pts = points.select(Axis(0), &train);
        progress.check()?;
        let index = KnnIndex::build(train_pts.view(), "kNN classifier input")?;
        let preds: Vec<(usize, usize)> = test
            .par_iter()
            .map(|&i| {
                if progress.is_cancelled() {
                    return (i, 0);
                }
                let q = points.row(i).to_vec();
                let mut votes = vec![(0usize, 0f64); n_labels];
                for (j, d) in index.nearest(&q, k) {
                    let l = labels[train[j as usize]];
                    votes[l].0 += 1;
                    votes[l].1 += d as f64;
                }
                let best = (0..n_labels)
                    .max_by(|&a, &b| {
                        votes[a]
                            .0
                            .cmp(&votes[b].0)
                            .then(votes[b].1.total_cmp(&votes[a].1))
                    })
                    .unwrap_or(0);
                (i, best)
            })
            .collect();
        progress.check()?;
        for (i, p) in preds {
            predicted[i] = p;
        }
    }
    let mut per = vec![(0usize, 0usize); n_labels];
    for (i, &l) in labels.iter().enumerate() {
        per[l].0 += 1;
        per[l].1 += usize::from(predicted[i] == l);
    }
    let correct: usize = per.iter().map(|p| p.1).sum();
    Ok(Accuracy {
        overall: correct as f64 / n as f64,
        per_label: per
            .iter()
            .enumerate()
            .filter(|(_, p)| p.0 > 0)
            .map(|(l, p)| (l, p.0, p.1 as f64 / p.0 as f64))
            .collect(),
    })
}
