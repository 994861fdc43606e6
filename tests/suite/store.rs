//! The Zarr v3 survey store: round trips with npz, its layout on disk, the CLI, and damaged or
//! unfinished stores refused with the array and chunk named.

use std::path::Path;
use std::process::Command;

use specae::data::Survey;
use specae::data::store::zarr::read_meta;
use specae::synth::SynthConfig;
use specae::util::progress::Progress;

use crate::common::ok;

fn specae() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_specae"));
    c.env(
        "SPECAE_DATA_DIR",
        std::env::temp_dir().join("specae-test-data"),
    );
    c
}

/// A generated survey of `n` spectra (with every optional column and the truth columns).
fn survey(n: usize) -> Survey {
    let cfg = SynthConfig {
        n,
        seed: 5,
        ..SynthConfig::default()
    };
    specae::synth::generate(&cfg, &Progress::new()).unwrap()
}

fn assert_same(a: &Survey, b: &Survey) {
    assert_eq!(a.spectra, b.spectra);
    assert_eq!(a.mask, b.mask);
    assert_eq!(a.spec_err, b.spec_err);
    assert_eq!((a.coeff0, a.coeff1), (b.coeff0, b.coeff1));
    assert_eq!(a.norms, b.norms);
    assert_eq!(a.mu, b.mu);
    assert_eq!(a.evecs, b.evecs);
    assert_eq!(a.coeffs, b.coeffs);
    assert_eq!(a.evals, b.evals);
    let (m, n) = (&a.meta, &b.meta);
    assert_eq!(m.lineindex_cln, n.lineindex_cln);
    assert_eq!(m.z, n.z);
    assert_eq!(m.plate, n.plate);
    assert_eq!(m.mjd, n.mjd);
    assert_eq!(m.fiber, n.fiber);
    assert_eq!(m.targetid, n.targetid);
    let (t, u) = (a.truth.as_ref().unwrap(), b.truth.as_ref().unwrap());
    assert_eq!(t.kind, u.kind);
    assert_eq!(t.oddity, u.oddity);
    assert_eq!(t.vdisp, u.vdisp);
    assert_eq!(t.alpha_fe, u.alpha_fe);
}

/// A survey written as a store reads back identical, with the layout zarr-python expects:
/// a root group saying it is complete, arrays chunked by whole spectra, full-size chunk files
/// (the last one padded), the grid in the attributes.
#[test]
fn a_survey_round_trips_through_a_zarr_store() {
    let dir = tempfile::tempdir().unwrap();
    let s = survey(300);
    let store = dir.path().join("s.zarr");
    s.write(&store, false).unwrap();
    assert!(!dir.path().join("s.zarr.partial").exists(), "finished");
    let back = Survey::read(&store).unwrap();
    assert_same(&s, &back);

    let root: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.join("zarr.json")).unwrap()).unwrap();
    assert_eq!(root["node_type"], "group");
    let a = &root["attributes"]["specae"];
    assert_eq!(a["complete"], true);
    assert_eq!(a["n_spectra"], 300);
    assert_eq!(a["grid"]["coeff0"].as_f64(), Some(s.coeff0));
    let meta = read_meta(&store, "spectra").unwrap();
    assert_eq!(meta.shape, vec![300, 1000]);
    assert_eq!(meta.chunks[1], 1000, "whole spectra per chunk");
    let chunk = std::fs::metadata(store.join("spectra/c/0/0"))
        .unwrap()
        .len();
    assert_eq!(chunk as usize, meta.chunk_bytes());
    // Another write of the same survey has the same content id; a different survey another.
    let id = |p: &Path| specae::data::identity::FileIdentity::of(p).unwrap();
    let again = dir.path().join("t.zarr");
    s.write(&again, false).unwrap();
    assert!(id(&store).same_content(&id(&again)));
    survey(200).write(&again, false).unwrap();
    assert!(!id(&store).same_content(&id(&again)), "replaced in place");
    assert_eq!(Survey::read(&again).unwrap().n_spectra(), 200);
}

/// `specae convert` both ways and `specae info` on a store: npz → zarr → npz gives the same
/// arrays; generate writes a store directly when --out ends in .zarr.
#[test]
fn convert_goes_both_ways_and_commands_read_stores() {
    let dir = tempfile::tempdir().unwrap();
    let npz = dir.path().join("s.npz");
    ok(specae()
        .args(["generate", "--n", "250", "--seed", "2", "--out"])
        .arg(&npz)
        .output()
        .unwrap());
    let store = dir.path().join("s.zarr");
    ok(specae()
        .arg("convert")
        .arg(&npz)
        .arg(&store)
        .output()
        .unwrap());
    let back = dir.path().join("back.npz");
    ok(specae()
        .arg("convert")
        .arg(&store)
        .arg(&back)
        .output()
        .unwrap());
    assert_same(&Survey::read(&npz).unwrap(), &Survey::read(&back).unwrap());
    // info reads a store a block at a time; it reports what it reports of the npz.
    let info = |p: &Path| ok(specae().args(["info", "--json"]).arg(p).output().unwrap());
    assert!(info(&store).contains("\"n_spectra\": 250"));
    assert_eq!(info(&store), info(&npz));
    let direct = dir.path().join("direct.zarr");
    ok(specae()
        .args(["generate", "--n", "250", "--seed", "2", "--out"])
        .arg(&direct)
        .output()
        .unwrap());
    // Generated straight into a store: the same spectra, errors, masks and catalogue (the
    // infill is fitted per spectrum from the sample's basis; tested in synth::to_store).
    let (a, b) = (Survey::read(&npz).unwrap(), Survey::read(&direct).unwrap());
    assert_eq!(a.spectra, b.spectra);
    assert_eq!(a.spec_err, b.spec_err);
    assert_eq!(a.mask, b.mask);
    assert_eq!(a.meta.lineindex_cln, b.meta.lineindex_cln);
    assert_eq!(a.meta.z, b.meta.z);
    // The same path in and out is refused.
    let o = specae()
        .arg("convert")
        .arg(&npz)
        .arg(&npz)
        .output()
        .unwrap();
    assert!(!o.status.success());
}

fn err_of(p: &Path) -> String {
    match Survey::read(p) {
        Ok(_) => panic!("{} read as whole", p.display()),
        Err(e) => e.to_string(),
    }
}

/// Damage is an error naming the store, the array and the chunk: a missing chunk, a truncated
/// chunk, a dtype specae does not read, absurd or inconsistent shapes, compressed or
/// bin-chunked arrays of other writers, and a store whose writing was interrupted.
#[test]
fn damaged_and_unfinished_stores_are_refused_with_the_array_and_chunk_named() {
    let dir = tempfile::tempdir().unwrap();
    let s = survey(120);
    let good = dir.path().join("good.zarr");
    s.write(&good, false).unwrap();
    let copy = |name: &str| {
        let p = dir.path().join(name);
        let o = Command::new("cp")
            .arg("-r")
            .arg(&good)
            .arg(&p)
            .output()
            .unwrap();
        assert!(o.status.success());
        p
    };
    let edit_meta = |store: &Path, key: &str, f: &dyn Fn(&mut serde_json::Value)| {
        let p = store.join(key).join("zarr.json");
        let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        f(&mut v);
        std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    };

    let p = copy("missing.zarr");
    std::fs::remove_file(p.join("spec_err/c/0/0")).unwrap();
    let e = err_of(&p);
    assert!(
        e.contains("missing.zarr")
            && e.contains("'spec_err'")
            && e.contains("chunk c/0/0 is missing"),
        "{e}"
    );

    let p = copy("truncated.zarr");
    let f = p.join("spectra/c/0/0");
    let len = std::fs::metadata(&f).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&f)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let e = err_of(&p);
    assert!(e.contains("'spectra'") && e.contains("truncated"), "{e}");

    let p = copy("dtype.zarr");
    edit_meta(&p, "norms", &|v| v["data_type"] = "complex64".into());
    let e = err_of(&p);
    assert!(e.contains("'norms'") && e.contains("complex64"), "{e}");

    let p = copy("absurd.zarr");
    edit_meta(&p, "spectra", &|v| {
        v["shape"] = serde_json::json!([1_000_000_000_000u64, 1000])
    });
    let e = err_of(&p);
    assert!(e.contains("'spectra'") && e.contains("64 GiB"), "{e}");

    let p = copy("shape.zarr");
    edit_meta(&p, "mask", &|v| v["shape"] = serde_json::json!([119, 1000]));
    let e = err_of(&p);
    assert!(
        e.contains("'mask'") && e.contains("shape [119, 1000]"),
        "{e}"
    );

    let p = copy("gzip.zarr");
    edit_meta(&p, "spectra", &|v| {
        v["codecs"] = serde_json::json!([{"name": "bytes", "configuration": {"endian": "little"}},
                                         {"name": "gzip", "configuration": {"level": 5}}])
    });
    let e = err_of(&p);
    assert!(e.contains("'spectra'") && e.contains("codecs"), "{e}");

    let p = copy("binchunks.zarr");
    edit_meta(&p, "spectra", &|v| {
        v["chunk_grid"]["configuration"]["chunk_shape"] = serde_json::json!([120, 500])
    });
    let e = err_of(&p);
    assert!(e.contains("'spectra'") && e.contains("rechunk"), "{e}");

    // An interrupted write: the root does not say complete (or the folder is the .partial).
    let p = copy("unfinished.zarr");
    let root = p.join("zarr.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&root).unwrap()).unwrap();
    v["attributes"]["specae"]["complete"] = false.into();
    std::fs::write(&root, serde_json::to_vec(&v).unwrap()).unwrap();
    let e = err_of(&p);
    assert!(e.contains("incomplete") && e.contains("interrupted"), "{e}");

    let p = copy("notjson.zarr");
    std::fs::write(p.join("zarr.json"), b"{\"zarr_format\": 3, ").unwrap();
    let e = err_of(&p);
    assert!(e.contains("not valid JSON"), "{e}");
}

/// A cancelled write leaves no store and no partial folder; a store already at the path stays
/// as it was.
#[test]
fn a_cancelled_store_write_leaves_the_previous_store() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.zarr");
    let old = survey(100);
    old.write(&p, false).unwrap();
    let progress = Progress::new();
    progress.cancel();
    let e = survey(150).write_with(&p, false, &progress).unwrap_err();
    assert!(e.to_string().contains("cancelled"), "{e}");
    assert!(!dir.path().join("s.zarr.partial").exists());
    assert_eq!(Survey::read(&p).unwrap().n_spectra(), 100);
}

/// zarr-python (3.x) opens a store specae wrote, as any Zarr v3 store: the arrays' shapes and
/// dtypes, the spectra's values and the group's attributes; where xarray and Dask are installed
/// too, `xr.open_zarr` opens it as one dataset (every array named dimensions of consistent
/// sizes) and `dask.array.from_zarr` reads it lazily. Needs python3 with zarr
/// (`python3 -m pip install zarr`); scripts/test.sh includes it where that imports.
#[test]
#[ignore = "needs python3 with zarr (python3 -m pip install zarr); scripts/test.sh includes it when zarr imports"]
fn zarr_python_reads_a_store_specae_wrote_with_zarr_python() {
    let dir = tempfile::tempdir().unwrap();
    let s = survey(200);
    let store = dir.path().join("s.zarr");
    s.write(&store, false).unwrap();
    let python = std::env::var("SPECAE_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = r#"
import sys, json, zarr, numpy as np
g = zarr.open_group(sys.argv[1], mode="r")
x = g["spectra"][:]
m = g["mask"][:]
out = {
  "shape": list(x.shape), "dtype": str(x.dtype), "mask_dtype": str(m.dtype),
  "sum": float(np.float64(x[:, :10].sum())), "first": float(x[3, 500]),
  "masked": int(m.sum()), "z0": float(g["z"][0]), "coeff0": float(g["coeff0"][0]),
  "kind": int(g["truth_kind"][7]), "n": g.attrs["specae"]["n_spectra"],
}
try:  # xarray and Dask, where installed: the whole store as one dataset, lazily.
    import xarray as xr, dask.array as da
    ds = xr.open_zarr(sys.argv[1], consolidated=False)
    out["xarray_sizes"] = {k: int(v) for k, v in ds.sizes.items()}
    out["dask_first"] = float(da.from_zarr(sys.argv[1], component="spectra")[3, 500].compute())
except ImportError:
    pass
print(json.dumps(out))
"#;
    let o = Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(&store)
        .output()
        .unwrap_or_else(|e| panic!("{python}: {e}"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    eprintln!("zarr-python: {v}");
    assert_eq!(v["shape"], serde_json::json!([200, 1000]));
    assert_eq!(v["dtype"], "float32");
    assert_eq!(v["mask_dtype"], "bool");
    let sum: f64 = s
        .spectra
        .slice(ndarray::s![.., ..10])
        .iter()
        .map(|&x| f64::from(x))
        .sum();
    assert!((v["sum"].as_f64().unwrap() - sum).abs() < 1e-3 * sum.abs().max(1.0));
    assert_eq!(v["first"].as_f64().unwrap(), f64::from(s.spectra[[3, 500]]));
    assert_eq!(
        v["masked"].as_u64().unwrap() as usize,
        s.mask.iter().filter(|&&m| m).count()
    );
    assert_eq!(
        v["z0"].as_f64().unwrap(),
        f64::from(s.meta.z.as_ref().unwrap()[0])
    );
    assert_eq!(v["coeff0"].as_f64().unwrap(), s.coeff0);
    assert_eq!(
        v["kind"].as_i64().unwrap(),
        s.truth.as_ref().unwrap().kind[7]
    );
    assert_eq!(v["n"], 200);
    if v.get("xarray_sizes").is_some() {
        assert_eq!(v["xarray_sizes"]["spectrum"], 200);
        assert_eq!(v["xarray_sizes"]["bin"], 1000);
        assert_eq!(v["dask_first"], v["first"]);
    } else {
        eprintln!("note: xarray/dask not installed beside zarr: only zarr-python was tried");
    }
}

/// `specae train` for 2 epochs at batch 32 on the CPU from `data` into `out`.
fn train_on(data: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    specae()
        .args([
            "train",
            "--epochs",
            "2",
            "--batch",
            "32",
            "--backend",
            "cpu",
            "--data",
        ])
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// Training from a store streams it: with the same rows in the same order (no shuffle, the
/// split's training rows ascending) the streamed run's batch losses equal the in-memory run's,
/// and its validation loss agrees to float rounding; shuffled, both runs learn alike.
#[test]
fn training_streamed_from_a_store_equals_training_in_memory() {
    use specae::data::store::{StoreRows, write_survey_rows};
    use specae::data::{Spectra, Split};
    use specae::model::AutoencoderConfig;
    use specae::train::stream::Rows;
    use specae::train::trainer::{Flow, TrainData};
    use specae::train::{TrainConfig, Trainer};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let s = survey(600);
    let path = dir.path().join("s.zarr");
    write_survey_rows(&s, &path, 70, &Progress::new()).unwrap();
    let mem = Spectra::from_survey(s);
    let mut split = Split::seeded(600, 0, 0.8);
    split.train.sort_unstable();
    let data = |rows: Rows| TrainData {
        rows,
        split: split.clone(),
        identity: None,
        grid: None,
        infill: None,
    };
    let config = |shuffle: bool| {
        TrainConfig::new(
            AutoencoderConfig::new()
                .with_n_bins(mem.n_bins())
                .with_hidden(vec![64, 16])
                .with_latent(4),
        )
        .with_batch_size(32)
        .with_max_epochs(3)
        .with_shuffle(shuffle)
    };
    let streamed = || Rows::Stream(Arc::new(StoreRows::open(&path).unwrap()));
    let memory = || Rows::memory(mem.x.clone(), mem.w.clone());
    let dev = burn::prelude::Device::flex();
    let mut a = Trainer::new(config(false), data(memory()), &dev).unwrap();
    let mut b = Trainer::new(config(false), data(streamed()), &dev).unwrap();
    assert_eq!(a.first_batch_losses(8), b.first_batch_losses(8));
    let (va, vb) = (a.validation_loss(), b.validation_loss());
    assert!((va - vb).abs() <= 1e-5 * va, "validation {va} vs {vb}");

    let mut finals = vec![];
    for rows in [memory(), streamed()] {
        let mut t = Trainer::new(config(true), data(rows), &dev).unwrap();
        for _ in 0..3 {
            t.run_epoch(&mut |_| Flow::Continue).unwrap();
        }
        finals.push(t.history.last().unwrap().valid_loss);
    }
    let (m, st) = (finals[0], finals[1]);
    assert!(
        (m - st).abs() <= 0.1 * m,
        "final validation loss in memory {m}, streamed {st}"
    );
}

/// `specae train --data STORE` streams it, and a chunk damaged after the run started is an
/// error naming the array and the chunk, not a panic or a silent skip.
#[test]
fn train_streams_a_store_and_names_a_damaged_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.zarr");
    specae::data::store::write_survey_rows(&survey(400), &path, 50, &Progress::new()).unwrap();
    let run = |out: &str| train_on(&path, &dir.path().join(out), &[]);
    let o = run("a");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("400 spectra streamed from"), "{err}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("epoch   2"));
    std::fs::remove_file(path.join("spectra").join("c").join("5").join("0")).unwrap();
    let o = run("b");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("spectra") && err.contains("chunk c/5/0 is missing"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// `specae analyze` streams a store: the same latents, χ², outlier list and AE scores as the
/// same store read into memory (`--in-memory`); the PCA baseline, fitted on the same rows in
/// another order, agrees to rounding.
#[test]
fn analyze_streams_a_store_with_the_in_memory_results() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.zarr");
    specae::data::store::write_survey_rows(&survey(500), &path, 60, &Progress::new()).unwrap();
    let o = train_on(&path, &dir.path().join("run"), &["--latent", "3"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let model = dir.path().join("run").join("best.safetensors");
    let analyze = |out: &str, extra: &[&str]| {
        let o = specae()
            .arg("analyze")
            .arg(&model)
            .arg("--data")
            .arg(&path)
            .arg("--out")
            .arg(dir.path().join(out))
            .args(["--json", "--umap-epochs", "50"])
            .args(extra)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(o.status.success(), "{err}");
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (v, err)
    };
    let (streamed, err) = analyze("a", &[]);
    assert!(err.contains("500 spectra streamed from"), "{err}");
    let (memory, err) = analyze("b", &["--in-memory"]);
    assert!(!err.contains("streamed"), "{err}");
    let read = |out: &str, f: &str| std::fs::read(dir.path().join(out).join(f)).unwrap();
    assert_eq!(read("a", "latents.npy"), read("b", "latents.npy"));
    assert_eq!(read("a", "outliers.csv"), read("b", "outliers.csv"));
    assert_eq!(streamed["knn_accuracy_ae"], memory["knn_accuracy_ae"]);
    assert_eq!(streamed["oddities"], memory["oddities"]);
    let pca = |v: &serde_json::Value| v["knn_accuracy_pca"]["overall"].as_f64().unwrap();
    assert!((pca(&streamed) - pca(&memory)).abs() <= 0.01);

    // evaluate streams too: the model's validation losses equal, PCA's to rounding.
    let evaluate = |extra: &[&str]| {
        let o = specae()
            .arg("evaluate")
            .arg(&model)
            .arg("--data")
            .arg(&path)
            .arg("--json")
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["validation"].clone()
    };
    let (s, m) = (evaluate(&[]), evaluate(&["--in-memory"]));
    let rows = |v: &serde_json::Value| v.as_array().unwrap().clone();
    assert_eq!(rows(&s).len(), rows(&m).len());
    for (a, b) in rows(&s).iter().zip(rows(&m).iter()) {
        assert_eq!(
            (&a["class"], &a["n"], &a["ae"]),
            (&b["class"], &b["n"], &b["ae"])
        );
        let (p, q) = (a["pca"].as_f64().unwrap(), b["pca"].as_f64().unwrap());
        assert!((p - q).abs() <= 1e-4 * q, "{a} vs {b}");
    }
}

/// `specae evaluate` on fewer training spectra than the model has latents reports the
/// model's losses and says why there is no PCA baseline (it failed on the PCA before).
#[test]
fn evaluate_on_a_handful_of_spectra_reports_the_model_without_a_pca_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.zarr");
    let cfg = SynthConfig {
        n: 8,
        seed: 5,
        pca: specae::pca::PcaConfig {
            n_ev: 4,
            ..Default::default()
        },
        ..SynthConfig::default()
    };
    let tiny = specae::synth::generate(&cfg, &Progress::new()).unwrap();
    tiny.write(&path, false).unwrap();
    let o = specae()
        .args(["evaluate", "builtin", "--json", "--data"])
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("no PCA baseline"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = &v["validation"][0];
    assert_eq!(all["class"], "all");
    assert!(all["ae"].as_f64().unwrap() > 0.0);
    assert!(all["pca"].is_null());
}

/// `specae prep` of a store streams it, a block at a time (x, then w), into the arrays the
/// prep of the same survey as an npz writes: x, w, split, classes and wavelengths equal.
#[test]
fn prep_streams_a_store_into_the_arrays_of_the_npz_prep() {
    use specae::data::prepped::read_prepped;
    let dir = tempfile::tempdir().unwrap();
    let s = survey(300);
    let npz = dir.path().join("s.npz");
    s.write_with(&npz, false, &Progress::new()).unwrap();
    let store = dir.path().join("s.zarr");
    specae::data::store::write_survey_rows(&s, &store, 70, &Progress::new()).unwrap();
    let prep = |data: &Path, out: &str| {
        let o = specae()
            .arg("prep")
            .arg("--data")
            .arg(data)
            .arg("--out")
            .arg(dir.path().join(out))
            .args(["--seed", "3"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        read_prepped(&dir.path().join(out)).unwrap()
    };
    let (a, b) = (prep(&store, "a.npz"), prep(&npz, "b.npz"));
    assert_eq!(a.x, b.x);
    assert_eq!(a.w, b.w);
    assert_eq!(a.split.train, b.split.train);
    assert_eq!(a.split.valid, b.split.valid);
    assert_eq!(a.cls, b.cls);
    assert_eq!(a.lam, b.lam);
    assert_eq!(a.x.nrows(), 300);
}
