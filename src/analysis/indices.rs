//! Spectral indices of galaxies on the survey grid: the 4000 Å break Dn4000 (Balogh et al.
//! 1999) and the Lick indices Hδ_A (Worthey & Ottaviani 1997), Mg b and Fe5270 (Trager et al.
//! 1998), measured on rest-frame spectra by integrating over fractional bins.

use ndarray::ArrayView1;
use serde::Serialize;

use super::residuals::wavelength_edges;
use crate::data::Spectra;

/// A Lick-style index: blue and red pseudo-continua around a central band (air Å, as
/// published; converted to vacuum to match SDSS's wavelengths).
pub struct Lick {
    pub name: &'static str,
    pub blue: (f64, f64),
    pub band: (f64, f64),
    pub red: (f64, f64),
}

pub const HDELTA_A: Lick = Lick {
    name: "HdA",
    blue: (4041.600, 4079.750),
    band: (4083.500, 4122.250),
    red: (4128.500, 4161.000),
};
pub const MG_B: Lick = Lick {
    name: "Mgb",
    blue: (5142.625, 5161.375),
    band: (5160.125, 5192.625),
    red: (5191.375, 5206.375),
};
pub const FE_5270: Lick = Lick {
    name: "Fe5270",
    blue: (5233.150, 5248.150),
    band: (5245.650, 5285.650),
    red: (5285.650, 5318.150),
};

/// Air → vacuum near 4000–5500 Å (Morton 2000), to the 0.1 Å these bands need.
fn vac(air: f64) -> f64 {
    let s2 = (1e4 / air).powi(2);
    air * (1.0 + 8.34254e-5 + 2.406147e-2 / (130.0 - s2) + 1.5998e-4 / (38.9 - s2))
}

/// The four indices of one spectrum (NaN where a band is not covered).
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Indices {
    pub dn4000: f64,
    pub hdelta_a: f64,
    pub mg_b: f64,
    pub fe5270: f64,
}

/// Measures indices on spectra sampled at bins with edges `edges` (Å, vacuum rest frame).
pub struct IndexMeter {
    edges: Vec<f64>,
}

impl IndexMeter {
    pub fn new(edges: Vec<f64>) -> Self {
        Self { edges }
    }

    /// A meter for the bins of `sp`.
    pub fn for_spectra(sp: &Spectra) -> Self {
        Self::new(wavelength_edges(sp.coeff0, sp.coeff1, sp.n_bins()))
    }

    /// The indices of spectrum `i` of `sp` (normalised flux), using bins with weight that are
    /// not masked.
    pub fn measure_row(&self, sp: &Spectra, i: usize) -> Indices {
        let w = sp.w.row(i);
        let mask = sp.mask.row(i);
        self.measure(sp.x.row(i), &|k| w[k] > 0.0 && !mask[k])
    }

    /// Bins overlapping `[a, b)`.
    fn bins_over(&self, a: f64, b: f64) -> std::ops::Range<usize> {
        let n = self.edges.len() - 1;
        let first = self.edges.partition_point(|&e| e <= a).saturating_sub(1);
        let last = self.edges.partition_point(|&e| e < b).min(n);
        first.min(last)..last
    }

    /// Mean of `f(λ)·s(λ)` over `[a, b]` (fraction-weighted bins), and whether every bin
    /// touching the band is usable.
    fn band_mean(
        &self,
        s: ArrayView1<f32>,
        ok: &dyn Fn(usize) -> bool,
        a: f64,
        b: f64,
        fnu: bool,
    ) -> f64 {
        let (mut acc, mut wsum) = (0.0, 0.0);
        for k in self.bins_over(a, b) {
            let (lo, hi) = (self.edges[k], self.edges[k + 1]);
            let overlap = (hi.min(b) - lo.max(a)).max(0.0);
            if overlap <= 0.0 {
                continue;
            }
            if !ok(k) {
                return f64::NAN;
            }
            let l = 0.5 * (lo + hi);
            let v = f64::from(s[k]) * if fnu { l * l } else { 1.0 };
            acc += overlap * v;
            wsum += overlap;
        }
        if wsum > 0.0 && wsum >= 0.99 * (b - a) {
            acc / wsum
        } else {
            f64::NAN
        }
    }

    fn lick(&self, s: ArrayView1<f32>, ok: &dyn Fn(usize) -> bool, i: &Lick) -> f64 {
        let v = |(a, b): (f64, f64)| (vac(a), vac(b));
        let (blue, band, red) = (v(i.blue), v(i.band), v(i.red));
        let fb = self.band_mean(s, ok, blue.0, blue.1, false);
        let fr = self.band_mean(s, ok, red.0, red.1, false);
        let (lb, lr) = (0.5 * (blue.0 + blue.1), 0.5 * (red.0 + red.1));
        // ∫ (1 − F/Fc) dλ over the central band, in steps of the bins' fractional overlaps.
        let mut sum = 0.0;
        let mut covered = 0.0;
        for k in self.bins_over(band.0, band.1) {
            let (lo, hi) = (self.edges[k], self.edges[k + 1]);
            let overlap = (hi.min(band.1) - lo.max(band.0)).max(0.0);
            if overlap <= 0.0 {
                continue;
            }
            if !ok(k) {
                return f64::NAN;
            }
            let l = 0.5 * (lo.max(band.0) + hi.min(band.1));
            let fc = fb + (fr - fb) * (l - lb) / (lr - lb);
            sum += overlap * (1.0 - f64::from(s[k]) / fc);
            covered += overlap;
        }
        if covered >= 0.99 * (band.1 - band.0) && fb.is_finite() && fr.is_finite() {
            sum
        } else {
            f64::NAN
        }
    }

    /// The indices of spectrum `s` (flux density per Å), using bins where `ok(k)`.
    pub fn measure(&self, s: ArrayView1<f32>, ok: &dyn Fn(usize) -> bool) -> Indices {
        let blue = self.band_mean(s, ok, 3850.0, 3950.0, true);
        let red = self.band_mean(s, ok, 4000.0, 4100.0, true);
        Indices {
            dn4000: red / blue,
            hdelta_a: self.lick(s, ok, &HDELTA_A),
            mg_b: self.lick(s, ok, &MG_B),
            fe5270: self.lick(s, ok, &FE_5270),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::residuals::wavelength_edges;
    use crate::data::grid::{COEFF0, COEFF1, N_BINS};
    use ndarray::Array1;

    #[test]
    fn a_flat_spectrum_has_no_break_and_zero_indices_and_a_line_has_its_width() {
        let m = IndexMeter::new(wavelength_edges(COEFF0, COEFF1, N_BINS));
        let edges = wavelength_edges(COEFF0, COEFF1, N_BINS);
        // f_ν flat: f_λ ∝ λ^−2.
        let s: Array1<f32> = (0..N_BINS)
            .map(|k| {
                let l = 0.5 * (edges[k] + edges[k + 1]);
                (1e8 / (l * l)) as f32
            })
            .collect();
        let i = m.measure(s.view(), &|_| true);
        assert!((i.dn4000 - 1.0).abs() < 1e-3, "{i:?}");
        assert!(
            i.mg_b.abs() < 0.05 && i.fe5270.abs() < 0.05 && i.hdelta_a.abs() < 0.1,
            "{i:?}"
        );
        // A flat f_λ with the Mg b band at half depth: index = half the band width.
        let mut f = Array1::from_elem(N_BINS, 1.0f32);
        let (a, b) = (vac(MG_B.band.0), vac(MG_B.band.1));
        for k in 0..N_BINS {
            let overlap = (edges[k + 1].min(b) - edges[k].max(a)).max(0.0);
            f[k] -= 0.5 * (overlap / (edges[k + 1] - edges[k])) as f32;
        }
        let i = m.measure(f.view(), &|_| true);
        // Bins of ~4.7 Å straddle the band edges and share depth with the pseudo-continua.
        assert!((i.mg_b - 0.5 * (b - a)).abs() < 2.0, "{i:?}");
        // A masked bin inside a band makes the index unknown, not wrong.
        let k = edges.partition_point(|&e| e < 4050.0);
        let i = m.measure(s.view(), &|j| j != k);
        assert!(i.dn4000.is_nan() && i.mg_b.is_finite());
    }
}
