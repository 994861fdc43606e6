//! Helpers shared by the integration tests.

use std::path::PathBuf;

use specae::data::Survey;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// The small valid fixture (5 spectra from reference.py synth).
pub fn small_survey() -> Survey {
    Survey::read(&fixture("small_ok.npz")).expect("small_ok.npz reads")
}
