//! Spectral indices of a survey, by class: the Dn4000–Hδ_A plane of Kauffmann et al. (2003)
//! and the Mg b–Fe5270 plane, with reference galaxies (real SDSS spectra) marked on top.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::render::{Ctx, Figure, FigureError};
use super::style::{blend_classes, class_colour, over_white};
use crate::analysis::indices::Indices;
use crate::data::GalaxyClass;

pub struct IndicesFigure {
    pub indices: Vec<Indices>,
    pub classes: Vec<GalaxyClass>,
    /// Labelled galaxies drawn as black markers (e.g. real SDSS spectra).
    pub marked: Vec<(String, Indices)>,
    /// What the survey is, for the caption.
    pub survey: String,
}

type Pick = fn(&Indices) -> (f64, f64);

impl IndicesFigure {
    #[allow(clippy::too_many_arguments)]
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        ctx: Ctx,
        pick: Pick,
        x: (f64, f64, &str),
        y: (f64, f64, &str),
        legend: bool,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        let (x0, x1, xl) = x;
        let (y0, y1, yl) = y;
        let mut chart = ChartBuilder::on(area)
            .margin(ctx.px(8.0))
            .x_label_area_size(ctx.px(24.0))
            .y_label_area_size(ctx.px(30.0))
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(xl)
            .y_desc(yl)
            .label_style(ctx.font(7.0))
            .axis_desc_style(ctx.font(8.0))
            .draw()?;
        let nb = 70usize;
        let nc = GalaxyClass::ALL.len();
        let mut counts = vec![0u32; nb * nb * nc];
        for (i, c) in self.indices.iter().zip(&self.classes) {
            let (x, y) = pick(i);
            let (fx, fy) = ((x - x0) / (x1 - x0), (y - y0) / (y1 - y0));
            if (0.0..1.0).contains(&fx) && (0.0..1.0).contains(&fy) {
                let cell = (fy * nb as f64) as usize * nb + (fx * nb as f64) as usize;
                counts[cell * nc + c.index()] += 1;
            }
        }
        let max = (0..nb * nb)
            .map(|c| counts[c * nc..(c + 1) * nc].iter().sum::<u32>())
            .max()
            .unwrap_or(1)
            .max(1);
        let (dx, dy) = ((x1 - x0) / nb as f64, (y1 - y0) / nb as f64);
        chart.draw_series((0..nb * nb).filter_map(|c| {
            let cc = &counts[c * nc..(c + 1) * nc];
            let col = blend_classes(cc)?;
            let tot: u32 = cc.iter().sum();
            let a = 0.25 + 0.75 * ((1.0 + tot as f64).ln() / (1.0 + max as f64).ln());
            let (i, j) = ((c % nb) as f64, (c / nb) as f64);
            Some(Rectangle::new(
                [
                    (x0 + i * dx, y0 + j * dy),
                    (x0 + (i + 1.0) * dx, y0 + (j + 1.0) * dy),
                ],
                over_white(col, a).filled(),
            ))
        }))?;
        for (label, i) in &self.marked {
            let (x, y) = pick(i);
            if x.is_finite() && y.is_finite() {
                chart.draw_series(std::iter::once(TriangleMarker::new(
                    (x, y),
                    ctx.px(4.0),
                    BLACK.filled(),
                )))?;
                chart.draw_series(std::iter::once(Text::new(
                    label.clone(),
                    (x + 0.012 * (x1 - x0), y),
                    ctx.font(6.0),
                )))?;
            }
        }
        if legend {
            for class in GalaxyClass::ALL {
                let m = self.classes.iter().filter(|&&c| c == class).count();
                if m == 0 {
                    continue;
                }
                let col = class_colour(class);
                chart
                    .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
                    .label(format!("{} ({m})", class.label()))
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 4), (x + 9, y + 4)], col.filled())
                    });
            }
            if !self.marked.is_empty() {
                chart
                    .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
                    .label("real SDSS galaxies")
                    .legend(move |(x, y)| TriangleMarker::new((x + 4, y), 4, BLACK.filled()));
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(over_white(BLACK, 0.3))
                .label_font(ctx.font(6.5))
                .position(SeriesLabelPosition::UpperRight)
                .draw()?;
        }
        Ok(())
    }
}

impl Figure for IndicesFigure {
    fn name(&self) -> String {
        "spectral_indices".into()
    }
    fn caption(&self) -> String {
        format!(
            "Dn4000 vs Hδ_A (as Kauffmann et al. 2003, Fig. 2) and Mg b vs Fe5270 of {}, measured on the 1000-bin rest-frame grid; cells coloured by class",
            self.survey
        )
    }
    fn size_in(&self) -> (f64, f64) {
        (9.0, 4.0)
    }
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: Ctx,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        if self.indices.is_empty() {
            return Err(FigureError::NoData("no spectra with indices".into()));
        }
        root.fill(&WHITE)?;
        let (w, _) = root.dim_in_pixel();
        let (left, right) = root.split_horizontally(w / 2);
        self.panel(
            &left,
            ctx,
            |i| (i.dn4000, i.hdelta_a),
            (0.9, 2.4, "Dn4000"),
            (-7.0, 10.0, "Hδ_A (Å)"),
            true,
        )?;
        self.panel(
            &right,
            ctx,
            |i| (i.fe5270, i.mg_b),
            (-1.0, 5.0, "Fe5270 (Å)"),
            (-1.0, 6.0, "Mg b (Å)"),
            false,
        )?;
        Ok(())
    }
}
