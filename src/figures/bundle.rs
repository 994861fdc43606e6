//! `specae figures`: every figure of an analysed model in the requested formats, plus
//! `manifest.json` saying what each file shows and which data and model it came from.

use std::path::{Path, PathBuf};

use burn::prelude::Device;
use serde::Serialize;

use super::corner::CornerFigure;
use super::render::{Figure, FigureError, Format, render};
use super::residuals::ResidualFigure;
use super::spectrum::SpectrumFigure;
use super::tracks::TracksFigure;
use super::training::TrainingCurves;
use super::umap::{Colouring, UmapFigure};
use crate::analysis::outliers::outlier_table;
use crate::analysis::store::StoredAnalysis;
use crate::data::Spectra;
use crate::data::identity::FileIdentity;
use crate::model::evaluate::reconstruct_rows;
use crate::model::pca_baseline::PcaBaseline;
use crate::train::load::LoadedModel;
use crate::util::atomic::{AtomicWriteError, write_bytes_atomically};

#[derive(Debug, thiserror::Error)]
pub enum FiguresError {
    #[error("{figure}: {source}")]
    Figure {
        figure: String,
        #[source]
        source: FigureError,
    },
    #[error(transparent)]
    Write(#[from] AtomicWriteError),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Clone, Debug, Serialize)]
pub struct ManifestEntry {
    pub file: String,
    pub figure: String,
    pub caption: String,
    pub format: String,
    pub width_in: f64,
    pub height_in: f64,
    pub dpi: Option<u32>,
    pub bytes: usize,
    pub seconds: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    pub model: Option<FileIdentity>,
    pub data: Option<FileIdentity>,
    pub n_spectra: usize,
    pub figures: Vec<ManifestEntry>,
}

pub struct FigureInputs<'a> {
    pub spectra: &'a Spectra,
    pub loaded: &'a LoadedModel,
    pub device: &'a Device,
    pub analysis: &'a StoredAnalysis,
    /// Percentiles of the per-axis tracks (from summary.json).
    pub track_percentiles: Vec<f64>,
    /// Spectra at the ends of the line track.
    pub track_endpoints: [usize; 2],
    pub model_path: Option<&'a Path>,
    pub data_path: Option<&'a Path>,
}

/// A figure to render, over the concrete types (built once per export, so variant sizes
/// do not matter).
#[allow(clippy::large_enum_variant)]
pub enum AnyFigure {
    Training(TrainingCurves),
    Corner(CornerFigure),
    Umap(UmapFigure),
    Spectrum(SpectrumFigure),
    Residuals(ResidualFigure),
    Tracks(TracksFigure),
    ContactSheet(super::contact_sheet::ContactSheet),
}

impl AnyFigure {
    pub fn name(&self) -> String {
        match self {
            AnyFigure::Training(f) => f.name(),
            AnyFigure::Corner(f) => f.name(),
            AnyFigure::Umap(f) => f.name(),
            AnyFigure::Spectrum(f) => f.name(),
            AnyFigure::Residuals(f) => f.name(),
            AnyFigure::Tracks(f) => f.name(),
            AnyFigure::ContactSheet(f) => f.name(),
        }
    }
    pub fn caption(&self) -> String {
        match self {
            AnyFigure::Training(f) => f.caption(),
            AnyFigure::Corner(f) => f.caption(),
            AnyFigure::Umap(f) => f.caption(),
            AnyFigure::Spectrum(f) => f.caption(),
            AnyFigure::Residuals(f) => f.caption(),
            AnyFigure::Tracks(f) => f.caption(),
            AnyFigure::ContactSheet(f) => f.caption(),
        }
    }
    pub fn size_in(&self) -> (f64, f64) {
        match self {
            AnyFigure::Training(f) => f.size_in(),
            AnyFigure::Corner(f) => f.size_in(),
            AnyFigure::Umap(f) => f.size_in(),
            AnyFigure::Spectrum(f) => f.size_in(),
            AnyFigure::Residuals(f) => f.size_in(),
            AnyFigure::Tracks(f) => f.size_in(),
            AnyFigure::ContactSheet(f) => f.size_in(),
        }
    }
    pub fn render(&self, format: Format) -> Result<Vec<u8>, FigureError> {
        match self {
            AnyFigure::Training(f) => render(f, format),
            AnyFigure::Corner(f) => render(f, format),
            AnyFigure::Umap(f) => render(f, format),
            AnyFigure::Spectrum(f) => render(f, format),
            AnyFigure::Residuals(f) => render(f, format),
            AnyFigure::Tracks(f) => render(f, format),
            AnyFigure::ContactSheet(f) => render(f, format),
        }
    }
}

/// One spectrum with its AE (and optional PCA) reconstruction.
pub fn spectrum_figure(
    inp: &FigureInputs,
    index: usize,
    pca: Option<&PcaBaseline>,
    name: &str,
    what: &str,
) -> Result<SpectrumFigure, FiguresError> {
    let s = inp.spectra;
    if index >= s.n_spectra() {
        return Err(FiguresError::Invalid(format!(
            "spectrum {index} is out of range"
        )));
    }
    let xhat = reconstruct_rows(&inp.loaded.model, s.x.view(), &[index as u32], inp.device);
    if xhat.ncols() != s.n_bins() {
        return Err(FiguresError::Invalid(
            "the model does not reconstruct these data".into(),
        ));
    }
    let z = s
        .meta
        .z
        .as_ref()
        .map(|z| format!(", z = {:.3}", z[index]))
        .unwrap_or_default();
    Ok(SpectrumFigure {
        name: name.into(),
        title: format!("{what}: spectrum {index} ({}{z})", s.classes[index].label()),
        wavelengths: s.wavelengths.clone(),
        x: s.x.row(index).to_vec(),
        xhat: xhat.row(0).to_vec(),
        pca: pca.map(|p| p.reconstruct(s.x.row(index))),
        masked: s.w.row(index).iter().map(|&w| w <= 0.0).collect(),
    })
}

/// Every figure of the analysis.
pub fn all_figures(inp: &FigureInputs) -> Result<Vec<AnyFigure>, FiguresError> {
    let s = inp.spectra;
    let a = inp.analysis;
    let n = s.n_spectra();
    if a.latents.nrows() != n {
        return Err(FiguresError::Invalid(format!(
            "the analysis has {} spectra but the data have {n}; rerun `specae analyze`",
            a.latents.nrows()
        )));
    }
    let mut figs = vec![];
    if let Some(ck) = &inp.loaded.checkpoint {
        figs.push(AnyFigure::Training(TrainingCurves {
            history: ck.meta.history.clone(),
            stopped_early: ck.meta.stopper.bad_epochs >= ck.meta.stopper.patience,
        }));
    }
    figs.push(AnyFigure::Corner(CornerFigure {
        latents: a.latents.clone(),
        classes: s.classes.clone(),
        bins: 40,
    }));
    figs.push(AnyFigure::Umap(UmapFigure {
        embedding: a.embedding.clone(),
        colouring: Colouring::Class(s.classes.clone()),
        bins: 220,
    }));
    let mut numeric: Vec<(String, Vec<f64>)> = vec![];
    if let Some(z) = &s.meta.z {
        numeric.push(("redshift z".into(), z.iter().map(|&v| v as f64).collect()));
    }
    numeric.push((
        "median S/N".into(),
        s.median_snr().iter().map(|&v| v as f64).collect(),
    ));
    numeric.push((
        "log10 reconstruction chi2".into(),
        a.chi2.iter().map(|&v| v.max(1e-12).log10()).collect(),
    ));
    numeric.push(("LOF".into(), a.lof.to_vec()));
    if let Some(r) = &s.meta.log_nii_ha {
        numeric.push(("log [NII]/Ha".into(), r.iter().map(|&v| v as f64).collect()));
    }
    for (label, values) in numeric {
        figs.push(AnyFigure::Umap(UmapFigure {
            embedding: a.embedding.clone(),
            colouring: Colouring::Numeric { label, values },
            bins: 220,
        }));
    }
    // The analysis's PCA (fitted on the training split), so overlays match its numbers.
    let pca = (a.pca.mean.len() == s.n_bins()).then_some(&a.pca);
    let typical = inp.track_endpoints[1].min(n - 1);
    figs.push(AnyFigure::Spectrum(spectrum_figure(
        inp,
        typical,
        pca,
        "spectrum_typical",
        "typical emission-line galaxy",
    )?));
    let table = outlier_table(&a.lof.to_vec(), &a.chi2.to_vec());
    if let Some(top) = table.first() {
        figs.push(AnyFigure::Spectrum(spectrum_figure(
            inp,
            top.index,
            pca,
            "spectrum_top_outlier",
            "top outlier",
        )?));
    }
    figs.push(AnyFigure::Residuals(ResidualFigure {
        vs_wavelength: a.residuals.vs_wavelength.clone(),
        vs_ivar: a.residuals.vs_ivar.clone(),
        subset: format!("all {n} spectra"),
    }));
    let steps = a.track_line_spectra.nrows();
    figs.push(AnyFigure::Tracks(TracksFigure {
        name: "track_line".into(),
        title: format!(
            "Latent line from spectrum {} ({}) to {} ({})",
            inp.track_endpoints[0],
            s.classes[inp.track_endpoints[0].min(n - 1)].label(),
            inp.track_endpoints[1],
            s.classes[inp.track_endpoints[1].min(n - 1)].label()
        ),
        wavelengths: s.wavelengths.clone(),
        spectra: a.track_line_spectra.clone(),
        labels: (0..steps)
            .map(|i| format!("t = {:.2}", i as f64 / (steps.max(2) - 1) as f64))
            .collect(),
    }));
    for axis in 0..a.track_axes_spectra.shape()[0] {
        figs.push(AnyFigure::Tracks(TracksFigure {
            name: format!("track_z{axis}"),
            title: format!("Latent z{axis} at percentiles, other latents at their medians"),
            wavelengths: s.wavelengths.clone(),
            spectra: a
                .track_axes_spectra
                .index_axis(ndarray::Axis(0), axis)
                .to_owned(),
            labels: inp
                .track_percentiles
                .iter()
                .map(|p| format!("{p:.0}th"))
                .collect(),
        }));
    }
    Ok(figs)
}

/// Renders `figs` in every format into `dir` (created if needed) and writes `manifest.json`.
pub fn write_figures(
    inp: &FigureInputs,
    figs: &[AnyFigure],
    dir: &Path,
    formats: &[Format],
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<(Manifest, PathBuf), FiguresError> {
    std::fs::create_dir_all(dir).map_err(|source| AtomicWriteError {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut entries = vec![];
    let total = figs.len() * formats.len();
    for f in figs {
        for &format in formats {
            let name = format!("{}.{}", f.name(), format.extension());
            progress(entries.len(), total, &name);
            let t = std::time::Instant::now();
            let bytes = f.render(format).map_err(|source| FiguresError::Figure {
                figure: f.name(),
                source,
            })?;
            write_bytes_atomically(&dir.join(&name), &bytes)?;
            let (w, h) = f.size_in();
            entries.push(ManifestEntry {
                file: name,
                figure: f.name(),
                caption: f.caption(),
                format: format.extension().into(),
                width_in: w,
                height_in: h,
                dpi: match format {
                    Format::Png { dpi } => Some(dpi),
                    _ => None,
                },
                bytes: bytes.len(),
                seconds: t.elapsed().as_secs_f64(),
            });
        }
    }
    let manifest = Manifest {
        model: inp.model_path.and_then(|p| FileIdentity::of(p).ok()),
        data: inp.data_path.and_then(|p| FileIdentity::of(p).ok()),
        n_spectra: inp.spectra.n_spectra(),
        figures: entries,
    };
    let path = dir.join("manifest.json");
    let json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| FiguresError::Invalid(e.to_string()))?;
    write_bytes_atomically(&path, &json)?;
    Ok((manifest, path))
}
