//! A training run owned by the app: the engine's [`TrainingWorker`] on its own thread, its
//! events drained in every logic pass (also while the window is hidden; the worker never waits
//! for them), commands on the control channel. Everything slow about starting — choosing and
//! opening the device, fingerprinting the data file — happens on the worker's thread; the
//! arrays are shared with the open survey, not copied.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::app::survey_rows::SurveyRows;
use crate::data::identity::FileIdentity;
use crate::model::AutoencoderConfig;
use crate::model::ModelKind;
use crate::train::backend::{Auto, RunShape, choose_with};
use crate::train::checkpoint::Checkpoint;
use crate::train::trainer::{BatchProgress, EpochRecord, TrainData};
use crate::train::worker::{Launch, Wake, WorkerOptions};
use crate::train::{Command, Event, TrainConfig, Trainer, TrainingWorker};

use super::persisted::TrainSettings;
use super::session::LoadedData;
use crate::train::stream::Rows;

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
    /// The run goes on, but something did not work (a snapshot not written).
    Warning(String),
}

pub struct TrainingRun {
    worker: TrainingWorker,
    pub out_dir: PathBuf,
    /// Where it trains and why (known once the worker has chosen: "choosing…" before).
    pub backend: String,
    pub backend_reason: String,
    /// The data generation and name it trains on (the app shows its checkpoints only while
    /// those data are open).
    pub data_gen: u64,
    pub data_label: String,
    pub history: Vec<EpochRecord>,
    pub progress: Option<BatchProgress>,
    pub status: RunStatus,
    pub started: Instant,
    pub settings: TrainSettings,
    /// Training spectra (known once the worker has started).
    pub n_train: usize,
    /// After the engine failed: the checkpoint to resume (on the CPU).
    pub resume_from: Option<PathBuf>,
}

impl TrainingRun {
    /// Starts training on `data` (generation `data_gen`) with `settings`, writing checkpoints
    /// under `out_dir`; `wake` is called whenever the run has news. With `resume`, continues
    /// that checkpoint (its model, split and schedule; `settings` give the backend). Returns at
    /// once: the worker thread chooses the backend, reads the data fingerprint and builds the
    /// model.
    pub fn start(
        settings: &TrainSettings,
        data: &LoadedData,
        data_gen: u64,
        out_dir: &Path,
        resume: Option<PathBuf>,
        wake: Option<Wake>,
    ) -> Result<Self, String> {
        if settings.batch == 0 || settings.max_epochs == 0 || settings.latent == 0 {
            return Err("batch size, epochs and latent dimension must be at least 1".into());
        }
        if !(settings.lr.is_finite() && settings.lr > 0.0) {
            return Err(format!("learning rate {} must be positive", settings.lr));
        }
        // The file's own infill: a model trained here sees the data as the file has them.
        let s = &data.own;
        let n = s.n_spectra();
        // A store streams its blocks, as `specae train --data S.zarr` does.
        let rows = match s {
            SurveyRows::Memory(m) => Rows::memory(Arc::clone(&m.x), Arc::clone(&m.w)),
            SurveyRows::Store(st) => Rows::Stream(Arc::clone(&st.rows)),
        };
        let (grid, infill) = (s.grid(), s.infill());
        let data_path = data.path.clone();
        let config = TrainConfig::new(
            AutoencoderConfig::new()
                .with_n_bins(s.n_bins())
                .with_latent(settings.latent)
                .with_kind((settings.model != ModelKind::Ae).then_some(settings.model)),
        )
        .with_lambda((settings.model == ModelKind::InfoVae).then_some(settings.lambda))
        .with_batch_size(settings.batch)
        .with_lr(settings.lr)
        .with_max_epochs(settings.max_epochs)
        .with_seed(settings.seed);
        let backend = settings.backend;
        let max_epochs = settings.max_epochs;
        let fail_at_step = settings.fail_at_step;
        let auto = Auto {
            fault: settings.fail_gpu_measurement.clone(),
            ..Auto::default()
        };
        let dir = out_dir.to_path_buf();
        let build = move || -> Result<Launch, String> {
            // This runs on the worker thread: it and rayon's pool train below the UI thread.
            crate::util::priority::lower_current_thread_priority();
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let resumed = match &resume {
                Some(p) => Some(Checkpoint::read(p).map_err(|e| e.to_string())?),
                None => None,
            };
            let config = resumed.as_ref().map_or(config, |ck| {
                let mut c = ck.meta.config.clone();
                c.max_epochs = c.max_epochs.max(max_epochs);
                c
            });
            let shape = RunShape {
                model: config.model.clone(),
                batch: config.batch_size,
            };
            let chosen = choose_with(backend, &shape, &auto).map_err(|e| e.to_string())?;
            let split = match &resumed {
                Some(ck) => ck.split.clone(),
                None => {
                    crate::data::Split::seeded(n, 0, crate::data::split::DEFAULT_TRAIN_FRACTION)
                }
            };
            let train_data = TrainData {
                rows,
                split,
                identity: FileIdentity::of(&data_path).ok(),
                grid: Some(grid),
                infill: Some(infill),
            };
            let trainer = match resumed {
                Some(ck) => ck
                    .resume_on(config, train_data, &chosen.device, chosen.engine)
                    .map_err(|e| e.to_string())?,
                None => Trainer::new_on(config, train_data, &chosen.device, chosen.engine)
                    .map_err(|e| e.to_string())?,
            };
            let mut trainer = trainer;
            if let Some(step) = fail_at_step {
                trainer.inject_fault(step, "device lost (injected by a test)");
            }
            Ok(Launch {
                trainer,
                backend: chosen.name,
                reason: chosen.reason,
                watch: chosen.watch,
            })
        };
        let opts = WorkerOptions {
            wake,
            ..WorkerOptions::new(out_dir)
        };
        let worker = TrainingWorker::spawn(build, opts)
            .map_err(|e| format!("cannot start the training thread: {e}"))?;
        Ok(Self {
            worker,
            out_dir: out_dir.to_path_buf(),
            backend: "choosing…".into(),
            backend_reason: String::new(),
            data_gen,
            data_label: data.label.clone(),
            history: vec![],
            progress: None,
            status: RunStatus::Starting,
            started: Instant::now(),
            settings: settings.clone(),
            n_train: 0,
            resume_from: None,
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

    /// Drains the worker's events and reads its latest progress (non-blocking).
    pub fn poll(&mut self) -> Vec<Notice> {
        let mut out = vec![];
        if let Some(p) = self.worker.progress() {
            self.progress = Some(p);
        }
        while let Ok(ev) = self.worker.events.try_recv() {
            match ev {
                Event::Started {
                    n_train,
                    backend,
                    reason,
                    ..
                } => {
                    self.n_train = n_train;
                    self.backend = backend;
                    self.backend_reason = reason;
                    self.status = RunStatus::Running;
                }
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
                    let summary = ended_text(epochs, reason.describe(), best_valid);
                    self.status = RunStatus::Finished(summary.clone());
                    if best.is_file() {
                        out.push(Notice::Finished { best, summary });
                    }
                }
                Event::Failed(e) => {
                    self.status = RunStatus::Failed(e.clone());
                    out.push(Notice::Failed(e));
                }
                Event::EngineFailed {
                    message,
                    resume_from,
                } => {
                    self.status = RunStatus::Failed(message.clone());
                    self.resume_from = resume_from;
                    out.push(Notice::Failed(message));
                }
                Event::Warning(e) => out.push(Notice::Warning(e)),
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
        if p.samples_per_s <= 0.0 || self.history.last().is_some_and(|r| r.epoch >= p.epoch) {
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

/// "ended after 12 epochs (early stopping); best validation loss 1335.54" ("1 epoch" for one).
fn ended_text(epochs: usize, why: &str, best_valid: f64) -> String {
    let noun = if epochs == 1 { "epoch" } else { "epochs" };
    format!("ended after {epochs} {noun} ({why}); best validation loss {best_valid:.2}")
}

#[cfg(test)]
mod tests {
    use super::ended_text;

    #[test]
    fn one_epoch_is_singular() {
        assert_eq!(
            ended_text(1, "stopped on request", 2593.934),
            "ended after 1 epoch (stopped on request); best validation loss 2593.93"
        );
        assert!(ended_text(12, "early stopping", 1.0).starts_with("ended after 12 epochs ("));
    }
}
