//! The small pretrained models of the built-in survey that ship in `assets/`, so the explorer
//! opens on a trained latent space at once.
//!
//! - The autoencoder: `specae train --batch 512 --out run512` (early stopping after 193 epochs)
//!   followed by `specae export run512/best.safetensors --half --out
//!   assets/builtin-model.safetensors`.
//! - The VAE: `specae train --model vae --out runvae` (what `specae compare --models vae
//!   --latent 6` trains) followed by `specae export runvae/best.safetensors --half --out
//!   assets/builtin-vae.safetensors`.

use std::path::{Path, PathBuf};

/// float16 safetensors with PyTorch names (3 MB).
pub const BYTES: &[u8] = include_bytes!("../../assets/builtin-model.safetensors");

/// How the model is named in the app.
pub const LABEL: &str = "built-in model (assets/builtin-model.safetensors)";

/// The VAE, float16 (3 MB).
pub const VAE_BYTES: &[u8] = include_bytes!("../../assets/builtin-vae.safetensors");

/// Which shipped model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Ae,
    Vae,
}

impl Builtin {
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Builtin::Ae => BYTES,
            Builtin::Vae => VAE_BYTES,
        }
    }

    /// How the model is named in the app.
    pub fn label(self) -> &'static str {
        match self {
            Builtin::Ae => LABEL,
            Builtin::Vae => "built-in VAE (assets/builtin-vae.safetensors)",
        }
    }

    /// The file it was made as.
    pub fn asset(self) -> &'static str {
        match self {
            Builtin::Ae => "assets/builtin-model.safetensors",
            Builtin::Vae => "assets/builtin-vae.safetensors",
        }
    }

    /// Where its analysis of `data` is cached: beside the survey file.
    pub fn analysis_dir(self, data: &Path) -> PathBuf {
        match self {
            Builtin::Ae => analysis_dir(data),
            Builtin::Vae => cache_beside(data, "builtin-vae-v1"),
        }
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

/// Where the analysis of the built-in model on `data` is cached: beside the survey file.
pub fn analysis_dir(data: &Path) -> PathBuf {
    cache_beside(data, "builtin-model-v2")
}
