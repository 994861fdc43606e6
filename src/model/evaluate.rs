//! Per-spectrum losses of a trained model and of the PCA baseline, and the encode/decode APIs
//! the analysis and the GUI use.

use burn::prelude::*;
use ndarray::{Array2, ArrayView2};

use super::autoencoder::Autoencoder;
use super::loss::weighted_loss_row;
use super::pca_baseline::PcaBaseline;
use super::tensors::{rows_to_tensor, tensor_to_array};
use crate::util::progress::{Cancelled, Progress};
use burn::tensor::TensorData;

/// Spectra per encoder call (64k spectra: 16 calls).
pub const CHUNK: usize = 4096;

/// The name of [`encode_all`]'s stage.
pub const STAGE_ENCODE: &str = "encoding spectra";

/// Latents of every row of `x`, chunk by chunk as the stage "encoding spectra" of
/// `progress`; `each(first_row, latents)` sees every chunk as it is encoded (the analysis
/// reconstructs and scores it there). Stops within one chunk (~0.1 s) of a cancel.
pub fn encode_all(
    model: &Autoencoder,
    x: ArrayView2<f32>,
    device: &Device,
    progress: &Progress,
    each: &mut dyn FnMut(usize, &Array2<f32>),
) -> Result<Array2<f32>, Cancelled> {
    let n = x.nrows();
    progress.stage(STAGE_ENCODE, n as u64);
    let idx: Vec<u32> = (0..n as u32).collect();
    let mut parts = Vec::with_capacity(n.div_ceil(CHUNK));
    for c in idx.chunks(CHUNK) {
        progress.check()?;
        let z = encode_rows(model, x, c, device);
        each(c[0] as usize, &z);
        parts.push(z);
        progress.add(c.len() as u64);
    }
    Ok(concat(parts, model.latent_dim()))
}

/// A VAE's posterior σ of rows `idx`, averaged over the latents (geometric mean:
/// exp(½·mean log σ²)); `None` for an autoencoder.
pub fn posterior_sigma_rows(
    model: &Autoencoder,
    x: ArrayView2<f32>,
    idx: &[u32],
    device: &Device,
) -> Option<Vec<f32>> {
    model.logvar.as_ref()?;
    let lv = batched(x, idx, device, |t| {
        let (mu, lv) = model.posterior(t);
        lv.unwrap_or_else(|| mu.zeros_like())
    });
    Some(
        lv.rows()
            .into_iter()
            .map(|r| (0.5 * r.mean().unwrap_or(0.0)).exp())
            .collect(),
    )
}

/// Applies `f` to rows `idx` of `x` in batches and stacks the results.
fn batched(
    x: ArrayView2<f32>,
    idx: &[u32],
    device: &Device,
    f: impl Fn(Tensor<2>) -> Tensor<2>,
) -> Array2<f32> {
    let parts: Vec<Array2<f32>> = idx
        .chunks(CHUNK)
        .map(|c| {
            tensor_to_array(f(rows_to_tensor(x, c, device)))
                .unwrap_or_else(|_| Array2::zeros((c.len(), 0)))
        })
        .collect();
    concat(parts, 0)
}

/// Latents of rows `idx` (len × latent), in batches.
pub fn encode_rows(
    model: &Autoencoder,
    x: ArrayView2<f32>,
    idx: &[u32],
    device: &Device,
) -> Array2<f32> {
    batched(x, idx, device, |t| model.encode(t))
}

/// Reconstructions of rows `idx`.
pub fn reconstruct_rows(
    model: &Autoencoder,
    x: ArrayView2<f32>,
    idx: &[u32],
    device: &Device,
) -> Array2<f32> {
    batched(x, idx, device, |t| model.forward(t))
}

/// Decodes one latent vector (the GUI's sliders).
pub fn decode_one(model: &Autoencoder, z: &[f32], device: &Device) -> Vec<f32> {
    let t = Tensor::<2>::from_data(TensorData::new(z.to_vec(), [1, z.len()]), device);
    model
        .decode(t)
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap_or_default()
}

/// The parts stacked (no parts: 0 × `cols`).
fn concat(parts: Vec<Array2<f32>>, cols: usize) -> Array2<f32> {
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    ndarray::concatenate(ndarray::Axis(0), &views).unwrap_or_else(|_| Array2::zeros((0, cols)))
}

/// Weighted loss per spectrum of the model on rows `idx`.
pub fn model_losses(
    model: &Autoencoder,
    x: ArrayView2<f32>,
    w: ArrayView2<f32>,
    idx: &[u32],
    device: &Device,
) -> Vec<f64> {
    let r = reconstruct_rows(model, x, idx, device);
    idx.iter()
        .enumerate()
        .map(|(k, &i)| weighted_loss_row(x.row(i as usize), r.row(k), w.row(i as usize)))
        .collect()
}

/// Weighted loss per spectrum of a PCA reconstruction on rows `idx`.
pub fn pca_losses(
    p: &PcaBaseline,
    x: ArrayView2<f32>,
    w: ArrayView2<f32>,
    idx: &[u32],
) -> Vec<f64> {
    use rayon::prelude::*;
    idx.par_iter()
        .map(|&i| {
            let xr = x.row(i as usize);
            weighted_loss_row(xr, &p.reconstruct(xr), w.row(i as usize))
        })
        .collect()
}

/// Decodes latent vectors (rows of `z`) to spectra, in batches.
pub fn decode_rows(model: &Autoencoder, z: ArrayView2<f32>, device: &Device) -> Array2<f32> {
    let idx: Vec<u32> = (0..z.nrows() as u32).collect();
    batched(z, &idx, device, |t| model.decode(t))
}
