//! Ingest report: what the last ingest did with each input — kept, dropped as a duplicate,
//! rejected or unreadable, with the reason — sortable by any column, filtered by status, and
//! exported as CSV. A DESI coadd has a row per target.

use eframe::egui;

use super::panel::{Panel, PanelCx, waiting_ui};
use crate::app::commands::AppCommand;
use crate::app::session::IngestReport;
use crate::ingest::FileOutcome;
use crate::ingest::outcome::file_name;

/// A column of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportColumn {
    Input,
    Status,
    Z,
    Class,
    Detail,
}

impl ReportColumn {
    const ALL: [ReportColumn; 5] = [
        ReportColumn::Input,
        ReportColumn::Status,
        ReportColumn::Z,
        ReportColumn::Class,
        ReportColumn::Detail,
    ];

    fn title(self) -> &'static str {
        match self {
            ReportColumn::Input => "input",
            ReportColumn::Status => "status",
            ReportColumn::Z => "z",
            ReportColumn::Class => "class",
            ReportColumn::Detail => "detail",
        }
    }
}

/// The statuses a user can show or hide.
const STATUSES: [&str; 5] = ["kept", "duplicate", "rejected", "unreadable", "redshifts"];

fn z_of(o: &FileOutcome) -> f64 {
    match o {
        FileOutcome::Kept { z, .. } => *z,
        _ => f64::NAN,
    }
}

fn class_of(o: &FileOutcome) -> &str {
    match o {
        FileOutcome::Kept { class, .. } => class,
        _ => "",
    }
}

/// The rows of `outcomes` with a shown status, ordered by `by` (NaN redshifts last).
pub fn report_order(
    outcomes: &[FileOutcome],
    by: ReportColumn,
    ascending: bool,
    hidden: &[bool; 5],
) -> Vec<usize> {
    let shown = |o: &FileOutcome| {
        STATUSES
            .iter()
            .position(|s| *s == o.status())
            .is_none_or(|k| !hidden[k])
    };
    let mut order: Vec<usize> = (0..outcomes.len())
        .filter(|&i| shown(&outcomes[i]))
        .collect();
    let key = |i: usize| &outcomes[i];
    order.sort_by(|&a, &b| {
        let (a, b) = (key(a), key(b));
        let o = match by {
            ReportColumn::Input => a.label().cmp(&b.label()),
            ReportColumn::Status => a.status().cmp(b.status()),
            ReportColumn::Z => {
                // NaN (no redshift) sorts after every number either way.
                let (x, y) = (z_of(a), z_of(b));
                return match (x.is_nan(), y.is_nan()) {
                    (true, true) => std::cmp::Ordering::Equal,
                    (true, false) => std::cmp::Ordering::Greater,
                    (false, true) => std::cmp::Ordering::Less,
                    _ if ascending => x.total_cmp(&y),
                    _ => y.total_cmp(&x),
                };
            }
            ReportColumn::Class => class_of(a).cmp(class_of(b)),
            ReportColumn::Detail => a.detail().cmp(&b.detail()),
        };
        if ascending { o } else { o.reverse() }
    });
    order
}

pub struct IngestReportPanel {
    pub sort: ReportColumn,
    pub ascending: bool,
    /// Statuses hidden, in [`STATUSES`] order.
    pub hidden: [bool; 5],
    /// The order computed for (report summary, row count, sort, filters): 100k rows are not
    /// sorted every frame.
    cache: Option<(OrderKey, Vec<usize>)>,
}

/// What a computed order depends on: the report (its summary and length), the sort and the
/// filters.
type OrderKey = (String, usize, ReportColumn, bool, [bool; 5]);

impl Default for IngestReportPanel {
    fn default() -> Self {
        Self {
            sort: ReportColumn::Status,
            ascending: false,
            hidden: [false; 5],
            cache: None,
        }
    }
}

impl IngestReportPanel {
    fn order(&mut self, r: &IngestReport) -> &[usize] {
        let key = (
            r.summary.clone(),
            r.outcomes.len(),
            self.sort,
            self.ascending,
            self.hidden,
        );
        if self.cache.as_ref().is_none_or(|(k, _)| *k != key) {
            let order = report_order(&r.outcomes, self.sort, self.ascending, &self.hidden);
            self.cache = Some((key, order));
        }
        self.cache.as_ref().map_or(&[], |(_, o)| o)
    }
}

impl Panel for IngestReportPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        let Some(r) = cx.session.ingest_report.as_ref() else {
            waiting_ui(
                ui,
                cx.task("ingest").is_some(),
                "drop SDSS FITS files or DESI coadds (or a folder of them) on the window: \
                 what happens to each appears here",
            );
            return;
        };
        ui.add(egui::Label::new(&r.summary).wrap());
        ui.horizontal_wrapped(|ui| {
            for (k, s) in STATUSES.iter().enumerate() {
                let n = r.outcomes.iter().filter(|o| o.status() == *s).count();
                let mut shown = !self.hidden[k];
                if ui.checkbox(&mut shown, format!("{s} ({n})")).changed() {
                    self.hidden[k] = !shown;
                }
            }
            if ui
                .button("Export CSV")
                .on_hover_text("the whole report, into the export folder")
                .clicked()
            {
                cx.send(AppCommand::ExportIngestReport);
            }
        });
        let (sort, ascending) = (self.sort, self.ascending);
        let mut clicked = None;
        let widths = [200.0, 70.0, 60.0, 110.0];
        egui::Grid::new("ingest-report-header")
            .num_columns(5)
            .show(ui, |ui| {
                for (k, c) in ReportColumn::ALL.iter().enumerate() {
                    let arrow = match (sort == *c, ascending) {
                        (true, true) => " ▲",
                        (true, false) => " ▼",
                        _ => "",
                    };
                    let b = egui::Button::new(
                        egui::RichText::new(format!("{}{arrow}", c.title())).strong(),
                    )
                    .frame(false)
                    .min_size(egui::vec2(widths.get(k).copied().unwrap_or(0.0), 0.0));
                    if ui.add(b).on_hover_text("sort by this column").clicked() {
                        clicked = Some(*c);
                    }
                }
                ui.end_row();
            });
        if let Some(c) = clicked {
            if c == self.sort {
                self.ascending = !self.ascending;
            } else {
                self.sort = c;
                self.ascending = true;
            }
        }
        let order = self.order(r);
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        egui::ScrollArea::vertical()
            .id_salt("ingest-report-rows")
            .auto_shrink([false, false])
            .show_rows(ui, row_h, order.len(), |ui, range| {
                egui::Grid::new("ingest-report-table")
                    .num_columns(5)
                    .striped(true)
                    .show(ui, |ui| {
                        for &i in &order[range] {
                            let o = &r.outcomes[i];
                            let name = match o.target() {
                                Some(t) => format!("{} {t}", file_name(o.path())),
                                None => file_name(o.path()),
                            };
                            ui.add_sized([widths[0], row_h], egui::Label::new(name).truncate())
                                .on_hover_text(o.path().display().to_string());
                            ui.add_sized([widths[1], row_h], egui::Label::new(o.status()));
                            let z = z_of(o);
                            ui.add_sized(
                                [widths[2], row_h],
                                egui::Label::new(if z.is_nan() {
                                    String::new()
                                } else {
                                    format!("{z:.4}")
                                }),
                            );
                            ui.add_sized(
                                [widths[3], row_h],
                                egui::Label::new(class_of(o)).truncate(),
                            );
                            // The reason can be long (a refused coadd names both ways to give
                            // it redshifts): one line, the whole of it on hover.
                            let detail = o.detail();
                            ui.add(egui::Label::new(detail.as_str()).truncate())
                                .on_hover_text(detail);
                            ui.end_row();
                        }
                    });
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(name: &str, z: f64) -> FileOutcome {
        FileOutcome::Kept {
            path: name.into(),
            target: None,
            z,
            class: "GALAXY".into(),
            lineindex: 4,
            coverage: 0.9,
        }
    }

    #[test]
    fn rows_sort_by_any_column_and_hide_by_status() {
        let o = vec![
            kept("b.fits", 0.3),
            FileOutcome::Rejected {
                path: "a.fits".into(),
                target: None,
                reason: "sky fibre".into(),
            },
            kept("c.fits", 0.1),
        ];
        let none = [false; 5];
        assert_eq!(report_order(&o, ReportColumn::Z, true, &none), [2, 0, 1]);
        assert_eq!(report_order(&o, ReportColumn::Z, false, &none), [0, 2, 1]);
        assert_eq!(
            report_order(&o, ReportColumn::Input, true, &none),
            [1, 0, 2]
        );
        let mut hide_kept = none;
        hide_kept[0] = true;
        assert_eq!(report_order(&o, ReportColumn::Input, true, &hide_kept), [1]);
    }
}
