//! Residual heatmap: 2-D histograms of x − x̂ against wavelength (and against inverse
//! variance) for all spectra or the current selection, on a log colour scale.

use eframe::egui::{self, Color32, TextureOptions};
use egui_plot::{Plot, PlotImage, PlotPoint};

use super::{Panel, PanelCx, waiting_ui};
use crate::analysis::residuals::Histogram2d;
use crate::app::commands::AppCommand;
use crate::app::raster::histogram_image;

#[derive(Default)]
pub struct ResidualsPanel {
    vs_ivar: bool,
    show_selection: bool,
    texture: Option<egui::TextureHandle>,
    key: Option<(u64, bool, bool, usize)>,
}

impl Panel for ResidualsPanel {
    fn title(&self) -> &'static str {
        "Residuals"
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        let Some(a) = cx.session.analysis.as_ref() else {
            waiting_ui(ui, "residual histograms appear with the analysis");
            return;
        };
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.vs_ivar, false, "vs wavelength");
            ui.selectable_value(&mut self.vs_ivar, true, "vs inverse variance");
            ui.separator();
            ui.selectable_value(
                &mut self.show_selection,
                false,
                format!("all {} spectra", cx.session.n()),
            );
            let n_sel = cx.state.selection.len();
            let has = cx.selection_residuals.is_some();
            ui.add_enabled_ui(has, |ui| {
                ui.selectable_value(&mut self.show_selection, true, "selection");
            });
            if ui
                .add_enabled(
                    n_sel > 0,
                    egui::Button::new(format!("Compute for the selection ({n_sel})")),
                )
                .clicked()
            {
                cx.send(AppCommand::SelectionResiduals);
                self.show_selection = true;
            }
        });
        let (hist, label): (&Histogram2d, String) =
            match (self.show_selection, cx.selection_residuals) {
                (true, Some((n, h))) => (
                    if self.vs_ivar {
                        &h.vs_ivar
                    } else {
                        &h.vs_wavelength
                    },
                    format!("selection of {n} spectra"),
                ),
                _ => (
                    if self.vs_ivar {
                        &a.residuals.vs_ivar
                    } else {
                        &a.residuals.vs_wavelength
                    },
                    format!("all {} spectra", cx.session.n()),
                ),
            };
        if hist.total == 0 {
            ui.label("no weighted pixels in this subset");
            return;
        }
        let key = (
            cx.session.analysis_gen,
            self.vs_ivar,
            self.show_selection,
            cx.selection_residuals.map(|(n, _)| *n).unwrap_or(0),
        );
        if self.key != Some(key) || self.texture.is_none() {
            let img = histogram_image(&hist.counts);
            self.texture = Some(ui.ctx().load_texture(
                "residual-heatmap",
                img,
                TextureOptions::NEAREST,
            ));
            self.key = Some(key);
        }
        ui.label(format!(
            "{label}: {} pixels, {:.2}% outside the residual range",
            hist.total,
            100.0 * hist.outside as f64 / hist.total.max(1) as f64
        ));
        // x: log10 wavelength (the pixel grid is uniform in it) or log10 w; y: residual.
        let xs: Vec<f64> = if self.vs_ivar {
            hist.x_edges.clone()
        } else {
            hist.x_edges.iter().map(|v| v.log10()).collect()
        };
        let (x0, x1) = (xs[0], xs[xs.len() - 1]);
        let (y0, y1) = hist.y_range();
        let vs_ivar = self.vs_ivar;
        let Some(tex) = &self.texture else { return };
        Plot::new("residual-heatmap")
            .height(ui.available_height().max(120.0))
            .x_axis_label(if vs_ivar {
                "log10 inverse variance"
            } else {
                "rest wavelength [Å]"
            })
            .y_axis_label("residual (data − reconstruction)")
            .x_axis_formatter(move |m, _| {
                if vs_ivar {
                    format!("{:.1}", m.value)
                } else {
                    format!("{:.0}", 10f64.powf(m.value))
                }
            })
            .show(ui, |p| {
                p.image(PlotImage::new(
                    "residuals",
                    tex.id(),
                    PlotPoint::new((x0 + x1) / 2.0, (y0 + y1) / 2.0),
                    egui::vec2((x1 - x0) as f32, (y1 - y0) as f32),
                ));
                p.hline(egui_plot::HLine::new("0", 0.0).color(Color32::from_gray(120)));
            });
    }
}
