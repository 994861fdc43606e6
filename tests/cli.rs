//! The `specae` binary: generate, info, prep, and clear errors on bad input.

use std::process::Command;

use specae::data::{GalaxyClass, Survey};

fn specae() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_specae"));
    // Keep the user's data directory out of tests.
    c.env(
        "SPECAE_DATA_DIR",
        std::env::temp_dir().join("specae-test-data"),
    );
    c
}

#[test]
fn generate_then_info_prints_the_expected_counts() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.npz");
    let out = specae()
        .args(["generate", "--n", "400", "--seed", "3", "--out"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let s = Survey::read(&f).unwrap();
    let codes = s.meta.lineindex_cln.as_ref().unwrap();
    let count = |c: GalaxyClass| {
        codes
            .iter()
            .filter(|&&k| GalaxyClass::from_lineindex(k) == c)
            .count()
    };

    let out = specae().args(["info", "--json"]).arg(&f).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["n_spectra"], 400);
    assert_eq!(v["n_bins"], 1000);
    assert_eq!(
        v["n_train"].as_u64().unwrap() + v["n_valid"].as_u64().unwrap(),
        400
    );
    assert_eq!(v["n_train"], 298); // round(400 × 47/63)
    for c in v["classes"].as_array().unwrap() {
        let class: GalaxyClass = serde_json::from_value(c["class"].clone()).unwrap();
        assert_eq!(
            c["count"].as_u64().unwrap() as usize,
            count(class),
            "{class}"
        );
    }
    let masked = v["masked_fraction"].as_f64().unwrap();
    let expect = s.mask.iter().filter(|&&m| m).count() as f64 / s.mask.len() as f64;
    assert!((masked - expect).abs() < 1e-12);

    // The text form names every class with its count.
    let out = specae().arg("info").arg(&f).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for c in GalaxyClass::ALL {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(c.label()))
            .unwrap_or_else(|| panic!("no line for {c} in:\n{text}"));
        assert!(line.contains(&count(c).to_string()), "{line}");
    }

    // prep writes reference.py's schema.
    let p = dir.path().join("prepped.npz");
    let out = specae()
        .args(["prep", "--data"])
        .arg(&f)
        .arg("--out")
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pr = specae::data::prepped::read_prepped(&p).unwrap();
    assert_eq!(pr.x.nrows(), 400);
}

#[test]
fn bad_input_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("broken.npz");
    std::fs::write(&f, b"PK\x03\x04 truncated").unwrap();
    let out = specae().arg("info").arg(&f).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error:"), "{err}");
    assert!(err.contains("broken.npz"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let out = specae()
        .args(["generate", "--n", "0", "--out"])
        .arg(dir.path().join("x.npz"))
        .output()
        .unwrap();
    assert!(!out.status.success());

    // An unwritable destination leaves no partial file behind.
    let missing = dir.path().join("missing-folder").join("x.npz");
    let out = specae()
        .args(["generate", "--n", "30", "--out"])
        .arg(&missing)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing-folder"), "{err}");
    assert!(!missing.exists());
}
