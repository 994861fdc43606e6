//! UMAP of the latents to 2-D with (patched) umap-rs, and placement of new points.
//!
//! umap-rs is fit-only, needs a precomputed kNN graph and an initial layout, and panics on bad
//! input, so this module validates first: finite values, more points than neighbours, no
//! duplicate points, sensible parameters. The kNN graph comes from [`KnnIndex`] (exact), the
//! initial layout from the two leading principal components (umap-learn's `init="pca"`).

use ndarray::{Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;
use umap_rs::{EuclideanMetric, GraphParams, ManifoldParams, Metric, OptimizationParams};
use umap_rs::{Optimizer, Umap, UmapConfig};

use super::AnalysisError;
use super::knn::{KnnGraph, KnnIndex};
use crate::model::pca_baseline::PcaBaseline;
use crate::util::progress::Progress;

/// UMAP settings (umap-learn's defaults; n_neighbors and min_dist as Portillo et al.).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct UmapParams {
    pub n_neighbors: usize,
    pub min_dist: f32,
    /// Optimisation epochs; `None`: 500 up to 10,000 points, else 200 (umap-learn's rule).
    pub n_epochs: Option<usize>,
    pub seed: u64,
    /// Optimise on one thread so that a seed reproduces the embedding exactly (umap-learn
    /// does the same when given a `random_state`); `false` uses all cores (lock-free
    /// Hogwild! updates, not bit-reproducible).
    pub reproducible: bool,
    /// Above this many points the layout is optimised on an evenly spaced sample of this
    /// many, and every other point placed where its nearest sampled neighbours lie
    /// ([`place_by_neighbours`]); 0: always all points. The optimisation's cost grows with
    /// the points (one core, 200 epochs: 256,000 latents 136 s, a million 651 s — and both
    /// cores of the test machine make it only 1.3× faster), the placement's barely.
    #[serde(default = "default_fit_max")]
    pub fit_max: usize,
}

/// [`UmapParams::fit_max`]'s default. A million latents of the 1M scale run laid out through
/// a sample of 250,000: 176.9 s, trustworthiness (5,000 points, k = 15) 0.9755 — all million
/// laid out: 651 s, 0.9704.
pub const FIT_MAX: usize = 250_000;

fn default_fit_max() -> usize {
    FIT_MAX
}

impl Default for UmapParams {
    fn default() -> Self {
        Self {
            n_neighbors: 15,
            min_dist: 0.1,
            n_epochs: None,
            seed: 0,
            reproducible: true,
            fit_max: FIT_MAX,
        }
    }
}

impl UmapParams {
    /// Whether `n` points are laid out through a sample of [`Self::fit_max`].
    pub fn fits_a_sample(&self, n: usize) -> bool {
        self.fit_max != 0 && n > self.fit_max
    }

    pub fn epochs_for(&self, n: usize) -> usize {
        self.n_epochs.unwrap_or(if n <= 10_000 { 500 } else { 200 })
    }

    fn validate(&self) -> Result<(), AnalysisError> {
        if self.n_neighbors < 2 {
            return Err(AnalysisError::Invalid(format!(
                "UMAP needs n_neighbors ≥ 2, got {}",
                self.n_neighbors
            )));
        }
        if !(0.0..=1.0).contains(&self.min_dist) {
            return Err(AnalysisError::Invalid(format!(
                "UMAP min_dist must lie in [0, 1] (the spread), got {}",
                self.min_dist
            )));
        }
        if self.fit_max != 0 && self.fit_max <= self.n_neighbors {
            return Err(AnalysisError::Invalid(format!(
                "UMAP cannot be fitted on a sample of {} points with {} neighbours",
                self.fit_max, self.n_neighbors
            )));
        }
        if self.n_epochs == Some(0) {
            return Err(AnalysisError::Invalid(
                "UMAP needs at least one epoch".into(),
            ));
        }
        Ok(())
    }
}

/// The name of [`umap_embed`]'s stage.
pub const STAGE_UMAP: &str = "UMAP";

/// Embeds `latents` (n × d) in 2-D, as the stage "UMAP" of `progress` (one step per epoch;
/// a cancel stops it at the next epoch, ~0.15 s at 64k points on 2 cores).
pub fn umap_embed(
    latents: ArrayView2<f32>,
    params: &UmapParams,
    progress: &Progress,
) -> Result<Array2<f32>, AnalysisError> {
    params.validate()?;
    if params.fits_a_sample(latents.nrows()) {
        return umap_embed_sampled(latents, params, progress);
    }
    progress.stage(STAGE_UMAP, params.epochs_for(latents.nrows()) as u64);
    let what = "UMAP input";
    let index = KnnIndex::build(latents, what)?;
    progress.check()?;
    let knn = index.graph(latents, params.n_neighbors, true, what)?;
    drop(index);
    progress.check()?;
    umap_embed_on(latents, &knn, params, progress)
}

/// [`umap_embed`] with the kNN graph already computed: `knn` holds each point itself and its
/// `n_neighbors − 1` nearest others ([`KnnIndex::graph`] with `include_self`).
pub fn umap_embed_on(
    latents: ArrayView2<f32>,
    knn: &KnnGraph,
    params: &UmapParams,
    progress: &Progress,
) -> Result<Array2<f32>, AnalysisError> {
    params.validate()?;
    let n = latents.nrows();
    let total = params.epochs_for(n);
    progress.stage(STAGE_UMAP, total as u64);
    if knn.indices.dim() != (n, params.n_neighbors)
        || knn.dists.dim() != (n, params.n_neighbors)
        || knn.indices.iter().any(|&j| j as usize >= n)
    {
        return Err(AnalysisError::Invalid(format!(
            "UMAP: a kNN graph of {:?} for {n} points and {} neighbours",
            knn.indices.dim(),
            params.n_neighbors
        )));
    }
    let init = pca_init(latents, params.seed);
    let config = UmapConfig {
        n_components: 2,
        manifold: ManifoldParams {
            min_dist: params.min_dist,
            ..Default::default()
        },
        graph: GraphParams {
            n_neighbors: params.n_neighbors,
            ..Default::default()
        },
        optimization: OptimizationParams {
            n_epochs: Some(total),
            seed: params.seed,
            parallel: !params.reproducible,
            ..Default::default()
        },
    };
    // Everything umap-rs would panic on has been checked; a panic here is a bug, reported as
    // an error rather than taking the application down.
    let run = std::panic::AssertUnwindSafe(|| -> Result<Array2<f32>, AnalysisError> {
        let umap = Umap::new(config.clone());
        let manifold = umap.learn_manifold(latents, knn.indices.view(), knn.dists.view());
        progress.check()?;
        let metric = EuclideanMetric;
        let mut opt = Optimizer::new(manifold, init, total, &config, metric.metric_type());
        while opt.remaining_epochs() > 0 {
            // One epoch at a time: umap-rs refreshes its copy of the tail positions per call.
            opt.step_epochs(1, &metric);
            progress.set(opt.current_epoch() as u64);
            progress.check()?;
        }
        Ok(opt.into_fitted(config).into_embedding())
    });
    let emb = std::panic::catch_unwind(run).map_err(|_| {
        AnalysisError::Invalid("UMAP failed internally (umap-rs panicked)".into())
    })??;
    if let Some(((row, col), &value)) = emb.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(AnalysisError::NonFinite {
            what: "UMAP embedding".into(),
            row,
            col,
            value,
        });
    }
    Ok(emb)
}

/// The name of the stage that places the points outside the UMAP's sample.
pub const STAGE_PLACE: &str = "UMAP: placing the other points";

/// [`umap_embed`] above [`UmapParams::fit_max`] points: the layout of an evenly spaced sample
/// of that many, then every other point at the distance-weighted mean of its `n_neighbors`
/// nearest sampled points' positions ([`place_by_neighbours`]), in parallel.
fn umap_embed_sampled(
    latents: ArrayView2<f32>,
    params: &UmapParams,
    progress: &Progress,
) -> Result<Array2<f32>, AnalysisError> {
    let n = latents.nrows();
    let m = params.fit_max;
    let pick: Vec<usize> = (0..m).map(|j| j * n / m).collect();
    let sample = latents.select(Axis(0), &pick);
    progress.stage(STAGE_UMAP, params.epochs_for(m) as u64);
    let what = "UMAP sample";
    let index = KnnIndex::build(sample.view(), what)?;
    progress.check()?;
    let knn = index.graph(sample.view(), params.n_neighbors, true, what)?;
    progress.check()?;
    let fitted = umap_embed_on(sample.view(), &knn, params, progress)?;
    drop(knn);
    progress.stage(STAGE_PLACE, (n - m) as u64);
    let mut in_sample = vec![false; n];
    pick.iter().for_each(|&i| in_sample[i] = true);
    let others: Vec<usize> = (0..n).filter(|&i| !in_sample[i]).collect();
    let mut out = Array2::<f32>::zeros((n, 2));
    for (j, &i) in pick.iter().enumerate() {
        out.row_mut(i).assign(&fitted.row(j));
    }
    for chunk in others.chunks(16_384) {
        progress.check()?;
        let placed: Vec<Option<[f32; 2]>> = chunk
            .par_iter()
            .map(|&i| {
                let q = latents.row(i).to_vec();
                place_by_neighbours(&index, fitted.view(), &q, params.n_neighbors)
            })
            .collect();
        for (&i, p) in chunk.iter().zip(placed) {
            let p = p.ok_or_else(|| {
                AnalysisError::Invalid(format!("UMAP: point {i} could not be placed"))
            })?;
            out[[i, 0]] = p[0];
            out[[i, 1]] = p[1];
        }
        progress.add(chunk.len() as u64);
    }
    Ok(out)
}

/// The two leading principal components of `x`, scaled to a largest |coordinate| of 10, plus
/// a little seeded noise (umap-learn's `init="pca"` with `noisy_scale_coords`).
pub fn pca_init(x: ArrayView2<f32>, seed: u64) -> Array2<f32> {
    let (n, d) = x.dim();
    let mut out = Array2::<f32>::zeros((n, 2));
    let all: Vec<u32> = (0..n as u32).collect();
    match PcaBaseline::fit(x, &all, d.min(2)) {
        Ok(pca) => {
            for (i, row) in x.rows().into_iter().enumerate() {
                for (c, v) in pca.project(row).into_iter().enumerate() {
                    out[[i, c]] = v as f32;
                }
            }
        }
        // Degenerate input (e.g. too few points): the first coordinates themselves.
        Err(_) => {
            for ((i, c), v) in out.indexed_iter_mut() {
                *v = if c < d { x[[i, c]] } else { 0.0 };
            }
        }
    }
    let max = out.iter().fold(0f32, |m, v| m.max(v.abs()));
    let scale = if max > 0.0 { 10.0 / max } else { 1.0 };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let noise = Normal::new(0.0f32, 1e-4).ok();
    for v in out.iter_mut() {
        *v = *v * scale + noise.map(|n| n.sample(&mut rng)).unwrap_or(0.0);
    }
    out
}

/// Places a new point (e.g. a latent-slider spectrum) in an existing embedding without
/// refitting: the distance-weighted mean of its `k` nearest neighbours' positions (an exact
/// match takes that neighbour's position).
pub fn place_by_neighbours(
    index: &KnnIndex,
    embedding: ArrayView2<f32>,
    q: &[f32],
    k: usize,
) -> Option<[f32; 2]> {
    let nn = index.nearest(q, k);
    if nn.is_empty() || embedding.ncols() < 2 {
        return None;
    }
    if let Some(&(j, _)) = nn.iter().find(|(_, d)| *d == 0.0) {
        let r = embedding.row(j as usize);
        return Some([r[0], r[1]]);
    }
    let (mut sx, mut sy, mut sw) = (0f64, 0f64, 0f64);
    for (j, d) in nn {
        let r = embedding.row(j as usize);
        let w = 1.0 / d as f64;
        sx += w * r[0] as f64;
        sy += w * r[1] as f64;
        sw += w;
    }
    Some([(sx / sw) as f32, (sy / sw) as f32])
}
