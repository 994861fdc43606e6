//! Starting, controlling and resuming the training run.

use super::SpecaeApp;
use crate::app::persisted::TrainSettings;
use crate::app::training::TrainingRun;
use crate::train::Command;
use crate::train::backend::BackendChoice;
use crate::train::worker::Wake;

impl SpecaeApp {
    /// Wakes the window whenever the run has news.
    fn training_wake(&self) -> Option<Wake> {
        self.setup_for
            .clone()
            .map(|ctx| std::sync::Arc::new(move || ctx.request_repaint()) as Wake)
    }

    pub(super) fn training_command(&mut self, c: Command) {
        if let Some(t) = &self.training {
            t.send(c);
        }
    }

    pub(super) fn start_training(&mut self, settings: TrainSettings) {
        if self.training.as_ref().is_some_and(|t| t.is_active()) {
            self.error("a training run is already going; stop it first");
            return;
        }
        let Some(d) = &self.session.data else {
            self.error("open data before training");
            return;
        };
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let out = self.opts.runs_dir.join(format!("run-{stamp}"));
        let wake = self.training_wake();
        match TrainingRun::start(&settings, d, self.session.data_gen, &out, None, wake) {
            Ok(run) => {
                self.info(format!("training: checkpoints in {}", out.display()));
                self.state.train = settings;
                self.training = Some(run);
            }
            Err(e) => self.error(format!("training: {e}")),
        }
    }

    /// After the engine failed (a GPU lost, say): the same run continues from its last
    /// checkpoint on the CPU, in the same folder, its loss curves kept.
    pub(super) fn resume_training_on_cpu(&mut self) {
        let Some(run) = self.training.as_ref() else {
            return;
        };
        let Some(ckpt) = run.resume_from.clone() else {
            self.error("this run has no checkpoint to resume");
            return;
        };
        if run.is_active() {
            self.error("a training run is already going; stop it first");
            return;
        }
        let Some(d) = &self.session.data else {
            self.error("open data before training");
            return;
        };
        if run.data_gen != self.session.data_gen {
            self.error(format!(
                "the run trained on {}: open those data again to resume it",
                run.data_label
            ));
            return;
        }
        let settings = TrainSettings {
            backend: BackendChoice::Cpu,
            fail_at_step: None,
            fail_gpu_measurement: None,
            ..run.settings.clone()
        };
        let (out, history) = (run.out_dir.clone(), run.history.clone());
        let wake = self.training_wake();
        match TrainingRun::start(
            &settings,
            d,
            self.session.data_gen,
            &out,
            Some(ckpt.clone()),
            wake,
        ) {
            Ok(mut new) => {
                new.history = history;
                self.info(format!("training: resuming {} on the CPU", ckpt.display()));
                self.training = Some(new);
            }
            Err(e) => self.error(format!("training: {e}")),
        }
    }
}
