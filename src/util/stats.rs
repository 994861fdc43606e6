//! Order statistics shared by every stage: robust ranges for colour scales and axes, quantiles
//! of latents and spectral indices.

/// (min, max) of finite values between the `lo` and `hi` quantiles (nearest rank); a single
/// value gives a range of width 1 around it. `None` when nothing is finite.
pub fn robust_range(v: &[f64], lo: f64, hi: f64) -> Option<(f64, f64)> {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return None;
    }
    // Two selections instead of a sort: linear time (the explorer calls this per column
    // whenever latents change).
    let mut q = |p: f64| {
        let k = ((s.len() - 1) as f64 * p.clamp(0.0, 1.0)).round() as usize;
        *s.select_nth_unstable_by(k, |a, b| a.total_cmp(b)).1
    };
    let (a, b) = (q(lo), q(hi));
    Some(if b > a { (a, b) } else { (a - 0.5, a + 0.5) })
}

/// Quantile `q` (0 … 1) of sorted values, linearly interpolated (numpy's default).
pub fn quantile_sorted(sorted: &[f32], q: f64) -> f32 {
    if sorted.is_empty() {
        return f32::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (i, f) = (pos.floor() as usize, pos - pos.floor());
    let j = (i + 1).min(sorted.len() - 1);
    (sorted[i] as f64 * (1.0 - f) + sorted[j] as f64 * f) as f32
}

/// The median of the finite values (the mean of the middle two of an even count).
pub fn median(v: impl Iterator<Item = f64>) -> Option<f64> {
    let mut s: Vec<f64> = v.filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    Some(if s.len() % 2 == 1 {
        s[m]
    } else {
        0.5 * (s[m - 1] + s[m])
    })
}

/// 10th percentile, median and 90th percentile (nearest rank) of the finite values.
pub fn quantiles(v: impl Iterator<Item = f64>) -> Option<[f64; 3]> {
    let mut s: Vec<f64> = v.filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f64::total_cmp);
    let q = |p: f64| s[((s.len() - 1) as f64 * p).round() as usize];
    Some([q(0.1), q(0.5), q(0.9)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_quantiles() {
        let v: Vec<f64> = (0..101).map(f64::from).chain([f64::NAN]).collect();
        assert_eq!(robust_range(&v, 0.01, 0.99), Some((1.0, 99.0)));
        assert_eq!(robust_range(&[2.0], 0.0, 1.0), Some((1.5, 2.5)));
        assert_eq!(robust_range(&[f64::NAN], 0.0, 1.0), None);
        assert_eq!(quantile_sorted(&[0.0, 1.0, 2.0, 3.0], 0.5), 1.5);
        assert!(quantile_sorted(&[], 0.5).is_nan());
        assert_eq!(quantiles(v.clone().into_iter()), Some([10.0, 50.0, 90.0]));
        assert_eq!(median(v.into_iter()), Some(50.0));
        assert_eq!(median([7.99, 2.56].into_iter()), Some(5.275));
        assert_eq!(median([f64::NAN].into_iter()), None);
    }
}
