//! The integration tests, as one test binary.
//!
//! Every test binary links the whole of burn, wgpu and egui; one binary instead of nine keeps a
//! cold CI build's link time and disk use down (nine ~1 GB debug binaries once filled the CI disk).
//! Run one group with a filter, e.g. `cargo test --test suite training::`.

mod common;

mod analysis;
mod cancel;
mod cli;
mod compare;
mod desi;
mod figures;
#[cfg(feature = "gui")]
mod gui;
#[cfg(feature = "gui")]
mod gui_store;
#[cfg(feature = "gui")]
mod gui_triage;
mod ingest_fits;
mod module_graph;
mod reader_errors;
mod real_files;
mod real_galaxies;
mod reference_parity;
mod rest_grid;
mod store;
mod survey_science;
mod training;
mod triage;
mod untrusted_files;
mod vae;
