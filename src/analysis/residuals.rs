//! Residual statistics: 2-D histograms of x − x̂ against wavelength and against inverse variance
//! (Portillo et al. 2020, Figure 5), with fixed bins so histograms of different subsets and
//! models compare directly. Only pixels with w > 0 count.

use burn::prelude::Device;
use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use super::AnalysisError;
use super::rows::SpectraRows;
use crate::model::Autoencoder;
use crate::model::evaluate::{CHUNK, reconstruct_rows};

/// Residual bins: x − x̂ in normalised flux units. The range of an analysis comes from
/// [`residual_range`]; this default is for callers without data at hand.
pub const RESIDUAL_RANGE: (f64, f64) = (-1.0, 1.0);
pub const RESIDUAL_BINS: usize = 160;

/// A symmetric residual range for a data set: ±6 robust standard deviations of x − x̂ over
/// pixels with w > 0 (σ = 1.4826 × median |x − x̂|), rounded up to 1, 2, 2.5 or 5 × 10^k, so
/// all histograms of one analysis share fixed bins whatever the flux scale of the file.
pub fn residual_range(x: ArrayView2<f32>, xhat: ArrayView2<f32>, w: ArrayView2<f32>) -> (f64, f64) {
    let mut r: Vec<f64> = x
        .iter()
        .zip(xhat.iter())
        .zip(w.iter())
        .filter(|((a, b), wi)| **wi > 0.0 && a.is_finite() && b.is_finite())
        .map(|((a, b), _)| ((a - b) as f64).abs())
        .collect();
    if r.is_empty() {
        return RESIDUAL_RANGE;
    }
    let mid = r.len() / 2;
    let median = *r.select_nth_unstable_by(mid, |a, b| a.total_cmp(b)).1;
    let half = 6.0 * 1.4826 * median;
    if !(half > 0.0 && half.is_finite()) {
        return RESIDUAL_RANGE;
    }
    let p = 10f64.powf(half.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|m| m * p >= half)
        .unwrap_or(10.0);
    (-step * p, step * p)
}
/// Inverse-variance bins: log10 w.
pub const LOG_IVAR_RANGE: (f64, f64) = (-1.0, 6.5);
pub const IVAR_BINS: usize = 150;

/// A 2-D histogram: `counts[[iy, ix]]` is the number of pixels in y bin iy and x bin ix.
#[derive(Clone, Debug, Serialize)]
pub struct Histogram2d {
    pub x_label: String,
    pub y_label: String,
    pub x_edges: Vec<f64>,
    pub y_edges: Vec<f64>,
    #[serde(skip)]
    pub counts: Array2<u64>,
    /// Pixels whose value fell outside the y (or x) range.
    pub outside: u64,
    pub total: u64,
}

impl Histogram2d {
    fn new(x_label: &str, y_label: &str, x_edges: Vec<f64>, y_edges: Vec<f64>) -> Self {
        let counts = Array2::zeros((y_edges.len() - 1, x_edges.len() - 1));
        Self {
            x_label: x_label.into(),
            y_label: y_label.into(),
            x_edges,
            y_edges,
            counts,
            outside: 0,
            total: 0,
        }
    }

    /// The residual range (first and last y edge).
    pub fn y_range(&self) -> (f64, f64) {
        (self.y_edges[0], self.y_edges[self.y_edges.len() - 1])
    }

    /// Adds the counts of another histogram with the same bins.
    pub fn merge(&mut self, other: &Histogram2d) {
        if self.counts.dim() == other.counts.dim() {
            self.counts += &other.counts;
            self.outside += other.outside;
            self.total += other.total;
        }
    }
}

fn linear_edges(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..=n)
        .map(|i| lo + (hi - lo) * i as f64 / n as f64)
        .collect()
}

fn bin(v: f64, lo: f64, hi: f64, n: usize) -> Option<usize> {
    if v.is_nan() || v < lo || v >= hi {
        return None;
    }
    Some((((v - lo) / (hi - lo)) * n as f64) as usize).map(|b| b.min(n - 1))
}

/// Both residual histograms, accumulated chunk by chunk (reconstructions need not all be in
/// memory at once).
#[derive(Clone, Debug)]
pub struct ResidualHistograms {
    pub vs_wavelength: Histogram2d,
    pub vs_ivar: Histogram2d,
}

impl ResidualHistograms {
    /// Empty histograms over the pixel grid with these bin-edge wavelengths (d + 1 values,
    /// one x bin per pixel) and the default residual range.
    pub fn new(wavelength_edges: Vec<f64>) -> Self {
        Self::with_range(wavelength_edges, RESIDUAL_RANGE)
    }

    /// The same with residuals binned over `range` (e.g. from [`residual_range`]).
    pub fn with_range(wavelength_edges: Vec<f64>, range: (f64, f64)) -> Self {
        let r = linear_edges(range.0, range.1, RESIDUAL_BINS);
        Self {
            vs_wavelength: Histogram2d::new("wavelength [Å]", "x − x̂", wavelength_edges, r.clone()),
            vs_ivar: Histogram2d::new(
                "log10 inverse variance",
                "x − x̂",
                linear_edges(LOG_IVAR_RANGE.0, LOG_IVAR_RANGE.1, IVAR_BINS),
                r,
            ),
        }
    }

    /// Adds rows of data `x`, reconstructions `xhat` and weights `w` (same shapes).
    pub fn add(&mut self, x: ArrayView2<f32>, xhat: ArrayView2<f32>, w: ArrayView2<f32>) {
        let ye = &self.vs_wavelength.y_edges;
        let (lo, hi) = (ye[0], ye[ye.len() - 1]);
        let (ilo, ihi) = LOG_IVAR_RANGE;
        let nx = self.vs_wavelength.counts.ncols();
        for ((xr, hr), wr) in x.rows().into_iter().zip(xhat.rows()).zip(w.rows()) {
            for (j, ((&a, &b), &wi)) in xr.iter().zip(hr.iter()).zip(wr.iter()).enumerate() {
                if wi.is_nan() || wi <= 0.0 || j >= nx {
                    continue;
                }
                let r = (a - b) as f64;
                self.vs_wavelength.total += 1;
                self.vs_ivar.total += 1;
                let Some(iy) = bin(r, lo, hi, RESIDUAL_BINS) else {
                    self.vs_wavelength.outside += 1;
                    self.vs_ivar.outside += 1;
                    continue;
                };
                self.vs_wavelength.counts[[iy, j]] += 1;
                match bin((wi as f64).log10(), ilo, ihi, IVAR_BINS) {
                    Some(ix) => self.vs_ivar.counts[[iy, ix]] += 1,
                    None => self.vs_ivar.outside += 1,
                }
            }
        }
    }
}

/// Bin edges of the log-spaced wavelength grid: halfway (in log λ) between bin centres.
pub fn wavelength_edges(coeff0: f64, coeff1: f64, n_bins: usize) -> Vec<f64> {
    (0..=n_bins)
        .map(|k| 10f64.powf(coeff0 + coeff1 * (k as f64 - 0.5)))
        .collect()
}
/// Residual histograms of the model's reconstructions of rows `rows` of `s` (any subset, e.g.
/// the GUI's selection), computed chunk by chunk, binned over `y_range` (pass the analysis's
/// `residuals.vs_wavelength.y_range()` so subsets compare with the whole).
pub fn residuals_of_rows(
    model: &Autoencoder,
    device: &Device,
    s: SpectraRows<'_>,
    rows: &[u32],
    y_range: (f64, f64),
) -> Result<ResidualHistograms, AnalysisError> {
    let g = s.grid();
    let mut h =
        ResidualHistograms::with_range(wavelength_edges(g.coeff0, g.coeff1, s.n_bins()), y_range);
    // Ascending (a store reads each block once), out-of-range rows left out.
    let mut rows: Vec<u32> = rows
        .iter()
        .copied()
        .filter(|&i| (i as usize) < s.n_spectra())
        .collect();
    rows.sort_unstable();
    for idx in rows.chunks(CHUNK) {
        let (xs, ws) = s.gather_xw(idx)?;
        let all: Vec<u32> = (0..idx.len() as u32).collect();
        let xhat = reconstruct_rows(model, xs.view(), &all, device);
        if xhat.dim() == xs.dim() {
            h.add(xs.view(), xhat.view(), ws.view());
        }
    }
    Ok(h)
}
