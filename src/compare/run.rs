//! One run of the comparison: train (or fit) a method at one latent dimension, then score it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::prelude::Device;
use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::method::Method;
use crate::analysis::AnalysisError;
use crate::analysis::classify::knn_cross_validate_with;
use crate::analysis::lof::local_outlier_factor_with;
use crate::analysis::outliers::{outlier_table, precision_at_top, reduced_chi2};
use crate::data::identity::FileIdentity;
use crate::data::{GalaxyClass, Spectra, Split};
use crate::model::evaluate::{encode_rows, reconstruct_rows};
use crate::model::loss::weighted_loss_row;
use crate::model::pca_baseline::{BaselineError, PcaBaseline};
use crate::model::{Autoencoder, AutoencoderConfig, ModelKind};
use crate::train::checkpoint::{Checkpoint, save};
use crate::train::stream::Rows;
use crate::train::trainer::{EpochEnd, EpochRecord, Flow, TrainData};
use crate::train::{TrainConfig, Trainer};
use crate::util::atomic::write_bytes_atomically;
use crate::util::progress::Progress;

/// Settings shared by every run of a comparison.
#[derive(Clone, Debug)]
pub struct CompareOptions {
    /// The folder holding one subfolder per run.
    pub out: PathBuf,
    /// The rows trained on and scored (a `--quick` comparison uses a subset).
    pub split: Split,
    /// The data file, recorded in checkpoints (a resumed run must be on the same data).
    pub data: Option<FileIdentity>,
    pub max_epochs: usize,
    pub batch: usize,
    /// InfoVAE λ (default: [`crate::train::config::DEFAULT_INFOVAE_LAMBDA`]).
    pub lambda: Option<f64>,
    pub seed: u64,
    /// Neighbours and folds of the kNN classifier, neighbours of the LOF.
    pub knn_k: usize,
    pub folds: usize,
    pub lof_k: usize,
}

/// The validation loss of one galaxy class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassLoss {
    pub class: String,
    pub n: usize,
    pub loss: f64,
}

/// What one run scored (`result.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub method: Method,
    pub latent: usize,
    pub n_train: usize,
    pub n_valid: usize,
    /// Mean over the validation split of Σ w (x − x̂)² (a VAE decoded from μ).
    pub valid_loss: f64,
    pub per_class: Vec<ClassLoss>,
    /// kNN classification accuracy of the galaxy classes in the latent space (cross-validated
    /// over the scored rows).
    pub knn_accuracy: f64,
    /// Fraction of the top 1% of the outlier ranking (χ² and LOF combined) that are injected
    /// oddities; absent without the built-in survey's truth.
    pub outlier_precision: Option<f64>,
    /// Training (or fitting) and scoring, summed over sessions of a resumed run.
    pub seconds: f64,
    /// Epochs trained (0 for PCA).
    pub epochs: usize,
    /// The data file scored on (a result on other data is not reused).
    #[serde(default)]
    pub data: Option<FileIdentity>,
}

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("{method} at {latent} latents: {detail}")]
    Run {
        method: Method,
        latent: usize,
        detail: String,
    },
    #[error("cannot write {}: {detail}", path.display())]
    Write { path: PathBuf, detail: String },
    #[error(transparent)]
    Analysis(AnalysisError),
    #[error(
        "cancelled: finished runs are kept, and an interrupted one resumes from its last epoch"
    )]
    Cancelled,
}

impl From<AnalysisError> for CompareError {
    fn from(e: AnalysisError) -> Self {
        match e {
            AnalysisError::Cancelled => CompareError::Cancelled,
            e => CompareError::Analysis(e),
        }
    }
}

/// The run's folder.
pub fn run_dir(out: &Path, method: Method, latent: usize) -> PathBuf {
    out.join(format!("{}-{latent}", method.label()))
}

/// The run's earlier result, where it was scored on the same data and rows.
fn earlier(dir: &Path, method: Method, latent: usize, opts: &CompareOptions) -> Option<RunResult> {
    let bytes = std::fs::read(dir.join("result.json")).ok()?;
    let r: RunResult = serde_json::from_slice(&bytes).ok()?;
    let same_data = match (&r.data, &opts.data) {
        (Some(a), Some(b)) => a.same_content(b),
        (Some(_), None) => false,
        // A result that names no data file (written before they did) is trusted.
        (None, _) => true,
    };
    (same_data
        && r.method == method
        && r.latent == latent
        && r.n_train == opts.split.train.len()
        && r.n_valid == opts.split.valid.len())
    .then_some(r)
}

/// Trains (or fits) `method` at `latent` dimensions and scores it, or returns the result a
/// finished run left (`true` when reused). `on_epoch` sees each finished epoch.
pub fn run_or_reuse(
    spectra: &Spectra,
    method: Method,
    latent: usize,
    opts: &CompareOptions,
    progress: &Progress,
    on_epoch: &mut dyn FnMut(&EpochRecord),
) -> Result<(RunResult, bool), CompareError> {
    let dir = run_dir(&opts.out, method, latent);
    if let Some(r) = earlier(&dir, method, latent, opts) {
        return Ok((r, true));
    }
    let err = |detail: String| CompareError::Run {
        method,
        latent,
        detail,
    };
    std::fs::create_dir_all(&dir).map_err(|e| CompareError::Write {
        path: dir.clone(),
        detail: e.to_string(),
    })?;
    let device = Device::flex();
    let t0 = Instant::now();
    let (reduce, spent, epochs): (Reducer, f64, usize) = match method {
        Method::Pca => {
            let pca = PcaBaseline::fit_with(spectra.x.view(), &opts.split.train, latent, progress)
                .map_err(|e| match e {
                    BaselineError::Cancelled => CompareError::Cancelled,
                    e => err(e.to_string()),
                })?;
            (Reducer::Pca(pca), 0.0, 0)
        }
        Method::Model(kind) => {
            let (model, spent, epochs) = train(
                spectra, kind, latent, opts, &dir, &device, progress, on_epoch,
            )?;
            (Reducer::Model(Box::new(model)), spent, epochs)
        }
    };
    let mut r = score(spectra, &reduce, opts, &device, progress)?;
    r.method = method;
    r.latent = latent;
    r.epochs = epochs;
    r.seconds = spent + t0.elapsed().as_secs_f64();
    r.data = opts.data.clone();
    let path = dir.join("result.json");
    let json = serde_json::to_vec_pretty(&r).map_err(|e| err(e.to_string()))?;
    write_bytes_atomically(&path, &json).map_err(|e| CompareError::Write {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    Ok((r, false))
}

/// A fitted PCA or a trained model.
enum Reducer {
    Pca(PcaBaseline),
    Model(Box<Autoencoder>),
}

impl Reducer {
    /// Latents and reconstructions of rows `idx`.
    fn apply(&self, s: &Spectra, idx: &[u32], device: &Device) -> (Array2<f32>, Array2<f32>) {
        match self {
            Reducer::Pca(p) => {
                let rows: Vec<(Vec<f64>, Vec<f32>)> = idx
                    .par_iter()
                    .map(|&i| {
                        let c = p.project(s.x.row(i as usize));
                        let r = p.reconstruct_from(&c);
                        (c, r)
                    })
                    .collect();
                let (k, d) = (p.n_components(), s.n_bins());
                let z = Array2::from_shape_fn((idx.len(), k), |(i, j)| rows[i].0[j] as f32);
                let x = Array2::from_shape_fn((idx.len(), d), |(i, j)| rows[i].1[j]);
                (z, x)
            }
            Reducer::Model(m) => (
                encode_rows(m, s.x.view(), idx, device),
                reconstruct_rows(m, s.x.view(), idx, device),
            ),
        }
    }
}

/// Trains a model to its end (early stop or the epoch cap), resuming the run in `dir` if one
/// was interrupted; returns the best epoch's model, the seconds spent and the epochs trained.
#[allow(clippy::too_many_arguments)]
fn train(
    s: &Spectra,
    kind: ModelKind,
    latent: usize,
    opts: &CompareOptions,
    dir: &Path,
    device: &Device,
    progress: &Progress,
    on_epoch: &mut dyn FnMut(&EpochRecord),
) -> Result<(Autoencoder, f64, usize), CompareError> {
    let err = |detail: String| CompareError::Run {
        method: Method::Model(kind),
        latent,
        detail,
    };
    let data = TrainData {
        rows: Rows::memory(s.x.clone(), s.w.clone()),
        split: opts.split.clone(),
        identity: opts.data.clone(),
        grid: Some(s.grid()),
        infill: Some(s.infill_basis()),
    };
    let (last, best) = (dir.join("last.safetensors"), dir.join("best.safetensors"));
    // A run of this folder on other data is started again, not resumed.
    let resumable = match Checkpoint::read(&last) {
        Ok(ck) => match (&ck.meta.identity, &opts.data) {
            (Some(a), Some(b)) if !a.same_content(b) => None,
            _ => Some(ck),
        },
        Err(_) if !last.is_file() => None,
        Err(e) => return Err(err(e.to_string())),
    };
    let mut t = if let Some(ck) = resumable {
        let mut config = ck.meta.config.clone();
        config.max_epochs = opts.max_epochs;
        ck.resume_with_config(config, data, device)
            .map_err(|e| err(e.to_string()))?
    } else {
        let config = TrainConfig::new(
            AutoencoderConfig::new()
                .with_n_bins(s.n_bins())
                .with_latent(latent)
                .with_kind(kind.variational().then_some(kind)),
        )
        .with_batch_size(opts.batch)
        .with_max_epochs(opts.max_epochs)
        .with_seed(opts.seed)
        .with_lambda(
            (kind == ModelKind::InfoVae)
                .then_some(opts.lambda)
                .flatten(),
        );
        Trainer::new(config, data, device).map_err(|e| err(e.to_string()))?
    };
    while !t.finished() {
        let end = t
            .run_epoch(&mut |_| {
                if progress.is_cancelled() {
                    Flow::Stop
                } else {
                    Flow::Continue
                }
            })
            .map_err(|e| err(e.to_string()))?;
        let EpochEnd::Done(rec) = end else {
            return Err(CompareError::Cancelled);
        };
        let write = |p: &Path| {
            save(&t, "cpu", p).map_err(|e| CompareError::Write {
                path: p.to_path_buf(),
                detail: e.to_string(),
            })
        };
        write(&last)?;
        if rec.best {
            write(&best)?;
        }
        on_epoch(&rec);
    }
    let spent: f64 = t.history.iter().map(|r| r.seconds).sum();
    let epochs = t.epoch;
    let model = match Checkpoint::read(&best) {
        Ok(ck) => ck.model(device).map_err(|e| err(e.to_string()))?,
        Err(_) => t.inference_model(),
    };
    Ok((model, spent, epochs))
}

/// The scores of a reducer on the comparison's rows.
fn score(
    s: &Spectra,
    reduce: &Reducer,
    opts: &CompareOptions,
    device: &Device,
    progress: &Progress,
) -> Result<RunResult, CompareError> {
    let split = &opts.split;
    let rows: Vec<u32> = split.train.iter().chain(&split.valid).copied().collect();
    progress.stage("scoring", 0);
    let (z, xhat) = reduce.apply(s, &rows, device);
    let (x, w) = (s.x.view(), s.w.view());
    let n_train = split.train.len();
    // Validation rows come after the training rows.
    let losses: Vec<f64> = (n_train..rows.len())
        .into_par_iter()
        .map(|k| {
            let i = rows[k] as usize;
            weighted_loss_row(x.row(i), xhat.row(k), w.row(i))
        })
        .collect();
    let mean = |v: &mut dyn Iterator<Item = f64>| {
        let (sum, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
        (sum / n.max(1) as f64, n)
    };
    let (valid_loss, _) = mean(&mut losses.iter().copied());
    let per_class = GalaxyClass::ALL
        .iter()
        .filter_map(|&c| {
            let (loss, n) = mean(
                &mut losses
                    .iter()
                    .zip(&split.valid)
                    .filter(|(_, i)| s.classes[**i as usize] == c)
                    .map(|(l, _)| *l),
            );
            (n > 0).then(|| ClassLoss {
                class: c.label().into(),
                n,
                loss,
            })
        })
        .collect();
    let labels: Vec<usize> = rows
        .iter()
        .map(|&i| s.classes[i as usize].index())
        .collect();
    let folds = opts.folds.min(rows.len()).max(2);
    let knn = knn_cross_validate_with(z.view(), &labels, opts.knn_k, folds, 0, progress)?;
    let outlier_precision = match &s.truth {
        Some(truth) => {
            let chi2: Vec<f64> = rows
                .par_iter()
                .enumerate()
                .map(|(k, &i)| {
                    let i = i as usize;
                    reduced_chi2(x.row(i), xhat.row(k), w.row(i))
                })
                .collect();
            let lof = local_outlier_factor_with(z.view(), opts.lof_k, progress)?;
            let mut combined = vec![0.0; rows.len()];
            for r in outlier_table(&lof, &chi2) {
                combined[r.index] = r.score;
            }
            let flagged: Vec<bool> = rows
                .iter()
                .map(|&i| truth.oddity[i as usize] != 0)
                .collect();
            Some(precision_at_top(&combined, &flagged, 0.01))
        }
        None => None,
    };
    Ok(RunResult {
        method: Method::Pca,
        latent: z.ncols(),
        n_train,
        n_valid: split.valid.len(),
        valid_loss,
        per_class,
        knn_accuracy: knn.overall,
        outlier_precision,
        seconds: 0.0,
        epochs: 0,
        data: None,
    })
}
