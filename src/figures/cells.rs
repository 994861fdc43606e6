//! Bulk points drawn as a grid of cells (so a 64k-point plot stays a small vector file): the
//! cell of a point, a cell's rectangle, class-blended cells and the class legend, shared by the
//! UMAP and spectral-index figures.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::render::{Ctx, FigureError};
use super::style::{blend_classes, class_colour, over_white};
use crate::data::GalaxyClass;

/// `nb` × `nb` cells over `[x0, x1) × [y0, y1)`.
#[derive(Clone, Copy, Debug)]
pub struct Cells {
    pub x: (f64, f64),
    pub y: (f64, f64),
    pub nb: usize,
}

impl Cells {
    /// The cell holding `(x, y)`, `None` outside (or not finite).
    pub fn of(&self, x: f64, y: f64) -> Option<usize> {
        if !(x.is_finite() && y.is_finite()) {
            return None;
        }
        let ((x0, x1), (y0, y1), nb) = (self.x, self.y, self.nb);
        let i = ((x - x0) / (x1 - x0) * nb as f64).floor() as isize;
        let j = ((y - y0) / (y1 - y0) * nb as f64).floor() as isize;
        (i >= 0 && j >= 0 && (i as usize) < nb && (j as usize) < nb)
            .then(|| j as usize * nb + i as usize)
    }

    /// Cell `c` filled with `colour`.
    pub fn rect(&self, c: usize, colour: RGBColor) -> Rectangle<(f64, f64)> {
        let ((x0, x1), (y0, y1), nb) = (self.x, self.y, self.nb);
        let (i, j) = ((c % nb) as f64, (c / nb) as f64);
        let (dx, dy) = ((x1 - x0) / nb as f64, (y1 - y0) / nb as f64);
        Rectangle::new(
            [
                (x0 + i * dx, y0 + j * dy),
                (x0 + (i + 1.0) * dx, y0 + (j + 1.0) * dy),
            ],
            colour.filled(),
        )
    }

    /// Each non-empty cell in the count-weighted colour of its points' classes, more opaque
    /// where denser: opacity from `floor` (one point) to 1 (the densest cell), log-scaled.
    pub fn by_class(
        &self,
        points: impl IntoIterator<Item = ((f64, f64), GalaxyClass)>,
        floor: f64,
    ) -> Vec<Rectangle<(f64, f64)>> {
        let (nb, nc) = (self.nb, GalaxyClass::ALL.len());
        let mut counts = vec![0u32; nb * nb * nc];
        for ((x, y), class) in points {
            if let Some(c) = self.of(x, y) {
                counts[c * nc + class.index()] += 1;
            }
        }
        let max = (0..nb * nb)
            .map(|c| counts[c * nc..(c + 1) * nc].iter().sum::<u32>())
            .max()
            .unwrap_or(1)
            .max(1);
        (0..nb * nb)
            .filter_map(|c| {
                let cc = &counts[c * nc..(c + 1) * nc];
                let col = blend_classes(cc)?;
                let tot: u32 = cc.iter().sum();
                let a = floor + (1.0 - floor) * ((1.0 + tot as f64).ln() / (1.0 + max as f64).ln());
                Some(self.rect(c, over_white(col, a)))
            })
            .collect()
    }
}

/// A chart on plain f64 axes.
pub type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Legend entries "class (count)" for every class among `classes`.
pub fn class_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    classes: &[GalaxyClass],
) -> Result<(), FigureError>
where
    DB::ErrorType: 'static,
{
    for class in GalaxyClass::ALL {
        let m = classes.iter().filter(|&&c| c == class).count();
        if m == 0 {
            continue;
        }
        let col = class_colour(class);
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
            .label(format!("{} ({m})", class.label()))
            .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 9, y + 4)], col.filled()));
    }
    Ok(())
}

/// Draws the legend box at `position`.
pub fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    ctx: Ctx,
    position: SeriesLabelPosition,
) -> Result<(), FigureError>
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(over_white(BLACK, 0.3))
        .label_font(ctx.font(6.5))
        .position(position)
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_outside_the_range_or_not_finite_have_no_cell() {
        let c = Cells {
            x: (0.0, 1.0),
            y: (0.0, 2.0),
            nb: 10,
        };
        assert_eq!(c.of(0.0, 0.0), Some(0));
        assert_eq!(c.of(0.95, 1.95), Some(99));
        assert_eq!(c.of(0.15, 0.25), Some(11));
        // Just below the lower edge truncates to 0 but is outside.
        assert_eq!(c.of(-0.01, 0.5), None);
        assert_eq!(c.of(1.0, 0.5), None);
        assert_eq!(c.of(f64::NAN, 0.5), None);
        let r = c.by_class([((0.05, 0.1), GalaxyClass::Quiescent); 3], 0.3);
        assert_eq!(r.len(), 1);
    }
}
