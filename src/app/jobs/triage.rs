//! Refitting the learned outlier ranking after a label (cancelled when a newer label
//! supersedes it): the features from the analysis's scores (the first time for these scores
//! only), then the fit.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use ndarray::Array2;

use super::{JobCtx, JobOutput};
use crate::app::session::LearnedState;
use crate::triage::{Features, Labelled, Prepared, TriageError, fit_learned};

const TASK: &str = "learned ranking";

/// What a refit's features come from.
pub enum FitBasis {
    /// The analysis's parts, copied off the session (the first refit of these scores).
    Scores {
        latents: Array2<f32>,
        chi2: Vec<f64>,
        lof: Vec<f64>,
        regions: Array2<f32>,
        prior: Vec<f64>,
    },
    /// The features and prior of an earlier refit of the same scores.
    Prepared(Arc<Prepared>),
}

/// What a refit is computed from.
pub struct FitInputs {
    pub basis: FitBasis,
    pub labelled: Vec<Labelled>,
    pub labels_gen: u64,
    pub scores_gen: u64,
}

/// The refit's own threads (one fewer than the cores, at normal priority): a label is a user
/// waiting, and rayon's global pool may be busy for minutes with the analysis's UMAP (a refit
/// queued behind it took 4.8 s instead of 0.07 s).
fn refit_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        rayon::ThreadPoolBuilder::new()
            .num_threads(cores.saturating_sub(1).max(1))
            .thread_name(|i| format!("specae-triage-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Fits the learned ranking; its `seconds` count the features too when they were built.
pub fn refit(inp: FitInputs, cx: &JobCtx) -> JobOutput {
    let t0 = Instant::now();
    let fit = || {
        let prepared = match inp.basis {
            FitBasis::Prepared(p) => p,
            FitBasis::Scores {
                latents,
                chi2,
                lof,
                regions,
                prior,
            } => Arc::new(Prepared {
                features: Features::new(latents.view(), &chi2, &lof, regions.view())?,
                prior,
            }),
        };
        let p = &prepared;
        fit_learned(&p.features, &p.prior, &inp.labelled, cx.progress()).map(|f| (f, prepared))
    };
    let fitted = match refit_pool() {
        Some(pool) => pool.install(fit),
        None => fit(),
    };
    match fitted {
        Ok((mut fit, prepared)) => {
            fit.seconds = t0.elapsed().as_secs_f64();
            JobOutput::Learned(LearnedState {
                fit,
                prepared,
                labels_gen: inp.labels_gen,
                scores_gen: inp.scores_gen,
                fitted_at: Instant::now(),
            })
        }
        // A refit is cancelled by a newer label (or the status bar's Cancel): nothing to report.
        Err(TriageError::Cancelled) => JobOutput::Superseded,
        Err(e) => JobOutput::failed(TASK, e),
    }
}
