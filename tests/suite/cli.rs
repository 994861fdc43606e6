//! The `specae` binary: generate, info, prep, and clear errors on bad input.

use std::process::Command;

use specae::data::{GalaxyClass, Survey};

use crate::common::ok;

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
    // An error of ours (exit 1, "error: …"), not a panic (exit 101).
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error:") && err.contains("--n"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

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

#[test]
fn train_evaluate_and_resume_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.npz");
    ok(specae()
        .args(["generate", "--n", "300", "--out"])
        .arg(&f)
        .output()
        .unwrap());
    let run = dir.path().join("run");
    let text = ok(specae()
        .args([
            "train",
            "--backend",
            "cpu",
            "--epochs",
            "2",
            "--batch",
            "32",
            "--data",
        ])
        .arg(&f)
        .arg("--out")
        .arg(&run)
        .output()
        .unwrap());
    assert_eq!(
        text.lines().filter(|l| l.starts_with("epoch")).count(),
        2,
        "{text}"
    );
    for name in ["best.safetensors", "last.safetensors", "model.safetensors"] {
        assert!(run.join(name).is_file(), "{name}");
    }
    // evaluate: AE and PCA losses overall and per class, as JSON.
    let json = ok(specae()
        .arg("evaluate")
        .arg(run.join("best.safetensors"))
        .arg("--data")
        .arg(&f)
        .arg("--json")
        .output()
        .unwrap());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v["validation"].as_array().unwrap();
    assert_eq!(rows[0]["class"], "all");
    assert!(rows[0]["ae"].as_f64().unwrap() > 0.0 && rows[0]["pca"].as_f64().unwrap() > 0.0);
    assert!(rows.len() >= 2);
    // The exported weights evaluate too (architecture inferred from the file).
    ok(specae()
        .arg("evaluate")
        .arg(run.join("model.safetensors"))
        .arg("--data")
        .arg(&f)
        .output()
        .unwrap());
    // analyze: files next to the model, summary with accuracies and trustworthiness.
    let text = ok(specae()
        .arg("analyze")
        .arg(run.join("best.safetensors"))
        .arg("--data")
        .arg(&f)
        .output()
        .unwrap());
    let adir = run.join("best.analysis");
    assert!(text.contains("kNN classifier"), "{text}");
    for name in [
        "analysis.npz",
        "latents.npy",
        "latents.csv",
        "outliers.csv",
        "summary.json",
    ] {
        assert!(adir.join(name).is_file(), "{name}");
    }
    let stored = specae::analysis::store::read_stored(&adir).unwrap();
    assert_eq!(stored.latents.dim(), (300, 6));
    assert_eq!(stored.embedding.dim(), (300, 2));
    assert_eq!(stored.regions.as_ref().map(|r| r.dim()), Some((300, 10)));
    let csv = std::fs::read_to_string(adir.join("latents.csv")).unwrap();
    assert_eq!(csv.lines().count(), 301);
    assert!(
        csv.starts_with("index,plate,mjd,fiber,class,z,split,z0,"),
        "{csv}"
    );
    assert_eq!(
        std::fs::read_to_string(adir.join("outliers.csv"))
            .unwrap()
            .lines()
            .count(),
        301
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(adir.join("summary.json")).unwrap()).unwrap();
    // The latents separate the classes better than guessing the most common class, and the
    // UMAP keeps their neighbourhoods far better than a random embedding (≈ 0.5).
    let acc = summary["knn_accuracy_ae"]["overall"].as_f64().unwrap();
    let mut per_class: std::collections::BTreeMap<&str, usize> = Default::default();
    for line in csv.lines().skip(1) {
        *per_class
            .entry(line.split(',').nth(4).unwrap())
            .or_default() += 1;
    }
    let majority = *per_class.values().max().unwrap() as f64 / 300.0;
    let trust = summary["trustworthiness"].as_f64().unwrap();
    eprintln!("kNN accuracy {acc:.3} (majority class {majority:.3}), trustworthiness {trust:.3}");
    assert!(
        acc > majority + 0.15 && acc <= 1.0,
        "{acc} vs {majority}: {summary}"
    );
    assert!(trust > 0.85, "{summary}");
    assert!(summary["oddities"]["n_flagged"].is_number(), "{summary}");
    // A corrupt model file: a clear error naming it.
    let bad = dir.path().join("broken.safetensors");
    std::fs::write(&bad, b"not a model").unwrap();
    let out = specae()
        .arg("analyze")
        .arg(&bad)
        .arg("--data")
        .arg(&f)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.safetensors") && !err.contains("panicked"),
        "{err}"
    );
    // figures: every figure in each format, a manifest; bad format and folder are errors.
    let figs = dir.path().join("figs");
    ok(specae()
        .arg("figures")
        .arg(run.join("best.safetensors"))
        .arg("--data")
        .arg(&f)
        .args(["--format", "png,svg,pdf", "--dpi", "50", "--out"])
        .arg(&figs)
        .output()
        .unwrap());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(figs.join("manifest.json")).unwrap()).unwrap();
    let entries = manifest["figures"].as_array().unwrap();
    let names: Vec<&str> = entries
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    for name in [
        "training_curves.png",
        "corner.svg",
        "umap_class.pdf",
        "spectrum_typical.png",
        "residuals.svg",
        "track_line.pdf",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
        assert!(figs.join(name).is_file(), "{name}");
    }
    assert_eq!(entries.len() % 3, 0);
    assert!(manifest["data"]["fingerprint"].is_string());
    for (args, expect) in [
        (vec!["--format", "tiff"], "unknown figure format"),
        (vec!["--format", "png"], "cannot write"),
    ] {
        let out = specae()
            .arg("figures")
            .arg(run.join("best.safetensors"))
            .arg("--data")
            .arg(&f)
            .args(&args)
            .arg("--out")
            .arg(bad.join("sub"))
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect) && !err.contains("panicked"), "{err}");
    }
    // Resume with a higher cap continues at epoch 3.
    let text = ok(specae()
        .args(["train", "--backend", "cpu", "--epochs", "3", "--data"])
        .arg(&f)
        .arg("--out")
        .arg(&run)
        .arg("--resume")
        .arg(run.join("last.safetensors"))
        .output()
        .unwrap());
    let epochs: Vec<&str> = text.lines().filter(|l| l.starts_with("epoch")).collect();
    assert_eq!(epochs.len(), 1, "{text}");
    assert!(epochs[0].starts_with("epoch   3"), "{text}");
    // A checkpoint applied to other data is refused, naming both files.
    let g = dir.path().join("other.npz");
    ok(specae()
        .args(["generate", "--n", "300", "--seed", "9", "--out"])
        .arg(&g)
        .output()
        .unwrap());
    let out = specae()
        .arg("evaluate")
        .arg(run.join("best.safetensors"))
        .arg("--data")
        .arg(&g)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("was trained on") && err.contains("other.npz"),
        "{err}"
    );
    // The same for figures: a model that does not match the data is refused.
    let out = specae()
        .arg("figures")
        .arg(run.join("best.safetensors"))
        .arg("--data")
        .arg(&g)
        .arg("--out")
        .arg(dir.path().join("figs2"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("was trained on"), "{err}");
}

/// `specae train` in the default build chooses its engine by measurement the first time on a
/// machine (GPU engine vs native CPU engine, at the run's batch size), says what it chose and
/// why, remembers it, and the next run reuses the measurement. Without any GPU adapter it says
/// so and trains on the CPU.
#[test]
fn train_says_which_engine_it_chose_by_measurement_and_remembers_it() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("specae-data");
    let f = dir.path().join("s.npz");
    let run = |args: &[&str], out: &str| {
        let o = specae()
            .env("SPECAE_DATA_DIR", &data_dir)
            .args(args)
            .arg(&f)
            .arg("--out")
            .arg(dir.path().join(out))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.status.success(), "{stderr}");
        stderr
    };
    let o = specae()
        .args(["generate", "--n", "200", "--out"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(o.status.success());
    let train = ["train", "--epochs", "1", "--batch", "32", "--data"];
    let first = run(&train, "run1");
    let line = first
        .lines()
        .find(|l| l.starts_with("backend: "))
        .unwrap_or_else(|| panic!("no backend line in {first}"));
    eprintln!("{line}");
    let cache = data_dir.join("engine-speeds.json");
    match specae::train::gpu::open() {
        Ok(gpu) if gpu.software => {
            // lavapipe in CI: not timed (see training::auto_times_both_engines_and_remembers).
            assert!(
                line.starts_with("backend: cpu (specae native engine)")
                    && line.contains(&gpu.adapter)
                    && line.contains("software renderer")
                    && line.contains("training on the CPU"),
                "{line}"
            );
        }
        Ok(gpu) => {
            assert!(
                line.contains("by measurement")
                    && line.contains(&gpu.label())
                    && line.contains("spectra/s vs CPU")
                    && line.contains("at batch 32")
                    && line.contains("measured now"),
                "{line}"
            );
            assert!(cache.is_file(), "the measurement is remembered");
            let second = run(&train, "run2");
            let line2 = second.lines().find(|l| l.starts_with("backend: ")).unwrap();
            assert!(line2.contains(" ago; `specae bench engines`"), "{line2}");
            // The same choice from the same numbers.
            let name = |l: &str| l.split(" (").next().unwrap_or_default().to_string();
            assert_eq!(name(line), name(line2));
        }
        Err(why) => {
            assert!(
                line.starts_with("backend: cpu (specae native engine)")
                    && line.contains("training on the CPU"),
                "{line} ({why})"
            );
        }
    }
}

/// `specae train --backend auto` when the GPU engine panics while it is measured (a device
/// error inside burn's runtime, injected; CI's lavapipe is measured for it): the run trains on
/// the CPU, and the backend line gives the panic's message as the reason.
#[cfg(feature = "gpu")]
#[test]
#[ignore = "needs a wgpu adapter (lavapipe: scripts/install-gui-deps.sh); scripts/test.sh includes it when one is installed"]
fn train_falls_back_to_the_cpu_when_the_gpu_panics_while_measured_on_a_wgpu_adapter() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.npz");
    ok(specae()
        .args(["generate", "--n", "200", "--out"])
        .arg(&f)
        .output()
        .unwrap());
    let o = specae()
        .env("SPECAE_DATA_DIR", dir.path().join("specae-data"))
        .args(["train", "--epochs", "1", "--batch", "32", "--data"])
        .arg(&f)
        .arg("--out")
        .arg(dir.path().join("run"))
        .args(["--inject-gpu-fault", "VK_ERROR_DEVICE_LOST (injected)"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("backend: "))
        .unwrap_or_else(|| panic!("no backend line in {stderr}"));
    assert!(
        line.starts_with("backend: cpu (specae native engine)")
            && line.contains("failed its test run (VK_ERROR_DEVICE_LOST (injected))"),
        "{line}"
    );
    assert!(dir.path().join("run").join("best.safetensors").is_file());
}

/// `specae bench engines` reports an engine that fails at one batch size and goes on with the
/// next (a fault injected into every engine's first step at batch 8).
#[test]
fn bench_engines_reports_a_failed_batch_size_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let o = specae()
        .env("SPECAE_DATA_DIR", dir.path())
        .args([
            "bench",
            "engines",
            "--cpu-only",
            "--batch",
            "8,16",
            "--seconds",
            "0.2",
        ])
        .args(["--inject-fault-at-batch", "8"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert!(o.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with("batch     8: CPU native FAILED (device error (injected by a test))"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("batch    16: CPU native") && lines[1].contains("spectra/s"),
        "{stdout}"
    );
    assert!(stderr.contains("1 engine timing(s) failed"), "{stderr}");
}

/// `specae fidelity` and `specae indices` on real galaxies: the built-in model against a small
/// synthetic survey it was not trained on (weights files get a seeded split), the table and
/// JSON, the residual CSV, the indices figure; bad input is a clear error naming the file.
#[test]
fn fidelity_and_indices_judge_real_galaxies() {
    let dir = tempfile::tempdir().unwrap();
    let survey = dir.path().join("s.npz");
    let ok = |c: &mut Command| ok(c.output().unwrap());
    ok(specae()
        .args(["generate", "--n", "1500", "--seed", "5", "--out"])
        .arg(&survey));
    let model = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/builtin-model.safetensors");
    let real = crate::common::fixture("sdss-galaxies.npz");
    let csv = dir.path().join("resid.csv");
    let json = ok(specae()
        .arg("fidelity")
        .arg(&model)
        .arg("--data")
        .arg(&real)
        .arg("--against")
        .arg(&survey)
        .arg("--residuals")
        .arg(&csv)
        .arg("--fit-latents")
        .arg("--split")
        .arg("--lines")
        .arg("--populations")
        .arg("--json"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v["spectra"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    // Stellar populations fitted to each galaxy and its reconstruction: NGC 3522's σ is its
    // SDSS pipeline's (97 km/s; fitted 93), and the best mix of the survey's populations fits
    // its continuum better than the reconstruction does (2.14 vs 3.64).
    for r in rows {
        let p = &r["populations"];
        let (data, model) = (&p["data"], &p["model"]);
        for f in [data, model] {
            let sigma = f["sigma_kms"].as_f64().unwrap();
            assert!((40.0..=350.0).contains(&sigma), "{r}");
            assert!(f["chi2"].as_f64().unwrap() > 0.0 && f["age_gyr"].as_f64().unwrap() > 0.0);
        }
        assert!(p["model_chi2"].as_f64().unwrap() > 0.5, "{r}");
    }
    let ngc = rows
        .iter()
        .find(|r| r["spectrum"] == "2488-54149-0001")
        .unwrap();
    let p = &ngc["populations"];
    let sigma = p["data"]["sigma_kms"].as_f64().unwrap();
    assert!((80.0..115.0).contains(&sigma), "{p}");
    assert!(
        p["data"]["chi2"].as_f64().unwrap() < p["model_chi2"].as_f64().unwrap(),
        "{p}"
    );
    // Line ratios of the data and the reconstruction: the Seyfert 2's [OIII]/Hβ is a Seyfert's
    // (measured 0.52; the Kewley line at its [NII]/Hα is ~0.4), the star-forming 1045's is
    // low; the quiescent 0266 has no lines to measure (null, not a number).
    let ratio = |name: &str, which: &str, line: &str| {
        let r = rows.iter().find(|r| r["spectrum"] == name).unwrap();
        r["line_ratios"][which][line].as_f64()
    };
    let o3 = ratio("295-51585-0596", "data", "oiii_hb").unwrap();
    assert!((0.35..0.7).contains(&o3), "{o3}");
    assert!(ratio("295-51585-0596", "model", "sii_ha").is_some_and(f64::is_finite));
    assert!(ratio("1045-52725-0628", "data", "oiii_hb").unwrap() < 0.1);
    assert_eq!(ratio("266-51602-0573", "data", "nii_ha"), None);
    // The split adds up to the χ², and the reference's (synthetic spectra of the same S/N)
    // is there to compare with.
    for r in rows {
        let part = |s: &serde_json::Value, k: &str| s[k].as_f64().unwrap();
        let (own, reference) = (&r["split"], &r["reference_split"]);
        let total = part(own, "lines") + part(own, "smooth") + part(own, "pixel");
        let chi2 = r["chi2"].as_f64().unwrap();
        assert!((total / chi2 - 1.0).abs() < 1e-9, "{r}");
        assert!(
            part(own, "lines") >= 0.0 && part(own, "smooth") >= 0.0,
            "{r}"
        );
        let ref_total =
            part(reference, "lines") + part(reference, "smooth") + part(reference, "pixel");
        assert!(ref_total > 0.3 && ref_total < 10.0, "{r}");
    }
    for r in rows {
        let (chi2, refc, ratio) = (
            r["chi2"].as_f64().unwrap(),
            r["reference_chi2"].as_f64().unwrap(),
            r["ratio"].as_f64().unwrap(),
        );
        assert!(
            chi2 > 0.5 && refc > 0.5 && (ratio - chi2 / refc).abs() < 1e-9,
            "{r}"
        );
        // Latents fitted to each galaxy, and to the survey's validation spectra for the ratio.
        let (fitted, ratio_fitted) = (
            r["chi2_fitted"].as_f64().unwrap(),
            r["ratio_fitted"].as_f64().unwrap(),
        );
        assert!(fitted > 0.5 && fitted <= chi2, "{r}");
        assert!(ratio_fitted > 0.5 && ratio_fitted.is_finite(), "{r}");
    }
    assert!(rows.iter().any(|r| r["spectrum"] == "1045-52725-0628"));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 1001);
    assert!(text.starts_with("wavelength,x0,xhat0,sigma0,xfit0,x1"));
    // The fitted reconstructions written are those whose χ² fidelity printed.
    let mut from_csv = [(0.0f64, 0usize); 4];
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        for (i, acc) in from_csv.iter_mut().enumerate() {
            let c = &cells[1 + 4 * i..5 + 4 * i];
            if let Ok(sigma) = c[2].parse::<f64>()
                && sigma > 0.0
            {
                let (x, xfit): (f64, f64) = (c[0].parse().unwrap(), c[3].parse().unwrap());
                acc.0 += ((x - xfit) / sigma).powi(2);
                acc.1 += 1;
            }
        }
    }
    let mut csv_chi2: Vec<f64> = from_csv.iter().map(|(s, n)| s / *n as f64).collect();
    let mut printed: Vec<f64> = rows
        .iter()
        .map(|r| r["chi2_fitted"].as_f64().unwrap())
        .collect();
    csv_chi2.sort_by(f64::total_cmp);
    printed.sort_by(f64::total_cmp);
    for (a, b) in csv_chi2.iter().zip(&printed) {
        assert!((a / b - 1.0).abs() < 1e-3, "{csv_chi2:?} vs {printed:?}");
    }

    let fig = dir.path().join("indices.png");
    let table = ok(specae()
        .args(["indices", "--data"])
        .arg(&survey)
        .arg("--reference")
        .arg(&real)
        .arg("--figure")
        .arg(&fig));
    assert!(
        table.contains("quiescent") && table.contains("1045-52725-0628"),
        "{table}"
    );
    assert!(std::fs::metadata(&fig).unwrap().len() > 10_000);

    let missing = dir.path().join("nope.npz");
    let out = specae()
        .arg("fidelity")
        .arg(&model)
        .arg("--data")
        .arg(&missing)
        .arg("--against")
        .arg(&survey)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("nope.npz"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
