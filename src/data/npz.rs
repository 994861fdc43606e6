//! Reading npz archives with every failure turned into a [`DataError`] that names the file and key.
//!
//! Arrays are read with `ndarray-npy` from the archive's members; dtypes are accepted loosely
//! where numpy users vary them (float32 or float64 for floats, bool or any integer for masks)
//! and never unpickled. Before an array is read, the size its header claims is checked against
//! what its member can hold, so a damaged header claiming 10¹² elements is an error, not an
//! attempt to allocate them.

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2, ArrayD, Ix1, Ix2};
use ndarray_npy::npy::header::Header;
use ndarray_npy::{ReadNpyError, ReadNpyExt, ReadableElement};
use zip::ZipArchive;

use super::error::DataError;

/// What an archive is read from (a file, or bytes in memory).
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// Deflate cannot expand data by more than about 1032:1; a member claiming more than this many
/// times its compressed size is damaged.
const MAX_DEFLATE_RATIO: u64 = 1100;

/// An open npz archive.
pub struct NpzFile {
    path: PathBuf,
    zip: ZipArchive<Box<dyn ReadSeek>>,
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
        Self::from_reader(Box::new(BufReader::with_capacity(1 << 20, file)), path)
    }

    /// An archive in memory; `path` names it in errors.
    pub fn from_bytes(bytes: Vec<u8>, path: &Path) -> Result<Self, DataError> {
        Self::from_reader(Box::new(Cursor::new(bytes)), path)
    }

    fn from_reader(mut reader: Box<dyn ReadSeek>, path: &Path) -> Result<Self, DataError> {
        let not_npz = |detail: String| DataError::NotNpz {
            path: path.to_path_buf(),
            detail,
        };
        let markers = end_markers(&mut reader).map_err(|e| not_npz(e.to_string()))?;
        if markers > MAX_END_MARKERS {
            // The zip reader tries every candidate, each over the whole file: time grows with
            // their number times the file's size (found by fuzzing). Real archives have one.
            return Err(not_npz(format!(
                "its end of archive is damaged ({markers} end-of-central-directory markers)"
            )));
        }
        let mut zip = ZipArchive::new(reader).map_err(|e| not_npz(e.to_string()))?;
        let names = (0..zip.len())
            .map(|i| {
                zip.by_index(i)
                    .map(|f| {
                        f.name()
                            .strip_suffix(".npy")
                            .unwrap_or(f.name())
                            .to_string()
                    })
                    .map_err(|e| not_npz(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            path: path.to_path_buf(),
            zip,
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

    /// The member holding `key`: `key` itself or `key.npy`, as numpy looks them up.
    fn member(&self, key: &str) -> String {
        if self.zip.index_for_name(key).is_some() {
            key.to_string()
        } else {
            format!("{key}.npy")
        }
    }

    fn corrupt(&self, key: &str, detail: String) -> DataError {
        DataError::Corrupt {
            path: self.path.clone(),
            key: key.into(),
            detail,
        }
    }

    /// Checks that the array's header claims no more data than its member can hold.
    fn check_claim(&mut self, key: &str) -> Result<(), DataError> {
        let name = self.member(key);
        let (header, size, bound) = {
            let mut f = self.zip.by_name(&name).map_err(|e| DataError::Corrupt {
                path: self.path.clone(),
                key: key.into(),
                detail: e.to_string(),
            })?;
            let size = f.size();
            let bound = match f.compression() {
                zip::CompressionMethod::Stored => f.compressed_size(),
                _ => f.compressed_size().saturating_mul(MAX_DEFLATE_RATIO),
            };
            (Header::from_reader(&mut f), size, bound)
        };
        let header = header.map_err(|e| self.corrupt(key, e.to_string()))?;
        let elements = header
            .shape
            .iter()
            .try_fold(1u64, |n, &d| n.checked_mul(d as u64));
        // Object arrays ('|O') are refused by dtype later; their items count as pointers.
        let item = item_size(&header.type_descriptor.to_string()).unwrap_or(1);
        let claimed = elements.and_then(|n| n.checked_mul(item));
        match claimed {
            Some(c) if c <= size.min(bound) => Ok(()),
            _ => Err(self.corrupt(
                key,
                format!(
                    "its header claims shape {:?} ({} bytes) but the archive holds at most {} \
                     bytes for it",
                    header.shape,
                    claimed.map_or("more than 2^64".to_string(), |c| c.to_string()),
                    size.min(bound)
                ),
            )),
        }
    }

    fn attempt<T: ReadableElement>(&mut self, key: &str) -> Result<Attempt<ArrayD<T>>, DataError> {
        self.check_claim(key)?;
        let name = self.member(key);
        let read = match self.zip.by_name(&name) {
            Ok(f) => ArrayD::<T>::read_npy(f),
            Err(e) => Err(ReadNpyError::Io(std::io::Error::other(e.to_string()))),
        };
        match read {
            Ok(a) => Ok(Attempt::Ok(a)),
            Err(ReadNpyError::WrongDescriptor(d)) => Ok(Attempt::WrongDtype(d.to_string())),
            Err(e) => Err(self.corrupt(key, e.to_string())),
        }
    }

    /// An array of exactly element type `T` (`expected` names it in errors) and dimension `D`.
    pub fn array<T: ReadableElement, D: ndarray::Dimension>(
        &mut self,
        key: &str,
        expected: &str,
    ) -> Result<ndarray::Array<T, D>, DataError> {
        self.require(key)?;
        let a = match self.attempt::<T>(key)? {
            Attempt::Ok(a) => a,
            Attempt::WrongDtype(d) => return Err(self.dtype_error(key, d, expected)),
        };
        let shape = a.shape().to_vec();
        a.into_dimensionality::<D>().map_err(|_| {
            self.shape_error(key, &shape, format!("a {}-D array", D::NDIM.unwrap_or(0)))
        })
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

/// More end-of-central-directory markers than this in an archive's tail mean damage.
const MAX_END_MARKERS: usize = 8;

/// End-of-central-directory signatures in the last 64 KiB + 22 bytes (where the record must
/// lie); leaves the reader at the start.
fn end_markers(r: &mut Box<dyn ReadSeek>) -> std::io::Result<usize> {
    use std::io::SeekFrom;
    let len = r.seek(SeekFrom::End(0))?;
    let tail = len.min(65_535 + 22);
    r.seek(SeekFrom::Start(len - tail))?;
    let mut buf = Vec::with_capacity(tail as usize);
    r.take(tail).read_to_end(&mut buf)?;
    r.seek(SeekFrom::Start(0))?;
    Ok(buf.windows(4).filter(|w| *w == b"PK\x05\x06").count())
}

/// Bytes per item of a numpy type descriptor such as `'<f4'`, `'|b1'`, `'<i8'`.
fn item_size(descr: &str) -> Option<u64> {
    let d = descr.trim_matches(|c| c == '\'' || c == '"');
    let digits: String = d.chars().skip_while(|c| !c.is_ascii_digit()).collect();
    digits.parse().ok().filter(|&n| n > 0)
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
