//! Taking in what background tasks deliver: each result is installed unless it was computed
//! from a session state that has since changed (other data or another model opened meanwhile)
//! or opens a file the user has since replaced by a later choice; such results are dropped.

use super::SpecaeApp;
use crate::app::builtin_model::Builtin;
use crate::app::commands::{AppCommand, Pick, UiCommand};
use crate::app::jobs::JobOutput;
use crate::app::messages::Level;
use crate::app::pane::Pane;
use crate::app::session::{IngestReport, LoadedData, Scope};
use crate::app::tasks::Delivery;

impl SpecaeApp {
    pub(super) fn apply_delivery(&mut self, d: Delivery<JobOutput, Scope>) {
        if d.forgotten || !self.session.is_current(d.tag) {
            return;
        }
        let superseded = |k: usize| self.latest_open[k].is_some_and(|id| id != d.id);
        match d.output {
            JobOutput::Data(_) if superseded(0) => {}
            JobOutput::Model(_) if superseded(1) => {}
            JobOutput::Data(data) => self.install_data(data),
            JobOutput::Snr(v) => {
                if let Some(d) = self.session.data.as_mut()
                    && v.len() == d.n()
                {
                    d.snr = v;
                }
            }
            JobOutput::Model(m) => {
                // A shipped model is remembered by its command-line name, so a relaunch
                // applies it again to the user's data.
                self.state.model_path = m
                    .path
                    .clone()
                    .or_else(|| m.builtin.map(|b| b.name().into()));
                if let Some(p) = &m.path {
                    self.state.remember(p.clone());
                }
                self.info(format!("model: {}", m.label));
                self.session.set_model(m);
                self.messages.forget_others(self.session.model_gen);
                // Work for the previous model (its encode, analysis, residuals) is obsolete.
                let current = self.session.model_scope();
                self.tasks.forget_unless(|s| match s {
                    Scope::Model { .. } => s == current,
                    _ => true,
                });
                self.derived.selection_changed();
                self.start_encode();
            }
            JobOutput::Latents(l) => {
                let from_training = l.from_training;
                if let Err(e) = self.session.set_latents(l) {
                    self.error(format!("latents: {e}"));
                    return;
                }
                if from_training.is_none() {
                    self.start_analysis();
                } else if let Some(p) = self.pending.checkpoint.take() {
                    self.encode_checkpoint(p);
                }
            }
            JobOutput::Scores(s) => {
                if let Err(e) = self.session.set_scores(s) {
                    self.error_about_open(format!("analysis: {e}"));
                }
            }
            JobOutput::Umap(u) => {
                if let Err(e) = self.session.set_umap(u) {
                    self.error_about_open(format!("analysis: {e}"));
                }
            }
            JobOutput::Baseline(p) => {
                if let Err(e) = self.session.set_baseline(p) {
                    self.error_about_open(format!("analysis: {e}"));
                }
            }
            JobOutput::AnalysisDone { note, warnings } => {
                self.info(note.clone());
                // About this data and model: they go when others open.
                for w in warnings {
                    let gen_ = self.session.model_gen;
                    self.messages.push_about(Level::Warning, w, gen_);
                }
                self.session.analysis_note = Some(note);
            }
            JobOutput::Residuals {
                selection_gen,
                residuals,
            } => self
                .derived
                .take_selection_residuals(selection_gen, residuals),
            JobOutput::CornerBins(bins) => self.derived.take_corner(&self.session, bins),
            JobOutput::Populations { key, pair } => self.derived.take_populations(key, pair),
            JobOutput::Learned(l) => self.take_learned(l),
            JobOutput::Exported { what, path, bytes } => {
                self.info(format!(
                    "exported {what} to {} ({bytes} bytes)",
                    path.display()
                ));
                self.last_export = Some(path);
            }
            JobOutput::Picked { purpose, path } => {
                if let Some(p) = path {
                    self.send(match purpose {
                        Pick::Data => AppCommand::OpenData(p),
                        Pick::Model => AppCommand::OpenModel(p),
                        Pick::ExportDir => AppCommand::SetExportDir(p),
                        Pick::Labels => AppCommand::ImportLabels(p),
                    });
                }
            }
            JobOutput::Ingested {
                out,
                summary,
                outcomes,
            } => {
                match &out {
                    Some(out) => {
                        self.info(summary.clone());
                        self.send(AppCommand::OpenData(out.clone()));
                    }
                    None => self.error(summary.clone()),
                }
                self.session.ingest_report = Some(IngestReport {
                    summary,
                    out,
                    outcomes,
                });
                self.send(UiCommand::ShowPane(Pane::IngestReport));
            }
            JobOutput::Failed { task, error } => {
                let text = format!("{task}: {error}");
                match d.tag {
                    // Opening files, ingesting, exporting: the user's to dismiss.
                    Scope::Any => self.error(text),
                    // About the data or model on screen (a model refused for them, a failed
                    // analysis): it goes when other data or another model opens.
                    Scope::Data(_) | Scope::Model { .. } => self.error_about_open(text),
                }
                self.open_model_waiting_for(d.id);
            }
            JobOutput::Cancelled { task } => {
                self.info(format!("{task}: cancelled"));
                self.open_model_waiting_for(d.id);
            }
            JobOutput::Superseded => {}
        }
    }

    /// A survey that a chosen model waited for did not open: the model opens for the data
    /// still on screen, as it would have without the wait.
    fn open_model_waiting_for(&mut self, task: u64) {
        if self.latest_open[0] == Some(task)
            && self.session.data.is_some()
            && let Some(p) = self.pending.model.take()
        {
            self.open_model(p);
        }
    }

    /// Installs newly opened data: the old data's model, latents, analysis and their running
    /// tasks go (a training run goes on with the data it started on, saving its checkpoints).
    fn install_data(&mut self, d: LoadedData) {
        let same = self.session.data.as_ref().map(|o| &o.path) == Some(&d.path);
        self.info(format!("opened {} ({} spectra)", d.label, d.n()));
        let builtin = d.builtin;
        if builtin {
            self.state.data_path = None;
        } else {
            self.state.data_path = Some(d.path.clone());
            self.state.remember(d.path.clone());
        }
        if !same {
            // The old data's model goes with them; a model opened for these sets it again.
            self.state.model_path = None;
        }
        if !same && self.session.data.is_some() {
            self.state.focus = None;
            self.state.second = None;
            self.state.selection.clear();
        }
        self.state.clamp_selection(d.n());
        match &d.labels {
            Err(e) => self.error(e.clone()),
            Ok(b) if !b.labels().is_empty() => self.info(format!(
                "{} labels read from {}",
                b.labels().len(),
                b.path.display()
            )),
            Ok(_) => {}
        }
        self.session.set_data(d);
        self.messages.forget_others(self.session.model_gen);
        self.tasks.forget_unless(|s| s == Scope::Any);
        self.start_snr();
        self.derived.clear();
        self.pending.checkpoint = None;
        if let Some(t) = &self.training
            && t.is_active()
        {
            self.info(format!(
                "training goes on with {} (checkpoints in {}); these data show its model once \
                 you open it with them",
                t.data_label,
                t.out_dir.display()
            ));
        }
        match self.pending.model.take() {
            Some(p) => self.open_model(p),
            None if builtin => self.open_builtin_model(Builtin::Ae),
            None => self.info("no model for these data yet: open one or start training"),
        }
    }
}
