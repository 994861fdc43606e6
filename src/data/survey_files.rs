//! Reading and writing a survey in either of its formats: an npz file in astroML's schema
//! ([`super::survey`]) or a Zarr v3 store of the same arrays ([`super::store`]), chosen by the
//! path — a folder with a `zarr.json` is read as a store, a path ending in `.zarr` is written as
//! one.

use std::path::Path;

use super::error::DataError;
use super::store;
use super::survey::Survey;
use crate::util::progress::Progress;

impl Survey {
    /// Reads and validates a survey: an npz file, or a Zarr store (a folder with a
    /// `zarr.json`).
    pub fn read(path: &Path) -> Result<Self, DataError> {
        if store::is_store(path) {
            return Self::from_source(store::SurveyStore::open(path)?);
        }
        Self::read_npz(path)
    }

    /// Writes the survey atomically: in the astroML npz schema (readable by numpy's `np.load`),
    /// or, for a path ending in `.zarr`, as a Zarr v3 store of the same arrays (`compressed`
    /// applies to npz only).
    pub fn write(&self, path: &Path, compressed: bool) -> Result<(), DataError> {
        self.write_with(path, compressed, &Progress::new())
    }

    /// [`write`](Self::write) as a stage of `progress`; a cancel stops it and leaves no file
    /// (or store) behind.
    pub fn write_with(
        &self,
        path: &Path,
        compressed: bool,
        progress: &Progress,
    ) -> Result<(), DataError> {
        if store::wants_store(path) {
            return store::write_survey(self, path, progress);
        }
        self.write_npz(path, compressed, progress)
    }
}
