//! Exports from the explorer: any view as a figure through the publication renderer, and
//! tables (latents, embedding, selection) as npy/CSV. Rendering and writing run in the
//! background; files are written atomically and never overwrite an earlier export.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use ndarray_npy::WriteNpyExt;

use super::commands::{ExportTable, ExportView};
use super::explorer::SpecaeApp;
use super::jobs::{self, JobOutput};
use super::panels::export::export_dir;
use super::state::{ColourBy, ExportFormat};
use super::tasks::Scope;
use crate::figures::bundle::AnyFigure;
use crate::figures::corner::CornerFigure;
use crate::figures::residuals::ResidualFigure;
use crate::figures::spectrum::SpectrumFigure;
use crate::figures::training::TrainingCurves;
use crate::figures::umap::{Colouring, UmapFigure};

/// `dir/name.ext`, or `dir/name-2.ext`, `-3`, … if taken: exports never replace earlier ones.
pub fn free_path(dir: &Path, name: &str, ext: &str) -> PathBuf {
    let first = dir.join(format!("{name}.{ext}"));
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|k| dir.join(format!("{name}-{k}.{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

impl SpecaeApp {
    fn figure_of(&self, view: ExportView) -> Result<AnyFigure, String> {
        let d = self.session.data.as_ref().ok_or("no data open")?;
        let s = &d.spectra;
        match view {
            ExportView::Umap => {
                let a = self
                    .session
                    .analysis
                    .as_ref()
                    .ok_or("the UMAP is not ready yet")?;
                let colouring = match self.state.colour_by {
                    ColourBy::Class => Colouring::Class(s.classes.clone()),
                    by => match super::colouring::column(&self.session, by) {
                        Some(values) => Colouring::Numeric {
                            label: by.label(),
                            values,
                        },
                        None => Colouring::Class(s.classes.clone()),
                    },
                };
                Ok(AnyFigure::Umap(UmapFigure {
                    embedding: a.embedding.clone(),
                    colouring,
                    bins: 220,
                }))
            }
            ExportView::Corner => {
                let l = self.session.latents.as_ref().ok_or("no latents yet")?;
                Ok(AnyFigure::Corner(CornerFigure {
                    latents: l.z.clone(),
                    classes: s.classes.clone(),
                    bins: 40,
                }))
            }
            ExportView::Spectrum => {
                let ins = self.inspected.as_ref().ok_or("inspect a galaxy first")?;
                let i = ins.index;
                let z = s
                    .meta
                    .z
                    .as_ref()
                    .map(|z| format!(", z = {:.3}", z[i]))
                    .unwrap_or_default();
                Ok(AnyFigure::Spectrum(SpectrumFigure {
                    name: format!("spectrum_{i}"),
                    title: format!("Spectrum {i} ({}{z})", s.classes[i].label()),
                    wavelengths: s.wavelengths.clone(),
                    x: s.x.row(i).to_vec(),
                    xhat: ins.xhat.clone(),
                    pca: ins.pca.clone(),
                    masked: s.w.row(i).iter().map(|&w| w <= 0.0).collect(),
                }))
            }
            ExportView::Residuals => {
                let (h, subset) = match &self.selection_residuals {
                    Some((n, h)) => (h.clone(), format!("selection of {n} spectra")),
                    None => {
                        let a = self
                            .session
                            .analysis
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
        let dir = export_dir(&self.state);
        let fmt = format.format();
        let what = view.label().to_string();
        self.tasks.spawn("export", Scope::Any, move |cx| {
            cx.set_stage(&format!("rendering the {what}"), 0);
            if let Err(e) = std::fs::create_dir_all(&dir) {
                return JobOutput::Failed {
                    task: "export".into(),
                    error: format!("cannot create {}: {e}", dir.display()),
                };
            }
            match fig.render(fmt) {
                Ok(bytes) => {
                    let path = free_path(&dir, &fig.name(), fmt.extension());
                    jobs::write_export(&what, &path, bytes)
                }
                Err(e) => JobOutput::Failed {
                    task: "export".into(),
                    error: format!("{what}: {e}"),
                },
            }
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
        let dir = export_dir(&self.state);
        let (stem, ext) = t.label().split_once('.').unwrap_or((t.label(), "dat"));
        let (stem, ext, what) = (stem.to_string(), ext.to_string(), t.label().to_string());
        // Formatting 64k CSV rows takes tens of milliseconds: not on the UI thread.
        self.tasks.spawn("export", Scope::Any, move |cx| {
            cx.set_stage(&format!("writing {what}"), 0);
            if let Err(e) = std::fs::create_dir_all(&dir) {
                return JobOutput::Failed {
                    task: "export".into(),
                    error: format!("cannot create {}: {e}", dir.display()),
                };
            }
            match table.bytes() {
                Ok(bytes) => jobs::write_export(&what, &free_path(&dir, &stem, &ext), bytes),
                Err(e) => JobOutput::Failed {
                    task: "export".into(),
                    error: format!("{what}: {e}"),
                },
            }
        });
    }

    /// The inputs of a table export (copies of small arrays; the spectra are shared).
    fn table_of(&self, t: ExportTable) -> Result<Table, String> {
        let d = self.session.data.as_ref().ok_or("no data open")?;
        let l = self.session.latents.as_ref();
        let embedding = self.session.analysis.as_ref().map(|a| a.embedding.clone());
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

/// A table to write.
enum Table {
    Npy(Array2<f32>),
    Csv {
        rows: Vec<usize>,
        spectra: std::sync::Arc<crate::data::Spectra>,
        latents: Array2<f32>,
        embedding: Option<Array2<f32>>,
    },
}

impl Table {
    fn bytes(&self) -> Result<Vec<u8>, String> {
        match self {
            Table::Npy(a) => {
                let mut buf = vec![];
                a.write_npy(&mut buf).map_err(|e| e.to_string())?;
                Ok(buf)
            }
            Table::Csv {
                rows,
                spectra,
                latents,
                embedding,
            } => {
                let n = spectra.n_spectra();
                let mut out = String::from("index,class,z");
                if embedding.is_some() {
                    out.push_str(",umap_x,umap_y");
                }
                for k in 0..latents.ncols() {
                    let _ = write!(out, ",z{k}");
                }
                out.push('\n');
                let fits = |a: &Array2<f32>| a.nrows() == n;
                if !fits(latents) || embedding.as_ref().is_some_and(|e| !fits(e)) {
                    return Err("the latents do not fit the open data".into());
                }
                for &i in rows.iter().filter(|&&i| i < n) {
                    let z = spectra
                        .meta
                        .z
                        .as_ref()
                        .and_then(|z| z.get(i))
                        .map(|z| z.to_string())
                        .unwrap_or_default();
                    let _ = write!(out, "{i},{},{z}", spectra.classes[i].label());
                    if let Some(e) = embedding {
                        let _ = write!(out, ",{},{}", e[[i, 0]], e[[i, 1]]);
                    }
                    for v in latents.row(i) {
                        let _ = write!(out, ",{v}");
                    }
                    out.push('\n');
                }
                Ok(out.into_bytes())
            }
        }
    }
}
