//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use specae::data::Survey;
use specae::spectro::lines::lam;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// The real SDSS spectra of ../shared/fixtures/sdss. Tests that use them are `#[ignore]`d
/// with the reason and named `…_on_the_shared_fixtures` (scripts/test.sh includes them when
/// the folder is there); run without it, they fail saying so.
pub fn sdss_fixtures() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/sdss");
    assert!(
        p.is_dir(),
        "{} is absent: this test needs the project's shared fixtures",
        p.display()
    );
    p
}

/// Copies the FITS files of `src` into each of `subfolders` of `dir` (as a user's download
/// folders hold the same spectra twice).
pub fn copy_fits(src: &Path, dir: &Path, subfolders: &[&str]) {
    for sub in subfolders {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d).unwrap();
        for e in std::fs::read_dir(src).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|e| e == "fits" || e == "fit") {
                std::fs::copy(&p, d.join(p.file_name().unwrap())).unwrap();
            }
        }
    }
}

/// The small valid fixture (5 spectra from reference.py synth).
pub fn small_survey() -> Survey {
    Survey::read(&fixture("small_ok.npz")).expect("small_ok.npz reads")
}

// ---- Small FITS files written by the tests ------------------------------------------------

pub fn card(out: &mut Vec<u8>, s: &str) {
    let mut c = format!("{s:<80}").into_bytes();
    c.truncate(80);
    out.extend(c);
}

pub fn pad(out: &mut Vec<u8>, byte: u8) {
    while !out.len().is_multiple_of(2880) {
        out.push(byte);
    }
}

/// A binary-table extension header of `rows` rows of `row_bytes` bytes with `columns`
/// (name, TFORM), padded to its block.
pub fn bintable_header(
    out: &mut Vec<u8>,
    row_bytes: usize,
    rows: usize,
    columns: &[(&str, &str)],
    extname: &str,
) {
    let mut cards = vec![
        "XTENSION= 'BINTABLE'".to_string(),
        "BITPIX  =                    8".into(),
        "NAXIS   =                    2".into(),
        format!("NAXIS1  = {row_bytes:>20}"),
        format!("NAXIS2  = {rows:>20}"),
        "PCOUNT  =                    0".into(),
        "GCOUNT  =                    1".into(),
        format!("TFIELDS = {:>20}", columns.len()),
    ];
    for (k, (name, form)) in columns.iter().enumerate() {
        let k = k + 1;
        cards.push(format!(
            "{:<8}= {:<10}",
            format!("TTYPE{k}"),
            format!("'{name:<8}'")
        ));
        cards.push(format!(
            "{:<8}= {:<10}",
            format!("TFORM{k}"),
            format!("'{form:<8}'")
        ));
    }
    cards.push(format!("EXTNAME = '{extname:<8}'"));
    cards.push("END".into());
    for c in &cards {
        card(out, c);
    }
    pad(out, b' ');
}

/// A minimal DR8-style spec file: COADD (flux, loglam, ivar, and_mask) and SPECOBJ (Z,
/// ZWARNING, CLASS) with a Gaussian emission line at Hα.
pub fn write_spec(
    path: &Path,
    z: f64,
    zwarning: i32,
    class: &str,
    rows_claimed: usize,
    rows: usize,
) {
    write_spec_masked(path, z, zwarning, class, rows_claimed, rows, 0);
}

/// [`write_spec`] with every pixel's `and_mask` set to `and_mask`.
pub fn write_spec_masked(
    path: &Path,
    z: f64,
    zwarning: i32,
    class: &str,
    rows_claimed: usize,
    rows: usize,
    and_mask: i32,
) {
    let mut b = vec![];
    for c in [
        "SIMPLE  =                    T",
        "BITPIX  =                    8",
        "NAXIS   =                    0",
        "EXTEND  =                    T",
        "END",
    ] {
        card(&mut b, c);
    }
    pad(&mut b, b' ');
    bintable_header(
        &mut b,
        16,
        rows_claimed,
        &[
            ("flux", "E"),
            ("loglam", "E"),
            ("ivar", "E"),
            ("and_mask", "J"),
        ],
        "COADD",
    );
    for i in 0..rows {
        let ll = 3.5800 + 1e-4 * i as f64;
        let l = 10f64.powf(ll);
        let flux = 10.0 + 50.0 * (-0.5 * ((l - lam::H_ALPHA * (1.0 + z)) / 3.0).powi(2)).exp();
        b.extend((flux as f32).to_be_bytes());
        b.extend((ll as f32).to_be_bytes());
        b.extend(1.0f32.to_be_bytes());
        b.extend(and_mask.to_be_bytes());
    }
    if rows < rows_claimed {
        // Cut short on a block boundary: the table simply ends.
        pad(&mut b, 0);
        std::fs::write(path, &b).unwrap();
        return;
    }
    pad(&mut b, 0);
    bintable_header(
        &mut b,
        14,
        1,
        &[("Z", "E"), ("ZWARNING", "J"), ("CLASS", "6A")],
        "SPECOBJ",
    );
    b.extend((z as f32).to_be_bytes());
    b.extend(zwarning.to_be_bytes());
    b.extend(format!("{class:<6}").as_bytes());
    pad(&mut b, 0);
    std::fs::write(path, &b).unwrap();
}

/// A minimal DR7 spSpec file: a primary image of 4 rows (flux, continuum-subtracted flux,
/// error, mask) × `npix` pixels, wavelengths from COEFF0/COEFF1, redshift and class in the
/// header; no line table.
pub fn write_spspec(path: &Path, z: f64, npix: usize) {
    let mut b = vec![];
    for c in [
        "SIMPLE  =                    T".to_string(),
        "BITPIX  =                  -32".into(),
        "NAXIS   =                    2".into(),
        format!("NAXIS1  = {npix:>20}"),
        "NAXIS2  =                    4".into(),
        "COEFF0  =               3.5800".into(),
        "COEFF1  =               0.0001".into(),
        format!("Z       = {z:>20}"),
        "Z_ERR   =               0.0001".into(),
        "SPEC_CLN=                    2".into(),
        "ZWARNING=                    0".into(),
        "PLATEID =                  266".into(),
        "MJD     =                51630".into(),
        "FIBERID =                  227".into(),
        "END".into(),
    ] {
        card(&mut b, &c);
    }
    pad(&mut b, b' ');
    for row in 0..4 {
        for i in 0..npix {
            let l = 10f64.powf(3.58 + 1e-4 * i as f64);
            let v = match row {
                0 => 10.0 + 50.0 * (-0.5 * ((l - lam::H_ALPHA * (1.0 + z)) / 3.0).powi(2)).exp(),
                1 => 0.0,
                2 => 1.0,
                _ => 0.0,
            };
            b.extend((v as f32).to_be_bytes());
        }
    }
    pad(&mut b, 0);
    std::fs::write(path, &b).unwrap();
}

/// The stdout of a command that must have succeeded (its stdout and stderr shown otherwise).
pub fn ok(out: std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs the specae binary with `args`.
pub fn specae(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_specae"))
        .args(args)
        .output()
        .unwrap()
}

/// `specae generate --n N --out dir/name` (a small built-in-like survey), checked to succeed.
pub fn generated_survey(dir: &Path, name: &str, n: usize) -> PathBuf {
    let p = dir.join(name);
    ok(specae(&[
        "generate",
        "--n",
        &n.to_string(),
        "--out",
        p.to_str().unwrap(),
    ]));
    p
}
