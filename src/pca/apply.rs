//! The iterative PCA's infill of one spectrum from a basis fitted elsewhere: how a survey too
//! big to hold is filled chunk by chunk (the basis fitted on a sample of it, every spectrum
//! then filled on its own), exactly as [`super::iterative_pca`] fills the spectra of its own
//! sample in its iterations — normalise, fit the first k eigenvectors to the unmasked pixels
//! by least squares, fill the masked ones, again — with the basis held fixed.

use super::cholesky::solve_spd;

/// A fixed basis: the mean of the normalised spectra and the leading eigenvectors.
pub struct FixedBasis {
    mu: Vec<f64>,
    /// Vₖᵀ, d × k row-major (the inner loops run over contiguous components).
    vk: Vec<f64>,
    k: usize,
}

/// One spectrum's infill: its coefficients (k) and its norm (raw = normalised × norm).
#[derive(Clone, Debug, PartialEq)]
pub struct RowInfill {
    pub coeffs: Vec<f32>,
    pub norm: f32,
}

impl FixedBasis {
    /// The mean `mu` (d) and the first `k` rows of `evecs` (m × d, row-major).
    pub fn new(mu: &[f32], evecs: &[f32], k: usize) -> Self {
        let d = mu.len();
        let k = k.min(evecs.len() / d.max(1));
        let mut vk = vec![0.0f64; d * k];
        for q in 0..k {
            for j in 0..d {
                vk[j * k + q] = f64::from(evecs[q * d + j]);
            }
        }
        Self {
            mu: mu.iter().map(|&v| f64::from(v)).collect(),
            vk,
            k,
        }
    }

    /// Fills spectrum `x` (raw flux) with `mask` (true = masked) in `n_iter` iterations.
    /// `None` for a spectrum without an unmasked pixel with flux (nothing to normalise by).
    pub fn infill(&self, x: &[f32], mask: &[bool], n_iter: usize) -> Option<RowInfill> {
        let (d, k) = (self.mu.len(), self.k);
        let mut r: Vec<f64> = x
            .iter()
            .zip(mask)
            .map(|(&v, &m)| if m { 0.0 } else { f64::from(v) })
            .collect();
        let normalise = |r: &mut [f64]| -> bool {
            let ss: f64 = r.iter().map(|v| v * v).sum();
            if !(ss > 0.0 && ss.is_finite()) {
                return false;
            }
            let inv = 1.0 / ss.sqrt();
            r.iter_mut().for_each(|v| *v *= inv);
            true
        };
        if !normalise(&mut r) {
            return None;
        }
        for j in 0..d {
            if mask[j] {
                r[j] = self.mu[j];
            }
        }
        let mut sol = vec![0.0f64; k];
        for _ in 0..n_iter.max(1) {
            if !normalise(&mut r) {
                return None;
            }
            let mut vwx = vec![0.0f64; k];
            let mut vwv = vec![0.0f64; k * k];
            for q in 0..k {
                vwv[q * k + q] = 1.0;
            }
            for j in 0..d {
                let v = &self.vk[j * k..(j + 1) * k];
                if mask[j] {
                    for q in 0..k {
                        for p in 0..=q {
                            vwv[q * k + p] -= v[q] * v[p];
                        }
                    }
                } else {
                    let xc = r[j] - self.mu[j];
                    for q in 0..k {
                        vwx[q] += v[q] * xc;
                    }
                }
            }
            for q in 0..k {
                for p in 0..q {
                    vwv[p * k + q] = vwv[q * k + p];
                }
            }
            sol.clone_from(&vwx);
            if !solve_spd(&mut vwv.clone(), &mut sol, k) {
                for q in 0..k {
                    vwv[q * k + q] += 1e-9;
                }
                sol.clone_from(&vwx);
                if !solve_spd(&mut vwv, &mut sol, k) {
                    sol.iter_mut().for_each(|c| *c = 0.0);
                }
            }
            for j in (0..d).filter(|&j| mask[j]) {
                let v = &self.vk[j * k..(j + 1) * k];
                r[j] = self.mu[j] + (0..k).map(|q| sol[q] * v[q]).sum::<f64>();
            }
        }
        let (mut num, mut den) = (0.0f64, 0.0f64);
        for j in (0..d).filter(|&j| !mask[j]) {
            num += f64::from(x[j]) * r[j];
            den += r[j] * r[j];
        }
        let norm = num / den;
        norm.is_finite().then(|| RowInfill {
            coeffs: sol.iter().map(|&c| c as f32).collect(),
            norm: norm as f32,
        })
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::*;
    use crate::pca::{PcaConfig, iterative_pca};
    use crate::util::progress::Progress;

    /// Spectra of a 3-component model with masked stretches: a basis fitted on all of them
    /// and applied to one spectrum at a time gives that spectrum's coefficients and norm as
    /// the fit over all of them does (same iterations; the basis is its converged one).
    #[test]
    fn one_spectrum_filled_from_a_fixed_basis_agrees_with_the_fit_over_all() {
        let (n, d) = (400, 120);
        let mut x = Array2::<f32>::zeros((n, d));
        let mut mask = Array2::<bool>::from_elem((n, d), false);
        for i in 0..n {
            let a = [
                1.0 + (i % 7) as f32 * 0.1,
                (i % 5) as f32 * 0.05,
                (i % 3) as f32 * 0.04,
            ];
            for j in 0..d {
                let t = j as f32 / d as f32;
                x[[i, j]] = (2.0 + i as f32 * 0.01)
                    * (a[0] + a[1] * (6.0 * t).sin() + a[2] * (11.0 * t).cos());
            }
            let start = (i * 13) % (d - 10);
            for j in start..start + 6 {
                mask[[i, j]] = true;
            }
        }
        let cfg = PcaConfig {
            n_ev: 3,
            n_iter: 30,
            keep: 0,
            basis_sample: None,
        };
        let fit = iterative_pca(x.view(), mask.view(), &cfg, &Progress::default()).expect("fit");
        let mu = fit.mu.to_vec();
        let evecs: Vec<f32> = fit.evecs.iter().copied().collect();
        let basis = FixedBasis::new(&mu, &evecs, 3);
        for i in (0..n).step_by(37) {
            let xr: Vec<f32> = x.row(i).to_vec();
            let mr: Vec<bool> = mask.row(i).to_vec();
            let got = basis.infill(&xr, &mr, 30).expect("filled");
            assert!(
                (got.norm - fit.norms[i]).abs() <= 1e-4 * fit.norms[i],
                "spectrum {i}: norm {} vs {}",
                got.norm,
                fit.norms[i]
            );
            for q in 0..3 {
                let (a, b) = (got.coeffs[q], fit.coeffs[[i, q]]);
                assert!(
                    (a - b).abs() <= 1e-3,
                    "spectrum {i} coefficient {q}: {a} vs {b}"
                );
            }
        }
        assert!(basis.infill(&vec![0.0; d], &vec![false; d], 5).is_none());
    }
}
