//! The chunked on-disk survey store: Zarr v3 ([`zarr`]: the subset specae writes and reads)
//! holding the npz schema's arrays ([`survey_store`]), streamed as preprocessed blocks of rows
//! ([`rows`]). A path ending in `.zarr` is written as a
//! store by every command that writes a survey; a folder with a `zarr.json` is read as one.

pub mod rows;
pub mod survey_store;
pub mod zarr;

pub use rows::{Block, StoreRows};
pub use survey_store::{
    StoreWriter, SurveyStore, is_store, wants_store, write_survey, write_survey_rows,
};
