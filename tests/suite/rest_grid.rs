//! The rest-frame grid: chosen at ingest (`--rest-range`, `--bins`), recorded in the survey
//! file, in checkpoints and in exported weights, and a model refusing spectra on another grid.

use std::path::{Path, PathBuf};

use burn::prelude::Device;
use specae::data::Survey;
use specae::data::grid::LogGrid;
use specae::ingest::desi_write::{DesiLayout, write_desi};
use specae::ingest::{IngestOptions, ingest};
use specae::model::AutoencoderConfig;
use specae::train::load::{LoadModelError, check_grid, model_from_weight_bytes, read_model};
use specae::train::trainer::{Flow, TrainData};
use specae::train::{TrainConfig, Trainer};
use specae::util::progress::Progress;

use crate::common::{fixture, ok};

/// The four real SDSS galaxies of tests/fixtures as DESI coadds in `dir`.
fn desi_copies(dir: &Path) -> Vec<PathBuf> {
    let survey = Survey::read(&fixture("sdss-galaxies.npz")).unwrap();
    let layout = DesiLayout {
        per_file: 4,
        repeat_every: 0,
        resolution: false,
    };
    write_desi(&survey, dir, &layout, &Progress::new()).unwrap();
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// Mean flux over unmasked bins between `lo` and `hi` Å of each spectrum.
fn band_means(s: &Survey, lo: f64, hi: f64) -> Vec<f64> {
    let lam = s.wavelengths();
    (0..s.n_spectra())
        .map(|i| {
            let (sum, n) = (0..s.n_bins())
                .filter(|&j| lam[j] >= lo && lam[j] <= hi && !s.mask[[i, j]])
                .fold((0.0, 0usize), |(a, n), j| {
                    (a + f64::from(s.spectra[[i, j]]), n + 1)
                });
            assert!(n > 20, "spectrum {i}: {n} good bins in {lo}–{hi} Å");
            sum / n as f64
        })
        .collect()
}

#[test]
fn an_ingest_on_a_chosen_grid_records_it_and_keeps_the_same_flux() {
    let dir = tempfile::tempdir().unwrap();
    let files = desi_copies(dir.path());
    let paper = ingest(&files, &IngestOptions::default(), &Progress::new()).unwrap();
    assert!(paper.survey.grid().same_as(&LogGrid::STANDARD));
    let grid = LogGrid::from_range(3000.0, 7500.0, Some(600)).unwrap();
    let opts = IngestOptions {
        grid,
        ..IngestOptions::default()
    };
    let chosen = ingest(&files, &opts, &Progress::new()).unwrap();
    assert_eq!(chosen.survey.n_spectra(), 4);
    assert_eq!(chosen.survey.n_bins(), 600);
    assert!(chosen.survey.grid().same_as(&grid));
    // The file keeps the grid.
    let path = dir.path().join("chosen.npz");
    chosen.survey.write(&path, false).unwrap();
    let back = Survey::read(&path).unwrap();
    assert!(back.grid().same_as(&grid), "{:?}", back.grid());
    let w = back.wavelengths();
    assert!((w[0] - 3000.0).abs() < 0.01 && (w[599] - 7500.0).abs() < 0.01);
    // Rebinned onto either grid, a spectrum has the same flux density where both cover it.
    let (a, b) = (
        band_means(&paper.survey, 5000.0, 6000.0),
        band_means(&back, 5000.0, 6000.0),
    );
    for (x, y) in a.iter().zip(&b) {
        assert!(
            (x / y - 1.0).abs() < 0.02,
            "5000–6000 Å means {a:?} vs {b:?}"
        );
    }
}

#[test]
fn models_refuse_spectra_on_another_grid_and_name_the_options_that_fit() {
    let builtin =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/builtin-model.safetensors");
    let file = read_model(&builtin, &Device::flex()).unwrap();
    // The built-in weights record the paper's grid.
    assert_eq!(file.grid, Some(LogGrid::STANDARD));
    // Weights that record none (PyTorch's, older specae ones): a 1000-bin model is on the
    // paper's grid.
    let (tensors, _) = specae::model::interop::state_dict(&file.model).unwrap();
    let bare = specae::model::interop::to_safetensors(&tensors, &[], None).unwrap();
    let unrecorded = model_from_weight_bytes(&bare, &builtin, &Device::flex()).unwrap();
    assert_eq!(unrecorded.grid, None);
    assert_eq!(unrecorded.grid(), Some(LogGrid::STANDARD));
    let data = Path::new("wide.npz");
    assert!(check_grid(&file, &builtin, data, &LogGrid::STANDARD).is_ok());
    let shifted = LogGrid::from_range(3000.0, 9000.0, Some(1000)).unwrap();
    let e = check_grid(&file, &builtin, data, &shifted).unwrap_err();
    assert!(matches!(e, LoadModelError::Grid { .. }), "{e}");
    let msg = e.to_string();
    for part in [
        "builtin-model.safetensors was trained on spectra on the rest-frame grid 3388–8310 Å in \
         1000 bins",
        "wide.npz is on 3000–9000 Å in 1000 bins",
        "--rest-range 3388.44-8310.17 --bins 1000",
    ] {
        assert!(msg.contains(part), "{part:?} not in: {msg}");
    }
    let wider = LogGrid::from_range(2400.0, 8310.0, None).unwrap();
    let e = check_grid(&file, &builtin, data, &wider).unwrap_err();
    assert!(matches!(e, LoadModelError::Bins { found: 1384, .. }), "{e}");
}

#[test]
fn checkpoints_and_exported_weights_carry_their_grid() {
    let dir = tempfile::tempdir().unwrap();
    let grid = LogGrid::from_range(2400.0, 9000.0, Some(32)).unwrap();
    let cfg = AutoencoderConfig::new()
        .with_n_bins(32)
        .with_hidden(vec![8])
        .with_latent(2);
    let x = ndarray::Array2::from_shape_fn((40, 32), |(i, j)| ((i * j) % 7) as f32 * 0.1 + 1.0);
    let data = TrainData {
        rows: specae::train::stream::Rows::memory(
            std::sync::Arc::new(x.clone()),
            std::sync::Arc::new(x.mapv(|_| 1.0)),
        ),
        split: specae::data::Split::seeded(40, 0, 0.75),
        identity: None,
        grid: Some(grid),
        infill: None,
    };
    let mut t = Trainer::new(
        TrainConfig::new(cfg).with_batch_size(8).with_max_epochs(1),
        data,
        &Device::flex(),
    )
    .unwrap();
    t.run_epoch(&mut |_| Flow::Continue).unwrap();
    let ck = dir.path().join("ck.safetensors");
    specae::train::checkpoint::save(&t, "cpu", &ck).unwrap();
    let from_ck = read_model(&ck, &Device::flex()).unwrap();
    assert_eq!(from_ck.grid, Some(grid));
    let weights = dir.path().join("w.safetensors");
    specae::train::checkpoint::export_weights(&from_ck.model, Some(&grid), &weights).unwrap();
    let bytes = std::fs::read(&weights).unwrap();
    let from_w = model_from_weight_bytes(&bytes, &weights, &Device::flex()).unwrap();
    assert_eq!(from_w.grid, Some(grid));
    let same_width = LogGrid::from_range(3000.0, 9000.0, Some(32)).unwrap();
    let e = check_grid(&from_w, &weights, Path::new("d.npz"), &same_width).unwrap_err();
    assert!(matches!(e, LoadModelError::Grid { .. }), "{e}");
    assert!(check_grid(&from_w, &weights, Path::new("d.npz"), &grid).is_ok());
    // Without a recorded grid, a model of another width is checked by its width alone.
    let bare = dir.path().join("bare.safetensors");
    specae::train::checkpoint::export_weights(&from_ck.model, None, &bare).unwrap();
    let from_bare = read_model(&bare, &Device::flex()).unwrap();
    assert_eq!(from_bare.grid(), None);
    assert!(check_grid(&from_bare, &bare, Path::new("d.npz"), &same_width).is_ok());
}

#[test]
fn ingest_takes_rest_range_and_bins_and_evaluate_refuses_the_builtin_model_on_them() {
    let dir = tempfile::tempdir().unwrap();
    let desi = dir.path().join("desi");
    std::fs::create_dir_all(&desi).unwrap();
    desi_copies(&desi);
    let bin = env!("CARGO_BIN_EXE_specae");
    let run = |args: &[&str]| std::process::Command::new(bin).args(args).output().unwrap();
    let d = desi.to_str().unwrap();
    let wide = dir.path().join("wide.npz");
    let w = wide.to_str().unwrap();
    let stdout = ok(run(&[
        "ingest",
        d,
        "--out",
        w,
        "--rest-range",
        "3000-9000",
        "--bins",
        "1000",
    ]));
    assert!(
        stdout.contains("rest frame 3000–9000 Å in 1000 bins"),
        "{stdout}"
    );
    assert!(stdout.contains("not the paper's grid"), "{stdout}");
    let builtin =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/builtin-model.safetensors");
    let e = run(&["evaluate", builtin.to_str().unwrap(), "--data", w]);
    assert_eq!(e.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&e.stderr);
    assert!(
        stderr.contains("--rest-range 3388.44-8310.17 --bins 1000"),
        "{stderr}"
    );
    // The paper's range as a user writes it is the paper's grid: no warning.
    let paper = dir.path().join("paper.npz");
    let stdout = ok(run(&[
        "ingest",
        d,
        "--out",
        paper.to_str().unwrap(),
        "--rest-range",
        "3388-8310",
    ]));
    assert!(!stdout.contains("not the paper's grid"), "{stdout}");
    assert!(Survey::read(&paper).unwrap().grid() == LogGrid::STANDARD);
    // Absurd options are refused before any file is read.
    for (args, says) in [
        (&["--rest-range", "9000-3000"][..], "it must rise"),
        (&["--rest-range", "3000"][..], "is not a range"),
        (&["--rest-range", "3000-9000", "--bins", "3"][..], "3 bins"),
        (&["--bins", "100000"][..], "100000 bins"),
    ] {
        let mut a = vec!["ingest", d, "--out", w];
        a.extend_from_slice(args);
        let e = run(&a);
        assert_ne!(e.status.code(), Some(0), "{args:?}");
        let stderr = String::from_utf8_lossy(&e.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}
