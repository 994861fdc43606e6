//! Residual 2-D histograms (Portillo et al. Figure 5): x − x̂ against wavelength and against
//! inverse variance, log colour scale with a colour bar.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::render::{Ctx, Figure, FigureError};
use super::style::viridis;
use super::umap::colour_bar;
use crate::analysis::residuals::Histogram2d;

pub struct ResidualFigure {
    pub vs_wavelength: Histogram2d,
    pub vs_ivar: Histogram2d,
    pub subset: String,
}

/// Sums a histogram into at most `nx` × `ny` display cells.
fn coarsen(h: &Histogram2d, nx: usize, ny: usize) -> (Vec<f64>, Vec<f64>, Vec<Vec<u64>>) {
    let (hy, hx) = h.counts.dim();
    let fx = hx.div_ceil(nx.max(1)).max(1);
    let fy = hy.div_ceil(ny.max(1)).max(1);
    let xe: Vec<f64> = h
        .x_edges
        .iter()
        .step_by(fx)
        .copied()
        .chain(std::iter::once(h.x_edges[hx]))
        .collect();
    let ye: Vec<f64> = h
        .y_edges
        .iter()
        .step_by(fy)
        .copied()
        .chain(std::iter::once(h.y_edges[hy]))
        .collect();
    let (cx, cy) = (hx.div_ceil(fx), hy.div_ceil(fy));
    let mut c = vec![vec![0u64; cx]; cy];
    for ((iy, ix), &v) in h.counts.indexed_iter() {
        c[iy / fy][ix / fx] += v;
    }
    let xe = xe.into_iter().take(cx + 1).collect::<Vec<_>>();
    let ye = ye.into_iter().take(cy + 1).collect::<Vec<_>>();
    (xe, ye, c)
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: Ctx,
    h: &Histogram2d,
    log_max: f64,
) -> Result<(), FigureError>
where
    DB::ErrorType: 'static,
{
    let (xe, ye, c) = coarsen(h, 250, 80);
    let (x0, x1) = (xe[0], xe[xe.len() - 1]);
    let (y0, y1) = (ye[0], ye[ye.len() - 1]);
    let mut ch = ChartBuilder::on(area)
        .margin(ctx.px(6.0))
        .x_label_area_size(ctx.px(24.0))
        .y_label_area_size(ctx.px(30.0))
        .build_cartesian_2d(x0..x1, y0..y1)?;
    ch.configure_mesh()
        .disable_mesh()
        .x_desc(h.x_label.clone())
        .y_desc(h.y_label.clone())
        .label_style(ctx.font(7.0))
        .axis_desc_style(ctx.font(8.0))
        .draw()?;
    ch.draw_series(c.iter().enumerate().flat_map(|(iy, row)| {
        let (xe, ye) = (&xe, &ye);
        row.iter()
            .enumerate()
            .filter(|(_, v)| **v > 0)
            .map(move |(ix, &v)| {
                Rectangle::new(
                    [(xe[ix], ye[iy]), (xe[ix + 1], ye[iy + 1])],
                    viridis((v as f64).log10() / log_max).filled(),
                )
            })
    }))?;
    Ok(())
}

impl Figure for ResidualFigure {
    fn name(&self) -> String {
        "residuals".into()
    }
    fn caption(&self) -> String {
        format!(
            "Residuals x − x̂ of the autoencoder reconstructions ({}), 2-D histograms against \
             rest-frame wavelength and against log10 inverse variance; colour: log10 pixel count; \
             only pixels with w > 0",
            self.subset
        )
    }
    fn size_in(&self) -> (f64, f64) {
        (7.5, 3.0)
    }
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: Ctx,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        if self.vs_wavelength.total == 0 {
            return Err(FigureError::NoData(
                "no pixels in the residual histogram".into(),
            ));
        }
        let max = |h: &Histogram2d| {
            coarsen(h, 250, 80)
                .2
                .iter()
                .flatten()
                .copied()
                .max()
                .unwrap_or(1)
        };
        let log_max = (max(&self.vs_wavelength).max(max(&self.vs_ivar)).max(2) as f64).log10();
        let (w, _) = root.dim_in_pixel();
        let (panels, bar) = root.split_horizontally(w - ctx.pxu(50.0));
        let (pw, _) = panels.dim_in_pixel();
        let (left, right) = panels.split_horizontally((pw as f64 * 0.6) as u32);
        panel(&left, ctx, &self.vs_wavelength, log_max)?;
        panel(&right, ctx, &self.vs_ivar, log_max)?;
        colour_bar(&bar, ctx, 0.0, log_max, "log10 count", &viridis)?;
        Ok(())
    }
}
