//! Physical helpers for the synthetic survey: blackbodies, dust attenuation, the age of the
//! universe. (Line wavelengths, profiles and the BPT lines are in [`crate::spectro`], shared
//! with the readers of real spectra.)

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dust_reddens() {
        assert!(attenuation(4000.0, 0.3) < attenuation(7000.0, 0.3));
        assert!((attenuation(5500.0, 0.0) - 1.0).abs() < 1e-12);
        assert!(cf00_shape(4000.0) > 1.0 && (cf00_shape(5500.0) - 1.0).abs() < 1e-12);
        // 13.47 Gyr today and 10.05 Gyr at z = 0.3 for these parameters (flat ΛCDM, e.g.
        // Wright 2006's calculator).
        assert!((cosmic_age_yr(0.0) / 1e9 - 13.47).abs() < 0.02);
        assert!((cosmic_age_yr(0.3) / 1e9 - 10.05).abs() < 0.02);
    }
}
