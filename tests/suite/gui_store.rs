//! A survey store in the explorer: it opens without its spectra in memory, shows what the
//! same survey as an npz shows (latents, the inspected spectrum bit for bit, a selection's
//! residuals), and trains from disk.

use specae::app::commands::AppCommand;
use specae::app::explorer::SpecaeApp;
use specae::app::persisted::TrainSettings;
use specae::app::training::RunStatus;
use specae::data::Survey;
use specae::data::store::write_survey_rows;
use specae::train::backend::BackendChoice;
use specae::util::progress::Progress;

use super::gui::{assert_no_errors, loaded, wait_for};

/// The selection every session is asked for: rows in three blocks of the store, one twice.
const PICK: [u32; 5] = [5, 130, 131, 400, 130];

fn inspected_x(h: &mut egui_kittest::Harness<'static, SpecaeApp>, i: usize) -> Vec<f32> {
    h.state_mut().send(AppCommand::Focus(i));
    wait_for(h, 60, "the inspector", |a| {
        a.inspected()
            .is_some_and(|ins| ins.index == i && !ins.xhat.is_empty())
    });
    h.state().inspected().unwrap().x.clone()
}

fn selection_counts(h: &mut egui_kittest::Harness<'static, SpecaeApp>) -> ndarray::Array2<u64> {
    h.state_mut().send(AppCommand::Select(PICK.to_vec()));
    h.state_mut().send(AppCommand::SelectionResiduals);
    wait_for(h, 120, "the selection's residuals", |a| {
        a.selection_residuals().is_some()
    });
    let r = h.state().selection_residuals().unwrap();
    r.hist.vs_wavelength.counts.clone()
}

fn analysed(a: &SpecaeApp) -> bool {
    a.session().analysis_complete() && !a.is_busy()
}

#[test]
fn a_store_opens_on_disk_and_shows_what_its_npz_shows() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = loaded(dir.path());
    wait_for(&mut h, 600, "the built-in survey's analysis", analysed);
    let npz = dir.path().join("builtin.npz");
    let z_npz = h.state().session().latents.as_ref().unwrap().z.clone();
    let x_npz = inspected_x(&mut h, 131);
    let counts_npz = selection_counts(&mut h);

    // The same survey as a store of 128-spectrum chunks (5 blocks).
    let store = dir.path().join("builtin.zarr");
    let survey = Survey::read(&npz).unwrap();
    write_survey_rows(&survey, &store, 128, &Progress::new()).unwrap();
    h.state_mut().send(AppCommand::OpenData(store.clone()));
    wait_for(&mut h, 600, "the store", |a| {
        a.session().data.as_ref().is_some_and(|d| d.path == store)
    });
    let d = h.state().session().data.as_ref().unwrap();
    assert!(
        d.spectra.memory().is_none() && d.own.memory().is_none(),
        "the store's spectra were read into memory"
    );
    assert_eq!(d.n(), z_npz.nrows());
    h.state_mut().send(AppCommand::OpenModel("builtin".into()));
    wait_for(&mut h, 600, "the store's analysis", |a| {
        a.session().model.is_some() && analysed(a)
    });
    let s = h.state().session();
    // This small survey's PCA basis is not the built-in model's training survey's: its masked
    // pixels are refilled as the model saw them, which reads a store this small whole (as
    // `specae analyze` does); the file's own rows stay on disk.
    let d = s.data.as_ref().unwrap();
    assert!(d.spectra.memory().is_some() && d.own.memory().is_none());
    let z_store = &s.latents.as_ref().unwrap().z;
    let worst = z_store
        .iter()
        .zip(z_npz.iter())
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(worst < 1e-4, "latents differ by {worst}");
    assert_eq!(
        inspected_x(&mut h, 131),
        x_npz,
        "the inspected spectrum read from disk is the npz's, bit for bit"
    );
    assert_eq!(selection_counts(&mut h), counts_npz);
    assert_no_errors(h.state());

    // Training from the explorer streams the store.
    let settings = TrainSettings {
        max_epochs: 2,
        backend: BackendChoice::Cpu,
        ..Default::default()
    };
    h.state_mut().send(AppCommand::StartTraining(settings));
    wait_for(&mut h, 600, "the run on the store to end", |a| {
        a.training()
            .is_some_and(|t| matches!(t.status, RunStatus::Finished(_)))
    });
    let best = h
        .state()
        .training()
        .unwrap()
        .out_dir
        .join("best.safetensors");
    wait_for(&mut h, 600, "the run's model on the store", |a| {
        a.session()
            .model
            .as_ref()
            .is_some_and(|m| m.path.as_deref() == Some(best.as_path()))
            && analysed(a)
    });
    assert!(
        h.state()
            .session()
            .data
            .as_ref()
            .unwrap()
            .spectra
            .memory()
            .is_none(),
        "a model trained on the store sees it on disk"
    );
    // Read from disk: the inspected spectrum is the npz's own row bit for bit, and the
    // selection's residuals are those of its rows in memory under the same model.
    let own = specae::data::Spectra::load(&npz).unwrap();
    assert_eq!(inspected_x(&mut h, 131), own.x.row(131).to_vec());
    let on_disk = selection_counts(&mut h);
    let s = h.state().session();
    let range = s.scores.as_ref().unwrap().residuals.vs_wavelength.y_range();
    let in_memory = specae::analysis::residuals::residuals_of_rows(
        &s.model.as_ref().unwrap().model,
        &burn::prelude::Device::flex(),
        (&own).into(),
        &PICK,
        range,
    )
    .unwrap();
    assert_eq!(on_disk, in_memory.vs_wavelength.counts);
    // Opened again later, the model's latents come from its cached analysis (no encoding),
    // which names this model and this store; other data do not match it.
    let m = s.model.as_ref().unwrap();
    let cache = m.analysis_dir.clone().unwrap();
    let z = &s.latents.as_ref().unwrap().z;
    let cached = |data: &std::path::Path| {
        specae::analysis::store::cached_latents(&cache, &best, data, z.nrows(), z.ncols())
    };
    assert_eq!(cached(&store).as_ref(), Some(z));
    assert!(cached(&npz).is_none(), "the cache is not the npz's");
    assert_no_errors(h.state());
}
