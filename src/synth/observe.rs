//! Observing a rest-frame spectrum through SDSS: 3800–9200 Å observed coverage, throughput,
//! sky (continuum, the 5577/5890/6300/6363 Å lines and the red OH forest), photon noise,
//! masked bad pixels and the odd pixel with a broken error.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson, StandardNormal};

use crate::spectro::bins::{Bins, cdf};

/// Observed-frame wavelength coverage of the SDSS spectrographs (Å).
pub const OBS_MIN: f64 = 3800.0;
pub const OBS_MAX: f64 = 9200.0;

/// Variance per unit flux (photon noise; 1e-17 cgs units).
const PHOTON_VAR: f64 = 0.035;
/// Sky continuum variance at 5000 Å.
const SKY_VAR: f64 = 0.3;

/// The observed-frame noise model, tabulated on a fine log-λ grid for speed.
pub struct Observatory {
    log_start: f64,
    log_step: f64,
    /// Sky variance averaged over one grid bin centred at each fine point.
    sky: Vec<f64>,
    /// Relative throughput at each fine point.
    throughput: Vec<f64>,
}

/// Bright sky lines (vacuum Å, relative strength in units of the sky continuum × Å).
fn sky_lines() -> Vec<(f64, f64)> {
    let mut v = vec![
        (5578.9, 160.0),
        (5891.6, 40.0),
        (5897.6, 30.0),
        (6302.0, 80.0),
        (6365.5, 28.0),
    ];
    // The OH forest: bands of lines that crowd the red end.
    let mut rng = ChaCha8Rng::seed_from_u64(0x0_4f48);
    for &(a, b, count) in &[
        (6830.0, 6980.0, 10),
        (7240.0, 7420.0, 12),
        (7520.0, 7720.0, 12),
        (7790.0, 8060.0, 16),
        (8280.0, 8500.0, 14),
        (8760.0, 9200.0, 18),
    ] {
        for _ in 0..count {
            v.push((rng.random_range(a..b), rng.random_range(8.0..70.0)));
        }
    }
    v
}

impl Observatory {
    /// Tabulates the model for bins of `grid`'s log width.
    pub fn new(grid: &Bins) -> Self {
        let log_step = grid.step() / 4.0;
        let log_start = (OBS_MIN - 50.0).log10();
        let n = (((OBS_MAX + 50.0).log10() - log_start) / log_step).ceil() as usize + 1;
        let lines = sky_lines();
        let half = grid.step() / 2.0;
        let mut sky = Vec::with_capacity(n);
        let mut throughput = Vec::with_capacity(n);
        for i in 0..n {
            let lc = log_start + log_step * i as f64;
            let (a, b) = (10f64.powf(lc - half), 10f64.powf(lc + half));
            let l = 10f64.powf(lc);
            let mut v = SKY_VAR * (0.8 + 0.5 * (l - 4000.0).max(0.0) / 5000.0);
            for &(c, s) in &lines {
                let sigma = 1.3;
                v += SKY_VAR * s * (cdf((b - c) / sigma) - cdf((a - c) / sigma)) / (b - a);
            }
            sky.push(v);
            // Blue and red throughput fall-off of the spectrographs.
            let t = (0.3 + 0.7 * ((l - 3800.0) / 500.0).clamp(0.0, 1.0))
                * (1.0 - 0.55 * ((l - 8400.0) / 800.0).clamp(0.0, 1.0));
            throughput.push(t);
        }
        Self {
            log_start,
            log_step,
            sky,
            throughput,
        }
    }

    fn lookup(&self, table: &[f64], log_lam: f64) -> f64 {
        let f = ((log_lam - self.log_start) / self.log_step).clamp(0.0, (table.len() - 2) as f64);
        let i = f.floor() as usize;
        let t = f - i as f64;
        table[i] * (1.0 - t) + table[i + 1] * t
    }

    /// The noise σ of a pixel of true flux `f` observed at `log10 λ_obs`.
    pub fn sigma(&self, f: f64, log_lam_obs: f64) -> f64 {
        let t = self.lookup(&self.throughput, log_lam_obs);
        let sky = self.lookup(&self.sky, log_lam_obs);
        ((PHOTON_VAR * f.max(0.0) + sky) / t).sqrt()
    }

    /// Sky variance at an observed wavelength (for sky-subtraction residuals).
    pub fn sky_var(&self, log_lam_obs: f64) -> f64 {
        self.lookup(&self.sky, log_lam_obs)
    }
}

/// One observed spectrum in the file's conventions (masked pixels hold 0 flux and 0 error).
pub struct Observed {
    pub flux: Vec<f32>,
    pub err: Vec<f32>,
    pub mask: Vec<bool>,
}

/// Adds noise and masks to a noiseless rest-frame spectrum seen at redshift `z`.
fn normal<R: Rng>(rng: &mut R, sigma: f64) -> f64 {
    let e: f64 = rng.sample(StandardNormal);
    (sigma * e).clamp(-3.0 * sigma, 3.0 * sigma)
}

pub fn observe<R: Rng>(
    obs: &Observatory,
    grid: &Bins,
    rest: &[f64],
    z: f64,
    rng: &mut R,
) -> Observed {
    let n = grid.len();
    let shift = (1.0 + z).log10();
    // Spectrophotometric calibration: SDSS's is good to ~4% across the spectrum
    // (Adelman-McCarthy et al. 2008), with Galactic reddening left in: a smooth tilt and bow
    // in observed wavelength.
    let (tilt, bow) = (normal(rng, 0.03), normal(rng, 0.02));
    let (lo, hi) = (OBS_MIN.log10(), OBS_MAX.log10());
    let mut flux = vec![0.0f32; n];
    let mut err = vec![0.0f32; n];
    let mut mask = vec![false; n];
    for k in 0..n {
        let ll = grid.lam[k].log10() + shift;
        let l_obs = 10f64.powf(ll);
        if !(OBS_MIN..=OBS_MAX).contains(&l_obs) {
            mask[k] = true;
            continue;
        }
        let t = 2.0 * (ll - lo) / (hi - lo) - 1.0;
        let f = rest[k] * (1.0 + tilt * t + bow * (t * t - 1.0 / 3.0));
        let sigma = obs.sigma(f, ll);
        let e: f64 = rng.sample(StandardNormal);
        flux[k] = (f + sigma * e) as f32;
        err[k] = sigma as f32;
    }
    // Bad pixels: isolated ones (cosmic rays, hot pixels) and the occasional bad column run.
    let singles = Poisson::new(2.0)
        .map(|p| p.sample(rng) as usize)
        .unwrap_or(2);
    for _ in 0..singles {
        mask[rng.random_range(0..n)] = true;
    }
    if rng.random::<f64>() < 0.08 {
        let len = rng.random_range(3..20);
        let start = rng.random_range(0..n - len);
        mask[start..start + len].iter_mut().for_each(|m| *m = true);
    }
    // Pixels whose pipeline error is broken (zero) but are not masked; w = 0 handles them.
    if rng.random::<f64>() < 0.03 {
        for _ in 0..rng.random_range(1..5) {
            let k = rng.random_range(0..n);
            if !mask[k] {
                err[k] = 0.0;
            }
        }
    }
    for k in 0..n {
        if mask[k] {
            flux[k] = 0.0;
            err[k] = 0.0;
        }
    }
    Observed { flux, err, mask }
}
