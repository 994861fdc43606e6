//! A training step and validation losses of the native engine, with buffers reused across
//! batches; for the VAE kinds, the step of [`crate::model::vae_loss`] with its gradients
//! written out (reparameterisation, KL and the MMD's kernel).

use ndarray::ArrayView2;

use super::mlp::dense_forward;
use super::{Adam, Mlp};
use crate::model::vae_loss::VaeWeights;
use crate::train::draws::DrawValues;

/// Rows per forward pass when scoring (validation).
const EVAL_CHUNK: usize = 2048;

/// The model, its optimiser and the buffers one step needs.
#[derive(Clone, Debug)]
pub struct NativeEngine {
    pub mlp: Mlp,
    pub adam: Adam,
    /// Rows the buffers hold.
    capacity: usize,
    /// acts[0]: the batch; acts[l + 1]: layer l's output.
    acts: Vec<Vec<f32>>,
    weights: Vec<f32>,
    delta: Vec<f32>,
    scratch: Vec<f32>,
    /// Gradients of every layer of [`Mlp::all_layers`] (the log-variance head last).
    gw: Vec<Vec<f32>>,
    gb: Vec<Vec<f32>>,
}

/// The VAE step's per-batch values (rows × latent unless said).
#[derive(Default)]
struct VaeBuffers {
    mu: Vec<f32>,
    lv: Vec<f32>,
    sigma: Vec<f32>,
    z2: Vec<f32>,
    dmu: Vec<f32>,
    dlv: Vec<f32>,
    /// dL/d(hidden) through the log-variance head (rows × hidden).
    dh: Vec<f32>,
}

impl NativeEngine {
    pub fn new(mlp: Mlp, adam: Adam) -> Self {
        let gw = mlp.all_layers().map(|l| vec![0.0; l.w.len()]).collect();
        let gb = mlp.all_layers().map(|l| vec![0.0; l.b.len()]).collect();
        NativeEngine {
            acts: vec![vec![]; mlp.layers.len() + 1],
            mlp,
            adam,
            capacity: 0,
            weights: vec![],
            delta: vec![],
            scratch: vec![],
            gw,
            gb,
        }
    }

    /// Adam with zero moments for `mlp`'s parameters (weight then bias, layer by layer).
    pub fn fresh_adam(mlp: &Mlp, epsilon: f32) -> Adam {
        let lengths: Vec<usize> = mlp
            .all_layers()
            .flat_map(|l| [l.w.len(), l.b.len()])
            .collect();
        Adam::new(&lengths, epsilon)
    }

    fn reserve(&mut self, rows: usize) {
        if rows <= self.capacity {
            return;
        }
        let n_in = self.mlp.n_in();
        self.acts[0] = vec![0.0; rows * n_in];
        for (l, layer) in self.mlp.layers.iter().enumerate() {
            self.acts[l + 1] = vec![0.0; rows * layer.n_out];
        }
        self.weights = vec![0.0; rows * n_in];
        self.delta = vec![0.0; rows * self.mlp.max_width()];
        self.scratch = vec![0.0; rows * self.mlp.max_width()];
        self.capacity = rows;
    }

    /// Rows `idx` of spectra (centred where the model reads x − ⟨x⟩) and weights into the
    /// buffers.
    fn load_batch(&mut self, x: ArrayView2<f32>, w: ArrayView2<f32>, idx: &[u32]) {
        let rows = idx.len();
        self.reserve(rows);
        gather(x, idx, &mut self.acts[0]);
        self.mlp.centre(&mut self.acts[0], rows);
        gather(w, idx, &mut self.weights);
    }

    /// Σ w (x − x̂)² over the batch in `acts` (input and last layer), writing
    /// dL/dx̂ = `scale`·w·(x − x̂) into `delta`.
    fn weighted_residuals(&mut self, rows: usize, scale: f32) -> f64 {
        let n = self.mlp.n_in();
        let out = &self.acts[self.mlp.layers.len()][..rows * n];
        let mut total = 0.0f64;
        for (((d, &xv), &yv), &wv) in self.delta[..rows * n]
            .iter_mut()
            .zip(&self.acts[0][..rows * n])
            .zip(out)
            .zip(&self.weights[..rows * n])
        {
            let r = xv - yv;
            total += f64::from(wv * r * r);
            *d = scale * wv * r;
        }
        total
    }

    /// The backward pass through `layers` with this engine's buffers (see
    /// [`Mlp::backward_layers`]).
    fn backward(&mut self, rows: usize, layers: std::ops::Range<usize>, input_grad: bool) {
        self.mlp.backward_layers(
            &self.acts,
            rows,
            &mut self.delta,
            &mut self.scratch,
            &mut self.gw,
            &mut self.gb,
            layers,
            input_grad,
        );
    }

    /// One Adam step on rows `idx` of spectra `x` with weights `w`; returns the batch's loss
    /// (mean over rows of Σⱼ wᵢⱼ (xᵢⱼ − x̂ᵢⱼ)², as the burn path and PyTorch compute it).
    pub fn step(&mut self, x: ArrayView2<f32>, w: ArrayView2<f32>, idx: &[u32], lr: f64) -> f64 {
        let loss = self.loss_and_gradients(x, w, idx);
        self.update(lr);
        loss
    }

    /// One Adam step of a VAE (the model must have its log-variance head) with the step's
    /// random `draws`; returns the batch's whole loss per spectrum.
    pub fn step_vae(
        &mut self,
        x: ArrayView2<f32>,
        w: ArrayView2<f32>,
        idx: &[u32],
        lr: f64,
        weights: VaeWeights,
        draws: &DrawValues,
    ) -> f64 {
        let loss = self.vae_loss_and_gradients(x, w, idx, weights, draws);
        self.update(lr);
        loss
    }

    /// Adam on every parameter with the gradients in `gw`/`gb`.
    fn update(&mut self, lr: f64) {
        let mut params: Vec<&mut [f32]> = self
            .mlp
            .all_layers_mut()
            .flat_map(|l| [&mut l.w[..], &mut l.b[..]])
            .collect();
        let grads: Vec<&[f32]> = self
            .gw
            .iter()
            .zip(&self.gb)
            .flat_map(|(w, b)| [&w[..], &b[..]])
            .collect();
        self.adam.step(&mut params, &grads, lr);
    }

    /// The VAE loss of a batch (see [`crate::model::vae_loss`]), with its gradients left in
    /// `gw`/`gb`. Layers `..E` are the encoder (the last gives μ), `E..` the decoder; the
    /// decoder reads z = μ + ε·σ, and the encoder's gradient sums what reaches μ and log σ²
    /// from the reconstruction, the KL and the MMD.
    fn vae_loss_and_gradients(
        &mut self,
        x: ArrayView2<f32>,
        w: ArrayView2<f32>,
        idx: &[u32],
        weights: VaeWeights,
        draws: &DrawValues,
    ) -> f64 {
        let rows = idx.len();
        let (n_layers, enc) = (self.mlp.layers.len(), self.mlp.n_encoder);
        let k = self.mlp.layers[enc - 1].n_out;
        // The head is small (94 × 6): a copy frees `self` for the buffers below.
        let Some(lv_layer) = self.mlp.logvar.clone() else {
            return self.loss_and_gradients(x, w, idx);
        };
        let hid = lv_layer.n_in;
        self.load_batch(x, w, idx);
        let mut b = VaeBuffers::default();
        self.mlp.forward_layers(&mut self.acts, rows, 0..enc);
        b.mu = self.acts[enc][..rows * k].to_vec();
        b.lv = vec![0.0; rows * k];
        dense_forward(
            &lv_layer,
            &self.acts[enc - 1][..rows * hid],
            &mut b.lv,
            rows,
        );
        b.sigma = b.lv.iter().map(|&v| (0.5 * v).exp()).collect();
        // The decoder reads z = μ + ε·σ in place of μ.
        for (i, z) in self.acts[enc][..rows * k].iter_mut().enumerate() {
            *z = b.mu[i] + draws.eps[i] * b.sigma[i];
        }
        self.mlp.forward_layers(&mut self.acts, rows, enc..n_layers);
        // Reconstruction: ½ Σ w (x − x̂)² per spectrum; dL/dx̂ = −w (x − x̂) / rows.
        let inv_rows = 1.0 / rows as f32;
        let recon = 0.5 * self.weighted_residuals(rows, -inv_rows) / rows as f64;
        let (c_kl, c_mmd) = (
            (1.0 - weights.alpha) as f32,
            (weights.lambda + weights.alpha - 1.0) as f32,
        );
        // Through the decoder to z.
        self.backward(rows, enc..n_layers, true);
        // KL = −½ Σ (1 + lv − μ² − e^lv) / rows.
        let mut kl = 0.0f64;
        for (&m, &l) in b.mu.iter().zip(&b.lv) {
            kl += f64::from(-0.5 * (1.0 + l - m * m - l.exp()));
        }
        let kl = kl / rows as f64;
        // The MMD's sample and its gradient.
        b.z2 = (0..rows * k)
            .map(|i| b.mu[i] + draws.eps_mmd[i] * b.sigma[i])
            .collect();
        let (mmd, g_z2) = mmd_and_gradient(&draws.prior, &b.z2, k);
        b.dmu = vec![0.0; rows * k];
        b.dlv = vec![0.0; rows * k];
        for (i, &g_mmd) in g_z2.iter().enumerate() {
            let g_z = self.delta[i];
            let g2 = c_mmd * g_mmd;
            let (m, l, s) = (b.mu[i], b.lv[i], b.sigma[i]);
            b.dmu[i] = g_z + c_kl * inv_rows * m + g2;
            b.dlv[i] = 0.5 * s * (g_z * draws.eps[i] + g2 * draws.eps_mmd[i])
                - c_kl * inv_rows * 0.5 * (1.0 - l.exp());
        }
        // The encoder: μ's layer reads the hidden layer, as does the log-variance head.
        self.acts[enc][..rows * k].copy_from_slice(&b.mu);
        self.delta[..rows * k].copy_from_slice(&b.dmu);
        let head = self.mlp.all_layers().count() - 1;
        let h = &self.acts[enc - 1][..rows * hid];
        dense_gradients(
            &b.dlv,
            h,
            rows,
            k,
            hid,
            &mut self.gw[head],
            &mut self.gb[head],
        );
        let more = enc > 1;
        self.backward(rows, enc - 1..enc, more);
        if more {
            // dL/dh += dlv · W_lv.
            b.dh = vec![0.0; rows * hid];
            matmul_into(&b.dlv, &lv_layer.w, rows, k, hid, &mut b.dh);
            for (d, &e) in self.delta[..rows * hid].iter_mut().zip(&b.dh) {
                *d += e;
            }
            self.backward(rows, 0..enc - 1, false);
        }
        recon + f64::from(c_kl) * kl + f64::from(c_mmd) * mmd
    }

    /// The batch's loss, with its gradients left in `gw`/`gb`.
    fn loss_and_gradients(&mut self, x: ArrayView2<f32>, w: ArrayView2<f32>, idx: &[u32]) -> f64 {
        let rows = idx.len();
        self.load_batch(x, w, idx);
        self.mlp.forward(&mut self.acts, rows);
        // dL/dx̂ = −2 w (x − x̂) / rows, written into delta; the loss summed on the way.
        let total = self.weighted_residuals(rows, -2.0 / rows as f32);
        self.backward(rows, 0..self.mlp.layers.len(), false);
        total / rows.max(1) as f64
    }

    /// Σ over rows `idx` of each spectrum's weighted loss under the current weights.
    pub fn loss_sum(&self, x: ArrayView2<f32>, w: ArrayView2<f32>, idx: &[u32]) -> f64 {
        let n = self.mlp.n_in();
        let rows = idx.len().min(EVAL_CHUNK);
        let mut acts: Vec<Vec<f32>> = std::iter::once(n)
            .chain(self.mlp.layers.iter().map(|l| l.n_out))
            .map(|width| vec![0.0; rows * width])
            .collect();
        let mut weights = vec![0.0; rows * n];
        let mut total = 0.0;
        for chunk in idx.chunks(EVAL_CHUNK) {
            let rows = chunk.len();
            gather(x, chunk, &mut acts[0]);
            self.mlp.centre(&mut acts[0], rows);
            gather(w, chunk, &mut weights);
            self.mlp.forward(&mut acts, rows);
            let out = &acts[self.mlp.layers.len()][..rows * n];
            total += acts[0][..rows * n]
                .iter()
                .zip(out)
                .zip(&weights[..rows * n])
                .map(|((&a, &b), &wv)| f64::from(wv) * f64::from(a - b) * f64::from(a - b))
                .sum::<f64>();
        }
        total
    }
}

/// The MMD between `prior` (P × k) and `q` (n × k) with the kernel exp(−‖a − b‖²/k), times k
/// (see [`crate::model::vae_loss`]), and its gradient with respect to `q`. Kernels in f32
/// (`expf`), sums in f64; symmetric kernel matrices are evaluated once per pair. At batch 64
/// the f64 `exp` of every pair took half of a VAE step.
fn mmd_and_gradient(prior: &[f32], q: &[f32], k: usize) -> (f64, Vec<f32>) {
    let (np, nq) = (prior.len() / k, q.len() / k);
    let inv_k = 1.0 / k as f32;
    // Latents far from the prior (early in training they lie hundreds of units out) give
    // kernels below f32's normal range: `expf` then returns subnormals, ~15× slower to make
    // and to multiply (measured: 6.8 ms an MMD at batch 64 against 0.43 ms). exp(−80) =
    // 1.8·10⁻³⁵ is a zero to every sum here.
    let kern = |a: &[f32], b: &[f32]| -> f32 {
        let d: f32 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
        let arg = -d * inv_k;
        if arg < -80.0 { 0.0 } else { arg.exp() }
    };
    let at = |i: usize| i * k..(i + 1) * k;
    // Σ over pairs of the prior (diagonal: kernel 1), each off-diagonal pair twice.
    let mut pp = np as f64;
    for i in 0..np {
        for j in i + 1..np {
            pp += 2.0 * f64::from(kern(&prior[at(i)], &prior[at(j)]));
        }
    }
    let mut qq = nq as f64;
    let mut pq = 0.0f64;
    let mut grad = vec![0f32; nq * k];
    let c = -2.0 * inv_k;
    // ∂/∂q_a of mean K(q, q): (2/n²) Σ_j K(q_a, q_j)·(−2/k)(q_a − q_j); the pair (a, j) adds
    // to both rows with opposite signs.
    let cq = 2.0 / (nq * nq) as f32 * c;
    for a in 0..nq {
        for j in a + 1..nq {
            let kv = kern(&q[at(a)], &q[at(j)]);
            qq += 2.0 * f64::from(kv);
            for d in 0..k {
                let g = cq * kv * (q[a * k + d] - q[j * k + d]);
                grad[a * k + d] += g;
                grad[j * k + d] -= g;
            }
        }
    }
    // ∂/∂q_a of −2 mean K(p, q): −(2/(P n)) Σ_i K(p_i, q_a)·(−2/k)(q_a − p_i).
    let cp = 2.0 / (np * nq) as f32 * c;
    for a in 0..nq {
        for i in 0..np {
            let kv = kern(&prior[at(i)], &q[at(a)]);
            pq += f64::from(kv);
            for d in 0..k {
                grad[a * k + d] -= cp * kv * (q[a * k + d] - prior[i * k + d]);
            }
        }
    }
    let scale = k as f32;
    let mmd = pp / (np * np) as f64 + qq / (nq * nq) as f64 - 2.0 * pq / (np * nq) as f64;
    grad.iter_mut().for_each(|g| *g *= scale);
    (mmd * f64::from(scale), grad)
}

/// A dense layer's weight and bias gradients from δ (rows × n_out) and its input (rows × n_in).
fn dense_gradients(
    delta: &[f32],
    input: &[f32],
    rows: usize,
    n_out: usize,
    n_in: usize,
    gw: &mut [f32],
    gb: &mut [f32],
) {
    gw.iter_mut().for_each(|g| *g = 0.0);
    gb.iter_mut().for_each(|g| *g = 0.0);
    for r in 0..rows {
        let (d, x) = (
            &delta[r * n_out..(r + 1) * n_out],
            &input[r * n_in..(r + 1) * n_in],
        );
        for o in 0..n_out {
            gb[o] += d[o];
            let g = &mut gw[o * n_in..(o + 1) * n_in];
            for (gi, &xi) in g.iter_mut().zip(x) {
                *gi += d[o] * xi;
            }
        }
    }
}

/// `out = a · w` for a (rows × n_out) and a PyTorch weight w (n_out × n_in).
fn matmul_into(a: &[f32], w: &[f32], rows: usize, n_out: usize, n_in: usize, out: &mut [f32]) {
    for r in 0..rows {
        let o_row = &mut out[r * n_in..(r + 1) * n_in];
        for o in 0..n_out {
            let av = a[r * n_out + o];
            for (v, &wv) in o_row.iter_mut().zip(&w[o * n_in..(o + 1) * n_in]) {
                *v += av * wv;
            }
        }
    }
}

/// Copies rows `idx` of `a` into the front of `dst`, one after another.
fn gather(a: ArrayView2<f32>, idx: &[u32], dst: &mut [f32]) {
    let cols = a.ncols();
    for (k, &i) in idx.iter().enumerate() {
        let row = a.row(i as usize);
        let d = &mut dst[k * cols..(k + 1) * cols];
        match row.as_slice() {
            Some(s) => d.copy_from_slice(s),
            None => d.iter_mut().zip(row.iter()).for_each(|(d, &v)| *d = v),
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::*;
    use crate::train::native::mlp::Dense;

    /// A small network with ReLUs, deterministic pseudo-random weights.
    fn tiny() -> Mlp {
        let sizes = [(7, 5, true), (5, 2, false), (2, 5, true), (5, 7, false)];
        let mut k = 0u32;
        let mut next = || {
            k = k.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            ((k >> 8) % 1000) as f32 / 1000.0 - 0.45
        };
        Mlp {
            layers: sizes
                .iter()
                .enumerate()
                .map(|(i, &(n_in, n_out, relu))| Dense {
                    name: format!("l{i}"),
                    n_in,
                    n_out,
                    w: (0..n_in * n_out).map(|_| next()).collect(),
                    b: (0..n_out).map(|_| next() * 0.1).collect(),
                    relu,
                    slope: 0.0,
                })
                .collect(),
            n_encoder: 2,
            logvar: None,
            mean: None,
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let x = Array2::from_shape_fn((6, 7), |(i, j)| ((i * 7 + j) as f32 * 0.37).sin());
        let w = Array2::from_shape_fn((6, 7), |(i, j)| 0.5 + ((i + 2 * j) % 3) as f32);
        let idx = [4u32, 1, 3, 0];
        let mlp = tiny();
        let mut e = NativeEngine::new(mlp.clone(), NativeEngine::fresh_adam(&mlp, 1e-8));
        e.loss_and_gradients(x.view(), w.view(), &idx);
        let loss = |m: &Mlp| {
            let e = NativeEngine::new(m.clone(), NativeEngine::fresh_adam(m, 1e-8));
            e.loss_sum(x.view(), w.view(), &idx) / idx.len() as f64
        };
        let h = 1e-3f32;
        let mut checked = 0;
        for l in 0..mlp.layers.len() {
            for (which, n) in [(0, mlp.layers[l].w.len()), (1, mlp.layers[l].b.len())] {
                for i in 0..n {
                    let mut plus = mlp.clone();
                    let mut minus = mlp.clone();
                    let (p, m) = if which == 0 {
                        (&mut plus.layers[l].w[i], &mut minus.layers[l].w[i])
                    } else {
                        (&mut plus.layers[l].b[i], &mut minus.layers[l].b[i])
                    };
                    *p += h;
                    *m -= h;
                    let numeric = (loss(&plus) - loss(&minus)) / (2.0 * f64::from(h));
                    let analytic = if which == 0 { e.gw[l][i] } else { e.gb[l][i] };
                    let err = (numeric - f64::from(analytic)).abs();
                    assert!(
                        err < 2e-3 * (1.0 + numeric.abs()),
                        "layer {l} {} {i}: numeric {numeric} vs analytic {analytic}",
                        if which == 0 { "weight" } else { "bias" }
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 7 * 5 + 5 + 5 * 2 + 2 + 2 * 5 + 5 + 5 * 7 + 7);
    }

    /// A VAE's gradients — reconstruction through z = μ + ε·σ, KL and MMD, into the
    /// log-variance head and every encoder and decoder layer — against central finite
    /// differences of its loss, with the same draws.
    #[test]
    fn vae_gradients_match_finite_differences() {
        let mut mlp = tiny();
        let mut k = 7u32;
        let mut next = || {
            k = k.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            ((k >> 8) % 1000) as f32 / 1000.0 - 0.5
        };
        mlp.logvar = Some(Dense {
            name: "lv".into(),
            n_in: 5,
            n_out: 2,
            w: (0..10).map(|_| next() * 0.5).collect(),
            b: (0..2).map(|_| next() * 0.2).collect(),
            relu: false,
            slope: 0.0,
        });
        let x = Array2::from_shape_fn((6, 7), |(i, j)| ((i * 7 + j) as f32 * 0.37).sin());
        let w = Array2::from_shape_fn((6, 7), |(i, j)| 0.5 + ((i + 2 * j) % 3) as f32);
        let idx = [4u32, 1, 3, 0];
        let draws = crate::train::draws::draw_values(3, 1, idx.len(), 2);
        let weights = VaeWeights {
            alpha: 0.0,
            lambda: 10.0,
        };
        let engine = |m: &Mlp| NativeEngine::new(m.clone(), NativeEngine::fresh_adam(m, 1e-8));
        let mut e = engine(&mlp);
        e.vae_loss_and_gradients(x.view(), w.view(), &idx, weights, &draws);
        let loss =
            |m: &Mlp| engine(m).vae_loss_and_gradients(x.view(), w.view(), &idx, weights, &draws);
        let h = 1e-3f32;
        let n_layers = mlp.all_layers().count();
        let mut checked = 0;
        for l in 0..n_layers {
            fn layer(m: &mut Mlp, l: usize) -> &mut Dense {
                let n = m.layers.len();
                if l < n {
                    &mut m.layers[l]
                } else {
                    m.logvar.as_mut().unwrap()
                }
            }
            let lens = {
                let d = layer(&mut mlp, l);
                [d.w.len(), d.b.len()]
            };
            for (which, n) in lens.into_iter().enumerate() {
                for i in 0..n {
                    let nudge = |delta: f32| {
                        let mut m = mlp.clone();
                        let d = layer(&mut m, l);
                        if which == 0 {
                            d.w[i] += delta
                        } else {
                            d.b[i] += delta
                        }
                        loss(&m)
                    };
                    let numeric = (nudge(h) - nudge(-h)) / (2.0 * f64::from(h));
                    let analytic = f64::from(if which == 0 { e.gw[l][i] } else { e.gb[l][i] });
                    let err = (numeric - analytic).abs();
                    assert!(
                        err < 3e-3 * (1.0 + numeric.abs()),
                        "layer {l} {} {i}: numeric {numeric} vs analytic {analytic}",
                        if which == 0 { "weight" } else { "bias" }
                    );
                    checked += usize::from(analytic.abs() > 1e-4);
                }
            }
        }
        assert!(checked > 80, "only {checked} non-zero gradients");
    }

    /// The MMD's gradient alone against finite differences of the MMD.
    #[test]
    fn the_mmd_gradient_matches_finite_differences() {
        let prior: Vec<f32> = (0..30).map(|i| ((i as f32) * 0.77).sin() * 1.3).collect();
        let q: Vec<f32> = (0..12)
            .map(|i| ((i as f32) * 1.91).cos() * 0.8 + 0.3)
            .collect();
        let (_, g) = mmd_and_gradient(&prior, &q, 3);
        for i in 0..q.len() {
            let at = |d: f32| {
                let mut v = q.clone();
                v[i] += d;
                mmd_and_gradient(&prior, &v, 3).0
            };
            let numeric = (at(1e-3) - at(-1e-3)) / 2e-3;
            assert!(
                (numeric - f64::from(g[i])).abs() < 1e-3 * (1.0 + numeric.abs()),
                "q[{i}]: numeric {numeric} vs analytic {}",
                g[i]
            );
        }
    }
}
