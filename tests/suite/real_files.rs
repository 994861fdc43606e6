//! End to end on real SDSS files, as a user's download folders hold them: the same spectra in
//! two folders. `ingest` → `train` → `analyze` → `figures` succeed, and the explorer opens the
//! result. Skipped (saying so) where ../shared/fixtures/sdss is absent.

use std::process::Command;

use crate::common::{copy_fits, ok, sdss_fixtures};

fn specae() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_specae"));
    c.env(
        "SPECAE_DATA_DIR",
        std::env::temp_dir().join("specae-test-data"),
    );
    c
}

#[test]
#[ignore = "needs ../shared/fixtures beside the checkout; scripts/test.sh includes it when they are there"]
fn real_fits_folders_with_duplicates_run_end_to_end_on_the_shared_fixtures() {
    let src = sdss_fixtures();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_fits(&src, dir, &["a", "b/copies"]);
    let survey = dir.join("survey.npz");
    let table = ok(specae()
        .arg("ingest")
        .arg(dir.join("a"))
        .arg(dir.join("b"))
        .arg("--out")
        .arg(&survey)
        .output()
        .unwrap());
    assert!(table.contains("7 kept"), "{table}");
    let run = dir.join("run");
    ok(specae()
        .args(["train", "--backend", "cpu", "--epochs", "3", "--batch", "4"])
        .arg("--data")
        .arg(&survey)
        .arg("--out")
        .arg(&run)
        .output()
        .unwrap());
    let best = run.join("best.safetensors");
    let text = ok(specae()
        .arg("analyze")
        .arg(&best)
        .arg("--data")
        .arg(&survey)
        .output()
        .unwrap());
    assert!(run.join("best.analysis/analysis.npz").is_file(), "{text}");
    let figs = dir.join("figs");
    ok(specae()
        .arg("figures")
        .arg(&best)
        .arg("--data")
        .arg(&survey)
        .arg("--out")
        .arg(&figs)
        .args(["--format", "png"])
        .output()
        .unwrap());
    assert!(figs.join("manifest.json").is_file());
    assert!(figs.join("umap_class.png").is_file());
    #[cfg(feature = "gui")]
    explorer_opens(dir, &survey, &best);
}

#[cfg(feature = "gui")]
fn explorer_opens(dir: &std::path::Path, survey: &std::path::Path, best: &std::path::Path) {
    use eframe::egui;
    use specae::app::explorer::SpecaeApp;
    use specae::app::options::AppOptions;
    let opts = AppOptions {
        data: Some(survey.to_path_buf()),
        model: Some(best.to_path_buf()),
        builtin_path: Some(dir.join("builtin.npz")),
        runs_dir: dir.join("runs"),
        restore_files: false,
        ..Default::default()
    };
    let ctx = egui::Context::default();
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .with_max_steps(4)
        .build_ui_state(
            |ui, app: &mut SpecaeApp| app.show(ui),
            SpecaeApp::new(opts, None, &ctx),
        );
    let t0 = std::time::Instant::now();
    loop {
        h.step();
        let a = h.state();
        if a.session().analysis_complete() && !a.is_busy() {
            break;
        }
        let errors: Vec<&str> = a
            .messages()
            .iter()
            .filter(|m| m.is_error())
            .map(|m| m.text.as_str())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert!(t0.elapsed().as_secs() < 300, "the explorer did not open it");
        std::thread::sleep(std::time::Duration::from_millis(15));
    }
    let s = h.state().session();
    assert_eq!(s.n(), 7);
    assert_eq!(s.umap.as_ref().unwrap().embedding.nrows(), 7);
    h.state_mut()
        .send(specae::app::commands::AppCommand::Focus(2));
    h.step();
    h.step();
    assert!(h.state().inspected().is_some());
}
