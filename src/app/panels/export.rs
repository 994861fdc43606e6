//! Export: any view as a publication figure (PNG at 300 dpi, SVG, PDF) through the figure
//! renderer, and latents, embedding and the selection as npy/CSV, into a chosen folder.
//! Paths are elided to the tile's width (the whole path on hover), so a long home folder never
//! widens the column and pushes the buttons out of sight.

use eframe::egui;

use super::panel::{Panel, PanelCx, REVEAL_LABEL};
use super::widgets::path_label_ui;
use crate::app::commands::{AppCommand, ExportTable, ExportView, Pick};
use crate::app::persisted::ExportFormat;

#[derive(Default)]
pub struct ExportPanel;

impl Panel for ExportPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        let dir = cx.state.export_dir();
        ui.horizontal(|ui| {
            ui.label("folder:");
            if ui.button("Choose…").clicked() {
                cx.send(AppCommand::Pick(Pick::ExportDir));
            }
        });
        path_label_ui(ui, "", &dir, true);
        let mut fmt = cx.state.export_format;
        ui.horizontal_wrapped(|ui| {
            ui.label("format:");
            for (f, name) in [
                (ExportFormat::Png, "PNG (300 dpi)"),
                (ExportFormat::Svg, "SVG"),
                (ExportFormat::Pdf, "PDF"),
            ] {
                ui.radio_value(&mut fmt, f, name);
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("figure:");
            for v in ExportView::ALL {
                if ui.button(format!("Export {}", v.label())).clicked() {
                    cx.send(AppCommand::ExportFigure(v, fmt));
                }
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("table:");
            for t in ExportTable::ALL {
                if ui.button(format!("Export {}", t.label())).clicked() {
                    cx.send(AppCommand::ExportTable(t));
                }
            }
        });
        if fmt != cx.state.export_format {
            cx.send(AppCommand::SetExportFormat(fmt));
        }
        if let Some(p) = cx.last_export {
            ui.horizontal(|ui| {
                if ui.small_button(REVEAL_LABEL).clicked() {
                    cx.send(AppCommand::Reveal(p.clone()));
                }
                path_label_ui(ui, "last: ", p, true);
            });
        }
    }
}
