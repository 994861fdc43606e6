//! One spectrum against its reconstruction (Portillo et al. Figure 4): data, autoencoder and
//! optional PCA reconstruction, residuals below, masked pixels shaded, main lines labelled.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::render::{Ctx, Figure, FigureError};
use super::style::{LINES, over_white};
use crate::util::stats::robust_range;

pub struct SpectrumFigure {
    pub name: String,
    pub title: String,
    pub wavelengths: Vec<f64>,
    pub x: Vec<f32>,
    pub xhat: Vec<f32>,
    pub pca: Option<Vec<f32>>,
    /// Pixels with no weight (masked or unusable), shaded.
    pub masked: Vec<bool>,
}

const AE: RGBColor = RGBColor(213, 94, 0);
const PCA: RGBColor = RGBColor(0, 114, 178);

impl Figure for SpectrumFigure {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn caption(&self) -> String {
        format!(
            "{}: normalised spectrum (black), autoencoder reconstruction (vermillion){}; residuals \
             below; grey bands: masked or zero-weight pixels",
            self.title,
            if self.pca.is_some() {
                ", PCA reconstruction (blue)"
            } else {
                ""
            }
        )
    }
    fn size_in(&self) -> (f64, f64) {
        (7.0, 4.2)
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
        if d < 2 || self.x.len() != d || self.xhat.len() != d || self.masked.len() != d {
            return Err(FigureError::NoData(
                "spectrum arrays of different lengths".into(),
            ));
        }
        let (l0, l1) = (self.wavelengths[0], self.wavelengths[d - 1]);
        let good: Vec<f64> = (0..d)
            .filter(|&j| !self.masked[j])
            .map(|j| self.x[j] as f64)
            .collect();
        let (f0, f1) = robust_range(&good, 0.005, 0.995)
            .or_else(|| {
                robust_range(
                    &self.x.iter().map(|&v| v as f64).collect::<Vec<_>>(),
                    0.0,
                    1.0,
                )
            })
            .ok_or_else(|| FigureError::NoData("no finite flux".into()))?;
        let span = f1 - f0;
        let (f0, f1) = (f0 - 0.08 * span, f1 + 0.22 * span);
        let resid: Vec<f64> = (0..d).map(|j| (self.x[j] - self.xhat[j]) as f64).collect();
        let rg: Vec<f64> = (0..d)
            .filter(|&j| !self.masked[j])
            .map(|j| resid[j].abs())
            .collect();
        let r = robust_range(&rg, 0.0, 0.99).map_or(1.0, |(_, b)| b.max(1e-3)) * 1.2;
        let (_, h) = root.dim_in_pixel();
        let (top, bottom) = root.split_vertically((h as f64 * 0.68) as u32);
        let shade = over_white(BLACK, 0.12);
        let runs = masked_runs(&self.masked);
        let mut c = ChartBuilder::on(&top)
            .margin(ctx.px(6.0))
            .margin_bottom(0)
            .caption(&self.title, ctx.font(8.5))
            .x_label_area_size(0)
            .y_label_area_size(ctx.px(36.0))
            .build_cartesian_2d(l0..l1, f0..f1)?;
        c.configure_mesh()
            .disable_mesh()
            .x_labels(0)
            .y_desc("normalised flux")
            .label_style(ctx.font(7.0))
            .axis_desc_style(ctx.font(8.0))
            .draw()?;
        let band = |a: usize, b: usize, lo: f64, hi: f64| {
            Rectangle::new(
                [(self.wavelengths[a], lo), (self.wavelengths[b], hi)],
                shade.filled(),
            )
        };
        c.draw_series(runs.iter().map(|&(a, b)| band(a, b, f0, f1)))?;
        let tick = over_white(BLACK, 0.35);
        for (i, (label, lam, _)) in LINES.into_iter().enumerate() {
            if lam < l0 || lam > l1 {
                continue;
            }
            c.draw_series(DashedLineSeries::new(
                vec![(lam, f0), (lam, f1)],
                ctx.pxu(2.0),
                ctx.pxu(2.0),
                tick.stroke_width(ctx.pxu(0.4)),
            ))?;
            let y = f1 - (0.03 + 0.07 * (i % 3) as f64) * span;
            c.draw_series(std::iter::once(Text::new(
                label,
                (lam + 8.0, y),
                ctx.font(5.5),
            )))?;
        }
        let line = |v: &[f32]| -> Vec<(f64, f64)> {
            (0..d).map(|j| (self.wavelengths[j], v[j] as f64)).collect()
        };
        c.draw_series(LineSeries::new(
            line(&self.x),
            BLACK.stroke_width(ctx.pxu(0.5)),
        ))?
        .label("data")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], BLACK.stroke_width(2)));
        if let Some(p) = &self.pca {
            c.draw_series(LineSeries::new(line(p), PCA.stroke_width(ctx.pxu(0.8))))?
                .label("PCA")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PCA.stroke_width(2)));
        }
        c.draw_series(LineSeries::new(
            line(&self.xhat),
            AE.stroke_width(ctx.pxu(0.9)),
        ))?
        .label("autoencoder")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], AE.stroke_width(2)));
        c.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(over_white(BLACK, 0.3))
            .label_font(ctx.font(6.5))
            .position(SeriesLabelPosition::LowerRight)
            .draw()?;

        let mut rc = ChartBuilder::on(&bottom)
            .margin(ctx.px(6.0))
            .margin_top(ctx.px(2.0))
            .x_label_area_size(ctx.px(24.0))
            .y_label_area_size(ctx.px(36.0))
            .build_cartesian_2d(l0..l1, -r..r)?;
        rc.configure_mesh()
            .disable_mesh()
            .x_desc("rest-frame wavelength [Å]")
            .y_desc("x − x̂")
            .y_labels(3)
            .label_style(ctx.font(7.0))
            .axis_desc_style(ctx.font(8.0))
            .draw()?;
        rc.draw_series(runs.iter().map(|&(a, b)| band(a, b, -r, r)))?;
        rc.draw_series(LineSeries::new(
            vec![(l0, 0.0), (l1, 0.0)],
            tick.stroke_width(ctx.pxu(0.5)),
        ))?;
        if let Some(p) = &self.pca {
            rc.draw_series(LineSeries::new(
                (0..d).map(|j| {
                    (
                        self.wavelengths[j],
                        ((self.x[j] - p[j]) as f64).clamp(-r, r),
                    )
                }),
                PCA.stroke_width(ctx.pxu(0.5)),
            ))?;
        }
        rc.draw_series(LineSeries::new(
            (0..d).map(|j| (self.wavelengths[j], resid[j].clamp(-r, r))),
            AE.stroke_width(ctx.pxu(0.5)),
        ))?;
        Ok(())
    }
}

/// Contiguous runs of masked pixels as (first, last) indices.
pub fn masked_runs(masked: &[bool]) -> Vec<(usize, usize)> {
    let mut runs = vec![];
    let mut start = None;
    for (j, &m) in masked.iter().enumerate() {
        match (m, start) {
            (true, None) => start = Some(j),
            (false, Some(s)) => {
                runs.push((s, j.saturating_sub(1).max(s)));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, masked.len() - 1));
    }
    runs
}
