//! The weighted reconstruction loss: mean over the batch of Σⱼ wᵢⱼ (xᵢⱼ − x̂ᵢⱼ)².

use burn::prelude::*;
use ndarray::{ArrayView1, AsArray};

/// Mean over rows of the weighted squared error summed over bins (a scalar tensor).
pub fn weighted_loss(x: Tensor<2>, x_hat: Tensor<2>, w: Tensor<2>) -> Tensor<1> {
    let d = x - x_hat;
    (w * d.clone() * d).sum_dim(1).mean()
}

/// The same loss per spectrum, in f64, on plain rows (slices, vectors or array views; for
/// analysis and the PCA baseline).
pub fn weighted_loss_row<'a>(
    x: impl AsArray<'a, f32>,
    x_hat: impl AsArray<'a, f32>,
    w: impl AsArray<'a, f32>,
) -> f64 {
    let (x, x_hat, w): (ArrayView1<f32>, ArrayView1<f32>, ArrayView1<f32>) =
        (x.into(), x_hat.into(), w.into());
    x.iter()
        .zip(x_hat)
        .zip(w)
        .map(|((&a, &b), &w)| f64::from(w) * (f64::from(a) - f64::from(b)).powi(2))
        .sum()
}
