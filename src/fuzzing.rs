//! Entry points that run each reader of untrusted files on raw bytes, as far as the app takes
//! what it reads: the fuzz targets (fuzz/, cargo-fuzz) and the bounded property test of the
//! normal test run call these. Each returns the reader's error as text; none may panic, hang
//! or allocate what the input merely claims.

use std::path::Path;

use burn::prelude::Device;

use crate::analysis::outliers::outlier_table;
use crate::analysis::store::read_stored_bytes;
use crate::data::grid::LogGrid;
use crate::data::{Spectra, Survey};
use crate::ingest::desi::targets_of;
use crate::ingest::desi_fits::{DesiKind, kind_of, read_desi_coadd_bytes};
use crate::ingest::lineindex::lineindex_from_pipeline;
use crate::ingest::redshifts::{Redshift, Redshifts, redshifts_from_fits_bytes};
use crate::ingest::sdss_fits::{bad_bit_fractions, read_sdss_bytes};
use crate::ingest::{IngestOptions, PixelMask};
use crate::spectro::bins::Bins;
use crate::train::checkpoint::Checkpoint;
use crate::train::load::model_from_weight_bytes;

/// A survey file (astroML npz schema): read, validate, preprocess, summarise.
pub fn survey_npz(data: &[u8]) -> Result<(), String> {
    let s = Survey::read_bytes(data.to_vec(), Path::new("fuzz.npz")).map_err(|e| e.to_string())?;
    let sp = Spectra::from_survey(s);
    std::hint::black_box(sp.median_snr());
    Ok(())
}

/// An SDSS spectrum file (DR8+ or DR7 layout): read, rebin to the rest frame, classify from
/// the pipeline's lines, name its mask bits.
pub fn sdss_fits(data: &[u8]) -> Result<(), String> {
    let s = read_sdss_bytes(data.to_vec(), Path::new("fuzz.fits")).map_err(|e| e.to_string())?;
    let r = s.rest_frame(PixelMask::Pipeline, &LogGrid::STANDARD);
    std::hint::black_box((
        r.coverage,
        lineindex_from_pipeline(&s),
        bad_bit_fractions(&s.mask_bits),
    ));
    Ok(())
}

/// A DESI file as ingest meets it: a redshift file (redrock, zcatalog) is read; a coadd is
/// read, its arms combined, and every target taken through the ingest path (fibre and
/// redshift checks, rest-frame rebinning, classes from its lines) at z = 0.1.
pub fn desi_fits(data: &[u8]) -> Result<(), String> {
    let path = Path::new("fuzz-coadd.fits");
    if kind_of(data) == DesiKind::Redshifts {
        let r = redshifts_from_fits_bytes(data.to_vec(), path).map_err(|e| e.to_string())?;
        std::hint::black_box(r.len());
        return Ok(());
    }
    let coadd = read_desi_coadd_bytes(data.to_vec(), path).map_err(|e| e.to_string())?;
    let z = Redshifts::from_rows(
        Path::new("fuzz-redrock.fits"),
        coadd.targets.iter().map(|t| {
            (
                t.targetid,
                Redshift {
                    z: 0.1,
                    zerr: 1e-5,
                    zwarn: 0,
                    spectype: "GALAXY".into(),
                    deltachi2: 100.0,
                    survey: String::new(),
                    program: String::new(),
                    primary: true,
                },
            )
        }),
    );
    let out = targets_of(
        &coadd,
        Some(&z),
        None,
        &Bins::standard(),
        &IngestOptions::default(),
    );
    std::hint::black_box(out.len());
    Ok(())
}

/// Model weights (PyTorch names, float32/float16) and training checkpoints: parse and build
/// the model.
pub fn weights_and_checkpoint(data: &[u8]) -> Result<(), String> {
    let name = Path::new("fuzz.safetensors");
    let device = Device::flex();
    let weights = model_from_weight_bytes(data, name, &device).map(|_| ());
    let checkpoint = Checkpoint::from_bytes(data.to_vec(), name)
        .and_then(|c| c.model(&device))
        .map(|_| ());
    match (weights, checkpoint) {
        (Ok(()), _) | (_, Ok(())) => Ok(()),
        (Err(w), Err(c)) => Err(format!("{w}; {c}")),
    }
}

/// A cached analysis (`analysis.npz`): read it and rank its outliers, as the explorer does.
pub fn analysis_cache(data: &[u8]) -> Result<(), String> {
    let a =
        read_stored_bytes(data.to_vec(), Path::new("analysis.npz")).map_err(|e| e.to_string())?;
    let (lof, chi2) = (a.lof.to_vec(), a.chi2.to_vec());
    std::hint::black_box(outlier_table(&lof, &chi2));
    Ok(())
}

/// A labels CSV (the explorer's labels file, an import): parse it, write it, parse that again —
/// the same labels must come back.
pub fn labels_csv(data: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(data).map_err(|e| format!("not UTF-8: {e}"))?;
    let p = Path::new("labels.csv");
    let l = crate::triage::Labels::from_csv(text, p).map_err(|e| e.to_string())?;
    let again = crate::triage::Labels::from_csv(&l.to_csv(), p).map_err(|e| e.to_string())?;
    if again != l {
        return Err("labels changed on a round trip through CSV".into());
    }
    Ok(())
}
