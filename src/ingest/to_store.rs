//! Ingesting straight into a survey store, never holding every spectrum: files are read a
//! batch at a time (in parallel within a batch), each kept spectrum's rebinned flux, errors
//! and mask go to a spool file beside the store (9 bytes a bin: ~9 GB for a million
//! spectra, removed at the end), and only the catalogue columns and the outcome table stay
//! in memory. A DESI target seen again in a better coadd marks its spooled copy dead, so
//! duplicates are resolved exactly as [`super::ingest`] resolves them. Then:
//!
//! - up to [`IngestOptions::infill_sample`] kept spectra: read back whole and filled by the
//!   iterative PCA over all of them — the same survey [`super::ingest`] returns;
//! - more: the PCA's basis is fitted on an evenly spaced sample of that many, and every
//!   spectrum is filled from it on its own ([`crate::pca::apply`]) and appended to the store
//!   a block at a time, as `specae generate` writes a store.
//!
//! The store is written atomically ([`StoreWriter`]): an interrupted ingest leaves none.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ndarray::Array2;
use rayon::prelude::*;

use super::outcome::Row;
use super::survey::{
    IngestSurveyError, KeepOne, Kept, basis_on_grid, metadata_of, nothing_kept, read_inputs,
    survey_from_rows,
};
use super::{FileOutcome, IngestOptions};
use crate::data::store::StoreWriter;
use crate::data::survey::Survey;
use crate::pca::apply::FixedBasis;
use crate::pca::{PcaConfig, PcaError, iterative_pca};
use crate::util::progress::Progress;

/// Spectra filled and appended at a time.
const BLOCK: usize = 2048;
/// The name of the last stage.
pub const STAGE_FILL: &str = "filling and writing spectra";

/// What [`ingest_to_store`] did: an outcome per input, and how many spectra the store holds.
#[derive(Debug)]
pub struct IngestedStore {
    pub outcomes: Vec<FileOutcome>,
    pub n_spectra: usize,
    /// Spectra the infill's basis was fitted on (all of them up to the sample size).
    pub fitted_on: usize,
}

/// Ingests `paths` into a survey store at `out`, as the stages "reading FITS files", the PCA
/// infill's and "filling and writing spectra" of `progress`; a cancel stops within a batch
/// of files or a block of spectra and leaves no store.
pub fn ingest_to_store(
    paths: &[PathBuf],
    opts: &IngestOptions,
    out: &Path,
    progress: &Progress,
) -> Result<IngestedStore, IngestSurveyError> {
    let d = opts.grid.n;
    let mut spool = Spool::create(out, d)?;
    let mut keep = KeepOne::default();
    // One per slot: the catalogue values (its spectrum is in the spool), and whether it is
    // still the copy kept.
    let mut meta: Vec<Row> = vec![];
    let mut alive: Vec<bool> = vec![];
    read_inputs(paths, opts, progress, &mut |o, r| {
        let Some(mut r) = r else {
            keep.outcomes.push(o);
            return Ok(());
        };
        match keep.offer(o, &r) {
            Kept::New => {}
            Kept::Replaces { old } => alive[old] = false,
            Kept::Dropped => return Ok(()),
        }
        spool.push(&r)?;
        r.flux = vec![];
        r.err = vec![];
        r.mask = vec![];
        meta.push(r);
        alive.push(true);
        Ok(())
    })?;
    let slots: Vec<usize> = (0..alive.len()).filter(|&i| alive[i]).collect();
    drop(alive);
    if slots.is_empty() {
        return Err(nothing_kept(keep.outcomes));
    }
    let n = slots.len();
    let meta: Vec<Row> = {
        let mut meta: Vec<Option<Row>> = meta.into_iter().map(Some).collect();
        slots.iter().filter_map(|&i| meta[i].take()).collect()
    };
    let fitted_on = if n <= opts.infill_sample.max(1) {
        // Few enough to hold: the in-memory ingest's infill over all of them.
        let mut rows = meta;
        for (r, &slot) in rows.iter_mut().zip(&slots) {
            (r.flux, r.err, r.mask) = spool.read(slot)?;
        }
        let survey = survey_from_rows(&rows, &opts.grid, &opts.pca, progress)?;
        drop(rows);
        survey.write_with(out, false, progress)?;
        n
    } else {
        write_filled(&mut spool, &slots, meta, opts, out, progress)?
    };
    Ok(IngestedStore {
        outcomes: keep.outcomes,
        n_spectra: n,
        fitted_on,
    })
}

/// The basis fitted on an evenly spaced sample of the kept spectra, then every spectrum
/// filled from it and appended to the store; returns the sample's size.
fn write_filled(
    spool: &mut Spool,
    slots: &[usize],
    meta: Vec<Row>,
    opts: &IngestOptions,
    out: &Path,
    progress: &Progress,
) -> Result<usize, IngestSurveyError> {
    let (n, d) = (slots.len(), spool.d);
    let m = n.min(opts.infill_sample.max(1));
    let mut xs = Array2::<f32>::zeros((m, d));
    let mut ms = Array2::<bool>::from_elem((m, d), true);
    for j in 0..m {
        let (flux, _, mask) = spool.read(slots[j * n / m])?;
        xs.row_mut(j)
            .iter_mut()
            .zip(&flux)
            .for_each(|(o, &v)| *o = v);
        ms.row_mut(j)
            .iter_mut()
            .zip(&mask)
            .for_each(|(o, &v)| *o = v);
    }
    // Bins no spectrum of the sample covers stay out of the fit: the basis is zero there, so
    // a spectrum covering one keeps its own value and a masked one is filled with zero.
    let cols: Vec<usize> = (0..d).filter(|&j| (0..m).any(|i| !ms[[i, j]])).collect();
    let sub_x = Array2::from_shape_fn((m, cols.len()), |(i, c)| xs[[i, cols[c]]]);
    let sub_m = Array2::from_shape_fn((m, cols.len()), |(i, c)| ms[[i, cols[c]]]);
    drop((xs, ms));
    let cfg = PcaConfig {
        n_ev: opts
            .pca
            .n_ev
            .min(m.saturating_sub(1))
            .min(cols.len())
            .max(1),
        ..opts.pca.clone()
    };
    let p = iterative_pca(sub_x.view(), sub_m.view(), &cfg, progress)?;
    drop((sub_x, sub_m));
    let (mu, evecs) = basis_on_grid(&p, &cols, d);
    let k = p.coeffs.ncols();
    let flat: Vec<f32> = evecs.iter().copied().collect();
    let basis = FixedBasis::new(mu.as_slice().unwrap_or(&[]), &flat, k);

    let mut writer = StoreWriter::create(out, (n, d, k), progress)?;
    progress.stage(STAGE_FILL, n as u64);
    let mut norms: Vec<f32> = Vec::with_capacity(n);
    for (b, block) in slots.chunks(BLOCK).enumerate() {
        progress.check()?;
        let rows = block
            .iter()
            .map(|&s| spool.read(s))
            .collect::<Result<Vec<_>, _>>()?;
        let filled: Vec<_> = rows
            .par_iter()
            .map(|(flux, _, mask)| basis.infill(flux, mask, cfg.n_iter))
            .collect();
        let (mut fx, mut fm, mut fe, mut fc) = (vec![], vec![], vec![], vec![]);
        for (i, ((flux, err, mask), f)) in rows.into_iter().zip(filled).enumerate() {
            let f = f.ok_or(IngestSurveyError::Pca(PcaError::EmptySpectrum {
                row: b * BLOCK + i,
            }))?;
            fx.extend(flux);
            fm.extend(mask);
            fe.extend(err);
            fc.extend(f.coeffs);
            norms.push(f.norm);
        }
        writer.append(&fx, &fm, &fe, &fc)?;
        progress.set((b * BLOCK + block.len()) as u64);
    }
    let rest = Survey {
        spectra: Array2::zeros((0, d)),
        mask: Array2::from_elem((0, d), false),
        spec_err: Array2::zeros((0, d)),
        coeff0: opts.grid.coeff0,
        coeff1: opts.grid.coeff1,
        norms: norms.into(),
        mu,
        evecs,
        coeffs: Array2::zeros((0, k)),
        evals: Some(p.evals),
        meta: metadata_of(&meta),
        truth: None,
    };
    writer.finish(&rest)?;
    Ok(m)
}

/// Kept spectra on disk while an ingest reads: rebinned flux and errors (f32) and the mask
/// (a byte a bin), one fixed-size record per slot, in `STORE.spool` beside the store; gone
/// when dropped.
struct Spool {
    path: PathBuf,
    d: usize,
    writer: Option<BufWriter<File>>,
    reader: Option<BufReader<File>>,
    records: usize,
}

impl Spool {
    fn create(out: &Path, d: usize) -> Result<Self, IngestSurveyError> {
        let mut name = out.file_name().unwrap_or_default().to_os_string();
        name.push(".spool");
        let path = out.with_file_name(name);
        let file = File::create(&path).map_err(|e| spool_err(&path, e))?;
        Ok(Self {
            path,
            d,
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
            reader: None,
            records: 0,
        })
    }

    fn record_bytes(&self) -> u64 {
        9 * self.d as u64
    }

    fn push(&mut self, r: &Row) -> Result<(), IngestSurveyError> {
        let d = self.d;
        if r.flux.len() != d || r.err.len() != d || r.mask.len() != d {
            return Err(spool_err(
                &self.path,
                std::io::Error::other(format!(
                    "a spectrum of {} bins for a grid of {d}",
                    r.flux.len()
                )),
            ));
        }
        let w = match self.writer.as_mut() {
            Some(w) => w,
            None => return Err(spool_err(&self.path, std::io::Error::other("closed"))),
        };
        let mut buf = Vec::with_capacity(9 * d);
        r.flux.iter().for_each(|v| buf.extend(v.to_le_bytes()));
        r.err.iter().for_each(|v| buf.extend(v.to_le_bytes()));
        buf.extend(r.mask.iter().map(|&m| u8::from(m)));
        w.write_all(&buf).map_err(|e| spool_err(&self.path, e))?;
        self.records += 1;
        Ok(())
    }

    /// Record `slot`: (flux, errors, mask).
    #[allow(clippy::type_complexity)]
    fn read(&mut self, slot: usize) -> Result<(Vec<f32>, Vec<f32>, Vec<bool>), IngestSurveyError> {
        if let Some(w) = self.writer.take() {
            let file = w
                .into_inner()
                .map_err(|e| spool_err(&self.path, e.into_error()))?;
            file.sync_data().map_err(|e| spool_err(&self.path, e))?;
            let file = File::open(&self.path).map_err(|e| spool_err(&self.path, e))?;
            self.reader = Some(BufReader::with_capacity(1 << 20, file));
        }
        let (d, bytes) = (self.d, self.record_bytes());
        let path = self.path.clone();
        let Some(r) = self.reader.as_mut().filter(|_| slot < self.records) else {
            return Err(spool_err(
                &path,
                std::io::Error::other(format!("no record {slot}")),
            ));
        };
        let at = slot as u64 * bytes;
        let pos = r.stream_position().map_err(|e| spool_err(&path, e))?;
        if pos != at {
            r.seek(SeekFrom::Start(at))
                .map_err(|e| spool_err(&path, e))?;
        }
        let mut buf = vec![0u8; bytes as usize];
        r.read_exact(&mut buf).map_err(|e| spool_err(&path, e))?;
        let f32s = |b: &[u8]| -> Vec<f32> {
            b.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        };
        let flux = f32s(&buf[..4 * d]);
        let err = f32s(&buf[4 * d..8 * d]);
        let mask = buf[8 * d..].iter().map(|&m| m != 0).collect();
        Ok((flux, err, mask))
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        self.writer = None;
        self.reader = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

fn spool_err(path: &Path, e: std::io::Error) -> IngestSurveyError {
    IngestSurveyError::Spool {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}
