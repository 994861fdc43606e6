//! Stellar-population and AGN continuum templates on the rest-frame grid, each normalised to
//! unit flux density at 5500 Å. Analytic stand-ins for population-synthesis spectra: blackbody
//! continua shaped by the 4000 Å break, the Balmer jump and the absorption features an
//! astronomer looks for (Ca II H&K, G band, Mg b, Na D, Balmer series, TiO bands).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::physics::{Grid, lam, planck, sigma_angstrom};

/// Velocity dispersions (km/s) at which the old population is precomputed.
pub const VDISP_LEVELS: [f64; 6] = [50.0, 100.0, 150.0, 200.0, 260.0, 340.0];

/// Instrumental resolution of the SDSS spectrographs (km/s, σ).
pub const SIGMA_INSTRUMENT: f64 = 65.0;

/// The fixed templates every spectrum is built from.
pub struct Templates {
    /// Old (~10 Gyr) population at each of [`VDISP_LEVELS`].
    pub old: Vec<Vec<f64>>,
    /// Intermediate-age (A-star dominated, ~0.3–1 Gyr) population.
    pub young_a: Vec<f64>,
    /// Very young (OB-star dominated) population.
    pub young_ob: Vec<f64>,
    /// AGN power law, f_λ ∝ λ^−1.5.
    pub power_law: Vec<f64>,
    /// Fe II pseudo-continuum of broad-line AGN (unit peak).
    pub fe_ii: Vec<f64>,
}

fn at_5500(grid: &Grid, s: &[f64]) -> f64 {
    let k = grid.bins_near(5500.0, 30.0);
    let v: Vec<f64> = k.map(|k| s[k]).collect();
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn normalised(grid: &Grid, mut s: Vec<f64>) -> Vec<f64> {
    let c = at_5500(grid, &s);
    s.iter_mut().for_each(|v| *v /= c);
    s
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// A molecular band: depth `depth` at the band head, fading linearly over `width` Å redwards.
pub fn band(grid: &Grid, s: &mut [f64], head: f64, width: f64, depth: f64) {
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

/// A weak-metal-line forest, the same for every galaxy (fixed seed).
fn metal_forest() -> Vec<(f64, f64)> {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_f0e5);
    (0..160)
        .map(|_| {
            // More lines in the blue, as in real spectra.
            let u: f64 = rng.random();
            let l = 3400.0 + 4900.0 * u * u;
            let depth = rng.random_range(0.01..0.05) * if l < 4500.0 { 1.5 } else { 1.0 };
            (l, depth)
        })
        .collect()
}

impl Templates {
    pub fn new(grid: &Grid) -> Self {
        let forest = metal_forest();
        let old = VDISP_LEVELS
            .iter()
            .map(|&vd| {
                let mut s: Vec<f64> = grid.lam.iter().map(|&l| planck(l, 4700.0)).collect();
                // The 4000 Å break (D4000 ≈ 1.9) and line blanketing in the near UV.
                for (k, v) in s.iter_mut().enumerate() {
                    let l = grid.lam[k];
                    let d = 1.0 / 1.9 + (1.0 - 1.0 / 1.9) * sigmoid((l - 4000.0) / 12.0);
                    *v *= d * (0.88 + 0.12 * sigmoid((l - 3700.0) / 40.0));
                }
                for &(c, s0, depth) in OLD_FEATURES {
                    grid.absorb(&mut s, c, broadened(c, s0, vd), depth);
                }
                for &(c, depth) in &forest {
                    grid.absorb(&mut s, c, broadened(c, 1.5, vd), depth);
                }
                normalised(grid, s)
            })
            .collect();

        let mut a: Vec<f64> = grid.lam.iter().map(|&l| planck(l, 9500.0)).collect();
        for (k, v) in a.iter_mut().enumerate() {
            // Balmer jump at 3646 Å.
            *v *= 0.5 + 0.5 * sigmoid((grid.lam[k] - 3660.0) / 12.0);
        }
        for &(c, depth) in BALMER {
            // Pressure-broadened profiles: a core plus wide wings.
            grid.absorb(&mut a, c, broadened(c, 6.0, 80.0), 0.6 * depth);
            grid.absorb(&mut a, c, broadened(c, 22.0, 80.0), 0.45 * depth);
        }
        grid.absorb(&mut a, lam::CA_K, broadened(lam::CA_K, 3.0, 80.0), 0.10);
        let young_a = normalised(grid, a);

        let mut ob: Vec<f64> = grid.lam.iter().map(|&l| planck(l, 25_000.0)).collect();
        for &(c, depth) in BALMER {
            grid.absorb(&mut ob, c, broadened(c, 10.0, 80.0), 0.25 * depth);
        }
        grid.absorb(&mut ob, 4471.5, broadened(4471.5, 3.0, 80.0), 0.04);
        let young_ob = normalised(grid, ob);

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
        Templates {
            old,
            young_a,
            young_ob,
            power_law,
            fe_ii,
        }
    }

    /// The old population at velocity dispersion `vdisp`, interpolated between levels.
    pub fn old_at(&self, vdisp: f64, out: &mut [f64]) {
        let v = vdisp.clamp(VDISP_LEVELS[0], VDISP_LEVELS[VDISP_LEVELS.len() - 1]);
        let i = VDISP_LEVELS
            .windows(2)
            .position(|w| v <= w[1])
            .unwrap_or(VDISP_LEVELS.len() - 2);
        let t = (v - VDISP_LEVELS[i]) / (VDISP_LEVELS[i + 1] - VDISP_LEVELS[i]);
        for (k, o) in out.iter_mut().enumerate() {
            *o = (1.0 - t) * self.old[i][k] + t * self.old[i + 1][k];
        }
    }
}

/// A stellar spectrum of effective temperature `temp` (K), at rest, unit flux at 5500 Å:
/// Balmer lines for hot stars, metal lines for cool ones, TiO bands for M dwarfs.
pub fn star(grid: &Grid, temp: f64) -> Vec<f64> {
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
    fn old_population_has_a_4000_break_and_ca_hk() {
        let g = Grid::standard();
        let t = Templates::new(&g);
        let mean = |s: &[f64], a: f64, b: f64| {
            let v: Vec<f64> = (0..g.len())
                .filter(|&k| g.lam[k] > a && g.lam[k] < b)
                .map(|k| s[k])
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        let old = &t.old[2];
        // D4000 (Bruzual 1983 bands): red/blue > 1.6 for an old population, < 1.3 for young.
        let d4000 = |s: &[f64]| mean(s, 4050.0, 4250.0) / mean(s, 3750.0, 3950.0);
        assert!(d4000(old) > 1.6, "{}", d4000(old));
        assert!(d4000(&t.young_a) < 1.3, "{}", d4000(&t.young_a));
        // Ca K is a local minimum.
        let k = g.bins_near(lam::CA_K, 0.1).start;
        assert!(old[k] < old[k - 4] && old[k] < old[k + 4]);
        let m = star(&g, 3400.0);
        assert!(m.iter().all(|v| v.is_finite() && *v > 0.0));
    }
}
