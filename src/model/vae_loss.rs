//! The loss of Portillo et al.'s InfoVAE (stephenportillo/SDSS-VAE, `InfoVAE.loss`), per
//! spectrum (their sums divided by the batch size, as the autoencoder's loss is a batch mean):
//!
//! `½·Σⱼ w (x − x̂)² + (1 − α)·KL + (λ + α − 1)·MMD`
//!
//! - x̂ decodes z = μ + ε·σ (one draw of ε ~ N(0, 1) per latent);
//! - KL = −½ Σₖ (1 + log σ² − μ² − σ²), Kingma & Welling's closed form;
//! - MMD between 200 draws of the prior N(0, I) and a second sample of z, with the kernel
//!   exp(−mean over latents of (a − b)²), times the latent dimension (their scaling: "MMD ~ 1,
//!   so upweight to match KLD", which is ~ batch × latent before their sum is divided by the
//!   batch).
//!
//! The plain VAE is α = 0, λ = 1 (no MMD term). Random draws come in as tensors, so a step is
//! reproducible and the same on every engine.

use burn::prelude::*;

use super::autoencoder::Autoencoder;
use super::loss::weighted_loss;

/// Draws from the prior in each MMD estimate (Portillo's `true_samples`).
pub const PRIOR_SAMPLES: usize = 200;

/// The weights of the regularisers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VaeWeights {
    /// α: 0 in Portillo's runs.
    pub alpha: f64,
    /// λ: the MMD's weight is λ + α − 1.
    pub lambda: f64,
}

/// A batch's loss terms (scalar tensors, per spectrum).
pub struct VaeTerms {
    pub total: Tensor<1>,
    /// ½·Σ w (x − x̂)² at the sampled z.
    pub recon: Tensor<1>,
    pub kl: Tensor<1>,
    /// The MMD estimate times the latent dimension.
    pub mmd: Tensor<1>,
}

/// The random draws of one step: ε for the decoded sample and for the MMD's sample (batch ×
/// latent each) and the prior sample ([`PRIOR_SAMPLES`] × latent).
pub struct Draws {
    pub eps: Tensor<2>,
    pub eps_mmd: Tensor<2>,
    pub prior: Tensor<2>,
}

/// exp(−mean over columns of (aᵢ − bⱼ)²) for every pair of rows (a: n × d, b: m × d).
pub fn kernel(a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
    let d = a.dims()[1].max(1) as f64;
    let aa = a.clone().powf_scalar(2.0).sum_dim(1);
    let bb = b.clone().powf_scalar(2.0).sum_dim(1).transpose();
    let ab = a.matmul(b.transpose());
    let sq = aa + bb - ab.mul_scalar(2.0);
    sq.div_scalar(-d).exp()
}

/// The maximum mean discrepancy between samples `p` and `q` (biased estimate).
pub fn mmd(p: Tensor<2>, q: Tensor<2>) -> Tensor<1> {
    let pp = kernel(p.clone(), p.clone()).mean();
    let qq = kernel(q.clone(), q.clone()).mean();
    let pq = kernel(p, q).mean();
    pp + qq - pq.mul_scalar(2.0)
}

/// −½ Σₖ (1 + log σ² − μ² − σ²), averaged over the batch.
pub fn kl(mu: Tensor<2>, logvar: Tensor<2>) -> Tensor<1> {
    let per = logvar.clone().add_scalar(1.0) - mu.powf_scalar(2.0) - logvar.exp();
    per.sum_dim(1).mean().mul_scalar(-0.5)
}

/// The InfoVAE loss of a batch. `model` must have a log-variance head.
pub fn vae_terms(
    model: &Autoencoder,
    x: Tensor<2>,
    w: Tensor<2>,
    draws: Draws,
    weights: VaeWeights,
) -> VaeTerms {
    let (mu, logvar) = model.posterior(x.clone());
    let logvar = logvar.unwrap_or_else(|| mu.zeros_like());
    let latent = mu.dims()[1] as f64;
    let sigma = logvar.clone().mul_scalar(0.5).exp();
    let z = mu.clone() + draws.eps * sigma.clone();
    let x_hat = model.decode(z);
    let recon = weighted_loss(x, x_hat, w).mul_scalar(0.5);
    let z2 = mu.clone() + draws.eps_mmd * sigma;
    let mmd = mmd(draws.prior, z2).mul_scalar(latent);
    let kl = kl(mu, logvar);
    let total = recon.clone()
        + kl.clone().mul_scalar(1.0 - weights.alpha)
        + mmd.clone().mul_scalar(weights.lambda + weights.alpha - 1.0);
    VaeTerms {
        total,
        recon,
        kl,
        mmd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn t2(v: &[f32], rows: usize, cols: usize) -> Tensor<2> {
        Tensor::<2>::from_data(TensorData::new(v.to_vec(), [rows, cols]), &Device::flex())
    }

    fn scalar(t: Tensor<1>) -> f64 {
        f64::from(t.into_data().try_to_vec::<f32>().unwrap()[0])
    }

    #[test]
    fn the_kl_of_the_prior_is_zero_and_grows_away_from_it() {
        assert!(scalar(kl(t2(&[0.0; 4], 2, 2), t2(&[0.0; 4], 2, 2))).abs() < 1e-7);
        // μ = 1, σ = 1 in one latent: ½·μ² = 0.5.
        let v = scalar(kl(t2(&[1.0, 0.0], 1, 2), t2(&[0.0, 0.0], 1, 2)));
        assert!((v - 0.5).abs() < 1e-6, "{v}");
        // μ = 0, log σ² = 1: −½(1 + 1 − e) = 0.359.
        let v = scalar(kl(t2(&[0.0], 1, 1), t2(&[1.0], 1, 1)));
        assert!(
            (v - (-0.5 * (2.0 - std::f64::consts::E))).abs() < 1e-6,
            "{v}"
        );
    }

    #[test]
    fn the_kernel_and_mmd_match_their_definitions() {
        let a = [0.0, 1.0, 2.0, -1.0];
        let b = [1.0, 1.0, 0.5, 0.5, -2.0, 3.0];
        let k = kernel(t2(&a, 2, 2), t2(&b, 3, 2))
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        for i in 0..2 {
            for j in 0..3 {
                let m =
                    ((a[2 * i] - b[2 * j]).powi(2) + (a[2 * i + 1] - b[2 * j + 1]).powi(2)) / 2.0;
                assert!((k[i * 3 + j] - (-m).exp()).abs() < 1e-5, "{i},{j}");
            }
        }
        // A sample's MMD with itself is zero; with a shifted copy, positive.
        assert!(scalar(mmd(t2(&b, 3, 2), t2(&b, 3, 2))).abs() < 1e-6);
        let shifted: Vec<f32> = b.iter().map(|v| v + 2.0).collect();
        assert!(scalar(mmd(t2(&b, 3, 2), t2(&shifted, 3, 2))) > 0.1);
    }
}
