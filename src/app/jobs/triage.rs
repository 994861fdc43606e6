//! Refitting the learned outlier ranking after a label (cancelled when a newer label
//! supersedes it): the features from the analysis's scores, then the fit.

use std::sync::OnceLock;
use std::time::Instant;

use ndarray::Array2;

use super::{JobCtx, JobOutput};
use crate::app::session::LearnedState;
use crate::triage::ranking::combined_percentile;
use crate::triage::{Features, Labelled, TriageError, fit_learned};

const TASK: &str = "learned ranking";

/// What a refit is computed from (copied off the session).
pub struct FitInputs {
    pub latents: Array2<f32>,
    pub chi2: Vec<f64>,
    pub lof: Vec<f64>,
    pub regions: Array2<f32>,
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

/// Fits the learned ranking; its `seconds` count the features too.
pub fn refit(inp: FitInputs, cx: &JobCtx) -> JobOutput {
    let t0 = Instant::now();
    let fit = || {
        Features::new(inp.latents.view(), &inp.chi2, &inp.lof, inp.regions.view()).and_then(|f| {
            let prior = combined_percentile(&inp.lof, &inp.chi2);
            fit_learned(&f, &prior, &inp.labelled, cx.progress())
        })
    };
    let fitted = match refit_pool() {
        Some(pool) => pool.install(fit),
        None => fit(),
    };
    match fitted {
        Ok(mut fit) => {
            fit.seconds = t0.elapsed().as_secs_f64();
            JobOutput::Learned(LearnedState {
                fit,
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
