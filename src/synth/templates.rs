//! Analytic templates on the rest-frame grid for what the stellar-population tables do not
//! hold: the AGN power law and Fe II pseudo-continuum, and single stars (an injected oddity:
//! blackbodies with Balmer lines, metal lines and TiO bands), normalised at 5500 Å.

use super::physics::planck;
use crate::spectro::bins::Bins;
use crate::spectro::lines::{SIGMA_INSTRUMENT, lam, sigma_angstrom};

/// The AGN continuum templates.
pub struct Templates {
    /// AGN power law, f_λ ∝ λ^−1.5.
    pub power_law: Vec<f64>,
    /// Fe II pseudo-continuum of broad-line AGN (unit peak).
    pub fe_ii: Vec<f64>,
}

fn at_5500(grid: &Bins, s: &[f64]) -> f64 {
    let k = grid.bins_near(5500.0, 30.0);
    let v: Vec<f64> = k.map(|k| s[k]).collect();
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn normalised(grid: &Bins, mut s: Vec<f64>) -> Vec<f64> {
    let c = at_5500(grid, &s);
    s.iter_mut().for_each(|v| *v /= c);
    s
}

/// A molecular band: depth `depth` at the band head, fading linearly over `width` Å redwards.
pub fn band(grid: &Bins, s: &mut [f64], head: f64, width: f64, depth: f64) {
    for k in grid.bins_near(head + width / 2.0, width / 2.0 + 5.0) {
        let l = grid.lam[k];
        if l >= head && l <= head + width {
            s[k] *= 1.0 - depth * (1.0 - (l - head) / width);
        }
    }
}

/// Effective σ (Å) of a feature of intrinsic width `sigma0` at `lam0` seen with `vdisp`.
fn broadened(lam0: f64, sigma0: f64, vdisp: f64) -> f64 {
    let v = sigma_angstrom(
        lam0,
        (vdisp * vdisp + SIGMA_INSTRUMENT * SIGMA_INSTRUMENT).sqrt(),
    );
    (sigma0 * sigma0 + v * v).sqrt()
}

const OLD_FEATURES: &[(f64, f64, f64)] = &[
    // (centre Å, intrinsic σ Å, depth)
    (lam::CA_K, 5.0, 0.55),
    (lam::CA_H, 5.0, 0.45),
    (3890.2, 3.0, 0.08),
    (lam::H_DELTA, 4.0, 0.10),
    (4180.0, 18.0, 0.06),
    (lam::G_BAND, 10.0, 0.20),
    (lam::H_GAMMA, 4.0, 0.10),
    (4384.0, 5.0, 0.12),
    (4456.0, 5.0, 0.06),
    (4531.0, 5.0, 0.06),
    (4668.0, 9.0, 0.08),
    (lam::H_BETA, 4.0, 0.08),
    (5015.0, 7.0, 0.05),
    (lam::MG_B, 9.0, 0.17),
    (5270.0, 5.0, 0.08),
    (5335.0, 5.0, 0.07),
    (5406.0, 4.0, 0.05),
    (lam::NA_D, 5.0, 0.15),
    (6162.0, 4.0, 0.04),
    (lam::H_ALPHA, 4.0, 0.07),
    (7100.0, 30.0, 0.05),
];

const BALMER: &[(f64, f64)] = &[
    // (centre Å, relative depth) of the higher Balmer series in A stars
    (3751.2, 0.20),
    (3771.7, 0.22),
    (3799.0, 0.25),
    (3836.5, 0.28),
    (3890.2, 0.30),
    (lam::H_EPS, 0.32),
    (lam::H_DELTA, 0.36),
    (lam::H_GAMMA, 0.36),
    (lam::H_BETA, 0.34),
    (lam::H_ALPHA, 0.26),
];

impl Templates {
    pub fn new(grid: &Bins) -> Self {
        let power_law = grid.lam.iter().map(|&l| (l / 5500.0).powf(-1.5)).collect();
        let mut fe_ii = vec![0.0; grid.len()];
        for &(c, s, amp) in &[
            (4558.0, 60.0, 1.0),
            (5250.0, 70.0, 0.8),
            (4924.0, 12.0, 0.5),
            (5018.0, 12.0, 0.5),
            (5169.0, 12.0, 0.5),
        ] {
            grid.add_line(
                &mut fe_ii,
                c,
                s,
                amp * s * (2.0 * std::f64::consts::PI).sqrt(),
            );
        }
        Templates { power_law, fe_ii }
    }
}

/// A stellar spectrum of effective temperature `temp` (K), at rest, unit flux at 5500 Å:
/// Balmer lines for hot stars, metal lines for cool ones, TiO bands for M dwarfs.
pub fn star(grid: &Bins, temp: f64) -> Vec<f64> {
    let mut s: Vec<f64> = grid.lam.iter().map(|&l| planck(l, temp)).collect();
    let balmer = 0.45 * (-((temp - 9500.0) / 2500.0).powi(2)).exp();
    let metal = ((6500.0 - temp) / 2500.0).clamp(0.1, 1.0);
    let tio = ((4000.0 - temp) / 600.0).clamp(0.0, 1.0);
    for &(c, depth) in BALMER {
        grid.absorb(&mut s, c, broadened(c, 5.0, 10.0), depth * balmer / 0.36);
    }
    for &(c, s0, depth) in OLD_FEATURES.iter().filter(|f| f.2 > 0.09) {
        grid.absorb(
            &mut s,
            c,
            broadened(c, s0 * 0.6, 10.0),
            (depth * 1.5 * metal).min(0.8),
        );
    }
    for &(head, width, depth) in &[
        (6159.0, 90.0, 0.30),
        (7054.0, 100.0, 0.45),
        (7589.0, 110.0, 0.40),
        (6651.0, 60.0, 0.15),
    ] {
        band(grid, &mut s, head, width, depth * tio);
    }
    normalised(grid, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_have_their_features_and_the_agn_templates_are_finite() {
        let g = Bins::standard();
        let t = Templates::new(&g);
        assert!(
            t.power_law
                .iter()
                .chain(&t.fe_ii)
                .all(|v| v.is_finite() && *v >= 0.0)
        );
        let m = star(&g, 3400.0);
        assert!(m.iter().all(|v| v.is_finite() && *v > 0.0));
        // Ca K is a local minimum of a cool star.
        let k = star(&g, 5000.0);
        let i = g.bins_near(lam::CA_K, 0.1).start;
        assert!(k[i] < k[i - 4] && k[i] < k[i + 4]);
    }
}
