//! Outlier triage from the command line: `specae triage` ranks with and without labels, writes
//! the ranked list (which reads back as labels) and a contact sheet, refuses bad labels files
//! by name and line; `specae bench triage` shows the learned ranking finding what a simulated
//! user finds interesting.

use std::path::Path;

use specae::triage::Labels;

use super::common::{ok, specae};

/// A survey with 3% injected oddities (stars and artefacts) among 4,000 spectra.
fn odd_survey(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("odd.npz");
    ok(specae(&[
        "generate",
        "--n",
        "4000",
        "--oddity-rate",
        "0.03",
        "--out",
        p.to_str().unwrap(),
    ]));
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The ids of the ranked list's first lines.
fn top_ids(csv: &str, k: usize) -> Vec<String> {
    csv.lines()
        .skip(1)
        .take(k)
        .map(|l| l.split(',').nth(2).unwrap().to_string())
        .collect()
}

#[test]
fn triage_ranks_with_labels_writes_a_ranked_list_and_a_contact_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let data = odd_survey(dir.path());
    let (ranked, sheet) = (dir.path().join("ranked.csv"), dir.path().join("sheet.pdf"));
    let out = ok(specae(&[
        "triage",
        "--data",
        s(&data),
        "--top",
        "5",
        "--out",
        s(&ranked),
        "--sheet",
        s(&sheet),
    ]));
    assert!(out.starts_with("combined ranking of"), "{out}");
    let csv = std::fs::read_to_string(&ranked).unwrap();
    assert_eq!(csv.lines().count(), 4001);
    assert!(
        csv.starts_with("rank,row,id,class,z,lof,chi2,combined_percentile,"),
        "{csv}"
    );
    assert!(std::fs::read(&sheet).unwrap().starts_with(b"%PDF"));
    let top = top_ids(&csv, 3);
    // The top candidate is boring (an artefact), the second interesting.
    let labels = dir.path().join("labels.csv");
    std::fs::write(
        &labels,
        format!("id,score,tags\n{},0,artefact\n{},5,star\n", top[0], top[1]),
    )
    .unwrap();
    let (ranked2, png) = (dir.path().join("ranked2.csv"), dir.path().join("sheet.png"));
    let out = ok(specae(&[
        "triage",
        "--data",
        s(&data),
        "--labels",
        s(&labels),
        "--out",
        s(&ranked2),
        "--sheet",
        s(&png),
        "--top",
        "8",
    ]));
    assert!(out.starts_with("learned ranking of"), "{out}");
    let csv2 = std::fs::read_to_string(&ranked2).unwrap();
    assert_ne!(
        top_ids(&csv2, 1)[0],
        top[0],
        "the galaxy scored 0 is still first"
    );
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    // The ranked list carries the labels: it imports back as the same labels.
    let back = Labels::read(&ranked2).unwrap();
    assert_eq!(back, Labels::read(&labels).unwrap());

    // Bad input is named, with its line; nothing is written.
    std::fs::write(&labels, format!("id,score\n{},9\n", top[0])).unwrap();
    let bad = specae(&["triage", "--data", s(&data), "--labels", s(&labels)]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(
        err.contains("labels.csv, line 2") && err.contains("from 0 to 5"),
        "{err}"
    );
    let none = specae(&["triage", "--data", s(&data), "--ranking", "learned"]);
    assert!(String::from_utf8_lossy(&none.stderr).contains("needs labels"));
    let missing = specae(&["triage", "--data", s(&data), "--labels", "/nonexistent.csv"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such labels file"));
}

#[test]
fn the_learned_ranking_finds_what_a_simulated_user_finds_interesting() {
    let dir = tempfile::tempdir().unwrap();
    let data = odd_survey(dir.path());
    let out = ok(specae(&[
        "bench",
        "triage",
        "--data",
        s(&data),
        "--views",
        "60",
        "--labels",
        "20",
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let at = |a: &serde_json::Value| a.as_array().unwrap().last().unwrap().as_u64().unwrap();
    let learned = at(&v["learned"]);
    let best = ["lof", "chi2", "combined"]
        .map(|r| at(&v["unsupervised"][r]))
        .into_iter()
        .max()
        .unwrap();
    // Measured: learned 41 of the first 60 viewed; LOF 4, χ² 0, combined 2.
    assert!(learned >= 20 && learned >= 2 * best.max(1), "{v}");
    let refits = v["refit_seconds"].as_array().unwrap();
    assert_eq!(refits.len(), 59, "refitted after every label");
}

#[test]
fn triage_of_a_store_streams_it_and_ranks_as_the_npz() {
    let dir = tempfile::tempdir().unwrap();
    let data = odd_survey(dir.path());
    let store = dir.path().join("odd.zarr");
    ok(specae(&["convert", s(&data), s(&store)]));
    // A model trained on these spectra: its exported weights (not bound to one file; their
    // infill basis, if any, is the npz's, which the store keeps) open for both.
    let run = dir.path().join("run");
    ok(specae(&[
        "train",
        "--epochs",
        "1",
        "--batch",
        "64",
        "--backend",
        "cpu",
        "--data",
        s(&data),
        "--out",
        s(&run),
    ]));
    let model = run.join("model.safetensors");
    let labels = dir.path().join("labels.csv");
    let first = dir.path().join("first.csv");
    ok(specae(&[
        "triage",
        "--data",
        s(&data),
        "--model",
        s(&model),
        "--out",
        s(&first),
    ]));
    let top = top_ids(&std::fs::read_to_string(&first).unwrap(), 2);
    std::fs::write(&labels, format!("id,score\n{},0\n{},5\n", top[0], top[1])).unwrap();
    let ranked = |data: &Path, name: &str| {
        let out = dir.path().join(name);
        let (sheet, so) = (dir.path().join(format!("{name}.svg")), s(&out).to_string());
        let o = specae(&[
            "triage",
            "--data",
            s(data),
            "--model",
            s(&model),
            "--labels",
            s(&labels),
            "--out",
            &so,
            "--sheet",
            s(&sheet),
            "--top",
            "6",
        ]);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        ok(o);
        assert!(std::fs::read_to_string(&sheet).unwrap().contains("<svg"));
        (std::fs::read_to_string(&out).unwrap(), err)
    };
    let (from_npz, _) = ranked(&data, "npz.csv");
    let (from_store, said) = ranked(&store, "store.csv");
    assert!(!said.contains("whole"), "the store was read whole: {said}");
    assert_eq!(
        from_store, from_npz,
        "the store ranks otherwise than its npz"
    );
}
