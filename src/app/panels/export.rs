//! Export: any view as a publication figure (PNG at 300 dpi, SVG, PDF) through the figure
//! renderer, and latents, embedding and the selection as npy/CSV, into a chosen folder.

use eframe::egui;

use super::{Panel, PanelCx};
use crate::app::commands::{AppCommand, ExportTable, ExportView};
use crate::app::state::ExportFormat;

#[derive(Default)]
pub struct ExportPanel;

/// The export folder: the user's choice, else `specae-exports` in their Documents folder (an
/// app started from Finder or a desktop menu has `/` as its working directory).
pub fn export_dir(state: &crate::app::state::Persisted) -> std::path::PathBuf {
    state.export_dir.clone().unwrap_or_else(|| {
        directories::UserDirs::new()
            .map(|u| {
                u.document_dir()
                    .unwrap_or_else(|| u.home_dir())
                    .join("specae-exports")
            })
            .unwrap_or_else(|| std::path::PathBuf::from("specae-exports"))
    })
}

impl Panel for ExportPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        let dir = export_dir(cx.state);
        ui.horizontal(|ui| {
            ui.label(format!("folder: {}", dir.display()));
            if ui.button("Choose…").clicked() {
                cx.send(AppCommand::PickExportDir);
            }
        });
        let mut fmt = cx.state.export_format;
        ui.horizontal(|ui| {
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
                ui.label(egui::RichText::new(format!("last: {}", p.display())).small());
                if ui.small_button(super::REVEAL_LABEL).clicked() {
                    cx.send(AppCommand::Reveal(p.clone()));
                }
            });
        }
    }
}
