//! The seeded train/validation split, stored with whatever is trained on it.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Portillo et al.'s proportion: 47,000 training to 16,000 validation spectra.
pub const DEFAULT_TRAIN_FRACTION: f64 = 47.0 / 63.0;

/// Indices of the training and validation spectra.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// The seed it was drawn with (`None` for a split read from elsewhere).
    pub seed: Option<u64>,
    pub train: Vec<u32>,
    pub valid: Vec<u32>,
}

impl Split {
    /// A random split of `n` spectra: `round(n × train_fraction)` for training, the rest for
    /// validation; the same for the same seed on every machine.
    pub fn seeded(n: usize, seed: u64, train_fraction: f64) -> Self {
        let mut perm: Vec<u32> = (0..n as u32).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        perm.shuffle(&mut rng);
        let frac = train_fraction.clamp(0.0, 1.0);
        let ntr = ((n as f64) * frac).round() as usize;
        let valid = perm.split_off(ntr.min(n));
        Split {
            seed: Some(seed),
            train: perm,
            valid,
        }
    }

    /// Checks that the split indexes `n` spectra, each at most once.
    pub fn validate(&self, n: usize) -> Result<(), String> {
        let mut seen = vec![false; n];
        for &i in self.train.iter().chain(&self.valid) {
            let i = i as usize;
            if i >= n {
                return Err(format!("split index {i} is out of range for {n} spectra"));
            }
            if std::mem::replace(&mut seen[i], true) {
                return Err(format!("spectrum {i} appears twice in the split"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_split_is_deterministic_and_disjoint() {
        let a = Split::seeded(63_000, 7, DEFAULT_TRAIN_FRACTION);
        let b = Split::seeded(63_000, 7, DEFAULT_TRAIN_FRACTION);
        let c = Split::seeded(63_000, 8, DEFAULT_TRAIN_FRACTION);
        assert_eq!(a, b);
        assert_ne!(a.train, c.train);
        assert_eq!(a.train.len(), 47_000);
        assert_eq!(a.valid.len(), 16_000);
        a.validate(63_000).unwrap();
        assert!(a.validate(100).is_err());
    }
}
