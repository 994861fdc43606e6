//! Exports: a figure rendered by the publication renderer, a table formatted, each written
//! atomically to a name no earlier export has.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use ndarray_npy::WriteNpyExt;

use super::JobOutput;
use crate::app::survey_rows::SurveyRows;
use crate::figures::bundle::AnyFigure;
use crate::figures::render::Format;
use crate::util::atomic::write_bytes_atomically;
use crate::util::progress::Progress;

const TASK: &str = "export";

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

/// Writes bytes atomically into `dir` (created if needed) unless cancelled, and reports it.
fn write_export(
    what: &str,
    dir: &Path,
    name: &str,
    ext: &str,
    bytes: Vec<u8>,
    progress: &Progress,
) -> JobOutput {
    if progress.is_cancelled() {
        return JobOutput::cancelled(TASK);
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        return JobOutput::failed(TASK, format!("cannot create {}: {e}", dir.display()));
    }
    let path = free_path(dir, name, ext);
    match write_bytes_atomically(&path, &bytes) {
        Ok(()) => JobOutput::Exported {
            what: what.into(),
            path,
            bytes: bytes.len(),
        },
        Err(e) => JobOutput::failed(TASK, e),
    }
}

/// Text made on the way (a report's CSV) written into `dir` as `name.ext` (or the next free
/// name).
pub fn export_text(
    what: &str,
    name: &str,
    ext: &str,
    bytes: Vec<u8>,
    dir: &Path,
    progress: &Progress,
) -> JobOutput {
    write_export(what, dir, name, ext, bytes, progress)
}

/// Renders `fig` as `format` and writes it into `dir`; a cancel before the write leaves no
/// file (rendering itself, up to ~1 s for a 64k-point UMAP at 300 dpi, runs to its end).
pub fn export_figure(
    fig: AnyFigure,
    format: Format,
    what: &str,
    dir: &Path,
    progress: &Progress,
) -> JobOutput {
    progress.stage(&format!("rendering the {what}"), 0);
    if progress.is_cancelled() {
        return JobOutput::cancelled(TASK);
    }
    match fig.render(format) {
        Ok(bytes) => write_export(what, dir, &fig.name(), format.extension(), bytes, progress),
        Err(e) => JobOutput::failed(TASK, format!("{what}: {e}")),
    }
}

/// A table to write (copies of small arrays; the spectra are shared).
pub enum Table {
    Npy(Array2<f32>),
    Csv {
        rows: Vec<usize>,
        spectra: SurveyRows,
        latents: Array2<f32>,
        embedding: Option<Array2<f32>>,
    },
}

impl Table {
    /// The file's bytes; a CSV stops early (returning `None`) once `progress` is cancelled.
    fn bytes(&self, progress: &Progress) -> Result<Option<Vec<u8>>, String> {
        match self {
            Table::Npy(a) => {
                let mut buf = vec![];
                a.write_npy(&mut buf).map_err(|e| e.to_string())?;
                Ok(Some(buf))
            }
            Table::Csv {
                rows,
                spectra,
                latents,
                embedding,
            } => {
                let n = spectra.n_spectra();
                let mut out = String::from("index,class,z,name");
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
                for (k, &i) in rows.iter().filter(|&&i| i < n).enumerate() {
                    if k % 4096 == 0 && progress.is_cancelled() {
                        return Ok(None);
                    }
                    let z = spectra
                        .meta()
                        .z
                        .as_ref()
                        .and_then(|z| z.get(i))
                        .map(|z| z.to_string())
                        .unwrap_or_default();
                    // SDSS plate-MJD-fibre or DESI "TARGETID … (survey/program)".
                    let name = spectra.meta().name(i).unwrap_or_default();
                    let _ = write!(out, "{i},{},{z},{name}", spectra.classes()[i].label());
                    if let Some(e) = embedding {
                        let _ = write!(out, ",{},{}", e[[i, 0]], e[[i, 1]]);
                    }
                    for v in latents.row(i) {
                        let _ = write!(out, ",{v}");
                    }
                    out.push('\n');
                }
                Ok(Some(out.into_bytes()))
            }
        }
    }
}

/// Formats `table` (named `label`, e.g. `latents.csv`) and writes it into `dir`.
pub fn export_table(table: Table, label: &str, dir: &Path, progress: &Progress) -> JobOutput {
    progress.stage(&format!("writing {label}"), 0);
    let (stem, ext) = label.split_once('.').unwrap_or((label, "dat"));
    match table.bytes(progress) {
        Ok(Some(bytes)) => write_export(label, dir, stem, ext, bytes, progress),
        Ok(None) => JobOutput::cancelled(TASK),
        Err(e) => JobOutput::failed(TASK, format!("{label}: {e}")),
    }
}
