//! Latents of every spectrum: under the open model, or under the checkpoint a running
//! training just wrote.

use std::path::Path;

use burn::prelude::Device;
use ndarray::Array2;

use super::{JobCtx, JobOutput};
use crate::app::session::Latents;
use crate::data::Spectra;
use crate::model::Autoencoder;
use crate::model::evaluate::{encode_all, posterior_sigma_rows};
use crate::train::checkpoint::Checkpoint;

/// Latents with their k-d tree and ranges (and a VAE's posterior σ), built here rather than
/// on the UI thread.
fn latents_output(
    task: &str,
    model: &Autoencoder,
    s: &Spectra,
    z: Array2<f32>,
    from_training: Option<usize>,
    cx: &JobCtx,
) -> JobOutput {
    let sigma = if model.logvar.is_some() {
        cx.progress().stage("posterior σ", 0);
        let idx: Vec<u32> = (0..s.n_spectra() as u32).collect();
        posterior_sigma_rows(model, s.x.view(), &idx, &Device::flex())
    } else {
        None
    };
    match Latents::new(z, from_training) {
        Ok(l) => JobOutput::Latents(l.with_sigma(sigma)),
        Err(e) => JobOutput::failed(task, e),
    }
}

/// Latents of every spectrum under `model`.
pub fn encode(model: &Autoencoder, s: &Spectra, cx: &JobCtx) -> JobOutput {
    match encode_all(
        model,
        s.x.view(),
        &Device::flex(),
        cx.progress(),
        &mut |_, _| {},
    ) {
        Ok(z) => latents_output("encode", model, s, z, None, cx),
        Err(_) => JobOutput::cancelled("encode"),
    }
}

/// Latents of the checkpoint a running training just saved.
pub fn encode_checkpoint(path: &Path, s: &Spectra, cx: &JobCtx) -> JobOutput {
    const TASK: &str = "refresh latents";
    let ck = match Checkpoint::read(path) {
        Ok(c) => c,
        Err(e) => return JobOutput::failed(TASK, e),
    };
    let epoch = ck.meta.epoch;
    let device = Device::flex();
    match ck.model(&device) {
        Ok(m) => match encode_all(&m, s.x.view(), &device, cx.progress(), &mut |_, _| {}) {
            Ok(z) => latents_output(TASK, &m, s, z, Some(epoch), cx),
            Err(_) => JobOutput::cancelled(TASK),
        },
        Err(e) => JobOutput::failed(TASK, e),
    }
}
