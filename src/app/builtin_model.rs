//! Where the analyses of the shipped models ([`crate::model::builtin`]) are cached.

use std::path::{Path, PathBuf};

pub use crate::model::builtin::Builtin;

/// Where a shipped model's analysis of `data` is cached: beside the survey file (the tag
/// names the model's version: a retrained model gets a fresh cache).
pub fn analysis_dir_of(which: Builtin, data: &Path) -> PathBuf {
    match which {
        Builtin::Ae => cache_beside(data, "builtin-model-v4"),
        Builtin::Vae => cache_beside(data, "builtin-vae-v3"),
    }
}

/// `STEM.TAG.analysis` beside `data`.
fn cache_beside(data: &Path, tag: &str) -> PathBuf {
    let stem = data
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "survey".into());
    data.with_file_name(format!("{stem}.{tag}.analysis"))
}
