//! Inspector: the inspected galaxy against its autoencoder (and PCA) reconstruction, the
//! residuals below, zero-weight pixels shaded, lines labelled, metadata; ← / → step through
//! its nearest neighbours in latent space.

use eframe::egui::{self, Color32};
use egui_plot::{Line, PlotPoints};

use super::panel::{Panel, PanelCx, waiting_ui};
use super::spectrum_plot::{
    AE_COLOUR, DATA_COLOUR, FIT_COLOUR, PCA_COLOUR, plot_for_data, spectrum_plot_ui,
};
use crate::app::commands::AppCommand;
use crate::spectro::ratios::{LineRatios, ratio_text};
use crate::synth::fit::{PopulationFit, PopulationPair};
use crate::triage::Tag;
use crate::triage::labels::MAX_SCORE;

#[derive(Default)]
pub struct InspectorPanel {
    /// Where the spectrum plot was drawn last frame (tests, layout checks).
    pub plot_rect: Option<egui::Rect>,
}

/// "lines: [NII]/Hα −0.13 (−0.16) · …" for the ratios measured in the spectrum or its
/// reconstruction; None when there are none (a quiescent galaxy).
pub fn line_ratios_text((data, model): &(LineRatios, LineRatios)) -> Option<String> {
    let parts: Vec<String> = LineRatios::NAMES
        .iter()
        .zip(data.values().into_iter().zip(model.values()))
        .filter(|(_, (d, m))| d.is_finite() || m.is_finite())
        .map(|(name, (d, m))| format!("{name} {} ({})", ratio_text(d), ratio_text(m)))
        .collect();
    (!parts.is_empty()).then(|| format!("lines: {}", parts.join(" · ")))
}

/// "stars: σ 93 (155) km/s · age 8.5 (10.6) Gyr · …" for a galaxy and its reconstruction fitted
/// with stellar populations; None when neither could be fitted.
pub fn populations_text(p: &PopulationPair) -> Option<String> {
    if p.data.is_none() && p.model.is_none() {
        return None;
    }
    let pair = |f: &dyn Fn(&PopulationFit) -> String| {
        let d = p.data.as_ref().map_or("—".into(), f);
        let m = p.model.as_ref().map_or("—".into(), f);
        format!("{d} ({m})")
    };
    let mut parts = vec![
        format!("σ {} km/s", pair(&|f| f.sigma_text())),
        format!("age {} Gyr", pair(&|f| f.age_text())),
        format!("log Z/Z☉ {}", pair(&|f| format!("{:+.2}", f.log_z))),
    ];
    if let (Some(d), Some(m)) = (&p.data, p.model_chi2) {
        parts.push(format!("χ² best mix {:.2}, reconstruction {m:.2}", d.chi2));
    }
    Some(format!("stars: {}", parts.join(" · ")))
}

impl Panel for InspectorPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        self.plot_rect = None;
        let (Some(d), Some(ins)) = (cx.session.data.as_ref(), cx.views.inspected.as_ref()) else {
            waiting_ui(
                ui,
                false,
                "click a galaxy in the UMAP, the corner plot or the outlier list",
            );
            return;
        };
        let i = ins.index;
        let meta = d.spectra.meta();
        if i >= d.n() {
            return;
        }
        // One wrapped line of facts, so the plots get the height.
        let mut facts = vec![format!("{}", d.class_of(i).label())];
        if let Some(z) = &meta.z {
            facts.push(format!("z = {:.4}", z[i]));
        }
        // SDSS plate-MJD-fibre, or DESI TARGETID with its survey and program.
        if let Some(name) = meta.name(i) {
            facts.push(name);
        }
        if let Some(snr) = d.snr.get(i) {
            facts.push(format!("S/N {snr:.1}"));
        }
        if let Some(sig) = cx.session.latents.as_ref().and_then(|l| l.sigma.as_ref())
            && let Some(v) = sig.get(i)
        {
            facts.push(format!("posterior σ {v:.3}"));
        }
        if cx.session.model.is_some() {
            facts.push(
                if ins.validation {
                    "validation"
                } else {
                    "training"
                }
                .into(),
            );
        }
        if let Some(a) = &cx.session.scores
            && i < a.lof.len()
        {
            facts.push(format!(
                "LOF {:.2} · weighted χ² {:.2}{}",
                a.lof[i],
                a.chi2[i],
                ins.outlier_rank
                    .map(|r| format!(" · outlier rank {r}"))
                    .unwrap_or_default()
            ));
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(egui::RichText::new(format!("Galaxy #{i} ")).strong());
            ui.label(facts.join(" · ")).on_hover_text(
                "SDSS plate-MJD-fiber or DESI TARGETID (survey/program); S/N: median per \
                     pixel; split of the open model; weighted χ²: the outlier score, the \
                     training loss per pixel, whose weights 1/(σ² + floor) cap the S/N near 40 \
                     (the legend's χ²/pixel vs noise uses the errors alone, as specae fidelity: \
                     larger for bright spectra)",
            );
            populations_toggle_ui(ui, cx);
        });
        if let Some(text) = ins.line_ratios.as_ref().and_then(line_ratios_text) {
            ui.label(egui::RichText::new(text).small()).on_hover_text(
                "log line ratios of the spectrum and, in brackets, of the autoencoder's \
                 reconstruction, measured alike (Gaussian fits on a local continuum, as \
                 specae fidelity --lines); ratios whose lines are below 2σ in both are left out",
            );
        }
        if cx.state.fit_populations && cx.session.model.is_some() && !ins.xhat.is_empty() {
            let key = (i, cx.session.data_gen, cx.session.model_gen);
            let text = match cx.views.populations.as_ref().filter(|(k, _)| *k == key) {
                Some((_, Ok(p))) => populations_text(p)
                    .unwrap_or_else(|| "stars: too few weighted pixels to fit".into()),
                Some((_, Err(e))) => format!("stars: {e}"),
                None => "stars: fitting the stellar populations…".into(),
            };
            ui.label(egui::RichText::new(text).small()).on_hover_text(
                "The spectrum and, in brackets, its reconstruction fitted alike with the \
                 built-in survey's populations (any mix of BC03+MILES ages and metallicities at \
                 one velocity dispersion, times the calibration's quadratic, nebular lines left \
                 out; as specae fidelity --populations): σ, light-weighted age and \
                 metallicity. χ² best mix: how closely those populations make this continuum \
                 (~1 for the survey's own galaxies); reconstruction: the model's χ² on the same \
                 pixels. σ at 50 or 300 km/s is a bound.",
            );
        }
        label_row_ui(ui, cx, i);
        if let Some(e) = &ins.row_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
        let (x, masked) = (&ins.x, &ins.masked);
        let mut series: Vec<(&str, &[f32], Color32)> = vec![("data", x, DATA_COLOUR)];
        if ins.xhat.len() == x.len() {
            series.push(("autoencoder", &ins.xhat, AE_COLOUR));
        }
        if let Some(p) = ins.pca.as_ref().filter(|p| p.len() == x.len()) {
            series.push(("PCA", p, PCA_COLOUR));
        }
        let fitted = ins.fitted.as_ref().filter(|f| f.xhat.len() == x.len());
        // The χ² before and after in the legend (the tile has no height to spare at laptop
        // size).
        let fit_name = fitted
            .map(|f| {
                format!(
                    "fitted: χ² {:.2} (encoded {:.2})",
                    f.chi2_fitted, f.chi2_encoded
                )
            })
            .unwrap_or_default();
        if let Some(f) = fitted {
            series.push((&fit_name, &f.xhat, FIT_COLOUR));
        }
        // What the plots show: a new galaxy, model or data set fits them anew.
        let key = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (
                i,
                cx.session.data_gen,
                cx.session.latents_gen,
                fitted.is_some(),
            )
                .hash(&mut h);
            h.finish()
        };
        let neighbours_h = 24.0;
        let avail = (ui.available_height() - neighbours_h).max(120.0);
        let resid_h = (avail * 0.25).clamp(36.0, 140.0);
        let r = spectrum_plot_ui(
            ui,
            "inspector-spectrum",
            &d.wavelengths,
            &series,
            Some(masked),
            (avail - resid_h).max(80.0),
            key,
        );
        let r = r.response.on_hover_text(
            "grey bands: zero-weight (masked) pixels · dotted: spectral lines\n\
             drag: pan · Cmd/Ctrl-scroll or pinch: zoom · double-click: fit",
        );
        self.plot_rect = Some(r.rect);
        if ins.xhat.len() == x.len() {
            let residual = |xhat: &[f32]| -> PlotPoints<'static> {
                (d.wavelengths.iter().zip(x.iter().zip(xhat)))
                    .map(|(&l, (&a, &b))| [l, f64::from(a - b)])
                    .collect()
            };
            let encoded = residual(&ins.xhat);
            let fit = fitted.map(|f| residual(&f.xhat));
            plot_for_data(ui, "inspector-residuals", key)
                .height(resid_h)
                .x_axis_label("rest wavelength [Å]")
                .y_axis_label("residual")
                .show(ui, |p| {
                    p.hline(egui_plot::HLine::new("0", 0.0).color(Color32::DARK_GRAY));
                    p.line(Line::new("residual", encoded).color(AE_COLOUR).width(1.0));
                    if let Some(pts) = fit {
                        p.line(
                            Line::new("residual, latents fitted", pts)
                                .color(FIT_COLOUR)
                                .width(1.0),
                        );
                    }
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

/// "fit latents": the decoder's best reconstruction of the galaxy (latents fitted to its
/// spectrum from where the encoder put them) beside the encoder's, with both χ²/pixel in the
/// legend. On spectra unlike the training survey's (real galaxies for the built-in model) the
/// encoder lands near, not at, the best latents; the difference is its share of the misfit.
fn fit_toggle_ui(ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
    let on = cx.state.fit_latents;
    option_ui(
        ui,
        cx,
        ("fit latents", on, AppCommand::SetFitLatents),
        "Fit this galaxy's latents to its spectrum (Adam on the model's loss, from the \
         encoder's): the decoder's best reconstruction, in green, with its χ²/pixel against the \
         noise and the encoder's in the legend (\"fitted: χ² 3.89 (encoded 4.63)\"). \"From the \
         inspected galaxy\" in the latent sliders then starts there.",
    );
}

/// "stellar populations", at the end of the wrapped line of facts (the label row has no room
/// for it at laptop size): the galaxy and its reconstruction fitted with the survey's
/// populations, in a row under the facts.
fn populations_toggle_ui(ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
    let on = cx.state.fit_populations;
    option_ui(
        ui,
        cx,
        ("stellar populations", on, AppCommand::SetFitPopulations),
        "Fit this galaxy and its reconstruction with the built-in survey's stellar populations \
         (in the background, ~0.2 s): their velocity dispersion, age and metallicity, and how \
         closely the populations make the continuum, in a row under the facts.",
    );
}

/// A checkbox for an option of the inspector that needs a model: its label, whether it is on
/// and the command that sets it.
fn option_ui(
    ui: &mut egui::Ui,
    cx: &mut PanelCx<'_>,
    (label, on, set): (&str, bool, fn(bool) -> AppCommand),
    hover: &str,
) {
    if cx.session.model.is_none() {
        return;
    }
    let mut v = on;
    if ui.checkbox(&mut v, label).on_hover_text(hover).changed() {
        cx.send(set(v));
    }
}

/// The inspected galaxy's label: its interest score and tags, with their keys, and "next".
fn label_row_ui(ui: &mut egui::Ui, cx: &mut PanelCx<'_>, i: usize) {
    let Some(d) = cx.session.data.as_ref() else {
        return;
    };
    let book = match &d.labels {
        Ok(b) => b,
        Err(e) => {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(Color32::YELLOW, format!("labelling is off: {e}"));
                fit_toggle_ui(ui, cx);
            });
            return;
        }
    };
    let label = book.label(i).cloned().unwrap_or_default();
    // One line: the score buttons, the tags by their keys (names on hover and after), next.
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 3.0;
        ui.label("interest").on_hover_text(
            "0 boring … 5 most interesting (keys 0–5); saved at once, beside the survey",
        );
        for v in 0..=MAX_SCORE {
            if ui
                .selectable_label(label.score == Some(v), v.to_string())
                .clicked()
            {
                cx.send(AppCommand::SetInterest(
                    (label.score != Some(v)).then_some(v),
                ));
            }
        }
        ui.separator();
        for t in Tag::ALL {
            if ui
                .selectable_label(label.tags.contains(&t), t.key().to_string())
                .on_hover_text(format!("{} (key {})", t.name(), t.key()))
                .clicked()
            {
                cx.send(AppCommand::ToggleTag(t));
            }
        }
        if !label.is_empty()
            && ui
                .small_button("✕")
                .on_hover_text("clear (Delete)")
                .clicked()
        {
            cx.send(AppCommand::ClearLabel);
        }
        if ui
            .button("next (N)")
            .on_hover_text("the best unlabelled candidate of the Outliers panel's ranking")
            .clicked()
        {
            cx.send(AppCommand::NextCandidate);
        }
        ui.separator();
        fit_toggle_ui(ui, cx);
        if !label.tags.is_empty() {
            ui.label(egui::RichText::new(label.tags_text().replace(';', ", ")).weak());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratios(v: [f64; 5]) -> LineRatios {
        LineRatios {
            nii_ha: v[0],
            sii_ha: v[1],
            oi_ha: v[2],
            oiii_hb: v[3],
            oii_hb: v[4],
        }
    }

    #[test]
    fn line_ratios_read_as_data_then_model_and_skip_what_neither_has() {
        let nan = f64::NAN;
        let data = ratios([-0.13, -0.33, nan, 0.52, nan]);
        let model = ratios([-0.16, -0.13, nan, nan, nan]);
        assert_eq!(
            line_ratios_text(&(data, model)).unwrap(),
            "lines: [NII]/Hα -0.13 (-0.16) · [SII]/Hα -0.33 (-0.13) · [OIII]/Hβ +0.52 (—)"
        );
        // A quiescent galaxy: no row at all.
        assert_eq!(
            line_ratios_text(&(ratios([nan; 5]), ratios([nan; 5]))),
            None
        );
    }

    #[test]
    fn populations_read_as_data_then_model_with_both_chi2() {
        let fit = |sigma_kms: f64, age_gyr: f64, log_z: f64, chi2: f64| PopulationFit {
            sigma_kms,
            chi2,
            n_pixels: 900,
            age_gyr,
            log_z,
            young_frac: 0.0,
            model: vec![],
        };
        let pair = PopulationPair {
            data: Some(fit(93.2, 8.54, -0.07, 2.264)),
            model: Some(fit(300.0, 0.034, -0.16, 1.0)),
            model_chi2: Some(3.64),
        };
        assert_eq!(
            populations_text(&pair).unwrap(),
            "stars: σ 93 (≥300) km/s · age 8.5 (0.03) Gyr · log Z/Z☉ -0.07 (-0.16) · χ² best \
             mix 2.26, reconstruction 3.64"
        );
        let none = PopulationPair {
            data: None,
            model: None,
            model_chi2: None,
        };
        assert_eq!(populations_text(&none), None);
    }
}
