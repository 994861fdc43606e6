//! A training step and validation losses of the native engine, with buffers reused across
//! batches.

use ndarray::ArrayView2;

use super::{Adam, Mlp};

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
    gw: Vec<Vec<f32>>,
    gb: Vec<Vec<f32>>,
}

impl NativeEngine {
    pub fn new(mlp: Mlp, adam: Adam) -> Self {
        let gw = mlp.layers.iter().map(|l| vec![0.0; l.w.len()]).collect();
        let gb = mlp.layers.iter().map(|l| vec![0.0; l.b.len()]).collect();
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
            .layers
            .iter()
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

    /// One Adam step on rows `idx` of spectra `x` with weights `w`; returns the batch's loss
    /// (mean over rows of Σⱼ wᵢⱼ (xᵢⱼ − x̂ᵢⱼ)², as the burn path and PyTorch compute it).
    pub fn step(&mut self, x: ArrayView2<f32>, w: ArrayView2<f32>, idx: &[u32], lr: f64) -> f64 {
        let loss = self.loss_and_gradients(x, w, idx);
        let mut params: Vec<&mut [f32]> = self
            .mlp
            .layers
            .iter_mut()
            .flat_map(|l| [&mut l.w[..], &mut l.b[..]])
            .collect();
        let grads: Vec<&[f32]> = self
            .gw
            .iter()
            .zip(&self.gb)
            .flat_map(|(w, b)| [&w[..], &b[..]])
            .collect();
        self.adam.step(&mut params, &grads, lr);
        loss
    }

    /// The batch's loss, with its gradients left in `gw`/`gb`.
    fn loss_and_gradients(&mut self, x: ArrayView2<f32>, w: ArrayView2<f32>, idx: &[u32]) -> f64 {
        let rows = idx.len();
        let n = self.mlp.n_in();
        self.reserve(rows);
        gather(x, idx, &mut self.acts[0]);
        gather(w, idx, &mut self.weights);
        self.mlp.forward(&mut self.acts, rows);
        // dL/dx̂ = −2 w (x − x̂) / rows, written into delta; the loss summed on the way.
        let out = &self.acts[self.mlp.layers.len()][..rows * n];
        let scale = -2.0 / rows as f32;
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
        self.mlp.backward(
            &self.acts,
            rows,
            &mut self.delta,
            &mut self.scratch,
            &mut self.gw,
            &mut self.gb,
        );
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
                })
                .collect(),
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
}
