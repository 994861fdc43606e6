//! Progress bars for long steps (hidden when stderr is not a terminal), and Ctrl-C as a clean
//! cancel: the job stops at its next check and leaves no file half written.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use specae::util::progress::{Observer, Progress};

/// A bar of `len` steps labelled `msg`.
pub fn bar(len: u64, msg: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:>18} [{bar:40.cyan/blue}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(msg.to_string());
    pb
}

/// One bar per stage of a job (a spinner where the stage's length is unknown).
#[derive(Default)]
pub struct Bars {
    bar: Mutex<Option<ProgressBar>>,
    /// Each stage's name and when it started.
    started: Mutex<Vec<(String, Instant)>>,
}

impl Bars {
    /// When the first stage whose name starts with `prefix` started.
    pub fn started(&self, prefix: &str) -> Option<Instant> {
        let s = self.started.lock().ok()?;
        s.iter()
            .find(|(n, _)| n.starts_with(prefix))
            .map(|(_, t)| *t)
    }

    /// Removes the last stage's bar (before printing the job's results).
    pub fn finish(&self) {
        if let Ok(mut b) = self.bar.lock()
            && let Some(b) = b.take()
        {
            b.finish_and_clear();
        }
    }
}

impl Observer for Bars {
    fn stage(&self, name: &str, total: u64) {
        if let Ok(mut s) = self.started.lock() {
            s.push((name.to_string(), Instant::now()));
        }
        if let Ok(mut b) = self.bar.lock() {
            if let Some(old) = b.take() {
                old.finish_and_clear();
            }
            *b = Some(if total > 0 {
                bar(total, name)
            } else {
                let s = ProgressBar::new_spinner();
                s.set_message(name.to_string());
                s.enable_steady_tick(std::time::Duration::from_millis(120));
                s
            });
        }
    }
    fn position(&self, done: u64, _total: u64) {
        if let Ok(b) = self.bar.lock()
            && let Some(b) = b.as_ref()
        {
            b.set_position(done);
        }
    }
}

/// A progress handle drawing bars, cancelled by Ctrl-C; keep the bars to finish them.
pub fn bars() -> (Progress, Arc<Bars>) {
    let bars = Arc::new(Bars::default());
    let progress = Progress::with_observer(bars.clone());
    let on_ctrlc = progress.clone();
    // One handler per process (the CLI runs one job); if one is set already, Ctrl-C keeps
    // its default (the process ends; atomic writes leave no partial file in place).
    let _ = ctrlc::set_handler(move || {
        eprintln!("\ncancelling…");
        on_ctrlc.cancel();
    });
    (progress, bars)
}
