//! The PCA baseline: principal components of the training spectra (unweighted, centred, as
//! scikit-learn's `PCA` in `reference.py pca`), scored with the autoencoder's weighted loss.

use faer::Side;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::pca::iterative::{centered_gram, column_mean, leading_eigen};
use crate::util::progress::{Cancelled, Progress};

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("PCA needs more training spectra ({n}) than components ({k})")]
    TooFew { n: usize, k: usize },
    #[error("the eigendecomposition failed: {0}")]
    Eigen(String),
    #[error("the PCA baseline was cancelled")]
    Cancelled,
}

impl From<Cancelled> for BaselineError {
    fn from(_: Cancelled) -> Self {
        BaselineError::Cancelled
    }
}

/// A fitted PCA: mean and `k` components (rows).
#[derive(Clone, Debug)]
pub struct PcaBaseline {
    pub mean: Array1<f32>,
    pub components: Array2<f32>,
}

impl PcaBaseline {
    /// Fits `k` components to rows `train` of `x`.
    pub fn fit(x: ArrayView2<f32>, train: &[u32], k: usize) -> Result<Self, BaselineError> {
        Self::fit_with(x, train, k, &Progress::new())
    }

    /// [`fit`](Self::fit), stopping within one block of 2048 spectra once `progress` is
    /// cancelled.
    pub fn fit_with(
        x: ArrayView2<f32>,
        train: &[u32],
        k: usize,
        progress: &Progress,
    ) -> Result<Self, BaselineError> {
        let d = x.ncols();
        if train.len() <= k || k == 0 || k > d {
            return Err(BaselineError::TooFew { n: train.len(), k });
        }
        let rows = Array2::from_shape_fn((train.len(), d), |(i, j)| x[[train[i] as usize, j]]);
        let mu = column_mean(&rows);
        let gram = centered_gram(&rows, &mu, 1, progress)?;
        let (_, vecs) = match leading_eigen(&gram, k) {
            Some(v) => v,
            None => {
                let evd = gram
                    .self_adjoint_eigen(Side::Lower)
                    .map_err(|e| BaselineError::Eigen(format!("{e:?}")))?;
                let u = evd.U();
                let vecs = faer::Mat::<f64>::from_fn(d, k, |j, q| u[(j, d - 1 - q)]);
                (vec![0.0; k], vecs)
            }
        };
        Ok(PcaBaseline {
            mean: mu.iter().map(|&v| v as f32).collect(),
            components: Array2::from_shape_fn((k, d), |(q, j)| vecs[(j, q)] as f32),
        })
    }

    pub fn n_components(&self) -> usize {
        self.components.nrows()
    }

    /// Coefficients of one spectrum.
    pub fn project(&self, x: ArrayView1<f32>) -> Vec<f64> {
        self.components
            .rows()
            .into_iter()
            .map(|c| {
                c.iter()
                    .zip(x.iter().zip(self.mean.iter()))
                    .map(|(&v, (&a, &m))| f64::from(v) * (f64::from(a) - f64::from(m)))
                    .sum()
            })
            .collect()
    }

    /// Reconstruction from coefficients.
    pub fn reconstruct_from(&self, coeffs: &[f64]) -> Vec<f32> {
        let mut out: Vec<f64> = self.mean.iter().map(|&m| f64::from(m)).collect();
        for (c, comp) in coeffs.iter().zip(self.components.rows()) {
            for (o, &v) in out.iter_mut().zip(comp.iter()) {
                *o += c * f64::from(v);
            }
        }
        out.into_iter().map(|v| v as f32).collect()
    }

    /// Reconstruction of one spectrum.
    pub fn reconstruct(&self, x: ArrayView1<f32>) -> Vec<f32> {
        self.reconstruct_from(&self.project(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_low_rank_signal() {
        // Rows are mean + a·u + b·v: two components reconstruct them exactly.
        let d = 50;
        let x = Array2::from_shape_fn((200, d), |(i, j)| {
            let (a, b) = ((i as f32 * 0.37).sin(), (i as f32 * 0.11).cos());
            1.0 + a * (j as f32 * 0.2).sin() + b * (j as f32 * 0.05).cos()
        });
        let idx: Vec<u32> = (0..150).collect();
        let p = PcaBaseline::fit(x.view(), &idx, 2).unwrap();
        for i in 150..200 {
            let r = p.reconstruct(x.row(i));
            for j in 0..d {
                assert!((r[j] - x[[i, j]]).abs() < 1e-4, "{} vs {}", r[j], x[[i, j]]);
            }
        }
        assert!(PcaBaseline::fit(x.view(), &idx[..2], 2).is_err());
    }
}
