//! Outliers: every spectrum ranked by the analysis (LOF in latent space and reduced χ² of
//! the reconstruction, combined by percentile); click a row to inspect it.

use eframe::egui;

use super::panel::{Panel, PanelCx, waiting_ui};
use crate::app::commands::AppCommand;

#[derive(Default)]
pub struct OutliersPanel;

impl Panel for OutliersPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        let (Some(a), Some(d)) = (cx.session.scores.as_ref(), cx.session.data.as_ref()) else {
            waiting_ui(
                ui,
                cx.busy(),
                "the outlier ranking appears once the spectra are scored",
            );
            return;
        };
        let rows = &a.outliers;
        ui.horizontal(|ui| {
            ui.label(format!("{} spectra, most outlying first", rows.len()));
            let top = (rows.len() / 100).max(1);
            if ui.button(format!("Select the top 1% ({top})")).clicked() {
                cx.send(AppCommand::Select(
                    rows.iter().take(top).map(|r| r.index as u32).collect(),
                ));
            }
        });
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        egui::Grid::new("outlier-header")
            .num_columns(7)
            .min_col_width(70.0)
            .show(ui, |ui| {
                for h in ["rank", "galaxy", "class", "z", "LOF", "χ²", "score"] {
                    ui.label(egui::RichText::new(h).strong());
                }
            });
        egui::ScrollArea::vertical()
            .id_salt("outlier-rows")
            .auto_shrink([false, false])
            .show_rows(ui, row_h, rows.len(), |ui, range| {
                egui::Grid::new("outlier-table")
                    .num_columns(7)
                    .min_col_width(70.0)
                    .striped(true)
                    .show(ui, |ui| {
                        for rank in range {
                            let r = &rows[rank];
                            if r.index >= d.n() {
                                // Not of these data (the session checks on install).
                                continue;
                            }
                            let here = cx.state.focus == Some(r.index);
                            if ui.selectable_label(here, format!("{}", rank + 1)).clicked()
                                | ui.selectable_label(here, format!("#{}", r.index)).clicked()
                            {
                                cx.send(AppCommand::Focus(r.index));
                            }
                            ui.label(d.class_of(r.index).label());
                            ui.label(
                                d.spectra
                                    .meta
                                    .z
                                    .as_ref()
                                    .map(|z| format!("{:.4}", z[r.index]))
                                    .unwrap_or_default(),
                            );
                            ui.label(format!("{:.2}", r.lof));
                            ui.label(format!("{:.2}", r.chi2));
                            ui.label(format!("{:.3}", r.score));
                            ui.end_row();
                        }
                    });
            });
    }
}
