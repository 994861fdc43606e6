//! `specae export MODEL --out FILE [--half]`: a model's weights as safetensors with PyTorch
//! names (what `reference.py` loads), optionally in half precision — how the GUI's built-in
//! model in `assets/` is made.

use std::path::PathBuf;

use anyhow::Context;
use burn::prelude::Device;
use clap::Args;
use specae::model::interop::{grid_metadata, state_dict, to_safetensors, to_safetensors_f16};
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
    let file = read_model(&a.model, &Device::flex())?;
    let (tensors, _) = state_dict(&file.model).with_context(|| a.model.display().to_string())?;
    // The grid goes with the weights (PyTorch ignores the metadata).
    let meta = grid_metadata(file.grid().as_ref());
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
