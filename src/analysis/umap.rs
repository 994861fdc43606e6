//! UMAP of the latents to 2-D with (patched) umap-rs, and placement of new points.
//!
//! umap-rs is fit-only, needs a precomputed kNN graph and an initial layout, and panics on bad
//! input, so this module validates first: finite values, more points than neighbours, no
//! duplicate points, sensible parameters. The kNN graph comes from [`KnnIndex`] (exact), the
//! initial layout from the two leading principal components (umap-learn's `init="pca"`).

use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use umap_rs::{EuclideanMetric, GraphParams, ManifoldParams, Metric, OptimizationParams};
use umap_rs::{Optimizer, Umap, UmapConfig};

use super::AnalysisError;
use super::knn::KnnIndex;
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
}

impl Default for UmapParams {
    fn default() -> Self {
        Self {
            n_neighbors: 15,
            min_dist: 0.1,
            n_epochs: None,
            seed: 0,
            reproducible: true,
        }
    }
}

impl UmapParams {
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
    let n = latents.nrows();
    let total = params.epochs_for(n);
    progress.stage(STAGE_UMAP, total as u64);
    let what = "UMAP input";
    let index = KnnIndex::build(latents, what)?;
    progress.check()?;
    let knn = index.graph(latents, params.n_neighbors, true, what)?;
    progress.check()?;
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
