//! `specae ingest` on the real SDSS files in ../shared/fixtures/sdss (tests `#[ignore]`d with
//! the reason where that folder is absent: scripts/test.sh includes them when it is there) and
//! on small FITS files the tests write themselves.

use std::path::Path;

use specae::data::grid::{COEFF0, COEFF1, LogGrid, bin_of};
use specae::ingest::sdss_fits::{Layout, read_sdss};
use specae::ingest::{FileOutcome, IngestError, IngestOptions, PixelMask, ingest};
use specae::spectro::lines::lam;
use specae::util::progress::Progress;

use crate::common::{write_spec, write_spec_masked, write_spspec};

use crate::common::sdss_fixtures as shared_fixtures;

#[test]
#[ignore = "needs ../shared/fixtures beside the checkout; scripts/test.sh includes it when they are there"]
fn reads_dr8_and_dr7_files_with_redshift_and_class_on_the_shared_fixtures() {
    let dir = shared_fixtures();
    let cases = [
        ("spec-0266-51602-0573.fits", 0.26186, "GALAXY", Layout::Spec),
        ("spec-1045-52725-0628.fits", 0.03197, "GALAXY", Layout::Spec),
        ("spec-0295-51585-0596.fits", 0.13788, "GALAXY", Layout::Spec),
        ("spec-0280-51612-0117.fits", 0.24457, "QSO", Layout::Spec),
        ("NGC3522_SDSS_DR18.fits", 0.00402, "GALAXY", Layout::Spec),
        ("spec-DR13-star-M0V.fits", -0.00381, "STAR", Layout::Spec),
        ("spSpec-51630-0266-227.fit", 0.06308, "QSO", Layout::SpSpec),
    ];
    for (f, z, class, layout) in cases {
        let s = read_sdss(&dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!((s.z - z).abs() < 1e-5, "{f}: z = {}", s.z);
        assert_eq!(s.class, class, "{f}");
        assert_eq!(s.layout, layout, "{f}");
        assert!(s.flux.len() > 3000 && s.flux.len() == s.loglam.len(), "{f}");
        // Observed wavelengths span the SDSS spectrographs' range.
        let (a, b) = (
            10f64.powf(s.loglam[0]),
            10f64.powf(*s.loglam.last().unwrap()),
        );
        assert!(
            a > 3700.0 && a < 3900.0 && b > 9000.0 && b < 9300.0,
            "{f}: {a}–{b}"
        );
    }
    let s = read_sdss(&dir.join("spec-1045-52725-0628.fits")).unwrap();
    assert_eq!(s.subclass, "STARFORMING");
    assert_eq!((s.plate, s.mjd, s.fiber), (1045, 52725, 628));
    assert!(!s.lines.is_empty());
}

/// Bin of the strict local maximum within ±1 bin of `l`, if any.
fn peak_near(flux: &[f32], mask: &[bool], l: f64) -> Option<usize> {
    let c = bin_of(COEFF0, COEFF1, l).round() as usize;
    (c - 1..=c + 1)
        .filter(|&k| !mask[k] && flux[k] > flux[k - 1] && flux[k] > flux[k + 1])
        .max_by(|&a, &b| flux[a].total_cmp(&flux[b]))
}

#[test]
#[ignore = "needs ../shared/fixtures beside the checkout; scripts/test.sh includes it when they are there"]
fn emission_lines_land_at_rest_wavelengths_after_deredshifting_on_the_shared_fixtures() {
    let dir = shared_fixtures();
    for f in [
        "spec-1045-52725-0628.fits",
        "spec-0295-51585-0596.fits",
        "spec-0280-51612-0117.fits",
        "spSpec-51630-0266-227.fit",
    ] {
        let s = read_sdss(&dir.join(f)).unwrap();
        let r = s.rest_frame(PixelMask::Pipeline, &LogGrid::STANDARD);
        for (name, l) in [("Hα", lam::H_ALPHA), ("[OIII] 5007", lam::OIII_B)] {
            assert!(
                peak_near(&r.flux, &r.mask, l).is_some(),
                "{f}: no {name} peak within one bin of {l} Å"
            );
        }
    }
}

#[test]
#[ignore = "needs ../shared/fixtures beside the checkout; scripts/test.sh includes it when they are there"]
fn ingest_keeps_galaxies_labels_the_star_and_rejects_the_sky_fibre_on_the_shared_fixtures() {
    let dir = shared_fixtures();
    let paths = specae::ingest::survey::collect_paths(&[dir]).unwrap();
    assert_eq!(paths.len(), 8);
    let got = ingest(&paths, &IngestOptions::default(), &Progress::new()).unwrap();
    let find = |name: &str| {
        got.outcomes
            .iter()
            .find(|o| o.path().file_name().unwrap() == name)
            .unwrap()
    };
    match find("spec-1942-53415-0005.fits") {
        FileOutcome::Rejected { reason, .. } => assert!(reason.contains("sky"), "{reason}"),
        o => panic!("sky fibre not rejected: {o:?}"),
    }
    let code = |name: &str| match find(name) {
        FileOutcome::Kept { lineindex, .. } => *lineindex,
        o => panic!("{name} not kept: {o:?}"),
    };
    assert_eq!(
        code("spec-DR13-star-M0V.fits"),
        1,
        "the star is labelled a star"
    );
    assert_eq!(code("spec-1045-52725-0628.fits"), 4, "star-forming");
    assert_eq!(code("spec-0295-51585-0596.fits"), 5, "narrow-line AGN");
    assert_eq!(code("spec-0280-51612-0117.fits"), 6, "broad-line QSO");
    assert_eq!(code("spSpec-51630-0266-227.fit"), 6, "DR7 QSO");
    let s = &got.survey;
    assert_eq!(s.n_spectra(), 7);
    // The result opens like any other survey file.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ingested.npz");
    s.write(&p, false).unwrap();
    let sp = specae::data::Spectra::load(&p).unwrap();
    assert!(sp.x.iter().all(|v| v.is_finite()));
}

#[test]
fn a_written_dr7_file_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("spSpec-51630-0266-227.fit");
    write_spspec(&p, 0.05, 3000);
    let s = read_sdss(&p).unwrap();
    assert_eq!(s.layout, Layout::SpSpec);
    assert!((s.z - 0.05).abs() < 1e-6);
    assert_eq!(s.class, "GALAXY");
    assert_eq!((s.plate, s.mjd, s.fiber), (266, 51630, 227));
    assert_eq!(s.flux.len(), 3000);
    assert_eq!(s.mask_bits.len(), 3000);
    let r = s.rest_frame(PixelMask::Pipeline, &LogGrid::STANDARD);
    assert!(peak_near(&r.flux, &r.mask, lam::H_ALPHA).is_some());
}

#[test]
fn a_written_spec_file_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("spec-0001-50000-0001.fits");
    write_spec(&p, 0.1, 0, "GALAXY", 3800, 3800);
    let s = read_sdss(&p).unwrap();
    assert!((s.z - 0.1).abs() < 1e-6);
    assert_eq!(s.class, "GALAXY");
    assert_eq!(s.flux.len(), 3800);
    let r = s.rest_frame(PixelMask::Pipeline, &LogGrid::STANDARD);
    assert!(peak_near(&r.flux, &r.mask, lam::H_ALPHA).is_some());
}

#[test]
fn damaged_files_get_a_clear_error_and_the_others_are_still_processed() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("spec-0001-50000-0001.fits");
    write_spec(&good, 0.08, 0, "GALAXY", 3800, 3800);
    let good2 = dir.path().join("spec-0001-50000-0002.fits");
    write_spec(&good2, 0.12, 0, "GALAXY", 3800, 3800);
    let sky = dir.path().join("spec-0001-50000-0003.fits");
    write_spec(&sky, 1.5, 1, "QSO", 3800, 3800);
    // Rows missing although the size is whole blocks.
    let short = dir.path().join("spec-0001-50000-0004.fits");
    write_spec(&short, 0.1, 0, "GALAXY", 3800, 1000);
    // Cut mid-block.
    let cut = dir.path().join("spec-0001-50000-0005.fits");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() - 1000]).unwrap();
    // Not FITS at all.
    let junk = dir.path().join("spec-0001-50000-0006.fits");
    std::fs::write(&junk, vec![b'x'; 2880]).unwrap();
    let empty = dir.path().join("spec-0001-50000-0007.fits");
    std::fs::write(&empty, b"").unwrap();

    let paths = vec![
        good,
        short.clone(),
        cut.clone(),
        sky,
        junk.clone(),
        good2,
        empty,
    ];
    let got = ingest(&paths, &IngestOptions::default(), &Progress::new()).unwrap();
    assert_eq!(got.survey.n_spectra(), 2);
    let outcome = |p: &Path| got.outcomes.iter().find(|o| o.path() == p).unwrap().clone();
    for p in [&short, &cut] {
        match outcome(p) {
            FileOutcome::Failed {
                error: e @ IngestError::Truncated { .. },
            } => {
                assert!(e.to_string().contains(&p.display().to_string()), "{e}");
            }
            o => panic!("{}: {o:?}", p.display()),
        }
    }
    match outcome(&junk) {
        FileOutcome::Failed { error } => {
            assert!(
                matches!(
                    error,
                    IngestError::Fits { .. } | IngestError::NotSdss { .. }
                ),
                "{error}"
            )
        }
        o => panic!("{o:?}"),
    }
    assert!(
        got.outcomes
            .iter()
            .any(|o| matches!(o, FileOutcome::Rejected { reason, .. } if reason.contains("sky")))
    );
}

/// Real DR13 files carry BADFLAT on every pixel of and_mask while their inverse variances are
/// fine: the reason names the bit instead of "covers 0% of the grid".
#[test]
fn a_spectrum_flagged_everywhere_names_the_mask_bit() {
    let dir = tempfile::tempdir().unwrap();
    let flagged = dir.path().join("spec-0001-50000-0001.fits");
    write_spec_masked(&flagged, 0.1, 0, "GALAXY", 3800, 3800, 1 << 2);
    let good = dir.path().join("spec-0001-50000-0002.fits");
    write_spec(&good, 0.05, 0, "GALAXY", 3800, 3800);
    let paths = vec![flagged.clone(), good];
    let got = ingest(&paths, &IngestOptions::default(), &Progress::new()).unwrap();
    match got.outcomes.iter().find(|o| o.path() == flagged).unwrap() {
        FileOutcome::Rejected { reason, .. } => {
            assert!(reason.contains("BADFLAT"), "{reason}");
            assert!(reason.contains("100%"), "{reason}");
        }
        o => panic!("{o:?}"),
    }
}

/// A folder tree with the same spectra twice (a copy in another folder): one of each is kept,
/// the copies are listed.
#[test]
#[ignore = "needs ../shared/fixtures beside the checkout; scripts/test.sh includes it when they are there"]
fn duplicate_spectra_are_kept_once_on_the_shared_fixtures() {
    let src = shared_fixtures();
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_fits(&src, dir.path(), &["a", "b/copies"]);
    let paths = specae::ingest::survey::collect_paths(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(paths.len(), 16);
    let got = ingest(&paths, &IngestOptions::default(), &Progress::new()).unwrap();
    assert_eq!(got.survey.n_spectra(), 7, "each spectrum once");
    let plates = got.survey.meta.plate.as_ref().unwrap();
    let mut ids: Vec<(i64, i64, i64)> = (0..7)
        .map(|i| {
            let m = &got.survey.meta;
            (
                plates[i],
                m.mjd.as_ref().unwrap()[i],
                m.fiber.as_ref().unwrap()[i],
            )
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 7, "no (plate, mjd, fiber) twice");
}
