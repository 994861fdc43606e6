//! Training: hyper-parameters, start / pause / resume / stop / save now, the backend in use,
//! epoch progress with ETA and live loss curves (log y, LR drops marked).

use eframe::egui;

use super::loss_plot::loss_plot_ui;
use super::panel::{Panel, PanelCx, REVEAL_LABEL};
use super::widgets::{fmt_duration, path_label_ui};
use crate::app::commands::AppCommand;
use crate::app::persisted::TrainSettings;
use crate::app::training::RunStatus;
use crate::model::ModelKind;
use crate::train::backend::BackendChoice;

#[derive(Default)]
pub struct TrainingPanel {
    draft: Option<TrainSettings>,
    /// The loss plot's screen rectangle and bounds (x0, x1, y0, y1) last frame (tests).
    pub loss_plot: Option<(egui::Rect, [f64; 4])>,
}

impl Panel for TrainingPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        let draft = self.draft.get_or_insert_with(|| cx.state.train.clone());
        let active = cx.training.is_some_and(|t| t.is_active());
        ui.add_enabled_ui(!active, |ui| {
            egui::Grid::new("train-settings")
                .num_columns(2)
                .show(ui, |ui| {
                    ui.label("batch size");
                    ui.add(egui::DragValue::new(&mut draft.batch).range(1..=8192));
                    ui.end_row();
                    ui.label("learning rate");
                    ui.add(
                        egui::DragValue::new(&mut draft.lr)
                            .range(1e-6..=1.0)
                            .speed(1e-4)
                            .max_decimals(6),
                    );
                    ui.end_row();
                    ui.label("max epochs");
                    ui.add(egui::DragValue::new(&mut draft.max_epochs).range(1..=10000));
                    ui.end_row();
                    ui.label("latent dimension");
                    ui.add(egui::DragValue::new(&mut draft.latent).range(1..=12));
                    ui.end_row();
                    ui.label("model");
                    egui::ComboBox::from_id_salt("model-kind")
                        .selected_text(draft.model.label())
                        .show_ui(ui, |ui| {
                            for k in [ModelKind::Ae, ModelKind::Vae, ModelKind::InfoVae] {
                                ui.selectable_value(&mut draft.model, k, k.label());
                            }
                        })
                        .response
                        .on_hover_text(
                            "ae: the paper's autoencoder; vae and infovae: Portillo et al.'s \
                             variational models (KL; KL + MMD)",
                        );
                    ui.end_row();
                    if draft.model == ModelKind::InfoVae {
                        ui.label("InfoVAE λ");
                        ui.add(
                            egui::DragValue::new(&mut draft.lambda)
                                .range(1.0..=1e6)
                                .speed(10.0),
                        )
                        .on_hover_text("the MMD term's weight is λ − 1 (α = 0)");
                        ui.end_row();
                    }
                    ui.label("backend");
                    egui::ComboBox::from_id_salt("backend")
                        .selected_text(format!("{:?}", draft.backend).to_lowercase())
                        .show_ui(ui, |ui| {
                            // Builds without GPU support offer no wgpu choice, builds
                            // without the CUDA engine no cuda.
                            let choices = [
                                (true, BackendChoice::Auto),
                                (cfg!(feature = "gpu"), BackendChoice::Wgpu),
                                (cfg!(feature = "gpu-cuda"), BackendChoice::Cuda),
                                (true, BackendChoice::Cpu),
                            ];
                            for b in choices.into_iter().filter(|c| c.0).map(|c| c.1) {
                                ui.selectable_value(
                                    &mut draft.backend,
                                    b,
                                    format!("{b:?}").to_lowercase(),
                                );
                            }
                        })
                        .response
                        .on_hover_text(
                            "the engine that trains: auto times this build's GPU engines against \
                             the native CPU engine once per machine and takes the fastest",
                        );
                    ui.end_row();
                });
        });
        ui.horizontal(|ui| {
            let has_data = cx.session.data.is_some();
            if ui
                .add_enabled(!active && has_data, egui::Button::new("Start training"))
                .clicked()
            {
                cx.send(AppCommand::StartTraining(draft.clone()));
            }
            let status = cx.training.map(|t| t.status.clone());
            let running = matches!(status, Some(RunStatus::Running) | Some(RunStatus::Starting));
            if running && ui.button("Pause").clicked() {
                cx.send(AppCommand::PauseTraining);
            }
            if status == Some(RunStatus::Paused) && ui.button("Resume").clicked() {
                cx.send(AppCommand::ResumeTraining);
            }
            if ui.add_enabled(active, egui::Button::new("Stop")).clicked() {
                cx.send(AppCommand::StopTraining);
            }
            if ui
                .add_enabled(active, egui::Button::new("Save now"))
                .clicked()
            {
                cx.send(AppCommand::SaveTrainingNow);
            }
        });
        self.loss_plot = None;
        let Some(run) = cx.training else {
            ui.add(
                egui::Label::new(
                    egui::RichText::new("Not training. The views show the open model.").weak(),
                )
                .wrap(),
            );
            return;
        };
        let wrapped = |ui: &mut egui::Ui, text: String| {
            ui.add(egui::Label::new(text).wrap());
        };
        if run.backend_reason.is_empty() {
            wrapped(ui, format!("backend: {}", run.backend));
        } else {
            wrapped(
                ui,
                format!("backend: {} ({})", run.backend, run.backend_reason),
            );
        }
        ui.horizontal(|ui| {
            if ui.small_button(REVEAL_LABEL).clicked() {
                cx.send(AppCommand::Reveal(run.out_dir.clone()));
            }
            path_label_ui(ui, "checkpoints: ", &run.out_dir, true);
        });
        if run.data_gen != cx.session.data_gen {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!(
                        "trains on {} (not the data open now)",
                        run.data_label
                    ))
                    .color(egui::Color32::YELLOW),
                )
                .wrap(),
            );
        }
        match &run.status {
            RunStatus::Starting => {
                ui.horizontal_top(|ui| {
                    ui.spinner();
                    ui.add(
                        egui::Label::new(if run.settings.backend == BackendChoice::Auto {
                            "starting… (the first run of a batch size on this machine times \
                             the GPU and the CPU, about two seconds each, and takes the faster)"
                        } else {
                            "starting…"
                        })
                        .wrap(),
                    );
                });
            }
            RunStatus::Running | RunStatus::Paused => {
                if let Some(p) = &run.progress {
                    let frac = p.batch as f32 / p.n_batches.max(1) as f32;
                    let eta = run.epoch_eta().map(fmt_duration).unwrap_or_default();
                    // The bar holds only what fits any width; the details wrap below it.
                    ui.add(egui::ProgressBar::new(frac).text(format!(
                        "epoch {} · {:.0}%",
                        p.epoch,
                        frac * 100.0
                    )));
                    wrapped(
                        ui,
                        format!(
                            "batch {}/{} · {:.0} spectra/s · {eta} left in this epoch",
                            p.batch, p.n_batches, p.samples_per_s
                        ),
                    );
                }
                if let Some(eta) = run.eta() {
                    wrapped(
                        ui,
                        format!(
                            "at most {} to the {}-epoch cap (early stopping usually ends sooner)",
                            fmt_duration(eta),
                            run.settings.max_epochs
                        ),
                    );
                }
                if run.status == RunStatus::Paused {
                    ui.colored_label(egui::Color32::YELLOW, "paused");
                }
            }
            RunStatus::Finished(s) => wrapped(ui, s.clone()),
            RunStatus::Failed(e) => {
                ui.add(
                    egui::Label::new(egui::RichText::new(e).color(egui::Color32::LIGHT_RED)).wrap(),
                );
                if run.resume_from.is_some() && ui.button("Resume on the CPU").clicked() {
                    cx.send(AppCommand::ResumeTrainingOnCpu);
                }
            }
        }
        let r = loss_plot_ui(ui, &run.history);
        let b = r.transform.bounds();
        self.loss_plot = Some((
            r.response.rect,
            [b.min()[0], b.max()[0], b.min()[1], b.max()[1]],
        ));
    }
}
