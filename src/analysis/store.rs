//! The files of an analysis, in a folder next to the model (`best.analysis/` beside
//! `best.safetensors`), so the explorer and the figure exporter open them without
//! recomputing:
//! - `analysis.npz`: latents, umap, pca_coeffs, lof, chi2, residual statistics by region
//!   (`region_stats`, since the triage's learned ranking), residual histograms and their edges,
//!   latent tracks (latents and decoded spectra);
//! - `latents.npy` and `latents.csv` (index, plate, mjd, fiber, class, z, split, latents);
//! - `outliers.csv`: every spectrum, most outlying first;
//! - `summary.json`: inputs (model and data identity), parameters, accuracies, precisions,
//!   trustworthiness and timings.
//!
//! Every file is written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2, Array3};
use ndarray_npy::{NpzWriter, WritableElement, WriteNpyExt};

use super::AnalysisError;
use super::regions::N_REGION_STATS;
use super::residuals::ResidualHistograms;
use super::rows::SpectraRows;
use super::run::Analysis;
use crate::data::Split;
use crate::data::npz::NpzFile;
use crate::model::pca_baseline::PcaBaseline;
use crate::util::atomic::write_atomically;

/// Default results folder of a model: `<model without extension>.analysis` beside it.
pub fn default_dir(model: &Path) -> PathBuf {
    let stem = model
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    model.with_file_name(format!("{stem}.analysis"))
}

fn npz_err(path: &Path) -> impl Fn(ndarray_npy::WriteNpzError) -> AnalysisError + '_ {
    move |e| AnalysisError::Write {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

fn write_npy<T: WritableElement, D: ndarray::Dimension>(
    path: &Path,
    a: &ndarray::Array<T, D>,
) -> Result<(), AnalysisError> {
    write_atomically(path, |w| {
        a.write_npy(w).map_err(|e| AnalysisError::Write {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })
    })
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> AnalysisError + '_ {
    move |e| AnalysisError::Write {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

impl Analysis {
    /// Writes all result files into `dir` (created if needed); returns their paths.
    pub fn write(
        &self,
        dir: &Path,
        s: SpectraRows<'_>,
        split: &Split,
    ) -> Result<Vec<PathBuf>, AnalysisError> {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let mut out = vec![];

        let p = dir.join("analysis.npz");
        let e = npz_err(&p);
        write_atomically::<AnalysisError, _>(&p, |w| {
            let mut z = NpzWriter::new(w);
            z.add_array("latents", &self.latents).map_err(&e)?;
            z.add_array("umap", &self.embedding).map_err(&e)?;
            z.add_array("pca_coeffs", &self.pca_coeffs).map_err(&e)?;
            z.add_array("pca_mean", &self.pca.mean).map_err(&e)?;
            z.add_array("pca_components", &self.pca.components)
                .map_err(&e)?;
            z.add_array("lof", &Array1::from_vec(self.lof.clone()))
                .map_err(&e)?;
            z.add_array("chi2", &Array1::from_vec(self.chi2.clone()))
                .map_err(&e)?;
            z.add_array("region_stats", &self.regions).map_err(&e)?;
            let h = &self.residuals;
            z.add_array("resid_wave_counts", &h.vs_wavelength.counts)
                .map_err(&e)?;
            z.add_array(
                "resid_wave_x_edges",
                &Array1::from_vec(h.vs_wavelength.x_edges.clone()),
            )
            .map_err(&e)?;
            z.add_array("resid_ivar_counts", &h.vs_ivar.counts)
                .map_err(&e)?;
            z.add_array(
                "resid_ivar_x_edges",
                &Array1::from_vec(h.vs_ivar.x_edges.clone()),
            )
            .map_err(&e)?;
            z.add_array(
                "resid_y_edges",
                &Array1::from_vec(h.vs_ivar.y_edges.clone()),
            )
            .map_err(&e)?;
            z.add_array("track_line_latents", &self.track_line.0)
                .map_err(&e)?;
            z.add_array("track_line_spectra", &self.track_line.1)
                .map_err(&e)?;
            z.add_array("track_axes_latents", &self.track_axes.0)
                .map_err(&e)?;
            z.add_array("track_axes_spectra", &self.track_axes.1)
                .map_err(&e)?;
            z.finish().map_err(&e)?;
            Ok(())
        })?;
        drop(e);
        out.push(p);

        let p = dir.join("latents.npy");
        write_npy(&p, &self.latents)?;
        out.push(p);

        let p = dir.join("latents.csv");
        let in_train = {
            let mut v = vec![false; s.n_spectra()];
            for &i in &split.train {
                v[i as usize] = true;
            }
            v
        };
        write_atomically::<AnalysisError, _>(&p, |w| {
            let e = io_err(&p);
            let k = self.latents.ncols();
            write!(w, "index,plate,mjd,fiber,class,z,split").map_err(&e)?;
            for j in 0..k {
                write!(w, ",z{j}").map_err(&e)?;
            }
            writeln!(w).map_err(&e)?;
            let m = s.meta();
            let int = |a: &Option<Array1<i64>>, i: usize| {
                a.as_ref().map(|a| a[i].to_string()).unwrap_or_default()
            };
            for i in 0..s.n_spectra() {
                write!(
                    w,
                    "{i},{},{},{},{},{},{}",
                    int(&m.plate, i),
                    int(&m.mjd, i),
                    int(&m.fiber, i),
                    s.classes()[i].label(),
                    m.z.as_ref().map(|z| z[i].to_string()).unwrap_or_default(),
                    if in_train[i] { "train" } else { "valid" }
                )
                .map_err(&e)?;
                for j in 0..k {
                    write!(w, ",{}", self.latents[[i, j]]).map_err(&e)?;
                }
                writeln!(w).map_err(&e)?;
            }
            Ok(())
        })?;
        out.push(p);

        let p = dir.join("outliers.csv");
        write_atomically::<AnalysisError, _>(&p, |w| {
            let e = io_err(&p);
            writeln!(
                w,
                "rank,index,class,score,lof,lof_percentile,chi2,chi2_percentile,oddity"
            )
            .map_err(&e)?;
            for (r, o) in self.outliers.iter().enumerate() {
                let odd = s
                    .truth()
                    .map(|t| t.oddity[o.index].to_string())
                    .unwrap_or_default();
                writeln!(
                    w,
                    "{},{},{},{:.5},{:.5},{:.5},{:.5},{:.5},{odd}",
                    r + 1,
                    o.index,
                    s.classes()[o.index].label(),
                    o.score,
                    o.lof,
                    o.lof_percentile,
                    o.chi2,
                    o.chi2_percentile
                )
                .map_err(&e)?;
            }
            Ok(())
        })?;
        out.push(p);

        let p = dir.join("summary.json");
        let json = serde_json::to_vec_pretty(&self.summary)
            .map_err(|e| AnalysisError::Invalid(format!("summary: {e}")))?;
        crate::util::atomic::write_bytes_atomically(&p, &json)?;
        out.push(p);
        Ok(out)
    }
}

/// The arrays of a written analysis the viewers need (from `analysis.npz`).
#[derive(Clone, Debug)]
pub struct StoredAnalysis {
    pub latents: Array2<f32>,
    pub embedding: Array2<f32>,
    pub pca: PcaBaseline,
    pub pca_coeffs: Array2<f32>,
    pub lof: Array1<f64>,
    pub chi2: Array1<f64>,
    /// Residual statistics by region (`None` in an analysis written before they existed).
    pub regions: Option<Array2<f32>>,
    pub residuals: ResidualHistograms,
    pub track_line_spectra: Array2<f32>,
    pub track_axes_spectra: Array3<f32>,
}

/// The latents of the analysis in `dir`, if its `summary.json` says it was computed from this
/// very model and data file (their fingerprints, the number of spectra and latents) and it has
/// everything the explorer shows (the residual statistics by region): the explorer then shows a
/// large survey without encoding it again (a million spectra: ~70 s of the model on 2 cores).
/// `None` whenever anything differs or cannot be read — the caller encodes.
pub fn cached_latents(
    dir: &Path,
    model: &Path,
    data: &Path,
    n: usize,
    k: usize,
) -> Option<Array2<f32>> {
    use crate::data::identity::FileIdentity;
    let bytes = std::fs::read(dir.join("summary.json")).ok()?;
    let summary: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let same = |key: &str, path: &Path| {
        let recorded = summary.get(key)?.get("fingerprint")?.as_str()?.to_string();
        Some(FileIdentity::of(path).ok()?.fingerprint == recorded)
    };
    let counts = summary.get("n_spectra")?.as_u64()? == n as u64
        && summary.get("latent_dim")?.as_u64()? == k as u64;
    if !(counts && same("model", model)? && same("data", data)?) {
        return None;
    }
    let mut z = NpzFile::open(&dir.join("analysis.npz")).ok()?;
    if !z.has("region_stats") {
        return None;
    }
    let latents: Array2<f32> = z.array("latents", "float32").ok()?;
    (latents.dim() == (n, k) && latents.iter().all(|v| v.is_finite())).then_some(latents)
}

/// Reads `analysis.npz` from an analysis folder.
pub fn read_stored(dir: &Path) -> Result<StoredAnalysis, AnalysisError> {
    let p = dir.join("analysis.npz");
    let f = NpzFile::open(&p).map_err(|e| AnalysisError::Invalid(e.to_string()))?;
    stored_from(f)
}

/// [`read_stored`] from the bytes of an `analysis.npz`; `name` names it in errors.
pub fn read_stored_bytes(bytes: Vec<u8>, name: &Path) -> Result<StoredAnalysis, AnalysisError> {
    let f = NpzFile::from_bytes(bytes, name).map_err(|e| AnalysisError::Invalid(e.to_string()))?;
    stored_from(f)
}

fn stored_from(mut z: NpzFile) -> Result<StoredAnalysis, AnalysisError> {
    let p = z.path().to_path_buf();
    let bad = |detail: String| AnalysisError::Invalid(format!("{}: {detail}", p.display()));
    let data = |e: crate::data::DataError| AnalysisError::Invalid(e.to_string());
    let latents: Array2<f32> = z.array("latents", "float32").map_err(data)?;
    let embedding: Array2<f32> = z.array("umap", "float32").map_err(data)?;
    let pca_coeffs: Array2<f32> = z.array("pca_coeffs", "float32").map_err(data)?;
    let pca = PcaBaseline {
        mean: z.array("pca_mean", "float32").map_err(data)?,
        components: z.array("pca_components", "float32").map_err(data)?,
    };
    let lof: Array1<f64> = z.array("lof", "float64").map_err(data)?;
    let chi2: Array1<f64> = z.array("chi2", "float64").map_err(data)?;
    let regions: Option<Array2<f32>> = if z.has("region_stats") {
        Some(z.array("region_stats", "float32").map_err(data)?)
    } else {
        None
    };
    let n = latents.nrows();
    if embedding.nrows() != n
        || pca_coeffs.nrows() != n
        || lof.len() != n
        || chi2.len() != n
        || regions.as_ref().is_some_and(|r| r.nrows() != n)
    {
        return Err(bad("arrays have different numbers of rows".into()));
    }
    if let Some(r) = &regions
        && (r.ncols() != N_REGION_STATS || r.iter().any(|v| !v.is_finite()))
    {
        return Err(bad(format!(
            "region_stats has {} columns (not {N_REGION_STATS}) or values that are not finite",
            r.ncols()
        )));
    }
    if embedding.ncols() != 2 {
        return Err(bad(format!(
            "the UMAP embedding has {} columns, not 2",
            embedding.ncols()
        )));
    }
    let mut get1 = |name: &str| -> Result<Vec<f64>, AnalysisError> {
        let a: Array1<f64> = z.array(name, "float64").map_err(data)?;
        Ok(a.to_vec())
    };
    let wave_x = get1("resid_wave_x_edges")?;
    let ivar_x = get1("resid_ivar_x_edges")?;
    let y = get1("resid_y_edges")?;
    let wave: Array2<u64> = z.array("resid_wave_counts", "uint64").map_err(data)?;
    let ivar: Array2<u64> = z.array("resid_ivar_counts", "uint64").map_err(data)?;
    if y.len() < 2 || wave_x.len() < 2 || y.iter().chain(&wave_x).any(|v| !v.is_finite()) {
        return Err(bad(
            "residual histogram edges are missing or not finite".into()
        ));
    }
    let mut residuals =
        ResidualHistograms::with_range(wave_x, (y[0], y[y.len().saturating_sub(1)]));
    if residuals.vs_wavelength.counts.dim() != wave.dim()
        || residuals.vs_ivar.counts.dim() != ivar.dim()
        || residuals.vs_ivar.x_edges != ivar_x
        || residuals.vs_ivar.y_edges != y
    {
        return Err(bad("residual histograms have unexpected bins".into()));
    }
    residuals.vs_wavelength.total = wave.sum();
    residuals.vs_ivar.total = ivar.sum();
    residuals.vs_wavelength.counts = wave;
    residuals.vs_ivar.counts = ivar;
    let track_line_spectra: Array2<f32> = z.array("track_line_spectra", "float32").map_err(data)?;
    let track_axes_spectra: Array3<f32> = z.array("track_axes_spectra", "float32").map_err(data)?;
    if pca.components.ncols() != pca.mean.len() {
        return Err(bad("the PCA basis has inconsistent shapes".into()));
    }
    Ok(StoredAnalysis {
        latents,
        embedding,
        pca,
        pca_coeffs,
        lof,
        chi2,
        regions,
        residuals,
        track_line_spectra,
        track_axes_spectra,
    })
}
