//! The whole analysis of one model on one data set (`specae analyze`), and its files.
//!
//! Results go to a folder next to the model (`best.analysis/` beside `best.safetensors`) so the
//! GUI and the figure exporter open them without recomputing:
//! - `analysis.npz`: latents, umap, pca_coeffs, lof, chi2, residual histograms and their edges,
//!   latent tracks (latents and decoded spectra);
//! - `latents.npy` and `latents.csv` (index, plate, mjd, fiber, class, z, split, latents);
//! - `outliers.csv`: every spectrum, most outlying first;
//! - `summary.json`: inputs (model and data identity), parameters, accuracies, precisions,
//!   trustworthiness and timings.
//!
//! Every file is written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::prelude::Device;
use ndarray::{Array1, Array2, Array3, ArrayView2, Axis, s};
use ndarray_npy::{NpzWriter, WritableElement, WriteNpyExt};
use rayon::prelude::*;
use serde::Serialize;

use super::AnalysisError;
use super::classify::{Accuracy, knn_cross_validate};
use super::lof::local_outlier_factor;
use super::outliers::{OutlierRow, outlier_table, precision_at_top, reduced_chi2};
use super::residuals::{ResidualHistograms, residual_range, wavelength_edges};
use super::tracks::{line_between, percentile_track};
use super::trust::{subsample, trustworthiness};
use super::umap::{UmapParams, umap_embed};
use crate::data::identity::FileIdentity;
use crate::data::npz::NpzFile;
use crate::data::{GalaxyClass, Spectra, Split};
use crate::model::Autoencoder;
use crate::model::evaluate::{decode_rows, encode_rows, reconstruct_rows};
use crate::model::pca_baseline::PcaBaseline;
use crate::util::atomic::write_atomically;

/// Settings of an analysis run.
#[derive(Clone, Debug, Serialize)]
pub struct AnalysisOptions {
    pub umap: UmapParams,
    /// LOF neighbours (Portillo et al.: 20).
    pub lof_neighbors: usize,
    /// kNN classifier neighbours and folds.
    pub classifier_k: usize,
    pub folds: usize,
    /// Points in the trustworthiness subsample.
    pub trust_sample: usize,
    /// Percentiles of the per-axis latent tracks.
    pub track_percentiles: Vec<f64>,
    pub track_steps: usize,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            umap: UmapParams::default(),
            lof_neighbors: 20,
            classifier_k: 5,
            folds: 5,
            trust_sample: 5000,
            track_percentiles: vec![2.0, 16.0, 50.0, 84.0, 98.0],
            track_steps: 7,
        }
    }
}

/// Progress of a long analysis: stages with a length, and positions within them.
pub trait Progress {
    fn stage(&mut self, name: &str, len: u64);
    /// Returns `false` to cancel.
    fn set(&mut self, pos: u64) -> bool;
}

/// Ignores progress.
pub struct Quiet;

impl Progress for Quiet {
    fn stage(&mut self, _: &str, _: u64) {}
    fn set(&mut self, _: u64) -> bool {
        true
    }
}

/// Outlier-ranking quality against the built-in survey's injected oddities.
#[derive(Clone, Debug, Serialize)]
pub struct OddityPrecision {
    pub n_flagged: usize,
    pub base_rate: f64,
    pub top_fraction: f64,
    /// The best precision possible: flagged / top-fraction size, capped at 1.
    pub max_possible: f64,
    pub lof: f64,
    pub chi2: f64,
    pub combined: f64,
}

/// The numbers of an analysis (summary.json).
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub model: Option<FileIdentity>,
    pub data: Option<FileIdentity>,
    pub n_spectra: usize,
    pub latent_dim: usize,
    pub options: AnalysisOptions,
    pub class_labels: Vec<String>,
    pub knn_accuracy_ae: Accuracy,
    pub knn_accuracy_pca: Accuracy,
    pub trustworthiness: Option<f64>,
    pub oddities: Option<OddityPrecision>,
    /// Spectra (indices) the line track runs between.
    pub track_endpoints: [usize; 2],
    pub seconds: Vec<(String, f64)>,
    /// What the user should know about this run (duplicate spectra, settings reduced for a
    /// small data set).
    pub warnings: Vec<String>,
}

/// All results of an analysis run.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub latents: Array2<f32>,
    /// PCA at the latent dimension, fitted on the training split, and every spectrum's
    /// coefficients.
    pub pca: PcaBaseline,
    pub pca_coeffs: Array2<f32>,
    pub embedding: Array2<f32>,
    pub lof: Vec<f64>,
    pub chi2: Vec<f64>,
    pub outliers: Vec<OutlierRow>,
    pub residuals: ResidualHistograms,
    /// Line track: latents (steps × k) and decoded spectra (steps × d).
    pub track_line: (Array2<f32>, Array2<f32>),
    /// Per-axis percentile tracks: latents (k × p × k) and decoded spectra (k × p × d).
    pub track_axes: (Array3<f32>, Array3<f32>),
    pub summary: Summary,
}

/// What an analysis runs on.
pub struct Inputs<'a> {
    pub spectra: &'a Spectra,
    pub model: &'a Autoencoder,
    pub device: &'a Device,
    pub split: &'a Split,
    pub model_path: Option<&'a Path>,
    pub data_path: Option<&'a Path>,
}

const CHUNK: usize = 4096;
/// Fewer spectra than this have no neighbourhoods to speak of.
pub const MIN_SPECTRA: usize = 4;
/// Neighbours of the trustworthiness score (scikit-learn's default is 5; UMAP's 15 is used).
const TRUST_NEIGHBOURS: usize = 15;

/// The options, with neighbour counts and folds reduced to what `n` spectra allow (each
/// change said in `warnings`).
fn fit_options_to(opt: &AnalysisOptions, n: usize, warnings: &mut Vec<String>) -> AnalysisOptions {
    let mut o = opt.clone();
    let most = n - 1;
    if o.lof_neighbors > most {
        warnings.push(format!(
            "only {n} spectra: LOF uses {most} neighbours instead of {}",
            o.lof_neighbors
        ));
        o.lof_neighbors = most;
    }
    if o.umap.n_neighbors > most {
        warnings.push(format!(
            "only {n} spectra: UMAP uses {most} neighbours instead of {}",
            o.umap.n_neighbors
        ));
        o.umap.n_neighbors = most.max(2);
    }
    if n < o.folds * (o.classifier_k + 1) {
        let folds = o.folds.min(n / 2).max(2);
        let k = o.classifier_k.min(n / folds - 1).max(1);
        warnings.push(format!(
            "only {n} spectra: the kNN classifier uses {k} neighbours and {folds} folds \
             instead of {} and {}",
            o.classifier_k, o.folds
        ));
        (o.classifier_k, o.folds) = (k, folds);
    }
    o
}

/// Runs every analysis step.
pub fn analyze(
    inp: &Inputs,
    opt: &AnalysisOptions,
    progress: &mut dyn Progress,
) -> Result<Analysis, AnalysisError> {
    let s = inp.spectra;
    let n = s.n_spectra();
    if n == 0 {
        return Err(AnalysisError::Empty {
            what: "data".into(),
        });
    }
    if n < MIN_SPECTRA {
        return Err(AnalysisError::TooFewPoints {
            what: "the analysis (neighbourhoods, UMAP, cross-validation)".into(),
            n,
            k: MIN_SPECTRA - 1,
        });
    }
    let mut warnings = vec![];
    let opt = &fit_options_to(opt, n, &mut warnings);
    inp.split
        .validate(n)
        .map_err(|e| AnalysisError::Invalid(format!("split: {e}")))?;
    let mut seconds = vec![];
    let mut timed =
        |name: &str, t: Instant| seconds.push((name.to_string(), t.elapsed().as_secs_f64()));

    // Latents, reconstruction χ² and residual histograms, chunk by chunk.
    let t = Instant::now();
    progress.stage("encode + reconstruct", n as u64);
    let mut latent_parts = Vec::with_capacity(n.div_ceil(CHUNK));
    let mut chi2 = Vec::with_capacity(n);
    let mut residuals: Option<ResidualHistograms> = None;
    let all: Vec<u32> = (0..n as u32).collect();
    for idx in all.chunks(CHUNK) {
        // One encoder pass: the reconstruction decodes the latents just computed.
        let z = encode_rows(inp.model, s.x.view(), idx, inp.device);
        let xhat = decode_rows(inp.model, z.view(), inp.device);
        let (lo, hi) = (idx[0] as usize, idx[0] as usize + idx.len());
        let (xs, ws) = (s.x.slice(s![lo..hi, ..]), s.w.slice(s![lo..hi, ..]));
        if xhat.dim() != xs.dim() {
            return Err(AnalysisError::Invalid(format!(
                "the model reconstructs {} bins but the data have {}",
                xhat.ncols(),
                xs.ncols()
            )));
        }
        chi2.par_extend(
            (0..idx.len())
                .into_par_iter()
                .map(|i| reduced_chi2(xs.row(i), xhat.row(i), ws.row(i))),
        );
        residuals
            .get_or_insert_with(|| {
                let range = residual_range(xs, xhat.view(), ws);
                ResidualHistograms::with_range(
                    wavelength_edges(s.coeff0, s.coeff1, s.n_bins()),
                    range,
                )
            })
            .add(xs, xhat.view(), ws);
        latent_parts.push(z);
        if !progress.set(hi as u64) {
            return Err(AnalysisError::Cancelled);
        }
    }
    let views: Vec<_> = latent_parts.iter().map(|z| z.view()).collect();
    let latents = ndarray::concatenate(Axis(0), &views)
        .map_err(|e| AnalysisError::Invalid(format!("latents: {e}")))?;
    drop(latent_parts);
    timed("encode + reconstruct", t);
    let residuals = residuals.ok_or_else(|| AnalysisError::Empty {
        what: "data".into(),
    })?;
    super::knn::check_points(latents.view(), "latents")?;
    let k = latents.ncols();

    // PCA coefficients at the same dimension (fitted on the training split).
    let t = Instant::now();
    progress.stage("PCA baseline", 1);
    // As many components as latents, unless the training split is too small for them.
    let n_train = inp.split.train.len();
    let k_pca = k.min(n_train.saturating_sub(1)).max(1);
    if k_pca < k {
        warnings.push(format!(
            "only {n_train} training spectra: the PCA baseline has {k_pca} components \
             instead of {k}"
        ));
    }
    let pca = PcaBaseline::fit(s.x.view(), &inp.split.train, k_pca)
        .map_err(|e| AnalysisError::Invalid(format!("PCA baseline: {e}")))?;
    let coeffs: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|i| pca.project(s.x.row(i)))
        .collect();
    let pca_coeffs = Array2::from_shape_fn((n, k_pca), |(i, j)| coeffs[i][j] as f32);
    timed("PCA baseline", t);

    // Outliers.
    let t = Instant::now();
    progress.stage("local outlier factor", 1);
    let lof = local_outlier_factor(latents.view(), opt.lof_neighbors)?;
    let twins = super::knn::KnnIndex::build(latents.view(), "latents")?
        .graph(latents.view(), 1, false, "latents")?
        .duplicates;
    if twins > 0 {
        warnings.push(format!(
            "{twins} spectra have exactly the same latents as another (repeated spectra?); \
             they are kept, as scikit-learn and umap-learn keep duplicates"
        ));
    }
    let outliers = outlier_table(&lof, &chi2);
    let oddities = s.truth.as_ref().map(|truth| {
        let flagged: Vec<bool> = truth.oddity.iter().map(|&o| o != 0).collect();
        let n_flagged = flagged.iter().filter(|&&f| f).count();
        let mut combined = vec![0.0; n];
        for r in &outliers {
            combined[r.index] = r.score;
        }
        let frac = 0.01;
        OddityPrecision {
            n_flagged,
            base_rate: n_flagged as f64 / n as f64,
            top_fraction: frac,
            max_possible: (n_flagged as f64 / (n as f64 * frac).round().max(1.0)).min(1.0),
            lof: precision_at_top(&lof, &flagged, frac),
            chi2: precision_at_top(&chi2, &flagged, frac),
            combined: precision_at_top(&combined, &flagged, frac),
        }
    });
    timed("local outlier factor", t);

    // Class separation.
    let t = Instant::now();
    progress.stage("kNN classifier (AE and PCA)", 2);
    let labels: Vec<usize> = s.classes.iter().map(|c| c.index()).collect();
    let acc_ae = knn_cross_validate(latents.view(), &labels, opt.classifier_k, opt.folds, 0)?;
    progress.set(1);
    let acc_pca = knn_cross_validate(pca_coeffs.view(), &labels, opt.classifier_k, opt.folds, 0)?;
    progress.set(2);
    timed("kNN classifier", t);

    // UMAP.
    let t = Instant::now();
    let total = opt.umap.epochs_for(n);
    progress.stage("UMAP", total as u64);
    let embedding = umap_embed(latents.view(), &opt.umap, &mut |e, _| {
        progress.set(e as u64)
    })?;
    timed("UMAP", t);
    let t = Instant::now();
    progress.stage("trustworthiness", 1);
    let sub = subsample(n, opt.trust_sample, 0);
    let pick = |a: &Array2<f32>| a.select(Axis(0), &sub);
    let trust_k = TRUST_NEIGHBOURS
        .min((2 * sub.len()).saturating_sub(2) / 3)
        .max(1);
    let trust = trustworthiness(pick(&latents).view(), pick(&embedding).view(), trust_k).ok();
    timed("trustworthiness", t);

    // Latent tracks: between the most typical quiescent and emission-line galaxies (nearest
    // to their class's median latent), and along percentiles of each axis.
    let t = Instant::now();
    progress.stage("latent tracks", 1);
    let ends = [
        typical_member(latents.view(), &s.classes, GalaxyClass::Quiescent),
        typical_member(latents.view(), &s.classes, GalaxyClass::EmissionLine),
    ];
    let line = line_between(
        &latents.row(ends[0]).to_vec(),
        &latents.row(ends[1]).to_vec(),
        opt.track_steps,
    )?;
    let line_spectra = decode_rows(inp.model, line.view(), inp.device);
    let p = opt.track_percentiles.len();
    let mut axes_z = Array3::<f32>::zeros((k, p, k));
    let mut axes_x = Array3::<f32>::zeros((k, p, s.n_bins()));
    for a in 0..k {
        let z = percentile_track(latents.view(), a, &opt.track_percentiles)?;
        let x = decode_rows(inp.model, z.view(), inp.device);
        axes_z.slice_mut(s![a, .., ..]).assign(&z);
        if x.dim() == (p, s.n_bins()) {
            axes_x.slice_mut(s![a, .., ..]).assign(&x);
        }
    }
    timed("latent tracks", t);

    let summary = Summary {
        model: inp.model_path.and_then(|p| FileIdentity::of(p).ok()),
        data: inp.data_path.and_then(|p| FileIdentity::of(p).ok()),
        n_spectra: n,
        latent_dim: k,
        options: opt.clone(),
        class_labels: GalaxyClass::ALL
            .iter()
            .map(|c| c.label().to_string())
            .collect(),
        knn_accuracy_ae: acc_ae,
        knn_accuracy_pca: acc_pca,
        trustworthiness: trust,
        oddities,
        track_endpoints: ends,
        seconds,
        warnings,
    };
    Ok(Analysis {
        latents,
        pca,
        pca_coeffs,
        embedding,
        lof,
        chi2,
        outliers,
        residuals,
        track_line: (line, line_spectra),
        track_axes: (axes_z, axes_x),
        summary,
    })
}

/// Residual histograms of the model's reconstructions of rows `rows` of `s` (any subset, e.g.
/// the GUI's selection), computed chunk by chunk, binned over `y_range` (pass the analysis's
/// `residuals.vs_wavelength.y_range()` so subsets compare with the whole).
pub fn residuals_of_rows(
    model: &Autoencoder,
    device: &Device,
    s: &Spectra,
    rows: &[u32],
    y_range: (f64, f64),
) -> ResidualHistograms {
    let mut h =
        ResidualHistograms::with_range(wavelength_edges(s.coeff0, s.coeff1, s.n_bins()), y_range);
    let rows: Vec<u32> = rows
        .iter()
        .copied()
        .filter(|&i| (i as usize) < s.n_spectra())
        .collect();
    for idx in rows.chunks(CHUNK) {
        let sel: Vec<usize> = idx.iter().map(|&i| i as usize).collect();
        let xhat = reconstruct_rows(model, s.x.view(), idx, device);
        let (xs, ws) = (s.x.select(Axis(0), &sel), s.w.select(Axis(0), &sel));
        if xhat.dim() == xs.dim() {
            h.add(xs.view(), xhat.view(), ws.view());
        }
    }
    h
}

/// The member of `class` nearest to the class's median latent (any spectrum if none).
fn typical_member(latents: ArrayView2<f32>, classes: &[GalaxyClass], class: GalaxyClass) -> usize {
    let members: Vec<usize> = (0..latents.nrows())
        .filter(|&i| classes[i] == class)
        .collect();
    let members = if members.is_empty() {
        (0..latents.nrows()).collect()
    } else {
        members
    };
    let median: Vec<f32> = (0..latents.ncols())
        .map(|j| {
            let mut c: Vec<f32> = members.iter().map(|&i| latents[[i, j]]).collect();
            c.sort_by(|a, b| a.total_cmp(b));
            super::tracks::quantile_sorted(&c, 0.5)
        })
        .collect();
    let d2 = |i: usize| -> f32 {
        latents
            .row(i)
            .iter()
            .zip(&median)
            .map(|(a, b)| (a - b) * (a - b))
            .sum()
    };
    members
        .iter()
        .copied()
        .min_by(|&a, &b| d2(a).total_cmp(&d2(b)))
        .unwrap_or(0)
}

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
        s: &Spectra,
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
            let m = &s.meta;
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
                    s.classes[i].label(),
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
                    .truth
                    .as_ref()
                    .map(|t| t.oddity[o.index].to_string())
                    .unwrap_or_default();
                writeln!(
                    w,
                    "{},{},{},{:.5},{:.5},{:.5},{:.5},{:.5},{odd}",
                    r + 1,
                    o.index,
                    s.classes[o.index].label(),
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
    pub residuals: ResidualHistograms,
    pub track_line_spectra: Array2<f32>,
    pub track_axes_spectra: Array3<f32>,
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
    let n = latents.nrows();
    if embedding.nrows() != n || pca_coeffs.nrows() != n || lof.len() != n || chi2.len() != n {
        return Err(bad("arrays have different numbers of rows".into()));
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
        residuals,
        track_line_spectra,
        track_axes_spectra,
    })
}
