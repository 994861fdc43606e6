//! Outlier scores: the Local Outlier Factor of the latents and the reconstruction χ², in one
//! ranked table.

use ndarray::{ArrayView1, AsArray};
use serde::Serialize;

use crate::model::loss::weighted_loss_row;

/// Reduced reconstruction χ² of one spectrum: Σ w (x − x̂)² (the training loss of that row)
/// divided by the number of pixels with w > 0 (0 when none).
pub fn reduced_chi2<'a>(
    x: impl AsArray<'a, f32>,
    xhat: impl AsArray<'a, f32>,
    w: impl AsArray<'a, f32>,
) -> f64 {
    let w: ArrayView1<f32> = w.into();
    let n = w.iter().filter(|&&wi| wi > 0.0).count();
    if n == 0 {
        return 0.0;
    }
    weighted_loss_row(x, xhat, w) / n as f64
}

/// One row of the outlier table.
#[derive(Clone, Debug, Serialize)]
pub struct OutlierRow {
    pub index: usize,
    pub lof: f64,
    pub chi2: f64,
    /// Fraction of spectra with a lower LOF (0 … 1).
    pub lof_percentile: f64,
    /// Fraction of spectra with a lower χ².
    pub chi2_percentile: f64,
    /// max(lof_percentile, chi2_percentile): outlying by either measure.
    pub score: f64,
}

/// Percentile rank (0 for the smallest, → 1 for the largest) of each value.
pub fn percentile_ranks(v: &[f64]) -> Vec<f64> {
    let n = v.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; n];
    for (r, &i) in order.iter().enumerate() {
        out[i] = r as f64 / n.max(1) as f64;
    }
    out
}

/// Each spectrum's combined outlier percentile: max(LOF percentile, χ² percentile), the
/// `score` of [`outlier_table`] (and the learned triage ranking's prior).
pub fn combined_percentile(lof: &[f64], chi2: &[f64]) -> Vec<f64> {
    let (pl, pc) = (percentile_ranks(lof), percentile_ranks(chi2));
    pl.iter().zip(&pc).map(|(a, b)| a.max(*b)).collect()
}

/// The table of all spectra, most outlying first (by `score`, then χ²).
pub fn outlier_table(lof: &[f64], chi2: &[f64]) -> Vec<OutlierRow> {
    let (pl, pc) = (percentile_ranks(lof), percentile_ranks(chi2));
    let mut rows: Vec<OutlierRow> = (0..lof.len().min(chi2.len()))
        .map(|i| OutlierRow {
            index: i,
            lof: lof[i],
            chi2: chi2[i],
            lof_percentile: pl[i],
            chi2_percentile: pc[i],
            score: pl[i].max(pc[i]),
        })
        .collect();
    rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.chi2.total_cmp(&a.chi2)));
    rows
}

/// Fraction of the `frac` highest-scoring points that are flagged (precision at the top).
pub fn precision_at_top(scores: &[f64], flagged: &[bool], frac: f64) -> f64 {
    let n = scores.len().min(flagged.len());
    let m = ((n as f64 * frac).round() as usize).clamp(1, n.max(1));
    if n == 0 {
        return 0.0;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    order[..m].iter().filter(|&&i| flagged[i]).count() as f64 / m as f64
}
