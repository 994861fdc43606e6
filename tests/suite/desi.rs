//! DESI ingest: coadds with their redrock files, catalogues named by the user, rejections with
//! reasons, one copy per TARGETID, and the real DESI files of ../shared/fixtures/desi.

use std::path::{Path, PathBuf};

use specae::data::Survey;
use specae::data::release::release_name;
use specae::ingest::desi_write::{DesiLayout, FIRST_TARGETID, write_desi};
use specae::ingest::{FileOutcome, IngestOptions, ingest};
use specae::util::progress::Progress;

use crate::common::fixture;

fn desi_fixtures() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/desi");
    assert!(
        p.is_dir(),
        "{} is absent: this test needs the project's shared fixtures",
        p.display()
    );
    p
}

fn fits_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "fits"))
        .collect();
    v.sort();
    v
}

/// The four real SDSS galaxies of tests/fixtures written as DESI coadds, two per file, each
/// second one repeated in an sv3 coadd.
fn written_desi(dir: &Path) -> Survey {
    let survey = Survey::read(&fixture("sdss-galaxies.npz")).unwrap();
    let layout = DesiLayout {
        per_file: 2,
        repeat_every: 2,
        resolution: false,
    };
    let w = write_desi(&survey, dir, &layout, &Progress::new()).unwrap();
    // 2 main coadds, 1 sv3 coadd, each with its redrock file.
    assert_eq!(w.files.len(), 6, "{:?}", w.files);
    assert_eq!(w.rows, 6);
    survey
}

#[test]
fn desi_coadds_of_a_survey_ingest_back_to_the_same_spectra_once_each() {
    let dir = tempfile::tempdir().unwrap();
    let survey = written_desi(dir.path());
    let got = ingest(
        &fits_in(dir.path()),
        &IngestOptions::default(),
        &Progress::new(),
    )
    .unwrap();
    let count = |f: fn(&FileOutcome) -> bool| got.outcomes.iter().filter(|o| f(o)).count();
    assert_eq!(count(|o| matches!(o, FileOutcome::Kept { .. })), 4);
    assert_eq!(count(|o| matches!(o, FileOutcome::Redshifts { .. })), 3);
    // The sv3 copies (one exposure) are dropped for the main ones (three).
    let dups: Vec<&FileOutcome> = got
        .outcomes
        .iter()
        .filter(|o| matches!(o, FileOutcome::Duplicate { .. }))
        .collect();
    assert_eq!(dups.len(), 2);
    for d in dups {
        let FileOutcome::Duplicate { path, of, .. } = d else {
            unreachable!()
        };
        assert!(
            path.to_string_lossy().contains("coadd-sv3-")
                && of.to_string_lossy().contains("coadd-main-"),
            "{d:?}"
        );
    }
    let s = &got.survey;
    assert_eq!(s.n_spectra(), 4);
    // TARGETIDs survive exactly (they are beyond f64's 2^53), each with its survey.
    let ids = s.meta.targetid.as_ref().unwrap();
    let mut ids: Vec<i64> = ids.to_vec();
    ids.sort();
    assert_eq!(ids, (0..4).map(|i| FIRST_TARGETID + i).collect::<Vec<_>>());
    let rel = s.meta.release.as_ref().unwrap();
    assert!(
        rel.iter()
            .all(|&r| release_name(r).unwrap() == "DESI main/dark")
    );
    assert!(s.meta.name(0).unwrap().starts_with("TARGETID 39627"));
    // The same redshifts and, bin by bin, the same flux within its noise.
    let z0 = survey.meta.z.as_ref().unwrap();
    let z1 = s.meta.z.as_ref().unwrap();
    for (k, &id) in s.meta.targetid.as_ref().unwrap().iter().enumerate() {
        let i = (id - FIRST_TARGETID) as usize;
        assert!((z0[i] - z1[k]).abs() < 1e-6, "z {} vs {}", z0[i], z1[k]);
        let mut dev = vec![];
        for b in 0..survey.n_bins() {
            if survey.mask[[i, b]] || s.mask[[k, b]] {
                continue;
            }
            let e = f64::from(survey.spec_err[[i, b]]);
            let d = f64::from(s.spectra[[k, b]] - survey.spectra[[i, b]]);
            dev.push((d / e).abs());
        }
        dev.sort_by(f64::total_cmp);
        let med = dev[dev.len() / 2];
        let n_own = (0..survey.n_bins())
            .filter(|&b| !survey.mask[[i, b]])
            .count();
        assert!(
            dev.len() as f64 > 0.8 * n_own as f64,
            "spectrum {i}: {} of its {n_own} good bins came back",
            dev.len()
        );
        // Bins whose DESI pixels straddle a neighbour mix in a little of it; most come back
        // exactly.
        assert!(med < 0.05, "spectrum {i}: median |Δ|/σ = {med}");
    }
}

/// Coadds written with resolution matrices (as real ones have) ingest to the same spectra:
/// the reader skips the `*_RESOLUTION` HDUs, which hold desispec's layout, one column a pixel
/// summing to one.
#[test]
fn coadds_with_resolution_matrices_read_the_same_as_without() {
    use specae::ingest::desi_write::{LSF_FWHM, PIXEL, RESOLUTION_DIAGONALS, resolution_rows};
    let rows = resolution_rows(100);
    assert_eq!(rows.len(), RESOLUTION_DIAGONALS * 100);
    let column = |j: usize| -> f64 {
        (0..RESOLUTION_DIAGONALS)
            .map(|d| f64::from(rows[d * 100 + j]))
            .sum()
    };
    assert!((column(50) - 1.0).abs() < 1e-6, "{}", column(50));
    // The central diagonal (offset 0) holds the Gaussian's peak share: FWHM 1.8 Å over 0.8 Å
    // pixels gives σ = 0.955 px and a peak of ~0.41.
    let peak = f64::from(rows[5 * 100 + 50]);
    let sigma = LSF_FWHM / 2.3548 / PIXEL;
    let expect = 1.0 / (sigma * (2.0 * std::f64::consts::PI).sqrt());
    assert!((peak - expect).abs() < 0.01, "{peak} vs {expect}");
    // At the arm's first pixel, offsets that point before it hold nothing.
    assert_eq!(rows[0], 0.0);
    let survey = Survey::read(&fixture("sdss-galaxies.npz")).unwrap();
    let read = |resolution: bool| {
        let dir = tempfile::tempdir().unwrap();
        let layout = DesiLayout {
            per_file: 4,
            repeat_every: 0,
            resolution,
        };
        let w = write_desi(&survey, dir.path(), &layout, &Progress::new()).unwrap();
        let bytes: u64 = w
            .files
            .iter()
            .map(|f| std::fs::metadata(f).unwrap().len())
            .sum();
        let got = ingest(
            &fits_in(dir.path()),
            &IngestOptions::default(),
            &Progress::new(),
        )
        .unwrap();
        (got.survey, bytes)
    };
    let (plain, small) = read(false);
    let (with, large) = read(true);
    assert!(large > 3 * small, "{large} vs {small} bytes");
    assert_eq!(plain.spectra, with.spectra);
    assert_eq!(plain.spec_err, with.spec_err);
    assert_eq!(plain.mask, with.mask);
    assert_eq!(plain.meta.targetid, with.meta.targetid);
}

#[test]
fn a_coadd_without_redshifts_is_refused_and_a_named_catalogue_is_used() {
    let dir = tempfile::tempdir().unwrap();
    written_desi(dir.path());
    for f in fits_in(dir.path()) {
        if f.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("redrock-")
        {
            std::fs::remove_file(f).unwrap();
        }
    }
    let coadds = fits_in(dir.path());
    let err = ingest(&coadds, &IngestOptions::default(), &Progress::new()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("none of the 3 spectra"), "{text}");
    let specae::ingest::survey::IngestSurveyError::NothingKept { outcomes, .. } = err else {
        panic!("{text}")
    };
    for o in &outcomes {
        let reason = o.reason().unwrap();
        assert!(
            reason.contains("no redshifts for its") && reason.contains("--redshifts FILE"),
            "{reason}"
        );
    }
    // A CSV catalogue: one target with a failed fit, one uncertain, the rest fine.
    let csv = dir.path().join("z.csv");
    let mut text = String::from("TARGETID,Z,ZWARN,DELTACHI2\n");
    let survey = Survey::read(&fixture("sdss-galaxies.npz")).unwrap();
    for (i, z) in survey.meta.z.as_ref().unwrap().iter().enumerate() {
        let (zwarn, dchi2) = match i {
            1 => (4, 500.0),
            2 => (0, 3.0),
            _ => (0, 500.0),
        };
        text += &format!("{},{z},{zwarn},{dchi2}\n", FIRST_TARGETID + i as i64);
    }
    std::fs::write(&csv, text).unwrap();
    let opts = IngestOptions {
        redshifts: Some(csv),
        ..IngestOptions::default()
    };
    let got = ingest(&coadds, &opts, &Progress::new()).unwrap();
    assert_eq!(got.survey.n_spectra(), 2);
    let reasons: Vec<String> = got.outcomes.iter().filter_map(|o| o.reason()).collect();
    let has = |s: &str| reasons.iter().any(|r| r.contains(s));
    assert!(
        has("redshift failed (ZWARN=4: SMALL_DELTA_CHI2)"),
        "{reasons:#?}"
    );
    assert!(
        has("uncertain redshift (DELTACHI2 = 3.0 < 25"),
        "{reasons:#?}"
    );
}

#[test]
fn generate_format_desi_writes_files_that_ingest_reads() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("desi");
    let bin = env!("CARGO_BIN_EXE_specae");
    let run = |args: &[&str]| std::process::Command::new(bin).args(args).output().unwrap();
    let o = out.to_str().unwrap();
    crate::common::ok(run(&[
        "generate",
        "--n",
        "300",
        "--format",
        "desi",
        "--per-file",
        "100",
        "--out",
        o,
    ]));
    // 3 main + 1 sv3 coadd, each with its redrock file.
    assert_eq!(fits_in(&out).len(), 8);
    let npz = dir.path().join("desi.npz");
    let stdout = crate::common::ok(run(&["ingest", o, "--out", npz.to_str().unwrap()]));
    // Each sv3 repeat is dropped for its main coadd (unless both were rejected).
    let dups: usize = stdout
        .split(" duplicates")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!((2..=3).contains(&dups), "{stdout}");
    let s = Survey::read(&npz).unwrap();
    assert!(s.n_spectra() > 250, "{} kept", s.n_spectra());
    // Without --out, --format desi is an error that says what it needs.
    let e = run(&["generate", "--n", "10", "--format", "desi"]);
    assert_eq!(e.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&e.stderr).contains("--format desi needs --out DIR"));
}

/// The real DESI files ingested as a user would: the folder as it is.
fn ingested_fixture_folder() -> specae::ingest::Ingested {
    ingest(
        &fits_in(&desi_fixtures()),
        &IngestOptions::default(),
        &Progress::new(),
    )
    .unwrap()
}

#[test]
#[ignore = "needs ../shared/fixtures/desi (scripts/test.sh includes it when present)"]
fn both_real_desi_galaxies_are_kept_with_their_redrock_redshifts_on_the_shared_fixtures() {
    let got = ingested_fixture_folder();
    let kept: Vec<(String, f64)> = got
        .outcomes
        .iter()
        .filter_map(|o| match o {
            FileOutcome::Kept { path, z, .. } => {
                Some((path.file_name()?.to_string_lossy().into_owned(), *z))
            }
            _ => None,
        })
        .collect();
    eprintln!("kept: {kept:?}");
    assert_eq!(kept.len(), 2, "{:#?}", got.outcomes);
    let z_of = |name: &str| kept.iter().find(|(n, _)| n.starts_with(name)).unwrap().1;
    assert!((z_of("coadd-4-80613") - 0.369).abs() < 0.001);
    assert!((z_of("coadd-special-dark-27247") - 0.007).abs() < 0.001);
    let ids = got.survey.meta.targetid.as_ref().unwrap();
    assert!(ids.iter().all(|&t| t > 1 << 53), "{ids:?}");
    // Their redrock files are listed as read with them, not as failures.
    let z_files = got
        .outcomes
        .iter()
        .filter(|o| matches!(o, FileOutcome::Redshifts { note, .. } if note.contains("read with coadd-")))
        .count();
    assert_eq!(z_files, 2);
}

#[test]
#[ignore = "needs ../shared/fixtures/desi (scripts/test.sh includes it when present)"]
fn the_real_coadd_without_redshifts_is_refused_naming_the_options_on_the_shared_fixtures() {
    let got = ingested_fixture_folder();
    let refused = got
        .outcomes
        .iter()
        .find(|o| o.path().ends_with("coadd-sv3-dark-26065.fits"))
        .unwrap();
    assert!(matches!(
        refused,
        FileOutcome::Rejected { target: None, .. }
    ));
    let reason = refused.reason().unwrap();
    assert!(
        reason.contains("no redshifts for its 5 targets")
            && reason.contains("redrock-sv3-dark-26065.fits")
            && reason.contains("--redshifts FILE"),
        "{reason}"
    );
}

#[test]
#[ignore = "needs ../shared/fixtures/desi (scripts/test.sh includes it when present)"]
fn the_real_sky_fibre_is_rejected_as_one_on_the_shared_fixtures() {
    let path = desi_fixtures().join("coadd-sv3-dark-26065.fits");
    let coadd = specae::ingest::desi_fits::read_desi_coadd(&path).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("z.csv");
    let mut text = String::from("TARGETID,Z,SPECTYPE\n");
    for t in &coadd.targets {
        text += &format!("{},0.1,GALAXY\n", t.targetid);
    }
    std::fs::write(&csv, text).unwrap();
    let opts = IngestOptions {
        redshifts: Some(csv),
        ..IngestOptions::default()
    };
    let got = ingest(&[path], &opts, &Progress::new()).unwrap();
    let reasons: Vec<String> = got.outcomes.iter().filter_map(|o| o.reason()).collect();
    eprintln!("{reasons:#?}");
    let sky: Vec<&String> = reasons
        .iter()
        .filter(|r| r.contains("sky fibre (OBJTYPE=SKY)"))
        .collect();
    assert_eq!(sky.len(), 1, "{reasons:#?}");
    assert!(sky[0].contains("TARGETID"), "{}", sky[0]);
}

/// The reader loses nothing: the built-in model (trained on the SDSS-like built-in survey)
/// reconstructs DESI-format copies of 1,500 unseen synthetic galaxies (written by
/// `generate --format desi`'s writer, ingested) with a median χ²/pixel within 10% of the
/// SDSS-format originals'. Both are refilled from the same PCA basis, as the model saw in
/// training.
#[test]
fn the_builtin_model_fits_desi_copies_as_well_as_the_sdss_originals() {
    use specae::analysis::fidelity::fits_of_rows;
    use specae::data::Spectra;
    use specae::synth::{SynthConfig, generate};
    use specae::train::load::read_model;
    let device = burn::prelude::Device::flex();
    let model_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/builtin-model.safetensors");
    let model = read_model(&model_path, &device).unwrap().model;
    let dir = tempfile::tempdir().unwrap();
    let cfg = SynthConfig {
        n: 1500,
        seed: 20261206,
        ..SynthConfig::default()
    };
    let survey = generate(&cfg, &Progress::new()).unwrap();
    let sdss_path = dir.path().join("sdss.npz");
    survey.write(&sdss_path, false).unwrap();
    let desi = dir.path().join("desi");
    std::fs::create_dir_all(&desi).unwrap();
    let layout = DesiLayout {
        per_file: 500,
        repeat_every: 0,
        resolution: false,
    };
    write_desi(&survey, &desi, &layout, &Progress::new()).unwrap();
    let got = ingest(&fits_in(&desi), &IngestOptions::default(), &Progress::new()).unwrap();
    let desi_path = dir.path().join("desi.npz");
    got.survey.write(&desi_path, false).unwrap();
    let sdss = Spectra::load(&sdss_path).unwrap();
    let desi = Spectra::load(&desi_path).unwrap();
    let desi = desi.refilled_with(&sdss.pca, sdss.pca_coeffs.ncols());
    // Each DESI row's original, by TARGETID.
    let ids = desi.meta.targetid.as_ref().unwrap();
    let original: Vec<u32> = ids.iter().map(|&t| (t - FIRST_TARGETID) as u32).collect();
    assert!(
        original.len() > 1400,
        "{} of 1500 targets kept: {}",
        original.len(),
        got.counts()
    );
    let rows: Vec<u32> = (0..desi.n_spectra() as u32).collect();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let chi2_desi = median(
        fits_of_rows(&model, &desi, &rows, &device)
            .iter()
            .map(|f| f.chi2)
            .collect(),
    );
    let chi2_sdss = median(
        fits_of_rows(&model, &sdss, &original, &device)
            .iter()
            .map(|f| f.chi2)
            .collect(),
    );
    let ratio = chi2_desi / chi2_sdss;
    println!(
        "median χ²/pixel: DESI copies {chi2_desi:.3}, SDSS originals {chi2_sdss:.3}, ratio {ratio:.3} ({} spectra)",
        rows.len()
    );
    assert!((ratio - 1.0).abs() < 0.10, "ratio {ratio:.3}");
}

/// astroML's zero weight for raw errors below 0.25 is SDSS's rule: DESI's rebinned errors sit
/// mostly below it, and the rule zeroed 98.8% of the real DESI fixtures' pixels. DESI rows keep
/// the weight of any positive error; SDSS rows keep the rule.
#[test]
fn desi_spectra_with_small_errors_keep_their_weights() {
    use specae::data::Spectra;
    use specae::data::release::{SDSS, desi_release};
    let mut survey = Survey::read(&fixture("sdss-galaxies.npz")).unwrap();
    let n = survey.n_spectra();
    survey
        .spec_err
        .mapv_inplace(|e| if e > 0.0 { 0.1 } else { e });
    let good = |s: &Spectra, i: usize| s.w.row(i).iter().filter(|&&w| w > 0.0).count();
    let unmasked = |i: usize| survey.mask.row(i).iter().filter(|&&m| !m).count();
    let mut desi = survey.clone();
    desi.meta.release = Some(ndarray::Array1::from_elem(n, desi_release("main", "dark")));
    let mut sdss = survey.clone();
    sdss.meta.release = Some(ndarray::Array1::from_elem(n, SDSS));
    let (desi, sdss) = (Spectra::from_survey(desi), Spectra::from_survey(sdss));
    for i in 0..n {
        assert!(
            good(&desi, i) as f64 > 0.9 * unmasked(i) as f64,
            "DESI spectrum {i}: {} of {} unmasked pixels weighted",
            good(&desi, i),
            unmasked(i)
        );
        assert_eq!(
            good(&sdss, i),
            0,
            "SDSS spectrum {i} keeps astroML's 0.25 floor"
        );
    }
}

#[test]
#[ignore = "needs ../shared/fixtures/desi (scripts/test.sh includes it when present)"]
fn the_real_desi_galaxies_are_weighted_where_they_have_data_on_the_shared_fixtures() {
    let got = ingested_fixture_folder();
    let s = specae::data::Spectra::from_survey(got.survey);
    for i in 0..s.n_spectra() {
        let weighted = s.w.row(i).iter().filter(|&&w| w > 0.0).count();
        eprintln!("spectrum {i}: {weighted} of 1000 bins weighted");
        assert!(
            weighted > 700,
            "spectrum {i}: only {weighted} bins weighted"
        );
    }
}

/// Ingesting into a store reads a batch of files at a time and spools what it keeps; with
/// more spectra kept than the infill's sample, the basis comes from an evenly spaced sample.
/// The store holds exactly the spectra, errors, masks, catalogue and outcome table of the
/// in-memory ingest (the same sv3 copies dropped), its infill close to the fit over all; with
/// a sample as large as the data it is the in-memory survey itself. No spool is left, and a
/// cancel leaves nothing.
#[test]
fn ingest_into_a_store_keeps_what_the_in_memory_ingest_keeps() {
    use specae::data::Spectra;
    use specae::ingest::ingest_to_store;
    use specae::synth::{SynthConfig, generate};
    let dir = tempfile::tempdir().unwrap();
    let cfg = SynthConfig {
        n: 150,
        seed: 5,
        ..SynthConfig::default()
    };
    let survey = generate(&cfg, &Progress::new()).unwrap();
    let layout = DesiLayout {
        per_file: 10,
        repeat_every: 4,
        resolution: false,
    };
    let desi = dir.path().join("desi");
    std::fs::create_dir_all(&desi).unwrap();
    write_desi(&survey, &desi, &layout, &Progress::new()).unwrap();
    let paths = fits_in(&desi);
    let mem = ingest(&paths, &IngestOptions::default(), &Progress::new()).unwrap();
    let n = mem.survey.n_spectra();
    assert!(n > 100, "{n} kept");
    let sampled = IngestOptions {
        infill_sample: 48,
        ..IngestOptions::default()
    };
    let out = dir.path().join("s.zarr");
    let done = ingest_to_store(&paths, &sampled, &out, &Progress::new()).unwrap();
    assert_eq!((done.n_spectra, done.fitted_on), (n, 48));
    let label = |o: &[FileOutcome]| -> Vec<String> { o.iter().map(|o| format!("{o:?}")).collect() };
    assert_eq!(label(&done.outcomes), label(&mem.outcomes));
    assert!(
        done.outcomes
            .iter()
            .any(|o| matches!(o, FileOutcome::Duplicate { .. }))
    );
    let got = Survey::read(&out).unwrap();
    let want = &mem.survey;
    assert_eq!(got.spectra, want.spectra);
    assert_eq!(got.spec_err, want.spec_err);
    assert_eq!(got.mask, want.mask);
    assert_eq!(got.meta.targetid, want.meta.targetid);
    assert_eq!(got.meta.z, want.meta.z);
    assert_eq!(got.meta.release, want.meta.release);
    assert_eq!(got.meta.lineindex_cln, want.meta.lineindex_cln);
    // The infill from the sample's basis against the fit over all spectra.
    let (a, b) = (
        Spectra::from_survey(got),
        Spectra::from_survey(want.clone()),
    );
    let masked: Vec<(f32, f32)> =
        a.x.iter()
            .zip(b.x.iter())
            .zip(a.mask.iter())
            .filter(|(_, m)| **m)
            .map(|((p, q), _)| (*p, *q))
            .collect();
    assert!(!masked.is_empty());
    let mut dev: Vec<f32> = masked.iter().map(|(p, q)| (p - q).abs()).collect();
    dev.sort_by(f32::total_cmp);
    let scale = masked.iter().map(|(_, q)| q.abs()).fold(0f32, f32::max);
    let med = dev[dev.len() / 2];
    assert!(
        med <= 0.02 * scale,
        "masked pixels differ by {med} (median; scale {scale})"
    );
    assert!(!dir.path().join("s.zarr.spool").exists());

    // A sample as large as the data: the in-memory survey, bit for bit.
    let whole = IngestOptions {
        infill_sample: n,
        ..IngestOptions::default()
    };
    let out2 = dir.path().join("whole.zarr");
    let done = ingest_to_store(&paths, &whole, &out2, &Progress::new()).unwrap();
    assert_eq!(done.fitted_on, n);
    let got = Survey::read(&out2).unwrap();
    assert_eq!(got.norms, want.norms);
    assert_eq!(got.coeffs, want.coeffs);
    assert_eq!(got.mu, want.mu);

    // Cancelled: neither the store, its partial folder nor the spool.
    let p = Progress::new();
    p.cancel();
    let out3 = dir.path().join("gone.zarr");
    assert!(ingest_to_store(&paths, &sampled, &out3, &p).is_err());
    for name in ["gone.zarr", "gone.zarr.partial", "gone.zarr.spool"] {
        assert!(!dir.path().join(name).exists(), "{name} left behind");
    }
}

/// Ctrl-C during `specae ingest … --out S.zarr` cancels it: the process says nothing was
/// written, and neither the store, its partial folder nor the spool is left.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_an_ingest_into_a_store_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_specae");
    let desi = dir.path().join("desi");
    let o = std::process::Command::new(bin)
        .args([
            "generate",
            "--format",
            "desi",
            "--n",
            "6000",
            "--per-file",
            "25",
            "--out",
        ])
        .arg(&desi)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.path().join("s.zarr");
    let spool = dir.path().join("s.zarr.spool");
    let child = std::process::Command::new(bin)
        .arg("ingest")
        .arg(&desi)
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    while !spool.exists() && t0.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(spool.exists(), "the ingest never started spooling");
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "finished despite Ctrl-C: {err}");
    assert!(err.contains("cancelled: nothing was written"), "{err}");
    for p in [&out, &spool, &dir.path().join("s.zarr.partial")] {
        assert!(!p.exists(), "{} left behind", p.display());
    }
}
