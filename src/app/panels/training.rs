//! Training: hyper-parameters, start / pause / resume / stop / save now, the backend in use,
//! epoch progress with ETA and live loss curves (log y, LR drops marked).

use eframe::egui;
use egui_plot::{Legend, Line, LineStyle, Plot, PlotPoints, Points, VLine};

use super::{Panel, PanelCx};
use crate::app::commands::AppCommand;
use crate::app::state::TrainSettings;
use crate::app::training::RunStatus;
use crate::train::backend::BackendChoice;
use crate::train::trainer::EpochRecord;

#[derive(Default)]
pub struct TrainingPanel {
    draft: Option<TrainSettings>,
    /// The loss plot's screen rectangle and bounds (x0, x1, y0, y1) last frame (tests).
    pub loss_plot: Option<(egui::Rect, [f64; 4])>,
}

fn fmt_duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
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
                    ui.label("backend");
                    egui::ComboBox::from_id_salt("backend")
                        .selected_text(format!("{:?}", draft.backend).to_lowercase())
                        .show_ui(ui, |ui| {
                            // Builds without GPU support offer no wgpu choice.
                            let choices: &[BackendChoice] = if cfg!(feature = "gpu") {
                                &[BackendChoice::Auto, BackendChoice::Wgpu, BackendChoice::Cpu]
                            } else {
                                &[BackendChoice::Auto, BackendChoice::Cpu]
                            };
                            for &b in choices {
                                ui.selectable_value(
                                    &mut draft.backend,
                                    b,
                                    format!("{b:?}").to_lowercase(),
                                );
                            }
                        });
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
            ui.label(egui::RichText::new("Not training. The views show the open model.").weak());
            return;
        };
        if run.backend_reason.is_empty() {
            ui.label(format!("backend: {}", run.backend));
        } else {
            ui.label(format!("backend: {} ({})", run.backend, run.backend_reason));
        }
        ui.horizontal(|ui| {
            ui.label(
                egui::RichText::new(format!("checkpoints: {}", run.out_dir.display())).small(),
            );
            if ui.small_button(super::REVEAL_LABEL).clicked() {
                cx.send(AppCommand::Reveal(run.out_dir.clone()));
            }
        });
        if run.data_gen != cx.session.data_gen {
            ui.colored_label(
                egui::Color32::YELLOW,
                format!("trains on {} (not the data open now)", run.data_label),
            );
        }
        match &run.status {
            RunStatus::Starting => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(if run.settings.backend == BackendChoice::Auto {
                        "starting… (the first run of a batch size on this machine times the GPU \
                         and the CPU for a few seconds and takes the faster)"
                    } else {
                        "starting…"
                    });
                });
            }
            RunStatus::Running | RunStatus::Paused => {
                if let Some(p) = &run.progress {
                    let frac = p.batch as f32 / p.n_batches.max(1) as f32;
                    let eta = run.epoch_eta().map(fmt_duration).unwrap_or_default();
                    ui.add(egui::ProgressBar::new(frac).text(format!(
                        "epoch {} — batch {}/{} — {:.0} spectra/s — {eta} left in epoch",
                        p.epoch, p.batch, p.n_batches, p.samples_per_s
                    )));
                }
                if let Some(eta) = run.eta() {
                    ui.label(format!(
                        "at most {} to the {}-epoch cap (early stopping usually ends sooner)",
                        fmt_duration(eta),
                        run.settings.max_epochs
                    ));
                }
                if run.status == RunStatus::Paused {
                    ui.colored_label(egui::Color32::YELLOW, "paused");
                }
            }
            RunStatus::Finished(s) => {
                ui.label(s);
            }
            RunStatus::Failed(e) => {
                ui.colored_label(egui::Color32::LIGHT_RED, e);
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

/// Train and validation loss per epoch on a log axis, LR drops dashed, best epoch circled.
/// The scroll wheel scrolls the column it sits in; Cmd/Ctrl-scroll zooms.
pub fn loss_plot_ui(ui: &mut egui::Ui, history: &[EpochRecord]) -> egui_plot::PlotResponse<()> {
    let pts = |f: &dyn Fn(&EpochRecord) -> f64| -> PlotPoints<'static> {
        history
            .iter()
            .filter(|r| f(r) > 0.0 && f(r).is_finite())
            .map(|r| [r.epoch as f64, f(r).log10()])
            .collect()
    };
    let best = history
        .iter()
        .filter(|r| r.valid_loss.is_finite())
        .min_by(|a, b| a.valid_loss.total_cmp(&b.valid_loss));
    if let Some(last) = history.last() {
        ui.label(format!(
            "epoch {}: train {:.2}, validation {:.2}, lr {:.0e}{}",
            last.epoch,
            last.train_loss,
            last.valid_loss,
            last.lr,
            best.map(|b| format!("; best {:.2} (epoch {})", b.valid_loss, b.epoch))
                .unwrap_or_default()
        ));
    }
    Plot::new("loss-curves")
        .allow_scroll(false)
        .height(180.0)
        .legend(Legend::default())
        .x_axis_label("epoch")
        .y_axis_label("loss")
        .y_axis_formatter(|m, _| format!("{:.0}", 10f64.powf(m.value)))
        .label_formatter(|h| {
            let p = match h {
                egui_plot::HoverPosition::NearDataPoint { position, .. } => position,
                egui_plot::HoverPosition::Elsewhere { position } => position,
            };
            Some(format!("epoch {:.0}\nloss {:.1}", p.x, 10f64.powf(p.y)))
        })
        .show(ui, |plot_ui| {
            plot_ui.line(Line::new("train", pts(&|r| r.train_loss)).width(1.5));
            plot_ui.line(Line::new("validation", pts(&|r| r.valid_loss)).width(1.5));
            for r in history.iter().filter(|r| r.lr_dropped) {
                plot_ui.vline(
                    VLine::new("LR ÷10", r.epoch as f64)
                        .style(LineStyle::dashed_loose())
                        .color(egui::Color32::GRAY),
                );
            }
            if let Some(b) = best {
                plot_ui.points(
                    Points::new("best", vec![[b.epoch as f64, b.valid_loss.log10()]])
                        .radius(5.0)
                        .filled(false),
                );
            }
        })
}
