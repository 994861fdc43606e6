//! The small pretrained model of the built-in survey that ships in `assets/`, so the explorer
//! opens on a trained latent space at once. Reproduce it with
//! `specae train --batch 512 --out run512` (early stopping after 193 epochs) followed by
//! `specae export run512/best.safetensors --half --out assets/builtin-model.safetensors`.

use std::path::{Path, PathBuf};

/// float16 safetensors with PyTorch names (3 MB).
pub const BYTES: &[u8] = include_bytes!("../../assets/builtin-model.safetensors");

/// How the model is named in the app.
pub const LABEL: &str = "built-in model (assets/builtin-model.safetensors)";

/// Where the analysis of the built-in model on `data` is cached: beside the survey file.
pub fn analysis_dir(data: &Path) -> PathBuf {
    let stem = data
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "survey".into());
    data.with_file_name(format!("{stem}.builtin-model-v2.analysis"))
}
