//! Corner plot of the latents (Portillo et al. Figure 2): lower triangle of 2-D class-coloured
//! densities, class-stacked 1-D histograms on the diagonal, labelled axes and a legend.

use ndarray::Array2;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::render::{Ctx, Figure, FigureError};
use super::style::{blend_classes, class_colour, over_white};
use crate::data::GalaxyClass;
use crate::util::stats::robust_range;

pub struct CornerFigure {
    pub latents: Array2<f32>,
    pub classes: Vec<GalaxyClass>,
    pub bins: usize,
}

impl Figure for CornerFigure {
    fn name(&self) -> String {
        "corner".into()
    }
    fn caption(&self) -> String {
        format!(
            "Corner plot of the {} latents: 2-D densities coloured by class (cell colour = \
             count-weighted class colour, shade = log density), class-stacked histograms on the diagonal",
            self.latents.ncols()
        )
    }
    fn size_in(&self) -> (f64, f64) {
        (7.0, 7.0)
    }
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: Ctx,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        let (n, k) = self.latents.dim();
        if n == 0 || k == 0 {
            return Err(FigureError::NoData("no latents".into()));
        }
        let nb = self.bins.max(8);
        let nc = GalaxyClass::ALL.len();
        let ranges: Vec<(f64, f64)> = (0..k)
            .map(|j| {
                let v: Vec<f64> = self.latents.column(j).iter().map(|&x| x as f64).collect();
                robust_range(&v, 0.005, 0.995).unwrap_or((-1.0, 1.0))
            })
            .collect();
        let bin = |j: usize, v: f32| -> Option<usize> {
            let (lo, hi) = ranges[j];
            let b = ((v as f64 - lo) / (hi - lo) * nb as f64).floor();
            (b >= 0.0 && b < nb as f64).then_some(b as usize)
        };
        let class_idx: Vec<usize> = (0..n)
            .map(|i| self.classes.get(i).map_or(nc - 1, |c| c.index()))
            .collect();
        let panels = root.split_evenly((k, k));
        for r in 0..k {
            for c in 0..k {
                let area = &panels[r * k + c];
                if c > r {
                    continue;
                }
                let (x0, x1) = ranges[c];
                let bottom = r == k - 1;
                let left = c == 0;
                let mut builder = ChartBuilder::on(area);
                builder
                    .margin(ctx.px(1.5))
                    .x_label_area_size(ctx.px(if bottom { 22.0 } else { 0.0 }))
                    .y_label_area_size(ctx.px(if left { 26.0 } else { 0.0 }));
                if r == c {
                    // 1-D histograms stacked by class.
                    let mut h = vec![0u32; nb * nc];
                    for i in 0..n {
                        if let Some(b) = bin(c, self.latents[[i, c]]) {
                            h[b * nc + class_idx[i]] += 1;
                        }
                    }
                    let max = (0..nb)
                        .map(|b| h[b * nc..(b + 1) * nc].iter().sum::<u32>())
                        .max()
                        .unwrap_or(1)
                        .max(1);
                    let mut ch = builder.build_cartesian_2d(x0..x1, 0.0..max as f64 * 1.05)?;
                    let mut mesh = ch.configure_mesh();
                    mesh.disable_mesh()
                        .x_labels(3)
                        .y_labels(0)
                        .label_style(ctx.font(5.5))
                        .axis_desc_style(ctx.font(7.5));
                    if bottom {
                        mesh.x_desc(format!("z{c}"));
                    } else {
                        mesh.x_labels(0);
                    }
                    mesh.draw()?;
                    let dx = (x1 - x0) / nb as f64;
                    ch.draw_series((0..nb).flat_map(|b| {
                        let mut base = 0u32;
                        (0..nc)
                            .filter_map(|ci| {
                                let m = h[b * nc + ci];
                                if m == 0 {
                                    return None;
                                }
                                let rect = Rectangle::new(
                                    [
                                        (x0 + b as f64 * dx, base as f64),
                                        (x0 + (b + 1) as f64 * dx, (base + m) as f64),
                                    ],
                                    class_colour(GalaxyClass::ALL[ci]).filled(),
                                );
                                base += m;
                                Some(rect)
                            })
                            .collect::<Vec<_>>()
                    }))?;
                    continue;
                }
                let (y0, y1) = ranges[r];
                let mut ch = builder.build_cartesian_2d(x0..x1, y0..y1)?;
                let mut mesh = ch.configure_mesh();
                mesh.disable_mesh()
                    .x_labels(3)
                    .y_labels(3)
                    .label_style(ctx.font(5.5))
                    .axis_desc_style(ctx.font(7.5));
                if bottom {
                    mesh.x_desc(format!("z{c}"));
                } else {
                    mesh.x_labels(0);
                }
                if left {
                    mesh.y_desc(format!("z{r}"));
                } else {
                    mesh.y_labels(0);
                }
                mesh.draw()?;
                let mut counts = vec![0u32; nb * nb * nc];
                for i in 0..n {
                    if let (Some(bx), Some(by)) =
                        (bin(c, self.latents[[i, c]]), bin(r, self.latents[[i, r]]))
                    {
                        counts[(by * nb + bx) * nc + class_idx[i]] += 1;
                    }
                }
                let tot = |cell: usize| counts[cell * nc..(cell + 1) * nc].iter().sum::<u32>();
                let max = (0..nb * nb).map(tot).max().unwrap_or(1).max(1);
                let (dx, dy) = ((x1 - x0) / nb as f64, (y1 - y0) / nb as f64);
                ch.draw_series((0..nb * nb).filter_map(|cell| {
                    let t = tot(cell);
                    if t == 0 {
                        return None;
                    }
                    let col = blend_classes(&counts[cell * nc..(cell + 1) * nc])?;
                    let t = t as f64;
                    let a = 0.15 + 0.85 * ((1.0 + t).ln() / (1.0 + max as f64).ln());
                    let (bx, by) = ((cell % nb) as f64, (cell / nb) as f64);
                    Some(Rectangle::new(
                        [
                            (x0 + bx * dx, y0 + by * dy),
                            (x0 + (bx + 1.0) * dx, y0 + (by + 1.0) * dy),
                        ],
                        over_white(col, a).filled(),
                    ))
                }))?;
            }
        }
        // Legend in the empty upper triangle.
        if k >= 2 {
            let legend = &panels[k - 2];
            let mut y = ctx.px(10.0);
            for class in GalaxyClass::ALL {
                let m = self.classes.iter().filter(|&&c| c == class).count();
                if m == 0 {
                    continue;
                }
                legend.draw(&Rectangle::new(
                    [
                        (ctx.px(4.0), y - ctx.px(3.5)),
                        (ctx.px(12.0), y + ctx.px(3.5)),
                    ],
                    class_colour(class).filled(),
                ))?;
                legend.draw(&Text::new(
                    format!("{} ({m})", class.label()),
                    (ctx.px(16.0), y - ctx.px(4.0)),
                    ctx.font(6.0),
                ))?;
                y += ctx.px(11.0);
            }
        }
        Ok(())
    }
}
