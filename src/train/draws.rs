//! The random numbers of a VAE step: ε for the decoded sample and for the MMD's sample, and
//! the prior sample, from a seeded stream, so a step is reproducible, resumable, and the same
//! on the native and burn engines.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::model::vae_loss::PRIOR_SAMPLES;

/// One step's draws, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawValues {
    pub rows: usize,
    pub latent: usize,
    /// rows × latent.
    pub eps: Vec<f32>,
    /// rows × latent.
    pub eps_mmd: Vec<f32>,
    /// [`PRIOR_SAMPLES`] × latent.
    pub prior: Vec<f32>,
}

/// Stream `stream` of the run seeded `seed`: standard normal draws for `rows` spectra.
pub fn draw_values(seed: u64, stream: u64, rows: usize, latent: usize) -> DrawValues {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_0FAE);
    rng.set_stream(stream);
    let mut normal = |n: usize| -> Vec<f32> {
        (0..n * latent)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect()
    };
    DrawValues {
        rows,
        latent,
        eps: normal(rows),
        eps_mmd: normal(rows),
        prior: normal(PRIOR_SAMPLES),
    }
}
