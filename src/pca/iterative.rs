//! astroML's `iterative_pca` (Yip et al. 2004; astroML.dimensionality.iterative_pca) with L2
//! normalisation: masked pixels start at the sample mean, then are replaced `n_iter` times by
//! each spectrum's weighted least-squares reconstruction from the leading `n_ev` eigenvectors.
//!
//! The eigenvectors come from faer's symmetric eigendecomposition of the centred Gram matrix
//! (the right singular vectors astroML gets from an SVD of the same matrix; `evals` holds the
//! singular values, as astroML returns them).

use faer::linalg::matmul::triangular::{BlockStructure, matmul};
use faer::{Accum, Mat, MatRef, Par, Side};
use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};
use rayon::prelude::*;

use super::cholesky::solve_spd;
use crate::util::progress::Progress;

/// Settings of the iterative PCA (astroML's defaults for the SDSS spectra: 10 and 20).
#[derive(Clone, Debug)]
pub struct PcaConfig {
    /// Eigenvectors used to reconstruct masked regions.
    pub n_ev: usize,
    /// Iterations.
    pub n_iter: usize,
    /// Eigenvectors to return (0 = all min(n, d), as astroML does).
    pub keep: usize,
    /// If set, iterations before the last estimate the eigenvectors from an evenly spaced
    /// subsample of about this many spectra (the last always uses all of them). The Gram
    /// matrix dominates the cost; a 16k subsample makes 64k spectra ~4× faster.
    pub basis_sample: Option<usize>,
}

impl Default for PcaConfig {
    fn default() -> Self {
        Self {
            n_ev: 10,
            n_iter: 20,
            keep: 0,
            basis_sample: Some(16_384),
        }
    }
}

/// What the iterative PCA returns, in astroML's conventions.
#[derive(Clone, Debug)]
pub struct IterativePca {
    /// Mean of the L2-normalised, filled spectra.
    pub mu: Array1<f32>,
    /// Eigenvectors as rows, strongest first.
    pub evecs: Array2<f32>,
    /// Singular values of the centred data, strongest first.
    pub evals: Array1<f32>,
    /// raw = normalised × norm for every spectrum.
    pub norms: Array1<f32>,
    /// Coefficients of the first `n_ev` eigenvectors: masked pixels are `(mu + coeffs·evecs) × norm`.
    pub coeffs: Array2<f32>,
}

#[derive(Debug, thiserror::Error)]
pub enum PcaError {
    #[error("spectra are {spectra:?} but the mask is {mask:?}")]
    Shape {
        spectra: (usize, usize),
        mask: (usize, usize),
    },
    #[error("{n} spectra of {d} bins cannot give {n_ev} principal components")]
    TooFew { n: usize, d: usize, n_ev: usize },
    #[error("wavelength bin {bin} is masked in every spectrum")]
    AllMasked { bin: usize },
    #[error("spectrum {row} has no unmasked, non-zero flux")]
    EmptySpectrum { row: usize },
    #[error("spectrum {row} has a non-finite unmasked value in bin {col}")]
    NonFinite { row: usize, col: usize },
    #[error("the eigendecomposition failed: {0}")]
    Eigen(String),
    #[error("the PCA infill was cancelled")]
    Cancelled,
}

impl From<crate::util::progress::Cancelled> for PcaError {
    fn from(_: crate::util::progress::Cancelled) -> Self {
        PcaError::Cancelled
    }
}

const GRAM_CHUNK: usize = 2048;

/// Runs the iterative PCA on raw spectra `x` (n × d) with `mask` (true = masked), as the
/// stage "PCA infill" of `progress` (one step per main iteration). Checks for cancellation
/// between blocks of 2048 spectra, so it stops within a fraction of a second.
pub fn iterative_pca(
    x: ArrayView2<f32>,
    mask: ArrayView2<bool>,
    cfg: &PcaConfig,
    progress: &Progress,
) -> Result<IterativePca, PcaError> {
    let (n, d) = x.dim();
    if mask.dim() != (n, d) {
        return Err(PcaError::Shape {
            spectra: (n, d),
            mask: mask.dim(),
        });
    }
    let m = n.min(d);
    let k = cfg.n_ev;
    if n < 2 || k == 0 || k > m {
        return Err(PcaError::TooFew { n, d, n_ev: k });
    }
    let keep = if cfg.keep == 0 { m } else { cfg.keep.min(m) }.max(k);
    let unmasked_per_bin = unmasked_counts(mask);
    if let Some(bin) = unmasked_per_bin.iter().position(|&c| c == 0) {
        return Err(PcaError::AllMasked { bin });
    }
    validate_rows(x, mask)?;
    progress.stage("PCA infill", cfg.n_iter.max(1) as u64);

    let mut r = x.to_owned();
    Zip::from(&mut r).and(mask).for_each(|v, &mk| {
        if mk {
            *v = 0.0;
        }
    });
    // Initial guess: masked pixels take the mean of the unmasked (normalised) values; iterate
    // because the normalisation depends on the filled values.
    // Stops early once the filled mean no longer changes (it converges geometrically).
    let mut prev_mu: Vec<f64> = vec![f64::INFINITY; d];
    for _ in 0..cfg.n_iter.max(1) {
        progress.check()?;
        normalize_rows(&mut r);
        let mu = masked_mean(&r, mask, &unmasked_per_bin);
        let change = mu
            .iter()
            .zip(&prev_mu)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f64, f64::max);
        let scale = mu.iter().map(|v| v.abs()).fold(0.0f64, f64::max);
        if change <= 1e-9 * scale {
            break;
        }
        Zip::from(r.axis_iter_mut(Axis(0)))
            .and(mask.axis_iter(Axis(0)))
            .par_for_each(|mut row, mrow| {
                for j in 0..d {
                    if mrow[j] {
                        row[j] = mu[j] as f32;
                    }
                }
            });
        prev_mu = mu;
    }

    let stride = match cfg.basis_sample {
        Some(m) if m > 0 && n > 2 * m => n / m,
        _ => 1,
    };
    let mut coeffs = Array2::<f64>::zeros((n, k));
    let mut mu = vec![0.0f64; d];
    let mut vt = Array2::<f64>::zeros((keep, d));
    let mut s = vec![0.0f64; keep];
    for it in 0..cfg.n_iter.max(1) {
        progress.check()?;
        normalize_rows(&mut r);
        mu = column_mean(&r);
        let last = it + 1 == cfg.n_iter.max(1);
        let gram = centered_gram(&r, &mu, if last { 1 } else { stride }, progress)?;
        // Intermediate iterations need only the leading n_ev eigenvectors (a Krylov-Schur
        // partial eigensolver); the last one computes them all, as astroML returns them.
        let top = if last { None } else { leading_eigen(&gram, k) };
        match top {
            Some((vals, vecs)) => {
                for q in 0..k {
                    s[q] = vals[q].max(0.0).sqrt();
                    for j in 0..d {
                        vt[[q, j]] = vecs[(j, q)];
                    }
                }
            }
            None => {
                let evd = gram
                    .self_adjoint_eigen(Side::Lower)
                    .map_err(|e| PcaError::Eigen(format!("{e:?}")))?;
                let u = evd.U();
                let ev = evd.S().column_vector();
                for q in 0..keep {
                    let col = d - 1 - q; // eigenvalues come in nondecreasing order
                    s[q] = ev[col].max(0.0).sqrt();
                    for j in 0..d {
                        vt[[q, j]] = u[(j, col)];
                    }
                }
            }
        }
        // Leading eigenvectors, transposed (d × k) so the inner loops run over contiguous q.
        let mut vk = vec![0.0f64; d * k];
        for j in 0..d {
            for q in 0..k {
                vk[j * k + q] = vt[[q, j]];
            }
        }
        // Vₖ·(x − μ) for every spectrum in one matrix product; the masked pixels' share is
        // subtracted per spectrum below (VWx = Vₖ diag(1 − M)(x − μ)).
        progress.check()?;
        let proj = project(&r, &mu, &vk, k);
        Zip::from(r.axis_iter_mut(Axis(0)))
            .and(mask.axis_iter(Axis(0)))
            .and(coeffs.axis_iter_mut(Axis(0)))
            .and(proj.axis_iter(Axis(0)))
            .par_for_each(|mut row, mrow, mut crow, prow| {
                let mut vwx: Vec<f64> = prow.to_vec();
                // VWV = Vₖ diag(1 − M) Vₖᵀ = I − Σ_{masked j} v_j v_jᵀ (rows of Vₖ orthonormal).
                let mut vwv = vec![0.0f64; k * k];
                for q in 0..k {
                    vwv[q * k + q] = 1.0;
                }
                for j in (0..d).filter(|&j| mrow[j]) {
                    let v = &vk[j * k..(j + 1) * k];
                    let xc = f64::from(row[j]) - mu[j];
                    for q in 0..k {
                        vwx[q] -= v[q] * xc;
                        for p in 0..=q {
                            vwv[q * k + p] -= v[q] * v[p];
                        }
                    }
                }
                for q in 0..k {
                    for p in 0..q {
                        vwv[p * k + q] = vwv[q * k + p];
                    }
                }
                let mut sol = vwx.clone();
                if !solve_spd(&mut vwv.clone(), &mut sol, k) {
                    // Nearly all pixels masked: a tiny ridge keeps the fit defined.
                    for q in 0..k {
                        vwv[q * k + q] += 1e-9;
                    }
                    sol.clone_from(&vwx);
                    if !solve_spd(&mut vwv, &mut sol, k) {
                        sol.iter_mut().for_each(|c| *c = 0.0);
                    }
                }
                for q in 0..k {
                    crow[q] = sol[q];
                }
                for j in (0..d).filter(|&j| mrow[j]) {
                    let v = &vk[j * k..(j + 1) * k];
                    let fill: f64 = mu[j] + (0..k).map(|q| sol[q] * v[q]).sum::<f64>();
                    row[j] = fill as f32;
                }
            });
        progress.set(it as u64 + 1);
    }

    // raw = normalised × norm; a least-squares ratio over the unmasked pixels.
    let norms: Array1<f32> = Zip::from(x.axis_iter(Axis(0)))
        .and(r.axis_iter(Axis(0)))
        .and(mask.axis_iter(Axis(0)))
        .par_map_collect(|xr, rr, mr| {
            let (mut num, mut den) = (0.0f64, 0.0f64);
            for j in 0..d {
                if !mr[j] {
                    num += f64::from(xr[j]) * f64::from(rr[j]);
                    den += f64::from(rr[j]) * f64::from(rr[j]);
                }
            }
            (num / den) as f32
        });
    Ok(IterativePca {
        mu: mu.iter().map(|&v| v as f32).collect(),
        evecs: vt.mapv(|v| v as f32),
        evals: s.iter().map(|&v| v as f32).collect(),
        norms,
        coeffs: coeffs.mapv(|v| v as f32),
    })
}

fn unmasked_counts(mask: ArrayView2<bool>) -> Vec<usize> {
    let d = mask.ncols();
    let mut c = vec![0usize; d];
    for row in mask.rows() {
        for (j, &m) in row.iter().enumerate() {
            if !m {
                c[j] += 1;
            }
        }
    }
    c
}

fn validate_rows(x: ArrayView2<f32>, mask: ArrayView2<bool>) -> Result<(), PcaError> {
    let bad: Option<PcaError> = x
        .axis_iter(Axis(0))
        .into_par_iter()
        .zip(mask.axis_iter(Axis(0)).into_par_iter())
        .enumerate()
        .find_map_first(|(row, (xr, mr))| {
            let mut ss = 0.0f64;
            for (col, (&v, &m)) in xr.iter().zip(mr.iter()).enumerate() {
                if !m {
                    if !v.is_finite() {
                        return Some(PcaError::NonFinite { row, col });
                    }
                    ss += f64::from(v) * f64::from(v);
                }
            }
            (ss <= 0.0).then_some(PcaError::EmptySpectrum { row })
        });
    bad.map_or(Ok(()), Err)
}

fn normalize_rows(r: &mut Array2<f32>) {
    r.axis_iter_mut(Axis(0))
        .into_par_iter()
        .for_each(|mut row| {
            let ss: f64 = row.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
            let inv = 1.0 / ss.sqrt();
            row.mapv_inplace(|v| (f64::from(v) * inv) as f32);
        });
}

fn masked_mean(r: &Array2<f32>, mask: ArrayView2<bool>, counts: &[usize]) -> Vec<f64> {
    let d = r.ncols();
    let sums = r
        .axis_iter(Axis(0))
        .into_par_iter()
        .zip(mask.axis_iter(Axis(0)).into_par_iter())
        .fold(
            || vec![0.0f64; d],
            |mut acc, (row, mrow)| {
                for j in 0..d {
                    if !mrow[j] {
                        acc[j] += f64::from(row[j]);
                    }
                }
                acc
            },
        )
        .reduce(|| vec![0.0f64; d], add_vecs);
    sums.iter()
        .zip(counts)
        .map(|(s, &c)| s / c as f64)
        .collect()
}

pub(crate) fn column_mean(r: &Array2<f32>) -> Vec<f64> {
    let (n, d) = r.dim();
    let sums = r
        .axis_iter(Axis(0))
        .into_par_iter()
        .fold(
            || vec![0.0f64; d],
            |mut acc, row| {
                for j in 0..d {
                    acc[j] += f64::from(row[j]);
                }
                acc
            },
        )
        .reduce(|| vec![0.0f64; d], add_vecs);
    sums.iter().map(|s| s / n as f64).collect()
}

fn add_vecs(mut a: Vec<f64>, b: Vec<f64>) -> Vec<f64> {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
    a
}

/// (R − μ)ᵀ(R − μ) over every `stride`-th row, scaled to all rows; computed in f32 blocks of
/// rows by faer and accumulated in f64 (cancellation is checked before each block).
pub(crate) fn centered_gram(
    r_all: &Array2<f32>,
    mu: &[f64],
    stride: usize,
    progress: &Progress,
) -> Result<Mat<f64>, crate::util::progress::Cancelled> {
    let sub;
    let r = if stride > 1 {
        sub = r_all.slice(ndarray::s![..;stride, ..]);
        sub
    } else {
        r_all.view()
    };
    let (n, d) = r.dim();
    let mut acc = Mat::<f64>::zeros(d, d);
    let mut part = Mat::<f32>::zeros(d, d);
    let mut block = vec![0.0f32; GRAM_CHUNK.min(n) * d];
    let mut start = 0;
    while start < n {
        progress.check()?;
        let rows = GRAM_CHUNK.min(n - start);
        let src = r.slice(ndarray::s![start..start + rows, ..]);
        block[..rows * d]
            .par_chunks_mut(d)
            .zip(src.axis_iter(Axis(0)).into_par_iter())
            .for_each(|(dst, row)| {
                for j in 0..d {
                    dst[j] = (f64::from(row[j]) - mu[j]) as f32;
                }
            });
        let b = MatRef::from_row_major_slice(&block[..rows * d], rows, d);
        matmul(
            part.as_mut(),
            BlockStructure::TriangularLower,
            Accum::Replace,
            b.transpose(),
            BlockStructure::Rectangular,
            b,
            BlockStructure::Rectangular,
            1.0f32,
            Par::rayon(0),
        );
        for j in 0..d {
            for i in j..d {
                acc[(i, j)] += f64::from(part[(i, j)]);
            }
        }
        start += rows;
    }
    // Mirror the lower triangle (so the matrix can be applied as an operator) and scale a
    // subsample's sum to the whole sample.
    let scale = r_all.nrows() as f64 / n as f64;
    for j in 0..d {
        for i in j..d {
            let v = acc[(i, j)] * scale;
            acc[(i, j)] = v;
            acc[(j, i)] = v;
        }
    }
    Ok(acc)
}

/// (R − μ)·Vₖᵀ (n × k), by faer in blocks of rows; `vk` is Vₖᵀ (d × k, row-major).
fn project(r: &Array2<f32>, mu: &[f64], vk: &[f64], k: usize) -> Array2<f64> {
    let (n, d) = r.dim();
    let v = MatRef::from_row_major_slice(vk, d, k);
    let mut out = Array2::<f64>::zeros((n, k));
    let mut block = vec![0.0f64; GRAM_CHUNK.min(n) * d];
    let mut res = Mat::<f64>::zeros(GRAM_CHUNK.min(n), k);
    let mut start = 0;
    while start < n {
        let rows = GRAM_CHUNK.min(n - start);
        let src = r.slice(ndarray::s![start..start + rows, ..]);
        block[..rows * d]
            .par_chunks_mut(d)
            .zip(src.axis_iter(Axis(0)).into_par_iter())
            .for_each(|(dst, row)| {
                for j in 0..d {
                    dst[j] = f64::from(row[j]) - mu[j];
                }
            });
        let b = MatRef::from_row_major_slice(&block[..rows * d], rows, d);
        faer::linalg::matmul::matmul(
            res.as_mut().subrows_mut(0, rows),
            Accum::Replace,
            b,
            v,
            1.0f64,
            Par::rayon(0),
        );
        for i in 0..rows {
            for q in 0..k {
                out[[start + i, q]] = res[(i, q)];
            }
        }
        start += rows;
    }
    out
}

/// The `k` largest eigenpairs of the symmetric positive semi-definite `a`, strongest first,
/// from faer's matrix-free partial eigensolver; `None` if it did not converge.
pub(crate) fn leading_eigen(a: &Mat<f64>, k: usize) -> Option<(Vec<f64>, Mat<f64>)> {
    // Small matrices are cheap to decompose fully; and faer's Krylov–Schur solver panics
    // (rather than returning an error) when it cannot converge, e.g. on exactly low-rank
    // matrices — so it is used only on large ones, and a panic falls back to the full solver.
    if a.nrows() < 256 || 4 * k > a.nrows() {
        return None;
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| leading_eigen_krylov(a, k)))
        .ok()
        .flatten()
}

fn leading_eigen_krylov(a: &Mat<f64>, k: usize) -> Option<(Vec<f64>, Mat<f64>)> {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::matrix_free::eigen::{
        PartialEigenParams, partial_eigen_scratch, partial_self_adjoint_eigen,
    };
    let n = a.nrows();
    let params = PartialEigenParams::default();
    let par = Par::rayon(0);
    let mut vecs = Mat::<f64>::zeros(n, k);
    let mut vals = vec![0.0f64; k];
    let v0 = faer::Col::<f64>::from_fn(n, |i| 1.0 + 0.01 * ((i * 7919) % 101) as f64);
    let mut buf = MemBuffer::new(partial_eigen_scratch(a, k, par, params));
    let info = partial_self_adjoint_eigen(
        vecs.as_mut(),
        &mut vals,
        a,
        v0.as_ref(),
        1e-12,
        par,
        MemStack::new(&mut buf),
        params,
    );
    if info.n_converged_eigen < k || vals.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&x, &y| vals[y].total_cmp(&vals[x]));
    let sorted_vals = order.iter().map(|&i| vals[i]).collect();
    let sorted = Mat::<f64>::from_fn(n, k, |i, q| vecs[(i, order[q])]);
    Some((sorted_vals, sorted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Spectra drawn from a 3-component model; masked pixels must be recovered.
    #[test]
    fn recovers_masked_pixels_of_low_rank_data() {
        let (n, d) = (400, 120);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let basis: Vec<Vec<f64>> = (0..3)
            .map(|b| {
                (0..d)
                    .map(|j| {
                        ((j as f64) * 0.05 * (b + 1) as f64).sin() + 1.5 * (b == 0) as u8 as f64
                    })
                    .collect()
            })
            .collect();
        let mut x = Array2::<f32>::zeros((n, d));
        let mut mask = Array2::<bool>::from_elem((n, d), false);
        for i in 0..n {
            let a: [f64; 3] = [
                rng.random_range(1.0..2.0),
                rng.random_range(-0.3..0.3),
                rng.random_range(-0.2..0.2),
            ];
            let scale = rng.random_range(5.0..50.0);
            for j in 0..d {
                x[[i, j]] = (scale * (0..3).map(|b| a[b] * basis[b][j]).sum::<f64>()) as f32;
            }
            let start = rng.random_range(0..d - 20);
            for j in start..start + 15 {
                mask[[i, j]] = true;
            }
        }
        let cfg = PcaConfig {
            n_ev: 4,
            n_iter: 60,
            keep: 0,
            basis_sample: Some(100),
        };
        let truth = x.clone();
        let mut xm = x.clone();
        Zip::from(&mut xm).and(&mask).for_each(|v, &m| {
            if m {
                *v = -999.0
            }
        });
        let progress = Progress::new();
        let p = iterative_pca(xm.view(), mask.view(), &cfg, &progress).unwrap();
        assert_eq!(progress.snapshot().done, 60);
        assert_eq!(p.evecs.dim(), (120, d));
        let mut worst = 0.0f64;
        for i in 0..n {
            for j in 0..d {
                if mask[[i, j]] {
                    let mut fill = f64::from(p.mu[j]);
                    for q in 0..4 {
                        fill += f64::from(p.coeffs[[i, q]]) * f64::from(p.evecs[[q, j]]);
                    }
                    fill *= f64::from(p.norms[i]);
                    let t = f64::from(truth[[i, j]]);
                    worst = worst.max((fill - t).abs() / t.abs().max(1.0));
                }
            }
        }
        assert!(worst < 1e-3, "worst relative infill error {worst}");
        // Singular values are sorted, strongest first.
        assert!(p.evals.windows(2).into_iter().all(|w| w[0] >= w[1]));
    }

    #[test]
    fn bad_inputs_are_errors() {
        let x = Array2::<f32>::ones((5, 4));
        let mut mask = Array2::<bool>::from_elem((5, 4), false);
        let cfg = PcaConfig {
            n_ev: 2,
            n_iter: 2,
            keep: 0,
            basis_sample: None,
        };
        mask.column_mut(2).fill(true);
        assert!(matches!(
            iterative_pca(x.view(), mask.view(), &cfg, &Progress::new()),
            Err(PcaError::AllMasked { bin: 2 })
        ));
        let mask = Array2::<bool>::from_elem((5, 4), false);
        let mut x2 = x.clone();
        x2[[3, 1]] = f32::NAN;
        assert!(matches!(
            iterative_pca(x2.view(), mask.view(), &cfg, &Progress::new()),
            Err(PcaError::NonFinite { row: 3, col: 1 })
        ));
        let mut x3 = x.clone();
        x3.row_mut(4).fill(0.0);
        assert!(matches!(
            iterative_pca(x3.view(), mask.view(), &cfg, &Progress::new()),
            Err(PcaError::EmptySpectrum { row: 4 })
        ));
        let big = PcaConfig {
            n_ev: 9,
            n_iter: 2,
            keep: 0,
            basis_sample: None,
        };
        assert!(matches!(
            iterative_pca(x.view(), mask.view(), &big, &Progress::new()),
            Err(PcaError::TooFew { .. })
        ));
    }

    /// Cancelled after its second iteration (as a Cancel click arriving mid-job), the PCA stops
    /// at its next check and says so.
    #[test]
    fn a_cancelled_infill_stops_at_the_next_check() {
        let (n, d) = (300, 40);
        let x = Array2::from_shape_fn((n, d), |(i, j)| 1.0 + ((i * 7 + j * 3) % 11) as f32);
        let mask = Array2::from_shape_fn((n, d), |(i, j)| (i + j) % 9 == 0);
        let cfg = PcaConfig {
            n_ev: 3,
            n_iter: 10,
            keep: 0,
            basis_sample: None,
        };
        let progress = Progress::cancelling_at("PCA infill", 2);
        let r = iterative_pca(x.view(), mask.view(), &cfg, &progress);
        assert!(matches!(r, Err(PcaError::Cancelled)), "{r:?}");
        assert_eq!(
            progress.snapshot().done,
            2,
            "stopped after the cancelling iteration"
        );
        assert!(iterative_pca(x.view(), mask.view(), &cfg, &Progress::new()).is_ok());
    }
}
