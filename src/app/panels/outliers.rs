//! Outliers: every spectrum ranked by the ranking the user picks — LOF in latent space,
//! reduced χ² of the reconstruction, the two combined by percentile, or learned from the
//! user's labels (refitted after each one) — with each galaxy's label; click a row to inspect
//! it, N for the next unlabelled candidate. Exports the ranked list, a contact sheet of the
//! top candidates, and the labels; imports labels.

use eframe::egui;

use super::panel::{Panel, PanelCx, waiting_ui};
use crate::app::commands::{AppCommand, Pick};
use crate::triage::Ranking;

#[derive(Default)]
pub struct OutliersPanel;

impl OutliersPanel {
    fn ranking_ui(ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        ui.horizontal_wrapped(|ui| {
            ui.label("ranking:");
            for r in Ranking::ALL {
                if ui
                    .selectable_label(cx.state.ranking == r, r.label())
                    .on_hover_text(match r {
                        Ranking::Lof => "local outlier factor of the latents",
                        Ranking::Chi2 => "reduced χ² of the reconstruction",
                        Ranking::Combined => "the larger of the LOF and χ² percentiles",
                        Ranking::Learned => {
                            "fitted to your labels: galaxies like those you scored high rise, \
                             look-alikes of those you scored low sink (the combined ranking \
                             until you label)"
                        }
                    })
                    .clicked()
                {
                    cx.send(AppCommand::SetRanking(r));
                }
            }
            let status = learned_status(cx);
            if !status.is_empty() {
                ui.label(egui::RichText::new(status).weak());
            }
        });
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("Next candidate (N)")
                .on_hover_text("inspect the best candidate without a label")
                .clicked()
            {
                cx.send(AppCommand::NextCandidate);
            }
            let n = cx.views.ranked.len();
            let top = (n / 100).max(1);
            if ui.button(format!("Select the top 1% ({top})")).clicked() {
                cx.send(AppCommand::Select(
                    cx.views.ranked.iter().take(top).copied().collect(),
                ));
            }
            ui.menu_button("Export / import", |ui| {
                if ui.button("Ranked list (CSV)").clicked() {
                    cx.send(AppCommand::ExportRanked);
                }
                if ui
                    .button("Contact sheet of the top 24")
                    .on_hover_text("spectra with their reconstructions, in the export format")
                    .clicked()
                {
                    cx.send(AppCommand::ExportContactSheet);
                }
                if ui.button("Labels (CSV)").clicked() {
                    cx.send(AppCommand::ExportLabels);
                }
                if ui.button("Import labels (CSV)…").clicked() {
                    cx.send(AppCommand::Pick(Pick::Labels));
                }
            });
        });
    }
}

/// "learned from 12 labels, fitted 3 s ago in 0.08 s", or why there is no fit.
fn learned_status(cx: &PanelCx<'_>) -> String {
    let Some(d) = cx.session.data.as_ref() else {
        return String::new();
    };
    let labels = match &d.labels {
        Ok(b) => b.labels().len(),
        Err(_) => return "labelling is off (see the message bar)".into(),
    };
    let refitting = cx.task("learned ranking").is_some();
    let waiting = cx
        .session
        .latents
        .as_ref()
        .is_some_and(|l| l.from_training.is_some());
    if waiting && labels > 0 {
        return format!(
            "{labels} labels · the learned ranking is refitted once training ends (the views \
             show its checkpoints)"
        );
    }
    match cx.session.current_learned() {
        Some(l) => format!(
            "{labels} labels · learned from {}, fitted {:.0} s ago in {:.2} s{}",
            l.fit.n_labels,
            l.fitted_at.elapsed().as_secs_f64(),
            l.fit.seconds,
            if refitting { " · refitting…" } else { "" }
        ),
        None if refitting => format!("{labels} labels · fitting…"),
        None if labels == 0 => "no labels yet: 0–5 score the inspected galaxy".into(),
        None => format!("{labels} labels"),
    }
}

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
        Self::ranking_ui(ui, cx);
        let rows = cx.views.ranked.clone();
        let interest = cx
            .session
            .current_learned()
            .filter(|_| cx.views.ranked_by == Some(Ranking::Learned))
            .map(|l| &l.fit.interest);
        let book = d.book();
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        // Fixed column widths, shared by the header and the rows (two grids would size their
        // columns apart and drift out of line).
        // The label next to the galaxy: in a narrow panel the last columns are the ones cut.
        const HEADS: [(&str, f32); 8] = [
            ("rank", 40.0),
            ("galaxy", 60.0),
            ("label", 104.0),
            ("class", 104.0),
            ("z", 52.0),
            ("LOF", 44.0),
            ("χ²", 60.0),
            ("interest", 52.0),
        ];
        let cell = |ui: &mut egui::Ui, k: usize, text: egui::WidgetText| {
            ui.add_sized([HEADS[k].1, row_h], egui::Label::new(text).truncate());
        };
        ui.horizontal(|ui| {
            for (k, (h, _)) in HEADS.iter().enumerate() {
                cell(ui, k, egui::RichText::new(*h).strong().into());
            }
        });
        egui::ScrollArea::vertical()
            .id_salt("outlier-rows")
            .auto_shrink([false, false])
            .show_rows(ui, row_h, rows.len(), |ui, range| {
                for rank in range {
                    let i = rows[rank] as usize;
                    if i >= d.n() || i >= a.lof.len() {
                        // Not of these data (the session checks on install).
                        continue;
                    }
                    let here = cx.state.focus == Some(i);
                    ui.horizontal(|ui| {
                        let mut clicked = false;
                        for (k, text) in [format!("{}", rank + 1), format!("#{i}")]
                            .into_iter()
                            .enumerate()
                        {
                            clicked |= ui
                                .add_sized(
                                    [HEADS[k].1, row_h],
                                    egui::Button::selectable(here, text),
                                )
                                .clicked();
                        }
                        if clicked {
                            cx.send(AppCommand::Focus(i));
                        }
                        let l = book.and_then(|b| b.label(i)).map(label_text);
                        cell(ui, 2, l.unwrap_or_default().into());
                        cell(ui, 3, d.class_of(i).label().into());
                        let z = d.spectra.meta().z.as_ref().map(|z| format!("{:.4}", z[i]));
                        cell(ui, 4, z.unwrap_or_default().into());
                        cell(ui, 5, format!("{:.2}", a.lof[i]).into());
                        cell(ui, 6, format!("{:.2}", a.chi2[i]).into());
                        let u = interest.and_then(|u| u.get(i)).map(|v| format!("{v:.2}"));
                        cell(ui, 7, u.unwrap_or_default().into());
                    });
                }
            });
    }
}

/// "4 · star; interesting".
pub fn label_text(l: &crate::triage::Label) -> String {
    let score = l.score.map(|s| s.to_string()).unwrap_or_else(|| "–".into());
    if l.tags.is_empty() {
        score
    } else {
        format!("{score} · {}", l.tags_text())
    }
}
