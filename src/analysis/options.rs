//! The settings of an analysis run, and what a small data set allows of them.

use serde::Serialize;

use super::umap::UmapParams;

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

/// Fewer spectra than this have no neighbourhoods to speak of.
pub const MIN_SPECTRA: usize = 4;

impl AnalysisOptions {
    /// The options, with neighbour counts and folds reduced to what `n` (≥ [`MIN_SPECTRA`])
    /// spectra allow, each change said in `warnings`.
    pub fn fitted_to(&self, n: usize, warnings: &mut Vec<String>) -> AnalysisOptions {
        let mut o = self.clone();
        let most = n.saturating_sub(1);
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
}
