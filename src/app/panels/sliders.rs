//! Latent sliders: one per latent dimension over the data's range; the decoded spectrum
//! redraws while dragging (decoding one vector takes well under a millisecond) and its
//! position appears in the UMAP and the corner plot. Start from the inspected galaxy, or
//! interpolate between the inspected and the second galaxy.

use eframe::egui::{self, Color32};

use super::inspector::{AE_COLOUR, DATA_COLOUR, spectrum_plot_ui};
use super::{Panel, PanelCx, waiting_ui};
use crate::app::commands::AppCommand;

#[derive(Default)]
pub struct SlidersPanel {
    t: f32,
}

impl Panel for SlidersPanel {
    fn title(&self) -> &'static str {
        "Latent sliders"
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        let (Some(l), Some(d)) = (cx.session.latents.as_ref(), cx.session.data.as_ref()) else {
            waiting_ui(ui, "sliders appear once the spectra are encoded");
            return;
        };
        let k = l.z.ncols();
        let focus = cx.state.focus.filter(|&i| i < l.z.nrows());
        let mut z: Vec<f32> = match cx.synthetic {
            Some(s) if s.z.len() == k => s.z.clone(),
            _ => match focus {
                Some(i) => l.z.row(i).to_vec(),
                None => (0..k)
                    .map(|j| (l.range[j].0 + l.range[j].1) / 2.0)
                    .collect(),
            },
        };
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(
                    focus.is_some(),
                    egui::Button::new("Start from the inspected galaxy"),
                )
                .clicked()
            {
                cx.send(AppCommand::SyntheticFromFocus);
            }
            if ui
                .add_enabled(cx.synthetic.is_some(), egui::Button::new("Clear"))
                .clicked()
            {
                cx.send(AppCommand::ClearSynthetic);
            }
        });
        let mut changed = false;
        for (j, zj) in z.iter_mut().enumerate() {
            let (lo, hi) = l.range[j];
            let r = ui.add(
                egui::Slider::new(zj, lo..=hi)
                    .text(format!("z{j}"))
                    .clamping(egui::SliderClamping::Never)
                    .max_decimals(3),
            );
            changed |= r.changed();
        }
        if changed {
            cx.send(AppCommand::SetSynthetic(z));
        }
        let second = cx.state.second.filter(|&i| i < l.z.nrows());
        ui.add_enabled_ui(focus.is_some() && second.is_some(), |ui| {
            let label = match (focus, second) {
                (Some(a), Some(b)) => format!("interpolate #{a} → #{b}"),
                _ => "interpolate (inspect one galaxy, Cmd/Ctrl-click a second)".into(),
            };
            if ui
                .add(egui::Slider::new(&mut self.t, 0.0..=1.0).text(label))
                .changed()
            {
                cx.send(AppCommand::Interpolate(self.t));
            }
        });
        match cx.synthetic {
            Some(s) if s.spectrum.len() == d.spectra.n_bins() => {
                let mut series: Vec<(&str, &[f32], Color32)> = vec![];
                let row;
                if let Some(i) = focus {
                    row = d.spectra.x.row(i).to_vec();
                    series.push(("inspected galaxy", &row, DATA_COLOUR.gamma_multiply(0.5)));
                }
                series.push(("decoded", &s.spectrum, AE_COLOUR));
                ui.label(
                    egui::RichText::new(format!("decoded in {:.0} µs", s.decode_us))
                        .small()
                        .weak(),
                );
                let h = ui.available_height().clamp(120.0, 300.0);
                spectrum_plot_ui(
                    ui,
                    "slider-spectrum",
                    &d.spectra.wavelengths,
                    &series,
                    None,
                    h,
                );
            }
            _ => {
                ui.label(
                    egui::RichText::new("drag a slider to decode a synthetic spectrum").weak(),
                );
            }
        }
    }
}
