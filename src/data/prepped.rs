//! The prepped-file schema of `shared/anchors/reference.py prep`: `x, w` (float32, n × d),
//! `train, valid` (int64 indices), `cls` (int32 `lineindex_cln`), `lam` (float64, Å).
//! specae writes it (`specae prep`) for side-by-side runs with PyTorch, and reads it back.

use std::path::Path;

use ndarray::{Array1, Array2};
use ndarray_npy::NpzWriter;

use super::error::DataError;
use super::grid::LogGrid;
use super::npz::{NpzFile, check_finite};
use super::preprocess::Spectra;
use super::split::Split;
use crate::util::atomic::write_atomically;

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
