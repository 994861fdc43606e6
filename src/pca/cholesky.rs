//! Solving the small (n_ev × n_ev) symmetric positive-definite systems of the per-spectrum
//! least-squares fits, millions of times, without allocating. A plain Cholesky factorisation.

/// Solves `a · x = b` in place for a symmetric positive-definite `a` (row-major, `k × k`);
/// `b` becomes `x`. Returns `false` (and leaves `b` unspecified) if `a` is not positive definite.
pub fn solve_spd(a: &mut [f64], b: &mut [f64], k: usize) -> bool {
    debug_assert_eq!(a.len(), k * k);
    debug_assert_eq!(b.len(), k);
    // Factor a = L Lᵀ, L stored in the lower triangle.
    for j in 0..k {
        let mut d = a[j * k + j];
        for p in 0..j {
            d -= a[j * k + p] * a[j * k + p];
        }
        if d <= 0.0 || !d.is_finite() {
            return false;
        }
        let d = d.sqrt();
        a[j * k + j] = d;
        for i in j + 1..k {
            let mut s = a[i * k + j];
            for p in 0..j {
                s -= a[i * k + p] * a[j * k + p];
            }
            a[i * k + j] = s / d;
        }
    }
    // Forward: L y = b.
    for i in 0..k {
        let mut s = b[i];
        for p in 0..i {
            s -= a[i * k + p] * b[p];
        }
        b[i] = s / a[i * k + i];
    }
    // Backward: Lᵀ x = y.
    for i in (0..k).rev() {
        let mut s = b[i];
        for p in i + 1..k {
            s -= a[p * k + i] * b[p];
        }
        b[i] = s / a[i * k + i];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_known_system() {
        // a = [[4, 2, 0], [2, 5, 1], [0, 1, 3]], x = [1, -2, 3] → b = a x.
        let a0 = [4.0, 2.0, 0.0, 2.0, 5.0, 1.0, 0.0, 1.0, 3.0];
        let x = [1.0, -2.0, 3.0];
        let mut b: Vec<f64> = (0..3)
            .map(|i| (0..3).map(|j| a0[i * 3 + j] * x[j]).sum())
            .collect();
        let mut a = a0.to_vec();
        assert!(solve_spd(&mut a, &mut b, 3));
        for i in 0..3 {
            assert!((b[i] - x[i]).abs() < 1e-12, "{b:?}");
        }
    }

    #[test]
    fn rejects_indefinite() {
        let mut a = vec![1.0, 2.0, 2.0, 1.0];
        let mut b = vec![1.0, 1.0];
        assert!(!solve_spd(&mut a, &mut b, 2));
    }
}
