//! Exports from the explorer: any view as a figure through the publication renderer, and
//! tables (latents, embedding, selection) as npy/CSV. The inputs are gathered here (small
//! copies; the spectra are shared); rendering and writing run in the background (see
//! `jobs::export`).

use super::SpecaeApp;
use crate::app::colouring::column;
use crate::app::commands::{ExportTable, ExportView};
use crate::app::jobs::export::{Table, export_figure, export_table, export_text};
use crate::app::persisted::{ColourBy, ExportFormat};
use crate::app::session::Scope;
use crate::figures::bundle::AnyFigure;
use crate::figures::corner::CornerFigure;
use crate::figures::residuals::ResidualFigure;
use crate::figures::spectrum::SpectrumFigure;
use crate::figures::training::TrainingCurves;
use crate::figures::umap::{Colouring, UmapFigure};

impl SpecaeApp {
    fn figure_of(&self, view: ExportView) -> Result<AnyFigure, String> {
        let d = self.session.data.as_ref().ok_or("no data open")?;
        let s = &d.spectra;
        match view {
            ExportView::Umap => {
                let u = self
                    .session
                    .umap
                    .as_ref()
                    .ok_or("the UMAP is not ready yet")?;
                let colouring = match self.state.colour_by {
                    ColourBy::Class => Colouring::Class(s.classes().to_vec()),
                    by => match column(&self.session, by) {
                        Some(values) => Colouring::Numeric {
                            label: by.label(),
                            values,
                        },
                        None => Colouring::Class(s.classes().to_vec()),
                    },
                };
                Ok(AnyFigure::Umap(UmapFigure {
                    embedding: u.embedding.clone(),
                    colouring,
                    bins: 220,
                }))
            }
            ExportView::Corner => {
                let l = self.session.latents.as_ref().ok_or("no latents yet")?;
                Ok(AnyFigure::Corner(CornerFigure {
                    latents: l.z.clone(),
                    classes: s.classes().to_vec(),
                    bins: 40,
                }))
            }
            ExportView::Spectrum => {
                let ins = self
                    .derived
                    .views
                    .inspected
                    .as_ref()
                    .ok_or("inspect a galaxy first")?;
                let i = ins.index;
                let z = s
                    .meta()
                    .z
                    .as_ref()
                    .map(|z| format!(", z = {:.3}", z[i]))
                    .unwrap_or_default();
                Ok(AnyFigure::Spectrum(SpectrumFigure {
                    name: format!("spectrum_{i}"),
                    title: format!("Spectrum {i} ({}{z})", s.classes()[i].label()),
                    wavelengths: d.wavelengths.clone(),
                    x: ins.x.clone(),
                    xhat: ins.xhat.clone(),
                    pca: ins.pca.clone(),
                    masked: ins.masked.clone(),
                }))
            }
            ExportView::Residuals => {
                let (h, subset) = match &self.derived.views.selection_residuals {
                    Some(sel) => (
                        sel.hist.clone(),
                        format!("selection of {} spectra", sel.rows),
                    ),
                    None => {
                        let a = self
                            .session
                            .scores
                            .as_ref()
                            .ok_or("the analysis is not ready yet")?;
                        (a.residuals.clone(), format!("all {} spectra", d.n()))
                    }
                };
                Ok(AnyFigure::Residuals(ResidualFigure {
                    vs_wavelength: h.vs_wavelength,
                    vs_ivar: h.vs_ivar,
                    subset,
                }))
            }
            ExportView::TrainingCurves => {
                let history = match &self.training {
                    Some(t) if !t.history.is_empty() => t.history.clone(),
                    _ => self
                        .session
                        .model
                        .as_ref()
                        .map(|m| m.history.clone())
                        .unwrap_or_default(),
                };
                if history.is_empty() {
                    return Err("no training history: train a model or open a checkpoint".into());
                }
                Ok(AnyFigure::Training(TrainingCurves {
                    history,
                    stopped_early: false,
                }))
            }
        }
    }

    pub(super) fn export_figure(&mut self, view: ExportView, format: ExportFormat) {
        let fig = match self.figure_of(view) {
            Ok(f) => f,
            Err(e) => {
                self.error(format!("export {}: {e}", view.label()));
                return;
            }
        };
        let dir = self.state.export_dir();
        let fmt = format.format();
        let what = view.label().to_string();
        self.tasks.spawn("export", Scope::Any, move |cx| {
            export_figure(fig, fmt, &what, &dir, cx.progress())
        });
    }

    pub(super) fn export_ingest_report(&mut self) {
        let Some(r) = &self.session.ingest_report else {
            self.error("export ingest report: no ingest yet");
            return;
        };
        let outcomes = r.outcomes.clone();
        let dir = self.state.export_dir();
        self.tasks.spawn("export", Scope::Any, move |cx| {
            let csv = crate::ingest::outcome::report_csv(&outcomes);
            export_text(
                "ingest report",
                "ingest-report",
                "csv",
                csv.into_bytes(),
                &dir,
                cx.progress(),
            )
        });
    }

    pub(super) fn export_table(&mut self, t: ExportTable) {
        let table = match self.table_of(t) {
            Ok(b) => b,
            Err(e) => {
                self.error(format!("export {}: {e}", t.label()));
                return;
            }
        };
        let dir = self.state.export_dir();
        let label = t.label();
        // Formatting 64k CSV rows takes tens of milliseconds: not on the UI thread.
        self.tasks.spawn("export", Scope::Any, move |cx| {
            export_table(table, label, &dir, cx.progress())
        });
    }

    /// The inputs of a table export (copies of small arrays; the spectra are shared).
    fn table_of(&self, t: ExportTable) -> Result<Table, String> {
        let d = self.session.data.as_ref().ok_or("no data open")?;
        let l = self.session.latents.as_ref();
        let embedding = self.session.umap.as_ref().map(|u| u.embedding.clone());
        match t {
            ExportTable::LatentsNpy => Ok(Table::Npy(l.ok_or("no latents yet")?.z.clone())),
            ExportTable::EmbeddingNpy => {
                Ok(Table::Npy(embedding.ok_or("the UMAP is not ready yet")?))
            }
            ExportTable::LatentsCsv | ExportTable::SelectionCsv => {
                let l = l.ok_or("no latents yet")?;
                let rows: Vec<usize> = if t == ExportTable::LatentsCsv {
                    (0..d.n()).collect()
                } else if !self.state.selection.is_empty() {
                    self.state.selection.iter().map(|&i| i as usize).collect()
                } else if let Some(f) = self.state.focus {
                    vec![f]
                } else {
                    return Err("nothing selected".into());
                };
                Ok(Table::Csv {
                    rows,
                    spectra: d.spectra.clone(),
                    latents: l.z.clone(),
                    embedding,
                })
            }
        }
    }
}
