//! Data and model: open files (dialogs off the UI thread), what is open, the class legend
//! with visibility toggles, and the colour-by selector.

use crate::app::builtin_model::Builtin;
use eframe::egui;

use super::fidelity::fidelity_ui;
use super::panel::{Panel, PanelCx};
use super::widgets::open_buttons_ui;
use crate::app::colouring::{Legend, class_colour32, viridis32};
use crate::app::commands::AppCommand;
use crate::app::persisted::ColourBy;
use crate::data::GalaxyClass;
use crate::data::grid::LogGrid;

#[derive(Default)]
pub struct DataModelPanel;

impl Panel for DataModelPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        ui.horizontal_wrapped(|ui| open_buttons_ui(ui, cx));
        if !cx.state.recent.is_empty() {
            egui::ComboBox::from_id_salt("recent-files")
                .selected_text("Recent files")
                .show_ui(ui, |ui| {
                    for p in cx.state.recent.clone() {
                        let is_model = p.extension().is_some_and(|e| e == "safetensors");
                        if ui
                            .selectable_label(false, p.display().to_string())
                            .clicked()
                        {
                            cx.send(if is_model {
                                AppCommand::OpenModel(p)
                            } else {
                                AppCommand::OpenData(p)
                            });
                        }
                    }
                })
                .response
                .on_hover_text("recently opened surveys and models");
        }
        ui.separator();
        let s = cx.session;
        match &s.data {
            Some(d) => {
                ui.add(egui::Label::new(egui::RichText::new(&d.label).strong()).truncate())
                    .on_hover_text(d.path.display().to_string());
                ui.label(format!(
                    "{} spectra × {} bins, {:.0}–{:.0} Å",
                    d.n(),
                    d.spectra.n_bins(),
                    d.wavelengths.first().copied().unwrap_or(0.0),
                    d.wavelengths.last().copied().unwrap_or(0.0)
                ))
                .on_hover_text(d.path.display().to_string());
            }
            None => {
                ui.label("no data yet");
            }
        }
        match &s.model {
            Some(m) => {
                ui.add(egui::Label::new(format!("model: {}", m.label)).truncate())
                    .on_hover_text(&m.label);
                ui.label(format!(
                    "latent dimension {}; split {} train / {} validation",
                    m.latent_dim,
                    m.split.train.len(),
                    m.split.valid.len()
                ));
                builtin_buttons_ui(ui, cx, Some(&m.label));
                if let Some(j) = &m.fidelity {
                    fidelity_ui(ui, cx, j, m.fidelity_fitted.as_deref());
                }
            }
            None if s.data.is_some() => {
                ui.label("model: none — use a built-in one, open one or train one below");
                builtin_buttons_ui(ui, cx, None);
            }
            None => {
                ui.label("model: none — open one or train one below");
            }
        }
        if let Some(l) = &s.latents
            && let Some(epoch) = l.from_training
        {
            ui.colored_label(
                egui::Color32::LIGHT_BLUE,
                format!("views show the training checkpoint of epoch {epoch}"),
            );
        }
        if let Some(note) = &s.analysis_note {
            ui.add(egui::Label::new(egui::RichText::new(note).small().weak()).wrap());
        }
        ui.separator();
        ui.label(egui::RichText::new("Classes").strong());
        let counts = s.data.as_ref().map(|d| d.class_counts).unwrap_or_default();
        for c in GalaxyClass::ALL {
            let k = c.index();
            let mut shown = !cx.state.hidden[k];
            ui.horizontal(|ui| {
                let (r, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
                ui.painter().rect_filled(r, 2.0, class_colour32(c));
                if ui
                    .checkbox(&mut shown, format!("{} ({})", c.label(), counts[k]))
                    .changed()
                {
                    cx.send(AppCommand::ToggleClass(k));
                }
            });
        }
        ui.separator();
        ui.label(egui::RichText::new("Colour by").strong());
        let mut choices = vec![
            ColourBy::Class,
            ColourBy::Redshift,
            ColourBy::Snr,
            ColourBy::OutlierScore,
            ColourBy::Chi2,
            ColourBy::NiiHa,
        ];
        let k = s.latents.as_ref().map(|l| l.z.ncols()).unwrap_or(0);
        choices.extend((0..k).map(ColourBy::Latent));
        if s.latents.as_ref().is_some_and(|l| l.sigma.is_some()) {
            choices.push(ColourBy::PosteriorSigma);
        }
        if s.book().is_some() {
            choices.push(ColourBy::Label);
            choices.push(ColourBy::Learned);
        }
        let current = cx.state.colour_by;
        egui::ComboBox::from_id_salt("colour-by")
            .selected_text(current.label())
            .show_ui(ui, |ui| {
                for c in choices {
                    if ui.selectable_label(c == current, c.label()).clicked() {
                        cx.send(AppCommand::SetColourBy(c));
                    }
                }
            })
            .response
            .on_hover_text("what colours the points of the UMAP and the corner plot");
        match &cx.views.colours.legend {
            Legend::Numeric { lo, hi, .. } => colour_bar_ui(ui, *lo, *hi),
            Legend::Missing(why) => {
                ui.colored_label(egui::Color32::YELLOW, why);
            }
            Legend::Classes => {}
        }
    }
}

/// "Use the built-in model" and "Use the built-in VAE", for data on the paper's grid (what
/// they take), except the one open (`open`: the open model's label).
fn builtin_buttons_ui(ui: &mut egui::Ui, cx: &mut PanelCx<'_>, open: Option<&str>) {
    let fits = cx
        .session
        .data
        .as_ref()
        .is_some_and(|d| d.spectra.grid().same_as(&LogGrid::STANDARD));
    if !fits {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        for (which, text) in [
            (Builtin::Ae, "Use the built-in model"),
            (Builtin::Vae, "Use the built-in VAE"),
        ] {
            if open != Some(which.label())
                && ui
                    .small_button(text)
                    .on_hover_text(
                        "the model shipped with specae, trained on the built-in survey; on \
                         other spectra it shows how well it fits them",
                    )
                    .clicked()
            {
                cx.send(AppCommand::UseBuiltinModel(which));
            }
        }
    });
}

/// A horizontal viridis bar with its end values.
fn colour_bar_ui(ui: &mut egui::Ui, lo: f64, hi: f64) {
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width().min(220.0), 10.0),
        egui::Sense::hover(),
    );
    let n = 32;
    for i in 0..n {
        let x0 = rect.left() + rect.width() * i as f32 / n as f32;
        let x1 = rect.left() + rect.width() * (i + 1) as f32 / n as f32;
        let r = egui::Rect::from_min_max(egui::pos2(x0, rect.top()), egui::pos2(x1, rect.bottom()));
        ui.painter()
            .rect_filled(r, 0.0, viridis32(i as f64 / (n - 1) as f64));
    }
    ui.horizontal(|ui| {
        ui.label(format!("{lo:.3}"));
        ui.add_space((rect.width() - 90.0).max(0.0));
        ui.label(format!("{hi:.3}"));
    });
}
