//! One progress-and-cancel handle for every long job: generating the built-in survey, ingesting
//! FITS files, the PCA infill, encoding, UMAP, the analysis, exports.
//!
//! A job receives a `&Progress`, names its stages (`stage`), reports how far it is (`set`,
//! `add` — both lock-free, so rayon workers report too) and checks `check()` often enough to
//! stop within a second of `cancel()`; a cancelled job returns its `Cancelled` error and
//! leaves no file half written (files are written atomically; [`CancelWriter`] stops a long
//! write). Whoever started the job reads it: the explorer's status bar polls [`snapshot`]
//! every frame, the CLI attaches an [`Observer`] that draws progress bars.
//!
//! [`snapshot`]: Progress::snapshot

use std::io::{self, Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

/// A job stopped because it was asked to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

/// Where a job is: its stage, and how far into it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub stage: String,
    pub done: u64,
    /// Steps in the stage (0: unknown).
    pub total: u64,
}

impl Snapshot {
    /// Fraction done, if known.
    pub fn fraction(&self) -> Option<f32> {
        (self.total > 0).then(|| (self.done as f32 / self.total as f32).clamp(0.0, 1.0))
    }
}

/// Told of every change (from whichever thread made it): a progress bar, a repaint request.
pub trait Observer: Send + Sync {
    fn stage(&self, name: &str, total: u64);
    fn position(&self, done: u64, total: u64);
}

impl<T: Observer + ?Sized> Observer for Arc<T> {
    fn stage(&self, name: &str, total: u64) {
        (**self).stage(name, total)
    }
    fn position(&self, done: u64, total: u64) {
        (**self).position(done, total)
    }
}

struct Inner {
    stage: Mutex<String>,
    done: AtomicU64,
    total: AtomicU64,
    cancelled: AtomicBool,
    /// When `cancel` was first called.
    cancelled_at: OnceLock<Instant>,
    observer: Option<Box<dyn Observer>>,
    /// Cancel once a stage whose name starts with this reaches this many steps.
    trigger: Option<(String, u64)>,
}

/// A job's progress and its cancel flag, shared (cheap to clone) between the job and whoever
/// watches it.
#[derive(Clone)]
pub struct Progress {
    inner: Arc<Inner>,
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("snapshot", &self.snapshot())
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl Progress {
    /// A handle nobody watches (tests, library callers that do not report).
    pub fn new() -> Self {
        Self::build(None, None)
    }

    /// A handle whose changes are also told to `observer`.
    pub fn with_observer(observer: impl Observer + 'static) -> Self {
        Self::build(Some(Box::new(observer)), None)
    }

    /// A handle that cancels itself once a stage whose name starts with `stage` has reported
    /// `done` steps, as a user's Cancel arriving mid-job would (tests and `specae bench
    /// cancel` time how soon each job stops).
    pub fn cancelling_at(stage: &str, done: u64) -> Self {
        Self::build(None, Some((stage.to_string(), done)))
    }

    fn build(observer: Option<Box<dyn Observer>>, trigger: Option<(String, u64)>) -> Self {
        Self {
            inner: Arc::new(Inner {
                stage: Mutex::new(String::new()),
                done: AtomicU64::new(0),
                total: AtomicU64::new(0),
                cancelled: AtomicBool::new(false),
                cancelled_at: OnceLock::new(),
                observer,
                trigger,
            }),
        }
    }

    /// Starts a stage of `total` steps (0: unknown), at step 0.
    pub fn stage(&self, name: &str, total: u64) {
        if let Ok(mut s) = self.inner.stage.lock() {
            name.clone_into(&mut s);
        }
        self.inner.total.store(total, Ordering::Relaxed);
        self.inner.done.store(0, Ordering::Relaxed);
        if let Some(o) = &self.inner.observer {
            o.stage(name, total);
        }
        self.pull_trigger(0);
    }

    /// `done` steps of the stage are finished.
    pub fn set(&self, done: u64) {
        self.inner.done.store(done, Ordering::Relaxed);
        self.tell(done);
    }

    /// `n` more steps are finished (for work spread over threads).
    pub fn add(&self, n: u64) {
        let done = self.inner.done.fetch_add(n, Ordering::Relaxed) + n;
        self.tell(done);
    }

    fn tell(&self, done: u64) {
        if let Some(o) = &self.inner.observer {
            o.position(done, self.inner.total.load(Ordering::Relaxed));
        }
        self.pull_trigger(done);
    }

    fn pull_trigger(&self, done: u64) {
        if let Some((stage, at)) = &self.inner.trigger
            && done >= *at
            && !self.is_cancelled()
            && self
                .inner
                .stage
                .lock()
                .is_ok_and(|s| s.starts_with(stage.as_str()))
        {
            self.cancel();
        }
    }

    /// The stage and position now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            stage: self
                .inner
                .stage
                .lock()
                .map(|s| s.clone())
                .unwrap_or_default(),
            done: self.inner.done.load(Ordering::Relaxed),
            total: self.inner.total.load(Ordering::Relaxed),
        }
    }

    /// Asks the job to stop at its next check.
    pub fn cancel(&self) {
        let _ = self.inner.cancelled_at.set(Instant::now());
        self.inner.cancelled.store(true, Ordering::Relaxed);
    }

    /// When the job was first asked to stop.
    pub fn cancelled_at(&self) -> Option<Instant> {
        self.inner.cancelled_at.get().copied()
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once [`cancel`](Self::cancel) was called.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

/// A writer that fails with [`cancelled_io_error`] once its job is cancelled, so a long write
/// (a survey of 64k spectra takes seconds) stops at the next buffer and the atomic writer
/// below removes its temporary file.
pub struct CancelWriter<'a, W> {
    inner: W,
    progress: &'a Progress,
}

impl<'a, W> CancelWriter<'a, W> {
    pub fn new(inner: W, progress: &'a Progress) -> Self {
        Self { inner, progress }
    }
}

/// The I/O error a [`CancelWriter`] fails with (recognised by [`is_cancelled_io`]).
pub fn cancelled_io_error() -> io::Error {
    // Not `Interrupted`: `write_all` retries those forever.
    io::Error::other(Cancelled)
}

/// Whether `e` is (or wraps) the error of a cancelled write.
pub fn is_cancelled_io(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Cancelled>())
}

impl<W: Write> Write for CancelWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.progress.is_cancelled() {
            return Err(cancelled_io_error());
        }
        // At most 1 MiB per call: an array is handed over in one buffer (250 MB for 64k
        // spectra), which would otherwise go to disk whole before the next check.
        self.inner.write(&buf[..buf.len().min(1 << 20)])
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Seek> Seek for CancelWriter<'_, W> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Count(Arc<AtomicU64>);
    impl Observer for Count {
        fn stage(&self, _: &str, _: u64) {
            self.0.fetch_add(1000, Ordering::Relaxed);
        }
        fn position(&self, _: u64, _: u64) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn stages_positions_and_cancel() {
        let seen = Arc::new(AtomicU64::new(0));
        let p = Progress::with_observer(Count(seen.clone()));
        p.stage("reading", 10);
        p.set(3);
        p.add(2);
        let watcher = p.clone();
        assert_eq!(
            watcher.snapshot(),
            Snapshot {
                stage: "reading".into(),
                done: 5,
                total: 10
            }
        );
        assert_eq!(watcher.snapshot().fraction(), Some(0.5));
        assert_eq!(seen.load(Ordering::Relaxed), 1002);
        assert_eq!(p.check(), Ok(()));
        watcher.cancel();
        assert_eq!(p.check(), Err(Cancelled));
        p.stage("next", 0);
        assert_eq!(p.snapshot().fraction(), None);
        assert!(p.cancelled_at().is_some());
    }

    #[test]
    fn a_trigger_cancels_in_its_stage_only() {
        let p = Progress::cancelling_at("PCA", 2);
        p.stage("spectra", 10);
        p.set(5);
        assert!(!p.is_cancelled(), "another stage");
        p.stage("PCA infill", 20);
        p.set(1);
        assert!(!p.is_cancelled());
        p.add(1);
        assert!(p.is_cancelled() && p.cancelled_at().is_some());
        assert!(Progress::cancelling_at("x", 0).check().is_ok());
        let q = Progress::cancelling_at("x", 0);
        q.stage("x", 3);
        assert!(q.check().is_err(), "0 steps: at the stage's start");
    }

    #[test]
    fn a_cancelled_writer_stops_with_a_recognisable_error() {
        let p = Progress::new();
        let mut buf = io::Cursor::new(Vec::new());
        let mut w = CancelWriter::new(&mut buf, &p);
        w.write_all(b"abc").unwrap();
        p.cancel();
        let e = w.write_all(b"def").unwrap_err();
        assert!(is_cancelled_io(&e), "{e}");
        assert!(!is_cancelled_io(&io::Error::other("disk full")));
        assert_eq!(buf.get_ref(), b"abc");
    }
}
