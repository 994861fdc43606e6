//! Triage in the explorer: labelling the inspected galaxy (saved at once), the next candidate,
//! refitting the learned ranking in the background after each label (a newer label cancels
//! the older fit), and the triage's exports (ranked list, contact sheet, labels).

use std::path::Path;
use std::sync::Arc;

use super::SpecaeApp;
use crate::app::jobs::JobOutput;
use crate::app::jobs::export::{export_figure, export_text};
use crate::app::jobs::triage::{FitBasis, FitInputs, refit};
use crate::app::session::{LearnedState, Scope};
use crate::figures::bundle::AnyFigure;
use crate::figures::contact_sheet::{ContactSheet, MAX_PANELS, panel_title};
use crate::figures::render::Format;
use crate::triage::Label;
use crate::triage::ranked::{RankedColumns, ranked_csv};

/// Panels of the explorer's contact sheet.
const SHEET_PANELS: usize = 24;

impl SpecaeApp {
    /// Changes the inspected galaxy's label with `edit` and writes the labels file.
    pub(super) fn relabel(&mut self, edit: impl FnOnce(&mut Label)) {
        let Some(i) = self.state.focus.filter(|&i| i < self.session.n()) else {
            self.warn("label: inspect a galaxy first (click it in a map or the outlier list)");
            return;
        };
        let Some(d) = self.session.data.as_mut() else {
            return;
        };
        let book = match &mut d.labels {
            Ok(b) => b,
            Err(e) => {
                let e = e.clone();
                self.error(e);
                return;
            }
        };
        let mut label = book.label(i).cloned().unwrap_or_default();
        edit(&mut label);
        if let Err(e) = book.set(i, label) {
            self.error(format!(
                "labels not saved: {e} (they are kept while the app runs)"
            ));
        }
    }

    /// Inspects the best candidate of the current ranking that has no label yet.
    pub(super) fn next_candidate(&mut self) {
        let book = self.session.book();
        let next = self
            .derived
            .views
            .ranked
            .iter()
            .map(|&i| i as usize)
            .find(|&i| book.is_none_or(|b| b.label(i).is_none()));
        match next {
            Some(i) => {
                self.state.focus = Some(i);
                self.derived.focus_changed();
            }
            None if self.derived.views.ranked.is_empty() => {
                self.info("next candidate: the outlier ranking is not ready yet")
            }
            None => self.info("every candidate is labelled"),
        }
    }

    /// Starts a refit when the labels or scores changed since the last one (cancelling a
    /// refit of older labels).
    pub(super) fn refit_if_stale(&mut self) {
        let (Some(a), Some(l), Some(book)) = (
            &self.session.scores,
            &self.session.latents,
            self.session.book(),
        ) else {
            return;
        };
        let key = (book.generation, self.session.scores_gen);
        // While a training run shows its checkpoints, the latents are not those the scores
        // were computed with: the refit waits for the run's model and its analysis.
        if self.learn_asked == Some(key) || l.z.nrows() != a.chi2.len() || l.from_training.is_some()
        {
            return;
        }
        self.learn_asked = Some(key);
        let labelled = book.labelled();
        if labelled.is_empty() {
            // Cold start: the combined ranking (nothing to fit).
            self.session.learned = None;
            return;
        }
        if let Some(id) = self.learn_task.take() {
            self.tasks.cancel(id);
        }
        // The features of these scores, if an earlier refit built them; else copies to build
        // them from (once per analysis).
        let basis = match self.session.current_learned() {
            Some(prev) => FitBasis::Prepared(Arc::clone(&prev.prepared)),
            None => FitBasis::Scores {
                latents: l.z.clone(),
                chi2: a.chi2.clone(),
                lof: a.lof.clone(),
                regions: a.regions.clone(),
                prior: a.combined(),
            },
        };
        let inputs = FitInputs {
            basis,
            labelled,
            labels_gen: key.0,
            scores_gen: key.1,
        };
        let scope = self.session.model_scope();
        self.learn_task = Some(
            self.tasks
                .spawn("learned ranking", scope, move |cx| refit(inputs, cx)),
        );
    }

    /// Installs a refit unless the scores it was fitted to are gone.
    pub(super) fn take_learned(&mut self, l: LearnedState) {
        if l.scores_gen != self.session.scores_gen {
            return;
        }
        let newer = self
            .session
            .learned
            .as_ref()
            .is_none_or(|old| old.scores_gen != l.scores_gen || old.labels_gen <= l.labels_gen);
        if newer {
            self.session.learned = Some(l);
        }
    }

    fn ranked_columns_csv(&self, top: Option<usize>) -> Result<String, String> {
        let d = self.session.data.as_ref().ok_or("no data open")?;
        let a = self
            .session
            .scores
            .as_ref()
            .ok_or("the outlier scores are not ready yet")?;
        let book = self.session.book();
        // The book's ids (no copy); rows by number when labelling is off.
        let by_number: Vec<String>;
        let ids: &[String] = match book {
            Some(b) => b.ids(),
            None => {
                by_number = (0..d.n()).map(|i| format!("row {i}")).collect();
                &by_number
            }
        };
        let combined = a.combined();
        let class = |i: usize| d.class_of(i).label().to_string();
        let learned = self.session.current_learned();
        let cols = RankedColumns {
            ids,
            class: &class,
            z: d.spectra.meta().z.as_ref().and_then(|z| z.as_slice()),
            lof: &a.lof,
            chi2: &a.chi2,
            combined: &combined,
            interest: learned.map(|l| l.fit.interest.as_slice()),
            labels: book,
        };
        Ok(ranked_csv(&cols, &self.derived.views.ranked, top))
    }

    pub(super) fn export_ranked(&mut self) {
        match self.ranked_columns_csv(None) {
            Ok(csv) => {
                let dir = self.state.export_dir();
                let name = format!(
                    "ranked-{}",
                    self.derived
                        .views
                        .ranked_by
                        .map_or("combined", |r| r.name())
                );
                self.tasks.spawn("export", Scope::Any, move |cx| {
                    export_text(
                        "ranked list",
                        &name,
                        "csv",
                        csv.into_bytes(),
                        &dir,
                        cx.progress(),
                    )
                });
            }
            Err(e) => self.error(format!("export ranked list: {e}")),
        }
    }

    pub(super) fn export_labels(&mut self) {
        let Some(book) = self.session.book() else {
            self.error("export labels: labelling is off for these data");
            return;
        };
        let csv = book.labels().to_csv();
        let dir = self.state.export_dir();
        self.tasks.spawn("export", Scope::Any, move |cx| {
            export_text(
                "labels",
                "labels",
                "csv",
                csv.into_bytes(),
                &dir,
                cx.progress(),
            )
        });
    }

    pub(super) fn import_labels(&mut self, path: &Path) {
        let Some(d) = self.session.data.as_mut() else {
            self.error("import labels: open data first");
            return;
        };
        let result = match &mut d.labels {
            Ok(book) => book.import(path).map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        };
        match result {
            Ok((changed, unmatched)) => self.info(format!(
                "imported {changed} labels from {}{}",
                path.display(),
                if unmatched > 0 {
                    format!(" ({unmatched} name no spectrum of these data; kept, not used)")
                } else {
                    String::new()
                }
            )),
            Err(e) => self.error(format!("import labels: {e}")),
        }
    }

    pub(super) fn export_contact_sheet(&mut self) {
        let (Some(d), Some(m)) = (&self.session.data, &self.session.model) else {
            self.error("contact sheet: open data and a model first");
            return;
        };
        let book = self.session.book();
        let by = self
            .derived
            .views
            .ranked_by
            .map_or("combined", |r| r.label());
        let rows: Vec<(usize, String)> = self
            .derived
            .views
            .ranked
            .iter()
            .take(SHEET_PANELS.min(MAX_PANELS))
            .enumerate()
            .map(|(k, &i)| {
                let i = i as usize;
                let id = book
                    .and_then(|b| b.id(i))
                    .map_or_else(|| format!("#{i}"), String::from);
                let z = d.spectra.meta().z.as_ref().and_then(|z| z.get(i)).copied();
                (i, panel_title(k + 1, &id, d.class_of(i).label(), z))
            })
            .collect();
        if rows.is_empty() {
            self.error("contact sheet: the outlier ranking is not ready yet");
            return;
        }
        let heading = format!(
            "{}: top {} by the {by} ranking ({})",
            d.label,
            rows.len(),
            m.label
        );
        let (spectra, model) = (d.spectra.clone(), m.model.clone());
        let dir = self.state.export_dir();
        let format = match self.state.export_format.format() {
            Format::Png { .. } => Format::Png { dpi: 150 },
            f => f,
        };
        self.tasks.spawn("export", Scope::Any, move |cx| {
            cx.progress().stage("reconstructing the candidates", 0);
            let device = burn::prelude::Device::flex();
            let sheet = ContactSheet::of_rows(
                spectra.as_rows(),
                &model,
                &device,
                &rows,
                "contact-sheet",
                &heading,
            );
            match sheet {
                Ok(sheet) => export_figure(
                    AnyFigure::ContactSheet(sheet),
                    format,
                    "contact sheet",
                    &dir,
                    cx.progress(),
                ),
                Err(e) => JobOutput::failed("export", format!("contact sheet: {e}")),
            }
        });
    }
}
