//! Where data sets live: the built-in survey's cache, and astroML's download cache.

use std::path::PathBuf;

use serde::Serialize;

/// Version of the built-in survey generator; bump when its output changes so caches refresh.
pub const BUILTIN_VERSION: u32 = 4;

/// The folder specae keeps generated data in: the platform's data directory
/// (`~/.local/share/specae` on Linux, `~/Library/Application Support/org.specae.specae` on a
/// Mac), overridable with `SPECAE_DATA_DIR`.
pub fn data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SPECAE_DATA_DIR") {
        return PathBuf::from(d);
    }
    directories::ProjectDirs::from("org", "specae", "specae")
        .map(|p| p.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("data"))
}

/// Cache file of the built-in survey for a size and seed.
pub fn builtin_survey_path(n: usize, seed: u64) -> PathBuf {
    data_dir().join(format!(
        "builtin-survey-v{BUILTIN_VERSION}-n{n}-seed{seed}.npz"
    ))
}

/// astroML's cached `spec4000.npz` (`$ASTROML_DATA` or `~/astroML_data`), if it exists.
pub fn astroml_spec4000() -> Option<PathBuf> {
    let dir = std::env::var_os("ASTROML_DATA")
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().join("astroML_data")))?;
    let p = dir.join("spec4000.npz");
    p.is_file().then_some(p)
}

/// A data set the app can offer.
#[derive(Clone, Debug, Serialize)]
pub struct DataSource {
    pub name: String,
    pub path: PathBuf,
    /// Whether the file is there now (the built-in survey is generated on first use).
    pub present: bool,
    pub description: String,
}

/// Data sets found on this machine: the built-in survey (default) and astroML's cache.
pub fn discover(n_builtin: usize, seed: u64) -> Vec<DataSource> {
    let builtin = builtin_survey_path(n_builtin, seed);
    let mut v = vec![DataSource {
        name: "builtin".into(),
        present: builtin.is_file(),
        path: builtin,
        description: format!(
            "built-in synthetic SDSS-like survey, {n_builtin} spectra (seed {seed})"
        ),
    }];
    if let Some(p) = astroml_spec4000() {
        v.push(DataSource {
            name: "astroml".into(),
            path: p,
            present: true,
            description: "astroML's sdss_corrected_spectra (spec4000.npz), 4,000 SDSS spectra"
                .into(),
        });
    }
    v
}
