//! What the learned ranking sees of each spectrum: its latents (what kind of galaxy), log χ²
//! and log LOF (how odd), and the residual statistics by region (where and how the
//! reconstruction fails: [`crate::analysis::regions`]), each column robustly standardised
//! (median, 1.4826 × MAD) and clipped to ±[`CLIP`], so no single column's scale decides the
//! distances.

use ndarray::{Array2, ArrayView2};

use super::TriageError;

/// Standardised values beyond this are clipped (the far tail of χ² would else dominate).
pub const CLIP: f32 = 8.0;

/// The standardised feature matrix (n × d).
#[derive(Clone, Debug)]
pub struct Features {
    pub x: Array2<f32>,
    pub names: Vec<String>,
}

impl Features {
    /// From the analysis's parts, one row per spectrum each.
    pub fn new(
        latents: ArrayView2<f32>,
        chi2: &[f64],
        lof: &[f64],
        regions: ArrayView2<f32>,
    ) -> Result<Features, TriageError> {
        let n = latents.nrows();
        if chi2.len() != n || lof.len() != n || regions.nrows() != n {
            return Err(TriageError::Invalid(format!(
                "the triage features have different numbers of rows: latents {n}, χ² {}, \
                 LOF {}, residual statistics {}",
                chi2.len(),
                lof.len(),
                regions.nrows()
            )));
        }
        let (k, r) = (latents.ncols(), regions.ncols());
        // NaN stays NaN (f64::max would hide it) and is refused below.
        let log = |v: f64| {
            if v.is_nan() {
                f32::NAN
            } else {
                v.max(1e-12).log10() as f32
            }
        };
        let mut cols: Vec<(String, Vec<f32>)> = Vec::with_capacity(k + 2 + r);
        for j in 0..k {
            cols.push((format!("z{j}"), latents.column(j).to_vec()));
        }
        cols.push(("log_chi2".into(), chi2.iter().map(|&v| log(v)).collect()));
        cols.push(("log_lof".into(), lof.iter().map(|&v| log(v)).collect()));
        let mut region_names = crate::analysis::regions::region_names().into_iter();
        for j in 0..r {
            let name = region_names.next().unwrap_or_else(|| format!("region{j}"));
            cols.push((name, regions.column(j).to_vec()));
        }
        let mut tmp = Vec::with_capacity(n);
        for (name, c) in &mut cols {
            standardise(c, &mut tmp).ok_or_else(|| {
                TriageError::Invalid(format!("feature {name} has values that are not finite"))
            })?;
        }
        let x = Array2::from_shape_fn((n, cols.len()), |(i, j)| cols[j].1[i]);
        Ok(Features {
            x,
            names: cols.into_iter().map(|(name, _)| name).collect(),
        })
    }

    pub fn n(&self) -> usize {
        self.x.nrows()
    }
}

/// Standardises a column in place; `None` if it holds a value that is not finite.
fn standardise(col: &mut [f32], tmp: &mut Vec<f32>) -> Option<()> {
    if col.iter().any(|v| !v.is_finite()) {
        return None;
    }
    tmp.clear();
    tmp.extend_from_slice(col);
    let med = median(tmp);
    for v in tmp.iter_mut() {
        *v = (*v - med).abs();
    }
    let mut scale = 1.4826 * median(tmp);
    if scale <= 1e-12 {
        // Half or more of the values equal: fall back to the standard deviation.
        let m = col.iter().map(|&v| f64::from(v)).sum::<f64>() / col.len().max(1) as f64;
        let var =
            col.iter().map(|&v| (f64::from(v) - m).powi(2)).sum::<f64>() / col.len().max(1) as f64;
        scale = var.sqrt() as f32;
    }
    if scale <= 1e-12 {
        col.iter_mut().for_each(|v| *v = 0.0);
        return Some(());
    }
    for v in col.iter_mut() {
        *v = ((*v - med) / scale).clamp(-CLIP, CLIP);
    }
    Some(())
}

fn median(v: &mut [f32]) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, |a, b| a.total_cmp(b));
    *m
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn columns_come_out_centred_scaled_and_clipped() {
        let n = 101;
        let latents = Array2::from_shape_fn((n, 2), |(i, j)| (i as f32) * (j as f32 + 1.0));
        let chi2: Vec<f64> = (0..n)
            .map(|i| if i == 50 { 1e9 } else { 1.0 + i as f64 * 0.01 })
            .collect();
        let lof = vec![1.0; n];
        let regions = Array2::from_shape_fn((n, 3), |(i, _)| i as f32);
        let f = Features::new(latents.view(), &chi2, &lof, regions.view()).unwrap();
        assert_eq!(f.x.dim(), (n, 7));
        assert_eq!(f.names[..4], ["z0", "z1", "log_chi2", "log_lof"]);
        // The median row sits at 0 in a linear column; the χ² outlier is clipped.
        assert!(f.x[[50, 0]].abs() < 1e-6);
        assert_eq!(f.x[[50, 2]], CLIP);
        // A constant column is all zeros, not NaN.
        assert!(f.x.column(3).iter().all(|&v| v == 0.0));
        let mut bad = chi2.clone();
        bad[3] = f64::NAN;
        // log10 of NaN stays NaN: named.
        let e = Features::new(latents.view(), &bad, &lof, regions.view()).unwrap_err();
        assert!(e.to_string().contains("log_chi2"), "{e}");
        let e = Features::new(latents.view(), &chi2[1..], &lof, regions.view()).unwrap_err();
        assert!(e.to_string().contains("rows"), "{e}");
    }
}
