//! Reading npz archives with every failure turned into a [`DataError`] that names the file and key.
//!
//! Arrays are read with `ndarray-npy`; dtypes are accepted loosely where numpy users vary them
//! (float32 or float64 for floats, bool or any integer for masks) and never unpickled.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2, ArrayD, Ix1, Ix2};
use ndarray_npy::{NpzReader, ReadNpyError, ReadNpzError, ReadableElement};

use super::error::DataError;

/// An open npz archive.
pub struct NpzFile {
    path: PathBuf,
    reader: NpzReader<BufReader<File>>,
    names: Vec<String>,
}

/// What a typed read attempt found.
enum Attempt<T> {
    Ok(T),
    /// The dtype did not match; holds numpy's descriptor (e.g. `'<f8'`, `'|O'`).
    WrongDtype(String),
}

impl NpzFile {
    pub fn open(path: &Path) -> Result<Self, DataError> {
        let file = File::open(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut reader = NpzReader::new(BufReader::with_capacity(1 << 20, file)).map_err(|e| {
            DataError::NotNpz {
                path: path.to_path_buf(),
                detail: e.to_string(),
            }
        })?;
        let names = reader
            .names()
            .map_err(|e| DataError::NotNpz {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?
            .into_iter()
            .map(|n| n.strip_suffix(".npy").unwrap_or(&n).to_string())
            .collect();
        Ok(Self {
            path: path.to_path_buf(),
            reader,
            names,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Array names in the archive (without `.npy`).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn has(&self, key: &str) -> bool {
        self.names.iter().any(|n| n == key)
    }

    fn require(&self, key: &str) -> Result<(), DataError> {
        if self.has(key) {
            Ok(())
        } else {
            Err(DataError::MissingKey {
                path: self.path.clone(),
                key: key.into(),
                present: if self.names.is_empty() {
                    "no arrays".into()
                } else {
                    self.names.join(", ")
                },
            })
        }
    }

    fn attempt<T: ReadableElement>(&mut self, key: &str) -> Result<Attempt<ArrayD<T>>, DataError> {
        match self
            .reader
            .by_name::<ndarray::OwnedRepr<T>, ndarray::IxDyn>(key)
        {
            Ok(a) => Ok(Attempt::Ok(a)),
            Err(ReadNpzError::Npy(ReadNpyError::WrongDescriptor(d))) => {
                Ok(Attempt::WrongDtype(d.to_string()))
            }
            Err(e) => Err(DataError::Corrupt {
                path: self.path.clone(),
                key: key.into(),
                detail: e.to_string(),
            }),
        }
    }

    fn dtype_error(&self, key: &str, found: String, expected: &str) -> DataError {
        // numpy's descriptor for object arrays is '|O' (pickled Python objects).
        if found.contains('O') {
            DataError::ObjectArray {
                path: self.path.clone(),
                key: key.into(),
            }
        } else {
            DataError::Dtype {
                path: self.path.clone(),
                key: key.into(),
                found,
                expected: expected.into(),
            }
        }
    }

    /// A float array of any dimensionality, as f32 (float32 or float64 accepted).
    fn floats_dyn(&mut self, key: &str) -> Result<ArrayD<f32>, DataError> {
        self.require(key)?;
        if let Attempt::Ok(a) = self.attempt::<f32>(key)? {
            return Ok(a);
        }
        match self.attempt::<f64>(key)? {
            Attempt::Ok(a) => Ok(a.mapv(|v| v as f32)),
            Attempt::WrongDtype(d) => Err(self.dtype_error(key, d, "float32 or float64")),
        }
    }

    /// A float array as f64 (float32 or float64 accepted).
    fn floats_dyn_f64(&mut self, key: &str) -> Result<ArrayD<f64>, DataError> {
        self.require(key)?;
        if let Attempt::Ok(a) = self.attempt::<f64>(key)? {
            return Ok(a);
        }
        match self.attempt::<f32>(key)? {
            Attempt::Ok(a) => Ok(a.mapv(f64::from)),
            Attempt::WrongDtype(d) => Err(self.dtype_error(key, d, "float32 or float64")),
        }
    }

    /// An integer array of any dimensionality, as i64 (any integer dtype accepted).
    fn ints_dyn(&mut self, key: &str) -> Result<ArrayD<i64>, DataError> {
        self.require(key)?;
        macro_rules! try_int {
            ($t:ty) => {
                if let Attempt::Ok(a) = self.attempt::<$t>(key)? {
                    return Ok(a.mapv(|v| v as i64));
                }
            };
        }
        try_int!(i64);
        try_int!(i32);
        try_int!(i16);
        try_int!(i8);
        try_int!(u8);
        try_int!(u16);
        try_int!(u32);
        match self.attempt::<u64>(key)? {
            Attempt::Ok(a) => Ok(a.mapv(|v| v as i64)),
            Attempt::WrongDtype(d) => Err(self.dtype_error(key, d, "an integer dtype")),
        }
    }

    fn shape_error(&self, key: &str, found: &[usize], expected: String) -> DataError {
        DataError::Shape {
            path: self.path.clone(),
            key: key.into(),
            found: format!("{found:?}"),
            expected,
        }
    }

    fn as_ix2<T>(&self, key: &str, a: ArrayD<T>) -> Result<Array2<T>, DataError> {
        let shape = a.shape().to_vec();
        a.into_dimensionality::<Ix2>()
            .map_err(|_| self.shape_error(key, &shape, "a 2-D array".into()))
    }

    fn as_ix1<T>(&self, key: &str, a: ArrayD<T>) -> Result<Array1<T>, DataError> {
        let shape = a.shape().to_vec();
        a.into_dimensionality::<Ix1>()
            .map_err(|_| self.shape_error(key, &shape, "a 1-D array".into()))
    }

    pub fn floats2(&mut self, key: &str) -> Result<Array2<f32>, DataError> {
        let a = self.floats_dyn(key)?;
        self.as_ix2(key, a)
    }

    pub fn floats1(&mut self, key: &str) -> Result<Array1<f32>, DataError> {
        let a = self.floats_dyn(key)?;
        self.as_ix1(key, a)
    }

    pub fn floats1_f64(&mut self, key: &str) -> Result<Array1<f64>, DataError> {
        let a = self.floats_dyn_f64(key)?;
        self.as_ix1(key, a)
    }

    pub fn ints1(&mut self, key: &str) -> Result<Array1<i64>, DataError> {
        let a = self.ints_dyn(key)?;
        self.as_ix1(key, a)
    }

    /// A scalar float: a 0-d array (what `np.savez(coeff0=3.53)` writes) or a 1-element array.
    pub fn scalar_f64(&mut self, key: &str) -> Result<f64, DataError> {
        let a = self.floats_dyn_f64(key)?;
        if a.len() != 1 {
            return Err(self.shape_error(key, a.shape(), "a scalar".into()));
        }
        let v = a.iter().next().copied().unwrap_or(f64::NAN);
        if !v.is_finite() {
            return Err(DataError::NonFinite {
                path: self.path.clone(),
                key: key.into(),
                count: 1,
                where_: String::new(),
            });
        }
        Ok(v)
    }

    /// A 2-D mask: bool, or any integer dtype (non-zero = masked).
    pub fn mask2(&mut self, key: &str) -> Result<Array2<bool>, DataError> {
        self.require(key)?;
        let a = match self.attempt::<bool>(key)? {
            Attempt::Ok(a) => a,
            Attempt::WrongDtype(_) => self.ints_dyn(key)?.mapv(|v| v != 0),
        };
        self.as_ix2(key, a)
    }
}

/// Checks that every value is finite; names the first bad element.
pub fn check_finite<'a, I>(path: &Path, key: &str, values: I, ncols: usize) -> Result<(), DataError>
where
    I: IntoIterator<Item = &'a f32>,
{
    let mut count = 0usize;
    let mut first = None;
    for (i, v) in values.into_iter().enumerate() {
        if !v.is_finite() {
            count += 1;
            first.get_or_insert(i);
        }
    }
    match first {
        None => Ok(()),
        Some(i) => Err(DataError::NonFinite {
            path: path.to_path_buf(),
            key: key.into(),
            count,
            where_: if ncols > 1 {
                format!(" (first at row {}, column {})", i / ncols, i % ncols)
            } else {
                format!(" (first at index {i})")
            },
        }),
    }
}
