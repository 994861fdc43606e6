//! A log-spaced grid's bins tabulated (centres and edges, for the inner loops that integrate
//! line profiles over bins), and Gaussian profiles integrated over them.

use crate::data::grid::{LogGrid, bin_of};

/// A [`LogGrid`] with its bin centres and edges computed once.
#[derive(Clone, Debug)]
pub struct Bins {
    pub grid: LogGrid,
    /// Bin centres (Å).
    pub lam: Vec<f64>,
    /// Bin edges (Å), `lam.len() + 1` of them.
    pub edges: Vec<f64>,
}

impl Bins {
    pub fn new(grid: LogGrid) -> Self {
        let lam = grid.wavelengths();
        let edges = (0..=grid.n)
            .map(|k| 10f64.powf(grid.coeff0 + grid.coeff1 * (k as f64 - 0.5)))
            .collect();
        Self { grid, lam, edges }
    }

    /// The standard 1000-bin grid, 3388–8310 Å.
    pub fn standard() -> Self {
        Self::new(LogGrid::STANDARD)
    }

    pub fn len(&self) -> usize {
        self.lam.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lam.is_empty()
    }

    /// log10 step between bins.
    pub fn step(&self) -> f64 {
        self.grid.coeff1
    }

    /// Range of bins within `half_width` Å of `centre` (clipped to the grid).
    pub fn bins_near(&self, centre: f64, half_width: f64) -> std::ops::Range<usize> {
        let (c0, c1) = (self.grid.coeff0, self.grid.coeff1);
        let lo = bin_of(c0, c1, (centre - half_width).max(1.0)).floor();
        let hi = bin_of(c0, c1, centre + half_width).ceil() + 1.0;
        let n = self.len() as f64;
        (lo.clamp(0.0, n) as usize)..(hi.clamp(0.0, n) as usize)
    }

    /// Adds a Gaussian line of total `flux` (flux density × Å) and width `sigma` (Å), averaged
    /// over each bin, to `spec` (flux density).
    pub fn add_line(&self, spec: &mut [f64], centre: f64, sigma: f64, flux: f64) {
        if flux == 0.0 {
            return;
        }
        for k in self.bins_near(centre, 6.0 * sigma + 10.0) {
            let (a, b) = (self.edges[k], self.edges[k + 1]);
            spec[k] += flux * (cdf((b - centre) / sigma) - cdf((a - centre) / sigma)) / (b - a);
        }
    }

    /// Multiplies `spec` by `1 − depth·g(λ)`, g a unit-peak Gaussian of width `sigma` (Å)
    /// averaged over each bin: an absorption feature.
    pub fn absorb(&self, spec: &mut [f64], centre: f64, sigma: f64, depth: f64) {
        let norm = sigma * (2.0 * std::f64::consts::PI).sqrt();
        for k in self.bins_near(centre, 6.0 * sigma + 10.0) {
            let (a, b) = (self.edges[k], self.edges[k + 1]);
            let g = norm * (cdf((b - centre) / sigma) - cdf((a - centre) / sigma)) / (b - a);
            spec[k] *= 1.0 - depth * g;
        }
    }

    /// Bin width (Å) at bin `k`.
    pub fn width(&self, k: usize) -> f64 {
        self.edges[k + 1] - self.edges[k]
    }
}

/// Standard normal CDF.
pub fn cdf(x: f64) -> f64 {
    0.5 * (1.0 + libm::erf(x / std::f64::consts::SQRT_2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectro::lines::lam;

    #[test]
    fn line_flux_is_conserved_on_the_grid() {
        let g = Bins::standard();
        let mut s = vec![0.0; g.len()];
        g.add_line(&mut s, lam::H_ALPHA, 2.0, 100.0);
        let total: f64 = (0..g.len()).map(|k| s[k] * g.width(k)).sum();
        assert!((total - 100.0).abs() < 1e-6, "{total}");
        let peak = (0..g.len()).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap();
        assert!((g.lam[peak] - lam::H_ALPHA).abs() < g.width(peak));
    }
}
