//! How well a model reconstructs spectra it has not seen, against how well it reconstructs
//! reference spectra of the same signal-to-noise: real SDSS galaxies next to synthetic
//! validation spectra (`specae fidelity`).

use burn::prelude::Device;
use ndarray::ArrayView2;
use serde::Serialize;

use crate::data::Spectra;
use crate::data::preprocess::noise_variance;
use crate::model::Autoencoder;
use crate::model::evaluate::reconstruct_rows;
use crate::model::inputs::ReferenceFit;

/// One spectrum's reconstruction.
#[derive(Clone, Debug, Serialize)]
pub struct SpectrumFit {
    pub index: usize,
    /// Median S/N per pixel over weighted pixels.
    pub snr: f64,
    /// χ² per pixel against the noise alone: Σ (x − x̂)²/σ² over the pixels with weight, divided
    /// by their number. (The training weights 1/(σ² + floor) cap S/N at ~40 for typical
    /// normalisations, which would hide misfits of bright spectra.)
    pub chi2: f64,
}

/// Reconstruction χ² and S/N of rows `rows` of `spectra`.
pub fn fits_of_rows(
    model: &Autoencoder,
    spectra: &Spectra,
    rows: &[u32],
    device: &Device,
) -> Vec<SpectrumFit> {
    let xhat = reconstruct_rows(model, spectra.x.view(), rows, device);
    fits_of_reconstructions(spectra, rows, xhat.view())
}

/// χ² and S/N of rows `rows` of `spectra` given their reconstructions (row `i` of `xhat` is
/// that of `rows[i]`).
pub fn fits_of_reconstructions(
    spectra: &Spectra,
    rows: &[u32],
    xhat: ArrayView2<f32>,
) -> Vec<SpectrumFit> {
    let snr = spectra.median_snr();
    let x: ArrayView2<f32> = spectra.x.view();
    let w: ArrayView2<f32> = spectra.w.view();
    rows.iter()
        .enumerate()
        .map(|(i, &r)| {
            let r = r as usize;
            SpectrumFit {
                index: r,
                snr: f64::from(snr[r]),
                chi2: chi2_per_pixel(x.row(r), xhat.row(i), w.row(r)),
            }
        })
        .collect()
}

/// Σ (x − x̂)²/σ² / n over pixels with w > 0, σ² = 1/w − floor (0 when none).
pub fn chi2_per_pixel(
    x: ndarray::ArrayView1<f32>,
    xhat: ndarray::ArrayView1<f32>,
    w: ndarray::ArrayView1<f32>,
) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for ((&x, &xh), &w) in x.iter().zip(xhat.iter()).zip(w.iter()) {
        if w > 0.0 {
            sum += (f64::from(x) - f64::from(xh)).powi(2) / noise_variance(w);
            n += 1;
        }
    }
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// Fits as a model file stores them ([`ReferenceFit`]).
pub fn reference_of(fits: &[SpectrumFit]) -> Vec<ReferenceFit> {
    fits.iter()
        .map(|f| ReferenceFit {
            snr: f.snr as f32,
            chi2: f.chi2 as f32,
        })
        .collect()
}

/// Fits stored in a model file, to match against.
pub fn fits_of_reference(reference: &[ReferenceFit]) -> Vec<SpectrumFit> {
    reference
        .iter()
        .enumerate()
        .map(|(index, f)| SpectrumFit {
            index,
            snr: f64::from(f.snr),
            chi2: f64::from(f.chi2),
        })
        .collect()
}

/// One judged spectrum next to the reference spectra of its S/N.
#[derive(Clone, Debug, Serialize)]
pub struct Judged {
    pub fit: SpectrumFit,
    pub reference: Matched,
}

impl Judged {
    /// χ² over the reference's median at this S/N.
    pub fn ratio(&self) -> f64 {
        self.fit.chi2 / self.reference.chi2
    }
}

/// Each spectrum of `judged` (as the model sees it: see `LoadedModel::sees`) reconstructed
/// by `model`, with the median χ² of the `matched` reference fits nearest in S/N: what
/// `specae fidelity` prints and the explorer shows. Row `i` of `xhat` is spectrum `i`'s
/// reconstruction.
pub fn judge(
    judged: &Spectra,
    xhat: ArrayView2<f32>,
    reference: &[SpectrumFit],
    matched: usize,
) -> Option<Vec<Judged>> {
    let rows: Vec<u32> = (0..judged.n_spectra() as u32).collect();
    fits_of_reconstructions(judged, &rows, xhat)
        .into_iter()
        .map(|fit| {
            let reference = matched_median(reference, fit.snr, matched)?;
            Some(Judged { fit, reference })
        })
        .collect()
}

/// The median χ² of the reference spectra nearest in S/N to one spectrum.
#[derive(Clone, Debug, Serialize)]
pub struct Matched {
    pub chi2: f64,
    pub n: usize,
    /// S/N range of the reference spectra used.
    pub snr_lo: f64,
    pub snr_hi: f64,
}

/// Indices of the (up to) `n` of `snrs` nearest to `snr` in log S/N, nearest first; entries
/// that are not positive (NaN included) are never picked.
pub fn nearest_in_snr(snrs: &[f64], snr: f64, n: usize) -> Vec<usize> {
    let target = snr.max(1e-3).ln();
    let mut near: Vec<usize> = (0..snrs.len()).filter(|&i| snrs[i] > 0.0).collect();
    near.sort_by(|&a, &b| {
        (snrs[a].ln() - target)
            .abs()
            .total_cmp(&(snrs[b].ln() - target).abs())
    });
    near.truncate(n);
    near
}

/// Median χ² of the `n` reference fits nearest to `snr` in log S/N (fewer when there are fewer;
/// `None` when there are none).
pub fn matched_median(reference: &[SpectrumFit], snr: f64, n: usize) -> Option<Matched> {
    let snrs: Vec<f64> = reference
        .iter()
        .map(|f| if f.chi2.is_finite() { f.snr } else { f64::NAN })
        .collect();
    let near = nearest_in_snr(&snrs, snr, n);
    let median = crate::util::stats::median(near.iter().map(|&i| reference[i].chi2))?;
    Some(Matched {
        chi2: median,
        n: near.len(),
        snr_lo: near.iter().map(|&i| snrs[i]).fold(f64::INFINITY, f64::min),
        snr_hi: near.iter().map(|&i| snrs[i]).fold(0.0, f64::max),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(snr: f64, chi2: f64) -> SpectrumFit {
        SpectrumFit {
            index: 0,
            snr,
            chi2,
        }
    }

    #[test]
    fn the_median_comes_from_the_spectra_nearest_in_snr() {
        let reference: Vec<SpectrumFit> =
            (1..=100).map(|i| fit(i as f64, i as f64 / 10.0)).collect();
        let m = matched_median(&reference, 50.0, 5).unwrap();
        assert_eq!(m.n, 5);
        assert!((m.chi2 - 5.0).abs() < 1e-12, "{m:?}");
        assert!(m.snr_lo >= 48.0 && m.snr_hi <= 52.0);
        // Beyond the reference's range: the highest-S/N ones.
        let hi = matched_median(&reference, 1000.0, 3).unwrap();
        assert!((hi.chi2 - 9.9).abs() < 1e-12 && hi.snr_lo == 98.0);
        assert!(matched_median(&[], 10.0, 5).is_none());
    }
}
