//! The frame around the panels: menu bar (files, view toggles), a path field for opening
//! files without a dialog, and the status bar (running tasks with progress, messages).

use eframe::egui::{self, Color32};

use super::commands::AppCommand;
use super::explorer::Message;
use super::panels::PanelCx;
use super::state::CentreViews;

/// Open data (dialog), open a model (dialog), back to the built-in survey: in the File menu
/// and the Data panel.
pub fn open_buttons_ui(ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
    if ui.button("Open data…").clicked() {
        cx.send(AppCommand::PickData);
    }
    if ui.button("Open model…").clicked() {
        cx.send(AppCommand::PickModel);
    }
    if ui.button("Built-in survey").clicked() {
        cx.send(AppCommand::OpenBuiltin);
    }
}

pub fn top_bar_ui(ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| open_buttons_ui(ui, cx));
        ui.menu_button("View", |ui| {
            let l = cx.state.layout.clone();
            let (mut left, mut right, mut bottom, mut centre) =
                (l.left, l.right, l.bottom, l.centre);
            ui.checkbox(&mut left, "Data, model and training (left)");
            ui.checkbox(&mut right, "Inspector and sliders (right)");
            ui.checkbox(&mut bottom, "Outliers, residuals, export (bottom)");
            ui.separator();
            ui.radio_value(&mut centre, CentreViews::Both, "UMAP and corner plot");
            ui.radio_value(&mut centre, CentreViews::Umap, "UMAP only");
            ui.radio_value(&mut centre, CentreViews::Corner, "Corner plot only");
            if (left, right, bottom, centre) != (l.left, l.right, l.bottom, l.centre) {
                cx.send(AppCommand::SetLayout {
                    left,
                    right,
                    bottom,
                    centre,
                });
            }
        });
        ui.separator();
        let s = cx.session;
        if let Some(d) = &s.data {
            ui.label(&d.label);
        }
        if let Some(m) = &s.model {
            ui.label(format!("· {}", m.label));
        }
        if !cx.state.selection.is_empty() {
            ui.separator();
            ui.label(format!("{} selected", cx.state.selection.len()));
            if ui.small_button("Clear selection").clicked() {
                cx.send(AppCommand::ClearSelection);
            }
        }
    });
}

pub fn status_bar_ui(ui: &mut egui::Ui, cx: &mut PanelCx<'_>, messages: &[Message]) {
    for t in cx.tasks.running() {
        let p = t.progress();
        ui.horizontal(|ui| {
            ui.spinner();
            let text = format!(
                "{}: {} ({:.0} s)",
                t.name,
                p.stage,
                t.started.elapsed().as_secs_f64()
            );
            if let Some(f) = p.fraction() {
                ui.add(
                    egui::ProgressBar::new(f)
                        .desired_width(260.0)
                        .text(format!("{:.0}%", f * 100.0)),
                );
            }
            ui.label(text);
            if ui.small_button("Cancel").clicked() {
                cx.send(AppCommand::CancelTask(t.name.clone()));
            }
        });
    }
    for (k, m) in messages.iter().enumerate().rev().take(4) {
        ui.horizontal(|ui| {
            if m.error {
                ui.colored_label(Color32::from_rgb(255, 110, 110), format!("⚠ {}", m.text));
                if ui.small_button("Dismiss").clicked() {
                    cx.send(AppCommand::DismissMessage(k));
                }
            } else {
                ui.label(egui::RichText::new(&m.text).weak());
            }
        });
    }
    if cx.tasks.running().is_empty() && messages.is_empty() {
        ui.label(egui::RichText::new("ready").weak());
    }
}

/// A path field: open a survey (.npz), a model (.safetensors) or SDSS FITS files / a folder of
/// them by typing or pasting a path (`~` expands; quotes and `file://` URLs are understood; a
/// file copied in Finder or Explorer pastes as its path).
pub fn path_input_ui(ui: &mut egui::Ui, cx: &mut PanelCx<'_>, text: &mut String) {
    ui.horizontal(|ui| {
        let r = ui.add(
            egui::TextEdit::singleline(text)
                .hint_text("path to a survey, model or FITS folder")
                .desired_width(200.0),
        );
        // A copied file puts only its name on the clipboard as text; its path is in the
        // clipboard's file list.
        let pasted = r.has_focus()
            && ui.input(|i| i.events.iter().any(|e| matches!(e, egui::Event::Paste(_))));
        if pasted && let Some(p) = super::desktop::clipboard_files().into_iter().next() {
            *text = p.display().to_string();
        }
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Open path").clicked() || enter)
            && let Some(p) = super::desktop::path_from_text(text)
        {
            cx.send(AppCommand::OpenPaths(vec![p]));
        }
    });
}
