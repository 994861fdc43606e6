//! The autoencoder as plain row-major matrices: a stack of dense layers in PyTorch layout
//! (weight [out, in], bias [out]) with ReLU after every layer but the latent and the output;
//! a VAE adds the log-variance head beside the latent layer.

use std::ops::Range;

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};

use crate::util::simd::clear_upper_state;

use crate::model::AutoencoderConfig;
use crate::model::interop::{
    INPUT_MEAN, InteropError, LOGVAR, NamedTensor, find_tensor, torch_name,
};

/// One dense layer: `y = x·wᵀ + b`, `w` row-major [n_out, n_in].
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    /// PyTorch name prefix (`0.0`, `1.4`, …).
    pub name: String,
    pub n_in: usize,
    pub n_out: usize,
    pub w: Vec<f32>,
    pub b: Vec<f32>,
    /// ReLU (or leaky ReLU) applied to the output.
    pub relu: bool,
    /// The activation's slope below zero: 0 for ReLU, 0.01 for leaky ReLU.
    pub slope: f32,
}

/// The encoder's layers followed by the decoder's.
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp {
    pub layers: Vec<Dense>,
    /// How many of `layers` are the encoder's (the last of them gives the latents, μ).
    pub n_encoder: usize,
    /// A VAE's log σ² head, reading the encoder's last hidden layer.
    pub logvar: Option<Dense>,
    /// The mean spectrum subtracted from the input (not trained; see
    /// [`AutoencoderConfig::subtract_mean`]). The loss compares x − ⟨x⟩ with the decoder's
    /// output, which is the same as x with the output plus ⟨x⟩.
    pub mean: Option<Vec<f32>>,
}

/// Products smaller than this many multiply-adds run on the calling thread (splitting them
/// costs more than it saves).
const PARALLEL_MIN_FLOPS: usize = 1 << 20;

pub(crate) fn par_for(m: usize, k: usize, n: usize) -> Par {
    if m.saturating_mul(k).saturating_mul(n) >= PARALLEL_MIN_FLOPS {
        Par::rayon(0)
    } else {
        Par::Seq
    }
}

impl Mlp {
    /// The layers of architecture `cfg` with weights from a PyTorch-named state dict (as
    /// [`crate::model::interop::state_dict`] returns).
    pub fn from_state_dict(
        cfg: &AutoencoderConfig,
        tensors: &[NamedTensor],
    ) -> Result<Self, InteropError> {
        let find = |name: &str, shape: &[usize]| -> Result<Vec<f32>, InteropError> {
            let v = find_tensor(tensors, name, shape)?;
            if v.iter().any(|x| !x.is_finite()) {
                return Err(InteropError::NonFinite(name.into()));
            }
            Ok(v.clone())
        };
        let mut layers = vec![];
        let n_encoder = cfg.encoder_sizes().len() - 1;
        let slope = cfg.activation_kind().negative_slope() as f32;
        for (part, sizes) in [(0usize, cfg.encoder_sizes()), (1, cfg.decoder_sizes())] {
            let last = sizes.len() - 2;
            for (i, s) in sizes.windows(2).enumerate() {
                let (n_in, n_out) = (s[0], s[1]);
                let name = torch_name(part, i);
                layers.push(Dense {
                    w: find(&format!("{name}.weight"), &[n_out, n_in])?,
                    b: find(&format!("{name}.bias"), &[n_out])?,
                    name,
                    n_in,
                    n_out,
                    relu: i < last,
                    slope,
                });
            }
        }
        let logvar = if cfg.variational() {
            let n_in = cfg.hidden.last().copied().unwrap_or(cfg.n_bins);
            let n_out = cfg.latent;
            Some(Dense {
                w: find(&format!("{LOGVAR}.weight"), &[n_out, n_in])?,
                b: find(&format!("{LOGVAR}.bias"), &[n_out])?,
                name: LOGVAR.into(),
                n_in,
                n_out,
                relu: false,
                slope,
            })
        } else {
            None
        };
        let mean = if cfg.subtract_mean.unwrap_or(false) {
            Some(find(INPUT_MEAN, &[cfg.n_bins])?)
        } else {
            None
        };
        Ok(Mlp {
            layers,
            n_encoder,
            logvar,
            mean,
        })
    }

    /// Every trainable layer: the stack, then the log-variance head (state-dict order).
    pub fn all_layers(&self) -> impl Iterator<Item = &Dense> {
        self.layers.iter().chain(&self.logvar)
    }

    /// [`all_layers`](Self::all_layers), mutable.
    pub fn all_layers_mut(&mut self) -> impl Iterator<Item = &mut Dense> {
        self.layers.iter_mut().chain(&mut self.logvar)
    }

    /// The weights as a PyTorch-named state dict (the input mean last, as
    /// [`crate::model::interop::state_dict`] orders it).
    pub fn state_dict(&self) -> Vec<NamedTensor> {
        let mut v: Vec<NamedTensor> = self
            .all_layers()
            .flat_map(|l| {
                [
                    (
                        format!("{}.weight", l.name),
                        vec![l.n_out, l.n_in],
                        l.w.clone(),
                    ),
                    (format!("{}.bias", l.name), vec![l.n_out], l.b.clone()),
                ]
            })
            .collect();
        if let Some(m) = &self.mean {
            v.push((INPUT_MEAN.into(), vec![m.len()], m.clone()));
        }
        v
    }

    /// Subtracts the input mean (where there is one) from `rows` rows of `x`.
    pub fn centre(&self, x: &mut [f32], rows: usize) {
        if let Some(m) = &self.mean {
            let n = m.len();
            for row in x[..rows * n].chunks_exact_mut(n) {
                for (v, &mu) in row.iter_mut().zip(m) {
                    *v -= mu;
                }
            }
        }
    }

    pub fn n_in(&self) -> usize {
        self.layers.first().map_or(0, |l| l.n_in)
    }

    /// The widest layer output (buffer sizing).
    pub fn max_width(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.n_in.max(l.n_out))
            .max()
            .unwrap_or(0)
    }

    /// Forward pass of `rows` rows: `acts[0]` holds the input (rows × n_in); `acts[l + 1]` gets
    /// layer `l`'s output after its activation. Each buffer must hold at least rows × width.
    pub fn forward(&self, acts: &mut [Vec<f32>], rows: usize) {
        self.forward_layers(acts, rows, 0..self.layers.len());
    }

    /// The forward pass through `layers` only (`acts[layers.start]` holds their input).
    pub fn forward_layers(&self, acts: &mut [Vec<f32>], rows: usize, layers: Range<usize>) {
        for l in layers {
            let layer = &self.layers[l];
            let (before, after) = acts.split_at_mut(l + 1);
            dense_forward(layer, &before[l][..rows * layer.n_in], &mut after[0], rows);
        }
    }

    /// The backward pass through `layers`: `delta` holds dL/d(output of the last of them)
    /// (rows × n_out) on entry; on return `gw[l]`, `gb[l]` hold the gradients of layer `l`'s
    /// weight and bias and, with `input_grad`, `delta` holds dL/d(input of the first).
    /// `scratch` is a second buffer of the same size as `delta`.
    #[allow(clippy::too_many_arguments)]
    pub fn backward_layers(
        &self,
        acts: &[Vec<f32>],
        rows: usize,
        delta: &mut Vec<f32>,
        scratch: &mut Vec<f32>,
        gw: &mut [Vec<f32>],
        gb: &mut [Vec<f32>],
        layers: Range<usize>,
        input_grad: bool,
    ) {
        let first = layers.start;
        for l in layers.rev() {
            let layer = &self.layers[l];
            let (n_in, n_out) = (layer.n_in, layer.n_out);
            let g = pre_activation_delta(layer, delta, &acts[l + 1], rows);
            let gm = MatRef::from_row_major_slice(g, rows, n_out);
            let input = MatRef::from_row_major_slice(&acts[l][..rows * n_in], rows, n_in);
            // dW = δᵀ · input  [n_out, n_in]
            matmul(
                MatMut::from_row_major_slice_mut(&mut gw[l][..], n_out, n_in),
                Accum::Replace,
                gm.transpose(),
                input,
                1.0f32,
                par_for(n_out, rows, n_in),
            );
            clear_upper_state();
            // db = column sums of δ
            let bias = &mut gb[l];
            bias.iter_mut().for_each(|b| *b = 0.0);
            for row in g.chunks_exact(n_out) {
                for (b, &d) in bias.iter_mut().zip(row) {
                    *b += d;
                }
            }
            if l > first || input_grad {
                input_delta(layer, gm, &mut scratch[..rows * n_in], rows);
                std::mem::swap(delta, scratch);
            }
        }
    }

    /// [`backward_layers`](Self::backward_layers) without the weight gradients: on return
    /// `delta` holds dL/d(input of `layers.start`). Fitting latents needs only that; the weight
    /// gradients took two thirds of the time of a one-spectrum fit.
    pub fn input_gradient(
        &self,
        acts: &[Vec<f32>],
        rows: usize,
        delta: &mut Vec<f32>,
        scratch: &mut Vec<f32>,
        layers: Range<usize>,
    ) {
        for l in layers.rev() {
            let layer = &self.layers[l];
            let g = pre_activation_delta(layer, delta, &acts[l + 1], rows);
            let gm = MatRef::from_row_major_slice(g, rows, layer.n_out);
            input_delta(layer, gm, &mut scratch[..rows * layer.n_in], rows);
            std::mem::swap(delta, scratch);
        }
    }
}

/// d activation: the gradient `g` of a layer's output `y` passes where the output is positive
/// (PyTorch's rule for ReLU); a leaky ReLU passes `slope` of it elsewhere.
fn activation_backward(layer: &Dense, g: &mut [f32], y: &[f32]) {
    if !layer.relu {
        return;
    }
    let slope = layer.slope;
    for (d, &y) in g.iter_mut().zip(y) {
        if y <= 0.0 {
            *d = if slope == 0.0 { 0.0 } else { *d * slope };
        }
    }
}

/// The δ of `layer`'s pre-activation from that of its output `y` (the first rows × n_out of
/// `delta`, turned in place): the step both backward passes start each layer with.
fn pre_activation_delta<'a>(
    layer: &Dense,
    delta: &'a mut [f32],
    y: &[f32],
    rows: usize,
) -> &'a [f32] {
    let g = &mut delta[..rows * layer.n_out];
    activation_backward(layer, g, &y[..rows * layer.n_out]);
    g
}

/// δ_in = δ · W  [rows, n_in] into `out`.
fn input_delta(layer: &Dense, delta: MatRef<'_, f32>, out: &mut [f32], rows: usize) {
    let (n_in, n_out) = (layer.n_in, layer.n_out);
    matmul(
        MatMut::from_row_major_slice_mut(out, rows, n_in),
        Accum::Replace,
        delta,
        MatRef::from_row_major_slice(&layer.w, n_out, n_in),
        1.0f32,
        par_for(rows, n_out, n_in),
    );
    clear_upper_state();
}

/// `out = relu?(input · wᵀ + b)` for `rows` rows.
pub(crate) fn dense_forward(layer: &Dense, input: &[f32], out: &mut [f32], rows: usize) {
    let (n_in, n_out) = (layer.n_in, layer.n_out);
    let out = &mut out[..rows * n_out];
    matmul(
        MatMut::from_row_major_slice_mut(out, rows, n_out),
        Accum::Replace,
        MatRef::from_row_major_slice(input, rows, n_in),
        MatRef::from_row_major_slice(&layer.w, n_out, n_in).transpose(),
        1.0f32,
        par_for(rows, n_in, n_out),
    );
    clear_upper_state();
    for row in out.chunks_exact_mut(n_out) {
        for (v, &b) in row.iter_mut().zip(&layer.b) {
            *v += b;
            // `v < 0` keeps a NaN a NaN, so the loss guard sees it.
            if layer.relu && *v < 0.0 {
                *v = if layer.slope == 0.0 {
                    0.0
                } else {
                    *v * layer.slope
                };
            }
        }
    }
}
