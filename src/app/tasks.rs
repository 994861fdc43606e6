//! Named background tasks: each runs on its own thread, reports progress through a shared
//! cell, can be cancelled, and delivers one result on the app's result channel. The UI polls
//! once per frame and never blocks.

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

/// A running task as the UI sees it.
pub struct RunningTask {
    pub id: u64,
    pub name: String,
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

    /// Starts `f` on a thread named `specae-<name>`; returns the task id.
    pub fn spawn(
        &mut self,
        name: &str,
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
                // A panic in a task becomes an error message, never a dead UI.
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut cx)))
                    .unwrap_or_else(|p| {
                        let msg = p
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "unknown panic".into());
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

    /// Results of tasks that finished since the last poll.
    pub fn poll(&mut self) -> Vec<(u64, JobOutput)> {
        let done: Vec<(u64, JobOutput)> = self.rx.try_iter().collect();
        self.running
            .retain(|t| !done.iter().any(|(id, _)| *id == t.id));
        done
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
