//! A survey's catalogue without its spectra: the per-spectrum columns (identifiers,
//! redshifts, classes, the generator's truth) and the grid — what a streamed analysis of a
//! store keeps in memory (~100 bytes a spectrum) while the spectra stay on disk.

use super::classes::GalaxyClass;
use super::error::DataError;
use super::grid::LogGrid;
use super::store::{StoreRows, SurveyStore};
use super::survey::{Metadata, Truth, read_columns};

#[derive(Clone, Debug)]
pub struct Catalogue {
    pub meta: Metadata,
    pub classes: Vec<GalaxyClass>,
    pub truth: Option<Truth>,
    pub grid: LogGrid,
}

impl Catalogue {
    /// The catalogue of the store `rows` reads (its columns, read whole; its spectra not).
    pub fn of_store(rows: &StoreRows) -> Result<Self, DataError> {
        let n = rows.n_rows();
        let (meta, truth) = read_columns(&mut SurveyStore::open(rows.path())?, n)?;
        let classes = match &meta.lineindex_cln {
            Some(c) => c.iter().map(|&v| GalaxyClass::from_lineindex(v)).collect(),
            None => vec![GalaxyClass::from_lineindex(0); n],
        };
        Ok(Self {
            meta,
            classes,
            truth,
            grid: rows.grid(),
        })
    }

    pub fn n_spectra(&self) -> usize {
        self.classes.len()
    }
}
