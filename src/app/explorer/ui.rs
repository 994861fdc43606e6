//! Drawing a frame: the menu bar, the status bar and the tiles, then the panels' commands.

use eframe::egui;

use super::SpecaeApp;
use crate::app::chrome::{status_bar_ui, top_bar_ui};
use crate::app::commands::AppCommand;
use crate::app::panels::panel::PanelCx;
use crate::app::tiles::Behavior;
use crate::triage::Tag;

impl SpecaeApp {
    /// Lays out the panels and applies their commands.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        self.layout.fit_to(ui.ctx().content_rect().size());
        self.keys(ui);
        let mut cx = PanelCx::new(
            &self.session,
            &self.state,
            &self.derived.views,
            self.training.as_ref(),
            self.tasks.running(),
            self.last_export.as_ref(),
            &mut self.commands,
        );
        let layout = &mut self.layout;
        egui::Panel::top("menu-bar").show(ui, |ui| {
            top_bar_ui(ui, &mut cx, &layout.tiles, &mut self.path_input);
        });
        egui::Panel::bottom("status-bar").show(ui, |ui| {
            status_bar_ui(ui, &mut cx, self.messages.all());
        });
        egui::CentralPanel::default()
            .frame(egui::Frame::new().inner_margin(2.0))
            .show(ui, |ui| {
                let mut behavior = Behavior {
                    panels: &mut self.panels,
                    cx: &mut cx,
                    scrolled: &mut layout.scrolled,
                };
                layout.tiles.ui(&mut behavior, ui);
            });
        self.apply_commands();
        if self.state.tiles.as_ref() != Some(&self.layout.tiles) {
            self.state.tiles = Some(self.layout.tiles.clone());
        }
    }

    /// ← / → walk the inspected galaxy's latent neighbours; 0–5 score it, the tags' letters
    /// tag it, Delete clears its label, N inspects the next candidate (unless a text field has
    /// focus).
    fn keys(&mut self, ui: &egui::Ui) {
        if ui.ctx().memory(|m| m.focused().is_some()) {
            return;
        }
        use egui::Key;
        const DIGITS: [Key; 6] = [
            Key::Num0,
            Key::Num1,
            Key::Num2,
            Key::Num3,
            Key::Num4,
            Key::Num5,
        ];
        let mut label_cmds = vec![];
        ui.input(|i| {
            if i.modifiers.command || i.modifiers.alt {
                return;
            }
            for (d, k) in DIGITS.into_iter().enumerate() {
                if i.key_pressed(k) {
                    label_cmds.push(AppCommand::SetInterest(Some(d as u8)));
                }
            }
            for tag in Tag::ALL {
                if Key::from_name(&tag.key().to_string()).is_some_and(|k| i.key_pressed(k)) {
                    label_cmds.push(AppCommand::ToggleTag(tag));
                }
            }
            if i.key_pressed(Key::Delete) || i.key_pressed(Key::Backspace) {
                label_cmds.push(AppCommand::ClearLabel);
            }
            if i.key_pressed(Key::N) {
                label_cmds.push(AppCommand::NextCandidate);
            }
        });
        for c in label_cmds {
            self.send(c);
        }
        let (right, left) = ui.input(|i| {
            (
                i.key_pressed(egui::Key::ArrowRight),
                i.key_pressed(egui::Key::ArrowLeft),
            )
        });
        if right {
            self.send(AppCommand::StepNeighbour(1));
        }
        if left {
            self.send(AppCommand::StepNeighbour(-1));
        }
    }
}
