//! A contact sheet: the top candidates of a ranking, each spectrum with its reconstruction in a
//! small panel, four to a row, titled with rank, survey id, class, redshift and score — the
//! figure a collaborator is sent with a ranked list.

use plotters::coord::Shift;
use plotters::prelude::*;

use burn::prelude::Device;
use ndarray::{Array2, ArrayView2};

use super::render::{Ctx, Figure, FigureError};
use super::spectrum::masked_runs;
use super::style::over_white;
use crate::analysis::AnalysisError;
use crate::analysis::rows::SpectraRows;
use crate::model::Autoencoder;
use crate::model::evaluate::reconstruct_rows;
use crate::util::stats::robust_range;

/// The most panels one sheet holds (12 rows of 4).
pub const MAX_PANELS: usize = 48;
const COLUMNS: usize = 4;
const AE: RGBColor = RGBColor(213, 94, 0);

/// One panel.
#[derive(Clone, Debug)]
pub struct SheetPanel {
    pub title: String,
    pub x: Vec<f32>,
    pub xhat: Vec<f32>,
    pub masked: Vec<bool>,
}

/// A panel's title: "3. 266-51602-0001 · quiescent z = 0.110".
pub fn panel_title(rank: usize, id: &str, class: &str, z: Option<f32>) -> String {
    let z = z.map(|z| format!(" z = {z:.3}")).unwrap_or_default();
    format!("{rank}. {id} · {class}{z}")
}

pub struct ContactSheet {
    pub name: String,
    /// What is ranked and how (the caption and the sheet's heading).
    pub heading: String,
    pub wavelengths: Vec<f64>,
    pub panels: Vec<SheetPanel>,
}

impl ContactSheet {
    /// The sheet of `panels` (row, title) of `spectra` — in memory or a streamed store, of which
    /// only the blocks holding them are read — reconstructed by `model` (at most
    /// [`MAX_PANELS`]; rows outside the data are skipped).
    pub fn of_rows(
        spectra: SpectraRows<'_>,
        model: &Autoencoder,
        device: &Device,
        panels: &[(usize, String)],
        name: &str,
        heading: &str,
    ) -> Result<ContactSheet, AnalysisError> {
        let panels: Vec<&(usize, String)> = panels
            .iter()
            .filter(|(i, _)| *i < spectra.n_spectra())
            .take(MAX_PANELS)
            .collect();
        // Gathered in row order (a store's blocks once each), then put back in panel order.
        let mut by_row: Vec<usize> = (0..panels.len()).collect();
        by_row.sort_by_key(|&k| panels[k].0);
        let idx: Vec<u32> = by_row.iter().map(|&k| panels[k].0 as u32).collect();
        let (xs, ws) = spectra.gather_xw(&idx)?;
        let mut slot = vec![0; panels.len()];
        for (g, &k) in by_row.iter().enumerate() {
            slot[k] = g;
        }
        let pick = |a: &Array2<f32>| {
            Array2::from_shape_fn((slot.len(), a.ncols()), |(k, j)| a[[slot[k], j]])
        };
        let titles: Vec<String> = panels.iter().map(|(_, t)| t.clone()).collect();
        let wavelengths = spectra.grid().wavelengths();
        Ok(Self::of_arrays(
            pick(&xs).view(),
            pick(&ws).view(),
            &wavelengths,
            model,
            device,
            &titles,
            name,
            heading,
        ))
    }

    /// The sheet of spectra `x` with weights `w` (one row a panel, titled by `titles`),
    /// reconstructed by `model`.
    #[allow(clippy::too_many_arguments)]
    pub fn of_arrays(
        x: ArrayView2<f32>,
        w: ArrayView2<f32>,
        wavelengths: &[f64],
        model: &Autoencoder,
        device: &Device,
        titles: &[String],
        name: &str,
        heading: &str,
    ) -> ContactSheet {
        let m = x.nrows().min(w.nrows()).min(titles.len()).min(MAX_PANELS);
        let idx: Vec<u32> = (0..m as u32).collect();
        let xhat = reconstruct_rows(model, x, &idx, device);
        let panels = (0..m)
            .map(|k| SheetPanel {
                title: titles[k].clone(),
                x: x.row(k).to_vec(),
                xhat: xhat.row(k).to_vec(),
                masked: w.row(k).iter().map(|&v| v <= 0.0).collect(),
            })
            .collect();
        ContactSheet {
            name: name.into(),
            heading: heading.into(),
            wavelengths: wavelengths.to_vec(),
            panels,
        }
    }

    fn rows(&self) -> usize {
        self.panels.len().min(MAX_PANELS).div_ceil(COLUMNS).max(1)
    }
}

impl Figure for ContactSheet {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn caption(&self) -> String {
        format!(
            "{}: the top {} candidates, normalised spectrum (black) and autoencoder \
             reconstruction (vermillion); grey: zero-weight pixels",
            self.heading,
            self.panels.len().min(MAX_PANELS)
        )
    }
    fn size_in(&self) -> (f64, f64) {
        (11.0, 0.4 + 1.7 * self.rows() as f64)
    }
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: Ctx,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        let d = self.wavelengths.len();
        if self.panels.is_empty() || d < 2 {
            return Err(FigureError::NoData("no candidates to show".into()));
        }
        root.fill(&WHITE)?;
        let (_, h) = root.dim_in_pixel();
        let head = (h as f64 * 0.4 / self.size_in().1) as u32;
        let (top, body) = root.split_vertically(head);
        top.draw(&Text::new(
            self.heading.clone(),
            (ctx.px(8.0), ctx.px(6.0)),
            ctx.font(9.0),
        ))?;
        let cells = body.split_evenly((self.rows(), COLUMNS));
        let shade = over_white(BLACK, 0.12);
        for (p, cell) in self.panels.iter().take(MAX_PANELS).zip(cells.iter()) {
            if p.x.len() != d || p.xhat.len() != d || p.masked.len() != d {
                return Err(FigureError::NoData(format!(
                    "{}: spectrum arrays of different lengths",
                    p.title
                )));
            }
            let good: Vec<f64> = (0..d)
                .filter(|&j| !p.masked[j])
                .flat_map(|j| [p.x[j] as f64, p.xhat[j] as f64])
                .collect();
            let (f0, f1) = robust_range(&good, 0.005, 0.995).unwrap_or((0.0, 1.0));
            let span = (f1 - f0).max(1e-6);
            let (f0, f1) = (f0 - 0.05 * span, f1 + 0.05 * span);
            let (l0, l1) = (self.wavelengths[0], self.wavelengths[d - 1]);
            let mut c = ChartBuilder::on(cell)
                .margin(ctx.px(3.0))
                .caption(&p.title, ctx.font(5.5))
                .x_label_area_size(ctx.px(10.0))
                .y_label_area_size(ctx.px(16.0))
                .build_cartesian_2d(l0..l1, f0..f1)?;
            c.configure_mesh()
                .disable_mesh()
                .x_labels(4)
                .y_labels(3)
                .x_label_formatter(&|v| format!("{v:.0}"))
                .y_label_formatter(&|v| format!("{v:.2}"))
                .label_style(ctx.font(4.5))
                .draw()?;
            c.draw_series(masked_runs(&p.masked).into_iter().map(|(a, b)| {
                Rectangle::new(
                    [(self.wavelengths[a], f0), (self.wavelengths[b], f1)],
                    shade.filled(),
                )
            }))?;
            let line = |v: &[f32]| -> Vec<(f64, f64)> {
                (0..d)
                    .map(|j| (self.wavelengths[j], (v[j] as f64).clamp(f0, f1)))
                    .collect()
            };
            c.draw_series(LineSeries::new(
                line(&p.x),
                BLACK.stroke_width(ctx.pxu(0.3)),
            ))?;
            c.draw_series(LineSeries::new(
                line(&p.xhat),
                AE.stroke_width(ctx.pxu(0.5)),
            ))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::render::{Format, render};

    #[test]
    fn a_sheet_renders_to_png_and_pdf_and_refuses_nothing_to_show() {
        let d = 200;
        let wl: Vec<f64> = (0..d).map(|j| 3400.0 + 25.0 * j as f64).collect();
        let panel = |k: usize| SheetPanel {
            title: format!("#{k} 266-51602-{k:04} quiescent z = 0.1"),
            x: (0..d)
                .map(|j| 1.0 + ((j + k) as f32 * 0.1).sin() * 0.2)
                .collect(),
            xhat: vec![1.0; d],
            masked: (0..d).map(|j| j % 50 == 0).collect(),
        };
        let sheet = ContactSheet {
            name: "top".into(),
            heading: "learned ranking, 12 labels".into(),
            wavelengths: wl.clone(),
            panels: (0..6).map(panel).collect(),
        };
        assert_eq!(sheet.size_in().1, 0.4 + 1.7 * 2.0);
        let png = render(&sheet, Format::Png { dpi: 60 }).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let pdf = render(&sheet, Format::Pdf).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let empty = ContactSheet {
            panels: vec![],
            ..sheet
        };
        assert!(matches!(
            render(&empty, Format::Svg),
            Err(FigureError::NoData(_))
        ));
    }
}
