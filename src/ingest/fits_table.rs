//! Typed access to the HDUs of a FITS file held in memory, for readers of multi-spectrum files
//! (DESI coadds, redrock files, redshift catalogues): HDUs found by `EXTNAME`, table columns
//! as exact 64-bit integers (DESI's TARGETIDs are ~4·10¹⁶, beyond f64's 2⁵³), floats or one
//! string per row, and images with `BSCALE`/`BZERO` applied (DESI's masks are unsigned,
//! stored with `BZERO = 2³¹`). Every count a header claims is checked against the bytes the
//! file holds before it sizes anything.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use fitsrs::card::Value;
use fitsrs::hdu::data::bintable::ColumnId;
use fitsrs::hdu::header::extension::bintable::BinTable;
use fitsrs::hdu::header::extension::image::Image;
use fitsrs::{DataValue, Fits, HDU, Pixels};

use super::IngestError;

/// A FITS file read whole into memory.
pub type MemFits = Fits<Cursor<Vec<u8>>>;

/// One column of a table, one value per row (the first element of a vector column).
#[derive(Clone, Debug)]
pub enum ColumnData {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Text(Vec<String>),
}

impl ColumnData {
    fn len(&self) -> usize {
        match self {
            ColumnData::Int(v) => v.len(),
            ColumnData::Float(v) => v.len(),
            ColumnData::Text(v) => v.len(),
        }
    }
}

/// The columns of a table that a reader asked for (those the table has).
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub nrows: usize,
    pub cols: HashMap<String, ColumnData>,
}

impl Table {
    /// Integer column `name` (floats truncated); `None` if absent or text.
    pub fn ints(&self, name: &str) -> Option<Vec<i64>> {
        match self.cols.get(name)? {
            ColumnData::Int(v) => Some(v.clone()),
            ColumnData::Float(v) => Some(v.iter().map(|&x| x as i64).collect()),
            ColumnData::Text(_) => None,
        }
    }

    /// Numeric column `name` as f64; `None` if absent or text.
    pub fn floats(&self, name: &str) -> Option<Vec<f64>> {
        match self.cols.get(name)? {
            ColumnData::Int(v) => Some(v.iter().map(|&x| x as f64).collect()),
            ColumnData::Float(v) => Some(v.clone()),
            ColumnData::Text(_) => None,
        }
    }

    /// Text column `name`, trimmed; `None` if absent or numeric.
    pub fn texts(&self, name: &str) -> Option<Vec<String>> {
        match self.cols.get(name)? {
            ColumnData::Text(v) => Some(v.iter().map(|s| s.trim().to_string()).collect()),
            _ => None,
        }
    }

    pub fn has(&self, name: &str) -> bool {
        self.cols.contains_key(name)
    }
}

/// A header keyword as a number.
pub fn header_number<X: fitsrs::hdu::header::Xtension>(
    h: &fitsrs::hdu::header::Header<X>,
    key: &str,
) -> Option<f64> {
    match h.get(key)? {
        Value::Float { value, .. } => Some(*value),
        Value::Integer { value, .. } => Some(*value as f64),
        _ => None,
    }
}

/// A header keyword as text, trimmed.
pub fn header_text<X: fitsrs::hdu::header::Xtension>(
    h: &fitsrs::hdu::header::Header<X>,
    key: &str,
) -> Option<String> {
    match h.get(key)? {
        Value::String { value, .. } => Some(value.trim().to_string()),
        _ => None,
    }
}

/// Opens bytes as FITS after checking they are whole 2880-byte blocks.
pub fn open_bytes(bytes: Vec<u8>, path: &Path) -> Result<MemFits, IngestError> {
    let len = bytes.len() as u64;
    if len < 2880 {
        return Err(IngestError::Fits {
            path: path.to_path_buf(),
            detail: format!("only {len} bytes (a FITS file has at least one 2880-byte block)"),
        });
    }
    if !len.is_multiple_of(2880) {
        return Err(IngestError::Truncated {
            path: path.to_path_buf(),
            detail: format!("{len} bytes is not a whole number of 2880-byte FITS blocks"),
        });
    }
    Ok(Fits::from_reader(Cursor::new(bytes)))
}

/// Reads a file whole, refusing one larger than `max_bytes`.
pub fn read_file(path: &Path, max_bytes: u64, what: &str) -> Result<Vec<u8>, IngestError> {
    let io = |detail: String| IngestError::Io {
        path: path.to_path_buf(),
        detail,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| io(e.to_string()))?
        .len();
    if len > max_bytes {
        return Err(IngestError::Fits {
            path: path.to_path_buf(),
            detail: format!("{len} bytes is far larger than {what} (at most {max_bytes})"),
        });
    }
    std::fs::read(path).map_err(|e| io(e.to_string()))
}

fn fits_err(path: &Path, e: impl std::fmt::Display) -> IngestError {
    IngestError::Fits {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

fn truncated(path: &Path, detail: String) -> IngestError {
    IngestError::Truncated {
        path: path.to_path_buf(),
        detail,
    }
}

/// Reads the named columns of a binary table; every numeric column must have all its rows.
/// The rows the header claims are checked against `file_len` first.
pub fn read_columns(
    fits: &mut MemFits,
    hdu: &fitsrs::fits::HDU<BinTable>,
    names: &[&str],
    file_len: u64,
    path: &Path,
) -> Result<Table, IngestError> {
    let ctx = hdu.get_header().get_xtension();
    let nrows = ctx.get_num_rows();
    let row_bytes = hdu.get_data_unit_byte_size() / (nrows.max(1) as u64);
    if (nrows as u64).saturating_mul(row_bytes.max(1)) > file_len {
        return Err(truncated(
            path,
            format!("a table claims {nrows} rows, more than the file's {file_len} bytes hold"),
        ));
    }
    let mut index: HashMap<usize, &str> = HashMap::new();
    for &n in names {
        if let Some(i) = ctx.find_field_by_ttype(n) {
            index.insert(i, n);
        }
    }
    let mut table = Table {
        nrows,
        cols: HashMap::new(),
    };
    if index.is_empty() || nrows == 0 {
        return Ok(table);
    }
    let ids: Vec<ColumnId> = index.keys().map(|&i| ColumnId::Index(i)).collect();
    let mut data = fits.get_data(hdu).table_data();
    data.select_fields(&ids);
    let mut cols: HashMap<usize, ColumnData> = HashMap::new();
    for v in data {
        use DataValue::*;
        let (column, idx) = match &v {
            Logical { column, idx, .. }
            | UnsignedByte { column, idx, .. }
            | Short { column, idx, .. }
            | Integer { column, idx, .. }
            | Long { column, idx, .. }
            | Float { column, idx, .. }
            | Double { column, idx, .. }
            | Character { column, idx, .. } => (column, *idx),
            _ => continue,
        };
        let ColumnId::Index(c) = column else { continue };
        // Vector columns: the first element of each row (strings: all of them).
        let int = |x: i64, cols: &mut HashMap<usize, ColumnData>| {
            if idx == 0
                && let ColumnData::Int(v) = cols.entry(*c).or_insert(ColumnData::Int(vec![]))
            {
                v.push(x);
            }
        };
        match v {
            Logical { value, .. } => int(i64::from(u8::from(value)), &mut cols),
            UnsignedByte { value, .. } => int(i64::from(value), &mut cols),
            Short { value, .. } => int(i64::from(value), &mut cols),
            Integer { value, .. } => int(i64::from(value), &mut cols),
            Long { value, .. } => int(value, &mut cols),
            Float { value, .. } => {
                if idx == 0
                    && let ColumnData::Float(v) =
                        cols.entry(*c).or_insert(ColumnData::Float(vec![]))
                {
                    v.push(f64::from(value));
                }
            }
            Double { value, .. } => {
                if idx == 0
                    && let ColumnData::Float(v) =
                        cols.entry(*c).or_insert(ColumnData::Float(vec![]))
                {
                    v.push(value);
                }
            }
            Character { value, .. } => {
                if let ColumnData::Text(v) = cols.entry(*c).or_insert(ColumnData::Text(vec![])) {
                    if idx == 0 || v.is_empty() {
                        v.push(String::new());
                    }
                    if let Some(s) = v.last_mut()
                        && value != '\0'
                    {
                        s.push(value);
                    }
                }
            }
            _ => {}
        }
    }
    for (&i, &name) in &index {
        let got = cols.get(&i).map_or(0, ColumnData::len);
        if got < nrows {
            return Err(truncated(
                path,
                format!("table column {name} has {got} of its {nrows} rows"),
            ));
        }
        if let Some(c) = cols.remove(&i) {
            table.cols.insert(name.to_string(), c);
        }
    }
    Ok(table)
}

/// An image's pixels as f64 with `BSCALE`/`BZERO` applied, and its axes (NAXIS1 first).
/// The pixel count the header claims is checked against `file_len` first.
pub fn read_image(
    fits: &mut MemFits,
    hdu: &fitsrs::fits::HDU<Image>,
    file_len: u64,
    path: &Path,
) -> Result<(Vec<f64>, Vec<usize>), IngestError> {
    let h = hdu.get_header();
    let axes: Vec<usize> = h
        .get_xtension()
        .get_naxis()
        .iter()
        .map(|&a| usize::try_from(a).unwrap_or(usize::MAX))
        .collect();
    let n = axes.iter().fold(1usize, |a, &b| a.saturating_mul(b));
    if axes.is_empty() {
        return Ok((vec![], axes));
    }
    if hdu.get_data_unit_byte_size() > file_len {
        return Err(truncated(
            path,
            format!(
                "an image claims {} pixels, more than the file's {file_len} bytes hold",
                axes.iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(" × ")
            ),
        ));
    }
    let scale = header_number(h, "BSCALE").unwrap_or(1.0);
    let zero = header_number(h, "BZERO").unwrap_or(0.0);
    let mut out: Vec<f64> = Vec::with_capacity(n);
    match fits.get_data(hdu).pixels() {
        Pixels::U8(it) => out.extend(it.take(n).map(f64::from)),
        Pixels::I16(it) => out.extend(it.take(n).map(f64::from)),
        Pixels::I32(it) => out.extend(it.take(n).map(f64::from)),
        Pixels::I64(it) => out.extend(it.take(n).map(|v| v as f64)),
        Pixels::F32(it) => out.extend(it.take(n).map(f64::from)),
        Pixels::F64(it) => out.extend(it.take(n)),
    }
    if out.len() < n {
        return Err(truncated(
            path,
            format!("an image has {} of its {n} pixels", out.len()),
        ));
    }
    if scale != 1.0 || zero != 0.0 {
        out.iter_mut().for_each(|v| *v = *v * scale + zero);
    }
    Ok((out, axes))
}

/// Walks the HDUs of a file: `visit` gets each one's `EXTNAME` (empty for the primary) and the
/// HDU, and may read its data.
pub fn each_hdu(
    fits: &mut MemFits,
    path: &Path,
    mut visit: impl FnMut(&mut MemFits, &str, HDU) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    // A file has at most a few dozen HDUs; far more is damage (each costs a header parse).
    const MAX_HDUS: usize = 1000;
    let mut count = 0;
    while let Some(h) = fits.next() {
        count += 1;
        if count > MAX_HDUS {
            return Err(fits_err(path, format!("more than {MAX_HDUS} HDUs")));
        }
        let h = h.map_err(|e| fits_err(path, e))?;
        let name = match &h {
            HDU::Primary(x) | HDU::XImage(x) => header_text(x.get_header(), "EXTNAME"),
            HDU::XBinaryTable(x) => header_text(x.get_header(), "EXTNAME"),
            HDU::XASCIITable(x) => header_text(x.get_header(), "EXTNAME"),
        }
        .unwrap_or_default();
        visit(fits, &name, h)?;
    }
    Ok(())
}
