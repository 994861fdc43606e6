//! Errors of the data layer. Every variant names the file it is about.

use std::path::PathBuf;

/// Something wrong with a data file, or with writing one.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a valid npz (zip) archive: {detail}", path.display())]
    NotNpz { path: PathBuf, detail: String },
    #[error("{}: required array '{key}' is missing (the file has: {present})", path.display())]
    MissingKey {
        path: PathBuf,
        key: String,
        present: String,
    },
    #[error("{}: array '{key}' is an object (pickled) array; specae never unpickles data — save it with a numeric dtype", path.display())]
    ObjectArray { path: PathBuf, key: String },
    #[error("{}: array '{key}' has dtype {found}, expected {expected}", path.display())]
    Dtype {
        path: PathBuf,
        key: String,
        found: String,
        expected: String,
    },
    #[error("{}: array '{key}' has shape {found}, expected {expected}", path.display())]
    Shape {
        path: PathBuf,
        key: String,
        found: String,
        expected: String,
    },
    #[error("{}: array '{key}' is damaged or truncated: {detail}", path.display())]
    Corrupt {
        path: PathBuf,
        key: String,
        detail: String,
    },
    #[error("{}: array '{key}' has {count} non-finite value(s) (NaN or inf){where_}", path.display())]
    NonFinite {
        path: PathBuf,
        key: String,
        count: usize,
        where_: String,
    },
    #[error("{}: array '{key}' has an invalid value: {detail}", path.display())]
    BadValue {
        path: PathBuf,
        key: String,
        detail: String,
    },
    #[error("{}: the file holds no spectra", path.display())]
    Empty { path: PathBuf },
    #[error("cannot write {}: {detail}", path.display())]
    Write { path: PathBuf, detail: String },
    #[error("{detail}")]
    Invalid { detail: String },
    #[error("writing {} was cancelled (the file was not written)", path.display())]
    Cancelled { path: PathBuf },
}

impl From<crate::util::atomic::AtomicWriteError> for DataError {
    fn from(e: crate::util::atomic::AtomicWriteError) -> Self {
        DataError::Write {
            path: e.path,
            detail: e.source.to_string(),
        }
    }
}

impl DataError {
    /// Array `key` of `path` has shape `found` where `expected` was.
    pub fn shape(path: &std::path::Path, key: &str, found: &[usize], expected: String) -> Self {
        DataError::Shape {
            path: path.to_path_buf(),
            key: key.into(),
            found: format!("{found:?}"),
            expected,
        }
    }
}
