//! The diagnostic line ratios of a spectrum — log [N II]/Hα, [S II]/Hα, [O I]/Hα, [O III]/Hβ
//! and [O II]/Hβ — measured by the fits [`measure`](super::measure) classifies with (a local
//! linear continuum plus Gaussians of fixed centre and width; the Balmer lines with the stars'
//! absorption trough under them), so a real galaxy and a model's reconstruction of it are
//! measured alike. `specae fidelity --lines` prints them side by side: which lines a model
//! gets wrong, where `--split` says only how much of the misfit is in line windows.

use serde::Serialize;

use super::bins::Bins;
use super::lines::lam;
use super::measure::{Fit, LineFit, bpt_lines, narrow};

/// log10 line ratios; NaN where either line is not detected (flux below twice its error) or
/// could not be fitted (too few unmasked pixels).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct LineRatios {
    pub nii_ha: f64,
    pub sii_ha: f64,
    pub oi_ha: f64,
    pub oiii_hb: f64,
    pub oii_hb: f64,
}

impl LineRatios {
    /// The ratios' names, in the order of [`values`](Self::values).
    pub const NAMES: [&'static str; 5] =
        ["[NII]/Hα", "[SII]/Hα", "[OI]/Hα", "[OIII]/Hβ", "[OII]/Hβ"];

    pub fn values(&self) -> [f64; 5] {
        [
            self.nii_ha,
            self.sii_ha,
            self.oi_ha,
            self.oiii_hb,
            self.oii_hb,
        ]
    }
}

/// A ratio as tables show it: "+0.52", or "—" where it was not measured.
pub fn ratio_text(v: f64) -> String {
    if v.is_finite() {
        format!("{v:+.2}")
    } else {
        "—".into()
    }
}

/// A line's (flux, error), or a doublet's summed.
type Flux = Option<(f64, f64)>;

/// Detections below this many σ give no ratio.
const MIN_NSIGMA: f64 = 2.0;

fn log_ratio(a: Flux, b: Flux) -> f64 {
    let detected = |l: Flux| {
        l.filter(|&(f, e)| f > MIN_NSIGMA * e && f > 0.0)
            .map(|l| l.0)
    };
    match (detected(a), detected(b)) {
        (Some(a), Some(b)) => (a / b).log10(),
        _ => f64::NAN,
    }
}

/// The summed flux of lines `fits` and its error.
fn summed(fits: &[LineFit]) -> (f64, f64) {
    let flux = fits.iter().map(|l| l.flux).sum();
    let err = fits.iter().map(|l| l.err.powi(2)).sum::<f64>().sqrt();
    (flux, err)
}

/// Line ratios of a rest-frame spectrum `flux` on `grid` with inverse variances `ivar` (0 where
/// masked; only their relative sizes matter). [S II] is the doublet's sum; [O II] λλ3726,3729,
/// a blend at the grid's resolution, is fitted as one line.
pub fn line_ratios(grid: &Bins, flux: &[f32], ivar: &[f64]) -> LineRatios {
    let fit = Fit { grid, flux, ivar };
    let one = |l: Option<LineFit>| l.map(|l| summed(&[l]));
    // Hβ, [O III], Hα and [N II] as the classification measures them.
    let bpt = bpt_lines(&fit);
    let (h_beta, oiii, h_alpha, nii) = (
        one(bpt.h_beta),
        one(bpt.oiii),
        one(bpt.h_alpha),
        one(bpt.nii),
    );
    let sii = fit
        .lines(6680.0, 6770.0, &[narrow(lam::SII_A), narrow(lam::SII_B)])
        .map(|f| summed(&f));
    let oi = fit
        .lines(6260.0, 6340.0, &[narrow(lam::OI_A)])
        .map(|f| summed(&f));
    // The doublet as one line: its mean wavelength, and its width widened by the half-separation
    // (one line's width alone loses ~9% of the blend's flux).
    let (c, s) = narrow(0.5 * (lam::OII_A + lam::OII_B));
    let half_gap = 0.5 * (lam::OII_B - lam::OII_A);
    let oii = fit
        .lines(3690.0, 3770.0, &[(c, s.hypot(half_gap))])
        .map(|f| summed(&f));
    LineRatios {
        nii_ha: log_ratio(nii, h_alpha),
        sii_ha: log_ratio(sii, h_alpha),
        oi_ha: log_ratio(oi, h_alpha),
        oiii_hb: log_ratio(oiii, h_beta),
        oii_hb: log_ratio(oii, h_beta),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectro::lines::{SIGMA_INSTRUMENT, sigma_angstrom};

    fn width(c: f64) -> f64 {
        sigma_angstrom(c, (100.0f64.powi(2) + SIGMA_INSTRUMENT.powi(2)).sqrt())
    }

    /// A flat continuum with lines of known ratios, noiseless: each ratio comes back to 0.01
    /// dex, also with the stars' Balmer absorption under the emission.
    #[test]
    fn known_ratios_come_back() {
        let g = Bins::standard();
        let mut s = vec![1.0; g.len()];
        let (ha, hb) = (20.0, 20.0 / 2.86);
        let lines = [
            (lam::H_ALPHA, ha),
            (lam::H_BETA, hb),
            (lam::NII_B, ha * 10f64.powf(-0.4)),
            (lam::NII_A, ha * 10f64.powf(-0.4) / 3.05),
            (lam::SII_A, ha * 10f64.powf(-0.5) * 0.57),
            (lam::SII_B, ha * 10f64.powf(-0.5) * 0.43),
            (lam::OI_A, ha * 10f64.powf(-1.3)),
            (lam::OIII_B, hb * 10f64.powf(0.3)),
            (lam::OII_A, hb * 10f64.powf(0.4) * 0.45),
            (lam::OII_B, hb * 10f64.powf(0.4) * 0.55),
        ];
        for c in [lam::H_ALPHA, lam::H_BETA] {
            g.absorb(&mut s, c, 0.002 * c, 0.2);
        }
        for (c, f) in lines {
            g.add_line(&mut s, c, width(c), f);
        }
        let flux: Vec<f32> = s.iter().map(|&v| v as f32).collect();
        // As if σ = 1% of the continuum: every line detected.
        let r = line_ratios(&g, &flux, &vec![1e4; g.len()]);
        for (name, got, want) in [
            ("[NII]/Hα", r.nii_ha, -0.4),
            ("[SII]/Hα", r.sii_ha, -0.5),
            ("[OI]/Hα", r.oi_ha, -1.3),
            ("[OIII]/Hβ", r.oiii_hb, 0.3),
            ("[OII]/Hβ", r.oii_hb, 0.4),
        ] {
            assert!((got - want).abs() < 0.01, "{name}: {got:.3}, want {want}");
        }
    }

    /// No lines (a flat spectrum), or every pixel masked: no ratios, not a number made up.
    #[test]
    fn no_lines_no_ratios() {
        let g = Bins::standard();
        let flat = vec![1.0f32; g.len()];
        let r = line_ratios(&g, &flat, &vec![1e4; g.len()]);
        assert!(r.values().iter().all(|v| v.is_nan()), "{r:?}");
        let r = line_ratios(&g, &flat, &vec![0.0; g.len()]);
        assert!(r.values().iter().all(|v| v.is_nan()), "{r:?}");
    }
}
