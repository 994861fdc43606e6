//! The whole analysis of one model on one data set (`specae analyze`, the explorer), step by
//! step, each result handed over as soon as it exists: the scores (χ², LOF, the outlier
//! ranking, residual histograms) after encoding, the UMAP embedding next, the PCA baseline,
//! then the slower summaries (kNN classifier, trustworthiness, latent tracks). The explorer
//! draws the map while the summaries are still being computed.
//!
//! Writing and reading the results is [`super::store`].

use std::path::Path;
use std::time::Instant;

use burn::prelude::Device;
use ndarray::{Array2, Array3, ArrayView2, Axis, s};
use rayon::prelude::*;
use serde::Serialize;

use super::AnalysisError;
use super::classify::{Accuracy, knn_cross_validate_with};
use super::knn::KnnIndex;
use super::lof::{local_outlier_factor_with, lof_of_graph};
use super::options::{AnalysisOptions, MIN_SPECTRA};
use super::outliers::{OutlierRow, outlier_table, precision_at_top, reduced_chi2};
use super::regions::{N_REGION_STATS, region_stats_rows};
use super::residuals::{ResidualHistograms, residual_range, wavelength_edges};
use super::rows::SpectraRows;
use super::tracks::{line_between, percentile_track};
use super::trust::{subsample, trustworthiness_with};
use super::umap::{umap_embed, umap_embed_on};
use crate::data::identity::FileIdentity;
use crate::data::{GalaxyClass, Split};
use crate::model::Autoencoder;
use crate::model::evaluate::{CHUNK, STAGE_ENCODE, decode_rows, encode_rows};
use crate::model::pca_baseline::PcaBaseline;
use crate::util::progress::Progress;
use crate::util::stats::quantile_sorted;

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

/// Per-spectrum scores: what the outlier list and the χ²/LOF colourings show.
#[derive(Clone, Debug)]
pub struct Scores {
    pub chi2: Vec<f64>,
    pub lof: Vec<f64>,
    /// Where each reconstruction fails ([`super::regions`]): n × [`N_REGION_STATS`].
    pub regions: Array2<f32>,
    /// Every spectrum, most outlying first.
    pub outliers: Vec<OutlierRow>,
    pub residuals: ResidualHistograms,
}

impl Scores {
    /// Each spectrum's combined outlier percentile, read off the outlier table (no sort).
    pub fn combined(&self) -> Vec<f64> {
        let mut v = vec![0.0; self.chi2.len()];
        for r in &self.outliers {
            if let Some(slot) = v.get_mut(r.index) {
                *slot = r.score;
            }
        }
        v
    }

    /// Rows, most outlying first by the combined ranking: the outlier table's order.
    pub fn combined_order(&self) -> Vec<u32> {
        self.outliers.iter().map(|r| r.index as u32).collect()
    }
}

/// A result of an analysis handed over while the rest is still being computed.
#[derive(Clone, Debug)]
pub enum Part {
    /// Boxed: the scores hold the residual histograms (~400 bytes inline).
    Scores(Box<Scores>),
    /// The UMAP embedding (n × 2).
    Embedding(Array2<f32>),
    /// The PCA at the latent dimension, fitted on the training split.
    Baseline(PcaBaseline),
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
    /// Residual statistics by region ([`super::regions`]), n × [`N_REGION_STATS`].
    pub regions: Array2<f32>,
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
    /// In memory, or streamed from a store (`(&spectra).into()` for spectra in memory).
    pub spectra: SpectraRows<'a>,
    pub model: &'a Autoencoder,
    pub device: &'a Device,
    pub split: &'a Split,
    pub model_path: Option<&'a Path>,
    pub data_path: Option<&'a Path>,
    /// The spectra's latents when already computed by this model (the explorer encodes
    /// before it analyses): they are decoded for the reconstruction instead of encoding every
    /// spectrum again (a million from a store: the encoder's half of ~170 s).
    pub latents: Option<ArrayView2<'a, f32>>,
}

/// Neighbours of the trustworthiness score (scikit-learn's default is 5; UMAP's 15 is used).
const TRUST_NEIGHBOURS: usize = 15;

/// Runs every analysis step, as stages of `progress` (a cancel stops it within one step).
pub fn analyze(
    inp: &Inputs,
    opt: &AnalysisOptions,
    progress: &Progress,
) -> Result<Analysis, AnalysisError> {
    analyze_streaming(inp, opt, progress, &mut |_| {})
}

/// The per-spectrum scores the outlier triage ranks by, without the UMAP, the PCA baseline
/// and the summaries: latents, χ², LOF and residual statistics by region (`specae triage`).
#[derive(Clone, Debug)]
pub struct Scored {
    pub latents: Array2<f32>,
    pub chi2: Vec<f64>,
    pub lof: Vec<f64>,
    pub regions: Array2<f32>,
}

/// Encodes and scores every spectrum and computes the LOF of the latents ([`Scored`]).
pub fn score_spectra(
    inp: &Inputs,
    opt: &AnalysisOptions,
    progress: &Progress,
) -> Result<Scored, AnalysisError> {
    let n = inp.spectra.n_spectra();
    if n < MIN_SPECTRA {
        return Err(AnalysisError::TooFewPoints {
            what: "outlier scores (neighbourhoods)".into(),
            n,
            k: MIN_SPECTRA - 1,
        });
    }
    let opt = opt.fitted_to(n, &mut vec![]);
    let e = encode_and_score(inp, &[], progress)?;
    super::knn::check_points(e.latents.view(), "latents")?;
    progress.stage("local outlier factor", 0);
    let lof = local_outlier_factor_with(e.latents.view(), opt.lof_neighbors, progress)?;
    Ok(Scored {
        latents: e.latents,
        chi2: e.chi2,
        lof,
        regions: e.regions,
    })
}

/// [`analyze`], handing each [`Part`] to `on_part` as soon as it is computed.
pub fn analyze_streaming(
    inp: &Inputs,
    opt: &AnalysisOptions,
    progress: &Progress,
    on_part: &mut dyn FnMut(Part),
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
    let opt = &opt.fitted_to(n, &mut warnings);
    inp.split
        .validate(n)
        .map_err(|e| AnalysisError::Invalid(format!("split: {e}")))?;
    let mut seconds = vec![];
    let mut timed =
        |name: &str, t: Instant| seconds.push((name.to_string(), t.elapsed().as_secs_f64()));

    // Latents, reconstruction χ² and residual histograms, chunk by chunk: one encoder pass,
    // the reconstruction decodes the latents just computed. The same pass keeps the training
    // rows a store's PCA baseline is fitted on (a million spectra: one read of the store
    // fewer, ~40 s).
    let t = Instant::now();
    let pick = s.baseline_sample(&inp.split.train);
    let Encoded {
        chi2,
        regions,
        residuals,
        latents,
        sample,
    } = encode_and_score(inp, &pick, progress)?;
    timed("encode + reconstruct", t);
    super::knn::check_points(latents.view(), "latents")?;
    let k = latents.ncols();

    // The PCA at the same dimension (fitted on the training split): as many components as
    // latents, unless the training split is too small for them. A store's is fitted now, so
    // the sample read above is let go; in memory it is fitted after the UMAP, which the
    // explorer shows first. Every spectrum's coefficients come after the UMAP.
    let n_train = inp.split.train.len();
    let k_pca = k.min(n_train.saturating_sub(1)).max(1);
    if k_pca < k {
        warnings.push(format!(
            "only {n_train} training spectra: the PCA baseline has {k_pca} components \
             instead of {k}"
        ));
    }
    let t = Instant::now();
    let early_pca = match sample {
        Some(xs) => {
            progress.stage("PCA baseline", 0);
            Some(s.fit_baseline_on(&inp.split.train, Some(xs.view()), k_pca, progress)?)
        }
        None => None,
    };
    let t_fit = t.elapsed();

    // Outliers. One kNN graph of the latents serves the LOF, the duplicate count and the
    // UMAP (each used to query its own: a million latents, ~12 s a graph on 2 cores).
    let t = Instant::now();
    progress.stage("local outlier factor", 0);
    let graph = {
        let index = KnnIndex::build(latents.view(), "latents")?;
        progress.check()?;
        let most = opt
            .lof_neighbors
            .max(opt.umap.n_neighbors.saturating_sub(1));
        index.graph_with(latents.view(), most, false, "latents", progress)?
    };
    let lof = lof_of_graph(&graph, opt.lof_neighbors);
    let twins = graph.duplicates;
    if twins > 0 {
        warnings.push(format!(
            "{twins} spectra have exactly the same latents as another (repeated spectra?); \
             they are kept, as scikit-learn and umap-learn keep duplicates"
        ));
    }
    let outliers = outlier_table(&lof, &chi2);
    timed("local outlier factor", t);
    on_part(Part::Scores(Box::new(Scores {
        chi2: chi2.clone(),
        lof: lof.clone(),
        regions: regions.clone(),
        outliers: outliers.clone(),
        residuals: residuals.clone(),
    })));
    progress.check()?;

    // UMAP.
    let t = Instant::now();
    let embedding = if opt.umap.fits_a_sample(n) {
        // Laid out through a sample, with the sample's own graph.
        drop(graph);
        umap_embed(latents.view(), &opt.umap, progress)?
    } else {
        let umap_graph = graph
            .first(opt.umap.n_neighbors, true)
            .ok_or_else(|| AnalysisError::Invalid("UMAP: the kNN graph is too small".into()))?;
        drop(graph);
        umap_embed_on(latents.view(), &umap_graph, &opt.umap, progress)?
    };
    timed("UMAP", t);
    on_part(Part::Embedding(embedding.clone()));
    progress.check()?;

    // Every spectrum's PCA coefficients.
    let t = Instant::now();
    progress.stage("PCA baseline", 0);
    let pca = match early_pca {
        Some(p) => p,
        None => s.fit_baseline_on(&inp.split.train, None, k_pca, progress)?,
    };
    let mut pca_coeffs = Array2::<f32>::zeros((n, k_pca));
    s.visit(&mut |lo, x, _| {
        progress.check()?;
        let coeffs: Vec<Vec<f64>> = (0..x.nrows())
            .into_par_iter()
            .map(|i| pca.project(x.row(i)))
            .collect();
        for (i, c) in coeffs.iter().enumerate() {
            for (j, &v) in c.iter().enumerate().take(k_pca) {
                pca_coeffs[[lo + i, j]] = v as f32;
            }
        }
        Ok(())
    })?;
    // The fit's time counted too: as if the stage had started that much earlier.
    timed("PCA baseline", t.checked_sub(t_fit).unwrap_or(t));
    on_part(Part::Baseline(pca.clone()));
    progress.check()?;

    let oddities = s
        .truth()
        .map(|truth| oddity_precision(&truth.oddity, &lof, &chi2, &outliers));

    // Class separation.
    let t = Instant::now();
    progress.stage("kNN classifier (AE and PCA)", 2);
    let labels: Vec<usize> = s.classes().iter().map(|c| c.index()).collect();
    let acc_ae = knn_cross_validate_with(
        latents.view(),
        &labels,
        opt.classifier_k,
        opt.folds,
        0,
        progress,
    )?;
    progress.set(1);
    progress.check()?;
    let acc_pca = knn_cross_validate_with(
        pca_coeffs.view(),
        &labels,
        opt.classifier_k,
        opt.folds,
        0,
        progress,
    )?;
    progress.set(2);
    timed("kNN classifier", t);
    progress.check()?;

    let t = Instant::now();
    progress.stage("trustworthiness", 0);
    let sub = subsample(n, opt.trust_sample, 0);
    let pick = |a: &Array2<f32>| a.select(Axis(0), &sub);
    let trust_k = TRUST_NEIGHBOURS
        .min((2 * sub.len()).saturating_sub(2) / 3)
        .max(1);
    let trust = match trustworthiness_with(
        pick(&latents).view(),
        pick(&embedding).view(),
        trust_k,
        progress,
    ) {
        Ok(t) => Some(t),
        Err(AnalysisError::Cancelled) => return Err(AnalysisError::Cancelled),
        Err(_) => None,
    };
    timed("trustworthiness", t);
    progress.check()?;

    // Latent tracks: between the most typical quiescent and emission-line galaxies (nearest
    // to their class's median latent), and along percentiles of each axis.
    let t = Instant::now();
    progress.stage("latent tracks", 0);
    let ends = [
        typical_member(latents.view(), s.classes(), GalaxyClass::Quiescent),
        typical_member(latents.view(), s.classes(), GalaxyClass::EmissionLine),
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
        regions,
        outliers,
        residuals,
        track_line: (line, line_spectra),
        track_axes: (axes_z, axes_x),
        summary,
    })
}

/// What one pass of the encoder and decoder over every spectrum gives.
struct Encoded {
    chi2: Vec<f64>,
    regions: Array2<f32>,
    residuals: ResidualHistograms,
    latents: Array2<f32>,
    /// The x rows asked for on the way (`None` when none were).
    sample: Option<Array2<f32>>,
}

/// Encodes every spectrum and scores its reconstruction (χ², residual statistics by region,
/// residual histograms), block by block (a store is read once), as the stage "encoding
/// spectra" of `progress`.
fn encode_and_score(
    inp: &Inputs,
    pick: &[u32],
    progress: &Progress,
) -> Result<Encoded, AnalysisError> {
    let s = inp.spectra;
    let n = s.n_spectra();
    let grid = s.grid();
    if let Some(z) = inp.latents
        && z.dim() != (n, inp.model.latent_dim())
    {
        return Err(AnalysisError::Invalid(format!(
            "latents of {:?} given for {n} spectra and {} latents",
            z.dim(),
            inp.model.latent_dim()
        )));
    }
    let mut sample = (!pick.is_empty()).then(|| Array2::<f32>::zeros((pick.len(), s.n_bins())));
    let mut next_pick = 0;
    let mut chi2 = Vec::with_capacity(n);
    let mut residuals: Option<ResidualHistograms> = None;
    let mut parts = vec![];
    let mut region_parts = vec![];
    progress.stage(STAGE_ENCODE, n as u64);
    s.visit(&mut |first, x, w| {
        if let Some(out) = sample.as_mut() {
            while let Some(&i) = pick.get(next_pick) {
                let Some(r) = (i as usize).checked_sub(first).filter(|&r| r < x.nrows()) else {
                    break;
                };
                out.row_mut(next_pick).assign(&x.row(r));
                next_pick += 1;
            }
        }
        for lo in (0..x.nrows()).step_by(CHUNK) {
            progress.check()?;
            let hi = (lo + CHUNK).min(x.nrows());
            let z = match inp.latents {
                Some(known) => known.slice(s![first + lo..first + hi, ..]).to_owned(),
                None => {
                    let idx: Vec<u32> = (lo as u32..hi as u32).collect();
                    encode_rows(inp.model, x, &idx, inp.device)
                }
            };
            let xhat = decode_rows(inp.model, z.view(), inp.device);
            let (xs, ws) = (x.slice(s![lo..hi, ..]), w.slice(s![lo..hi, ..]));
            if xhat.dim() != xs.dim() {
                return Err(AnalysisError::Invalid(format!(
                    "the model reconstructs {} bins but the data have {}",
                    xhat.ncols(),
                    xs.ncols()
                )));
            }
            chi2.par_extend(
                (0..z.nrows())
                    .into_par_iter()
                    .map(|i| reduced_chi2(xs.row(i), xhat.row(i), ws.row(i))),
            );
            region_parts.push(region_stats_rows(xs, xhat.view(), ws));
            residuals
                .get_or_insert_with(|| {
                    let range = residual_range(xs, xhat.view(), ws);
                    ResidualHistograms::with_range(
                        wavelength_edges(grid.coeff0, grid.coeff1, grid.n),
                        range,
                    )
                })
                .add(xs, xhat.view(), ws);
            progress.add(z.nrows() as u64);
            parts.push(z);
        }
        Ok(())
    })?;
    let residuals = residuals.ok_or_else(|| AnalysisError::Empty {
        what: "data".into(),
    })?;
    let k = inp.model.latent_dim();
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    let latents = ndarray::concatenate(Axis(0), &views).unwrap_or_else(|_| Array2::zeros((0, k)));
    let views: Vec<_> = region_parts.iter().map(|p| p.view()).collect();
    let regions = ndarray::concatenate(Axis(0), &views)
        .unwrap_or_else(|_| Array2::zeros((0, N_REGION_STATS)));
    if next_pick != pick.len() {
        return Err(AnalysisError::Invalid(format!(
            "the PCA baseline's sample: {} rows asked for, {next_pick} read",
            pick.len()
        )));
    }
    Ok(Encoded {
        chi2,
        regions,
        residuals,
        latents,
        sample,
    })
}

/// Precision of the top 1% of each ranking against the injected oddities (`oddity` ≠ 0).
fn oddity_precision(
    oddity: &ndarray::Array1<i64>,
    lof: &[f64],
    chi2: &[f64],
    outliers: &[OutlierRow],
) -> OddityPrecision {
    let n = lof.len();
    let flagged: Vec<bool> = oddity.iter().map(|&o| o != 0).collect();
    let n_flagged = flagged.iter().filter(|&&f| f).count();
    let mut combined = vec![0.0; n];
    for r in outliers {
        combined[r.index] = r.score;
    }
    let frac = 0.01;
    OddityPrecision {
        n_flagged,
        base_rate: n_flagged as f64 / n as f64,
        top_fraction: frac,
        max_possible: (n_flagged as f64 / (n as f64 * frac).round().max(1.0)).min(1.0),
        lof: precision_at_top(lof, &flagged, frac),
        chi2: precision_at_top(chi2, &flagged, frac),
        combined: precision_at_top(&combined, &flagged, frac),
    }
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
            quantile_sorted(&c, 0.5)
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
