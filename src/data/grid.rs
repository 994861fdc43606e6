//! The rest-frame wavelength grid of Portillo et al. / astroML: log10 λ = 3.53 + 0.00039·k.

/// log10 of the first bin's wavelength (Å).
pub const COEFF0: f64 = 3.53;
/// log10 step between bins.
pub const COEFF1: f64 = 0.00039;
/// Number of bins.
pub const N_BINS: usize = 1000;

/// The narrowest and widest rest-frame range a grid may span (Å): from below Lyα (DESI quasars
/// at z ≈ 3 reach 900 Å) to the near infrared.
pub const RANGE_LIMITS: (f64, f64) = (500.0, 50_000.0);
/// The fewest and most bins a grid may have (the PCA infill and the model's first layer grow
/// with it).
pub const BIN_LIMITS: (usize, usize) = (16, 20_000);

/// A log-spaced grid: log10 λ = coeff0 + coeff1·k for k < n.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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

    /// A grid from `lo` to `hi` Å (bin centres) in `bins` bins; without `bins`, as many as the
    /// paper's log10 step (0.00039, 69 km/s) gives. Ranges outside [`RANGE_LIMITS`] and bin counts
    /// outside [`BIN_LIMITS`] are refused.
    pub fn from_range(lo: f64, hi: f64, bins: Option<usize>) -> Result<LogGrid, GridError> {
        let (min, max) = RANGE_LIMITS;
        if !(lo.is_finite() && hi.is_finite() && min <= lo && lo < hi && hi <= max) {
            return Err(GridError::Range { lo, hi });
        }
        let span = hi.log10() - lo.log10();
        // Within RANGE_LIMITS the paper's step gives at most 5,129 bins.
        let n = bins.unwrap_or((span / COEFF1).round() as usize + 1);
        if !(BIN_LIMITS.0..=BIN_LIMITS.1).contains(&n) {
            return Err(GridError::Bins { n });
        }
        let g = LogGrid {
            coeff0: lo.log10(),
            coeff1: span / (n - 1) as f64,
            n,
        };
        // "3388-8310" is the paper's grid, whose ends are 3388.44 and 8310.17 Å.
        let paper = LogGrid::STANDARD;
        let near = |a: f64, b: f64| (paper.bin_of(a) - paper.bin_of(b)).abs() < 0.5;
        let (p_lo, p_hi) = paper.span();
        if n == paper.n && near(lo, p_lo) && near(hi, p_hi) {
            return Ok(paper);
        }
        Ok(g)
    }

    /// The grid whose bin centres are `lam` (Å), if they are log-spaced (to 1 part in 10⁶ of a
    /// step), e.g. the `lam` column of a prepped file.
    pub fn from_wavelengths(lam: &[f64]) -> Option<LogGrid> {
        let (first, second) = (*lam.first()?, *lam.get(1)?);
        if !(first > 0.0 && second > first) {
            return None;
        }
        let g = LogGrid {
            coeff0: first.log10(),
            coeff1: (second / first).log10(),
            n: lam.len(),
        };
        let off = |k: usize, l: f64| (g.bin_of(l) - k as f64).abs();
        lam.iter()
            .enumerate()
            .all(|(k, &l)| l > 0.0 && off(k, l) < 1e-3)
            .then_some(g)
    }

    /// Whether `other` puts every bin at the same wavelength (to 1/100 of a bin, 0.7 km/s on
    /// the paper's grid: what a range written to 0.01 Å rebuilds).
    pub fn same_as(&self, other: &LogGrid) -> bool {
        let last = self.n.saturating_sub(1) as f64;
        self.n == other.n
            && ((self.coeff0 - other.coeff0) / self.coeff1).abs() < 1e-2
            && ((self.coeff1 - other.coeff1) * last / self.coeff1).abs() < 1e-2
    }

    /// The first and last bin centres (Å).
    pub fn span(&self) -> (f64, f64) {
        let w = |k: usize| wavelength(self.coeff0, self.coeff1, k);
        (w(0), w(self.n.saturating_sub(1)))
    }

    /// "3388–8310 Å in 1000 bins (log10 step 0.00039)".
    pub fn describe(&self) -> String {
        let w = |k: usize| wavelength(self.coeff0, self.coeff1, k);
        format!(
            "{:.0}–{:.0} Å in {} bins (log10 step {:.6})",
            w(0),
            w(self.n.saturating_sub(1)),
            self.n,
            self.coeff1
        )
    }

    /// `--rest-range` and `--bins` that rebuild this grid: "--rest-range 3388.44-8310.17
    /// --bins 1000".
    pub fn as_options(&self) -> String {
        let w = |k: usize| wavelength(self.coeff0, self.coeff1, k);
        format!(
            "--rest-range {:.2}-{:.2} --bins {}",
            w(0),
            w(self.n.saturating_sub(1)),
            self.n
        )
    }

    /// Bin centre wavelengths (Å).
    pub fn wavelengths(&self) -> Vec<f64> {
        wavelengths(self.coeff0, self.coeff1, self.n)
    }

    /// Fractional bin index of wavelength `lam` (may be outside `0..n`).
    pub fn bin_of(&self, lam: f64) -> f64 {
        bin_of(self.coeff0, self.coeff1, lam)
    }
}

/// A rest-frame range or bin count a grid cannot have.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GridError {
    #[error(
        "rest-frame range {lo}–{hi} Å: it must rise and lie within {}–{} Å",
        RANGE_LIMITS.0,
        RANGE_LIMITS.1
    )]
    Range { lo: f64, hi: f64 },
    #[error("{n} bins: a grid has {} to {} bins", BIN_LIMITS.0, BIN_LIMITS.1)]
    Bins { n: usize },
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

    #[test]
    fn a_range_with_the_papers_step_rebuilds_the_standard_grid() {
        let w = standard_wavelengths();
        let g = LogGrid::from_range(w[0], w[999], None).unwrap();
        assert_eq!(g.n, 1000);
        assert!(g.same_as(&LogGrid::STANDARD), "{g:?}");
        let g = LogGrid::from_range(w[0], w[999], Some(1000)).unwrap();
        assert!(g.same_as(&LogGrid::STANDARD), "{g:?}");
        assert!(
            LogGrid::from_wavelengths(&w)
                .unwrap()
                .same_as(&LogGrid::STANDARD)
        );
        // The range as a user writes it is the paper's grid, exactly.
        assert_eq!(
            LogGrid::from_range(3388.0, 8310.0, None),
            Ok(LogGrid::STANDARD)
        );
        // Any grid's options rebuild it.
        for g in [
            LogGrid::STANDARD,
            LogGrid::from_range(2400.0, 8310.0, None).unwrap(),
            LogGrid::from_range(1000.0, 9000.0, Some(700)).unwrap(),
        ] {
            let o = g.as_options();
            let (range, bins) = o
                .trim_start_matches("--rest-range ")
                .split_once(" --bins ")
                .unwrap();
            let (lo, hi) = range.split_once('-').unwrap();
            let back = LogGrid::from_range(
                lo.parse().unwrap(),
                hi.parse().unwrap(),
                Some(bins.parse().unwrap()),
            )
            .unwrap();
            assert!(back.same_as(&g), "{o}: {back:?} vs {g:?}");
        }
    }

    #[test]
    fn another_range_or_bin_count_is_another_grid() {
        let wide = LogGrid::from_range(2400.0, 8310.0, None).unwrap();
        assert_eq!(wide.n, 1384, "{wide:?}");
        assert!(!wide.same_as(&LogGrid::STANDARD));
        let coarse = LogGrid::from_range(3388.4, 8310.0, Some(500)).unwrap();
        assert!(!coarse.same_as(&LogGrid::STANDARD));
        // Same bin count, shifted by half a bin.
        let shifted = LogGrid {
            coeff0: COEFF0 + COEFF1 / 2.0,
            ..LogGrid::STANDARD
        };
        assert!(!shifted.same_as(&LogGrid::STANDARD));
        assert_eq!(
            LogGrid::STANDARD.describe(),
            "3388–8310 Å in 1000 bins (log10 step 0.000390)"
        );
    }

    #[test]
    fn absurd_ranges_and_bin_counts_are_refused() {
        for (lo, hi) in [
            (8000.0, 3000.0),
            (0.0, 5000.0),
            (100.0, 5000.0),
            (3000.0, 1e9),
        ] {
            assert!(matches!(
                LogGrid::from_range(lo, hi, None),
                Err(GridError::Range { .. })
            ));
        }
        assert!(LogGrid::from_range(f64::NAN, 5000.0, None).is_err());
        for n in [0, 1, 15, 20_001, usize::MAX] {
            assert_eq!(
                LogGrid::from_range(3000.0, 9000.0, Some(n)),
                Err(GridError::Bins { n })
            );
        }
        // The paper's step over the widest range: 5,129 bins.
        assert_eq!(LogGrid::from_range(500.0, 50_000.0, None).unwrap().n, 5129);
        assert_eq!(LogGrid::from_wavelengths(&[5000.0, 4000.0]), None);
        assert_eq!(LogGrid::from_wavelengths(&[4000.0, 4001.0, 4100.0]), None);
    }
}
