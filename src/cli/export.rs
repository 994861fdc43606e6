//! `specae export MODEL --out FILE [--half]`: a model's weights as safetensors with PyTorch
//! names (what `reference.py` loads), optionally in half precision — how the GUI's built-in
//! model in `assets/` is made. Beside the weights go what the model's input depended on
//! ([`specae::model::inputs`]): its training survey's infill basis and the reconstruction χ²
//! and S/N of that survey's validation spectra, so the file alone refills and judges other
//! spectra the way the model saw its own (`--weights-only` leaves them out).

use std::path::PathBuf;

use anyhow::Context;
use burn::prelude::Device;
use clap::Args;
use specae::analysis::fidelity::{fits_of_rows, reference_of};
use specae::data::Spectra;
use specae::data::identity::FileIdentity;
use specae::model::inputs::ModelInputs;
use specae::model::interop::{
    state_dict, to_portillo_names, to_safetensors, to_safetensors_f16, weights_metadata,
};
use specae::train::load::{ModelFile, fit_model_to_spectra, read_model};
use specae::util::atomic::write_bytes_atomically;

use super::fitted::fitted_fits_of_rows;

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
    /// The survey the model was trained on, when it is no longer where the checkpoint
    /// recorded it (for the infill basis and the validation fits).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Only the weights: no infill basis or validation fits (PyTorch's strict
    /// `load_state_dict` then takes the file as it is).
    #[arg(long)]
    pub weights_only: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Names {
    Specae,
    Portillo,
}

pub fn run(a: ExportArgs) -> anyhow::Result<()> {
    let device = Device::flex();
    let file = read_model(&a.model, &device)?;
    let (tensors, _) = state_dict(&file.model).with_context(|| a.model.display().to_string())?;
    let mut tensors = match a.names {
        Names::Specae => tensors,
        Names::Portillo => {
            to_portillo_names(&tensors).with_context(|| a.model.display().to_string())?
        }
    };
    let n_weights = tensors.len();
    // The grid and activation go with the weights (PyTorch ignores the metadata).
    let meta = weights_metadata(&file.model, file.grid().as_ref());
    if !a.weights_only && a.names == Names::Specae {
        let inputs = inputs_of(&a, file, &device)?;
        tensors.extend(inputs.tensors());
    }
    let bytes = if a.half {
        to_safetensors_f16(&tensors, meta)?
    } else {
        to_safetensors(&tensors, &[], meta)?
    };
    write_bytes_atomically(&a.out, &bytes)?;
    println!(
        "wrote {} ({n_weights} weight tensors{}, {} bytes, {})",
        a.out.display(),
        match tensors.len() - n_weights {
            0 => String::new(),
            k => format!(" and {k} of the training survey's"),
        },
        bytes.len(),
        if a.half { "float16" } else { "float32" }
    );
    Ok(())
}

/// The infill basis and validation fits for the exported file: those the model file carries,
/// completed from its training survey when that is at hand (`--data`, or the file a
/// checkpoint records, if unchanged).
fn inputs_of(a: &ExportArgs, file: ModelFile, device: &Device) -> anyhow::Result<ModelInputs> {
    let mut inputs = file.inputs.clone();
    if inputs.infill.is_some() && inputs.reference.is_some() && inputs.reference_fitted.is_some() {
        return Ok(inputs);
    }
    let recorded = file
        .checkpoint
        .as_ref()
        .and_then(|ck| ck.meta.identity.as_ref());
    let data = match (&a.data, recorded) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(id)) => FileIdentity::of(&id.path)
            .ok()
            .filter(|found| id.same_content(found))
            .map(|_| id.path.clone()),
        (None, None) => None,
    };
    let Some(data) = data else {
        eprintln!(
            "note: {} does not say which survey trained it (or the file has changed): the \
             export has no {}; pass the training survey with --data",
            a.model.display(),
            match (inputs.infill.is_some(), inputs.reference.is_some()) {
                (false, false) => "infill basis or validation fits",
                (true, false) => "validation fits",
                (false, true) => "infill basis",
                (true, true) => "validation fits with fitted latents",
            }
        );
        return Ok(inputs);
    };
    let spectra = Spectra::load(&data)?;
    let loaded = fit_model_to_spectra(file, &a.model, &data, &spectra, 0)?;
    if inputs.infill.is_none() {
        inputs.infill = Some(spectra.infill_basis());
    }
    if inputs.reference.is_none() {
        let fits = fits_of_rows(&loaded.model, &spectra, &loaded.split.valid, device);
        inputs.reference = Some(reference_of(&fits));
    }
    if inputs.reference_fitted.is_none() {
        let fits = fitted_fits_of_rows(
            &loaded.model,
            &spectra,
            &loaded.split.valid,
            "the validation spectra",
        )?;
        inputs.reference_fitted = Some(reference_of(&fits));
    }
    eprintln!(
        "infill basis and the fits of {} validation spectra from {}",
        loaded.split.valid.len(),
        data.display()
    );
    Ok(inputs)
}
