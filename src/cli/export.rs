//! `specae export MODEL --out FILE [--half]`: a model's weights as safetensors with PyTorch
//! names (what `reference.py` loads), optionally in half precision — how the GUI's built-in
//! model in `assets/` is made.

use std::path::PathBuf;

use anyhow::Context;
use burn::prelude::Device;
use clap::Args;
use specae::model::interop::{state_dict, to_safetensors, to_safetensors_f16};
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
}

pub fn run(a: ExportArgs) -> anyhow::Result<()> {
    let (model, _) = read_model(&a.model, &Device::flex())?;
    let (tensors, _) = state_dict(&model).with_context(|| a.model.display().to_string())?;
    let bytes = if a.half {
        to_safetensors_f16(&tensors)?
    } else {
        to_safetensors(&tensors, &[], None)?
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
