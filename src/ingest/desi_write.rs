//! A survey written as DESI files (`specae generate --format desi`): healpix-style coadds
//! (`coadd-SURVEY-PROGRAM-HPX.fits`: FIBERMAP, SCORES, and the B/R/Z arms' `*_WAVELENGTH`,
//! `*_FLUX`, `*_IVAR`, `*_MASK` on DESI's 0.8 Å observed-frame pixels) with their redrock files
//! beside them (`redrock-…`: REDSHIFTS). So DESI ingest can be tested and profiled on as many
//! targets as a test asks for, and a model checked on the same galaxies in both formats.
//!
//! Each rest-frame bin's flux is spread over the DESI pixels whose rest wavelength falls in it,
//! with the error scaled by √(pixels per bin) so that rebinning gives back the bin's S/N; where
//! two arms overlap each carries half the inverse variance, so their combination does too. A
//! masked bin becomes pixels with `ivar = 0` and a mask bit. The survey's own noise is kept
//! (no second draw), so the two formats hold the same spectra.
//!
//! With `resolution`, each arm also gets its `*_RESOLUTION` HDU as desispec writes it
//! (ntarget × 11 diagonals × nwave, float32): DESI's line-spread function, a Gaussian of
//! FWHM 1.8 Å (R ≈ 2000 at 3600 Å to 5400 at 9800 Å), each pixel's column summing to one. The
//! flux is not convolved again: the survey's 69 km/s bins are already no sharper than DESI's
//! resolution. The HDUs make files as real coadds are (4.7 times larger: 44 bytes a pixel
//! against flux, ivar and mask's 12), so readers and ingest rates are tried on the real size;
//! specae's reader skips them.
//!
//! One target in `repeat_every` is written a second time into an `sv3` coadd with fewer
//! exposures, as DESI observes some targets in several surveys; ingest keeps the main one.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::fits_write::{Card, Column, FitsWriter};
use crate::data::Survey;
use crate::util::atomic::{AtomicWriteError, write_atomically};
use crate::util::progress::Progress;

/// DESI's arms: (name, first pixel Å, last pixel Å), on one 0.8 Å lattice (desispec).
pub const ARMS: [(&str, f64, f64); 3] = [
    ("B", 3600.0, 5800.0),
    ("R", 5760.0, 7620.0),
    ("Z", 7520.0, 9824.0),
];
/// DESI's pixel width (Å).
pub const PIXEL: f64 = 0.8;
/// The first TARGETID given (DESI's are ~3.96·10¹⁶, beyond f64's exact integers).
pub const FIRST_TARGETID: i64 = 39_627_000_000_000_000;
/// desispec's `specmask` bit set on pixels of masked bins (BADPIX).
const BADPIX: u32 = 1;

/// How a survey is laid out in DESI files.
#[derive(Clone, Debug)]
pub struct DesiLayout {
    /// Targets per coadd file.
    pub per_file: usize,
    /// Every `repeat_every`-th target is also written into an sv3 coadd (0: none).
    pub repeat_every: usize,
    /// Write each arm's resolution matrices (`*_RESOLUTION`), as real coadds have.
    pub resolution: bool,
}

impl Default for DesiLayout {
    fn default() -> Self {
        DesiLayout {
            per_file: 500,
            repeat_every: 100,
            resolution: false,
        }
    }
}

/// Diagonals of a DESI resolution matrix (offsets +5 … −5).
pub const RESOLUTION_DIAGONALS: usize = 11;
/// DESI's line-spread function: a Gaussian of this FWHM (Å).
pub const LSF_FWHM: f64 = 1.8;

/// One target's resolution data for an arm of `nw` pixels, desispec's layout: row `d` holds
/// offset `5 − d`, `data[d][j]` is what pixel `j` gives pixel `j − offset` (scipy's
/// `dia_matrix`); each column sums to one, less what falls off the arm's ends.
pub fn resolution_rows(nw: usize) -> Vec<f32> {
    let half = (RESOLUTION_DIAGONALS / 2) as i64;
    let sigma = LSF_FWHM / (8.0 * std::f64::consts::LN_2).sqrt() / PIXEL;
    let kernel: Vec<f64> = (0..RESOLUTION_DIAGONALS as i64)
        .map(|d| (-((half - d) as f64).powi(2) / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f64 = kernel.iter().sum();
    let mut out = vec![0f32; RESOLUTION_DIAGONALS * nw];
    for (d, k) in kernel.iter().enumerate() {
        let offset = half - d as i64;
        for j in 0..nw {
            let i = j as i64 - offset;
            if (0..nw as i64).contains(&i) {
                out[d * nw + j] = (k / total) as f32;
            }
        }
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum DesiWriteError {
    #[error(transparent)]
    Write(#[from] AtomicWriteError),
    #[error("the survey has no redshifts (z): DESI files need one per target")]
    NoRedshifts,
    #[error("--per-file must be at least 1")]
    NoTargetsPerFile,
    #[error("writing DESI files was cancelled; {written} complete files are in {}", dir.display())]
    Cancelled { written: usize, dir: PathBuf },
}

/// What was written.
#[derive(Clone, Debug)]
pub struct DesiWritten {
    /// Coadd and redrock files.
    pub files: Vec<PathBuf>,
    /// Target rows written (repeats counted again).
    pub rows: usize,
}

/// The name of [`write_desi`]'s stage.
pub const STAGE_WRITING_DESI: &str = "writing DESI coadds";

/// The observed-frame wavelengths of one arm.
pub fn arm_wavelengths(first: f64, last: f64) -> Vec<f64> {
    let n = ((last - first) / PIXEL).round() as usize + 1;
    (0..n).map(|i| first + PIXEL * i as f64).collect()
}

fn arms_covering(lam: f64) -> f64 {
    ARMS.iter()
        .filter(|(_, a, b)| lam >= *a - 1e-6 && lam <= *b + 1e-6)
        .count()
        .max(1) as f64
}

/// One group of targets (rows of the survey) for one coadd.
struct Group {
    survey: &'static str,
    hpx: usize,
    rows: Vec<usize>,
    numexp: i32,
}

/// Writes `survey` into `dir` as DESI coadd + redrock pairs.
pub fn write_desi(
    survey: &Survey,
    dir: &Path,
    layout: &DesiLayout,
    progress: &Progress,
) -> Result<DesiWritten, DesiWriteError> {
    if layout.per_file == 0 {
        return Err(DesiWriteError::NoTargetsPerFile);
    }
    let z = survey.meta.z.as_ref().ok_or(DesiWriteError::NoRedshifts)?;
    let n = survey.n_spectra();
    let mut groups = vec![];
    let all: Vec<usize> = (0..n).collect();
    for (g, rows) in all.chunks(layout.per_file).enumerate() {
        groups.push(Group {
            survey: "main",
            hpx: 10_000 + g,
            rows: rows.to_vec(),
            numexp: 3,
        });
    }
    if layout.repeat_every > 0 {
        let again: Vec<usize> = (0..n).step_by(layout.repeat_every).collect();
        for (g, rows) in again.chunks(layout.per_file).enumerate() {
            groups.push(Group {
                survey: "sv3",
                hpx: 10_000 + g,
                rows: rows.to_vec(),
                numexp: 1,
            });
        }
    }
    let total: usize = groups.iter().map(|g| g.rows.len()).sum();
    progress.stage(STAGE_WRITING_DESI, total as u64);
    let mut files = vec![];
    for g in &groups {
        if progress.is_cancelled() {
            return Err(DesiWriteError::Cancelled {
                written: files.len(),
                dir: dir.to_path_buf(),
            });
        }
        let stem = format!("{}-dark-{}.fits", g.survey, g.hpx);
        let coadd = dir.join(format!("coadd-{stem}"));
        let redrock = dir.join(format!("redrock-{stem}"));
        let z = z.as_slice().unwrap_or(&[]);
        // The redshifts first: a coadd is never there without them.
        write_file(&redrock, |w| write_redrock(w, survey, z, g))?;
        files.push(redrock);
        write_file(&coadd, |w| write_coadd(w, survey, z, g, layout.resolution))?;
        files.push(coadd);
        progress.add(g.rows.len() as u64);
    }
    Ok(DesiWritten { files, rows: total })
}

/// Writes `path` atomically with `write`, naming the file in an error.
fn write_file(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<&mut std::fs::File>) -> std::io::Result<()>,
) -> Result<(), AtomicWriteError> {
    write_atomically(path, |w| {
        write(w).map_err(|source| AtomicWriteError {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// The primary header of a group's files: which survey, program and healpix pixel.
fn primary_cards(g: &Group) -> [Card; 4] {
    [
        Card::Text("SURVEY", g.survey.into()),
        Card::Text("PROGRAM", "dark".into()),
        Card::Text("SPGRP", "healpix".into()),
        Card::Int("HPXPIXEL", g.hpx as i64),
    ]
}

fn targetids(g: &Group) -> Vec<i64> {
    g.rows.iter().map(|&i| FIRST_TARGETID + i as i64).collect()
}

fn write_redrock(w: &mut impl Write, survey: &Survey, z: &[f32], g: &Group) -> std::io::Result<()> {
    let zs: Vec<f64> = g.rows.iter().map(|&i| f64::from(z[i])).collect();
    let zerr: Vec<f64> = g
        .rows
        .iter()
        .map(|&i| {
            survey
                .meta
                .zerr
                .as_ref()
                .map_or(1e-5, |e| f64::from(e[i]).max(1e-6))
        })
        .collect();
    let lineindex = survey.meta.lineindex_cln.as_ref();
    let spectype: Vec<String> = g
        .rows
        .iter()
        .map(|&i| {
            if lineindex.is_some_and(|l| l[i] == 6) {
                "QSO".to_string()
            } else {
                "GALAXY".to_string()
            }
        })
        .collect();
    let n = g.rows.len();
    let mut f = FitsWriter::new(w);
    f.primary(&primary_cards(g))?;
    f.bintable(
        "REDSHIFTS",
        &[
            Column::I64("TARGETID", &targetids(g)),
            Column::F64("Z", &zs),
            Column::F64("ZERR", &zerr),
            Column::I64("ZWARN", &vec![0; n]),
            Column::Text("SPECTYPE", 6, &spectype),
            Column::F64("DELTACHI2", &vec![1000.0; n]),
        ],
        vec![],
    )
}

fn write_coadd(
    w: &mut impl Write,
    survey: &Survey,
    z: &[f32],
    g: &Group,
    resolution: bool,
) -> std::io::Result<()> {
    let n = g.rows.len();
    let mut f = FitsWriter::new(w);
    f.primary(&primary_cards(g))?;
    let ids = targetids(g);
    f.bintable(
        "FIBERMAP",
        &[
            Column::I64("TARGETID", &ids),
            Column::Text("OBJTYPE", 3, &vec!["TGT".to_string(); n]),
            Column::I32("COADD_FIBERSTATUS", &vec![0; n]),
            Column::I32("COADD_NUMEXP", &vec![g.numexp; n]),
        ],
        vec![],
    )?;
    let (c0, c1, nb) = (survey.coeff0, survey.coeff1, survey.n_bins());
    let mut tsnr2 = vec![0.0f32; n];
    for (arm, first, last) in ARMS {
        let wave = arm_wavelengths(first, last);
        let nw = wave.len();
        let (mut flux, mut ivar, mut mask) =
            (vec![0f32; nw * n], vec![0f32; nw * n], vec![0u32; nw * n]);
        // Pixels per rest bin and the arms' share of each pixel's inverse variance.
        let scale: Vec<f64> = wave
            .iter()
            .map(|&l| l * std::f64::consts::LN_10 * c1 / PIXEL * arms_covering(l))
            .collect();
        for (t, &i) in g.rows.iter().enumerate() {
            let shift = (1.0 + f64::from(z[i])).log10();
            let (spec, err, m) = (
                survey.spectra.row(i),
                survey.spec_err.row(i),
                survey.mask.row(i),
            );
            for (p, &l) in wave.iter().enumerate() {
                let u = ((l.log10() - shift - c0) / c1).round();
                if !(u >= 0.0 && (u as usize) < nb) {
                    continue;
                }
                let k = u as usize;
                let at = t * nw + p;
                flux[at] = spec[k];
                let e = f64::from(err[k]);
                if m[k] || !(e.is_finite() && e > 0.0) {
                    mask[at] = BADPIX;
                } else {
                    ivar[at] = (1.0 / (e * e * scale[p])) as f32;
                    tsnr2[t] += (f64::from(spec[k]).powi(2) * f64::from(ivar[at]) * 1e-3) as f32;
                }
            }
        }
        f.image_f64(
            &format!("{arm}_WAVELENGTH"),
            &[nw],
            &wave,
            vec![Card::Text("BUNIT", "Angstrom".into())],
        )?;
        f.image_f32(
            &format!("{arm}_FLUX"),
            &[nw, n],
            &flux,
            vec![Card::Text("BUNIT", "10**-17 erg/(s cm2 Angstrom)".into())],
        )?;
        f.image_f32(
            &format!("{arm}_IVAR"),
            &[nw, n],
            &ivar,
            vec![Card::Text(
                "BUNIT",
                "10**+34 (s2 cm4 Angstrom2) / erg2".into(),
            )],
        )?;
        f.image_u32(&format!("{arm}_MASK"), &[nw, n], &mask, vec![])?;
        if resolution {
            // The same matrix for every target (one fibre's LSF), repeated.
            let one = resolution_rows(nw);
            let all: Vec<f32> = one.iter().copied().cycle().take(one.len() * n).collect();
            f.image_f32(
                &format!("{arm}_RESOLUTION"),
                &[nw, RESOLUTION_DIAGONALS, n],
                &all,
                vec![],
            )?;
        }
    }
    f.bintable(
        "SCORES",
        &[
            Column::I64("TARGETID", &ids),
            Column::F32("TSNR2_LRG", &tsnr2),
        ],
        vec![],
    )
}
