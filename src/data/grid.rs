//! The rest-frame wavelength grid of Portillo et al. / astroML: log10 λ = 3.53 + 0.00039·k.

/// log10 of the first bin's wavelength (Å).
pub const COEFF0: f64 = 3.53;
/// log10 step between bins.
pub const COEFF1: f64 = 0.00039;
/// Number of bins.
pub const N_BINS: usize = 1000;

/// A log-spaced grid: log10 λ = coeff0 + coeff1·k for k < n.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogGrid {
    pub coeff0: f64,
    pub coeff1: f64,
    pub n: usize,
}

impl LogGrid {
    /// The app's standard 1000-bin grid, 3388–8310 Å.
    pub const STANDARD: LogGrid = LogGrid {
        coeff0: COEFF0,
        coeff1: COEFF1,
        n: N_BINS,
    };

    /// Bin centre wavelengths (Å).
    pub fn wavelengths(&self) -> Vec<f64> {
        wavelengths(self.coeff0, self.coeff1, self.n)
    }

    /// Fractional bin index of wavelength `lam` (may be outside `0..n`).
    pub fn bin_of(&self, lam: f64) -> f64 {
        bin_of(self.coeff0, self.coeff1, lam)
    }
}

/// Wavelength (Å) of bin `k` for a grid `log10 λ = coeff0 + coeff1·k`.
pub fn wavelength(coeff0: f64, coeff1: f64, k: usize) -> f64 {
    10f64.powf(coeff0 + coeff1 * k as f64)
}

/// All bin wavelengths (Å).
pub fn wavelengths(coeff0: f64, coeff1: f64, n: usize) -> Vec<f64> {
    (0..n).map(|k| wavelength(coeff0, coeff1, k)).collect()
}

/// The app's standard grid.
pub fn standard_wavelengths() -> Vec<f64> {
    wavelengths(COEFF0, COEFF1, N_BINS)
}

/// Fractional bin index of wavelength `lam` on a grid (may be outside `0..n`).
pub fn bin_of(coeff0: f64, coeff1: f64, lam: f64) -> f64 {
    (lam.log10() - coeff0) / coeff1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_spans_3388_to_8310() {
        let w = standard_wavelengths();
        assert_eq!(w.len(), 1000);
        assert!((w[0] - 3388.4).abs() < 0.1, "{}", w[0]);
        assert!((w[999] - 8310.0).abs() < 1.0, "{}", w[999]);
        assert!((bin_of(COEFF0, COEFF1, w[500]) - 500.0).abs() < 1e-9);
    }
}
