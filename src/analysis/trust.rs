//! Trustworthiness of an embedding (Venna & Kaski 2001), as scikit-learn's
//! `sklearn.manifold.trustworthiness` computes it.

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::AnalysisError;
use super::knn::KnnIndex;
use crate::util::progress::Progress;

/// T(k) = 1 − 2/(n k (2n − 3k − 1)) Σᵢ Σ_{j ∈ Uₖ(i)} (r(i, j) − k), where Uₖ(i) are the k
/// nearest neighbours of i in the embedding that are not among its k nearest in the original
/// space and r(i, j) is j's rank among i's neighbours in the original space. Exact, O(n² log n):
/// use a subsample of a few thousand points.
pub fn trustworthiness(
    original: ArrayView2<f32>,
    embedded: ArrayView2<f32>,
    k: usize,
) -> Result<f64, AnalysisError> {
    trustworthiness_with(original, embedded, k, &Progress::new())
}

/// [`trustworthiness`], stopping soon after `progress` is cancelled (each point checks it:
/// the analysis's 5000-point subsample takes ~1.2 s on 2 cores, so it would otherwise hold a Cancel that long).
pub fn trustworthiness_with(
    original: ArrayView2<f32>,
    embedded: ArrayView2<f32>,
    k: usize,
    progress: &Progress,
) -> Result<f64, AnalysisError> {
    let n = original.nrows();
    if embedded.nrows() != n {
        return Err(AnalysisError::Invalid(format!(
            "trustworthiness: {n} original points but {} embedded",
            embedded.nrows()
        )));
    }
    if k == 0 || 2 * n < 3 * k + 2 {
        return Err(AnalysisError::TooFewPoints {
            what: "trustworthiness".into(),
            n,
            k,
        });
    }
    let emb_index = KnnIndex::build(embedded, "embedding")?;
    super::knn::check_points(original, "original points")?;
    let penalty: f64 = (0..n)
        .into_par_iter()
        .map(|i| {
            if progress.is_cancelled() {
                return 0.0;
            }
            let xi = original.row(i);
            let mut order: Vec<(f32, u32)> = (0..n)
                .filter(|&j| j != i)
                .map(|j| {
                    let d: f32 = xi
                        .iter()
                        .zip(original.row(j).iter())
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum();
                    (d, j as u32)
                })
                .collect();
            order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut rank = vec![0usize; n];
            for (r, &(_, j)) in order.iter().enumerate() {
                rank[j as usize] = r + 1;
            }
            let q = embedded.row(i).to_vec();
            emb_index
                .nearest(&q, k + 1)
                .into_iter()
                .filter(|(j, _)| *j as usize != i)
                .take(k)
                .map(|(j, _)| rank[j as usize].saturating_sub(k) as f64)
                .sum::<f64>()
        })
        .sum();
    progress.check()?;
    let (nf, kf) = (n as f64, k as f64);
    Ok(1.0 - penalty * 2.0 / (nf * kf * (2.0 * nf - 3.0 * kf - 1.0)))
}

/// Indices of a seeded random subsample of `m` of `n` points (all of them if m ≥ n).
pub fn subsample(n: usize, m: usize, seed: u64) -> Vec<usize> {
    use rand::SeedableRng;
    use rand::seq::index::sample;
    if m >= n {
        return (0..n).collect();
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut v = sample(&mut rng, n, m).into_vec();
    v.sort_unstable();
    v
}
