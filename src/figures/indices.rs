//! Spectral indices of a survey, by class: the Dn4000–Hδ_A plane of Kauffmann et al. (2003)
//! and the Mg b–Fe5270 plane, with reference galaxies (real SDSS spectra) marked on top.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::cells::{Cells, class_legend, draw_legend};
use super::render::{Ctx, Figure, FigureError};
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

/// Where SDSS galaxies sit, drawn as dashed boxes: (x range, y range, label) in each panel.
/// Dn4000–Hδ_A: the old (quiescent) and young (star-forming) loci of Kauffmann et al. (2003,
/// Fig. 2, 10–90% of their sample's two peaks); Fe5270–Mg b: early types of σ ≈ 150–250 km/s
/// (Trager et al. 1998; Bernardi et al. 2003).
/// A published locus: x range, y range, label.
type Locus = ((f64, f64), (f64, f64), &'static str);

const PUBLISHED_DN_HD: [Locus; 2] = [
    ((1.7, 2.1), (-4.0, 0.5), "SDSS quiescent"),
    ((1.1, 1.45), (2.0, 7.0), "SDSS star-forming"),
];
const PUBLISHED_FE_MG: [Locus; 1] = [((2.5, 3.1), (3.5, 4.5), "SDSS early types")];

impl IndicesFigure {
    #[allow(clippy::too_many_arguments)]
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        ctx: Ctx,
        pick: Pick,
        x: (f64, f64, &str),
        y: (f64, f64, &str),
        published: &[Locus],
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
        let cells = Cells {
            x: (x0, x1),
            y: (y0, y1),
            nb: 70,
        };
        let points = self
            .indices
            .iter()
            .zip(&self.classes)
            .map(|(i, &c)| (pick(i), c));
        chart.draw_series(cells.by_class(points, 0.25))?;
        for &((xa, xb), (ya, yb), label) in published {
            let corners = [(xa, ya), (xb, ya), (xb, yb), (xa, yb), (xa, ya)];
            chart.draw_series(DashedLineSeries::new(
                corners,
                ctx.px(4.0) as u32,
                ctx.px(3.0) as u32,
                BLACK.stroke_width(ctx.px(1.0) as u32),
            ))?;
            chart.draw_series(std::iter::once(Text::new(
                label,
                (xa, yb + 0.01 * (y1 - y0)),
                ctx.font(6.0),
            )))?;
        }
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
            class_legend(&mut chart, &self.classes)?;
            if !self.marked.is_empty() {
                chart
                    .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
                    .label("real SDSS galaxies")
                    .legend(move |(x, y)| TriangleMarker::new((x + 4, y), 4, BLACK.filled()));
            }
            draw_legend(&mut chart, ctx, SeriesLabelPosition::UpperRight)?;
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
            "Dn4000 vs Hδ_A (as Kauffmann et al. 2003, Fig. 2) and Mg b vs Fe5270 of {}, measured on the 1000-bin rest-frame grid; cells coloured by class; dashed boxes: where SDSS galaxies sit (Kauffmann et al. 2003; Trager et al. 1998; Bernardi et al. 2003)",
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
            &PUBLISHED_DN_HD,
            true,
        )?;
        self.panel(
            &right,
            ctx,
            |i| (i.fe5270, i.mg_b),
            (-1.0, 5.0, "Fe5270 (Å)"),
            (-1.0, 6.0, "Mg b (Å)"),
            &PUBLISHED_FE_MG,
            false,
        )?;
        Ok(())
    }
}
