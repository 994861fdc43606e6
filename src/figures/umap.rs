//! The UMAP embedding (Portillo et al. Figure 3), coloured by class or by a numeric column
//! with a colour bar. Points are binned into a fine grid of cells (each cell takes the
//! count-weighted class colour, or the mean value), so a 64k-point map stays a small file.

use ndarray::Array2;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::cells::{Cells, class_legend, draw_legend};
use super::render::{Ctx, Figure, FigureError};
use super::style::viridis;
use crate::data::GalaxyClass;
use crate::util::stats::robust_range;

pub enum Colouring {
    Class(Vec<GalaxyClass>),
    Numeric { label: String, values: Vec<f64> },
}

pub struct UmapFigure {
    pub embedding: Array2<f32>,
    pub colouring: Colouring,
    /// Cells across the longer axis.
    pub bins: usize,
}

/// Draws a vertical colour bar from `lo` to `hi` with `label`.
pub fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: Ctx,
    lo: f64,
    hi: f64,
    label: &str,
    colour: &dyn Fn(f64) -> RGBColor,
) -> Result<(), FigureError>
where
    DB::ErrorType: 'static,
{
    let mut bar = ChartBuilder::on(area)
        .margin_top(ctx.px(10.0))
        .margin_bottom(ctx.px(30.0))
        .margin_right(ctx.px(4.0))
        .y_label_area_size(0)
        .right_y_label_area_size(ctx.px(34.0))
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(label)
        .label_style(ctx.font(6.5))
        .axis_desc_style(ctx.font(7.5))
        .draw()?;
    let steps = 64;
    bar.draw_series((0..steps).map(|i| {
        let (a, b) = (
            lo + (hi - lo) * i as f64 / steps as f64,
            lo + (hi - lo) * (i + 1) as f64 / steps as f64,
        );
        let t = (i as f64 + 0.5) / steps as f64;
        Rectangle::new([(0.0, a), (1.0, b)], colour(t).filled())
    }))?;
    Ok(())
}

impl Figure for UmapFigure {
    fn name(&self) -> String {
        match &self.colouring {
            Colouring::Class(_) => "umap_class".into(),
            Colouring::Numeric { label, .. } => format!(
                "umap_{}",
                label
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    })
                    .collect::<String>()
                    .trim_matches('_')
            ),
        }
    }
    fn caption(&self) -> String {
        match &self.colouring {
            Colouring::Class(_) => {
                "UMAP of the latents (n_neighbors 15, min_dist 0.1), coloured by class".into()
            }
            Colouring::Numeric { label, .. } => {
                format!(
                    "UMAP of the latents, coloured by {label} (cell means; 2–98th percentile range)"
                )
            }
        }
    }
    fn size_in(&self) -> (f64, f64) {
        (5.0, 4.2)
    }
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: Ctx,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        let e = &self.embedding;
        let n = e.nrows();
        if n == 0 || e.ncols() < 2 {
            return Err(FigureError::NoData("empty embedding".into()));
        }
        let xs: Vec<f64> = e.column(0).iter().map(|&v| v as f64).collect();
        let ys: Vec<f64> = e.column(1).iter().map(|&v| v as f64).collect();
        let (x0, x1) = robust_range(&xs, 0.0, 1.0)
            .ok_or_else(|| FigureError::NoData("no finite points".into()))?;
        let (y0, y1) = robust_range(&ys, 0.0, 1.0)
            .ok_or_else(|| FigureError::NoData("no finite points".into()))?;
        let pad = |a: f64, b: f64| ((b - a) * 0.03, a, b);
        let (px, x0, x1) = pad(x0, x1);
        let (py, y0, y1) = pad(y0, y1);
        let (x0, x1, y0, y1) = (x0 - px, x1 + px, y0 - py, y1 + py);
        let (main, side) = match self.colouring {
            Colouring::Class(_) => (root.clone(), None),
            Colouring::Numeric { .. } => {
                let (w, _) = root.dim_in_pixel();
                let (a, b) = root.split_horizontally(w - ctx.pxu(52.0));
                (a, Some(b))
            }
        };
        let mut chart = ChartBuilder::on(&main)
            .margin(ctx.px(8.0))
            .x_label_area_size(ctx.px(24.0))
            .y_label_area_size(ctx.px(30.0))
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("UMAP 1")
            .y_desc("UMAP 2")
            .label_style(ctx.font(7.0))
            .axis_desc_style(ctx.font(8.0))
            .draw()?;
        let cells = Cells {
            x: (x0, x1),
            y: (y0, y1),
            nb: self.bins.max(10),
        };
        let nb = cells.nb;
        match &self.colouring {
            Colouring::Class(classes) => {
                let class_of =
                    |k: usize| classes.get(k).copied().unwrap_or(GalaxyClass::Unclassified);
                chart.draw_series(
                    cells.by_class((0..n).map(|k| ((xs[k], ys[k]), class_of(k))), 0.35),
                )?;
                class_legend(&mut chart, classes)?;
                draw_legend(&mut chart, ctx, SeriesLabelPosition::UpperLeft)?;
            }
            Colouring::Numeric { label, values } => {
                let (lo, hi) = robust_range(values, 0.02, 0.98)
                    .ok_or_else(|| FigureError::NoData(format!("no finite values of {label}")))?;
                let mut sum = vec![0f64; nb * nb];
                let mut cnt = vec![0u32; nb * nb];
                for k in 0..n {
                    let v = values.get(k).copied().unwrap_or(f64::NAN);
                    if let (Some(c), true) = (cells.of(xs[k], ys[k]), v.is_finite()) {
                        sum[c] += v;
                        cnt[c] += 1;
                    }
                }
                chart.draw_series(
                    (0..nb * nb)
                        .filter(|&c| cnt[c] > 0)
                        .map(|c| cells.rect(c, viridis((sum[c] / cnt[c] as f64 - lo) / (hi - lo)))),
                )?;
                if let Some(side) = side {
                    colour_bar(&side, ctx, lo, hi, label, &viridis)?;
                }
            }
        }
        Ok(())
    }
}
