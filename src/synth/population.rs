//! Drawing galaxies: type, redshift, brightness, stellar populations, dust, kinematics and
//! emission-line ratios, with distributions like the SDSS main galaxy sample.

use rand::Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma, Normal};

use super::physics::{kauffmann03, kewley01};

/// What the generator intends a spectrum to be (stored as `truth_kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i64)]
pub enum Kind {
    Passive = 0,
    StarForming = 1,
    /// Between the Kauffmann (2003) and Kewley (2001) lines.
    Composite = 2,
    Seyfert = 3,
    Liner = 4,
    BroadLineAgn = 5,
    /// A star given a galaxy's redshift (an injected oddity).
    Star = 6,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Passive => "passive",
            Kind::StarForming => "star-forming",
            Kind::Composite => "composite",
            Kind::Seyfert => "Seyfert",
            Kind::Liner => "LINER",
            Kind::BroadLineAgn => "broad-line AGN",
            Kind::Star => "star",
        }
    }
}

/// Intended mix of galaxy types (the measured classes come out near the paper's fractions).
const KIND_MIX: [(Kind, f64); 6] = [
    (Kind::Passive, 0.33),
    (Kind::StarForming, 0.46),
    (Kind::Composite, 0.04),
    (Kind::Seyfert, 0.08),
    (Kind::Liner, 0.045),
    (Kind::BroadLineAgn, 0.045),
];

/// Apparent continuum flux density at 5500 Å rest of the faintest galaxies (1e-17 cgs).
pub const FLUX_LIMIT: f64 = 9.0;
/// The survey's redshift cut.
pub const Z_MAX: f64 = 0.36;

/// Narrow emission-line parameters (observed, i.e. after dust, ratios).
#[derive(Clone, Debug)]
pub struct NarrowLines {
    /// Equivalent width of Hα emission (Å).
    pub ha_ew: f64,
    pub log_nii_ha: f64,
    pub log_oiii_hb: f64,
    pub log_oii_hb: f64,
    pub log_sii_ha: f64,
    pub log_oi_ha: f64,
    pub log_neiii_hb: f64,
    /// Gas velocity dispersion (km/s).
    pub sigma_gas: f64,
}

/// Broad-line region and accretion-disc continuum of a type-1 AGN.
#[derive(Clone, Debug)]
pub struct BroadLines {
    /// Fraction of the 5500 Å continuum from the AGN power law.
    pub f_agn: f64,
    /// FWHM of the broad Balmer lines (km/s).
    pub fwhm: f64,
    /// Equivalent width of broad Hα against the AGN continuum (Å).
    pub ha_ew: f64,
    /// Broad Hα/Hβ.
    pub decrement: f64,
    /// Fe II pseudo-continuum amplitude relative to the power law.
    pub fe_ii: f64,
}

/// One galaxy (or star) to be synthesised.
#[derive(Clone, Debug)]
pub struct Galaxy {
    pub kind: Kind,
    pub z: f64,
    /// Continuum flux density at 5500 Å rest (1e-17 erg s⁻¹ cm⁻² Å⁻¹).
    pub flux5500: f64,
    /// Fraction of the 5500 Å stellar light from young stars, and the OB share of that.
    pub young_frac: f64,
    pub ob_frac: f64,
    /// Nebular E(B−V); the stars see 0.44 of it (Calzetti 2000).
    pub ebv: f64,
    /// Stellar velocity dispersion (km/s).
    pub vdisp: f64,
    pub lines: Option<NarrowLines>,
    pub broad: Option<BroadLines>,
    /// Effective temperature, for stars.
    pub star_temp: Option<f64>,
}

fn beta<R: Rng>(rng: &mut R, a: f64, b: f64) -> f64 {
    Beta::new(a, b)
        .map(|d| d.sample(rng))
        .unwrap_or(a / (a + b))
}

fn normal<R: Rng>(rng: &mut R, mu: f64, sigma: f64) -> f64 {
    Normal::new(mu, sigma).map(|d| d.sample(rng)).unwrap_or(mu)
}

fn lognormal10<R: Rng>(rng: &mut R, log_mu: f64, log_sigma: f64) -> f64 {
    10f64.powf(normal(rng, log_mu, log_sigma))
}

/// Redshift from a gamma distribution, cut at [`Z_MAX`] like the paper's sample.
fn draw_z<R: Rng>(rng: &mut R, scale: f64) -> f64 {
    let g = Gamma::new(2.8, 0.04 * scale).ok();
    for _ in 0..1000 {
        let z = g.map(|g| g.sample(rng)).unwrap_or(0.1);
        if (0.005..Z_MAX).contains(&z) {
            return z;
        }
    }
    0.1
}

/// Apparent brightness of a magnitude-limited sample: Euclidean counts, dN/dm ∝ 10^(0.6 m).
fn draw_flux<R: Rng>(rng: &mut R) -> f64 {
    let exp = Exp::new(0.6 * std::f64::consts::LN_10).ok();
    let dm = exp.map(|e| e.sample(rng)).unwrap_or(0.5).min(4.0);
    FLUX_LIMIT * 10f64.powf(0.4 * dm)
}

fn pick_kind<R: Rng>(rng: &mut R) -> Kind {
    let total: f64 = KIND_MIX.iter().map(|k| k.1).sum();
    let mut u = rng.random::<f64>() * total;
    for &(k, p) in &KIND_MIX {
        if u < p {
            return k;
        }
        u -= p;
    }
    Kind::Passive
}

/// Draws one galaxy of a random type.
pub fn draw_galaxy<R: Rng>(rng: &mut R) -> Galaxy {
    let kind = pick_kind(rng);
    draw_of_kind(rng, kind)
}

/// Draws one galaxy of a given type.
pub fn draw_of_kind<R: Rng>(rng: &mut R, kind: Kind) -> Galaxy {
    let flux5500 = draw_flux(rng);
    let sigma_gas = normal(rng, 70.0, 15.0).clamp(30.0, 150.0);
    match kind {
        Kind::Passive => {
            let vdisp = lognormal10(rng, 2.25, 0.12).clamp(60.0, 340.0);
            // Weak LINER-like emission, as in many early-type galaxies.
            let lines = NarrowLines {
                ha_ew: lognormal10(rng, -0.6, 0.45),
                log_nii_ha: normal(rng, 0.1, 0.15),
                log_oiii_hb: normal(rng, 0.1, 0.2),
                log_oii_hb: normal(rng, 0.7, 0.15),
                log_sii_ha: normal(rng, -0.2, 0.1),
                log_oi_ha: normal(rng, -0.8, 0.15),
                log_neiii_hb: normal(rng, -0.3, 0.15),
                sigma_gas: sigma_gas + 50.0,
            };
            Galaxy {
                kind,
                z: draw_z(rng, 1.1),
                flux5500,
                young_frac: beta(rng, 1.2, 12.0),
                ob_frac: 0.0,
                ebv: 0.08 * rng.random::<f64>(),
                vdisp,
                lines: Some(lines),
                broad: None,
                star_temp: None,
            }
        }
        Kind::StarForming => {
            // Metallicity sets the position along the star-forming sequence of the BPT diagram.
            let t = beta(rng, 3.0, 1.5);
            let x = -1.35 + 0.95 * t + normal(rng, 0.0, 0.05);
            let y = kauffmann03(x) - 0.15 - normal(rng, 0.0, 0.1).abs();
            let lines = NarrowLines {
                ha_ew: lognormal10(rng, 1.45, 0.33),
                log_nii_ha: x,
                log_oiii_hb: y,
                log_oii_hb: normal(rng, 0.45 - 0.4 * t, 0.1),
                log_sii_ha: normal(rng, -0.65 + 0.25 * t, 0.08),
                log_oi_ha: normal(rng, -1.6 + 0.3 * t, 0.1),
                log_neiii_hb: normal(rng, -0.6 - 0.6 * t, 0.1),
                sigma_gas,
            };
            Galaxy {
                kind,
                z: draw_z(rng, 0.9),
                flux5500,
                young_frac: beta(rng, 5.0, 2.5),
                ob_frac: beta(rng, 2.0, 3.0),
                ebv: Gamma::<f64>::new(2.0, 0.15)
                    .map(|g| g.sample(rng))
                    .unwrap_or(0.3)
                    .min(1.2),
                vdisp: lognormal10(rng, 1.9, 0.12).clamp(40.0, 200.0),
                lines: Some(lines),
                broad: None,
                star_temp: None,
            }
        }
        Kind::Composite => {
            let x = rng.random_range(-0.45..-0.1);
            let u: f64 = rng.random_range(0.1..0.9);
            let y = kauffmann03(x) + u * (kewley01(x) - kauffmann03(x));
            let lines = NarrowLines {
                ha_ew: lognormal10(rng, 1.1, 0.3),
                log_nii_ha: x,
                log_oiii_hb: y,
                log_oii_hb: normal(rng, 0.35, 0.12),
                log_sii_ha: normal(rng, -0.45, 0.1),
                log_oi_ha: normal(rng, -1.25, 0.12),
                log_neiii_hb: normal(rng, -0.8, 0.15),
                sigma_gas,
            };
            Galaxy {
                kind,
                z: draw_z(rng, 1.0),
                flux5500,
                young_frac: beta(rng, 3.0, 3.0),
                ob_frac: beta(rng, 1.5, 4.0),
                ebv: Gamma::<f64>::new(2.0, 0.12)
                    .map(|g| g.sample(rng))
                    .unwrap_or(0.25)
                    .min(1.0),
                vdisp: lognormal10(rng, 2.05, 0.12).clamp(50.0, 260.0),
                lines: Some(lines),
                broad: None,
                star_temp: None,
            }
        }
        Kind::Seyfert | Kind::BroadLineAgn => {
            let x = normal(rng, -0.05, 0.15).clamp(-0.45, 0.45);
            let y = normal(rng, 0.85, 0.18)
                .clamp(0.3, 1.3)
                .max(kewley01(x.min(0.4)) + 0.1);
            let lines = NarrowLines {
                ha_ew: lognormal10(rng, 1.2, 0.3),
                log_nii_ha: x,
                log_oiii_hb: y,
                log_oii_hb: normal(rng, 0.4, 0.15),
                log_sii_ha: normal(rng, -0.35, 0.12),
                log_oi_ha: normal(rng, -1.0, 0.15),
                log_neiii_hb: normal(rng, -0.2, 0.15),
                sigma_gas: sigma_gas + 60.0,
            };
            let broad = (kind == Kind::BroadLineAgn).then(|| BroadLines {
                f_agn: rng.random_range(0.3..0.85),
                fwhm: lognormal10(rng, 3.55, 0.15).clamp(1500.0, 12_000.0),
                ha_ew: lognormal10(rng, 2.45, 0.2),
                decrement: lognormal10(rng, 0.5, 0.08),
                fe_ii: rng.random_range(0.05..0.25),
            });
            Galaxy {
                kind,
                z: draw_z(rng, if broad.is_some() { 1.5 } else { 1.05 }),
                flux5500: if broad.is_some() {
                    flux5500 * 1.3
                } else {
                    flux5500
                },
                young_frac: beta(rng, 2.0, 4.0),
                ob_frac: beta(rng, 1.5, 4.0),
                ebv: Gamma::<f64>::new(2.0, 0.08)
                    .map(|g| g.sample(rng))
                    .unwrap_or(0.15)
                    .min(0.8),
                vdisp: lognormal10(rng, 2.15, 0.12).clamp(60.0, 300.0),
                lines: Some(lines),
                broad,
                star_temp: None,
            }
        }
        Kind::Liner => {
            let lines = NarrowLines {
                ha_ew: lognormal10(rng, 0.75, 0.25),
                log_nii_ha: normal(rng, 0.12, 0.12),
                log_oiii_hb: normal(rng, 0.15, 0.15),
                log_oii_hb: normal(rng, 0.7, 0.15),
                log_sii_ha: normal(rng, -0.2, 0.1),
                log_oi_ha: normal(rng, -0.8, 0.15),
                log_neiii_hb: normal(rng, -0.3, 0.15),
                sigma_gas: sigma_gas + 60.0,
            };
            Galaxy {
                kind,
                z: draw_z(rng, 1.1),
                flux5500,
                young_frac: beta(rng, 1.5, 8.0),
                ob_frac: 0.0,
                ebv: 0.15 * rng.random::<f64>(),
                vdisp: lognormal10(rng, 2.25, 0.1).clamp(80.0, 340.0),
                lines: Some(lines),
                broad: None,
                star_temp: None,
            }
        }
        Kind::Star => Galaxy {
            kind,
            z: draw_z(rng, 1.0),
            flux5500,
            young_frac: 0.0,
            ob_frac: 0.0,
            ebv: 0.0,
            vdisp: 0.0,
            lines: None,
            broad: None,
            star_temp: Some(if rng.random::<f64>() < 0.5 {
                rng.random_range(3200.0..4000.0)
            } else {
                rng.random_range(4000.0..9500.0)
            }),
        },
    }
}
