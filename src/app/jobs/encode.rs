//! Latents of every spectrum: under the open model, or under the checkpoint a running
//! training just wrote. A survey store is encoded block by block from disk.

use std::path::{Path, PathBuf};

use burn::prelude::Device;
use ndarray::{Array2, ArrayView2};

use super::{JobCtx, JobOutput};
use crate::analysis::AnalysisError;
use crate::analysis::store::cached_latents;
use crate::app::session::Latents;
use crate::app::survey_rows::SurveyRows;
use crate::model::Autoencoder;
use crate::model::evaluate::{CHUNK, STAGE_ENCODE, encode_rows, posterior_sigma_rows};
use crate::train::checkpoint::Checkpoint;

/// The latents of every spectrum of `s` under `model` (and a VAE's posterior σ), a block at a
/// time, as stage "encoding spectra" of the task's progress.
fn encode_survey(
    model: &Autoencoder,
    s: &SurveyRows,
    cx: &JobCtx,
) -> Result<(Array2<f32>, Option<Vec<f32>>), AnalysisError> {
    let device = Device::flex();
    let progress = cx.progress();
    let n = s.n_spectra();
    progress.stage(STAGE_ENCODE, n as u64);
    let k = model.latent_dim();
    let mut z = Array2::<f32>::zeros((n, k));
    let mut sigma = model.logvar.as_ref().map(|_| vec![0f32; n]);
    let mut on_block = |start: usize, x: ArrayView2<f32>, _: ArrayView2<f32>| {
        for lo in (0..x.nrows()).step_by(CHUNK) {
            progress.check()?;
            let idx: Vec<u32> = (lo as u32..(lo + CHUNK).min(x.nrows()) as u32).collect();
            let zb = encode_rows(model, x, &idx, &device);
            let at = start + lo;
            z.slice_mut(ndarray::s![at..at + idx.len(), ..]).assign(&zb);
            if let (Some(out), Some(sb)) = (
                sigma.as_mut(),
                posterior_sigma_rows(model, x, &idx, &device),
            ) {
                out[at..at + idx.len()].copy_from_slice(&sb);
            }
            progress.add(idx.len() as u64);
        }
        Ok(())
    };
    s.as_rows().visit(&mut on_block)?;
    Ok((z, sigma))
}

/// Latents with their k-d tree and ranges (and a VAE's posterior σ), built here rather than
/// on the UI thread.
fn latents_output(
    task: &str,
    model: &Autoencoder,
    s: &SurveyRows,
    from_training: Option<usize>,
    cx: &JobCtx,
) -> JobOutput {
    let (z, sigma) = match encode_survey(model, s, cx) {
        Ok(e) => e,
        Err(AnalysisError::Cancelled) => return JobOutput::cancelled(task),
        Err(e) => return JobOutput::failed(task, e),
    };
    match Latents::new(z, from_training) {
        Ok(l) => JobOutput::Latents(l.with_sigma(sigma)),
        Err(e) => JobOutput::failed(task, e),
    }
}

/// Where an earlier analysis of the same model and data file may have left the latents.
pub struct LatentsCache {
    pub dir: PathBuf,
    pub model: PathBuf,
    pub data: PathBuf,
}

/// Latents of every spectrum under `model`: those of its cached analysis when that was
/// computed from this model file and these data ([`cached_latents`]), else encoded.
pub fn encode(
    model: &Autoencoder,
    s: &SurveyRows,
    cache: Option<LatentsCache>,
    cx: &JobCtx,
) -> JobOutput {
    // A VAE's posterior σ is not cached: it is encoded.
    if let Some(c) = cache.filter(|_| model.logvar.is_none()) {
        cx.progress().stage("reading the cached latents", 0);
        let (n, k) = (s.n_spectra(), model.latent_dim());
        if let Some(z) = cached_latents(&c.dir, &c.model, &c.data, n, k) {
            return match Latents::new(z, None) {
                Ok(l) => JobOutput::Latents(l),
                Err(e) => JobOutput::failed("encode", e),
            };
        }
    }
    latents_output("encode", model, s, None, cx)
}

/// Latents of the checkpoint a running training just saved.
pub fn encode_checkpoint(path: &Path, s: &SurveyRows, cx: &JobCtx) -> JobOutput {
    const TASK: &str = "refresh latents";
    let ck = match Checkpoint::read(path) {
        Ok(c) => c,
        Err(e) => return JobOutput::failed(TASK, e),
    };
    let epoch = ck.meta.epoch;
    match ck.model(&Device::flex()) {
        Ok(m) => latents_output(TASK, &m, s, Some(epoch), cx),
        Err(e) => JobOutput::failed(TASK, e),
    }
}
