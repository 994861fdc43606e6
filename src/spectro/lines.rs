//! Rest wavelengths (vacuum, as SDSS and DESI use), the speed of light and the instrumental
//! resolution the line fits assume.

/// Speed of light (km/s).
pub const C_KMS: f64 = 299_792.458;

/// Instrumental resolution of the SDSS spectrographs (km/s, σ).
pub const SIGMA_INSTRUMENT: f64 = 65.0;

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

/// Width (Å) of a line at `lam` with velocity dispersion `sigma_kms`.
pub fn sigma_angstrom(lam: f64, sigma_kms: f64) -> f64 {
    lam * sigma_kms / C_KMS
}

/// Rest wavelengths (vacuum Å) of the emission lines whose windows count as "lines".
pub const EMISSION_LINES: [f64; 17] = [
    lam::OII_A,
    lam::OII_B,
    lam::NEIII,
    lam::H_EPS,
    lam::H_DELTA,
    lam::H_GAMMA,
    lam::H_BETA,
    lam::OIII_A,
    lam::OIII_B,
    lam::HEI,
    lam::OI_A,
    lam::OI_B,
    lam::NII_A,
    lam::H_ALPHA,
    lam::NII_B,
    lam::SII_A,
    lam::SII_B,
];

/// Half width (Å) of an emission line's window: ±8 Å holds a line of σ ≈ 250 km/s to 2σ at
/// Hα and [O III] 5007 Å to 3σ at 160 km/s.
pub const LINE_HALF_WIDTH: f64 = 8.0;

/// Which of `wavelengths` lie in an emission line's window.
pub fn line_windows(wavelengths: &[f64]) -> Vec<bool> {
    wavelengths
        .iter()
        .map(|&l| {
            EMISSION_LINES
                .iter()
                .any(|&c| (l - c).abs() < LINE_HALF_WIDTH)
        })
        .collect()
}
