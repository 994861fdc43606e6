//! The reader reproduces `reference.py prep` (astroML's reconstruction, normalisation and
//! weights, computed by numpy) on the same file to 1e-5 relative.

use crate::common::fixture;
use specae::data::prepped::{read_prepped, write_prepped};
use specae::data::{GalaxyClass, Spectra, Split};

/// Largest |a − b| / max(|b|, floor) over all elements.
fn max_rel(a: &[f32], b: &[f32], floor: f64) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&a, &b)| (f64::from(a) - f64::from(b)).abs() / f64::from(b).abs().max(floor))
        .fold(0.0, f64::max)
}

#[test]
fn preprocessing_matches_reference_prep() {
    let s = Spectra::load(&fixture("refsynth.npz")).unwrap();
    let r = read_prepped(&fixture("refsynth_prepped.npz")).unwrap();
    assert_eq!(s.x.dim(), r.x.dim());
    let (x, rx) = (s.x.as_slice().unwrap(), r.x.as_slice().unwrap());
    let (w, rw) = (s.w.as_slice().unwrap(), r.w.as_slice().unwrap());
    // Relative error against each value, floored at 1e-3 of the data's RMS for values that
    // happen to cross zero (the PCA fill is a sum of signed terms).
    let rms = (rx.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / rx.len() as f64).sqrt();
    let ex = max_rel(x, rx, 1e-3 * rms);
    let ew = max_rel(w, rw, 1e-30);
    println!("max relative error: x {ex:.2e}, w {ew:.2e}");
    assert!(ex < 1e-5, "x differs from reference.py prep by {ex:e}");
    assert!(ew < 1e-5, "w differs from reference.py prep by {ew:e}");
    // Masked pixels and zero weights agree exactly.
    for (a, b) in w.iter().zip(rw) {
        assert_eq!(*a == 0.0, *b == 0.0);
    }
    assert_eq!(s.lineindex, r.cls.to_vec());
    for (a, b) in s.wavelengths.iter().zip(r.lam.iter()) {
        assert!((a - b).abs() < 1e-9 * b);
    }
    assert_eq!(s.classes.len(), 100);
    assert!(s.classes.iter().all(|c| *c != GalaxyClass::Unclassified));
}

#[test]
fn prepped_round_trip_keeps_split() {
    let s = Spectra::load(&fixture("refsynth.npz")).unwrap();
    let split = Split::seeded(s.n_spectra(), 3, 0.75);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("prepped.npz");
    write_prepped(&p, &s, &split).unwrap();
    let back = read_prepped(&p).unwrap();
    assert_eq!(back.split.train, split.train);
    assert_eq!(back.split.valid, split.valid);
    assert_eq!(back.x, *s.x);
    assert_eq!(back.w, *s.w);
    // The reference's own split reads as well.
    let r = read_prepped(&fixture("refsynth_prepped.npz")).unwrap();
    assert_eq!(r.split.train.len(), 75);
    assert_eq!(r.split.valid.len(), 25);
}
