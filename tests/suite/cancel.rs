//! Cancel stops every long job and leaves nothing half written: generating the survey (both
//! stages), writing it, ingesting FITS files, encoding, UMAP, the analysis, exports. Each job is
//! cancelled mid-way by a progress handle that cancels itself at a given stage and step (as a
//! Cancel click arriving then); how soon each stops at 64k spectra is `specae bench cancel`'s.

use std::path::Path;

use burn::prelude::Device;
use specae::analysis::AnalysisError;
use specae::analysis::options::AnalysisOptions;
use specae::analysis::run::{Inputs, analyze};
use specae::data::{DataError, Spectra, Split};
use specae::ingest::survey::IngestSurveyError;
use specae::ingest::{IngestOptions, ingest};
use specae::model::AutoencoderConfig;
use specae::model::evaluate::encode_all;
use specae::synth::{SynthConfig, SynthError, generate};
use specae::util::progress::Progress;

fn cfg(n: usize) -> SynthConfig {
    SynthConfig {
        n,
        seed: 3,
        ..Default::default()
    }
}

/// Every file in `dir` (temporary files of atomic writes start with a dot).
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn generating_stops_in_either_stage() {
    for (stage, at) in [("generating spectra", 1), ("PCA infill", 1)] {
        let p = Progress::cancelling_at(stage, at);
        let r = generate(&cfg(5000), &p);
        assert!(matches!(r, Err(SynthError::Cancelled)), "{stage}: {r:?}");
        let s = p.snapshot();
        assert!(
            s.stage.starts_with(stage),
            "stopped in {:?}, not {stage}",
            s.stage
        );
        // One block (2048 spectra) or one PCA iteration past the cancel at most.
        let limit = if stage == "PCA infill" { 2 } else { 2048 };
        assert!(s.done <= limit, "{stage}: went on to step {}", s.done);
    }
}

#[test]
fn a_cancelled_survey_write_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let survey = generate(&cfg(600), &Progress::new()).unwrap();
    let out = dir.path().join("survey.npz");
    let p = Progress::cancelling_at("writing", 0);
    let r = survey.write_with(&out, false, &p);
    assert!(matches!(r, Err(DataError::Cancelled { .. })), "{r:?}");
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
    // An earlier file of that name is kept as it was.
    survey.write(&out, false).unwrap();
    let before = std::fs::read(&out).unwrap();
    let r = survey.write_with(&out, false, &Progress::cancelling_at("writing", 0));
    assert!(r.is_err());
    assert_eq!(std::fs::read(&out).unwrap(), before);
    assert_eq!(listing(dir.path()), vec!["survey.npz".to_string()]);
}

#[test]
fn ingesting_stops_between_files() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<_> = (0..40)
        .map(|k| {
            let p = dir.path().join(format!("spec-0266-51602-{k:04}.fits"));
            crate::common::write_spec(&p, 0.05 + k as f64 * 1e-3, 0, "GALAXY", 3800, 3800);
            p
        })
        .collect();
    let p = Progress::cancelling_at("reading FITS files", 3);
    let r = ingest(&paths, &IngestOptions::default(), &p);
    assert!(
        matches!(r, Err(IngestSurveyError::Cancelled)),
        "{:?}",
        r.err()
    );
    assert!(
        p.snapshot().done < 40,
        "read every file: {}",
        p.snapshot().done
    );
    // Uncancelled, the same files ingest.
    assert!(ingest(&paths, &IngestOptions::default(), &Progress::new()).is_ok());
}

#[test]
fn encoding_umap_and_the_analysis_stop_where_cancelled() {
    let s = Spectra::from_survey(generate(&cfg(9000), &Progress::new()).unwrap());
    let device = Device::flex();
    let model = AutoencoderConfig::new().init(&device);
    let p = Progress::cancelling_at("encoding", 4096);
    let r = encode_all(&model, s.x.view(), &device, &p, &mut |_, _| {});
    assert!(r.is_err(), "encoding went on");
    assert_eq!(
        p.snapshot().done,
        4096,
        "stopped after the cancelling chunk"
    );

    let split = Split::seeded(s.n_spectra(), 0, 0.75);
    let inputs = Inputs {
        spectra: (&s).into(),
        model: &model,
        device: &device,
        split: &split,
        model_path: None,
        data_path: None,
        latents: None,
    };
    let mut opt = AnalysisOptions::default();
    opt.umap.n_epochs = Some(50);
    for (stage, at) in [
        ("encoding", 1),
        ("local outlier factor", 0),
        ("UMAP", 5),
        ("PCA baseline", 0),
        ("kNN classifier", 1),
        ("trustworthiness", 0),
    ] {
        let p = Progress::cancelling_at(stage, at);
        let r = analyze(&inputs, &opt, &p);
        assert!(
            matches!(r, Err(AnalysisError::Cancelled)),
            "{stage}: {:?}",
            r.err()
        );
        assert!(
            p.snapshot().stage.starts_with(stage),
            "{stage}: stopped in {:?}",
            p.snapshot().stage
        );
    }
}

#[cfg(feature = "gui")]
#[test]
fn a_cancelled_export_writes_nothing() {
    use specae::app::jobs::JobOutput;
    use specae::app::jobs::export::{Table, export_figure, export_table};
    use specae::figures::bundle::AnyFigure;
    use specae::figures::render::Format;
    use specae::figures::umap::{Colouring, UmapFigure};
    let dir = tempfile::tempdir().unwrap();
    let fig = || {
        AnyFigure::Umap(UmapFigure {
            embedding: ndarray::Array2::from_shape_fn((500, 2), |(i, j)| (i * (j + 1)) as f32),
            colouring: Colouring::Class(vec![specae::data::GalaxyClass::Quiescent; 500]),
            bins: 50,
        })
    };
    let cancelled = Progress::new();
    cancelled.cancel();
    let r = export_figure(fig(), Format::Svg, "UMAP", dir.path(), &cancelled);
    assert!(matches!(r, JobOutput::Cancelled { .. }));
    let r = export_table(
        Table::Npy(ndarray::Array2::zeros((3, 2))),
        "umap.npy",
        dir.path(),
        &cancelled,
    );
    assert!(matches!(r, JobOutput::Cancelled { .. }));
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
    // Not cancelled: both are written.
    let ok = Progress::new();
    assert!(matches!(
        export_figure(fig(), Format::Svg, "UMAP", dir.path(), &ok),
        JobOutput::Exported { .. }
    ));
    assert!(matches!(
        export_table(
            Table::Npy(ndarray::Array2::zeros((3, 2))),
            "umap.npy",
            dir.path(),
            &ok
        ),
        JobOutput::Exported { .. }
    ));
    assert_eq!(listing(dir.path()).len(), 2);
}
