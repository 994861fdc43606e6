//! Bad input to the npz reader: every case is a clear error naming the file and the problem.

use std::path::Path;

use crate::common::{fixture, small_survey};
use ndarray::{Array1, Array2};
use specae::data::{DataError, Spectra, Survey};

fn read_err(path: &Path) -> (DataError, String) {
    let e = Survey::read(path).expect_err("must be refused");
    let msg = e.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "error must name the file: {msg}"
    );
    (e, msg)
}

fn write_tmp(s: &Survey) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.npz");
    s.write(&p, false).unwrap();
    (dir, p)
}

#[test]
fn valid_file_reads_and_round_trips() {
    let s = small_survey();
    assert_eq!(s.spectra.dim(), (5, 1000));
    let (_d, p) = write_tmp(&s);
    let back = Survey::read(&p).unwrap();
    assert_eq!(back.spectra, s.spectra);
    assert_eq!(back.mask, s.mask);
    assert_eq!(back.meta.lineindex_cln, s.meta.lineindex_cln);
    assert_eq!(back.coeff1, s.coeff1);
}

#[test]
fn missing_file() {
    let (e, msg) = read_err(Path::new("/nonexistent/spec64k.npz"));
    assert!(matches!(e, DataError::Io { .. }), "{msg}");
}

#[test]
fn not_a_zip_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.npz");
    std::fs::write(&p, "this is not an npz archive").unwrap();
    let (e, msg) = read_err(&p);
    assert!(matches!(e, DataError::NotNpz { .. }), "{msg}");
}

#[test]
fn truncated_file() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(fixture("small_ok.npz")).unwrap();
    for keep in [10, bytes.len() / 2, bytes.len() - 30] {
        let p = dir.path().join(format!("trunc{keep}.npz"));
        std::fs::write(&p, &bytes[..keep]).unwrap();
        let (e, msg) = read_err(&p);
        assert!(
            matches!(e, DataError::NotNpz { .. } | DataError::Corrupt { .. }),
            "{msg}"
        );
    }
}

#[test]
fn corrupt_member_data() {
    // Flip bytes inside the first array's data: the zip CRC check must catch it.
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(fixture("small_ok.npz")).unwrap();
    for b in &mut bytes[400..420] {
        *b ^= 0xff;
    }
    let p = dir.path().join("corrupt.npz");
    std::fs::write(&p, &bytes).unwrap();
    let (e, msg) = read_err(&p);
    assert!(
        matches!(e, DataError::Corrupt { .. } | DataError::NotNpz { .. }),
        "{msg}"
    );
}

#[test]
fn object_arrays_are_refused_not_unpickled() {
    let (e, msg) = read_err(&fixture("bad_object_array.npz"));
    assert!(
        matches!(e, DataError::ObjectArray { ref key, .. } if key == "spectra"),
        "{msg}"
    );
    assert!(msg.contains("pickled"), "{msg}");
}

#[test]
fn wrong_dtypes() {
    let (e, msg) = read_err(&fixture("bad_string_norms.npz"));
    assert!(
        matches!(e, DataError::Dtype { ref key, .. } if key == "norms"),
        "{msg}"
    );
    let (e, msg) = read_err(&fixture("bad_complex_spectra.npz"));
    assert!(
        matches!(e, DataError::Dtype { ref key, .. } if key == "spectra"),
        "{msg}"
    );
}

#[test]
fn empty_arrays() {
    let (e, msg) = read_err(&fixture("bad_empty.npz"));
    assert!(matches!(e, DataError::Empty { .. }), "{msg}");
}

#[test]
fn missing_key() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nomask.npz");
    let s = small_survey();
    let f = std::fs::File::create(&p).unwrap();
    let mut w = ndarray_npy::NpzWriter::new(f);
    w.add_array("spectra", &s.spectra).unwrap();
    w.finish().unwrap();
    let (e, msg) = read_err(&p);
    assert!(
        matches!(e, DataError::MissingKey { ref key, .. } if key == "mask"),
        "{msg}"
    );
    assert!(msg.contains("spectra"), "lists what the file has: {msg}");
}

#[test]
fn mismatched_shapes() {
    let mut s = small_survey();
    s.mask = Array2::from_elem((5, 999), false);
    let (_d, p) = write_tmp(&s);
    let (e, msg) = read_err(&p);
    assert!(
        matches!(e, DataError::Shape { ref key, .. } if key == "mask"),
        "{msg}"
    );

    let mut s = small_survey();
    s.norms = Array1::ones(4);
    let (_d, p) = write_tmp(&s);
    let (e, msg) = read_err(&p);
    assert!(
        matches!(e, DataError::Shape { ref key, .. } if key == "norms"),
        "{msg}"
    );

    let mut s = small_survey();
    s.coeffs = Array2::zeros((5, 11)); // more coefficients than eigenvectors
    let (_d, p) = write_tmp(&s);
    let (e, msg) = read_err(&p);
    assert!(
        matches!(e, DataError::Shape { ref key, .. } if key == "coeffs"),
        "{msg}"
    );

    let mut s = small_survey();
    s.meta.z = Some(Array1::zeros(3));
    let (_d, p) = write_tmp(&s);
    let (e, msg) = read_err(&p);
    assert!(
        matches!(e, DataError::Shape { ref key, .. } if key == "z"),
        "{msg}"
    );
}

#[test]
fn non_finite_values() {
    // NaN flux at an unmasked pixel is an error, naming where it is.
    let mut s = small_survey();
    let j = (0..1000).find(|&j| !s.mask[[2, j]]).unwrap();
    s.spectra[[2, j]] = f32::NAN;
    let (_d, p) = write_tmp(&s);
    let (e, msg) = read_err(&p);
    assert!(matches!(e, DataError::NonFinite { .. }), "{msg}");
    assert!(msg.contains("row 2"), "{msg}");

    // …but NaN at a masked pixel is fine: it is replaced by the PCA fill.
    let mut s = small_survey();
    let j = (0..1000).find(|&j| s.mask[[1, j]]).unwrap();
    s.spectra[[1, j]] = f32::NAN;
    let (_d, p) = write_tmp(&s);
    let sp = Spectra::load(&p).unwrap();
    assert!(sp.x.iter().all(|v| v.is_finite()));
    assert_eq!(sp.w[[1, j]], 0.0);

    // Non-finite errors just get zero weight.
    let mut s = small_survey();
    let j = (0..1000).find(|&j| !s.mask[[0, j]]).unwrap();
    s.spec_err[[0, j]] = f32::INFINITY;
    s.spec_err[[0, j + 1]] = -1.0;
    let (_d, p) = write_tmp(&s);
    let sp = Spectra::load(&p).unwrap();
    assert_eq!(sp.w[[0, j]], 0.0);
    assert_eq!(sp.w[[0, j + 1]], 0.0);

    let mut s = small_survey();
    s.coeffs[[3, 0]] = f32::INFINITY;
    let (_d, p) = write_tmp(&s);
    let (e, msg) = read_err(&p);
    assert!(
        matches!(e, DataError::NonFinite { ref key, .. } if key == "coeffs"),
        "{msg}"
    );
}

#[test]
fn zero_or_negative_norms() {
    for bad in [0.0, -3.0] {
        let mut s = small_survey();
        s.norms[4] = bad;
        let (_d, p) = write_tmp(&s);
        let (e, msg) = read_err(&p);
        assert!(
            matches!(e, DataError::BadValue { ref key, .. } if key == "norms"),
            "{msg}"
        );
        assert!(msg.contains("spectrum 4"), "{msg}");
    }
    let mut s = small_survey();
    s.norms[0] = f32::NAN;
    let (_d, p) = write_tmp(&s);
    let (e, msg) = read_err(&p);
    assert!(matches!(e, DataError::NonFinite { .. }), "{msg}");
}

#[test]
fn integer_masks_and_float64_arrays_are_accepted() {
    // numpy users save masks as uint8 and spectra as float64; both must read.
    let s = small_survey();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f64.npz");
    let f = std::fs::File::create(&p).unwrap();
    let mut w = ndarray_npy::NpzWriter::new(f);
    w.add_array("spectra", &s.spectra.mapv(f64::from)).unwrap();
    w.add_array("mask", &s.mask.mapv(u8::from)).unwrap();
    w.add_array("spec_err", &s.spec_err.mapv(f64::from))
        .unwrap();
    w.add_array("coeff0", &ndarray::arr0(s.coeff0)).unwrap();
    w.add_array("coeff1", &ndarray::arr1(&[s.coeff1])).unwrap();
    w.add_array("norms", &s.norms.mapv(f64::from)).unwrap();
    w.add_array("mu", &s.mu).unwrap();
    w.add_array("evecs", &s.evecs).unwrap();
    w.add_array("coeffs", &s.coeffs).unwrap();
    w.add_array("lineindex_cln", &Array1::<i64>::from_elem(5, 4))
        .unwrap();
    w.finish().unwrap();
    let back = Survey::read(&p).unwrap();
    assert_eq!(back.mask, s.mask);
    assert_eq!(back.spectra, s.spectra);
    assert_eq!(back.meta.lineindex_cln.unwrap()[0], 4);
}
