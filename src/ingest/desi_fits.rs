//! Reading one DESI coadd file (`coadd-PETAL-TILE-thruNIGHT.fits`, `coadd-SURVEY-PROGRAM-
//! HEALPIX.fits`, and the older `spectra-*` files of the same layout) without the DESI stack.
//!
//! Layout (desidatamodel): the primary header names `SURVEY`, `PROGRAM`, `SPGRP`, `TILEID` or
//! `HPXPIXEL`; `FIBERMAP` holds one row per target (`TARGETID`, `OBJTYPE`,
//! `COADD_FIBERSTATUS`, `COADD_NUMEXP`, …); each arm `X` (B, R, Z) has `X_WAVELENGTH`
//! (vacuum Å, observed frame), `X_FLUX` and `X_IVAR` (nwave × ntarget, 1e-17 erg/s/cm²/Å and
//! its inverse variance) and `X_MASK` (non-zero where bad); `SCORES` holds `TSNR2_*`.
//!
//! The arms overlap (b 3600–5930, r 5660–7720, z 7520–9824 Å) on one 0.8 Å pixel grid: they
//! are combined pixel by pixel by inverse variance where they overlap, masked pixels left
//! out. Arms on grids that do not line up are cut at the middle of each overlap instead.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use fitsrs::HDU;

use super::IngestError;
use super::fits_table::{
    MemFits, Table, each_hdu, header_text, open_bytes, read_columns, read_file, read_image,
};

/// The largest coadd read (files are read whole; DR1 healpix coadds are 0.1–1 GB).
pub const MAX_COADD_BYTES: u64 = 4 << 30;

/// One target of a coadd, its arms combined.
#[derive(Clone, Debug)]
pub struct DesiTarget {
    pub targetid: i64,
    /// "TGT", "SKY", "BAD", or empty in some trimmed files.
    pub objtype: String,
    pub fiberstatus: i64,
    pub numexp: i64,
    /// A template S/N² of the coadd (`TSNR2_LRG`, else `TSNR2_BGS`, `TSNR2_ELG`): used to pick
    /// the better of two coadds of one target.
    pub tsnr2: f64,
    pub flux: Vec<f32>,
    pub ivar: Vec<f32>,
    /// Pixels with no good data in any arm (mask bits set or ivar = 0).
    pub bad: Vec<bool>,
}

/// A coadd file: its provenance and targets on the combined wavelength grid.
#[derive(Clone, Debug)]
pub struct DesiCoadd {
    pub path: PathBuf,
    /// `SURVEY` (main, sv1, sv3, special, cmx, …) and `PROGRAM` (dark, bright, backup, …);
    /// empty when the header does not say.
    pub survey: String,
    pub program: String,
    /// log10 of the observed vacuum wavelength of each combined pixel, increasing.
    pub loglam: Vec<f64>,
    pub targets: Vec<DesiTarget>,
}

/// What a file is, from its HDU names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DesiKind {
    /// FIBERMAP and `*_WAVELENGTH` HDUs.
    Coadd,
    /// A `REDSHIFTS` (redrock, zbest) or `ZCATALOG` (zpix, zall, ztile) table.
    Redshifts,
    /// Neither.
    Other,
}

/// The kind of a FITS file from its HDU names (headers only; no data is read).
pub fn kind_of(bytes: &[u8]) -> DesiKind {
    let names = extnames(bytes);
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    if has("FIBERMAP") && names.iter().any(|n| n.ends_with("_WAVELENGTH")) {
        DesiKind::Coadd
    } else if has("REDSHIFTS") || has("ZCATALOG") || has("ZCAT") {
        DesiKind::Redshifts
    } else {
        DesiKind::Other
    }
}

/// The `EXTNAME`s of a file's HDUs, read from the 80-byte cards of each header (the data units
/// are skipped by their size; a damaged size ends the walk).
fn extnames(bytes: &[u8]) -> Vec<String> {
    let mut names = vec![];
    let mut off = 0usize;
    // A real file has a few dozen HDUs; the bound keeps damage from making this slow.
    for _ in 0..1000 {
        let mut kv: HashMap<String, String> = HashMap::new();
        let mut ended = false;
        while !ended && off + 2880 <= bytes.len() {
            for c in bytes[off..off + 2880].chunks(80) {
                let key = String::from_utf8_lossy(&c[..8]).trim().to_string();
                if key == "END" {
                    ended = true;
                    break;
                }
                if c.len() >= 10 && &c[8..10] == b"= " {
                    let v = String::from_utf8_lossy(&c[10..]);
                    let v = v.split('/').next().unwrap_or("").trim().trim_matches('\'');
                    kv.insert(key, v.trim().to_string());
                }
            }
            off += 2880;
        }
        if !ended {
            break;
        }
        if let Some(n) = kv.get("EXTNAME") {
            names.push(n.clone());
        }
        let num = |k: &str| kv.get(k).and_then(|v| v.parse::<u64>().ok());
        let naxis = num("NAXIS").unwrap_or(0).min(999);
        let mut size: u64 = if naxis == 0 { 0 } else { 1 };
        for i in 1..=naxis {
            size = size.saturating_mul(num(&format!("NAXIS{i}")).unwrap_or(0));
        }
        let bitpix = kv
            .get("BITPIX")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(8)
            .unsigned_abs()
            / 8;
        size = size
            .saturating_mul(bitpix)
            .saturating_add(num("PCOUNT").unwrap_or(0));
        let blocks = size.div_ceil(2880).saturating_mul(2880);
        match usize::try_from(blocks)
            .ok()
            .and_then(|b| off.checked_add(b))
        {
            Some(next) if next <= bytes.len() => off = next,
            _ => break,
        }
        if off >= bytes.len() {
            break;
        }
    }
    names
}

fn not_desi(path: &Path, detail: impl Into<String>) -> IngestError {
    IngestError::NotDesi {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

/// One arm as read: wavelengths and nwave × ntarget planes (row t = target t).
struct Arm {
    name: String,
    wave: Vec<f64>,
    flux: Vec<f64>,
    ivar: Vec<f64>,
    mask: Option<Vec<f64>>,
}

/// Reads a coadd file.
pub fn read_desi_coadd(path: &Path) -> Result<DesiCoadd, IngestError> {
    let bytes = read_file(path, MAX_COADD_BYTES, "a DESI coadd")?;
    read_desi_coadd_bytes(bytes, path)
}

/// Reads a coadd from the bytes of a file; `path` names it in errors.
pub fn read_desi_coadd_bytes(bytes: Vec<u8>, path: &Path) -> Result<DesiCoadd, IngestError> {
    let file_len = bytes.len() as u64;
    let mut fits: MemFits = open_bytes(bytes, path)?;
    let (mut survey, mut program) = (String::new(), String::new());
    let mut fibermap: Option<Table> = None;
    let mut scores: Option<Table> = None;
    let mut planes: HashMap<String, (Vec<f64>, Vec<usize>)> = HashMap::new();
    let mut first = true;
    each_hdu(&mut fits, path, |fits, name, hdu| {
        match hdu {
            HDU::Primary(h) | HDU::XImage(h) => {
                let hh = h.get_header();
                if first {
                    survey = header_text(hh, "SURVEY").unwrap_or_default();
                    program = header_text(hh, "PROGRAM").unwrap_or_default();
                }
                let upper = name.to_ascii_uppercase();
                let wanted = ["_WAVELENGTH", "_FLUX", "_IVAR", "_MASK"]
                    .iter()
                    .any(|s| upper.ends_with(s));
                if wanted {
                    planes.insert(upper, read_image(fits, &h, file_len, path)?);
                }
            }
            HDU::XBinaryTable(t) => {
                if name.eq_ignore_ascii_case("FIBERMAP") {
                    fibermap = Some(read_columns(
                        fits,
                        &t,
                        &[
                            "TARGETID",
                            "OBJTYPE",
                            "COADD_FIBERSTATUS",
                            "FIBERSTATUS",
                            "COADD_NUMEXP",
                        ],
                        file_len,
                        path,
                    )?);
                } else if name.eq_ignore_ascii_case("SCORES") {
                    scores = Some(read_columns(
                        fits,
                        &t,
                        &["TARGETID", "TSNR2_LRG", "TSNR2_BGS", "TSNR2_ELG"],
                        file_len,
                        path,
                    )?);
                }
            }
            HDU::XASCIITable(_) => {}
        }
        first = false;
        Ok(())
    })?;
    let fm = fibermap.ok_or_else(|| not_desi(path, "no FIBERMAP table (not a DESI coadd)"))?;
    let ids = fm
        .ints("TARGETID")
        .ok_or_else(|| not_desi(path, "its FIBERMAP has no TARGETID column"))?;
    let nt = fm.nrows;
    if nt == 0 {
        return Err(not_desi(path, "its FIBERMAP has no rows (no targets)"));
    }
    let arms = arms_of(path, &mut planes, nt)?;
    let (loglam, combine) = combined_grid(&arms);
    let objtype = fm
        .texts("OBJTYPE")
        .unwrap_or_else(|| vec![String::new(); nt]);
    let status = fm
        .ints("COADD_FIBERSTATUS")
        .or_else(|| fm.ints("FIBERSTATUS"))
        .unwrap_or_else(|| vec![0; nt]);
    let numexp = fm.ints("COADD_NUMEXP").unwrap_or_else(|| vec![1; nt]);
    let tsnr2 = scores
        .as_ref()
        .filter(|s| s.nrows == nt)
        .and_then(|s| {
            s.floats("TSNR2_LRG")
                .or_else(|| s.floats("TSNR2_BGS"))
                .or_else(|| s.floats("TSNR2_ELG"))
        })
        .unwrap_or_else(|| vec![0.0; nt]);
    let targets = (0..nt)
        .map(|t| {
            let (flux, ivar, bad) = combine_target(&arms, &combine, loglam.len(), t);
            DesiTarget {
                targetid: ids[t],
                objtype: objtype.get(t).cloned().unwrap_or_default(),
                fiberstatus: status.get(t).copied().unwrap_or(0),
                numexp: numexp.get(t).copied().unwrap_or(1),
                tsnr2: tsnr2
                    .get(t)
                    .copied()
                    .filter(|v| v.is_finite())
                    .unwrap_or(0.0),
                flux,
                ivar,
                bad,
            }
        })
        .collect();
    Ok(DesiCoadd {
        path: path.to_path_buf(),
        survey,
        program,
        loglam,
        targets,
    })
}

/// The arms (`X_WAVELENGTH` with `X_FLUX`, `X_IVAR`, optional `X_MASK`), blue first; each
/// plane's shape checked against its wavelengths and the FIBERMAP.
fn arms_of(
    path: &Path,
    planes: &mut HashMap<String, (Vec<f64>, Vec<usize>)>,
    nt: usize,
) -> Result<Vec<Arm>, IngestError> {
    let mut names: Vec<String> = planes
        .keys()
        .filter_map(|k| k.strip_suffix("_WAVELENGTH").map(str::to_string))
        .collect();
    names.sort();
    let mut arms = vec![];
    for name in names {
        let Some((wave, wax)) = planes.remove(&format!("{name}_WAVELENGTH")) else {
            continue;
        };
        let nw = wave.len();
        if wax.len() != 1 || nw < 2 {
            return Err(not_desi(
                path,
                format!("{name}_WAVELENGTH is not a list of wavelengths (axes {wax:?})"),
            ));
        }
        if wave.iter().any(|w| !w.is_finite() || *w <= 0.0) || wave.windows(2).any(|p| p[1] <= p[0])
        {
            return Err(not_desi(
                path,
                format!("{name}_WAVELENGTH is not positive and increasing"),
            ));
        }
        // Optical spectrographs: a wavelength outside 100 Å – 100 µm is damage (or not Å).
        if wave[0] < 100.0 || wave[nw - 1] > 1e6 {
            return Err(not_desi(
                path,
                format!(
                    "{name}_WAVELENGTH runs from {} to {} Å, not an optical spectrum's range",
                    wave[0],
                    wave[nw - 1]
                ),
            ));
        }
        let mut plane = |what: &str, required: bool| -> Result<Option<Vec<f64>>, IngestError> {
            let key = format!("{name}_{what}");
            match planes.remove(&key) {
                Some((v, ax)) => {
                    if ax.len() != 2 || ax[0] != nw || ax[1] != nt {
                        return Err(not_desi(
                            path,
                            format!(
                                "{key} has axes {ax:?}; expected [{nw}, {nt}] \
                                 ({name}_WAVELENGTH × FIBERMAP rows)"
                            ),
                        ));
                    }
                    Ok(Some(v))
                }
                None if required => Err(not_desi(path, format!("no {key} image"))),
                None => Ok(None),
            }
        };
        let flux = plane("FLUX", true)?.unwrap_or_default();
        let ivar = plane("IVAR", true)?.unwrap_or_default();
        let mask = plane("MASK", false)?;
        arms.push(Arm {
            name,
            wave,
            flux,
            ivar,
            mask,
        });
    }
    if arms.is_empty() {
        return Err(not_desi(path, "no *_WAVELENGTH image"));
    }
    arms.sort_by(|a, b| a.wave[0].total_cmp(&b.wave[0]).then(a.name.cmp(&b.name)));
    Ok(arms)
}

/// Where each arm's pixels go on the combined grid: `Some(k)` or `None` (cut away).
type Placement = Vec<Vec<Option<usize>>>;

/// The combined grid (log10 λ) and each arm pixel's place on it.
fn combined_grid(arms: &[Arm]) -> (Vec<f64>, Placement) {
    let step = arms[0].wave[1] - arms[0].wave[0];
    let start = arms[0].wave[0];
    // One linear grid for all arms: same step, pixels on the same lattice.
    let aligned = arms.iter().all(|a| {
        let s = (a.wave[a.wave.len() - 1] - a.wave[0]) / (a.wave.len() - 1) as f64;
        let off = (a.wave[0] - start) / step;
        (s - step).abs() < 1e-6 * step
            && (off - off.round()).abs() < 1e-3
            && a.wave
                .iter()
                .enumerate()
                .all(|(i, w)| ((w - a.wave[0]) / step - i as f64).abs() < 1e-3)
    });
    // The combined grid can hold no more pixels than the arms (they overlap; a small gap between
    // them adds empty ones): an arm whose wavelengths sit far from the others (a damaged BZERO
    // of 2^63 Å still "aligns" in floating point) would size it from its offset instead.
    let total: usize = arms.iter().map(|a| a.wave.len()).sum();
    let span = arms
        .iter()
        .map(|a| (a.wave[a.wave.len() - 1] - start) / step)
        .fold(0.0f64, f64::max);
    if aligned && span.is_finite() && span < 2.0 * total as f64 {
        let place: Placement = arms
            .iter()
            .map(|a| {
                let k0 = ((a.wave[0] - start) / step).round() as usize;
                (0..a.wave.len()).map(|i| Some(k0 + i)).collect()
            })
            .collect();
        let n = place
            .iter()
            .flat_map(|p| p.iter().flatten())
            .max()
            .map_or(0, |m| m + 1);
        let loglam = (0..n).map(|k| (start + step * k as f64).log10()).collect();
        return (loglam, place);
    }
    // Otherwise: each overlap cut at its middle.
    let mut loglam = vec![];
    let mut place: Placement = vec![];
    for (i, a) in arms.iter().enumerate() {
        let lo = if i > 0 {
            let prev = &arms[i - 1].wave;
            0.5 * (prev[prev.len() - 1] + a.wave[0])
        } else {
            f64::NEG_INFINITY
        };
        let hi = arms.get(i + 1).map_or(f64::INFINITY, |b| {
            0.5 * (a.wave[a.wave.len() - 1] + b.wave[0])
        });
        let p = a
            .wave
            .iter()
            .map(|&w| {
                (w >= lo && w < hi && loglam.last().is_none_or(|&l| w.log10() > l)).then(|| {
                    loglam.push(w.log10());
                    loglam.len() - 1
                })
            })
            .collect();
        place.push(p);
    }
    (loglam, place)
}

/// Target `t`'s flux, ivar and bad-pixel flags on the combined grid of `n` pixels.
fn combine_target(
    arms: &[Arm],
    place: &Placement,
    n: usize,
    t: usize,
) -> (Vec<f32>, Vec<f32>, Vec<bool>) {
    let (mut sw, mut swf) = (vec![0.0f64; n], vec![0.0f64; n]);
    for (a, p) in arms.iter().zip(place) {
        let nw = a.wave.len();
        let row = t * nw..(t + 1) * nw;
        let (flux, ivar) = (&a.flux[row.clone()], &a.ivar[row.clone()]);
        let mask = a.mask.as_ref().map(|m| &m[row]);
        for i in 0..nw {
            let Some(k) = p[i] else { continue };
            let (f, iv) = (flux[i], ivar[i]);
            let masked = mask.is_some_and(|m| m[i] != 0.0);
            // ivar ≤ 0, NaN or infinite, or a flux that is not finite: no data.
            if masked || !(iv.is_finite() && iv > 0.0) || !f.is_finite() {
                continue;
            }
            sw[k] += iv;
            swf[k] += iv * f;
        }
    }
    let flux = (0..n)
        .map(|k| {
            if sw[k] > 0.0 {
                (swf[k] / sw[k]) as f32
            } else {
                0.0
            }
        })
        .collect();
    let ivar = sw.iter().map(|&w| w as f32).collect();
    let bad = sw.iter().map(|&w| w <= 0.0).collect();
    (flux, ivar, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arm(name: &str, start: f64, n: usize, step: f64, value: f64, iv: f64) -> Arm {
        Arm {
            name: name.into(),
            wave: (0..n).map(|i| start + step * i as f64).collect(),
            flux: vec![value; n],
            ivar: vec![iv; n],
            mask: None,
        }
    }

    #[test]
    fn aligned_arms_are_combined_by_inverse_variance_where_they_overlap() {
        // b: 3600–3607.2 Å, r from 3604 Å: pixels 5..9 overlap.
        let b = arm("B", 3600.0, 10, 0.8, 1.0, 1.0);
        let r = arm("R", 3604.0, 10, 0.8, 4.0, 3.0);
        let arms = vec![b, r];
        let (loglam, place) = combined_grid(&arms);
        assert_eq!(loglam.len(), 15);
        let (flux, ivar, bad) = combine_target(&arms, &place, loglam.len(), 0);
        assert!((flux[0] - 1.0).abs() < 1e-6);
        // Overlap: (1·1 + 4·3) / 4 = 3.25, ivar 4.
        assert!((flux[7] - 3.25).abs() < 1e-6, "{}", flux[7]);
        assert!((ivar[7] - 4.0).abs() < 1e-6);
        assert!((flux[14] - 4.0).abs() < 1e-6);
        assert!(bad.iter().all(|b| !b));
    }

    #[test]
    fn an_arm_far_from_the_others_does_not_size_the_grid_by_its_offset() {
        // The same 0.8 Å lattice, but 10^19 Å away (a damaged BZERO on R_WAVELENGTH).
        let b = arm("B", 3600.0, 10, 0.8, 1.0, 1.0);
        let r = arm("R", 3600.0 + 0.8 * 1.25e19, 10, 0.8, 4.0, 3.0);
        let arms = vec![b, r];
        let (loglam, place) = combined_grid(&arms);
        assert!(loglam.len() <= 20, "{} pixels", loglam.len());
        assert_eq!(place.len(), 2);
    }

    #[test]
    fn masked_pixels_are_left_out_and_unaligned_arms_are_cut() {
        let mut b = arm("B", 3600.0, 10, 0.8, 1.0, 1.0);
        b.mask = Some((0..10).map(|i| if i == 2 { 8.0 } else { 0.0 }).collect());
        let r = arm("R", 3604.3, 10, 0.7, 4.0, 3.0);
        let arms = vec![b, r];
        let (loglam, place) = combined_grid(&arms);
        assert!(loglam.windows(2).all(|w| w[1] > w[0]));
        let (flux, _, bad) = combine_target(&arms, &place, loglam.len(), 0);
        assert!(bad[2] && !bad[1] && !bad[3]);
        assert_eq!(flux[0], 1.0);
        assert_eq!(*flux.last().unwrap(), 4.0);
    }
}
