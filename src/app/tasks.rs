//! Named background tasks: each runs on its own thread, reports progress through a shared
//! cell, can be cancelled, and delivers one result on the app's result channel. The UI polls
//! once per frame (and in eframe's logic pass while the window is hidden) and never blocks.
//!
//! Every task says what its result is computed from ([`Scope`]): the data and model of the
//! session when it started. When the session moves on (other data opened, another model), the
//! app cancels and forgets the tasks of the old state and drops any result they still deliver.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender, unbounded};
use eframe::egui;

use super::jobs::JobOutput;
use crate::analysis::bundle::Progress;

/// Where a task is.
#[derive(Clone, Debug, Default)]
pub struct TaskProgress {
    pub stage: String,
    pub done: u64,
    pub total: u64,
}

impl TaskProgress {
    /// Fraction done, if known.
    pub fn fraction(&self) -> Option<f32> {
        (self.total > 0).then(|| (self.done as f32 / self.total as f32).clamp(0.0, 1.0))
    }
}

/// What a task's thread holds: progress and cancellation.
#[derive(Clone)]
pub struct TaskCtx {
    progress: Arc<Mutex<TaskProgress>>,
    cancel: Arc<AtomicBool>,
    repaint: Option<egui::Context>,
}

impl TaskCtx {
    pub fn set_stage(&self, stage: &str, total: u64) {
        if let Ok(mut p) = self.progress.lock() {
            *p = TaskProgress {
                stage: stage.into(),
                done: 0,
                total,
            };
        }
        self.request_repaint();
    }

    pub fn set_done(&self, done: u64) {
        if let Ok(mut p) = self.progress.lock() {
            p.done = done;
        }
        self.request_repaint();
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    fn request_repaint(&self) {
        if let Some(c) = &self.repaint {
            c.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }
}

impl Progress for TaskCtx {
    fn stage(&mut self, name: &str, len: u64) {
        self.set_stage(name, len);
    }
    fn set(&mut self, pos: u64) -> bool {
        self.set_done(pos);
        !self.cancelled()
    }
}

/// What a task's result was computed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Independent of the session (file dialogs, exports, opening data, ingesting files).
    Any,
    /// From the data of this generation (e.g. opening a model for them).
    Data(u64),
    /// From this data and model generation (encoding, the analysis, residuals).
    Model { data: u64, model: u64 },
}

/// A finished task's result.
pub struct Finished {
    pub id: u64,
    pub name: String,
    pub scope: Scope,
    pub output: JobOutput,
}

/// A running task as the UI sees it.
pub struct RunningTask {
    pub id: u64,
    pub name: String,
    pub scope: Scope,
    pub started: Instant,
    progress: Arc<Mutex<TaskProgress>>,
    cancel: Arc<AtomicBool>,
}

impl RunningTask {
    pub fn progress(&self) -> TaskProgress {
        self.progress.lock().map(|p| p.clone()).unwrap_or_default()
    }
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// The set of running tasks and their result channel.
pub struct Tasks {
    running: Vec<RunningTask>,
    /// Names and scopes of tasks that were forgotten before they finished (their results are
    /// dropped when they arrive).
    forgotten: Vec<(u64, String, Scope)>,
    tx: Sender<(u64, JobOutput)>,
    rx: Receiver<(u64, JobOutput)>,
    next_id: u64,
    repaint: Option<egui::Context>,
}

impl Tasks {
    pub fn new(repaint: Option<egui::Context>) -> Self {
        let (tx, rx) = unbounded();
        Self {
            running: vec![],
            forgotten: vec![],
            tx,
            rx,
            next_id: 1,
            repaint,
        }
    }

    /// The context to wake when a task reports.
    pub fn set_repaint(&mut self, ctx: egui::Context) {
        self.repaint = Some(ctx);
    }

    /// Starts `f` on a thread named `specae-<name>`; its result is computed from `scope`.
    /// Returns the task id.
    pub fn spawn(
        &mut self,
        name: &str,
        scope: Scope,
        f: impl FnOnce(&mut TaskCtx) -> JobOutput + Send + 'static,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let progress = Arc::new(Mutex::new(TaskProgress {
            stage: name.into(),
            ..Default::default()
        }));
        let cancel = Arc::new(AtomicBool::new(false));
        let mut cx = TaskCtx {
            progress: progress.clone(),
            cancel: cancel.clone(),
            repaint: self.repaint.clone(),
        };
        let tx = self.tx.clone();
        let repaint = self.repaint.clone();
        let task_name = name.to_string();
        let spawned = std::thread::Builder::new()
            .name(format!("specae-{name}"))
            .spawn(move || {
                crate::util::priority::lower_current_thread_priority();
                // A panic in a task becomes an error message, never a dead UI.
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut cx)))
                    .unwrap_or_else(|p| {
                        let msg = crate::util::panic_message(p.as_ref(), "unknown panic");
                        JobOutput::Failed {
                            task: task_name.clone(),
                            error: format!("internal error: {msg}"),
                        }
                    });
                let _ = tx.send((id, out));
                if let Some(c) = repaint {
                    c.request_repaint();
                }
            });
        match spawned {
            Ok(_) => self.running.push(RunningTask {
                id,
                name: name.into(),
                scope,
                started: Instant::now(),
                progress,
                cancel,
            }),
            Err(e) => {
                let _ = self.tx.send((
                    id,
                    JobOutput::Failed {
                        task: name.into(),
                        error: format!("cannot start a thread: {e}"),
                    },
                ));
            }
        }
        id
    }

    /// Results of tasks that finished since the last poll (forgotten tasks included: the
    /// caller checks their scope).
    pub fn poll(&mut self) -> Vec<Finished> {
        let mut out = vec![];
        for (id, output) in self.rx.try_iter() {
            let known = if let Some(k) = self.running.iter().position(|t| t.id == id) {
                let t = self.running.remove(k);
                Some((t.name, t.scope))
            } else if let Some(k) = self.forgotten.iter().position(|t| t.0 == id) {
                let (_, name, scope) = self.forgotten.remove(k);
                Some((name, scope))
            } else {
                None
            };
            // A task that could not start has no entry; its failure is session-independent.
            let (name, scope) = known.unwrap_or_else(|| (String::new(), Scope::Any));
            out.push(Finished {
                id,
                name,
                scope,
                output,
            });
        }
        out
    }

    /// Cancels and forgets every task whose scope `keep` rejects: they vanish from the status
    /// bar at once, stop at their next check, and their results are dropped.
    pub fn forget_unless(&mut self, keep: impl Fn(Scope) -> bool) {
        let (stay, go): (Vec<_>, Vec<_>) = std::mem::take(&mut self.running)
            .into_iter()
            .partition(|t| keep(t.scope));
        self.running = stay;
        for t in go {
            t.cancel();
            self.forgotten.push((t.id, t.name, t.scope));
        }
    }

    pub fn running(&self) -> &[RunningTask] {
        &self.running
    }

    pub fn is_running(&self, name: &str) -> bool {
        self.running.iter().any(|t| t.name == name)
    }

    pub fn is_busy(&self) -> bool {
        !self.running.is_empty()
    }

    /// Asks every task called `name` to stop.
    pub fn cancel(&self, name: &str) {
        for t in self.running.iter().filter(|t| t.name == name) {
            t.cancel();
        }
    }
}
