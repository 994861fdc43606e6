//! The prepped-file schema of `shared/anchors/reference.py prep`: `x, w` (float32, n × d),
//! `train, valid` (int64 indices), `cls` (int32 `lineindex_cln`), `lam` (float64, Å).
//! specae writes it (`specae prep`) for side-by-side runs with PyTorch, and reads it back.

use std::path::Path;

use ndarray::{Array1, Array2};
use ndarray_npy::NpzWriter;

use super::catalogue::Catalogue;
use super::error::DataError;
use super::grid::LogGrid;
use super::npz::{NpzFile, check_finite};
use super::preprocess::Spectra;
use super::split::Split;
use super::store::StoreRows;
use crate::util::atomic::write_atomically;
use crate::util::progress::Progress;

/// The contents of a prepped file.
#[derive(Clone, Debug)]
pub struct Prepped {
    pub x: Array2<f32>,
    pub w: Array2<f32>,
    pub split: Split,
    pub cls: Array1<i64>,
    pub lam: Array1<f64>,
    /// The rest-frame grid `lam` lies on.
    pub grid: LogGrid,
}

/// Writes `x, w, train, valid, cls, lam` atomically.
pub fn write_prepped(path: &Path, s: &Spectra, split: &Split) -> Result<(), DataError> {
    split
        .validate(s.n_spectra())
        .map_err(|detail| DataError::Invalid { detail })?;
    let werr = |e: ndarray_npy::WriteNpzError| DataError::Write {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    write_atomically(path, |wr| {
        let mut npz = NpzWriter::new(wr);
        npz.add_array("x", &*s.x).map_err(werr)?;
        npz.add_array("w", &*s.w).map_err(werr)?;
        let idx = |v: &[u32]| Array1::from_iter(v.iter().map(|&i| i64::from(i)));
        npz.add_array("train", &idx(&split.train)).map_err(werr)?;
        npz.add_array("valid", &idx(&split.valid)).map_err(werr)?;
        let cls = Array1::from_iter(s.lineindex.iter().map(|&c| c as i32));
        npz.add_array("cls", &cls).map_err(werr)?;
        npz.add_array("lam", &Array1::from_vec(s.wavelengths.clone()))
            .map_err(werr)?;
        npz.finish().map_err(werr)?;
        Ok(())
    })
}

/// As [`write_prepped`], from a survey store read a block at a time (every block for `x`,
/// then again for `w`): the prepped file of a survey too large to hold, in memory one block
/// (4,194 spectra, ~40 MB) and the catalogue. The same arrays as [`write_prepped`] of the
/// store read whole (test), as the stage "writing PATH" of `progress` (a cancel stops within
/// a block).
pub fn write_prepped_store(
    path: &Path,
    rows: &StoreRows,
    catalogue: &Catalogue,
    split: &Split,
    progress: &Progress,
) -> Result<(), DataError> {
    let (n, d) = (rows.n_rows(), rows.n_bins());
    split
        .validate(n)
        .map_err(|detail| DataError::Invalid { detail })?;
    let werr = |detail: String| DataError::Write {
        path: path.to_path_buf(),
        detail,
    };
    progress.stage(&format!("writing {}", path.display()), 2 * n as u64);
    write_atomically(path, |wr| {
        let mut zip = NpyZip::new(wr);
        for key in ["x", "w"] {
            zip.start(key, "<f4", &[n, d]).map_err(werr)?;
            for b in 0..rows.n_blocks() {
                if progress.is_cancelled() {
                    return Err(DataError::Cancelled {
                        path: path.to_path_buf(),
                    });
                }
                let blk = rows.block(b)?;
                let a = if key == "x" { &blk.x } else { &blk.w };
                let bytes: Vec<u8> = a.iter().flat_map(|v| v.to_le_bytes()).collect();
                zip.write(&bytes).map_err(werr)?;
                progress.add(a.nrows() as u64);
            }
        }
        let idx =
            |v: &[u32]| -> Vec<u8> { v.iter().flat_map(|&i| i64::from(i).to_le_bytes()).collect() };
        zip.start("train", "<i8", &[split.train.len()])
            .map_err(werr)?;
        zip.write(&idx(&split.train)).map_err(werr)?;
        zip.start("valid", "<i8", &[split.valid.len()])
            .map_err(werr)?;
        zip.write(&idx(&split.valid)).map_err(werr)?;
        let cls: Vec<u8> = match &catalogue.meta.lineindex_cln {
            Some(c) => c.iter().flat_map(|&v| (v as i32).to_le_bytes()).collect(),
            None => vec![0u8; 4 * n],
        };
        zip.start("cls", "<i4", &[n]).map_err(werr)?;
        zip.write(&cls).map_err(werr)?;
        let lam: Vec<u8> = rows
            .grid()
            .wavelengths()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        zip.start("lam", "<f8", &[d]).map_err(werr)?;
        zip.write(&lam).map_err(werr)?;
        zip.finish().map_err(werr)
    })
}

/// An npz written an array at a time, each array's bytes as they come (stored, as
/// ndarray-npy's `NpzWriter` writes them; Zip64 for arrays past 4 GB).
struct NpyZip<W: std::io::Write + std::io::Seek> {
    zip: zip::ZipWriter<W>,
}

impl<W: std::io::Write + std::io::Seek> NpyZip<W> {
    fn new(w: W) -> Self {
        Self {
            zip: zip::ZipWriter::new(w),
        }
    }

    /// Starts `KEY.npy` holding a C-order array of `dtype` (numpy's descr) and `shape`.
    fn start(&mut self, key: &str, dtype: &str, shape: &[usize]) -> Result<(), String> {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        self.zip
            .start_file(format!("{key}.npy"), options)
            .map_err(|e| e.to_string())?;
        let dims: Vec<String> = shape.iter().map(|s| s.to_string()).collect();
        let shape = match dims.len() {
            1 => format!("({},)", dims[0]),
            _ => format!("({})", dims.join(", ")),
        };
        let mut header =
            format!("{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape}, }}");
        // Magic (6) + version (2) + length (2) + header + newline, padded to 64 bytes.
        let total = 10 + header.len() + 1;
        header.push_str(&" ".repeat(total.next_multiple_of(64) - total));
        header.push('\n');
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        let len = u16::try_from(header.len()).map_err(|e| e.to_string())?;
        bytes.extend(len.to_le_bytes());
        bytes.extend(header.as_bytes());
        self.write(&bytes)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), String> {
        use std::io::Write;
        self.zip.write_all(bytes).map_err(|e| e.to_string())
    }

    fn finish(self) -> Result<(), String> {
        self.zip.finish().map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Reads a prepped file, checking shapes, finiteness and the split.
pub fn read_prepped(path: &Path) -> Result<Prepped, DataError> {
    let mut f = NpzFile::open(path)?;
    let x = f.floats2("x")?;
    let (n, d) = x.dim();
    if n == 0 || d == 0 {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
        });
    }
    let w = f.floats2("w")?;
    let shape = |key: &str, found: &[usize], expected: String| DataError::Shape {
        path: path.to_path_buf(),
        key: key.into(),
        found: format!("{found:?}"),
        expected,
    };
    if w.dim() != (n, d) {
        return Err(shape("w", w.shape(), format!("[{n}, {d}] like x")));
    }
    check_finite(path, "x", x.iter(), d)?;
    check_finite(path, "w", w.iter(), d)?;
    let to_idx = |key: &str, a: Array1<i64>| -> Result<Vec<u32>, DataError> {
        a.iter()
            .map(|&i| {
                u32::try_from(i)
                    .ok()
                    .filter(|&i| (i as usize) < n)
                    .ok_or_else(|| DataError::BadValue {
                        path: path.to_path_buf(),
                        key: key.into(),
                        detail: format!("index {i} is out of range for {n} spectra"),
                    })
            })
            .collect()
    };
    let train = to_idx("train", f.ints1("train")?)?;
    let valid = to_idx("valid", f.ints1("valid")?)?;
    let split = Split {
        seed: None,
        train,
        valid,
    };
    split.validate(n).map_err(|detail| DataError::BadValue {
        path: path.to_path_buf(),
        key: "train/valid".into(),
        detail,
    })?;
    let cls = if f.has("cls") {
        f.ints1("cls")?
    } else {
        Array1::zeros(n)
    };
    if cls.len() != n {
        return Err(shape("cls", cls.shape(), format!("[{n}]")));
    }
    let lam = f.floats1_f64("lam")?;
    if lam.len() != d {
        return Err(shape("lam", lam.shape(), format!("[{d}]")));
    }
    let grid = LogGrid::from_wavelengths(&lam.to_vec()).ok_or_else(|| DataError::BadValue {
        path: path.to_path_buf(),
        key: "lam".into(),
        detail: "the wavelengths are not a log-spaced grid (log10 λ = c0 + c1·k)".into(),
    })?;
    Ok(Prepped {
        x,
        w,
        split,
        cls,
        lam,
        grid,
    })
}
