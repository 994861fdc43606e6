//! Latent sliders: one per latent dimension over the data's range; the decoded spectrum
//! redraws while dragging (decoding one vector takes well under a millisecond) and its
//! position appears in the UMAP and the corner plot. Start from the inspected galaxy, or
//! interpolate between the inspected and the second galaxy. For a VAE, "Sample from the prior"
//! draws z ~ N(0, I) and decodes it: a random galaxy as the model imagines one.

use eframe::egui::{self, Color32};

use super::panel::{Panel, PanelCx, waiting_ui};
use super::spectrum_plot::{AE_COLOUR, DATA_COLOUR, spectrum_plot_ui};
use crate::app::commands::AppCommand;

#[derive(Default)]
pub struct SlidersPanel {
    t: f32,
    /// Prior samples drawn so far (the seed of the next).
    prior_draws: u64,
    /// Where the decoded spectrum was drawn last frame (tests, layout checks).
    pub plot_rect: Option<egui::Rect>,
}

impl SlidersPanel {
    /// The sliders, "start from" / "clear" and the interpolation slider; returns the latent
    /// vector when a slider moved.
    fn controls_ui(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut PanelCx<'_>,
        range: &[(f32, f32)],
        focus: Option<usize>,
        second: Option<usize>,
        mut z: Vec<f32>,
    ) {
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(
                    focus.is_some(),
                    egui::Button::new("From the inspected galaxy"),
                )
                .clicked()
            {
                cx.send(AppCommand::SyntheticFromFocus);
            }
            if ui
                .add_enabled(cx.views.synthetic.is_some(), egui::Button::new("Clear"))
                .clicked()
            {
                cx.send(AppCommand::ClearSynthetic);
            }
            let vae = cx
                .session
                .model
                .as_ref()
                .is_some_and(|m| m.model.logvar.is_some());
            if vae
                && ui
                    .button("Sample from the prior")
                    .on_hover_text("z ~ N(0, 1) in every latent, decoded: a random galaxy")
                    .clicked()
            {
                use rand::SeedableRng;
                use rand_distr::{Distribution, StandardNormal};
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.prior_draws);
                self.prior_draws += 1;
                let z = (0..range.len())
                    .map(|_| StandardNormal.sample(&mut rng))
                    .collect();
                cx.send(AppCommand::SetSynthetic(z));
            }
        });
        let mut changed = false;
        for (j, zj) in z.iter_mut().enumerate() {
            let (lo, hi) = range[j];
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
        ui.add_enabled_ui(focus.is_some() && second.is_some(), |ui| {
            ui.label(
                egui::RichText::new(match (focus, second) {
                    (Some(a), Some(b)) => format!("interpolate #{a} → #{b}"),
                    _ => "interpolate (Cmd/Ctrl-click a second galaxy)".into(),
                })
                .small(),
            );
            if ui
                .add(egui::Slider::new(&mut self.t, 0.0..=1.0))
                .on_disabled_hover_text(
                    "inspect one galaxy, Cmd/Ctrl-click a second, then slide between them",
                )
                .changed()
            {
                cx.send(AppCommand::Interpolate(self.t));
            }
        });
    }
}

impl Panel for SlidersPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        self.plot_rect = None;
        let (Some(l), Some(d)) = (cx.session.latents.as_ref(), cx.session.data.as_ref()) else {
            waiting_ui(ui, cx.busy(), "sliders appear once the spectra are encoded");
            return;
        };
        let k = l.z.ncols();
        let focus = cx.state.focus.filter(|&i| i < l.z.nrows());
        let second = cx.state.second.filter(|&i| i < l.z.nrows());
        let z: Vec<f32> = match &cx.views.synthetic {
            Some(s) if s.z.len() == k => s.z.clone(),
            _ => match focus {
                Some(i) => l.z.row(i).to_vec(),
                None => (0..k)
                    .map(|j| (l.range[j].0 + l.range[j].1) / 2.0)
                    .collect(),
            },
        };
        let range = l.range.clone();
        let (data_gen, n_bins) = (cx.session.data_gen, d.spectra.n_bins());
        let wavelengths: &[f64] = &d.wavelengths;
        // The inspected galaxy's spectrum (read once by the inspector, from disk for a store).
        let views = cx.views;
        let focus_row: Option<&[f32]> = focus.and_then(|i| {
            views
                .inspected
                .as_ref()
                .filter(|ins| ins.index == i && ins.x.len() == n_bins)
                .map(|ins| ins.x.as_slice())
        });
        // The decoded spectrum sits beside the sliders that make it (below them in a narrow
        // tile), so dragging a slider shows its effect without scrolling.
        let decoded =
            |this: &mut Self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>| match &cx.views.synthetic {
                Some(s) if s.spectrum.len() == n_bins => {
                    let mut series: Vec<(&str, &[f32], Color32)> = vec![];
                    if let Some(row) = focus_row {
                        series.push(("inspected galaxy", row, DATA_COLOUR.gamma_multiply(0.5)));
                    }
                    series.push(("decoded", &s.spectrum, AE_COLOUR));
                    let h = (ui.available_height() - 18.0).max(100.0);
                    let r = spectrum_plot_ui(
                        ui,
                        "slider-spectrum",
                        wavelengths,
                        &series,
                        None,
                        h,
                        data_gen ^ focus.map_or(u64::MAX, |f| f as u64).rotate_left(20),
                    );
                    this.plot_rect = Some(r.response.rect);
                    ui.label(
                        egui::RichText::new(format!("decoded in {:.0} µs", s.decode_us))
                            .small()
                            .weak(),
                    );
                }
                _ => {
                    ui.label(
                        egui::RichText::new(
                            "drag a slider (or start from the inspected galaxy) to decode a \
                         synthetic spectrum",
                        )
                        .weak(),
                    );
                }
            };
        if ui.available_width() >= 400.0 {
            let h = ui.available_height();
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(240.0);
                    ui.spacing_mut().slider_width = 130.0;
                    self.controls_ui(ui, cx, &range, focus, second, z);
                });
                ui.vertical(|ui| {
                    ui.set_height(h);
                    ui.set_min_width(ui.available_width());
                    decoded(self, ui, cx);
                });
            });
        } else {
            self.controls_ui(ui, cx, &range, focus, second, z);
            decoded(self, ui, cx);
        }
    }
}
