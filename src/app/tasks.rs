//! Named background tasks, knowing nothing of the app (after rerun's `BackgroundTasks`): each
//! runs on its own thread with a [`Progress`] (stage, position, cancel), may hand over partial
//! results while it runs, and delivers one final result on the runner's channel. The UI polls
//! once per frame (and in eframe's logic pass while the window is hidden) and never blocks.
//!
//! Every task carries a tag saying what its result is computed from (the explorer tags them
//! with the session's data and model generations); [`Tasks::forget_unless`] cancels and
//! forgets the tasks whose tag no longer holds, and their results are marked as forgotten when
//! they still arrive.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};

use crate::util::progress::{Observer, Progress};

/// Called from task threads when there is news: `Duration::ZERO` for a result, longer for
/// progress (a repaint then may wait that long).
pub type Wake = Arc<dyn Fn(Duration) + Send + Sync>;

/// Wakes the reader on progress, at most as often as the reader looks.
struct WakeOnProgress(Wake);

impl Observer for WakeOnProgress {
    fn stage(&self, _: &str, _: u64) {
        (self.0)(Duration::from_millis(100));
    }
    fn position(&self, _: u64, _: u64) {
        (self.0)(Duration::from_millis(100));
    }
}

enum Message<T> {
    Partial(u64, T),
    Done(u64, T),
}

/// What a task's thread holds: its progress and a way to hand over partial results.
pub struct TaskCtx<T> {
    id: u64,
    progress: Progress,
    tx: Sender<Message<T>>,
    wake: Option<Wake>,
}

impl<T> TaskCtx<T> {
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    pub fn cancelled(&self) -> bool {
        self.progress.is_cancelled()
    }

    /// Hands over a result while the task goes on (the reader sees it at its next poll).
    pub fn deliver(&self, part: T) {
        let _ = self.tx.send(Message::Partial(self.id, part));
        if let Some(w) = &self.wake {
            w(Duration::ZERO);
        }
    }
}

/// A running task as the UI sees it.
pub struct RunningTask<Tag> {
    pub id: u64,
    pub name: String,
    pub tag: Tag,
    pub started: Instant,
    pub progress: Progress,
}

/// A result that arrived.
pub struct Delivery<T, Tag> {
    pub id: u64,
    pub name: String,
    pub tag: Tag,
    pub output: T,
    /// The task's final result (else a partial one: the task goes on).
    pub last: bool,
    /// The task was forgotten before it delivered this (its tag no longer holds).
    pub forgotten: bool,
}

/// The running tasks and their result channel.
pub struct Tasks<T, Tag> {
    running: Vec<RunningTask<Tag>>,
    /// Tasks forgotten before they finished (their results come marked `forgotten`).
    forgotten: Vec<(u64, String, Tag)>,
    tx: Sender<Message<T>>,
    rx: Receiver<Message<T>>,
    next_id: u64,
    wake: Option<Wake>,
    /// The result of a task that panicked or could not start (name, what happened).
    failed: fn(&str, String) -> T,
}

impl<T: Send + 'static, Tag: Copy> Tasks<T, Tag> {
    /// A runner whose tasks' panics become `failed(name, message)`.
    pub fn new(wake: Option<Wake>, failed: fn(&str, String) -> T) -> Self {
        let (tx, rx) = unbounded();
        Self {
            running: vec![],
            forgotten: vec![],
            tx,
            rx,
            next_id: 1,
            wake,
            failed,
        }
    }

    /// Whom to wake when a task reports.
    pub fn set_wake(&mut self, wake: Wake) {
        self.wake = Some(wake);
    }

    /// Starts `f` on a thread named `specae-<name>` below the UI thread's priority; returns
    /// the task id.
    pub fn spawn(
        &mut self,
        name: &str,
        tag: Tag,
        f: impl FnOnce(&TaskCtx<T>) -> T + Send + 'static,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let progress = match &self.wake {
            Some(w) => Progress::with_observer(WakeOnProgress(w.clone())),
            None => Progress::new(),
        };
        progress.stage(name, 0);
        let cx = TaskCtx {
            id,
            progress: progress.clone(),
            tx: self.tx.clone(),
            wake: self.wake.clone(),
        };
        let task_name = name.to_string();
        let failed = self.failed;
        let spawned = std::thread::Builder::new()
            .name(format!("specae-{name}"))
            .spawn(move || {
                crate::util::priority::lower_current_thread_priority();
                // A panic in a task becomes its failure, never a dead UI.
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&cx)))
                    .unwrap_or_else(|p| {
                        let msg = crate::util::panic_message(p.as_ref(), "unknown panic");
                        failed(&task_name, format!("internal error: {msg}"))
                    });
                let _ = cx.tx.send(Message::Done(id, out));
                if let Some(w) = &cx.wake {
                    w(Duration::ZERO);
                }
            });
        match spawned {
            Ok(_) => self.running.push(RunningTask {
                id,
                name: name.into(),
                tag,
                started: Instant::now(),
                progress,
            }),
            Err(e) => {
                self.forgotten.push((id, name.into(), tag));
                let _ = self.tx.send(Message::Done(
                    id,
                    failed(name, format!("cannot start a thread: {e}")),
                ));
            }
        }
        id
    }

    /// Results that arrived since the last poll, in order (forgotten tasks' included, marked).
    pub fn poll(&mut self) -> Vec<Delivery<T, Tag>> {
        let mut out = vec![];
        while let Ok(m) = self.rx.try_recv() {
            let (id, output, last) = match m {
                Message::Partial(id, o) => (id, o, false),
                Message::Done(id, o) => (id, o, true),
            };
            let known = if let Some(k) = self.running.iter().position(|t| t.id == id) {
                let t = &self.running[k];
                let found = (t.name.clone(), t.tag, false);
                if last {
                    self.running.remove(k);
                }
                Some(found)
            } else if let Some(k) = self.forgotten.iter().position(|t| t.0 == id) {
                let found = (self.forgotten[k].1.clone(), self.forgotten[k].2, true);
                if last {
                    self.forgotten.remove(k);
                }
                Some(found)
            } else {
                None
            };
            // Every id was registered when it was spawned.
            let Some((name, tag, forgotten)) = known else {
                continue;
            };
            out.push(Delivery {
                id,
                name,
                tag,
                output,
                last,
                forgotten,
            });
        }
        out
    }

    /// Cancels and forgets every task whose tag `keep` rejects: they vanish from the status
    /// bar at once, stop at their next check, and their results come marked `forgotten`.
    pub fn forget_unless(&mut self, keep: impl Fn(Tag) -> bool) {
        let (stay, go): (Vec<_>, Vec<_>) = std::mem::take(&mut self.running)
            .into_iter()
            .partition(|t| keep(t.tag));
        self.running = stay;
        for t in go {
            t.progress.cancel();
            self.forgotten.push((t.id, t.name, t.tag));
        }
    }

    pub fn running(&self) -> &[RunningTask<Tag>] {
        &self.running
    }

    pub fn is_running(&self, name: &str) -> bool {
        self.running.iter().any(|t| t.name == name)
    }

    pub fn is_busy(&self) -> bool {
        !self.running.is_empty()
    }

    /// Asks the task `id` to stop.
    pub fn cancel(&self, id: u64) {
        for t in self.running.iter().filter(|t| t.id == id) {
            t.progress.cancel();
        }
    }

    /// Asks every task called `name` to stop.
    pub fn cancel_named(&self, name: &str) {
        for t in self.running.iter().filter(|t| t.name == name) {
            t.progress.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(name: &str, e: String) -> String {
        format!("{name} failed: {e}")
    }

    fn wait_for(tasks: &mut Tasks<String, u8>, n: usize) -> Vec<Delivery<String, u8>> {
        let mut got = vec![];
        let t0 = Instant::now();
        while got
            .iter()
            .filter(|d: &&Delivery<String, u8>| d.last)
            .count()
            < n
        {
            got.extend(tasks.poll());
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "tasks never finished"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        got
    }

    #[test]
    fn partial_and_final_results_in_order_panics_reported() {
        let mut t: Tasks<String, u8> = Tasks::new(None, failed);
        t.spawn("a", 1, |cx| {
            cx.deliver("part".into());
            "done".into()
        });
        t.spawn("b", 2, |_| panic!("boom"));
        let got = wait_for(&mut t, 2);
        let a: Vec<(&str, bool)> = got
            .iter()
            .filter(|d| d.name == "a")
            .map(|d| (d.output.as_str(), d.last))
            .collect();
        assert_eq!(a, vec![("part", false), ("done", true)]);
        let b = got.iter().find(|d| d.name == "b").unwrap();
        assert!(
            b.output.contains("b failed: internal error: boom"),
            "{}",
            b.output
        );
        assert!(!t.is_busy());
    }

    #[test]
    fn forgotten_tasks_are_cancelled_and_marked() {
        let mut t: Tasks<String, u8> = Tasks::new(None, failed);
        let id = t.spawn("slow", 7, |cx| {
            while !cx.cancelled() {
                std::thread::sleep(Duration::from_millis(2));
            }
            "stopped".into()
        });
        t.forget_unless(|tag| tag != 7);
        assert!(!t.is_running("slow"), "gone from the list at once");
        let got = wait_for(&mut t, 1);
        assert_eq!(got[0].id, id);
        assert!(got[0].forgotten && got[0].output == "stopped");
        // Cancel by id.
        let id = t.spawn("again", 1, |cx| {
            while cx.progress().check().is_ok() {
                std::thread::sleep(Duration::from_millis(2));
            }
            "cancelled".into()
        });
        t.cancel(id);
        let got = wait_for(&mut t, 1);
        assert!(!got[0].forgotten && got[0].output == "cancelled");
    }
}
