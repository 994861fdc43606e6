//! The small pretrained models of the built-in survey, compiled into the binary so every
//! command and the explorer can use them without the source tree: `specae fidelity builtin
//! --data mine.npz`, "Use the built-in model" in the explorer. Each carries the infill basis and
//! the validation fits of the survey it was trained on ([`super::inputs`]).
//!
//! - The autoencoder: `specae train --batch 512 --seed 3 --out run512` (early stopping after 151
//!   epochs, 7.3 min on 2 cores; validation loss 1335.0, PCA(6) 1436.2; of seeds 0–3 the one
//!   with the lowest validation loss, 1352.9–1366.8 for the others) followed by `specae export
//!   run512/best.safetensors --half --out assets/builtin-model.safetensors`.
//! - The VAE: `specae train --model vae --out runvae` (what `specae compare --models vae
//!   --latent 6` trains; 61 epochs, 8.8 min; 1333.8 decoded from μ) followed by `specae export
//!   runvae/best.safetensors --half --out assets/builtin-vae.safetensors`.

use std::path::Path;

/// float16 safetensors with PyTorch names (3 MB).
pub const BYTES: &[u8] = include_bytes!("../../assets/builtin-model.safetensors");

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
            Builtin::Ae => "built-in model (assets/builtin-model.safetensors)",
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

    /// The name a command line gives it in place of a model file.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Ae => "builtin",
            Builtin::Vae => "builtin-vae",
        }
    }

    /// The shipped model a command-line argument names (`builtin`, `builtin-vae`), unless a
    /// file of that name exists.
    pub fn named(path: &Path) -> Option<Self> {
        if path.exists() {
            return None;
        }
        [Builtin::Ae, Builtin::Vae]
            .into_iter()
            .find(|b| path.as_os_str() == b.name())
    }
}
