//! Residual heatmap: 2-D histograms of x − x̂ against wavelength (and against inverse
//! variance) for all spectra or the current selection, on a log colour scale.

use eframe::egui::{self, Color32, TextureOptions};
use egui_plot::{Plot, PlotImage, PlotPoint};

use super::panel::{Panel, PanelCx, waiting_ui};
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
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        let Some(a) = cx.session.scores.as_ref() else {
            waiting_ui(
                ui,
                cx.busy(),
                "residual histograms appear once the spectra are scored",
            );
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
            let has = cx.views.selection_residuals.is_some();
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
            match (self.show_selection, cx.views.selection_residuals.as_ref()) {
                (true, Some(sel)) => (
                    if self.vs_ivar {
                        &sel.hist.vs_ivar
                    } else {
                        &sel.hist.vs_wavelength
                    },
                    format!("selection of {} spectra", sel.rows),
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
            cx.session.scores_gen,
            self.vs_ivar,
            self.show_selection,
            cx.views.selection_residuals.as_ref().map_or(0, |s| s.rows),
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
            .allow_scroll(false)
            .height(ui.available_height().max(120.0))
            .x_axis_label(if vs_ivar {
                "log10 inverse variance"
            } else {
                "rest wavelength [Å]"
            })
            .y_axis_label("residual (data − reconstruction)")
            .x_grid_spacer(move |input| {
                if vs_ivar {
                    egui_plot::log_grid_spacer(10)(input)
                } else {
                    round_wavelength_marks(input.bounds)
                }
            })
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

/// Grid marks of a log10-wavelength axis at round wavelengths: every 1000 Å (strong), 500 Å and
/// 100 Å (fainter), at their log10 positions, so the axis reads 4000, 5000, 6000 — not the
/// grid's own 3981, 5012, 6310.
pub fn round_wavelength_marks(bounds: (f64, f64)) -> Vec<egui_plot::GridMark> {
    let (lo, hi) = (
        10f64.powf(bounds.0.min(bounds.1)),
        10f64.powf(bounds.0.max(bounds.1)),
    );
    if !(lo.is_finite() && hi.is_finite() && hi > lo && lo > 0.0) {
        return vec![];
    }
    let span = hi - lo;
    let mid = (lo * hi).sqrt();
    // Finer steps only when zoomed in enough to see them.
    let steps: &[f64] = if span > 3000.0 {
        &[1000.0, 500.0]
    } else if span > 600.0 {
        &[1000.0, 500.0, 100.0]
    } else {
        &[100.0, 50.0, 10.0]
    };
    let mut marks: Vec<egui_plot::GridMark> = vec![];
    for &step in steps {
        let mut l = (lo / step).ceil() * step;
        while l <= hi {
            if !marks
                .iter()
                .any(|m| (10f64.powf(m.value) - l).abs() < 1e-6 * l)
            {
                // The step in the axis's own units (log10 Å) sets the line's strength: one
                // value per step size, so all 1000 Å lines look alike.
                marks.push(egui_plot::GridMark {
                    value: l.log10(),
                    step_size: step / (mid * std::f64::consts::LN_10),
                });
            }
            l += step;
        }
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::round_wavelength_marks;

    #[test]
    fn wavelength_ticks_are_round() {
        let marks = round_wavelength_marks((3388f64.log10(), 8310f64.log10()));
        let thousands: Vec<i64> = marks
            .iter()
            .map(|m| 10f64.powf(m.value).round() as i64)
            .filter(|l| l % 1000 == 0)
            .collect();
        assert_eq!(thousands, vec![4000, 5000, 6000, 7000, 8000]);
        assert!(
            marks
                .iter()
                .all(|m| (10f64.powf(m.value).round() as i64) % 500 == 0)
        );
    }
}
