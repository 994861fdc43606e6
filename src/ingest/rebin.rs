//! Shifting an observed spectrum to the rest frame (λ / (1 + z)) and rebinning it onto the
//! log-spaced grid with inverse-variance weights. A grid bin is masked when less than half of it
//! is covered by good pixels (outside the observed range, ivar = 0, or flagged by the pipeline).

use super::sdss_fits::SdssSpectrum;
use crate::data::grid::LogGrid;

/// Which pixels count as bad.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum PixelMask {
    /// The pipeline's bad-pixel bits (and_mask; DR7's mask row) and ivar = 0.
    #[default]
    Pipeline,
    /// Inverse variance alone (ivar = 0): for files whose mask flags good pixels, e.g. real
    /// DR13 spectra with BADFLAT on every pixel while their errors are fine.
    Ivar,
}

impl SdssSpectrum {
    /// This spectrum on the rest-frame `grid`, with `mask` deciding which pixels are bad.
    pub fn rest_frame(&self, mask: PixelMask, grid: &LogGrid) -> Rebinned {
        let unmasked;
        let flagged = match mask {
            PixelMask::Pipeline => &self.flagged,
            PixelMask::Ivar => {
                unmasked = vec![false; self.flagged.len()];
                &unmasked
            }
        };
        rebin_rest_frame(&self.loglam, &self.flux, &self.ivar, flagged, self.z, grid)
    }
}

/// A spectrum on the grid: flux, 1σ error (0 where masked) and mask.
#[derive(Clone, Debug)]
pub struct Rebinned {
    pub flux: Vec<f32>,
    pub err: Vec<f32>,
    pub mask: Vec<bool>,
    /// Fraction of grid bins with good coverage.
    pub coverage: f64,
}

/// Rebins pixels at observed `loglam` (log10 Å, increasing) to the rest-frame `grid`.
pub fn rebin_rest_frame(
    loglam: &[f64],
    flux: &[f32],
    ivar: &[f32],
    flagged: &[bool],
    z: f64,
    grid: &LogGrid,
) -> Rebinned {
    let LogGrid { coeff0, coeff1, n } = *grid;
    let shift = (1.0 + z).log10();
    let (mut sw, mut swf, mut sw2, mut good) = (
        vec![0.0f64; n],
        vec![0.0f64; n],
        vec![0.0f64; n],
        vec![0.0f64; n],
    );
    // Arrays of unequal length (a damaged file) are read as far as all of them go.
    let m = loglam
        .len()
        .min(flux.len())
        .min(ivar.len())
        .min(flagged.len());
    for i in 0..m {
        // Pixel edges halfway to the neighbours.
        let lo = if i > 0 {
            0.5 * (loglam[i - 1] + loglam[i])
        } else {
            loglam[i] - 0.5 * (loglam.get(1).copied().unwrap_or(loglam[i] + coeff1) - loglam[i])
        };
        let hi = if i + 1 < m {
            0.5 * (loglam[i] + loglam[i + 1])
        } else {
            loglam[i] + 0.5 * (loglam[i] - loglam[i.saturating_sub(1)])
        };
        let (lo, hi) = (lo - shift, hi - shift);
        let width = hi - lo;
        if width.is_nan() || width <= 0.0 {
            continue;
        }
        let iv = f64::from(ivar[i]);
        let f = f64::from(flux[i]);
        let ok = iv > 0.0 && iv.is_finite() && f.is_finite() && !flagged[i];
        let k0 = ((lo - coeff0) / coeff1 + 0.5).floor().max(0.0) as usize;
        let k1 = ((hi - coeff0) / coeff1 + 0.5).floor();
        if k1 < 0.0 {
            continue;
        }
        for k in k0..=(k1 as usize).min(n.saturating_sub(1)) {
            let (a, b) = (
                coeff0 + coeff1 * (k as f64 - 0.5),
                coeff0 + coeff1 * (k as f64 + 0.5),
            );
            let overlap = hi.min(b) - lo.max(a);
            if overlap <= 0.0 || !ok {
                continue;
            }
            let frac = overlap / width; // share of the input pixel in this bin
            good[k] += overlap / coeff1;
            sw[k] += frac * iv;
            swf[k] += frac * iv * f;
            sw2[k] += frac * frac * iv;
        }
    }
    let mut out = Rebinned {
        flux: vec![0.0; n],
        err: vec![0.0; n],
        mask: vec![true; n],
        coverage: 0.0,
    };
    let mut covered = 0usize;
    for k in 0..n {
        if good[k] >= 0.5 && sw[k] > 0.0 {
            out.flux[k] = (swf[k] / sw[k]) as f32;
            out.err[k] = (sw2[k].sqrt() / sw[k]) as f32;
            out.mask[k] = false;
            covered += 1;
        }
    }
    out.coverage = covered as f64 / n.max(1) as f64;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_spectrum_rebins_to_itself_and_masks_the_uncovered_ends() {
        // SDSS-like: 1e-4 dex pixels over 3800–9200 Å, flat flux 5 ± 1.
        let loglam: Vec<f64> = (0..3834).map(|i| 3.5798 + 1e-4 * i as f64).collect();
        let flux = vec![5.0f32; loglam.len()];
        let ivar = vec![1.0f32; loglam.len()];
        let mut flagged = vec![false; loglam.len()];
        flagged[2000..2010].iter_mut().for_each(|f| *f = true);
        let r = rebin_rest_frame(&loglam, &flux, &ivar, &flagged, 0.1, &LogGrid::STANDARD);
        let good: Vec<usize> = (0..1000).filter(|&k| !r.mask[k]).collect();
        assert!(good.iter().all(|&k| (r.flux[k] - 5.0).abs() < 1e-5));
        // ~3.9 input pixels per bin → error ≈ 1/√3.9.
        let k = good[good.len() / 2];
        assert!(
            (r.err[k] - 1.0 / 3.9f32.sqrt()).abs() < 0.05,
            "{}",
            r.err[k]
        );
        // Rest-frame coverage: 3800/1.1 = 3455 Å to 9200/1.1 = 8364 Å.
        let lam = |k: usize| 10f64.powf(3.53 + 0.00039 * k as f64);
        assert!(
            lam(good[0]) > 3440.0 && lam(good[0]) < 3475.0,
            "{}",
            lam(good[0])
        );
        assert_eq!(*good.last().unwrap(), 999);
        // The 10 flagged pixels (~2.6 bins) are masked.
        let masked_inside = (good[0]..=999).filter(|&k| r.mask[k]).count();
        assert!((2..=4).contains(&masked_inside), "{masked_inside}");
    }
}
