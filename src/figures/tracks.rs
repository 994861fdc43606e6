//! Latent tracks as an offset stack of decoded spectra (Portillo et al. Figures 6–7).

use ndarray::Array2;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::render::{Ctx, Figure, FigureError};
use super::style::viridis;

pub struct TracksFigure {
    pub name: String,
    pub title: String,
    pub wavelengths: Vec<f64>,
    /// Decoded spectra, one per row, bottom to top.
    pub spectra: Array2<f32>,
    pub labels: Vec<String>,
}

impl Figure for TracksFigure {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn caption(&self) -> String {
        format!(
            "{}: decoded spectra along the track, offset for clarity, each divided by its median",
            self.title
        )
    }
    fn size_in(&self) -> (f64, f64) {
        (5.5, 5.0)
    }
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: Ctx,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        let (m, d) = self.spectra.dim();
        if m == 0 || d != self.wavelengths.len() || d < 2 {
            return Err(FigureError::NoData("no track spectra".into()));
        }
        let norm: Vec<Vec<f64>> = (0..m)
            .map(|i| {
                let mut s: Vec<f64> = self.spectra.row(i).iter().map(|&v| v as f64).collect();
                let mut sorted = s.clone();
                sorted.sort_by(|a, b| a.total_cmp(b));
                let med = sorted[d / 2];
                let med = if med.abs() > 1e-6 { med } else { 1.0 };
                s.iter_mut().for_each(|v| *v /= med);
                s
            })
            .collect();
        let step = 1.0;
        let max = norm
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let min = norm
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, f64::min);
        let (l0, l1) = (self.wavelengths[0], self.wavelengths[d - 1]);
        let mut c = ChartBuilder::on(root)
            .margin(ctx.px(8.0))
            .caption(&self.title, ctx.font(8.5))
            .x_label_area_size(ctx.px(24.0))
            .y_label_area_size(ctx.px(30.0))
            .right_y_label_area_size(ctx.px(6.0))
            .build_cartesian_2d(
                l0..l1 + 0.18 * (l1 - l0),
                min.min(0.0)..(m - 1) as f64 * step + max.max(1.0) + 0.2,
            )?;
        c.configure_mesh()
            .disable_mesh()
            .x_desc("rest-frame wavelength [Å]")
            .y_desc("flux / median + offset")
            .label_style(ctx.font(7.0))
            .axis_desc_style(ctx.font(8.0))
            .draw()?;
        for (i, s) in norm.iter().enumerate() {
            let col = viridis(
                if m > 1 {
                    i as f64 / (m - 1) as f64
                } else {
                    0.0
                } * 0.9,
            );
            let off = i as f64 * step;
            c.draw_series(LineSeries::new(
                (0..d).map(|j| (self.wavelengths[j], s[j] + off)),
                col.stroke_width(ctx.pxu(0.7)),
            ))?;
            if let Some(l) = self.labels.get(i) {
                c.draw_series(std::iter::once(Text::new(
                    l.clone(),
                    (l1 + 0.01 * (l1 - l0), off + s[d - 1]),
                    ctx.font(6.0),
                )))?;
            }
        }
        Ok(())
    }
}
