//! Injected oddities like those Portillo et al. found among their outliers: stars given a
//! galaxy's redshift, and data artefacts (spikes, dropouts, flux-calibration jumps, sky
//! residuals). Each is recorded in `truth_oddity` so outlier detection can be scored.

use rand::Rng;

use super::observe::{Observatory, Observed};
use crate::spectro::bins::Bins;

/// `truth_oddity` codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i64)]
pub enum Oddity {
    None = 0,
    /// A star whose catalogue redshift is a galaxy's (its features land at wrong wavelengths).
    Star = 1,
    /// Unmasked spikes of a few pixels.
    Spike = 2,
    /// A stretch of pixels with no signal, unmasked.
    Dropout = 3,
    /// The blue and red cameras disagree in flux scale.
    CalibrationJump = 4,
    /// Badly subtracted sky lines.
    SkyResidual = 5,
}

impl Oddity {
    pub fn label(self) -> &'static str {
        match self {
            Oddity::None => "none",
            Oddity::Star => "star with a galaxy redshift",
            Oddity::Spike => "spike",
            Oddity::Dropout => "dropout",
            Oddity::CalibrationJump => "flux-calibration jump",
            Oddity::SkyResidual => "sky residual",
        }
    }

    /// Draws an oddity type with Portillo-like proportions.
    pub fn draw<R: Rng>(rng: &mut R) -> Oddity {
        let u: f64 = rng.random();
        match u {
            u if u < 0.35 => Oddity::Star,
            u if u < 0.55 => Oddity::Spike,
            u if u < 0.75 => Oddity::Dropout,
            u if u < 0.90 => Oddity::CalibrationJump,
            _ => Oddity::SkyResidual,
        }
    }
}

/// Observed wavelength (Å) where SDSS's dichroic splits the blue and red cameras.
const DICHROIC: f64 = 6000.0;

/// Applies a flux-calibration jump to a noiseless rest-frame spectrum before it is observed.
pub fn calibration_jump<R: Rng>(grid: &Bins, rest: &mut [f64], z: f64, rng: &mut R) {
    let factor = if rng.random::<bool>() {
        rng.random_range(0.35..0.65)
    } else {
        rng.random_range(1.6..2.6)
    };
    for (k, v) in rest.iter_mut().enumerate() {
        if grid.lam[k] * (1.0 + z) < DICHROIC {
            *v *= factor;
        }
    }
}

/// Applies an artefact to an observed spectrum.
pub fn apply_artefact<R: Rng>(
    kind: Oddity,
    obs: &Observatory,
    grid: &Bins,
    o: &mut Observed,
    z: f64,
    flux5500: f64,
    rng: &mut R,
) {
    let n = o.flux.len();
    let good: Vec<usize> = (0..n).filter(|&k| !o.mask[k]).collect();
    if good.len() < 250 {
        return;
    }
    match kind {
        Oddity::Spike => {
            for _ in 0..rng.random_range(1..4) {
                let k = good[rng.random_range(0..good.len() - 3)];
                let amp = flux5500 * rng.random_range(5.0..30.0);
                for j in k..(k + rng.random_range(1..4)).min(n) {
                    if !o.mask[j] {
                        o.flux[j] += amp as f32;
                    }
                }
            }
        }
        Oddity::Dropout => {
            let len = rng.random_range(40..200).min(good.len() / 2);
            let start = good[rng.random_range(0..good.len() - len)];
            for j in start..(start + len).min(n) {
                if !o.mask[j] {
                    o.flux[j] = (f64::from(o.err[j]) * rng.random_range(-1.0..1.0)) as f32;
                }
            }
        }
        Oddity::SkyResidual => {
            let shift = (1.0 + z).log10();
            let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
            let scale = rng.random_range(4.0..10.0);
            for &k in &good {
                let ll = grid.lam[k].log10() + shift;
                let excess = (obs.sky_var(ll) - obs.sky_var(3.70)).max(0.0);
                o.flux[k] += (sign * scale * excess.sqrt() * 3.0) as f32;
            }
        }
        Oddity::None | Oddity::Star | Oddity::CalibrationJump => {}
    }
}
