//! `specae compare`: every method at every latent dimension scored the same way, a table, CSV,
//! JSON and figure; finished runs reused and interrupted ones resumed.

use specae::compare::run::{CompareOptions, run_dir};
use specae::compare::{Method, run_or_reuse};
use specae::data::Spectra;
use specae::data::Split;
use specae::model::ModelKind;
use specae::synth::{SynthConfig, generate};
use specae::util::progress::Progress;

#[test]
fn compare_scores_each_method_and_reuses_finished_runs() {
    let dir = tempfile::tempdir().unwrap();
    let run = crate::common::specae;
    let data = crate::common::generated_survey(dir.path(), "s.npz", 400);
    let out = dir.path().join("cmp");
    let args = [
        "compare",
        "--data",
        data.to_str().unwrap(),
        "--models",
        "pca,ae,vae",
        "--latent",
        "2,3",
        "--epochs",
        "2",
        "--quick",
        "--format",
        "png,svg",
        "--out",
        out.to_str().unwrap(),
    ];
    let first = run(&args);
    let stdout = crate::common::ok(first.clone());
    for m in ["pca", "ae", "vae"] {
        for k in [2, 3] {
            assert!(
                stdout.lines().any(|l| {
                    let f: Vec<&str> = l.split_whitespace().collect();
                    f.len() > 3 && f[0] == m && f[1] == k.to_string()
                }),
                "no {m} at {k} in:\n{stdout}"
            );
            assert!(out.join(format!("{m}-{k}/result.json")).is_file());
        }
    }
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    assert_eq!(csv.lines().count(), 7, "{csv}");
    assert!(csv.starts_with("method,latent,n_train,n_valid,valid_loss,loss_"));
    for f in ["comparison.png", "comparison.svg", "compare.json"] {
        assert!(std::fs::metadata(out.join(f)).unwrap().len() > 1000, "{f}");
    }
    // The same command reuses every run and prints the same table.
    let again = run(&args);
    let stdout2 = crate::common::ok(again.clone());
    let stderr2 = String::from_utf8_lossy(&again.stderr);
    assert_eq!(stderr2.matches("(reused from").count(), 6, "{stderr2}");
    assert_eq!(stdout, stdout2);
    // Other data in the same folder: scored and trained again, not reused or resumed.
    let data2 = dir.path().join("s2.npz");
    crate::common::ok(run(&[
        "generate",
        "--n",
        "400",
        "--seed",
        "9",
        "--out",
        data2.to_str().unwrap(),
    ]));
    let other = run(&[
        "compare",
        "--data",
        data2.to_str().unwrap(),
        "--models",
        "pca,ae",
        "--latent",
        "2",
        "--epochs",
        "1",
        "--quick",
        "--format",
        "png",
        "--out",
        out.to_str().unwrap(),
    ]);
    crate::common::ok(other.clone());
    assert!(!String::from_utf8_lossy(&other.stderr).contains("(reused from"));
    // Bad lists say what is wrong.
    let e = run(&[
        "compare",
        "--models",
        "pca,nmf",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("'nmf' is not a method"));
}

#[test]
fn an_interrupted_run_resumes_from_its_last_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let survey = generate(
        &SynthConfig {
            n: 300,
            seed: 4,
            ..SynthConfig::default()
        },
        &Progress::new(),
    )
    .unwrap();
    let path = dir.path().join("s.npz");
    survey.write(&path, false).unwrap();
    let s = Spectra::load(&path).unwrap();
    let mut opts = CompareOptions {
        out: dir.path().join("cmp"),
        split: Split::seeded(s.n_spectra(), 0, 0.75),
        data: None,
        max_epochs: 2,
        batch: 32,
        lambda: None,
        seed: 0,
        knn_k: 5,
        folds: 3,
        lof_k: 10,
    };
    let m = Method::Model(ModelKind::Vae);
    let (r, reused) = run_or_reuse(&s, m, 3, &opts, &Progress::new(), &mut |_| {}).unwrap();
    assert!(!reused);
    assert_eq!(r.epochs, 2);
    assert!(r.valid_loss.is_finite() && r.knn_accuracy > 0.2);
    assert!(
        r.outlier_precision.is_some(),
        "the built-in survey has its truth"
    );
    // As if stopped before scoring: the result is gone, the checkpoints stay.
    let run = run_dir(&opts.out, m, 3);
    std::fs::remove_file(run.join("result.json")).unwrap();
    opts.max_epochs = 4;
    let mut seen = vec![];
    let (r, reused) = run_or_reuse(&s, m, 3, &opts, &Progress::new(), &mut |e| {
        seen.push(e.epoch)
    })
    .unwrap();
    assert!(!reused);
    assert_eq!(seen, vec![3, 4], "resumed after epoch 2");
    assert_eq!(r.epochs, 4);
    // A cancel during training keeps the last epoch and says so.
    std::fs::remove_file(run.join("result.json")).unwrap();
    opts.max_epochs = 6;
    let p = Progress::new();
    p.cancel();
    let e = run_or_reuse(&s, m, 3, &opts, &p, &mut |_| {}).unwrap_err();
    assert!(e.to_string().starts_with("cancelled"), "{e}");
    assert!(run.join("last.safetensors").is_file());
}
