//! Reading one SDSS spectrum file with `fitsrs`.
//!
//! - DR8 and later (`spec-*.fits`, lite or full): HDU 1 `COADD` table (`flux, loglam, ivar,
//!   and_mask`), HDU 2 `SPECOBJ` (`Z, Z_ERR, ZWARNING, CLASS, SUBCLASS, PLATE, MJD, FIBERID`),
//!   HDU 3 `SPZLINE` (line fits: `LINEWAVE, LINEAREA, LINEAREA_ERR`).
//! - DR7 (`spSpec-*.fit`): primary image with rows flux, continuum-subtracted flux, error,
//!   mask; wavelengths from `COEFF0/COEFF1`; `Z, Z_ERR, SPEC_CLN, ZWARNING` in the header;
//!   HDU 2 the measured lines (`restWave, sigma, height, nsigma`).

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use fitsrs::hdu::data::bintable::ColumnId;
use fitsrs::{DataValue, Fits, HDU, Pixels};

use super::IngestError;
use super::fits_table::header_number;

/// One line measurement from the SDSS pipeline.
#[derive(Clone, Debug)]
pub struct PipelineLine {
    /// Rest (vacuum) wavelength (Å).
    pub rest_wave: f64,
    /// Line strength (flux, or σ × height as astroML uses for DR7).
    pub strength: f64,
    /// Significance.
    pub nsigma: f64,
}

/// Which file layout a spectrum came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// DR8+ `spec-*.fits` (lite or full).
    Spec,
    /// DR7 `spSpec-*.fit`.
    SpSpec,
}

/// An SDSS spectrum as observed, with its catalogue values.
#[derive(Clone, Debug)]
pub struct SdssSpectrum {
    pub path: PathBuf,
    pub layout: Layout,
    /// log10 observed (vacuum) wavelength per pixel.
    pub loglam: Vec<f64>,
    pub flux: Vec<f32>,
    pub ivar: Vec<f32>,
    /// Pixels whose pipeline mask has a [`BAD_PIXEL_BITS`] bit (and_mask, or the DR7 mask row).
    pub flagged: Vec<bool>,
    /// The pipeline's pixel mask itself (and_mask, or the DR7 mask row), one per pixel.
    pub mask_bits: Vec<u32>,
    pub z: f64,
    pub zerr: f64,
    pub zwarning: i64,
    /// Pipeline class: "GALAXY", "QSO", "STAR", "SKY", "UNKNOWN".
    pub class: String,
    pub subclass: String,
    pub plate: i64,
    pub mjd: i64,
    pub fiber: i64,
    pub lines: Vec<PipelineLine>,
}

/// Files are read whole (SDSS spectra are 0.2–1 MB) and parsed from memory.
type Reader = Fits<Cursor<Vec<u8>>>;

/// No SDSS spectrum file comes near this; a larger file is not one.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// SDSS pixel-mask bits that make a pixel unusable: NOPLUG, BADTRACE, BADFLAT, BADARC,
/// MANYBADCOLUMNS, MANYREJECTED, LARGESHIFT, BADSKYFIBER (0–7), WHOPPER (9), FULLREJECT (18),
/// NOSKY (22), NODATA (24), COMBINEREJ (25), BADFLUXFACTOR (26), BADSKYCHI (27).
/// Informational bits — BRIGHTSKY (23: its errors are already large), EMLINE (30: DR7 marks
/// emission lines!), NEARWHOPPER, SMEAR*, NEARBADPIXEL, LOWFLAT, PARTIALREJECT, SCATTEREDLIGHT,
/// CROSSTALK, REDMONSTER — do not mask.
pub const BAD_PIXEL_BITS: u32 = 0xff | (1 << 9) | (1 << 18) | (1 << 22) | (0xf << 24);

/// Whether a pixel-mask value marks a bad pixel.
pub fn is_bad_pixel(mask: u32) -> bool {
    mask & BAD_PIXEL_BITS != 0
}

/// SDSS's names of the pixel-mask bits (SPPIXMASK; DR7 uses bit 30 for EMLINE).
pub fn pixel_bit_name(bit: u32) -> &'static str {
    const NAMES: [&str; 31] = [
        "NOPLUG",
        "BADTRACE",
        "BADFLAT",
        "BADARC",
        "MANYBADCOLUMNS",
        "MANYREJECTED",
        "LARGESHIFT",
        "BADSKYFIBER",
        "NEARWHOPPER",
        "WHOPPER",
        "SMEARIMAGE",
        "SMEARHIGHSN",
        "SMEARMEDSN",
        "",
        "",
        "",
        "NEARBADPIXEL",
        "LOWFLAT",
        "FULLREJECT",
        "PARTIALREJECT",
        "SCATTEREDLIGHT",
        "CROSSTALK",
        "NOSKY",
        "BRIGHTSKY",
        "NODATA",
        "COMBINEREJ",
        "BADFLUXFACTOR",
        "BADSKYCHI",
        "REDMONSTER",
        "",
        "EMLINE",
    ];
    NAMES
        .get(bit as usize)
        .copied()
        .filter(|n| !n.is_empty())
        .unwrap_or("unnamed")
}

/// The bad bits ([`BAD_PIXEL_BITS`]) set on `masks`, most frequent first: (bit, fraction of
/// pixels carrying it).
pub fn bad_bit_fractions(masks: &[u32]) -> Vec<(u32, f64)> {
    if masks.is_empty() {
        return vec![];
    }
    let mut out: Vec<(u32, f64)> = (0..32)
        .filter(|b| BAD_PIXEL_BITS & (1 << b) != 0)
        .map(|b| {
            let n = masks.iter().filter(|&&m| m & (1 << b) != 0).count();
            (b, n as f64 / masks.len() as f64)
        })
        .filter(|&(_, f)| f > 0.0)
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// A pixel-mask value as read (integer columns arrive as f64, DR7's mask row as f32): its
/// 32 bits, two's complement for negative stored values; 0 for non-finite garbage.
fn mask_value(v: f64) -> u32 {
    if v.is_finite() { v as i64 as u32 } else { 0 }
}

fn fits_err(path: &Path, e: impl std::fmt::Display) -> IngestError {
    IngestError::Fits {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// A column of a binary table, element by element.
#[derive(Clone, Debug, Default)]
struct Column {
    values: Vec<f64>,
    text: String,
}

fn value_of(v: &DataValue) -> (usize, Option<f64>, Option<char>) {
    use DataValue::*;
    let col = |c: &ColumnId| match c {
        ColumnId::Index(i) => *i,
        ColumnId::Name(_) => usize::MAX,
    };
    match v {
        Logical { value, column, .. } => (col(column), Some(f64::from(u8::from(*value))), None),
        UnsignedByte { value, column, .. } => (col(column), Some(f64::from(*value)), None),
        Short { value, column, .. } => (col(column), Some(f64::from(*value)), None),
        Integer { value, column, .. } => (col(column), Some(f64::from(*value)), None),
        Long { value, column, .. } => (col(column), Some(*value as f64), None),
        Float { value, column, .. } => (col(column), Some(f64::from(*value)), None),
        Double { value, column, .. } => (col(column), Some(*value), None),
        Character { value, column, .. } => (col(column), None, Some(*value)),
        _ => (usize::MAX, None, None),
    }
}

/// Reads the named columns of a binary-table HDU; checks every row arrived.
fn read_table(
    fits: &mut Reader,
    hdu: &fitsrs::fits::HDU<fitsrs::hdu::header::extension::bintable::BinTable>,
    names: &[&'static str],
    path: &Path,
) -> Result<(usize, HashMap<&'static str, Column>), IngestError> {
    let ctx = hdu.get_header().get_xtension();
    let nrows = ctx.get_num_rows();
    let mut index: HashMap<usize, &'static str> = HashMap::new();
    for &n in names {
        if let Some(i) = ctx.find_field_by_ttype(n) {
            index.insert(i, n);
        }
    }
    let mut cols: HashMap<&'static str, Column> = HashMap::new();
    // An empty table has nothing to read (and fitsrs's row iterator underflows on NAXIS2 = 0:
    // found by fuzzing, tests/fixtures/fuzz/fits/).
    if index.is_empty() || nrows == 0 {
        return Ok((nrows, cols));
    }
    let ids: Vec<ColumnId> = index.keys().map(|&i| ColumnId::Index(i)).collect();
    let mut data = fits.get_data(hdu).table_data();
    data.select_fields(&ids);
    for v in data {
        let (c, num, ch) = value_of(&v);
        if let Some(name) = index.get(&c) {
            let col = cols.entry(name).or_default();
            if let Some(x) = num {
                col.values.push(x);
            }
            if let Some(ch) = ch {
                col.text.push(ch);
            }
        }
    }
    for (&name, col) in &cols {
        // Character columns (CLASS) arrive as text; every other column needs all its rows.
        let numeric = col.text.is_empty();
        if nrows > 0 && numeric && col.values.len() < nrows {
            return Err(IngestError::Truncated {
                path: path.to_path_buf(),
                detail: format!(
                    "table column {name} has {} of {nrows} rows",
                    col.values.len()
                ),
            });
        }
    }
    // A column the header names but whose data never arrived at all.
    for &name in index.values() {
        if nrows > 0 && !cols.contains_key(name) {
            return Err(IngestError::Truncated {
                path: path.to_path_buf(),
                detail: format!("table column {name} has none of its {nrows} rows"),
            });
        }
    }
    Ok((nrows, cols))
}

/// Reads an SDSS spectrum file (either layout).
pub fn read_sdss(path: &Path) -> Result<SdssSpectrum, IngestError> {
    let bytes = super::fits_table::read_file(path, MAX_FILE_BYTES, "an SDSS spectrum")?;
    read_sdss_bytes(bytes, path)
}

/// Reads an SDSS spectrum from the bytes of a file; `path` names it in errors.
pub fn read_sdss_bytes(bytes: Vec<u8>, path: &Path) -> Result<SdssSpectrum, IngestError> {
    let len = bytes.len() as u64;
    if len < 2880 || !len.is_multiple_of(2880) {
        // FITS files are whole 2880-byte blocks; anything else was cut short.
        if len < 2880 {
            return Err(fits_err(
                path,
                format!("only {len} bytes (a FITS file has at least one 2880-byte block)"),
            ));
        }
        return Err(IngestError::Truncated {
            path: path.to_path_buf(),
            detail: format!("{len} bytes is not a whole number of 2880-byte FITS blocks"),
        });
    }
    let mut fits: Reader = Fits::from_reader(Cursor::new(bytes));
    let primary = match fits.next() {
        Some(Ok(HDU::Primary(h))) => h,
        Some(Ok(_)) | None => return Err(fits_err(path, "no primary HDU")),
        Some(Err(e)) => return Err(fits_err(path, e)),
    };
    let ph = primary.get_header();
    let naxis = ph.get_xtension().get_naxis().to_vec();
    let plate = header_number(ph, "PLATEID").unwrap_or(-1.0) as i64;
    let mjd = header_number(ph, "MJD").unwrap_or(-1.0) as i64;
    let fiber = header_number(ph, "FIBERID").unwrap_or(-1.0) as i64;

    if naxis.len() == 2 && naxis[1] >= 4 && ph.get("COEFF0").is_some() {
        read_spspec(
            path,
            &mut fits,
            &primary,
            (naxis[0] as usize, naxis[1] as usize, len),
            (plate, mjd, fiber),
        )
    } else {
        read_spec(path, &mut fits, plate, mjd, fiber)
    }
}

/// DR7: `(npix, nrows, file_len)` from the primary header and the file; ids from the header.
fn read_spspec(
    path: &Path,
    fits: &mut Reader,
    primary: &fitsrs::fits::HDU<fitsrs::hdu::header::extension::image::Image>,
    (npix, nrows, file_len): (usize, usize, u64),
    (plate, mjd, fiber): (i64, i64, i64),
) -> Result<SdssSpectrum, IngestError> {
    let ph = primary.get_header();
    let missing = |what: &str| IngestError::NotSdss {
        path: path.to_path_buf(),
        detail: format!("DR7 spSpec header has no {what}"),
    };
    let c0 = header_number(ph, "COEFF0").ok_or_else(|| missing("COEFF0"))?;
    let c1 = header_number(ph, "COEFF1").ok_or_else(|| missing("COEFF1"))?;
    let z = header_number(ph, "Z").ok_or_else(|| missing("Z"))?;
    let zerr = header_number(ph, "Z_ERR").unwrap_or(f64::NAN);
    let zwarning = header_number(ph, "ZWARNING").unwrap_or(0.0) as i64;
    let spec_cln = header_number(ph, "SPEC_CLN").unwrap_or(0.0) as i64;
    // The header's claim is checked against the file before anything is allocated for it.
    let claimed = npix
        .checked_mul(nrows)
        .filter(|&n| n.saturating_mul(4) <= file_len as usize)
        .ok_or_else(|| IngestError::Truncated {
            path: path.to_path_buf(),
            detail: format!(
                "the image claims {npix} × {nrows} pixels, more than the file's {file_len} bytes hold"
            ),
        })?;
    let mut pixels: Vec<f32> = Vec::with_capacity(claimed);
    match fits.get_data(primary).pixels() {
        Pixels::F32(it) => pixels.extend(it.take(claimed)),
        Pixels::F64(it) => pixels.extend(it.take(claimed).map(|v| v as f32)),
        _ => return Err(missing("float image")),
    }
    if pixels.len() < claimed {
        return Err(IngestError::Truncated {
            path: path.to_path_buf(),
            detail: format!("image has {} of {claimed} pixels", pixels.len()),
        });
    }
    let row = |r: usize| &pixels[r * npix..(r + 1) * npix];
    let flux = row(0).to_vec();
    let err = row(2);
    let mask = row(3);
    let ivar = err
        .iter()
        .map(|&e| {
            if e > 0.0 && e.is_finite() {
                1.0 / (e * e)
            } else {
                0.0
            }
        })
        .collect();
    let mask_bits: Vec<u32> = mask.iter().map(|&m| mask_value(f64::from(m))).collect();
    let flagged = mask_bits.iter().map(|&m| is_bad_pixel(m)).collect();
    let loglam = (0..npix).map(|i| c0 + c1 * i as f64).collect();
    // astroML's class names for DR7 SPEC_CLN.
    let class = match spec_cln {
        1 | 6 => "STAR",
        2 | 7 => "GALAXY",
        3 | 4 => "QSO",
        5 => "SKY",
        _ => "UNKNOWN",
    };
    // HDU 2: the lines measured at fixed wavelengths (what astroML's lineratio_index reads).
    let mut lines = vec![];
    let mut idx = 0;
    while let Some(h) = fits.next() {
        idx += 1;
        let h = h.map_err(|e| fits_err(path, e))?;
        if idx == 2 {
            if let HDU::XBinaryTable(t) = h {
                let (_, cols) =
                    read_table(fits, &t, &["restWave", "sigma", "height", "nsigma"], path)?;
                if let (Some(w), Some(s), Some(hh), Some(ns)) = (
                    cols.get("restWave"),
                    cols.get("sigma"),
                    cols.get("height"),
                    cols.get("nsigma"),
                ) {
                    for (((&rest_wave, &sg), &ht), &nsig) in w
                        .values
                        .iter()
                        .zip(&s.values)
                        .zip(&hh.values)
                        .zip(&ns.values)
                    {
                        let measured = sg > -9000.0 && ht > -9000.0;
                        lines.push(PipelineLine {
                            rest_wave,
                            strength: if measured { sg * ht } else { 0.0 },
                            nsigma: if measured { nsig } else { 0.0 },
                        });
                    }
                }
            }
            break;
        }
    }
    Ok(SdssSpectrum {
        path: path.to_path_buf(),
        layout: Layout::SpSpec,
        loglam,
        flux,
        ivar,
        flagged,
        mask_bits,
        z,
        zerr,
        zwarning,
        class: class.into(),
        subclass: String::new(),
        plate,
        mjd,
        fiber,
        lines,
    })
}

fn read_spec(
    path: &Path,
    fits: &mut Reader,
    plate: i64,
    mjd: i64,
    fiber: i64,
) -> Result<SdssSpectrum, IngestError> {
    let mut coadd = None;
    let mut specobj = None;
    let mut lines = vec![];
    let mut idx = 0;
    while let Some(h) = fits.next() {
        idx += 1;
        let h = h.map_err(|e| fits_err(path, e))?;
        let HDU::XBinaryTable(t) = h else { continue };
        match idx {
            1 => {
                coadd = Some(read_table(
                    fits,
                    &t,
                    &["flux", "loglam", "ivar", "and_mask"],
                    path,
                )?)
            }
            2 => {
                specobj = Some(read_table(
                    fits,
                    &t,
                    &[
                        "Z", "Z_ERR", "ZWARNING", "CLASS", "SUBCLASS", "PLATE", "MJD", "FIBERID",
                    ],
                    path,
                )?)
            }
            3 => {
                let (_, c) = read_table(fits, &t, &["LINEWAVE", "LINEAREA", "LINEAREA_ERR"], path)?;
                if let (Some(w), Some(a), Some(e)) =
                    (c.get("LINEWAVE"), c.get("LINEAREA"), c.get("LINEAREA_ERR"))
                {
                    for ((&rest_wave, &strength), &err) in
                        w.values.iter().zip(&a.values).zip(&e.values)
                    {
                        lines.push(PipelineLine {
                            rest_wave,
                            strength,
                            nsigma: if err > 0.0 { strength.abs() / err } else { 0.0 },
                        });
                    }
                }
                break;
            }
            _ => {}
        }
    }
    let not_sdss = |detail: &str| IngestError::NotSdss {
        path: path.to_path_buf(),
        detail: detail.into(),
    };
    let (npix, c) = coadd.ok_or_else(|| not_sdss("no COADD table in HDU 1"))?;
    let col = |k: &str| c.get(k).map(|c| c.values.clone());
    let (Some(flux), Some(loglam), Some(ivar)) = (col("flux"), col("loglam"), col("ivar")) else {
        return Err(not_sdss("the COADD table lacks flux, loglam or ivar"));
    };
    if flux.len() != npix || loglam.len() != npix || ivar.len() != npix {
        return Err(IngestError::Truncated {
            path: path.to_path_buf(),
            detail: format!(
                "COADD columns hold {} of {npix} rows",
                flux.len().min(loglam.len())
            ),
        });
    }
    if npix == 0 {
        return Err(not_sdss("the COADD table has no rows"));
    }
    let and_mask = col("and_mask").unwrap_or_else(|| vec![0.0; npix]);
    if and_mask.len() != npix {
        return Err(IngestError::Truncated {
            path: path.to_path_buf(),
            detail: format!("and_mask has {} values for {npix} pixels", and_mask.len()),
        });
    }
    let mask_bits: Vec<u32> = and_mask.iter().map(|&m| mask_value(m)).collect();
    let (_, so) = specobj.ok_or_else(|| not_sdss("no SPECOBJ table in HDU 2"))?;
    let first = |k: &str| so.get(k).and_then(|c| c.values.first().copied());
    let text = |k: &str| {
        so.get(k)
            .map(|c| c.text.trim().to_string())
            .unwrap_or_default()
    };
    let z = first("Z").ok_or_else(|| not_sdss("SPECOBJ has no Z"))?;
    Ok(SdssSpectrum {
        path: path.to_path_buf(),
        layout: Layout::Spec,
        loglam,
        flux: flux.iter().map(|&v| v as f32).collect(),
        ivar: ivar.iter().map(|&v| v as f32).collect(),
        flagged: mask_bits.iter().map(|&m| is_bad_pixel(m)).collect(),
        mask_bits,
        z,
        zerr: first("Z_ERR").unwrap_or(f64::NAN),
        zwarning: first("ZWARNING").unwrap_or(0.0) as i64,
        class: text("CLASS"),
        subclass: text("SUBCLASS"),
        plate: first("PLATE").map_or(plate, |v| v as i64),
        mjd: first("MJD").map_or(mjd, |v| v as i64),
        fiber: first("FIBERID").map_or(fiber, |v| v as i64),
        lines,
    })
}
