//! The training worker: a named background thread that owns the [`Trainer`], reports its
//! events and obeys commands from a separate control channel. A stop takes effect within one
//! batch. The CLI and the GUI own a worker the same way.
//!
//! The worker never waits for its reader: batch progress is a latest value (a reader that
//! looks rarely — a hidden window — sees the newest, not a queue of stale ones), and the few
//! other events (a handful per epoch) go on an unbounded channel. A [`Wake`] callback tells
//! the reader something arrived (the GUI asks egui to run its logic pass).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError, unbounded};

use super::checkpoint::{export_weights, save};
use super::engine_speed::SpeedWatch;
use super::trainer::{BatchProgress, EpochEnd, EpochRecord, Flow, TrainError, Trainer};

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

impl FinishReason {
    /// In words, as the CLI and the Training panel say it ("ended after 12 epochs (…)").
    pub fn describe(&self) -> &'static str {
        match self {
            FinishReason::EarlyStopped => "early stopping",
            FinishReason::MaxEpochs => "the epoch cap",
            FinishReason::Stopped => "stopped on request; the last whole epoch is saved",
        }
    }
}

/// What the worker reports (batch progress is not an event: see [`TrainingWorker::progress`]).
#[derive(Clone, Debug)]
pub enum Event {
    Started {
        /// Where it trains ("cpu (specae native engine)", "wgpu"), and why.
        backend: String,
        reason: String,
        epoch: usize,
        n_train: usize,
        n_valid: usize,
        /// A resumed run whose Adam moments could not be restored (checkpoint of the other
        /// engine): they restart from zero.
        optimizer_restarted: bool,
    },
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
    /// The engine itself failed (a GPU lost or out of memory, a panic in a kernel): the run
    /// stopped, its checkpoints are intact, and `resume_from` (the last whole epoch, if one
    /// finished) can be resumed — on the CPU, say.
    EngineFailed {
        message: String,
        resume_from: Option<PathBuf>,
    },
    /// Something did not work but the run goes on (a snapshot or the exported weights could
    /// not be written).
    Warning(String),
}

/// Called (from the worker thread) whenever the worker has something new for its reader.
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// Where a run writes, how often it updates its progress, whom it wakes.
#[derive(Clone)]
pub struct WorkerOptions {
    pub out_dir: PathBuf,
    pub progress_interval: Duration,
    pub wake: Option<Wake>,
}

impl std::fmt::Debug for WorkerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerOptions")
            .field("out_dir", &self.out_dir)
            .field("progress_interval", &self.progress_interval)
            .field("wake", &self.wake.is_some())
            .finish()
    }
}

impl WorkerOptions {
    /// Writes under `out_dir`, progress every 100 ms, nobody woken.
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        Self {
            out_dir: out_dir.into(),
            progress_interval: Duration::from_millis(100),
            wake: None,
        }
    }
}

/// A trainer ready to run, with the backend it runs on (checkpoints record it).
pub struct Launch {
    pub trainer: Trainer,
    pub backend: String,
    /// Why that backend ("requested with --backend cpu", "no GPU adapter; using the CPU").
    pub reason: String,
    /// `auto`'s measurement, checked against the run's first epochs (a run far slower than
    /// measured forgets it and warns).
    pub watch: Option<SpeedWatch>,
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
    progress: Arc<Mutex<Option<BatchProgress>>>,
    commands: Sender<Command>,
    handle: Option<JoinHandle<()>>,
}

/// The worker's side of its outputs: events, the latest progress, the wake-up call.
struct Outbox {
    events: Sender<Event>,
    progress: Arc<Mutex<Option<BatchProgress>>>,
    wake: Option<Wake>,
}

impl Outbox {
    /// Sends an event; false once the reader has gone (the run then ends).
    fn emit(&self, e: Event) -> bool {
        let ok = self.events.send(e).is_ok();
        self.wake();
        ok
    }
    fn progress(&self, p: BatchProgress) {
        if let Ok(mut slot) = self.progress.lock() {
            *slot = Some(p);
        }
        self.wake();
    }
    fn wake(&self) {
        if let Some(w) = &self.wake {
            w();
        }
    }
}

impl TrainingWorker {
    /// Starts `build()` on a new thread named `specae-training` and trains until early
    /// stopping, the epoch cap, a stop command or a fault. Slow set-up (choosing and opening a
    /// device, reading data fingerprints) belongs in `build`, which runs on that thread.
    pub fn spawn<F>(build: F, opts: WorkerOptions) -> std::io::Result<Self>
    where
        F: FnOnce() -> Result<Launch, String> + Send + 'static,
    {
        let (etx, erx) = unbounded::<Event>();
        let (ctx, crx) = unbounded::<Command>();
        let progress = Arc::new(Mutex::new(None));
        let out = Outbox {
            events: etx,
            progress: progress.clone(),
            wake: opts.wake.clone(),
        };
        let handle = std::thread::Builder::new()
            .name("specae-training".into())
            .spawn(move || {
                // Opening a GPU and compiling its first kernels can panic inside the runtime:
                // that ends the run with a message, not a silently dead thread.
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(build)) {
                    Ok(Ok(l)) => run(l, &opts, &out, &crx),
                    Ok(Err(e)) => {
                        out.emit(Event::Failed(e));
                    }
                    Err(p) => {
                        out.emit(Event::Failed(format!(
                            "starting the run failed: {}",
                            panic_message(p.as_ref())
                        )));
                    }
                }
            })?;
        Ok(TrainingWorker {
            events: erx,
            progress,
            commands: ctx,
            handle: Some(handle),
        })
    }

    /// The newest batch progress (`None` before the first batch).
    pub fn progress(&self) -> Option<BatchProgress> {
        self.progress.lock().ok().and_then(|p| *p)
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

fn run(launch: Launch, opts: &WorkerOptions, out: &Outbox, commands: &Receiver<Command>) {
    let Launch {
        trainer: mut t,
        backend,
        reason,
        mut watch,
    } = launch;
    let emit = |e: Event| out.emit(e);
    if !emit(Event::Started {
        backend: backend.clone(),
        reason,
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
            out.emit(Event::Warning(format!(
                "the weights for PyTorch were not exported: {e}"
            )));
        }
        out.emit(Event::Finished {
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
                        out.emit(Event::Paused);
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
                        out.emit(Event::Resumed);
                    }
                    Ok(Command::Resume) => {}
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => break,
                }
            }
            if last_progress.elapsed() >= opts.progress_interval || p.batch == p.n_batches {
                last_progress = Instant::now();
                out.progress(p);
            }
            Flow::Continue
        };
        // A GPU that is lost or runs out of memory makes burn's runtime panic (or report an
        // error on read-back): either way the run ends here with its checkpoints intact.
        let end = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            t.run_epoch(&mut callback)
        })) {
            Ok(Err(TrainError::Device { epoch, message, .. })) => {
                emit(engine_failed(&backend, epoch, &message, t.epoch, opts));
                return;
            }
            Ok(end) => end,
            Err(p) => {
                let msg = panic_message(p.as_ref());
                emit(engine_failed(&backend, t.epoch + 1, &msg, t.epoch, opts));
                return;
            }
        };
        if pending_save {
            match save(&t, &backend, &opts.snapshot_path()) {
                Ok(()) => {
                    emit(Event::Saved(opts.snapshot_path()));
                }
                Err(e) => {
                    emit(Event::Warning(format!("snapshot not saved: {e}")));
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
                let (best, rate) = (rec.best, rec.samples_per_s);
                if !emit(Event::Epoch(rec)) {
                    return;
                }
                if let Some(warning) = watch.as_mut().and_then(|w| w.observe(rate)) {
                    emit(Event::Warning(warning));
                }
                for (wanted, path) in [(true, opts.last_path()), (best, opts.best_path())] {
                    if !wanted {
                        continue;
                    }
                    match save(&t, &backend, &path) {
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

/// The event for an engine that failed in `epoch`, after `done` whole epochs.
fn engine_failed(
    backend: &str,
    epoch: usize,
    message: &str,
    done: usize,
    opts: &WorkerOptions,
) -> Event {
    let last = opts.last_path();
    let (resume_from, next) = if done > 0 && last.is_file() {
        (
            Some(last.clone()),
            format!(
                "the checkpoint of epoch {done} is intact ({}): resume it on the CPU",
                last.display()
            ),
        )
    } else {
        (
            None,
            "no epoch had finished, so there is no checkpoint to resume; start again on the CPU"
                .to_string(),
        )
    };
    Event::EngineFailed {
        message: format!("{backend} failed in epoch {epoch}: {message}. Training stopped; {next}"),
        resume_from,
    }
}

/// The text of a panic's payload.
fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    crate::util::panic_message(p, "an internal error (panic)")
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
    export_weights(&model, ck.meta.grid.as_ref(), &opts.model_path()).map_err(|e| e.to_string())
}
