//! Inspector: the inspected galaxy against its autoencoder (and PCA) reconstruction, the
//! residuals below, zero-weight pixels shaded, lines labelled, metadata; ← / → step through
//! its nearest neighbours in latent space.

use eframe::egui::{self, Color32};
use egui_plot::{Legend, Line, LineStyle, Plot, PlotPoint, PlotPoints, Span, Text, VLine};

use super::{Panel, PanelCx, waiting_ui};
use crate::app::commands::AppCommand;
use crate::figures::spectrum::masked_runs;
use crate::figures::style::LINES;

#[derive(Default)]
pub struct InspectorPanel;

pub const DATA_COLOUR: Color32 = Color32::from_gray(200);
pub const AE_COLOUR: Color32 = Color32::from_rgb(230, 159, 0);
pub const PCA_COLOUR: Color32 = Color32::from_rgb(86, 180, 233);

/// A spectrum plot: data, reconstructions, masked spans and line labels.
pub fn spectrum_plot_ui(
    ui: &mut egui::Ui,
    id: &str,
    wavelengths: &[f64],
    series: &[(&str, &[f32], Color32)],
    masked: Option<&[bool]>,
    height: f32,
) {
    let line = |v: &[f32]| -> PlotPoints<'static> {
        wavelengths
            .iter()
            .zip(v)
            .map(|(&l, &y)| [l, y as f64])
            .collect()
    };
    let ymax = series
        .iter()
        .flat_map(|(_, v, _)| v.iter())
        .fold(f32::MIN, |m, &v| if v.is_finite() { m.max(v) } else { m }) as f64;
    Plot::new(id.to_string())
        .height(height)
        .legend(Legend::default())
        .x_axis_label("rest wavelength [Å]")
        .y_axis_label("normalised flux")
        .link_axis(egui::Id::unique("spectrum-x"), [true, false])
        .show(ui, |p| {
            if let Some(m) = masked {
                for (a, b) in masked_runs(m) {
                    let lo = wavelengths[a.min(wavelengths.len() - 1)];
                    let hi = wavelengths[b.saturating_sub(1).min(wavelengths.len() - 1)];
                    p.span(
                        Span::new("", lo..=hi)
                            .fill(Color32::from_rgba_unmultiplied(160, 160, 160, 40)),
                    );
                }
            }
            for (name, wl, _) in LINES {
                // Unnamed, so the legend lists only the spectra.
                p.vline(
                    VLine::new("", wl)
                        .color(Color32::from_gray(90))
                        .style(LineStyle::dotted_dense())
                        .allow_hover(false),
                );
                if ymax.is_finite() {
                    p.text(
                        Text::new("", PlotPoint::new(wl, ymax * 1.05), name).color(Color32::GRAY),
                    );
                }
            }
            for (name, v, c) in series {
                p.line(Line::new(*name, line(v)).color(*c).width(1.2));
            }
        });
}

impl Panel for InspectorPanel {
    fn title(&self) -> &'static str {
        "Inspector"
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        let (Some(d), Some(ins)) = (cx.session.data.as_ref(), cx.inspected) else {
            waiting_ui(
                ui,
                "click a galaxy in the UMAP, the corner plot or the outlier list",
            );
            return;
        };
        let i = ins.index;
        let s = &d.spectra;
        if i >= d.n() {
            return;
        }
        let z = s
            .meta
            .z
            .as_ref()
            .map(|z| format!("z = {:.4}", z[i]))
            .unwrap_or_default();
        ui.label(
            egui::RichText::new(format!("Galaxy #{i} — {} {z}", d.class_of(i).label())).strong(),
        );
        let mut meta = vec![];
        if let (Some(p), Some(m), Some(f)) = (&s.meta.plate, &s.meta.mjd, &s.meta.fiber) {
            meta.push(format!("plate-MJD-fiber {}-{}-{}", p[i], m[i], f[i]));
        }
        meta.push(format!("median S/N {:.1}", d.snr[i]));
        if cx.session.model.is_some() {
            meta.push(
                if ins.validation {
                    "validation set"
                } else {
                    "training set"
                }
                .into(),
            );
        }
        if let Some(a) = &cx.session.analysis
            && i < a.lof.len()
        {
            let rank = ins.outlier_rank;
            meta.push(format!(
                "LOF {:.2}, χ² {:.2}{}",
                a.lof[i],
                a.chi2[i],
                rank.map(|r| format!(", outlier rank {r}"))
                    .unwrap_or_default()
            ));
        }
        ui.label(meta.join(" · "));
        let x: Vec<f32> = s.x.row(i).to_vec();
        let masked: Vec<bool> = s.w.row(i).iter().map(|&w| w <= 0.0).collect();
        let mut series: Vec<(&str, &[f32], Color32)> = vec![("data", &x, DATA_COLOUR)];
        if ins.xhat.len() == x.len() {
            series.push(("autoencoder", &ins.xhat, AE_COLOUR));
        }
        if let Some(p) = ins.pca.as_ref().filter(|p| p.len() == x.len()) {
            series.push(("PCA", p, PCA_COLOUR));
        }
        let h = (ui.available_height() - 150.0).clamp(140.0, 400.0);
        spectrum_plot_ui(
            ui,
            "inspector-spectrum",
            &s.wavelengths,
            &series,
            Some(&masked),
            h,
        );
        ui.label(
            egui::RichText::new("grey bands: zero-weight (masked) pixels · dotted: spectral lines")
                .small()
                .weak(),
        );
        if ins.xhat.len() == x.len() {
            let resid: Vec<f32> = x.iter().zip(&ins.xhat).map(|(a, b)| a - b).collect();
            let pts: PlotPoints<'static> = s
                .wavelengths
                .iter()
                .zip(&resid)
                .map(|(&l, &r)| [l, r as f64])
                .collect();
            Plot::new("inspector-residuals")
                .height(90.0)
                .x_axis_label("rest wavelength [Å]")
                .y_axis_label("residual")
                .link_axis(egui::Id::unique("spectrum-x"), [true, false])
                .show(ui, |p| {
                    p.hline(egui_plot::HLine::new("0", 0.0).color(Color32::DARK_GRAY));
                    p.line(Line::new("residual", pts).color(AE_COLOUR).width(1.0));
                });
        }
        ui.horizontal_wrapped(|ui| {
            ui.label("latent neighbours (← →):");
            for (k, &j) in ins.neighbours.iter().take(8).enumerate() {
                let here = ins.walk == Some(k);
                if ui.selectable_label(here, format!("#{j}")).clicked() {
                    cx.send(AppCommand::StepNeighbour(
                        k as i32 - ins.walk.map(|w| w as i32).unwrap_or(-1),
                    ));
                }
            }
        });
    }
}
