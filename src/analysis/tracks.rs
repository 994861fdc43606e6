//! Latent tracks (Portillo et al. 2020, Figures 6–7): latent vectors along a straight line
//! between two galaxies, and along percentiles of one latent axis with the others held at their
//! medians. Decoding them is the model's job (`model::evaluate::decode_rows`).

use ndarray::{Array2, ArrayView2};

use super::AnalysisError;
use crate::util::stats::quantile_sorted;

/// `steps` latent vectors from `a` to `b` inclusive (steps ≥ 2).
pub fn line_between(a: &[f32], b: &[f32], steps: usize) -> Result<Array2<f32>, AnalysisError> {
    if a.len() != b.len() || a.is_empty() {
        return Err(AnalysisError::Invalid(format!(
            "latent track: endpoints have {} and {} dimensions",
            a.len(),
            b.len()
        )));
    }
    if steps < 2 {
        return Err(AnalysisError::Invalid(
            "latent track: need at least 2 steps".into(),
        ));
    }
    if a.iter().chain(b).any(|v| !v.is_finite()) {
        return Err(AnalysisError::Invalid(
            "latent track: endpoints are not finite".into(),
        ));
    }
    Ok(Array2::from_shape_fn((steps, a.len()), |(s, j)| {
        let t = s as f32 / (steps - 1) as f32;
        a[j] + t * (b[j] - a[j])
    }))
}

/// Latent vectors with axis `axis` at each of `percentiles` (0–100) of its distribution in
/// `latents` and every other axis at its median.
pub fn percentile_track(
    latents: ArrayView2<f32>,
    axis: usize,
    percentiles: &[f64],
) -> Result<Array2<f32>, AnalysisError> {
    let d = latents.ncols();
    if axis >= d {
        return Err(AnalysisError::Invalid(format!(
            "latent track: axis {axis} but the latents have {d} dimensions"
        )));
    }
    super::knn::check_points(latents, "latents")?;
    let sorted: Vec<Vec<f32>> = (0..d)
        .map(|j| {
            let mut c = latents.column(j).to_vec();
            c.sort_by(|a, b| a.total_cmp(b));
            c
        })
        .collect();
    let medians: Vec<f32> = sorted.iter().map(|c| quantile_sorted(c, 0.5)).collect();
    Ok(Array2::from_shape_fn((percentiles.len(), d), |(s, j)| {
        if j == axis {
            quantile_sorted(&sorted[j], percentiles[s] / 100.0)
        } else {
            medians[j]
        }
    }))
}
