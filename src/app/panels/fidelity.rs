//! How far a model can be trusted on the open spectra: each one's reconstruction χ²/pixel
//! next to the median χ² of the model's own validation spectra of the same S/N (the table
//! `specae fidelity` prints), shown when a model meets data it was not trained on; with each
//! spectrum's latents fitted to it too where those were computed (`--fit-latents`).

use eframe::egui;

use super::panel::PanelCx;
use crate::analysis::fidelity::Judged;
use crate::app::commands::AppCommand;
use crate::util::stats::median;

/// Rows listed before "…and N more" (the summary covers all).
const ROWS_SHOWN: usize = 200;

/// Characters of a spectrum's name shown in the table: an SDSS plate-MJD-fibre (15) or a
/// DESI "TARGETID 39633345008634465" (26) whole; DESI names go on with the target class
/// (up to 42 characters), which pushed the ratio columns out of a laptop-sized tile.
const NAME_CHARS: usize = 26;

/// `name` cut to [`NAME_CHARS`], "…" marking a cut (the whole name is on hover).
fn name_cell(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        return name.to_string();
    }
    let kept: String = name.chars().take(NAME_CHARS).collect();
    format!("{}…", kept.trim_end())
}

/// The summary line and, unfolded, the table; clicking a row inspects that spectrum. `fitted`
/// (row for row with `judged`): the same with latents fitted to each spectrum.
pub fn fidelity_ui(
    ui: &mut egui::Ui,
    cx: &mut PanelCx<'_>,
    judged: &[Judged],
    fitted: Option<&[Judged]>,
) {
    let fitted = fitted.filter(|f| f.len() == judged.len());
    let Some(d) = cx.session.data.as_ref() else {
        return;
    };
    // Two spectra's median is their mean (nearest rank gave the larger).
    let Some(m) = median(judged.iter().map(Judged::ratio)) else {
        return;
    };
    let within = judged.iter().filter(|j| j.ratio() <= 1.5).count();
    let colour = if m <= 1.5 {
        egui::Color32::LIGHT_GREEN
    } else if m <= 3.0 {
        egui::Color32::YELLOW
    } else {
        egui::Color32::LIGHT_RED
    };
    let fitted_median = fitted
        .and_then(|f| median(f.iter().map(Judged::ratio)))
        .map(|m| format!(" ({m:.2} with latents fitted)"))
        .unwrap_or_default();
    ui.colored_label(
        colour,
        format!(
            "fit vs its training spectra of equal S/N: median χ² ratio {m:.2}{fitted_median}; \
             {within} of {} within 1.5×",
            judged.len()
        ),
    )
    .on_hover_text(
        "Each spectrum's reconstruction χ²/pixel divided by the median χ² of the model's \
         validation spectra nearest in S/N (specae fidelity). Near 1: the model reconstructs \
         these spectra as well as its own; well above: train a model on these data. \
         With latents fitted (specae fidelity --fit-latents): the decoder's best, each \
         spectrum's latents fitted to it, against its validation spectra fitted alike; what \
         fitting removes is the encoder's share of the misfit.",
    );
    egui::CollapsingHeader::new("fidelity per spectrum")
        .id_salt("fidelity-table")
        .show(ui, |ui| {
            // The ratio first: the column is narrow on a laptop; the rest scrolls sideways.
            egui::ScrollArea::horizontal()
                .id_salt("fidelity-scroll")
                .show(ui, |ui| {
                    egui::Grid::new("fidelity-grid")
                        .striped(true)
                        .num_columns(if fitted.is_some() { 5 } else { 4 })
                        .show(ui, |ui| {
                            let mut heads = vec!["spectrum", "ratio"];
                            if fitted.is_some() {
                                heads.push("fitted");
                            }
                            heads.extend(["χ² (ref.)", "S/N"]);
                            for h in heads {
                                ui.label(egui::RichText::new(h).strong());
                            }
                            ui.end_row();
                            for (k, j) in judged.iter().take(ROWS_SHOWN).enumerate() {
                                let i = j.fit.index;
                                let name =
                                    d.spectra.meta().name(i).unwrap_or_else(|| format!("#{i}"));
                                let hover = format!("{name}\n{}", d.class_of(i).label());
                                if ui.link(name_cell(&name)).on_hover_text(hover).clicked() {
                                    cx.send(AppCommand::Focus(i));
                                }
                                ui.label(format!("{:.2}", j.ratio()));
                                if let Some(f) = fitted {
                                    ui.label(format!("{:.2}", f[k].ratio())).on_hover_text(
                                        format!(
                                            "latents fitted: χ² {:.2} (ref. {:.2})",
                                            f[k].fit.chi2, f[k].reference.chi2
                                        ),
                                    );
                                }
                                ui.label(format!("{:.2} ({:.2})", j.fit.chi2, j.reference.chi2));
                                ui.label(format!("{:.1}", j.fit.snr));
                                ui.end_row();
                            }
                        });
                });
            if judged.len() > ROWS_SHOWN {
                ui.label(format!("…and {} more", judged.len() - ROWS_SHOWN));
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_and_short_ones_kept() {
        assert_eq!(name_cell("2488-54149-0001"), "2488-54149-0001");
        assert_eq!(
            name_cell("TARGETID 39633345008634465 (other/unknown)"),
            "TARGETID 39633345008634465…"
        );
        assert_eq!(name_cell("ÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅ").chars().count(), 27);
    }
}
