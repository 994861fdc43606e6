//! The learning-rate schedule and early stopping of Portillo et al. / `reference.py`:
//! PyTorch's `ReduceLROnPlateau(mode="min", factor=0.1, patience=5)` (relative threshold 1e-4;
//! the LR drops when more than `patience` epochs in a row fail to improve), and Portillo's
//! EarlyStopper (stop after 10 epochs without a relative improvement of 1e-3).

use serde::{Deserialize, Serialize};

/// ReduceLROnPlateau, as PyTorch implements it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Plateau {
    pub lr: f64,
    pub factor: f64,
    pub patience: usize,
    pub threshold: f64,
    pub best: f64,
    pub bad_epochs: usize,
}

impl Plateau {
    pub fn new(lr: f64, factor: f64, patience: usize) -> Self {
        Self {
            lr,
            factor,
            patience,
            threshold: 1e-4,
            best: f64::INFINITY,
            bad_epochs: 0,
        }
    }

    /// Feeds one validation loss; returns true if the learning rate was just reduced.
    pub fn step(&mut self, metric: f64) -> bool {
        if metric < self.best * (1.0 - self.threshold) {
            self.best = metric;
            self.bad_epochs = 0;
        } else {
            self.bad_epochs += 1;
        }
        if self.bad_epochs > self.patience {
            self.lr *= self.factor;
            self.bad_epochs = 0;
            true
        } else {
            false
        }
    }
}

/// Portillo et al.'s early stopping.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct EarlyStopper {
    pub patience: usize,
    pub min_rel_improvement: f64,
    pub best: f64,
    pub bad_epochs: usize,
}

impl EarlyStopper {
    pub fn new(patience: usize, min_rel_improvement: f64) -> Self {
        Self {
            patience,
            min_rel_improvement,
            best: f64::INFINITY,
            bad_epochs: 0,
        }
    }

    /// Feeds one validation loss; returns true when training should stop.
    pub fn step(&mut self, metric: f64) -> bool {
        if metric < self.best * (1.0 - self.min_rel_improvement) {
            self.best = metric;
            self.bad_epochs = 0;
        } else {
            self.bad_epochs += 1;
        }
        self.bad_epochs >= self.patience
    }

    /// Whether the last loss fed was a new best.
    pub fn improved(&self) -> bool {
        self.bad_epochs == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plateau_drops_after_more_than_patience_bad_epochs() {
        let mut p = Plateau::new(1e-3, 0.1, 5);
        // Improves for 3 epochs, then flat: bad epochs 1..5 keep the LR, the 6th drops it.
        let losses = [10.0, 9.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0];
        let drops: Vec<bool> = losses.iter().map(|&l| p.step(l)).collect();
        assert_eq!(
            drops,
            [false, false, false, false, false, false, false, false, true]
        );
        assert!((p.lr - 1e-4).abs() < 1e-15);
        // A tiny relative improvement (< 1e-4) does not count.
        let mut p = Plateau::new(1.0, 0.5, 1);
        p.step(100.0);
        assert!(!p.step(99.999));
        assert!(p.step(99.998));
        assert_eq!(p.lr, 0.5);
    }

    #[test]
    fn early_stopping_needs_a_relative_improvement_of_1e_3() {
        let mut s = EarlyStopper::new(10, 1e-3);
        assert!(!s.step(100.0));
        assert!(s.improved());
        // 0.05% better is not enough: 10 such epochs stop training.
        let mut stopped_at = None;
        for epoch in 0..20 {
            if s.step(100.0 - 0.05 * (epoch as f64 + 1.0) / 10.0) {
                stopped_at = Some(epoch);
                break;
            }
        }
        assert_eq!(stopped_at, Some(9));
        // A real improvement resets the count.
        let mut s = EarlyStopper::new(3, 1e-3);
        s.step(10.0);
        s.step(10.0);
        s.step(10.0);
        assert!(!s.step(9.0));
        assert!(!s.step(9.0));
        assert!(!s.step(9.0));
        assert!(s.step(9.0));
    }
}
