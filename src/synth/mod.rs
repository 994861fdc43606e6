//! The built-in data set: a realistic synthetic SDSS-like galaxy survey in astroML's npz schema.
//!
//! - [`population`]: galaxy types, redshifts, brightness, populations, dust, line ratios;
//! - [`ssp`]: Bruzual & Charlot (2003) + MILES stellar populations and Cloudy nebular lines;
//! - [`spectrum`]: rest-frame spectra from a galaxy's star-formation history, dust and lines;
//!   [`templates`]: the AGN continuum and stars;
//! - [`observe`]: coverage, sky, noise and masks of an SDSS observation;
//! - [`oddities`]: injected stars and artefacts, flagged in `truth_oddity`;
//! - [`fit`]: a spectrum fitted with the survey's own populations (σ, age, metallicity, and
//!   the floor under any model trained on the survey);
//!
//! Masked pixels are then filled by astroML's iterative PCA ([`crate::pca`]), so the file is
//! interchangeable with astroML's `spec4000.npz` and Portillo et al.'s `spec64k.npz`.

pub mod alpha;
pub mod fit;
mod nnls;
pub mod observe;
pub mod oddities;
pub mod physics;
pub mod population;
pub mod spectrum;
pub mod ssp;
pub mod templates;
mod to_store;

use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

pub use oddities::Oddity;
pub use population::Kind;
pub use to_store::{SAMPLE_ROWS, generate_store};

use crate::data::grid::{COEFF0, COEFF1};
use crate::data::survey::{Metadata, Survey, Truth};
use crate::pca::{PcaConfig, PcaError, iterative_pca};
use crate::spectro::bins::Bins;
use crate::spectro::measure;
use crate::util::progress::Progress;
use observe::{Observatory, observe};
use spectrum::Builder;

/// Settings of the built-in survey.
#[derive(Clone, Debug)]
pub struct SynthConfig {
    /// Number of spectra (Portillo et al.: 64,000).
    pub n: usize,
    pub seed: u64,
    /// Fraction of spectra given an injected oddity.
    pub oddity_rate: f64,
    pub pca: PcaConfig,
}

impl Default for SynthConfig {
    fn default() -> Self {
        Self {
            n: 64_000,
            seed: 0,
            oddity_rate: 0.005,
            pca: PcaConfig::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("cannot generate an empty survey (n = 0)")]
    Empty,
    #[error("the stellar-population tables compiled into specae are unusable: {0}")]
    Tables(String),
    #[error("PCA infill of the generated survey failed: {0}")]
    Pca(PcaError),
    #[error("generating the survey was cancelled")]
    Cancelled,
    #[error(transparent)]
    Store(#[from] crate::data::DataError),
}

impl From<PcaError> for SynthError {
    fn from(e: PcaError) -> Self {
        match e {
            PcaError::Cancelled => SynthError::Cancelled,
            e => SynthError::Pca(e),
        }
    }
}

impl From<crate::util::progress::Cancelled> for SynthError {
    fn from(_: crate::util::progress::Cancelled) -> Self {
        SynthError::Cancelled
    }
}

/// The name of [`generate`]'s first stage (the PCA infill's is "PCA infill").
pub const STAGE_SPECTRA: &str = "generating spectra";

/// One synthesised spectrum and its catalogue row.
struct Row {
    flux: Vec<f32>,
    err: Vec<f32>,
    mask: Vec<bool>,
    z: f64,
    true_z: f64,
    lineindex: i64,
    log_nii_ha: f64,
    log_oiii_hb: f64,
    kind: Kind,
    oddity: Oddity,
    young_frac: f64,
    ebv: f64,
    vdisp: f64,
    flux5500: f64,
    true_nii_ha: f64,
    true_oiii_hb: f64,
    alpha_fe: f64,
}

struct Synth {
    builder: Builder,
    obs: Observatory,
}

impl Synth {
    fn new() -> Result<Self, SynthError> {
        let grid = Bins::standard();
        let ssp = ssp::tables().map_err(SynthError::Tables)?;
        Ok(Synth {
            obs: Observatory::new(&grid),
            builder: Builder::new(grid, ssp),
        })
    }

    fn row(&self, seed: u64, index: usize, oddity_rate: f64) -> Row {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(index as u64);
        let grid = &self.builder.grid;
        let oddity = if rng.random::<f64>() < oddity_rate {
            Oddity::draw(&mut rng)
        } else {
            Oddity::None
        };
        let mut g = if oddity == Oddity::Star {
            population::draw_of_kind(&mut rng, Kind::Star)
        } else {
            population::draw_galaxy(&mut rng)
        };
        // A star sits at z ≈ 0 but is catalogued at a galaxy's redshift: its rest-frame
        // spectrum as filed is its true spectrum seen through the wrong shift.
        let (z_cat, z_true) = if oddity == Oddity::Star {
            (g.z, rng.random_range(-0.0005..0.0005))
        } else {
            (g.z, g.z)
        };
        let built = self.builder.build(&g);
        let mut rest = built.flux;
        if oddity == Oddity::Star {
            rest = reshift(grid, &rest, (1.0 + z_true) / (1.0 + z_cat));
        }
        if oddity == Oddity::CalibrationJump {
            oddities::calibration_jump(grid, &mut rest, z_cat, &mut rng);
        }
        let mut o = observe(&self.obs, grid, &rest, z_cat, &mut rng);
        if matches!(
            oddity,
            Oddity::Spike | Oddity::Dropout | Oddity::SkyResidual
        ) {
            oddities::apply_artefact(oddity, &self.obs, grid, &mut o, z_cat, g.flux5500, &mut rng);
        }
        let m = measure::measure(grid, &o.flux, &o.err, &o.mask);
        g.z = z_cat;
        Row {
            flux: o.flux,
            err: o.err,
            mask: o.mask,
            z: z_cat,
            true_z: z_true,
            lineindex: m.lineindex,
            log_nii_ha: m.log_nii_ha,
            log_oiii_hb: m.log_oiii_hb,
            kind: g.kind,
            oddity,
            young_frac: built.young_frac,
            // Nebular E(B−V) of Charlot & Fall's τ_V (A_V = 1.086 τ_V, R_V = 4.05).
            ebv: 1.086 * g.stars.tau_v / 4.05,
            vdisp: g.vdisp,
            flux5500: g.flux5500,
            true_nii_ha: built.log_nii_ha,
            true_oiii_hb: built.log_oiii_hb,
            alpha_fe: g.stars.alpha_fe,
        }
    }
}

/// Resamples a rest-frame spectrum to wavelengths scaled by `factor` (flux at λ·factor),
/// holding the end values outside the grid.
fn reshift(grid: &Bins, s: &[f64], factor: f64) -> Vec<f64> {
    let dk = factor.log10() / grid.step();
    let n = s.len();
    (0..n)
        .map(|k| {
            let f = (k as f64 + dk).clamp(0.0, (n - 1) as f64);
            let i = (f.floor() as usize).min(n - 2);
            let t = f - i as f64;
            s[i] * (1.0 - t) + s[i + 1] * t
        })
        .collect()
}

/// Generates the survey: spectra in parallel (deterministic for a seed, whatever the number of
/// threads), then the iterative PCA infill; both are stages of `progress`, and a cancel stops
/// either within one block of 2048 spectra (~0.6 s on 2 cores).
pub fn generate(cfg: &SynthConfig, progress: &Progress) -> Result<Survey, SynthError> {
    let n = cfg.n;
    if n == 0 {
        return Err(SynthError::Empty);
    }
    let synth = Synth::new()?;
    let d = synth.builder.grid.len();
    let mut spectra = Array2::<f32>::zeros((n, d));
    let mut spec_err = Array2::<f32>::zeros((n, d));
    let mut mask = Array2::<bool>::from_elem((n, d), false);
    let mut rows_meta = Vec::with_capacity(n);
    const CHUNK: usize = 2048;
    progress.stage(STAGE_SPECTRA, n as u64);
    let mut start = 0;
    while start < n {
        progress.check()?;
        let end = (start + CHUNK).min(n);
        let rows: Vec<Row> = (start..end)
            .into_par_iter()
            .map(|i| synth.row(cfg.seed, i, cfg.oddity_rate))
            .collect();
        for (off, mut r) in rows.into_iter().enumerate() {
            let i = start + off;
            spectra
                .row_mut(i)
                .assign(&Array1::from_vec(std::mem::take(&mut r.flux)));
            spec_err
                .row_mut(i)
                .assign(&Array1::from_vec(std::mem::take(&mut r.err)));
            mask.row_mut(i)
                .assign(&Array1::from_vec(std::mem::take(&mut r.mask)));
            rows_meta.push(r);
        }
        start = end;
        progress.set(start as u64);
    }

    let pca = iterative_pca(spectra.view(), mask.view(), &cfg.pca, progress)?;

    let (meta, truth) = columns(&rows_meta);
    Ok(Survey {
        spectra,
        mask,
        spec_err,
        coeff0: COEFF0,
        coeff1: COEFF1,
        norms: pca.norms,
        mu: pca.mu,
        evecs: pca.evecs,
        coeffs: pca.coeffs,
        evals: Some(pca.evals),
        meta,
        truth: Some(truth),
    })
}

/// The catalogue columns and the truth of generated rows (spectrum `i` is `rows[i]`).
fn columns(rows_meta: &[Row]) -> (Metadata, Truth) {
    let n = rows_meta.len();
    let col_f = |f: &dyn Fn(&Row) -> f64| -> Array1<f32> {
        rows_meta.iter().map(|r| f(r) as f32).collect()
    };
    let col_i = |f: &dyn Fn(&Row) -> i64| -> Array1<i64> { rows_meta.iter().map(f).collect() };
    let meta = Metadata {
        lineindex_cln: Some(col_i(&|r| r.lineindex)),
        z: Some(col_f(&|r| r.z)),
        zerr: Some(col_f(&|r| 1.5e-4 * (1.0 + r.z))),
        plate: Some(Array1::from_iter((0..n).map(|i| 266 + (i / 640) as i64))),
        mjd: Some(Array1::from_iter(
            (0..n).map(|i| 51_602 + ((i / 640) as i64 * 7) % 3000),
        )),
        fiber: Some(Array1::from_iter((0..n).map(|i| 1 + (i % 640) as i64))),
        log_nii_ha: Some(col_f(&|r| r.log_nii_ha)),
        log_oiii_hb: Some(col_f(&|r| r.log_oiii_hb)),
        targetid: None,
        release: None,
    };
    let truth = Truth {
        kind: col_i(&|r| r.kind as i64),
        oddity: col_i(&|r| r.oddity as i64),
        z: col_f(&|r| r.true_z),
        young_frac: col_f(&|r| r.young_frac),
        ebv: col_f(&|r| r.ebv),
        vdisp: col_f(&|r| r.vdisp),
        flux5500: col_f(&|r| r.flux5500),
        log_nii_ha: col_f(&|r| r.true_nii_ha),
        log_oiii_hb: col_f(&|r| r.true_oiii_hb),
        alpha_fe: Some(col_f(&|r| r.alpha_fe)),
    };
    (meta, truth)
}

/// A small survey for tests: `n` spectra with a quick PCA infill of `n_ev` components.
#[cfg(test)]
pub(crate) fn small_survey(n: usize, seed: u64, oddity_rate: f64, n_ev: usize) -> Survey {
    let cfg = SynthConfig {
        n,
        seed,
        oddity_rate,
        pca: PcaConfig {
            n_ev,
            n_iter: 3,
            ..Default::default()
        },
    };
    generate(&cfg, &Progress::default()).expect("a small survey generates")
}
