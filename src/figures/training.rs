//! Training curves: train and validation loss per epoch on a log axis, LR drops and the
//! early stop marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::render::{Ctx, Figure, FigureError};
use super::style::over_white;
use crate::train::EpochRecord;

pub struct TrainingCurves {
    pub history: Vec<EpochRecord>,
    /// The run ended by early stopping (not by the epoch cap or a user stop).
    pub stopped_early: bool,
}

impl Figure for TrainingCurves {
    fn name(&self) -> String {
        "training_curves".into()
    }
    fn caption(&self) -> String {
        "Training and validation loss per epoch (log scale); dashed: learning-rate drops; \
         circle: best validation epoch"
            .into()
    }
    fn size_in(&self) -> (f64, f64) {
        (4.5, 3.2)
    }
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: Ctx,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        let h = &self.history;
        if h.is_empty() {
            return Err(FigureError::NoData("the training history is empty".into()));
        }
        let vals: Vec<f64> = h
            .iter()
            .flat_map(|r| [r.train_loss, r.valid_loss])
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        let lo = vals.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().cloned().fold(0.0, f64::max);
        if vals.is_empty() {
            return Err(FigureError::NoData("no finite losses".into()));
        }
        let n = h.len() as f64;
        let mut chart = ChartBuilder::on(root)
            .margin(ctx.px(8.0))
            .x_label_area_size(ctx.px(26.0))
            .y_label_area_size(ctx.px(44.0))
            .build_cartesian_2d(0.5..n + 0.5, (lo / 1.15..hi * 1.15).log_scale())?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .bold_line_style(over_white(BLACK, 0.12))
            .x_desc("epoch")
            .y_desc("loss  Σ w (x − x̂)²")
            .label_style(ctx.font(7.0))
            .axis_desc_style(ctx.font(8.0))
            .draw()?;
        let grey = over_white(BLACK, 0.45);
        for r in h.iter().filter(|r| r.lr_dropped) {
            let x = r.epoch as f64 + 0.5;
            chart.draw_series(DashedLineSeries::new(
                vec![(x, lo / 1.15), (x, hi * 1.15)],
                ctx.pxu(3.0),
                ctx.pxu(2.0),
                grey.stroke_width(ctx.pxu(0.6)),
            ))?;
            chart.draw_series(std::iter::once(Text::new(
                "LR ÷10",
                (x + 0.2, hi * 1.05),
                ctx.font(6.0),
            )))?;
        }
        let train = RGBColor(0, 114, 178);
        let valid = RGBColor(213, 94, 0);
        let series = |f: fn(&EpochRecord) -> f64| -> Vec<(f64, f64)> {
            h.iter()
                .map(|r| (r.epoch as f64, f(r)))
                .filter(|(_, v)| v.is_finite() && *v > 0.0)
                .collect()
        };
        chart
            .draw_series(LineSeries::new(
                series(|r| r.train_loss),
                train.stroke_width(ctx.pxu(1.2)),
            ))?
            .label("train")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 14, y)], train.stroke_width(2))
            });
        chart
            .draw_series(LineSeries::new(
                series(|r| r.valid_loss),
                valid.stroke_width(ctx.pxu(1.2)),
            ))?
            .label("validation")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 14, y)], valid.stroke_width(2))
            });
        if let Some(b) = h.iter().rev().find(|r| r.best) {
            chart.draw_series(std::iter::once(Circle::new(
                (b.epoch as f64, b.valid_loss),
                ctx.pxu(3.0),
                valid.stroke_width(ctx.pxu(1.0)),
            )))?;
        }
        if self.stopped_early {
            let last = &h[h.len() - 1];
            chart.draw_series(std::iter::once(Text::new(
                "early stop",
                (
                    last.epoch as f64 - 0.2 * n.min(10.0),
                    last.valid_loss * 1.25,
                ),
                ctx.font(6.5),
            )))?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(over_white(BLACK, 0.3))
            .label_font(ctx.font(7.0))
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
        Ok(())
    }
}
