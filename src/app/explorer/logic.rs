//! What runs every frame, and alone while the window is hidden: take in task results and
//! training events, keep the derived views current, take dropped files.

use std::path::PathBuf;
use std::time::Duration;

use eframe::egui;

use super::SpecaeApp;
use crate::app::commands::AppCommand;
use crate::app::desktop::{Opens, classify, window_size_for};
use crate::app::jobs::views::{bin_corner, fit_populations};
use crate::app::training::Notice;

impl SpecaeApp {
    /// Takes in what background work delivered: task results, training events; keeps the
    /// derived views (colours, the inspected galaxy, the corner bins) current. Runs every
    /// frame, and alone while the window is hidden, so a run never waits for the window.
    pub fn logic(&mut self, ctx: &egui::Context) {
        if self.setup_for.as_ref() != Some(ctx) {
            // Driven by another context than the one given to `new` (tests, benchmarks).
            super::install_fonts(ctx);
            self.tasks.set_wake(super::wake_for(ctx));
            self.setup_for = Some(ctx.clone());
        }
        for d in self.tasks.poll() {
            self.apply_delivery(d);
        }
        self.training_notices();
        self.take_dropped_files(ctx);
        self.refit_if_stale();
        self.derived.refresh(&self.session, &self.state);
        if let Some(inputs) = self.derived.corner_wanted(&self.session) {
            let scope = self.session.data_scope();
            self.tasks
                .spawn("corner plot", scope, move |cx| bin_corner(inputs, cx));
        }
        if let Some(inputs) = self.derived.populations_wanted(&self.session, &self.state) {
            let scope = self.session.model_scope();
            self.tasks.spawn("stellar populations", scope, move |cx| {
                fit_populations(inputs, cx)
            });
        }
        self.messages.expire();
        // Commands queued by results (a file dialog's choice, an ingest's survey).
        self.apply_commands();
        if self.is_busy() || self.messages.fading() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
    }

    /// Files dropped onto the window: a survey opens, a model opens, FITS files or folders are
    /// ingested into a survey (with progress) that then opens.
    fn take_dropped_files(&mut self, ctx: &egui::Context) {
        let pass = ctx.cumulative_pass_nr();
        if self.dropped_pass == Some(pass) {
            return;
        }
        self.dropped_pass = Some(pass);
        let paths: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !paths.is_empty() {
            self.open_paths(&paths);
        }
        self.fit_window(ctx);
    }

    /// Opens paths as a user means them (dropped, pasted, typed): see [`classify`].
    pub(super) fn open_paths(&mut self, paths: &[PathBuf]) {
        for o in classify(paths) {
            match o {
                Opens::Data(p) => self.send(AppCommand::OpenData(p)),
                Opens::Model(p) => self.send(AppCommand::OpenModel(p)),
                Opens::Fits(p) => self.send(AppCommand::Ingest(p)),
                Opens::Labels(p) => self.send(AppCommand::ImportLabels(p)),
                Opens::Unknown(p) => self.error(format!(
                    "{}: not a survey (.npz), a model (.safetensors), labels (.csv), SDSS spectra or DESI \
                     coadds (.fits, or a folder of them)",
                    p.display()
                )),
            }
        }
    }

    /// Shrinks the first window to the monitor's size if it does not fit (a 13" laptop).
    fn fit_window(&mut self, ctx: &egui::Context) {
        if self.layout.window_fitted {
            return;
        }
        let (monitor, inner) = ctx.input(|i| {
            let v = i.viewport();
            (v.monitor_size, v.inner_rect.map(|r| r.size()))
        });
        let (Some(monitor), Some(inner)) = (monitor, inner) else {
            return;
        };
        self.layout.window_fitted = true;
        let fitted = window_size_for([inner.x, inner.y], Some([monitor.x, monitor.y]));
        if fitted != [inner.x, inner.y] {
            ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(egui::vec2(
                fitted[0], fitted[1],
            )));
        }
    }

    /// Reacts to the training run's events. Checkpoints are shown only while the data the run
    /// trains on are open; a run that ends on other data says where its model is.
    fn training_notices(&mut self) {
        let Some(t) = self.training.as_mut() else {
            return;
        };
        let notices = t.poll();
        let (run_gen, run_data) = (t.data_gen, t.data_label.clone());
        let ours = run_gen == self.session.data_gen;
        for n in notices {
            match n {
                Notice::Checkpoint(p) if ours => self.encode_checkpoint(p),
                Notice::Checkpoint(_) => {}
                Notice::Finished { best, summary } if ours => {
                    self.info(format!("training {summary}; showing {}", best.display()));
                    self.pending.checkpoint = None;
                    self.open_model(best);
                }
                Notice::Finished { best, summary } => self.info(format!(
                    "training on {run_data} {summary}; its model is {} (open it with those data)",
                    best.display()
                )),
                Notice::Failed(e) => self.error(format!("training: {e}")),
                Notice::Warning(e) => self.warn(format!("training: {e}")),
            }
        }
    }
}
