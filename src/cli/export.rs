//! `specae export MODEL --out FILE [--half]`: a model's weights as safetensors with PyTorch
//! names (what `reference.py` loads), optionally in half precision — how the GUI's built-in
//! model in `assets/` is made.

use std::path::PathBuf;

use anyhow::Context;
use burn::prelude::Device;
use clap::Args;
use specae::model::interop::{
    state_dict, to_portillo_names, to_safetensors, to_safetensors_f16, weights_metadata,
};
use specae::train::load::read_model;
use specae::util::atomic::write_bytes_atomically;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A checkpoint (best.safetensors) or exported weights.
    pub model: PathBuf,
    /// Output file (.safetensors).
    #[arg(long)]
    pub out: PathBuf,
    /// Store float16 instead of float32 (half the size).
    #[arg(long)]
    pub half: bool,
    /// Tensor names: specae's (`0.0`, …, `1.4`, `lv`; reference.py's) or `portillo` (the
    /// `encd`, `enc2`, `mu`, `lv`, `decd`, `dec2`, `outp` of Portillo et al.'s `InfoVAE`, for a
    /// VAE with two hidden layers each side).
    #[arg(long, value_enum, default_value_t = Names::Specae)]
    pub names: Names,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Names {
    Specae,
    Portillo,
}

pub fn run(a: ExportArgs) -> anyhow::Result<()> {
    let file = read_model(&a.model, &Device::flex())?;
    let (tensors, _) = state_dict(&file.model).with_context(|| a.model.display().to_string())?;
    let tensors = match a.names {
        Names::Specae => tensors,
        Names::Portillo => {
            to_portillo_names(&tensors).with_context(|| a.model.display().to_string())?
        }
    };
    // The grid and activation go with the weights (PyTorch ignores the metadata).
    let meta = weights_metadata(&file.model, file.grid().as_ref());
    let bytes = if a.half {
        to_safetensors_f16(&tensors, meta)?
    } else {
        to_safetensors(&tensors, &[], meta)?
    };
    write_bytes_atomically(&a.out, &bytes)?;
    println!(
        "wrote {} ({} tensors, {} bytes, {})",
        a.out.display(),
        tensors.len(),
        bytes.len(),
        if a.half { "float16" } else { "float32" }
    );
    Ok(())
}
