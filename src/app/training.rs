//! A training run owned by the app: the engine's [`TrainingWorker`] on its own thread, its
//! events drained once per frame (bounded channel, never blocking), commands on the control
//! channel.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::data::identity::FileIdentity;
use crate::model::AutoencoderConfig;
use crate::train::backend::choose;
use crate::train::trainer::{BatchProgress, EpochRecord, TrainData};
use crate::train::worker::{FinishReason, WorkerOptions};
use crate::train::{Command, Event, TrainConfig, Trainer, TrainingWorker};

use super::session::LoadedData;
use super::state::TrainSettings;

/// Where a run is.
#[derive(Clone, Debug, PartialEq)]
pub enum RunStatus {
    Starting,
    Running,
    Paused,
    Finished(String),
    Failed(String),
}

/// What the app must react to.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// A checkpoint of a finished epoch: refresh the latent views from it.
    Checkpoint(PathBuf),
    /// The run ended; `best` is the model to show.
    Finished {
        best: PathBuf,
        summary: String,
    },
    Failed(String),
}

pub struct TrainingRun {
    worker: TrainingWorker,
    pub out_dir: PathBuf,
    pub backend: String,
    pub backend_reason: String,
    pub history: Vec<EpochRecord>,
    pub progress: Option<BatchProgress>,
    pub status: RunStatus,
    pub started: Instant,
    pub settings: TrainSettings,
    pub n_train: usize,
}

impl TrainingRun {
    /// Starts training on `data` with `settings`, writing checkpoints under `out_dir`.
    pub fn start(
        settings: &TrainSettings,
        data: &LoadedData,
        out_dir: &Path,
    ) -> Result<Self, String> {
        if settings.batch == 0 || settings.max_epochs == 0 || settings.latent == 0 {
            return Err("batch size, epochs and latent dimension must be at least 1".into());
        }
        if !(settings.lr.is_finite() && settings.lr > 0.0) {
            return Err(format!("learning rate {} must be positive", settings.lr));
        }
        std::fs::create_dir_all(out_dir)
            .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
        let chosen = choose(settings.backend).map_err(|e| e.to_string())?;
        let s = &data.spectra;
        let split = crate::data::Split::seeded(
            s.n_spectra(),
            0,
            crate::data::split::DEFAULT_TRAIN_FRACTION,
        );
        let n_train = split.train.len();
        let train_data = TrainData {
            x: Arc::new(s.x.clone()),
            w: Arc::new(s.w.clone()),
            split,
            identity: FileIdentity::of(&data.path).ok(),
        };
        let config = TrainConfig::new(
            AutoencoderConfig::new()
                .with_n_bins(s.n_bins())
                .with_latent(settings.latent),
        )
        .with_batch_size(settings.batch)
        .with_lr(settings.lr)
        .with_max_epochs(settings.max_epochs)
        .with_seed(settings.seed);
        let device = chosen.device.clone();
        let engine = chosen.engine;
        let opts = WorkerOptions {
            out_dir: out_dir.to_path_buf(),
            backend: chosen.name.clone(),
            progress_interval: Duration::from_millis(100),
        };
        let worker = TrainingWorker::spawn(
            move || Trainer::new_on(config, train_data, &device, engine).map_err(|e| e.to_string()),
            opts,
        )
        .map_err(|e| format!("cannot start the training thread: {e}"))?;
        Ok(Self {
            worker,
            out_dir: out_dir.to_path_buf(),
            backend: chosen.name,
            backend_reason: chosen.reason,
            history: vec![],
            progress: None,
            status: RunStatus::Starting,
            started: Instant::now(),
            settings: settings.clone(),
            n_train,
        })
    }

    pub fn send(&self, c: Command) {
        self.worker.send(c);
    }

    pub fn is_active(&self) -> bool {
        matches!(
            self.status,
            RunStatus::Starting | RunStatus::Running | RunStatus::Paused
        )
    }

    /// Drains the worker's events (non-blocking).
    pub fn poll(&mut self) -> Vec<Notice> {
        let mut out = vec![];
        while let Ok(ev) = self.worker.events.try_recv() {
            match ev {
                Event::Started { n_train, .. } => {
                    self.n_train = n_train;
                    self.status = RunStatus::Running;
                }
                Event::Progress(p) => self.progress = Some(p),
                Event::Epoch(rec) => self.history.push(rec),
                Event::Saved(path) => {
                    if path.file_name().is_some_and(|f| f == "last.safetensors") {
                        out.push(Notice::Checkpoint(path));
                    }
                }
                Event::Paused => self.status = RunStatus::Paused,
                Event::Resumed => self.status = RunStatus::Running,
                Event::Finished {
                    reason,
                    best_valid,
                    epochs,
                    best,
                } => {
                    let why = match reason {
                        FinishReason::EarlyStopped => "early stopping",
                        FinishReason::MaxEpochs => "the epoch cap",
                        FinishReason::Stopped => "stopped by you",
                    };
                    let summary = format!(
                        "ended after {epochs} epochs ({why}); best validation loss {best_valid:.2}"
                    );
                    self.status = RunStatus::Finished(summary.clone());
                    if best.is_file() {
                        out.push(Notice::Finished { best, summary });
                    }
                }
                Event::Failed(e) => {
                    self.status = RunStatus::Failed(e.clone());
                    out.push(Notice::Failed(e));
                }
            }
        }
        out
    }

    /// Estimated time to the epoch cap from the mean epoch time (early stopping may end sooner).
    pub fn eta(&self) -> Option<Duration> {
        let last = self.history.last()?;
        let mean = self.history.iter().map(|r| r.seconds).sum::<f64>() / self.history.len() as f64;
        let left = self.settings.max_epochs.saturating_sub(last.epoch);
        Some(Duration::from_secs_f64(mean * left as f64))
    }

    /// Time left in the current epoch, from the batch rate.
    pub fn epoch_eta(&self) -> Option<Duration> {
        let p = self.progress.as_ref()?;
        if p.samples_per_s <= 0.0 {
            return None;
        }
        let left = p.n_batches.saturating_sub(p.batch) * self.settings.batch;
        Some(Duration::from_secs_f64(left as f64 / p.samples_per_s))
    }
}

impl Drop for TrainingRun {
    fn drop(&mut self) {
        // Closing the app stops the run within one batch; its checkpoints stay on disk.
        self.worker.send(Command::Stop);
    }
}
