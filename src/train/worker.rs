//! The training worker: a named background thread that owns the [`Trainer`], reports on a
//! bounded event channel and obeys commands from a separate control channel. A stop takes
//! effect within one batch. The CLI owns a worker today; the GUI will own one the same way.

use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError, bounded, unbounded};

use super::checkpoint::{export_weights, save};
use super::trainer::{BatchProgress, EpochEnd, EpochRecord, Flow, Trainer};

/// Commands to a running worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Pause,
    Resume,
    /// Stop within one batch; the checkpoint of the last whole epoch is kept.
    Stop,
    /// Write `snapshot.safetensors` now.
    SaveNow,
}

/// Why a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum FinishReason {
    EarlyStopped,
    MaxEpochs,
    Stopped,
}

/// What the worker reports.
#[derive(Clone, Debug)]
pub enum Event {
    Started {
        epoch: usize,
        n_train: usize,
        n_valid: usize,
        /// A resumed run whose Adam moments could not be restored (checkpoint of the other
        /// engine): they restart from zero.
        optimizer_restarted: bool,
    },
    /// Throttled batch progress.
    Progress(BatchProgress),
    Epoch(EpochRecord),
    Saved(PathBuf),
    Paused,
    Resumed,
    Finished {
        reason: FinishReason,
        best_valid: f64,
        epochs: usize,
        best: PathBuf,
    },
    /// A fault: the run stopped (e.g. a non-finite loss); checkpoints on disk are intact.
    Failed(String),
}

/// Where a run writes, and how often it reports.
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    pub out_dir: PathBuf,
    pub backend: String,
    pub progress_interval: Duration,
}

impl WorkerOptions {
    pub fn best_path(&self) -> PathBuf {
        self.out_dir.join("best.safetensors")
    }
    pub fn last_path(&self) -> PathBuf {
        self.out_dir.join("last.safetensors")
    }
    pub fn model_path(&self) -> PathBuf {
        self.out_dir.join("model.safetensors")
    }
    pub fn snapshot_path(&self) -> PathBuf {
        self.out_dir.join("snapshot.safetensors")
    }
}

/// A training run on its own thread.
pub struct TrainingWorker {
    pub events: Receiver<Event>,
    commands: Sender<Command>,
    handle: Option<JoinHandle<()>>,
}

impl TrainingWorker {
    /// Starts `build()` on a new thread named `specae-training` and trains until early
    /// stopping, the epoch cap, a stop command or a fault.
    pub fn spawn<F>(build: F, opts: WorkerOptions) -> std::io::Result<Self>
    where
        F: FnOnce() -> Result<Trainer, String> + Send + 'static,
    {
        let (etx, erx) = bounded::<Event>(256);
        let (ctx, crx) = unbounded::<Command>();
        let handle = std::thread::Builder::new()
            .name("specae-training".into())
            .spawn(move || match build() {
                Ok(t) => run(t, &opts, &etx, &crx),
                Err(e) => {
                    let _ = etx.send(Event::Failed(e));
                }
            })?;
        Ok(TrainingWorker {
            events: erx,
            commands: ctx,
            handle: Some(handle),
        })
    }

    /// Sends a command; false if the worker has finished.
    pub fn send(&self, c: Command) -> bool {
        self.commands.send(c).is_ok()
    }

    /// A sender the caller can move elsewhere (a Ctrl-C handler, a UI button).
    pub fn command_sender(&self) -> Sender<Command> {
        self.commands.clone()
    }

    /// Waits for the thread to end.
    pub fn join(mut self) {
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn run(mut t: Trainer, opts: &WorkerOptions, events: &Sender<Event>, commands: &Receiver<Command>) {
    let emit = |e: Event| events.send(e).is_ok();
    if !emit(Event::Started {
        epoch: t.epoch,
        n_train: t.data.split.train.len(),
        n_valid: t.data.split.valid.len(),
        optimizer_restarted: t.optimizer_restarted,
    }) {
        return;
    }
    let mut stop = false;
    let mut last_progress = Instant::now() - opts.progress_interval;
    let finish = |t: &Trainer, reason: FinishReason| {
        if let Err(e) = export_best(opts) {
            let _ = events.send(Event::Failed(e));
        }
        let _ = events.send(Event::Finished {
            reason,
            best_valid: t.best_valid(),
            epochs: t.epoch,
            best: opts.best_path(),
        });
    };
    while !t.finished() {
        let mut pending_save = false;
        let mut callback = |p: BatchProgress| -> Flow {
            loop {
                match commands.try_recv() {
                    Ok(Command::Stop) => {
                        stop = true;
                        return Flow::Stop;
                    }
                    Ok(Command::SaveNow) => pending_save = true,
                    Ok(Command::Pause) => {
                        let _ = events.send(Event::Paused);
                        // Block until told to resume or stop.
                        loop {
                            match commands.recv() {
                                Ok(Command::Resume) => break,
                                Ok(Command::Stop) | Err(_) => {
                                    stop = true;
                                    return Flow::Stop;
                                }
                                Ok(_) => {}
                            }
                        }
                        let _ = events.send(Event::Resumed);
                    }
                    Ok(Command::Resume) => {}
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => break,
                }
            }
            if last_progress.elapsed() >= opts.progress_interval || p.batch == p.n_batches {
                last_progress = Instant::now();
                // Progress is droppable: never block training on a slow reader.
                let _ = events.try_send(Event::Progress(p));
            }
            Flow::Continue
        };
        let end = t.run_epoch(&mut callback);
        if pending_save {
            match save(&t, &opts.backend, &opts.snapshot_path()) {
                Ok(()) => {
                    emit(Event::Saved(opts.snapshot_path()));
                }
                Err(e) => {
                    emit(Event::Failed(format!("snapshot not saved: {e}")));
                }
            }
        }
        match end {
            Err(e) => {
                emit(Event::Failed(e.to_string()));
                return;
            }
            Ok(EpochEnd::Interrupted) => break,
            Ok(EpochEnd::Done(rec)) => {
                let best = rec.best;
                if !emit(Event::Epoch(rec)) {
                    return;
                }
                for (wanted, path) in [(true, opts.last_path()), (best, opts.best_path())] {
                    if !wanted {
                        continue;
                    }
                    match save(&t, &opts.backend, &path) {
                        Ok(()) => {
                            emit(Event::Saved(path));
                        }
                        Err(e) => {
                            emit(Event::Failed(format!(
                                "{e}; training stopped, the previous checkpoint is intact"
                            )));
                            return;
                        }
                    }
                }
            }
        }
        if stop {
            break;
        }
    }
    let reason = if stop {
        FinishReason::Stopped
    } else if t.epoch >= t.config.max_epochs {
        FinishReason::MaxEpochs
    } else {
        FinishReason::EarlyStopped
    };
    finish(&t, reason);
}

/// Exports the best checkpoint's weights as a PyTorch-loadable `model.safetensors`.
fn export_best(opts: &WorkerOptions) -> Result<(), String> {
    let best = opts.best_path();
    if !best.is_file() {
        return Ok(());
    }
    let ck = super::checkpoint::Checkpoint::read(&best).map_err(|e| e.to_string())?;
    let model = ck
        .model(&burn::prelude::Device::flex())
        .map_err(|e| e.to_string())?;
    export_weights(&model, &opts.model_path()).map_err(|e| e.to_string())
}
