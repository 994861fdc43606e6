//! Portillo et al.'s comparison figure: validation loss against latent dimension for each
//! method, overall and per galaxy class (one panel each; a linear loss axis fitted to each
//! panel, as the methods differ by percents at one dimension and by ×10 across several).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::render::{Ctx, Figure, FigureError};
use super::style::over_white;
use crate::compare::{Method, RunResult};
use crate::model::ModelKind;

pub struct ComparisonFigure {
    pub results: Vec<RunResult>,
}

fn colour(m: Method) -> RGBColor {
    match m {
        Method::Pca => RGBColor(90, 90, 90),
        Method::Model(ModelKind::Ae) => RGBColor(0, 114, 178),
        Method::Model(ModelKind::Vae) => RGBColor(213, 94, 0),
        Method::Model(ModelKind::InfoVae) => RGBColor(0, 158, 115),
    }
}

impl ComparisonFigure {
    /// Panel titles: "all", then each class with results, in the order first met.
    fn panels(&self) -> Vec<String> {
        let mut v = vec!["all".to_string()];
        for r in &self.results {
            for c in &r.per_class {
                if !v.contains(&c.class) {
                    v.push(c.class.clone());
                }
            }
        }
        v.truncate(6);
        v
    }

    /// (latent, loss) of `method` in `panel`, by latent.
    fn series(&self, method: Method, panel: &str) -> Vec<(f64, f64)> {
        let mut v: Vec<(f64, f64)> = self
            .results
            .iter()
            .filter(|r| r.method == method)
            .filter_map(|r| {
                let loss = if panel == "all" {
                    Some(r.valid_loss)
                } else {
                    r.per_class
                        .iter()
                        .find(|c| c.class == panel)
                        .map(|c| c.loss)
                };
                loss.filter(|l| l.is_finite() && *l > 0.0)
                    .map(|l| (r.latent as f64, l))
            })
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    }
}

impl Figure for ComparisonFigure {
    fn name(&self) -> String {
        "comparison".into()
    }
    fn caption(&self) -> String {
        "Validation loss Σ w (x − x̂)² against latent dimension, per method, overall and per \
         galaxy class"
            .into()
    }
    fn size_in(&self) -> (f64, f64) {
        (7.0, 4.4)
    }
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: Ctx,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        if self.results.is_empty() {
            return Err(FigureError::NoData("no comparison runs".into()));
        }
        let mut methods: Vec<Method> = vec![];
        for r in &self.results {
            if !methods.contains(&r.method) {
                methods.push(r.method);
            }
        }
        let latents: Vec<f64> = self.results.iter().map(|r| r.latent as f64).collect();
        let (x0, x1) = (
            latents.iter().cloned().fold(f64::INFINITY, f64::min),
            latents.iter().cloned().fold(0.0, f64::max),
        );
        let pad = ((x1 - x0) * 0.08).max(0.5);
        let panels = self.panels();
        let areas = root.split_evenly((2, 3));
        for (panel, area) in panels.iter().zip(areas.iter()) {
            let all: Vec<f64> = methods
                .iter()
                .flat_map(|&m| self.series(m, panel))
                .map(|(_, l)| l)
                .collect();
            if all.is_empty() {
                continue;
            }
            let lo = all.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = all.iter().cloned().fold(0.0, f64::max);
            let margin = ((hi - lo) * 0.12).max(hi * 0.02);
            let mut chart = ChartBuilder::on(area)
                .caption(panel, ctx.font(8.0))
                .margin(ctx.px(5.0))
                .x_label_area_size(ctx.px(20.0))
                .y_label_area_size(ctx.px(38.0))
                .build_cartesian_2d(x0 - pad..x1 + pad, (lo - margin).max(0.0)..hi + margin)?;
            chart
                .configure_mesh()
                .light_line_style(WHITE)
                .bold_line_style(over_white(BLACK, 0.12))
                // Latent dimensions are whole numbers: label only those.
                .x_label_formatter(&|v| {
                    if (v - v.round()).abs() < 1e-6 {
                        format!("{v:.0}")
                    } else {
                        String::new()
                    }
                })
                .y_label_formatter(&|v| format!("{v:.0}"))
                .x_desc("latent dimension")
                .label_style(ctx.font(6.5))
                .axis_desc_style(ctx.font(7.0))
                .draw()?;
            for &m in &methods {
                let pts = self.series(m, panel);
                let c = colour(m);
                chart
                    .draw_series(LineSeries::new(pts.clone(), c.stroke_width(ctx.pxu(1.2))))?
                    .label(m.label())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 12, y)], c.stroke_width(2))
                    });
                chart.draw_series(
                    pts.iter()
                        .map(|&p| Circle::new(p, ctx.pxu(2.0), c.filled())),
                )?;
            }
            if panel == "all" {
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.9))
                    .border_style(over_white(BLACK, 0.3))
                    .label_font(ctx.font(6.5))
                    .position(SeriesLabelPosition::UpperRight)
                    .draw()?;
            }
        }
        Ok(())
    }
}
