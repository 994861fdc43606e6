//! Triage in the explorer, driven headlessly: label galaxies with the keyboard (N for the next
//! candidate, 0–5 for interest, letters for tags), the learned ranking follows, the labels are
//! on disk at once, and after a restart they are back.

use egui_kittest::kittest::Queryable;
use specae::app::commands::{AppCommand, UiCommand};
use specae::app::explorer::SpecaeApp;
use specae::app::pane::Pane;
use specae::app::persisted::Persisted;
use specae::triage::{Labels, Ranking, Tag};

use super::gui::{assert_no_errors, drop_onto, harness, loaded, options, press, wait_for};

fn focus(h: &egui_kittest::Harness<'_, SpecaeApp>) -> usize {
    h.state().state().focus.expect("a galaxy is inspected")
}

fn rank_of(app: &SpecaeApp, row: usize) -> usize {
    app.ranked()
        .0
        .iter()
        .position(|&i| i as usize == row)
        .expect("every row is ranked")
}

#[test]
fn three_keyboard_labels_reorder_the_learned_ranking_and_survive_a_restart() {
    use eframe::egui::Key;
    let dir = tempfile::tempdir().unwrap();
    let mut h = loaded(dir.path());
    h.state_mut().send(UiCommand::ShowPane(Pane::Outliers));
    h.step();
    press(&mut h, "learned");
    assert_eq!(h.state().state().ranking, Ranking::Learned);
    // Before any label the learned ranking is the combined one (the cold start).
    assert_eq!(h.state().ranked().1, Some(Ranking::Combined));
    let before: Vec<u32> = h.state().ranked().0.to_vec();
    assert!(shows(&h, "no labels yet"));

    // Look, key, next: the top candidate is boring (0, artefact), the next interesting (5,
    // star), the third ordinary (1).
    let mut labelled = vec![];
    for (score, tag) in [
        (Key::Num0, Some(Key::A)),
        (Key::Num5, Some(Key::S)),
        (Key::Num1, None),
    ] {
        h.key_press(Key::N);
        h.step();
        let i = focus(&h);
        assert!(!labelled.contains(&i), "N skipped the labelled galaxies");
        h.key_press(score);
        h.step();
        if let Some(t) = tag {
            h.key_press(t);
            h.step();
        }
        labelled.push(i);
    }
    assert_eq!(
        labelled[0], before[0] as usize,
        "the first candidate is the top one"
    );
    let book = h.state().session().book().expect("labelling is on");
    assert_eq!(book.labels().len(), 3);
    let first = book.label(labelled[0]).unwrap();
    assert_eq!(
        (first.score, first.tags.contains(&Tag::Artefact)),
        (Some(0), true)
    );
    let second = book.label(labelled[1]).unwrap();
    assert_eq!(
        (second.score, second.tags.contains(&Tag::Star)),
        (Some(5), true)
    );
    // On disk already, beside the survey.
    let file = dir.path().join("builtin.npz.labels.csv");
    assert_eq!(book.path, file);
    let on_disk = Labels::read(&file).unwrap();
    assert_eq!(&on_disk, book.labels());

    wait_for(&mut h, 600, "the learned ranking fitted to 3 labels", |a| {
        a.session()
            .current_learned()
            .is_some_and(|l| l.fit.n_labels == 3)
            && a.ranked().1 == Some(Ranking::Learned)
    });
    let app = h.state();
    assert_ne!(app.ranked().0, &before[..], "the ranking changed");
    // The galaxy scored 0 sinks from the top; the one scored 5 rises above it.
    assert!(
        rank_of(app, labelled[0]) > 0,
        "the boring galaxy stayed first"
    );
    assert!(rank_of(app, labelled[1]) < rank_of(app, labelled[0]));
    assert_eq!(
        app.labelled().len(),
        3,
        "the maps mark the labelled galaxies"
    );
    assert!(shows(&h, "learned from 3"));
    assert_no_errors(h.state());

    // Restart with the saved state: the labels and the learned ranking are back.
    let saved: Persisted =
        serde_json::from_str(&serde_json::to_string(h.state().state()).unwrap()).unwrap();
    drop(h);
    let ctx = eframe::egui::Context::default();
    let app = SpecaeApp::new(options(dir.path()), Some(saved), &ctx);
    let mut h2 = harness(app);
    wait_for(&mut h2, 600, "the restart's learned ranking", |a| {
        a.session().analysis_complete()
            && a.session()
                .current_learned()
                .is_some_and(|l| l.fit.n_labels == 3)
            && a.ranked().1 == Some(Ranking::Learned)
    });
    let book = h2.state().session().book().unwrap();
    assert_eq!(book.labels(), &on_disk);
    assert_eq!(book.label(labelled[1]).and_then(|l| l.score), Some(5));
    assert_eq!(h2.state().labelled().len(), 3);

    // A labels CSV dropped onto the window is imported (a collaborator's list).
    let theirs = dir.path().join("theirs.csv");
    let star = h2
        .state()
        .ranked()
        .0
        .iter()
        .map(|&i| i as usize)
        .find(|i| !labelled.contains(i))
        .unwrap();
    let star_id = h2
        .state()
        .session()
        .book()
        .unwrap()
        .id(star)
        .unwrap()
        .to_string();
    std::fs::write(&theirs, format!("id,score,tags\n\"{star_id}\",5,star\n")).unwrap();
    drop_onto(&mut h2, &theirs);
    h2.step();
    let book = h2.state().session().book().unwrap();
    assert_eq!(
        book.labels().len(),
        4,
        "the dropped labels were not imported"
    );
    assert_eq!(book.label(star).and_then(|l| l.score), Some(5));

    // Clearing a label (Delete) removes it from the file too.
    h2.state_mut().send(AppCommand::Focus(labelled[2]));
    h2.step();
    h2.key_press(Key::Delete);
    h2.step();
    assert_eq!(Labels::read(&file).unwrap().len(), 3);
    assert_no_errors(h2.state());
}

fn shows(h: &egui_kittest::Harness<'_, SpecaeApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

#[test]
fn a_damaged_labels_file_is_named_and_never_overwritten() {
    use eframe::egui::Key;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("builtin.npz.labels.csv");
    let bad = "id,score,tags\n266-51602-0001,7,\n";
    std::fs::write(&file, bad).unwrap();
    let mut h = loaded(dir.path());
    let said = crate::gui::said(h.state());
    assert!(
        said.iter()
            .any(|m| m.contains("builtin.npz.labels.csv, line 2") && m.contains("labelling is off")),
        "{said:?}"
    );
    assert!(h.state().session().book().is_none());
    h.key_press(Key::N);
    h.step();
    h.key_press(Key::Num5);
    h.step();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        bad,
        "the file was overwritten"
    );
}
