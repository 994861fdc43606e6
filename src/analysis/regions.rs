//! Where along the spectrum a reconstruction fails: per-spectrum residual statistics by
//! wavelength region, the features outlier triage learns from (`crate::triage`) besides the
//! latents, χ² and LOF.
//!
//! A sky residual, a spike, a dropout and a flux-calibration jump all raise the χ², but in
//! different places and shapes: these columns tell them apart where the χ² alone cannot.

use ndarray::{Array2, ArrayView1, ArrayView2};

/// Equal bands in pixels (the grid is log-spaced, so equal in velocity): 125 bins each on the
/// 1000-bin grid, 3388–3900, 3900–4490, … 7220–8310 Å.
pub const BANDS: usize = 8;

/// Column names, in order: the bands' reduced χ², the largest single-pixel deviation, the
/// blue-minus-red mean residual.
pub fn region_names() -> Vec<String> {
    let mut v: Vec<String> = (0..BANDS).map(|b| format!("band{b}_chi2")).collect();
    v.push("max_pixel_dev".into());
    v.push("blue_minus_red".into());
    v
}

/// Columns per spectrum (`region_names().len()`).
pub const N_REGION_STATS: usize = BANDS + 2;

/// The statistics of one spectrum against its reconstruction:
/// - per band: log10(1 + Σ w r² / pixels with w > 0) (0 for a band with no weight);
/// - log10(1 + max |r|·√w): one pixel far off (spikes, cosmic rays);
/// - mean r·√w over the blue half minus that over the red half (a flux-scale jump between
///   the cameras shows as a step in the residual's sign).
pub fn region_stats(
    x: ArrayView1<f32>,
    xhat: ArrayView1<f32>,
    w: ArrayView1<f32>,
) -> [f32; N_REGION_STATS] {
    let n = x.len().min(xhat.len()).min(w.len());
    let mut out = [0f32; N_REGION_STATS];
    if n == 0 {
        return out;
    }
    let mut max_dev = 0f64;
    let (mut blue, mut nb, mut red, mut nr) = (0f64, 0usize, 0f64, 0usize);
    for (b, band_stat) in out.iter_mut().enumerate().take(BANDS) {
        let (lo, hi) = (b * n / BANDS, (b + 1) * n / BANDS);
        let (mut s, mut m) = (0f64, 0usize);
        for k in lo..hi {
            let wk = f64::from(w[k]);
            if wk <= 0.0 || !wk.is_finite() {
                continue;
            }
            let r = f64::from(x[k]) - f64::from(xhat[k]);
            let z = r * wk.sqrt();
            if !z.is_finite() {
                continue;
            }
            s += z * z;
            m += 1;
            max_dev = max_dev.max(z.abs());
            if k < n / 2 {
                blue += z;
                nb += 1;
            } else {
                red += z;
                nr += 1;
            }
        }
        if m > 0 {
            *band_stat = (1.0 + s / m as f64).log10() as f32;
        }
    }
    out[BANDS] = (1.0 + max_dev).log10() as f32;
    let mean = |s: f64, m: usize| if m > 0 { s / m as f64 } else { 0.0 };
    out[BANDS + 1] = (mean(blue, nb) - mean(red, nr)) as f32;
    out
}

/// [`region_stats`] of each row.
pub fn region_stats_rows(
    x: ArrayView2<f32>,
    xhat: ArrayView2<f32>,
    w: ArrayView2<f32>,
) -> Array2<f32> {
    use rayon::prelude::*;
    let rows: Vec<[f32; N_REGION_STATS]> = (0..x.nrows())
        .into_par_iter()
        .map(|i| region_stats(x.row(i), xhat.row(i), w.row(i)))
        .collect();
    let mut out = Array2::zeros((rows.len(), N_REGION_STATS));
    for (i, r) in rows.iter().enumerate() {
        for (j, &v) in r.iter().enumerate() {
            out[[i, j]] = v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    #[test]
    fn a_spike_a_jump_and_a_bad_band_land_in_their_own_columns() {
        let n = 1000;
        let x = Array1::<f32>::from_elem(n, 1.0);
        let w = Array1::<f32>::from_elem(n, 100.0);
        let perfect = region_stats(x.view(), x.view(), w.view());
        assert!(perfect.iter().all(|&v| v == 0.0), "{perfect:?}");

        // One pixel 1.0 off in band 3: that band's χ² and the largest deviation rise.
        let mut spike = x.clone();
        spike[400] = 2.0;
        let s = region_stats(spike.view(), x.view(), w.view());
        assert!(s[3] > 0.0 && s[BANDS] > 1.0, "{s:?}");
        assert!((0..BANDS).filter(|&b| b != 3).all(|b| s[b] == 0.0), "{s:?}");

        // The red half 20% high: the blue-minus-red column is negative, the red bands' χ² up.
        let mut jump = x.clone();
        for k in n / 2..n {
            jump[k] = 1.2;
        }
        let j = region_stats(jump.view(), x.view(), w.view());
        assert!(j[BANDS + 1] < -1.0, "{j:?}");
        assert!(j[BANDS - 1] > 0.0 && j[0] == 0.0, "{j:?}");

        // Zero weight hides a pixel.
        let mut wz = w.clone();
        wz[400] = 0.0;
        let h = region_stats(spike.view(), x.view(), wz.view());
        assert_eq!(h, perfect);
    }
}
