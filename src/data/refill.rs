//! Refilling masked pixels from another survey's PCA basis: a model trained on survey A saw
//! A's infill at masked pixels, so spectra from elsewhere (a handful of ingested FITS files,
//! whose own PCA is poor) are filled the same way before the model encodes them.

use std::sync::Arc;

use ndarray::{Array2, Axis, Zip};
use rayon::prelude::*;

use super::preprocess::{PcaBasis, Spectra};

/// Solves the small `n × n` system `a x = b` (`a` row-major) by Gaussian elimination with
/// partial pivoting; `None` when singular.
fn solve(mut a: Vec<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let piv =
            (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))?;
        if a[piv * n + col].abs() < 1e-12 {
            return None;
        }
        if piv != col {
            for c in 0..n {
                a.swap(col * n + c, piv * n + c);
            }
            b.swap(col, piv);
        }
        for r in col + 1..n {
            let f = a[r * n + col] / a[col * n + col];
            for c in col..n {
                a[r * n + c] -= f * a[col * n + c];
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|c| a[r * n + c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r * n + r];
    }
    Some(x)
}

impl PcaBasis {
    /// Whether `other`'s mean and eigenvectors equal this basis's first ones to float16
    /// precision (a model file stores its training survey's basis in float16).
    pub fn same_as(&self, other: &PcaBasis) -> bool {
        let k = other.evecs.nrows();
        let close = |a: f32, b: f32| (a - b).abs() <= 2e-3 * a.abs().max(b.abs()).max(1e-2);
        self.mu.len() == other.mu.len()
            && self.evecs.ncols() == other.evecs.ncols()
            && self.evecs.nrows() >= k
            && self
                .mu
                .iter()
                .zip(other.mu.iter())
                .all(|(&a, &b)| close(a, b))
            && self
                .evecs
                .rows()
                .into_iter()
                .take(k)
                .zip(other.evecs.rows())
                .all(|(r, o)| r.iter().zip(o.iter()).all(|(&a, &b)| close(a, b)))
    }

    /// The first `k` eigenvectors (and the mean).
    pub fn truncated(&self, k: usize) -> PcaBasis {
        let k = k.min(self.evecs.nrows());
        PcaBasis {
            mu: self.mu.clone(),
            evecs: self.evecs.slice(ndarray::s![..k, ..]).to_owned(),
            evals: self
                .evals
                .as_ref()
                .map(|e| e.slice(ndarray::s![..k.min(e.len())]).to_owned()),
        }
    }
}

impl Spectra {
    /// The basis this file's masked pixels were filled from: its mean and the eigenvectors
    /// its coefficients use.
    pub fn infill_basis(&self) -> PcaBasis {
        self.pca.truncated(self.pca_coeffs.ncols())
    }

    /// These spectra as a model whose training data were filled from `infill` sees them: the
    /// one path by which `analyze`, `evaluate`, `fidelity` and the explorer prepare data for a
    /// model. `None` when nothing changes — the file's own basis is `infill` (the model's own
    /// training survey), or no pixel is masked; otherwise a copy refilled from `infill`.
    pub fn refilled_for(&self, infill: &PcaBasis) -> Option<Spectra> {
        if self.pca.same_as(infill) || !self.mask.iter().any(|&m| m) {
            return None;
        }
        Some(self.refilled_with(infill, infill.evecs.nrows()))
    }

    /// A copy whose masked pixels are `basis.mu + Σ c_q evec_q` over the first `n_ev`
    /// eigenvectors (the number the survey's infill used), the coefficients fitted by
    /// least squares to the unmasked pixels (in normalised units; weights and everything else
    /// unchanged). Rows without masked pixels, or too few unmasked ones, keep their values.
    pub fn refilled_with(&self, basis: &PcaBasis, n_ev: usize) -> Spectra {
        let k = n_ev.min(basis.evecs.nrows());
        let d = self.n_bins();
        let mut x: Array2<f32> = (*self.x).clone();
        if basis.mu.len() != d || basis.evecs.ncols() != d {
            return self.clone();
        }
        Zip::from(x.axis_iter_mut(Axis(0)))
            .and(self.mask.axis_iter(Axis(0)))
            .into_par_iter()
            .for_each(|(mut xr, mr)| {
                let masked = mr.iter().filter(|&&m| m).count();
                if masked == 0 || d - masked < 4 * k {
                    return;
                }
                let mut ata = vec![0.0; k * k];
                let mut atb = vec![0.0; k];
                let mut e = vec![0.0; k];
                for j in (0..d).filter(|&j| !mr[j]) {
                    let r = f64::from(xr[j]) - f64::from(basis.mu[j]);
                    for (q, eq) in e.iter_mut().enumerate() {
                        *eq = f64::from(basis.evecs[[q, j]]);
                    }
                    for (p, &ep) in e.iter().enumerate() {
                        atb[p] += ep * r;
                        for (q, &eq) in e.iter().enumerate() {
                            ata[p * k + q] += ep * eq;
                        }
                    }
                }
                let Some(c) = solve(ata, atb) else { return };
                for j in (0..d).filter(|&j| mr[j]) {
                    let mut v = f64::from(basis.mu[j]);
                    for (q, cq) in c.iter().enumerate() {
                        v += cq * f64::from(basis.evecs[[q, j]]);
                    }
                    xr[j] = v as f32;
                }
            });
        Spectra {
            x: Arc::new(x),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, array};

    #[test]
    fn masked_pixels_come_back_from_the_basis() {
        // A basis of two orthonormal vectors on 12 pixels; a spectrum in its span with 3 pixels
        // masked (and wrong) is restored exactly.
        let d = 12;
        let e0: Array1<f32> = Array1::from_elem(d, 1.0 / (d as f32).sqrt());
        let e1: Array1<f32> = (0..d)
            .map(|j| if j < d / 2 { 1.0 } else { -1.0 } / (d as f32).sqrt())
            .collect();
        let mut evecs = Array2::zeros((2, d));
        evecs.row_mut(0).assign(&e0);
        evecs.row_mut(1).assign(&e1);
        let mu = Array1::from_elem(d, 0.1f32);
        let truth: Array1<f32> = &mu + &(&e0 * 2.0) + &(&e1 * -0.5);
        let basis = PcaBasis {
            mu,
            evecs,
            evals: None,
        };
        let mut x = truth.clone();
        let mut mask = Array1::from_elem(d, false);
        for j in [0, 5, 11] {
            x[j] = 99.0;
            mask[j] = true;
        }
        // Raw units with norm 1 and errors 1, so x is the flux as given; the file's own infill
        // (coefficients 0) puts mu at the masked pixels.
        let survey = crate::data::Survey {
            spectra: x.insert_axis(Axis(0)),
            mask: mask.insert_axis(Axis(0)),
            spec_err: Array2::ones((1, d)),
            coeff0: 3.53,
            coeff1: 0.00039,
            norms: array![1.0f32],
            mu: basis.mu.clone(),
            evecs: basis.evecs.clone(),
            coeffs: Array2::zeros((1, 2)),
            evals: None,
            meta: Default::default(),
            truth: None,
        };
        let sp = Spectra::from_survey(survey);
        assert!((sp.x[[0, 5]] - 0.1).abs() < 1e-6);
        let r = sp.refilled_with(&basis, 2);
        for j in 0..d {
            assert!(
                (r.x[[0, j]] - truth[j]).abs() < 1e-5,
                "{j}: {}",
                r.x[[0, j]]
            );
        }
        assert_eq!(r.w, sp.w);
        // The one path a model takes: its own basis (to float16 precision) changes nothing,
        // another one refills.
        let own = sp.infill_basis();
        let mut f16 = own.clone();
        f16.mu.mapv_inplace(|v| half::f16::from_f32(v).to_f32());
        f16.evecs.mapv_inplace(|v| half::f16::from_f32(v).to_f32());
        assert!(sp.refilled_for(&f16).is_none());
        let mut shifted = basis.clone();
        shifted.mu.mapv_inplace(|v| v + 0.5);
        let other = sp.refilled_for(&shifted).expect("another basis refills");
        for j in 0..d {
            let (a, b) = (other.x[[0, j]], sp.x[[0, j]]);
            assert_eq!(sp.mask[[0, j]], a != b, "{j}: {a} vs {b}");
        }
        // Nothing masked: nothing to refill.
        let mut unmasked = sp.clone();
        unmasked.mask.fill(false);
        assert!(unmasked.refilled_for(&shifted).is_none());
    }
}
