//! Where a survey's arrays are read from: an npz archive ([`super::npz::NpzFile`]) or a Zarr
//! store ([`super::store::SurveyStore`]), behind one interface so [`super::Survey`] validates
//! both the same way. Each read names the file and the array in its errors.

use std::path::Path;

use ndarray::{Array1, Array2};

use super::error::DataError;
use super::npz::NpzFile;

/// Typed reads of named arrays, with the npz reader's loose dtypes (float32 or float64 for
/// floats, any integer for integers, bool or any integer for masks).
pub trait ArraySource {
    fn path(&self) -> &Path;
    fn has(&self, key: &str) -> bool;
    fn floats2(&mut self, key: &str) -> Result<Array2<f32>, DataError>;
    fn floats1(&mut self, key: &str) -> Result<Array1<f32>, DataError>;
    fn ints1(&mut self, key: &str) -> Result<Array1<i64>, DataError>;
    /// A 0-d or 1-element float array.
    fn scalar_f64(&mut self, key: &str) -> Result<f64, DataError>;
    fn mask2(&mut self, key: &str) -> Result<Array2<bool>, DataError>;
}

impl ArraySource for NpzFile {
    fn path(&self) -> &Path {
        NpzFile::path(self)
    }
    fn has(&self, key: &str) -> bool {
        NpzFile::has(self, key)
    }
    fn floats2(&mut self, key: &str) -> Result<Array2<f32>, DataError> {
        NpzFile::floats2(self, key)
    }
    fn floats1(&mut self, key: &str) -> Result<Array1<f32>, DataError> {
        NpzFile::floats1(self, key)
    }
    fn ints1(&mut self, key: &str) -> Result<Array1<i64>, DataError> {
        NpzFile::ints1(self, key)
    }
    fn scalar_f64(&mut self, key: &str) -> Result<f64, DataError> {
        NpzFile::scalar_f64(self, key)
    }
    fn mask2(&mut self, key: &str) -> Result<Array2<bool>, DataError> {
        NpzFile::mask2(self, key)
    }
}
