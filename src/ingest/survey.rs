//! Ingesting many SDSS files: read in parallel, keep or reject each with a reason, rebin,
//! classify, keep one copy of each spectrum, then fill masked bins with the iterative PCA and
//! return an astroML-schema survey. One file never stops the others: every failure — a damaged
//! file, even a reader bug — becomes that file's line in the outcome table.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use rayon::prelude::*;

use super::IngestError;
use super::lineindex::lineindex_from_pipeline;
use super::rebin::PixelMask;
use super::sdss_fits::{SdssSpectrum, bad_bit_fractions, pixel_bit_name, read_sdss};
use crate::data::grid::{COEFF0, COEFF1, LogGrid, N_BINS};
use crate::data::survey::{Metadata, Survey};
use crate::pca::{PcaConfig, PcaError, iterative_pca};
use crate::spectro::bins::Bins;
use crate::spectro::measure::measure;
use crate::util::progress::{Cancelled, Progress};

/// Settings of an ingest.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// Minimum fraction of grid bins a spectrum must cover after de-redshifting.
    pub min_coverage: f64,
    pub mask: PixelMask,
    pub pca: PcaConfig,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            min_coverage: 0.5,
            mask: PixelMask::Pipeline,
            pca: PcaConfig::default(),
        }
    }
}

/// What happened to one file.
#[derive(Clone, Debug)]
pub enum FileOutcome {
    Kept {
        path: PathBuf,
        z: f64,
        class: String,
        lineindex: i64,
        coverage: f64,
    },
    Rejected {
        path: PathBuf,
        reason: String,
    },
    /// The same spectrum as `of` (same plate, MJD and fibre, or identical flux where the file
    /// has no ids), which is kept instead.
    Duplicate {
        path: PathBuf,
        of: PathBuf,
    },
    Failed {
        error: IngestError,
    },
}

impl FileOutcome {
    pub fn path(&self) -> &Path {
        match self {
            FileOutcome::Kept { path, .. }
            | FileOutcome::Rejected { path, .. }
            | FileOutcome::Duplicate { path, .. } => path,
            FileOutcome::Failed { error } => error.path(),
        }
    }

    /// Why the file was not kept (`None` if it was).
    pub fn reason(&self) -> Option<String> {
        match self {
            FileOutcome::Kept { .. } => None,
            FileOutcome::Rejected { path, reason } => {
                Some(format!("{}: {reason}", file_name(path)))
            }
            FileOutcome::Duplicate { path, of } => Some(format!(
                "{}: the same spectrum as {}",
                file_name(path),
                of.display()
            )),
            FileOutcome::Failed { error } => Some(error.to_string()),
        }
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// The result: the survey of kept spectra, and an outcome per input file (in input order).
#[derive(Debug)]
pub struct Ingested {
    pub survey: Survey,
    pub outcomes: Vec<FileOutcome>,
}

impl Ingested {
    /// "7 kept, 8 duplicates, 1 rejected, 0 unreadable".
    pub fn counts(&self) -> String {
        outcome_counts(&self.outcomes)
    }
}

/// Kept / duplicate / rejected / unreadable counts of an outcome table.
pub fn outcome_counts(outcomes: &[FileOutcome]) -> String {
    let count = |f: &dyn Fn(&FileOutcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    format!(
        "{} kept, {} duplicates, {} rejected, {} unreadable",
        count(&|o| matches!(o, FileOutcome::Kept { .. })),
        count(&|o| matches!(o, FileOutcome::Duplicate { .. })),
        count(&|o| matches!(o, FileOutcome::Rejected { .. })),
        count(&|o| matches!(o, FileOutcome::Failed { .. })),
    )
}

#[derive(Debug, thiserror::Error)]
pub enum IngestSurveyError {
    #[error("no FITS files given (looked for *.fits and *.fit)")]
    NoFiles,
    #[error("none of the {total} files could be used ({rejected} rejected, {failed} unreadable)")]
    NothingKept {
        total: usize,
        rejected: usize,
        failed: usize,
        outcomes: Vec<FileOutcome>,
    },
    #[error("cannot read folder {}: {detail}", path.display())]
    Folder { path: PathBuf, detail: String },
    #[error("PCA infill failed: {0}")]
    Pca(PcaError),
    #[error("ingesting was cancelled")]
    Cancelled,
}

impl From<PcaError> for IngestSurveyError {
    fn from(e: PcaError) -> Self {
        match e {
            PcaError::Cancelled => IngestSurveyError::Cancelled,
            e => IngestSurveyError::Pca(e),
        }
    }
}

impl From<Cancelled> for IngestSurveyError {
    fn from(_: Cancelled) -> Self {
        IngestSurveyError::Cancelled
    }
}

/// ZWARNING bits (SDSS): sky fibre, unplugged, no data → rejected; small Δχ² and fit-limit
/// warnings mean the redshift failed → rejected. Others are kept.
const ZW_SKY: i64 = 1;
const ZW_SMALL_DELTA_CHI2: i64 = 1 << 2;
const ZW_Z_FITLIMIT: i64 = 1 << 5;
const ZW_UNPLUGGED: i64 = 1 << 7;
const ZW_NODATA: i64 = 1 << 9;

fn rejection(s: &SdssSpectrum) -> Option<String> {
    let zw = s.zwarning;
    if zw & ZW_SKY != 0 || s.class.eq_ignore_ascii_case("SKY") {
        return Some(format!("sky fibre (ZWARNING={zw}, SKY bit)"));
    }
    if zw & (ZW_UNPLUGGED | ZW_NODATA) != 0 {
        return Some(format!("no data: fibre unplugged or empty (ZWARNING={zw})"));
    }
    if zw & (ZW_SMALL_DELTA_CHI2 | ZW_Z_FITLIMIT) != 0 {
        return Some(format!("redshift failed (ZWARNING={zw})"));
    }
    if !s.z.is_finite() || s.z <= -0.01 {
        return Some(format!("unusable redshift z = {}", s.z));
    }
    None
}

/// What makes two kept spectra the same spectrum.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum SpectrumKey {
    /// SDSS's identity of a spectrum.
    Ids { plate: i64, mjd: i64, fiber: i64 },
    /// Files without ids: the rebinned flux, bit for bit.
    Flux(Vec<u32>),
}

impl SpectrumKey {
    fn of(r: &Row) -> Self {
        if r.plate > 0 && r.mjd > 0 && r.fiber > 0 {
            SpectrumKey::Ids {
                plate: r.plate,
                mjd: r.mjd,
                fiber: r.fiber,
            }
        } else {
            SpectrumKey::Flux(r.flux.iter().map(|v| v.to_bits()).collect())
        }
    }
}

struct Row {
    flux: Vec<f32>,
    err: Vec<f32>,
    mask: Vec<bool>,
    z: f64,
    zerr: f64,
    plate: i64,
    mjd: i64,
    fiber: i64,
    lineindex: i64,
    log_nii_ha: f64,
    log_oiii_hb: f64,
}

/// [`process`] behind a panic guard: a reader bug on one file becomes that file's error.
fn process_guarded(path: &Path, grid: &Bins, opts: &IngestOptions) -> (FileOutcome, Option<Row>) {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| process(path, grid, opts)))
        .unwrap_or_else(|p| {
            let error = IngestError::Internal {
                path: path.to_path_buf(),
                detail: crate::util::panic_message(p.as_ref(), "a panic"),
            };
            (FileOutcome::Failed { error }, None)
        })
}

/// Why a spectrum covers too little of the grid: its pixel mask, when the mask is what made
/// the difference (the bits named), else plain coverage.
fn coverage_reason(s: &SdssSpectrum, coverage: f64, opts: &IngestOptions) -> String {
    let plain = format!(
        "covers {:.0}% of the rest-frame grid at z = {:.3} (< {:.0}%)",
        100.0 * coverage,
        s.z,
        100.0 * opts.min_coverage
    );
    if opts.mask == PixelMask::Ivar {
        return plain;
    }
    let by_ivar = s.rest_frame(PixelMask::Ivar, &LogGrid::STANDARD);
    if by_ivar.coverage < opts.min_coverage {
        return plain;
    }
    let bits = bad_bit_fractions(&s.mask_bits);
    let named: Vec<String> = bits
        .iter()
        .take(3)
        .map(|&(b, f)| format!("{} (bit {b}) on {:.0}%", pixel_bit_name(b), 100.0 * f))
        .collect();
    let flagged = s.flagged.iter().filter(|&&f| f).count() as f64 / s.flagged.len().max(1) as f64;
    format!(
        "its pixel mask flags {:.0}% of the pixels as bad — {} — leaving {:.0}% of the \
         rest-frame grid (< {:.0}%); by inverse variance alone it covers {:.0}%: if you trust \
         its errors, ingest with --mask ivar",
        100.0 * flagged,
        named.join(", "),
        100.0 * coverage,
        100.0 * opts.min_coverage,
        100.0 * by_ivar.coverage
    )
}

fn process(path: &Path, grid: &Bins, opts: &IngestOptions) -> (FileOutcome, Option<Row>) {
    let s = match read_sdss(path) {
        Ok(s) => s,
        Err(error) => return (FileOutcome::Failed { error }, None),
    };
    if let Some(reason) = rejection(&s) {
        return (
            FileOutcome::Rejected {
                path: path.to_path_buf(),
                reason,
            },
            None,
        );
    }
    let r = s.rest_frame(opts.mask, &LogGrid::STANDARD);
    if r.coverage < opts.min_coverage {
        return (
            FileOutcome::Rejected {
                path: path.to_path_buf(),
                reason: coverage_reason(&s, r.coverage, opts),
            },
            None,
        );
    }
    let (lineindex, x, y) = lineindex_from_pipeline(&s).unwrap_or_else(|| {
        let m = measure(grid, &r.flux, &r.err, &r.mask);
        (m.lineindex, m.log_nii_ha, m.log_oiii_hb)
    });
    let class = if s.subclass.is_empty() {
        s.class.clone()
    } else {
        format!("{} {}", s.class, s.subclass)
    };
    (
        FileOutcome::Kept {
            path: path.to_path_buf(),
            z: s.z,
            class,
            lineindex,
            coverage: r.coverage,
        },
        Some(Row {
            flux: r.flux,
            err: r.err,
            mask: r.mask,
            z: s.z,
            zerr: s.zerr,
            plate: s.plate,
            mjd: s.mjd,
            fiber: s.fiber,
            lineindex,
            log_nii_ha: x,
            log_oiii_hb: y,
        }),
    )
}

/// FITS files named by `inputs`: files as given, folders searched recursively for
/// `*.fits` / `*.fit`, sorted.
pub fn collect_paths(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, IngestSurveyError> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), IngestSurveyError> {
        let rd = std::fs::read_dir(dir).map_err(|e| IngestSurveyError::Folder {
            path: dir.to_path_buf(),
            detail: e.to_string(),
        })?;
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out)?;
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("fits") || e.eq_ignore_ascii_case("fit"))
            {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut out = vec![];
    for p in inputs {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    if out.is_empty() {
        return Err(IngestSurveyError::NoFiles);
    }
    Ok(out)
}

/// Ingests `paths` (see [`collect_paths`]): the stage "reading FITS files" of `progress`
/// (one step per file, from worker threads), then the PCA infill. A damaged file is reported
/// and skipped; the others are still processed. A cancel skips the files not yet read.
pub fn ingest(
    paths: &[PathBuf],
    opts: &IngestOptions,
    progress: &Progress,
) -> Result<Ingested, IngestSurveyError> {
    if paths.is_empty() {
        return Err(IngestSurveyError::NoFiles);
    }
    let grid = Bins::standard();
    progress.stage(STAGE_READING, paths.len() as u64);
    let results: Vec<Option<(FileOutcome, Option<Row>)>> = paths
        .par_iter()
        .map(|p| {
            if progress.is_cancelled() {
                return None;
            }
            let r = process_guarded(p, &grid, opts);
            progress.add(1);
            Some(r)
        })
        .collect();
    progress.check()?;
    let results: Vec<(FileOutcome, Option<Row>)> = results.into_iter().flatten().collect();
    let mut outcomes = Vec::with_capacity(results.len());
    let mut rows = vec![];
    // One spectrum per (plate, MJD, fibre), or per identical flux where a file has no ids;
    // the first in input (sorted path) order is kept.
    let mut seen: HashMap<SpectrumKey, PathBuf> = HashMap::new();
    for (o, r) in results {
        match r {
            Some(r) => {
                let path = o.path().to_path_buf();
                match seen.entry(SpectrumKey::of(&r)) {
                    Entry::Occupied(first) => outcomes.push(FileOutcome::Duplicate {
                        path,
                        of: first.get().clone(),
                    }),
                    Entry::Vacant(v) => {
                        v.insert(path);
                        outcomes.push(o);
                        rows.push(r);
                    }
                }
            }
            None => outcomes.push(o),
        }
    }
    if rows.is_empty() {
        let failed = outcomes
            .iter()
            .filter(|o| matches!(o, FileOutcome::Failed { .. }))
            .count();
        return Err(IngestSurveyError::NothingKept {
            total: outcomes.len(),
            rejected: outcomes.len() - failed,
            failed,
            outcomes,
        });
    }
    let survey = survey_from_rows(&rows, &opts.pca, progress)?;
    Ok(Ingested { survey, outcomes })
}

/// The name of [`ingest`]'s first stage.
pub const STAGE_READING: &str = "reading FITS files";

/// Assembles kept spectra and fills their masked bins. Bins that no spectrum covers stay
/// masked with a zero fill (and so zero weight); the PCA runs over the others.
fn survey_from_rows(
    rows: &[Row],
    pca_cfg: &PcaConfig,
    progress: &Progress,
) -> Result<Survey, IngestSurveyError> {
    let n = rows.len();
    let d = N_BINS;
    let mut spectra = Array2::<f32>::zeros((n, d));
    let mut spec_err = Array2::<f32>::zeros((n, d));
    let mut mask = Array2::<bool>::from_elem((n, d), true);
    for (i, r) in rows.iter().enumerate() {
        for j in 0..d {
            spectra[[i, j]] = r.flux[j];
            spec_err[[i, j]] = r.err[j];
            mask[[i, j]] = r.mask[j];
        }
    }
    let cols: Vec<usize> = (0..d).filter(|&j| (0..n).any(|i| !mask[[i, j]])).collect();
    let sub_x = Array2::from_shape_fn((n, cols.len()), |(i, c)| spectra[[i, cols[c]]]);
    let sub_m = Array2::from_shape_fn((n, cols.len()), |(i, c)| mask[[i, cols[c]]]);
    let n_ev = pca_cfg.n_ev.min(n.saturating_sub(1)).min(cols.len());
    let (mu, evecs, evals, norms, coeffs) = if n_ev >= 1 {
        let cfg = PcaConfig {
            n_ev,
            ..pca_cfg.clone()
        };
        let p = iterative_pca(sub_x.view(), sub_m.view(), &cfg, progress)?;
        let mut mu = Array1::<f32>::zeros(d);
        let mut evecs = Array2::<f32>::zeros((p.evecs.nrows(), d));
        for (c, &j) in cols.iter().enumerate() {
            mu[j] = p.mu[c];
            for q in 0..p.evecs.nrows() {
                evecs[[q, j]] = p.evecs[[q, c]];
            }
        }
        (mu, evecs, p.evals, p.norms, p.coeffs)
    } else {
        // One spectrum: no components; masked bins take the (normalised) mean, i.e. zero.
        let norms = Array1::from_iter(rows.iter().map(|r| {
            let ss: f64 = r
                .flux
                .iter()
                .zip(&r.mask)
                .filter(|(_, m)| !**m)
                .map(|(f, _)| f64::from(*f).powi(2))
                .sum();
            (ss.sqrt() as f32).max(f32::MIN_POSITIVE)
        }));
        let mu = Array1::from_shape_fn(d, |j| {
            if mask[[0, j]] {
                0.0
            } else {
                spectra[[0, j]] / norms[0]
            }
        });
        (
            mu,
            Array2::zeros((0, d)),
            Array1::zeros(0),
            norms,
            Array2::zeros((n, 0)),
        )
    };
    let col_i = |f: &dyn Fn(&Row) -> i64| Some(Array1::from_iter(rows.iter().map(f)));
    let col_f = |f: &dyn Fn(&Row) -> f64| Some(Array1::from_iter(rows.iter().map(|r| f(r) as f32)));
    Ok(Survey {
        spectra,
        mask,
        spec_err,
        coeff0: COEFF0,
        coeff1: COEFF1,
        norms,
        mu,
        evecs,
        coeffs,
        evals: Some(evals),
        meta: Metadata {
            lineindex_cln: col_i(&|r| r.lineindex),
            z: col_f(&|r| r.z),
            zerr: col_f(&|r| r.zerr),
            plate: col_i(&|r| r.plate),
            mjd: col_i(&|r| r.mjd),
            fiber: col_i(&|r| r.fiber),
            log_nii_ha: col_f(&|r| r.log_nii_ha),
            log_oiii_hb: col_f(&|r| r.log_oiii_hb),
        },
        truth: None,
    })
}
