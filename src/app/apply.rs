//! Applying the panels' commands (after each frame) and keeping derived views — the
//! inspected galaxy, the slider spectrum — up to date.

use std::time::Instant;

use burn::prelude::Device;

use super::commands::AppCommand;
use super::explorer::SpecaeApp;
use super::jobs::{self, JobOutput, Pick};
use super::panels::{Inspected, Synthetic};
use super::training::TrainingRun;
use crate::analysis::umap::place_by_neighbours;
use crate::model::evaluate::{decode_one, reconstruct_rows};
use crate::train::Command;

/// Latent neighbours listed in the inspector.
const NEIGHBOURS: usize = 20;

impl SpecaeApp {
    pub(super) fn apply_commands(&mut self) {
        let cmds = std::mem::take(&mut self.commands);
        for c in cmds {
            self.apply(c);
        }
        // Commands queued while applying (e.g. by a finished dialog) run next frame.
    }

    fn apply(&mut self, c: AppCommand) {
        match c {
            AppCommand::PickData => self.pick(Pick::Data),
            AppCommand::PickModel => self.pick(Pick::Model),
            AppCommand::PickExportDir => self.pick(Pick::ExportDir),
            AppCommand::OpenData(p) => self.open_data(p),
            AppCommand::OpenPaths(p) => self.open_paths(&p),
            AppCommand::Ingest(p) => self.ingest(p),
            AppCommand::OpenBuiltin => {
                self.pending_model = None;
                self.open_builtin();
            }
            AppCommand::OpenModel(p) => self.open_model(p),
            AppCommand::UseBuiltinModel => self.open_builtin_model(),
            AppCommand::SetColourBy(c) => self.state.colour_by = c,
            AppCommand::ToggleClass(k) => {
                if let Some(h) = self.state.hidden.get_mut(k) {
                    *h = !*h;
                }
            }
            AppCommand::Focus(i) => {
                if i < self.session.n() {
                    self.state.focus = Some(i);
                    self.inspected_key = None;
                    if let Some(ins) = &mut self.inspected {
                        ins.walk = None;
                    }
                }
            }
            AppCommand::SetSecond(i) => {
                if i < self.session.n() {
                    self.state.second = Some(i);
                }
            }
            AppCommand::Select(rows) => {
                let n = self.session.n();
                self.state.selection = rows.into_iter().filter(|&i| (i as usize) < n).collect();
                self.selection_residuals = None;
                self.selection_gen += 1;
                if let Some(&first) = self.state.selection.first()
                    && self.state.focus.is_none()
                {
                    self.state.focus = Some(first as usize);
                }
            }
            AppCommand::ClearSelection => {
                self.state.selection.clear();
                self.selection_residuals = None;
                self.selection_gen += 1;
            }
            AppCommand::StepNeighbour(d) => self.step_neighbour(d),
            AppCommand::SetSynthetic(z) => self.decode_synthetic(z),
            AppCommand::SyntheticFromFocus => {
                if let (Some(i), Some(l)) = (self.state.focus, &self.session.latents)
                    && i < l.z.nrows()
                {
                    let z = l.z.row(i).to_vec();
                    self.decode_synthetic(z);
                }
            }
            AppCommand::Interpolate(t) => {
                if let (Some(a), Some(b), Some(l)) =
                    (self.state.focus, self.state.second, &self.session.latents)
                    && a < l.z.nrows()
                    && b < l.z.nrows()
                {
                    let z =
                        l.z.row(a)
                            .iter()
                            .zip(l.z.row(b).iter())
                            .map(|(x, y)| x + (y - x) * t)
                            .collect();
                    self.decode_synthetic(z);
                }
            }
            AppCommand::ClearSynthetic => self.synthetic = None,
            AppCommand::StartTraining(settings) => self.start_training(settings),
            AppCommand::PauseTraining => self.training_command(Command::Pause),
            AppCommand::ResumeTraining => self.training_command(Command::Resume),
            AppCommand::ResumeTrainingOnCpu => self.resume_training_on_cpu(),
            AppCommand::StopTraining => self.training_command(Command::Stop),
            AppCommand::SaveTrainingNow => self.training_command(Command::SaveNow),
            AppCommand::SelectionResiduals => self.selection_residuals_task(),
            AppCommand::ExportFigure(view, format) => {
                self.state.export_format = format;
                self.export_figure(view, format);
            }
            AppCommand::ExportTable(t) => self.export_table(t),
            AppCommand::SetExportDir(p) => self.state.export_dir = Some(p),
            AppCommand::SetExportFormat(f) => self.state.export_format = f,
            AppCommand::Reveal(p) => {
                if let Err(e) = super::desktop::reveal_in_file_manager(&p) {
                    self.error(e);
                }
            }
            AppCommand::ShowPane(p) => super::tiles::bring_forward(&mut self.tiles, p),
            AppCommand::SetPaneShown(p, shown) => {
                super::tiles::set_shown(&mut self.tiles, p, shown)
            }
            AppCommand::ResetLayout => {
                self.tiles = super::tiles::default_tree(self.window_size);
            }
            AppCommand::CancelTask(name) => self.tasks.cancel(&name),
            AppCommand::DismissMessage(k) => {
                if k < self.messages.len() {
                    self.messages.remove(k);
                }
            }
        }
    }

    /// A native file dialog on its own thread (rfd must not block the UI).
    fn pick(&mut self, purpose: Pick) {
        if self.tasks.is_running("file dialog") {
            return;
        }
        self.tasks
            .spawn("file dialog", super::tasks::Scope::Any, move |_| {
                let d = rfd::FileDialog::new();
                let path = match purpose {
                    Pick::Data => d
                        .add_filter(
                            "survey (npz) or SDSS spectra (FITS)",
                            &["npz", "fits", "fit"],
                        )
                        .pick_file(),
                    Pick::Model => d
                        .add_filter("model (safetensors)", &["safetensors"])
                        .pick_file(),
                    Pick::ExportDir => d.pick_folder(),
                };
                JobOutput::Picked { purpose, path }
            });
    }

    /// Ingests FITS files/folders in the background into a new survey in the app's data
    /// folder (never over an earlier one), then opens it.
    fn ingest(&mut self, inputs: Vec<std::path::PathBuf>) {
        if inputs.is_empty() {
            return;
        }
        let stem = inputs[0]
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "ingested".into());
        let out = super::exports::free_path(&self.opts.ingest_dir, &stem, "npz");
        self.tasks
            .spawn("ingest", super::tasks::Scope::Any, move |cx| {
                jobs::ingest_into(&inputs, &out, cx)
            });
    }

    fn training_command(&mut self, c: Command) {
        if let Some(t) = &self.training {
            t.send(c);
        }
    }

    fn start_training(&mut self, settings: super::state::TrainSettings) {
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
        let wake = self.setup_for.clone().map(|ctx| {
            std::sync::Arc::new(move || ctx.request_repaint()) as crate::train::worker::Wake
        });
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
    fn resume_training_on_cpu(&mut self) {
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
        let settings = super::state::TrainSettings {
            backend: crate::train::backend::BackendChoice::Cpu,
            fail_at_step: None,
            ..run.settings.clone()
        };
        let (out, history) = (run.out_dir.clone(), run.history.clone());
        let wake = self.setup_for.clone().map(|ctx| {
            std::sync::Arc::new(move || ctx.request_repaint()) as crate::train::worker::Wake
        });
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

    fn selection_residuals_task(&mut self) {
        let (Some(d), Some(m), Some(a)) = (
            &self.session.data,
            &self.session.model,
            &self.session.analysis,
        ) else {
            return;
        };
        if self.state.selection.is_empty() {
            return;
        }
        let (s, model, rows) = (
            d.spectra.clone(),
            m.model.clone(),
            self.state.selection.clone(),
        );
        let range = a.residuals.vs_wavelength.y_range();
        let (scope, gen_) = (self.session.model_scope(), self.selection_gen);
        self.tasks.spawn("residuals", scope, move |cx| {
            jobs::selection_residuals(&model, &s, (&rows, gen_), range, cx)
        });
    }

    fn step_neighbour(&mut self, d: i32) {
        let Some(ins) = &mut self.inspected else {
            return;
        };
        if ins.neighbours.is_empty() {
            return;
        }
        let pos = ins.walk.map(|w| w as i32).unwrap_or(-1) + d;
        if pos < 0 {
            ins.walk = None;
            self.state.focus = Some(ins.anchor);
        } else {
            let p = (pos as usize).min(ins.neighbours.len() - 1);
            ins.walk = Some(p);
            self.state.focus = Some(ins.neighbours[p]);
        }
    }

    /// Decodes `z` on the UI thread (well under a millisecond for one vector on the CPU) so
    /// the spectrum redraws in the next frame, and places it in the UMAP.
    pub(super) fn decode_synthetic(&mut self, z: Vec<f32>) {
        let Some(m) = &self.session.model else { return };
        if z.len() != m.latent_dim || z.iter().any(|v| !v.is_finite()) {
            return;
        }
        let t0 = Instant::now();
        let spectrum = decode_one(&m.model, &z, &Device::flex());
        let decode_us = t0.elapsed().as_secs_f64() * 1e6;
        let umap_pos = match (&self.session.latents, &self.session.analysis) {
            (Some(l), Some(a)) if l.z.nrows() == a.embedding.nrows() => {
                place_by_neighbours(&l.index, a.embedding.view(), &z, 10)
            }
            _ => None,
        };
        self.synthetic = Some(Synthetic {
            z,
            spectrum,
            umap_pos,
            decode_us,
        });
    }

    /// Recomputes the inspected galaxy's reconstructions and neighbours when it changes.
    pub(super) fn update_inspected(&mut self) {
        let Some(i) = self.state.focus.filter(|&i| i < self.session.n()) else {
            self.inspected = None;
            self.inspected_key = None;
            return;
        };
        let key = (
            i,
            self.session.model_gen,
            self.session.latents_gen,
            self.session.analysis_gen,
        );
        if self.inspected_key == Some(key) {
            return;
        }
        self.inspected_key = Some(key);
        let (Some(d), Some(m)) = (&self.session.data, &self.session.model) else {
            self.inspected = Some(Inspected {
                index: i,
                anchor: i,
                ..Default::default()
            });
            return;
        };
        let s = &d.spectra;
        let xhat = reconstruct_rows(&m.model, s.x.view(), &[i as u32], &Device::flex())
            .row(0)
            .to_vec();
        let pca = self
            .session
            .analysis
            .as_ref()
            .filter(|a| a.pca.mean.len() == s.n_bins())
            .map(|a| a.pca.reconstruct(s.x.row(i)));
        // Walking keeps the anchor's neighbour list; a new focus starts a new walk.
        let walking = self
            .inspected
            .as_ref()
            .filter(|p| p.walk.is_some() && p.neighbours.contains(&i))
            .map(|p| (p.anchor, p.neighbours.clone(), p.walk));
        let (anchor, neighbours, walk) = match walking {
            Some(w) => w,
            None => {
                let nn = self
                    .session
                    .latents
                    .as_ref()
                    .filter(|l| i < l.z.nrows())
                    .map(|l| {
                        let q = l.z.row(i).to_vec();
                        l.index
                            .nearest(&q, NEIGHBOURS + 1)
                            .into_iter()
                            .map(|(j, _)| j as usize)
                            .filter(|&j| j != i)
                            .take(NEIGHBOURS)
                            .collect()
                    })
                    .unwrap_or_default();
                (i, nn, None)
            }
        };
        let outlier_rank = self
            .session
            .analysis
            .as_ref()
            .and_then(|a| a.outliers.iter().position(|r| r.index == i))
            .map(|k| k + 1);
        let validation = m.split.valid.contains(&(i as u32));
        self.inspected = Some(Inspected {
            index: i,
            xhat,
            pca,
            neighbours,
            walk,
            anchor,
            outlier_rank,
            validation,
        });
    }
}
