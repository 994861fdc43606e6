//! Ingesting many SDSS files and DESI coadds: read in parallel, keep or reject each with a reason, rebin,
//! classify, keep one copy of each spectrum, then fill masked bins with the iterative PCA and
//! return an astroML-schema survey. One file never stops the others: every failure — a damaged
//! file, even a reader bug — becomes that file's line in the outcome table.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use rayon::prelude::*;

use super::IngestError;
use super::desi::process_coadd;
use super::desi_fits::{DesiKind, MAX_COADD_BYTES, kind_of};
use super::fits_table::read_file;
use super::lineindex::lineindex_from_pipeline;
pub use super::options::IngestOptions;
pub use super::outcome::{FileOutcome, outcome_counts};
use super::outcome::{Processed, Row, file_name};
use super::rebin::PixelMask;
use super::redshifts::{Redshifts, is_redshift_file_name, read_redshifts};
use super::sdss_fits::{
    MAX_FILE_BYTES, SdssSpectrum, bad_bit_fractions, pixel_bit_name, read_sdss_bytes,
};
use crate::data::grid::LogGrid;
use crate::data::survey::{Metadata, Survey};
use crate::pca::{IterativePca, PcaConfig, PcaError, iterative_pca};
use crate::spectro::bins::Bins;
use crate::spectro::measure::measure;
use crate::util::progress::{Cancelled, Progress};

/// The result: the survey of kept spectra, and an outcome per input (in input order; a DESI
/// coadd has one per target).
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

#[derive(Debug, thiserror::Error)]
pub enum IngestSurveyError {
    #[error("no FITS files given (looked for *.fits and *.fit)")]
    NoFiles,
    #[error(
        "none of the {total} spectra could be used ({rejected} rejected or duplicates, {failed} unreadable)"
    )]
    NothingKept {
        total: usize,
        rejected: usize,
        failed: usize,
        outcomes: Vec<FileOutcome>,
    },
    #[error("cannot read folder {}: {detail}", path.display())]
    Folder { path: PathBuf, detail: String },
    #[error("cannot use the redshift catalogue: {0}")]
    Redshifts(IngestError),
    #[error("PCA infill failed: {0}")]
    Pca(PcaError),
    #[error("ingesting was cancelled")]
    Cancelled,
    #[error("cannot use the spool file {}: {detail}", path.display())]
    Spool { path: PathBuf, detail: String },
    #[error("{0}")]
    Store(crate::data::DataError),
}

impl From<crate::data::DataError> for IngestSurveyError {
    fn from(e: crate::data::DataError) -> Self {
        match e {
            crate::data::DataError::Cancelled { .. } => IngestSurveyError::Cancelled,
            e => IngestSurveyError::Store(e),
        }
    }
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
pub(super) enum SpectrumKey {
    /// SDSS's identity of a spectrum.
    Ids { plate: i64, mjd: i64, fiber: i64 },
    /// DESI's: one target, whichever tile, survey or program observed it.
    Target(i64),
    /// Files without ids: the rebinned flux, bit for bit.
    Flux(Vec<u32>),
}

impl SpectrumKey {
    pub(super) fn of(r: &Row) -> Self {
        if r.targetid >= 0 {
            SpectrumKey::Target(r.targetid)
        } else if r.plate > 0 && r.mjd > 0 && r.fiber > 0 {
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

/// [`process`] behind a panic guard: a reader bug on one file becomes that file's error.
fn process_guarded(
    path: &Path,
    grid: &Bins,
    catalogue: Option<&Redshifts>,
    opts: &IngestOptions,
) -> Processed {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        process(path, grid, catalogue, opts)
    }))
    .unwrap_or_else(|p| {
        let error = IngestError::Internal {
            path: path.to_path_buf(),
            detail: crate::util::panic_message(p.as_ref(), "a panic"),
        };
        vec![(FileOutcome::Failed { error }, None)]
    })
}

/// One input file: a DESI coadd (many targets), a redshift file (read with its coadd), or an
/// SDSS spectrum.
fn process(
    path: &Path,
    grid: &Bins,
    catalogue: Option<&Redshifts>,
    opts: &IngestOptions,
) -> Processed {
    let failed = |error| vec![(FileOutcome::Failed { error }, None)];
    if is_redshift_file_name(path) {
        return vec![(redshift_file_outcome(path), None)];
    }
    let bytes = match read_file(path, MAX_COADD_BYTES, "a spectrum file") {
        Ok(b) => b,
        Err(e) => return failed(e),
    };
    match kind_of(&bytes) {
        DesiKind::Coadd => process_coadd(path, bytes, catalogue, grid, opts),
        DesiKind::Redshifts => vec![(redshift_file_outcome(path), None)],
        DesiKind::Other => {
            if bytes.len() as u64 > MAX_FILE_BYTES {
                return failed(IngestError::Fits {
                    path: path.to_path_buf(),
                    detail: format!(
                        "{} bytes is far larger than an SDSS spectrum (at most {MAX_FILE_BYTES})",
                        bytes.len()
                    ),
                });
            }
            let (o, r) = process_sdss(path, bytes, grid, opts);
            vec![(o, r)]
        }
    }
}

/// A redshift file among the inputs: which coadd it serves.
fn redshift_file_outcome(path: &Path) -> FileOutcome {
    let name = file_name(path);
    let rest = ["redrock-", "zbest-"]
        .iter()
        .find_map(|p| name.strip_prefix(p));
    let note = match rest {
        Some(rest) if path.with_file_name(format!("coadd-{rest}")).is_file() => {
            format!("redshifts, read with coadd-{rest}")
        }
        Some(rest) => format!("redshifts; no coadd-{rest} beside it"),
        None => "a redshift catalogue: name it with --redshifts to use it".into(),
    };
    FileOutcome::Redshifts {
        path: path.to_path_buf(),
        note,
    }
}

/// Why a spectrum covers too little of the grid: its pixel mask, when the mask is what made
/// the difference (the bits named), else plain coverage.
fn coverage_reason(s: &SdssSpectrum, coverage: f64, opts: &IngestOptions) -> String {
    let plain = format!(
        "covers {:.0}% of the rest-frame grid ({:.0}–{:.0} Å) at z = {:.3} (< {:.0}%)",
        100.0 * coverage,
        opts.grid.span().0,
        opts.grid.span().1,
        s.z,
        100.0 * opts.min_coverage
    );
    if opts.mask == PixelMask::Ivar {
        return plain;
    }
    let by_ivar = s.rest_frame(PixelMask::Ivar, &opts.grid);
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

fn process_sdss(
    path: &Path,
    bytes: Vec<u8>,
    grid: &Bins,
    opts: &IngestOptions,
) -> (FileOutcome, Option<Row>) {
    let s = match read_sdss_bytes(bytes, path) {
        Ok(s) => s,
        Err(error) => return (FileOutcome::Failed { error }, None),
    };
    if let Some(reason) = rejection(&s) {
        return (
            FileOutcome::Rejected {
                path: path.to_path_buf(),
                target: None,
                reason,
            },
            None,
        );
    }
    let r = s.rest_frame(opts.mask, &grid.grid);
    if r.coverage < opts.min_coverage {
        return (
            FileOutcome::Rejected {
                path: path.to_path_buf(),
                target: None,
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
            target: None,
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
            targetid: -1,
            release: crate::data::release::SDSS,
            rank: (1, 0.0),
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

/// Ingests `paths` (see [`collect_paths`]) in memory: the stage "reading FITS files" of
/// `progress` (one step per file, from worker threads), then the PCA infill. A damaged file is
/// reported and skipped; the others are still processed. A cancel skips the files not yet read.
pub fn ingest(
    paths: &[PathBuf],
    opts: &IngestOptions,
    progress: &Progress,
) -> Result<Ingested, IngestSurveyError> {
    let mut keep = KeepOne::default();
    let mut rows: Vec<Option<Row>> = vec![];
    read_inputs(paths, opts, progress, &mut |o, r| {
        let Some(r) = r else {
            keep.outcomes.push(o);
            return Ok(());
        };
        match keep.offer(o, &r) {
            Kept::New => rows.push(Some(r)),
            Kept::Replaces { old } => {
                rows[old] = None;
                rows.push(Some(r));
            }
            Kept::Dropped => {}
        }
        Ok(())
    })?;
    let rows: Vec<Row> = rows.into_iter().flatten().collect();
    if rows.is_empty() {
        return Err(nothing_kept(keep.outcomes));
    }
    let survey = survey_from_rows(&rows, &opts.grid, &opts.pca, progress)?;
    Ok(Ingested {
        survey,
        outcomes: keep.outcomes,
    })
}

/// The redshift catalogue `--redshifts` names, read.
fn redshift_catalogue(opts: &IngestOptions) -> Result<Option<Redshifts>, IngestSurveyError> {
    match &opts.redshifts {
        Some(p) => Ok(Some(
            read_redshifts(p).map_err(IngestSurveyError::Redshifts)?,
        )),
        None => Ok(None),
    }
}

/// Files read at a time, in parallel within the batch: at most a batch's spectra are held
/// before the sink takes them (a DESI coadd holds up to ~500).
const FILES_PER_BATCH: usize = 32;

/// What [`read_inputs`] hands each outcome to, with its rebinned spectrum when one was kept.
pub(super) type Sink<'a> =
    dyn FnMut(FileOutcome, Option<Row>) -> Result<(), IngestSurveyError> + 'a;

/// Reads `paths` a batch at a time as the stage "reading FITS files" of `progress`, handing
/// every outcome to `sink` in input order (a DESI coadd gives one per target). A cancel skips
/// the files not yet read.
pub(super) fn read_inputs(
    paths: &[PathBuf],
    opts: &IngestOptions,
    progress: &Progress,
    sink: &mut Sink<'_>,
) -> Result<(), IngestSurveyError> {
    if paths.is_empty() {
        return Err(IngestSurveyError::NoFiles);
    }
    let catalogue = redshift_catalogue(opts)?;
    let grid = Bins::new(opts.grid);
    progress.stage(STAGE_READING, paths.len() as u64);
    for batch in paths.chunks(FILES_PER_BATCH) {
        let results: Vec<Option<Processed>> = batch
            .par_iter()
            .map(|p| {
                if progress.is_cancelled() {
                    return None;
                }
                let r = process_guarded(p, &grid, catalogue.as_ref(), opts);
                progress.add(1);
                Some(r)
            })
            .collect();
        progress.check()?;
        for (o, r) in results.into_iter().flatten().flatten() {
            sink(o, r)?;
        }
    }
    Ok(())
}

/// One spectrum per (plate, MJD, fibre), per DESI TARGETID, or per identical flux where a
/// file has no ids, decided as rows come: SDSS: the first in input (sorted path) order is
/// kept; DESI: the coadd with the most exposures, then the highest TSNR2 (the first on a
/// tie). The others are listed as duplicates of the one kept. Slots number the kept rows in
/// the order they were kept.
#[derive(Default)]
pub(super) struct KeepOne {
    pub(super) outcomes: Vec<FileOutcome>,
    /// Key → (index of the kept outcome, its slot).
    seen: HashMap<SpectrumKey, (usize, usize)>,
    /// The rank of each slot's row.
    ranks: Vec<(i64, f64)>,
}

/// What [`KeepOne::offer`] decided.
pub(super) enum Kept {
    /// A new spectrum, kept in the next slot.
    New,
    /// A better copy of the spectrum in slot `old`, kept in the next slot instead.
    Replaces { old: usize },
    /// A copy of a spectrum already kept.
    Dropped,
}

impl KeepOne {
    /// Offers a row read from a file, with its outcome.
    pub(super) fn offer(&mut self, o: FileOutcome, r: &Row) -> Kept {
        let duplicate = |kept: &FileOutcome, of: &FileOutcome| FileOutcome::Duplicate {
            path: kept.path().to_path_buf(),
            target: kept.target(),
            of: of.path().to_path_buf(),
        };
        let slot = self.ranks.len();
        match self.seen.entry(SpectrumKey::of(r)) {
            Entry::Occupied(mut first) => {
                let (oi, ri) = *first.get();
                let k = self.ranks[ri];
                let better =
                    r.targetid >= 0 && (r.rank.0 > k.0 || (r.rank.0 == k.0 && r.rank.1 > k.1));
                if better {
                    self.outcomes[oi] = duplicate(&self.outcomes[oi], &o);
                    first.insert((self.outcomes.len(), slot));
                    self.outcomes.push(o);
                    self.ranks.push(r.rank);
                    Kept::Replaces { old: ri }
                } else {
                    self.outcomes.push(duplicate(&o, &self.outcomes[oi]));
                    Kept::Dropped
                }
            }
            Entry::Vacant(v) => {
                v.insert((self.outcomes.len(), slot));
                self.outcomes.push(o);
                self.ranks.push(r.rank);
                Kept::New
            }
        }
    }
}

/// The error for an ingest that kept nothing, counting what happened to the inputs.
pub(super) fn nothing_kept(outcomes: Vec<FileOutcome>) -> IngestSurveyError {
    let count = |f: fn(&FileOutcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let failed = count(|o| matches!(o, FileOutcome::Failed { .. }));
    let rejected = count(|o| {
        matches!(
            o,
            FileOutcome::Rejected { .. } | FileOutcome::Duplicate { .. }
        )
    });
    // Redshift files are read with their coadds; they are not inputs that failed.
    let total = failed + rejected;
    IngestSurveyError::NothingKept {
        total,
        rejected,
        failed,
        outcomes,
    }
}

/// The name of [`ingest`]'s first stage.
pub const STAGE_READING: &str = "reading FITS files";

/// Assembles kept spectra and fills their masked bins. Bins that no spectrum covers stay
/// masked with a zero fill (and so zero weight); the PCA runs over the others.
pub(super) fn survey_from_rows(
    rows: &[Row],
    grid: &LogGrid,
    pca_cfg: &PcaConfig,
    progress: &Progress,
) -> Result<Survey, IngestSurveyError> {
    let n = rows.len();
    let d = grid.n;
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
        let (mu, evecs) = basis_on_grid(&p, &cols, d);
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
    Ok(Survey {
        spectra,
        mask,
        spec_err,
        coeff0: grid.coeff0,
        coeff1: grid.coeff1,
        norms,
        mu,
        evecs,
        coeffs,
        evals: Some(evals),
        meta: metadata_of(rows),
        truth: None,
    })
}

/// The mean and eigenvectors of `p`, a PCA over the bins `cols`, on all `d` bins of the grid
/// (zero on the others: bins no spectrum covered).
pub(super) fn basis_on_grid(
    p: &IterativePca,
    cols: &[usize],
    d: usize,
) -> (Array1<f32>, Array2<f32>) {
    let mut mu = Array1::<f32>::zeros(d);
    let mut evecs = Array2::<f32>::zeros((p.evecs.nrows(), d));
    for (c, &j) in cols.iter().enumerate() {
        mu[j] = p.mu[c];
        for q in 0..p.evecs.nrows() {
            evecs[[q, j]] = p.evecs[[q, c]];
        }
    }
    (mu, evecs)
}

/// The catalogue columns of kept rows (their spectra are not read).
pub(super) fn metadata_of(rows: &[Row]) -> Metadata {
    let col_i = |f: &dyn Fn(&Row) -> i64| Some(Array1::from_iter(rows.iter().map(f)));
    let col_f = |f: &dyn Fn(&Row) -> f64| Some(Array1::from_iter(rows.iter().map(|r| f(r) as f32)));
    Metadata {
        lineindex_cln: col_i(&|r| r.lineindex),
        z: col_f(&|r| r.z),
        zerr: col_f(&|r| r.zerr),
        plate: col_i(&|r| r.plate),
        mjd: col_i(&|r| r.mjd),
        fiber: col_i(&|r| r.fiber),
        log_nii_ha: col_f(&|r| r.log_nii_ha),
        log_oiii_hb: col_f(&|r| r.log_oiii_hb),
        targetid: rows
            .iter()
            .any(|r| r.targetid >= 0)
            .then(|| Array1::from_iter(rows.iter().map(|r| r.targetid))),
        release: col_i(&|r| r.release),
    }
}
