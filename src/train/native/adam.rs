//! Adam (Kingma & Ba) with PyTorch's update rule and defaults, for the native engine.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Elements per parallel work item of the update.
const CHUNK: usize = 1 << 14;

/// Adam's state: first and second moments per parameter tensor and the step count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Adam {
    pub beta1: f32,
    pub beta2: f32,
    pub epsilon: f32,
    /// Steps taken.
    pub t: u64,
    pub m: Vec<Vec<f32>>,
    pub v: Vec<Vec<f32>>,
}

/// Subnormal numbers flushed to zero. A parameter whose gradient is zero (a dead ReLU unit, a
/// pixel every spectrum masks) has its first moment shrink by β₁ = 0.9 per step, into the
/// subnormal range after ~700 steps — one epoch at batch 64 — and arithmetic on subnormals runs
/// through microcode on x86, ~100× slower: training halved its speed from the second epoch on
/// (burn's Flex Adam has the same slowdown). Values below 1.2e-38 change nothing else.
#[inline(always)]
fn flush(x: f32) -> f32 {
    if x.abs() < f32::MIN_POSITIVE { 0.0 } else { x }
}

impl Adam {
    /// Zero moments for parameter tensors of these lengths (β = 0.9, 0.999).
    pub fn new(lengths: &[usize], epsilon: f32) -> Self {
        Adam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon,
            t: 0,
            m: lengths.iter().map(|&n| vec![0.0; n]).collect(),
            v: lengths.iter().map(|&n| vec![0.0; n]).collect(),
        }
    }

    /// One update of every parameter tensor with its gradient:
    /// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lr·m̂/(√v̂ + ε).
    pub fn step(&mut self, params: &mut [&mut [f32]], grads: &[&[f32]], lr: f64) {
        self.t += 1;
        let t = self.t as i32;
        let (b1, b2, eps) = (self.beta1, self.beta2, self.epsilon);
        let bc1 = 1.0 - f64::from(b1).powi(t);
        let bc2 = 1.0 - f64::from(b2).powi(t);
        let step_size = (lr / bc1) as f32;
        let inv_sqrt_bc2 = (1.0 / bc2.sqrt()) as f32;
        for (((p, g), m), v) in params
            .iter_mut()
            .zip(grads)
            .zip(&mut self.m)
            .zip(&mut self.v)
        {
            p.par_chunks_mut(CHUNK)
                .zip(g.par_chunks(CHUNK))
                .zip(m.par_chunks_mut(CHUNK))
                .zip(v.par_chunks_mut(CHUNK))
                .for_each(|(((p, g), m), v)| {
                    // This worker may just have run a matrix product (see util::simd).
                    crate::util::simd::clear_upper_state();
                    // Zipped iterators (no bounds checks) so the loop vectorises.
                    for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut())
                    {
                        *m = flush(b1 * *m + (1.0 - b1) * g);
                        *v = flush(b2 * *v + (1.0 - b2) * g * g);
                        *p -= step_size * *m / (v.sqrt() * inv_sqrt_bc2 + eps);
                    }
                });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_pytorchs_update_rule() {
        // First step: m̂ = g, v̂ = g², so every parameter moves by lr·g/(|g| + ε) ≈ lr·sign(g).
        let mut a = Adam::new(&[3], 1e-8);
        let mut p = [1.0f32, 2.0, 3.0];
        let g = [0.5f32, -4.0, 0.0];
        a.step(&mut [&mut p[..]], &[&g[..]], 0.1);
        assert!((p[0] - 0.9).abs() < 1e-6 && (p[1] - 2.1).abs() < 1e-6 && p[2] == 3.0);
        // Second step with a new gradient, against the formula written out in f64.
        let g2 = [1.0f32, 1.0, 1.0];
        a.step(&mut [&mut p[..]], &[&g2[..]], 0.1);
        let expect = |p0: f64, g1: f64, g2: f64| {
            let m = 0.9 * (0.1 * g1) + 0.1 * g2;
            let v = 0.999 * (0.001 * g1 * g1) + 0.001 * g2 * g2;
            let (mh, vh) = (m / (1.0 - 0.81), v / (1.0 - 0.999f64.powi(2)));
            p0 - 0.1 * mh / (vh.sqrt() + 1e-8)
        };
        for (i, (p0, g1)) in [(0.9, 0.5), (2.1, -4.0), (3.0, 0.0)]
            .into_iter()
            .enumerate()
        {
            let e = expect(p0, g1, 1.0);
            assert!((f64::from(p[i]) - e).abs() < 1e-5, "{i}: {} vs {e}", p[i]);
        }
        assert_eq!(a.t, 2);
    }

    #[test]
    fn moments_of_unused_parameters_do_not_become_subnormal() {
        let mut a = Adam::new(&[2], 1e-8);
        let mut p = [0.5f32, 0.5];
        a.step(&mut [&mut p[..]], &[&[1e-3, 1e-20][..]], 1e-3);
        // Without the flush, m passes through the subnormal range around step 800 and v
        // (fed 1e-40) at once.
        for step in 0..2000 {
            a.step(&mut [&mut p[..]], &[&[0.0, 0.0][..]], 1e-3);
            for x in a.m.iter().chain(&a.v).flatten() {
                assert!(
                    *x == 0.0 || x.is_normal(),
                    "step {step}: subnormal moment {x:e}"
                );
            }
        }
        assert!(p.iter().all(|x| x.is_finite()));
    }
}
