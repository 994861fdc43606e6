//! Physical helpers for the synthetic survey: line profiles integrated over bins, blackbodies,
//! dust attenuation, vacuum rest wavelengths of the lines SDSS spectra show.

use crate::data::grid;

/// Speed of light (km/s).
pub const C_KMS: f64 = 299_792.458;

/// Vacuum rest wavelengths (Å), as SDSS uses.
pub mod lam {
    pub const OII_A: f64 = 3727.09;
    pub const OII_B: f64 = 3729.88;
    pub const H_EPS: f64 = 3971.20;
    pub const NEIII: f64 = 3869.86;
    pub const H_DELTA: f64 = 4102.89;
    pub const H_GAMMA: f64 = 4341.68;
    pub const H_BETA: f64 = 4862.68;
    pub const OIII_A: f64 = 4960.30;
    pub const OIII_B: f64 = 5008.24;
    pub const HEI: f64 = 5877.25;
    pub const OI_A: f64 = 6302.05;
    pub const OI_B: f64 = 6365.54;
    pub const NII_A: f64 = 6549.86;
    pub const H_ALPHA: f64 = 6564.61;
    pub const NII_B: f64 = 6585.28;
    pub const SII_A: f64 = 6718.29;
    pub const SII_B: f64 = 6732.67;
    pub const CA_K: f64 = 3934.78;
    pub const CA_H: f64 = 3969.59;
    pub const G_BAND: f64 = 4305.0;
    pub const MG_B: f64 = 5176.7;
    pub const NA_D: f64 = 5894.6;
}

/// The rest-frame grid with bin edges, for integrating profiles over bins.
#[derive(Clone, Debug)]
pub struct Grid {
    pub coeff0: f64,
    pub coeff1: f64,
    /// Bin centres (Å).
    pub lam: Vec<f64>,
    /// Bin edges (Å), `lam.len() + 1` of them.
    pub edges: Vec<f64>,
}

impl Grid {
    pub fn new(coeff0: f64, coeff1: f64, n: usize) -> Self {
        let lam = grid::wavelengths(coeff0, coeff1, n);
        let edges = (0..=n)
            .map(|k| 10f64.powf(coeff0 + coeff1 * (k as f64 - 0.5)))
            .collect();
        Self {
            coeff0,
            coeff1,
            lam,
            edges,
        }
    }

    pub fn standard() -> Self {
        Self::new(grid::COEFF0, grid::COEFF1, grid::N_BINS)
    }

    pub fn len(&self) -> usize {
        self.lam.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lam.is_empty()
    }

    /// Range of bins within `half_width` Å of `centre` (clipped to the grid).
    pub fn bins_near(&self, centre: f64, half_width: f64) -> std::ops::Range<usize> {
        let lo = grid::bin_of(self.coeff0, self.coeff1, (centre - half_width).max(1.0)).floor();
        let hi = grid::bin_of(self.coeff0, self.coeff1, centre + half_width).ceil() + 1.0;
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

/// Width (Å) of a line at `lam` with velocity dispersion `sigma_kms`.
pub fn sigma_angstrom(lam: f64, sigma_kms: f64) -> f64 {
    lam * sigma_kms / C_KMS
}

/// Planck's B_λ(T), up to a constant.
pub fn planck(lam: f64, temp: f64) -> f64 {
    let x = 1.438_776_9e8 / (lam * temp);
    lam.powi(-5) / x.exp_m1()
}

/// Calzetti et al. (2000) k(λ) (λ in Å), R_V = 4.05.
pub fn calzetti_k(lam: f64) -> f64 {
    let um = lam / 1e4;
    let k = if um >= 0.63 {
        2.659 * (-1.857 + 1.040 / um) + 4.05
    } else {
        2.659 * (-2.156 + 1.509 / um - 0.198 / um.powi(2) + 0.011 / um.powi(3)) + 4.05
    };
    k.max(0.0)
}

/// Transmission 10^(−0.4·E(B−V)·k(λ)).
pub fn attenuation(lam: f64, ebv: f64) -> f64 {
    10f64.powf(-0.4 * ebv * calzetti_k(lam))
}

/// Charlot & Fall (2000) attenuation curve shape, τ(λ)/τ_V = (λ/5500 Å)^−0.7.
pub fn cf00_shape(lam: f64) -> f64 {
    (lam / 5500.0).powf(-0.7)
}

/// Age of the universe (yr) at redshift `z` in flat ΛCDM, H0 = 70 km/s/Mpc, Ω_m = 0.3.
pub fn cosmic_age_yr(z: f64) -> f64 {
    let (h0, om) = (70.0, 0.3);
    let ol: f64 = 1.0 - om;
    // 1/H0 in years: 977.8 Gyr / h0.
    let hubble_time = 977.8e9 / h0;
    2.0 / (3.0 * ol.sqrt()) * hubble_time * ((ol / om).sqrt() * (1.0 + z).powf(-1.5)).asinh()
}

/// Kauffmann et al. (2003) star-forming / composite boundary.
pub fn kauffmann03(log_nii_ha: f64) -> f64 {
    0.61 / (log_nii_ha - 0.05) + 1.3
}

/// Kewley et al. (2001) maximum-starburst line, as astroML's `log_OIII_Hb_NII`.
pub fn kewley01(log_nii_ha: f64) -> f64 {
    0.61 / (log_nii_ha - 0.47) + 1.19
}

/// astroML's test: above the Kewley line (or right of its asymptote) is an AGN.
pub fn is_agn_bpt(log_nii_ha: f64, log_oiii_hb: f64) -> bool {
    log_nii_ha >= 0.47 || log_oiii_hb >= kewley01(log_nii_ha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_flux_is_conserved_on_the_grid() {
        let g = Grid::standard();
        let mut s = vec![0.0; g.len()];
        g.add_line(&mut s, lam::H_ALPHA, 2.0, 100.0);
        let total: f64 = (0..g.len()).map(|k| s[k] * g.width(k)).sum();
        assert!((total - 100.0).abs() < 1e-6, "{total}");
        let peak = (0..g.len()).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap();
        assert!((g.lam[peak] - lam::H_ALPHA).abs() < g.width(peak));
    }

    #[test]
    fn dust_reddens() {
        assert!(attenuation(4000.0, 0.3) < attenuation(7000.0, 0.3));
        assert!((attenuation(5500.0, 0.0) - 1.0).abs() < 1e-12);
        assert!(is_agn_bpt(0.0, 0.8) && !is_agn_bpt(-0.8, 0.0));
        assert!(cf00_shape(4000.0) > 1.0 && (cf00_shape(5500.0) - 1.0).abs() < 1e-12);
        // 13.47 Gyr today and 10.05 Gyr at z = 0.3 for these parameters (flat ΛCDM, e.g.
        // Wright 2006's calculator).
        assert!((cosmic_age_yr(0.0) / 1e9 - 13.47).abs() < 0.02);
        assert!((cosmic_age_yr(0.3) / 1e9 - 10.05).abs() < 0.02);
    }
}
