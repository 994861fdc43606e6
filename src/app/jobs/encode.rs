//! Latents of every spectrum: under the open model, or under the checkpoint a running
//! training just wrote.

use std::path::Path;

use burn::prelude::Device;
use ndarray::Array2;

use super::{JobCtx, JobOutput};
use crate::app::session::Latents;
use crate::data::Spectra;
use crate::model::Autoencoder;
use crate::model::evaluate::encode_all;
use crate::train::checkpoint::Checkpoint;

/// Latents with their k-d tree and ranges, built here rather than on the UI thread.
fn latents_output(task: &str, z: Array2<f32>, from_training: Option<usize>) -> JobOutput {
    match Latents::new(z, from_training) {
        Ok(l) => JobOutput::Latents(l),
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
        Ok(z) => latents_output("encode", z, None),
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
            Ok(z) => latents_output(TASK, z, Some(epoch)),
            Err(_) => JobOutput::cancelled(TASK),
        },
        Err(e) => JobOutput::failed(TASK, e),
    }
}
