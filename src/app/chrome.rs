//! The frame around the panels: the menu bar (files, view toggles, a path field for opening
//! files without a dialog) and the status bar (running tasks with progress and Cancel, the
//! message line).

use std::time::Duration;

use eframe::egui::{self, Color32};

use super::commands::{AppCommand, UiCommand};
use super::messages::{Level, Message};
use super::pane::Pane;
use super::panels::panel::PanelCx;
use super::panels::widgets::open_buttons_ui;
use super::tiles::is_shown;

/// Tasks shorter than this never show in the status bar (binning the corner plot, a file
/// dialog's first frame): a line that flickers for one frame says nothing.
const SHOW_TASKS_AFTER: Duration = Duration::from_millis(300);

pub fn top_bar_ui(
    ui: &mut egui::Ui,
    cx: &mut PanelCx<'_>,
    tiles: &egui_tiles::Tree<Pane>,
    path_input: &mut String,
) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| open_buttons_ui(ui, cx));
        ui.menu_button("View", |ui| {
            for pane in Pane::ALL {
                let mut shown = is_shown(tiles, pane);
                if ui.checkbox(&mut shown, pane.title()).changed() {
                    cx.send(UiCommand::SetPaneShown(pane, shown));
                }
            }
            ui.separator();
            if ui
                .button("Reset layout")
                .on_hover_text("the default layout for this window's size")
                .clicked()
            {
                cx.send(UiCommand::ResetLayout);
                ui.close();
            }
            ui.label(
                egui::RichText::new("drag a tab to move, split or stack a panel")
                    .small()
                    .weak(),
            );
        });
        ui.separator();
        path_input_ui(ui, cx, path_input);
        ui.separator();
        let s = cx.session;
        if let Some(d) = &s.data {
            ui.label(&d.label);
        }
        if let Some(m) = &s.model {
            ui.add(egui::Label::new(format!("· {}", m.label)).truncate())
                .on_hover_text(&m.label);
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

/// One line, so the views keep the height: the first running task (progress, Cancel; the
/// others on hover), then the newest warning or error (Dismiss) or else the newest message
/// (the earlier ones on hover).
pub fn status_bar_ui(ui: &mut egui::Ui, cx: &mut PanelCx<'_>, messages: &[Message]) {
    ui.horizontal(|ui| {
        let shown: Vec<_> = cx
            .tasks
            .iter()
            .filter(|t| t.started.elapsed() >= SHOW_TASKS_AFTER)
            .collect();
        if let Some(t) = shown.first() {
            let p = t.progress.snapshot();
            ui.spinner();
            if let Some(f) = p.fraction() {
                ui.add(
                    egui::ProgressBar::new(f)
                        .desired_width(180.0)
                        .text(format!("{:.0}%", f * 100.0)),
                );
            }
            ui.label(format!(
                "{}: {} ({:.0} s)",
                t.name,
                p.stage,
                t.started.elapsed().as_secs_f64()
            ));
            if ui.small_button("Cancel").clicked() {
                cx.send(AppCommand::CancelTask(t.id));
            }
            if shown.len() > 1 {
                let others: Vec<String> = shown[1..]
                    .iter()
                    .map(|t| format!("{}: {}", t.name, t.progress.snapshot().stage))
                    .collect();
                ui.label(egui::RichText::new(format!("+{} more", others.len())).weak())
                    .on_hover_text(others.join("\n"));
            }
            ui.separator();
        }
        let newest_sticky = messages.iter().enumerate().rev().find(|(_, m)| m.sticks());
        let earlier = |skip: usize| -> String {
            messages
                .iter()
                .enumerate()
                .rev()
                .filter(|(k, _)| *k != skip)
                .take(10)
                .map(|(_, m)| m.text.clone())
                .collect::<Vec<_>>()
                .join("\n")
        };
        match (newest_sticky, messages.last()) {
            (Some((k, m)), _) => {
                if ui.small_button("Dismiss").clicked() {
                    cx.send(UiCommand::DismissMessage(k));
                }
                let colour = if m.level == Level::Error {
                    Color32::from_rgb(255, 110, 110)
                } else {
                    Color32::from_rgb(240, 200, 80)
                };
                ui.colored_label(colour, format!("⚠ {}", m.text))
                    .on_hover_text(earlier(k));
            }
            (None, Some(m)) => {
                ui.label(egui::RichText::new(&m.text).weak())
                    .on_hover_text(earlier(messages.len() - 1));
            }
            (None, None) if shown.is_empty() => {
                ui.label(egui::RichText::new("ready").weak());
            }
            (None, None) => {}
        }
    });
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
