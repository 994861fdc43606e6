//! Where a reconstruction's χ² comes from: the emission lines, the smooth continuum, or
//! structure from pixel to pixel (`specae fidelity --split`).
//!
//! With r = (x − x̂)/σ on the weighted pixels, the χ²/pixel Σ r²/n is split exactly into
//! - **lines**: pixels within [`LINE_HALF_WIDTH`] of an emission line ([`EMISSION_LINES`]);
//! - **smooth**: elsewhere, the square of r's running median over [`SMOOTH_HALF`] pixels each
//!   side (±0.9% in λ: ±45 Å at 5000 Å) — a continuum shape or level the model does not make;
//! - **pixel**: the rest of the continuum's χ² — noise (1 where σ is right and the model fits),
//!   absorption lines and other features narrower than the window.
//!
//! For pure noise the split is about (window fraction, 0.07, 0.9 × the rest). The built-in model
//! on the real fixture galaxies (lines · smooth · pixel, in brackets the median of its synthetic
//! validation spectra of the same S/N): NGC 3522 0.61 · 1.77 · 2.25 (0.50 · 0.32 · 1.29); 1045
//! (star-forming) 0.39 · 0.57 · 1.36 (0.11 · 0.11 · 0.93); 0295 (Seyfert 2) 1.27 · 0.52 · 1.27
//! (0.13 · 0.11 · 0.94) — the emission lines are a quarter of 1045's excess and most of 0295's
//! (README, "Where the misfit lies").

use ndarray::ArrayView1;
use serde::Serialize;

use crate::data::preprocess::noise_variance;
pub use crate::spectro::lines::{EMISSION_LINES, LINE_HALF_WIDTH, line_windows};

/// Pixels each side of the running median that makes the smooth part.
pub const SMOOTH_HALF: usize = 10;

/// One spectrum's χ²/pixel split three ways; the parts sum to its χ²/pixel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct MisfitSplit {
    pub lines: f64,
    pub smooth: f64,
    pub pixel: f64,
}

impl MisfitSplit {
    pub fn total(&self) -> f64 {
        self.lines + self.smooth + self.pixel
    }
}

/// The split of one spectrum `x` reconstructed as `xhat` with weights `w` (σ² = 1/w − floor,
/// as [`super::fidelity::chi2_per_pixel`]); `in_line` from [`line_windows`]. All zero where no
/// pixel has weight.
pub fn misfit_split(
    in_line: &[bool],
    x: ArrayView1<f32>,
    xhat: ArrayView1<f32>,
    w: ArrayView1<f32>,
) -> MisfitSplit {
    let n_pix = x.len().min(xhat.len()).min(w.len()).min(in_line.len());
    // Normalised residuals of the weighted pixels (None elsewhere).
    let r: Vec<Option<f64>> = (0..n_pix)
        .map(|k| {
            (w[k] > 0.0)
                .then(|| (f64::from(x[k]) - f64::from(xhat[k])) / noise_variance(w[k]).sqrt())
        })
        .collect();
    let n = r.iter().flatten().count();
    if n == 0 {
        return MisfitSplit::default();
    }
    let (mut lines, mut continuum, mut smooth) = (0.0, 0.0, 0.0);
    let mut window = Vec::with_capacity(2 * SMOOTH_HALF + 1);
    for k in 0..n_pix {
        let Some(rk) = r[k] else { continue };
        if in_line[k] {
            lines += rk * rk;
            continue;
        }
        continuum += rk * rk;
        window.clear();
        let (a, b) = (
            k.saturating_sub(SMOOTH_HALF),
            (k + SMOOTH_HALF + 1).min(n_pix),
        );
        window.extend((a..b).filter(|&j| !in_line[j]).filter_map(|j| r[j]));
        // Too few neighbours (a spectrum's edge among masked pixels): no smooth part here.
        if window.len() > 3 {
            window.sort_by(f64::total_cmp);
            let m = window.len();
            let med = if m % 2 == 1 {
                window[m / 2]
            } else {
                0.5 * (window[m / 2 - 1] + window[m / 2])
            };
            smooth += med * med;
        }
    }
    let n = n as f64;
    MisfitSplit {
        lines: lines / n,
        smooth: smooth / n,
        pixel: (continuum - smooth) / n,
    }
}

/// The median of each part over `splits[i]` for the `n` indices `near` picks (the reference
/// spectra nearest in S/N), `None` when there are none.
pub fn median_split(splits: &[MisfitSplit], near: &[usize]) -> Option<MisfitSplit> {
    let part = |f: fn(&MisfitSplit) -> f64| {
        crate::util::stats::median(near.iter().filter_map(|&i| splits.get(i)).map(f))
    };
    Some(MisfitSplit {
        lines: part(|s| s.lines)?,
        smooth: part(|s| s.smooth)?,
        pixel: part(|s| s.pixel)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::preprocess::SIGMA2_FLOOR;
    use ndarray::Array1;
    use rand::{Rng, SeedableRng};
    use rand_distr::StandardNormal;

    /// A flat spectrum of σ = 0.01 on the survey's grid, `bad(λ, σ)` added to the model's
    /// reconstruction error on top of unit noise.
    fn split_of(seed: u64, bad: impl Fn(f64) -> f64) -> (MisfitSplit, f64) {
        let grid = crate::data::grid::standard_wavelengths();
        let in_line = line_windows(&grid);
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let sigma = 0.01f64;
        let w = Array1::from_elem(grid.len(), (1.0 / (sigma * sigma + SIGMA2_FLOOR)) as f32);
        let xhat = Array1::from_elem(grid.len(), 1.0f32);
        let x: Array1<f32> = grid
            .iter()
            .map(|&l| {
                let e: f64 = rng.sample(StandardNormal);
                (1.0 + sigma * (e + bad(l))) as f32
            })
            .collect();
        let s = misfit_split(&in_line, x.view(), xhat.view(), w.view());
        let chi2 = super::super::fidelity::chi2_per_pixel(x.view(), xhat.view(), w.view());
        (s, chi2)
    }

    #[test]
    fn noise_is_pixel_scale_a_smooth_error_is_smooth_and_a_line_error_is_lines() {
        let (noise, chi2) = split_of(1, |_| 0.0);
        assert!(
            (noise.total() - chi2).abs() < 1e-9 * chi2,
            "{noise:?} {chi2}"
        );
        assert!(noise.smooth < 0.15, "{noise:?}");
        assert!((noise.pixel - 0.85).abs() < 0.12, "{noise:?}");
        assert!(noise.lines < 0.08, "{noise:?}");
        // A continuum 2σ too high in the blue half (a model's wrong slope).
        let (tilt, chi2) = split_of(2, |l| if l < 5000.0 { 2.0 } else { 0.0 });
        assert!((tilt.total() - chi2).abs() < 1e-9 * chi2);
        assert!(tilt.smooth > 1.5 && tilt.pixel < 1.2, "{tilt:?}");
        // [O III] 5007 Å 50σ brighter than reconstructed at its peak (2.7 in χ²/pixel).
        let (line, chi2) = split_of(3, |l| {
            50.0 * (-0.5 * ((l - crate::spectro::lines::lam::OIII_B) / 2.5).powi(2)).exp()
        });
        assert!((line.total() - chi2).abs() < 1e-9 * chi2);
        assert!(line.lines > 1.5, "{line:?}");
        assert!((line.pixel - noise.pixel).abs() < 0.15, "{line:?}");
        assert!(noise.smooth < 0.15 && line.smooth < 0.15, "{line:?}");
    }

    #[test]
    fn unweighted_pixels_count_nowhere_and_an_empty_spectrum_splits_to_zero() {
        let grid = crate::data::grid::standard_wavelengths();
        let in_line = line_windows(&grid);
        let x = Array1::from_elem(grid.len(), 1.0f32);
        let xhat = Array1::from_elem(grid.len(), 0.0f32);
        let w = Array1::from_elem(grid.len(), 0.0f32);
        assert_eq!(
            misfit_split(&in_line, x.view(), xhat.view(), w.view()),
            MisfitSplit::default()
        );
        // Shorter inputs than the window mask: no panic.
        let s = misfit_split(&in_line[..10], x.view(), xhat.view(), w.view());
        assert_eq!(s, MisfitSplit::default());
    }

    #[test]
    fn the_reference_median_is_per_part() {
        let s = |a: f64| MisfitSplit {
            lines: a,
            smooth: 10.0 * a,
            pixel: 100.0 * a,
        };
        let splits = vec![s(1.0), s(2.0), s(3.0), s(100.0)];
        let m = median_split(&splits, &[0, 1, 2]).unwrap();
        assert_eq!(m, s(2.0));
        assert!(median_split(&splits, &[]).is_none());
    }
}
