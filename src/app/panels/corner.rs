//! Corner plot of the latents: a 6 × 6 lower triangle of 2-D densities (one small texture per
//! cell, coloured by the chosen column) with class-stacked histograms on the diagonal (and a
//! VAE's prior N(0, 1) over them as the counts it predicts); the
//! selection, the labelled galaxies (rings coloured by interest), the inspected galaxy and the slider spectrum are drawn on top. Click a cell to
//! enlarge it; click a point in the enlarged cell to inspect it.
//!
//! The cells are binned by a background task whenever the latents or colours change (every
//! epoch while training; see `corner_bins`); the cells on screen stay until the new ones are
//! ready, drawn with the ranges they were binned with.

use eframe::egui::{self, Color32, Pos2, Rect, Sense, Stroke, TextureOptions};

use super::panel::{Panel, PanelCx, waiting_ui};
use crate::app::colouring::class_colour32;
use crate::app::colouring::{MAX_LABEL_MARKERS, label_marker_colour};
use crate::app::commands::AppCommand;
use crate::app::corner_bins::{CornerBins, CornerKey, HIST_BINS};
use crate::app::raster::density_image;
use crate::data::GalaxyClass;

/// Most selected galaxies drawn in each of the 15 cells: every one of them is a shape
/// tessellated every frame (2,560 a cell took 15 ms a frame at 256,000 spectra with the top
/// 1% selected).
const SELECTION_MARKERS_PER_CELL: usize = 500;

/// Bins per side of an enlarged cell.
const BIG_BINS: usize = 200;

#[derive(Default)]
pub struct CornerPanel {
    /// (row, column) of the enlarged cell.
    pub enlarged: Option<(usize, usize)>,
    cells: Vec<((usize, usize), egui::TextureHandle)>,
    big: Option<((usize, usize), egui::TextureHandle)>,
    /// What the cells on screen were computed from.
    key: Option<CornerKey>,
    /// The latent ranges the cells on screen were binned with.
    range: Vec<(f32, f32)>,
    big_key: Option<(u64, u64, usize, usize)>,
    /// Per dimension: per bin, counts per class.
    hists: Vec<Vec<[u32; 5]>>,
    /// Screen rectangles of the cells drawn last frame.
    pub cell_rects: Vec<((usize, usize), Rect)>,
    /// The bins for the latents and colours on screen are not in yet.
    computing: bool,
}

impl CornerPanel {
    /// New cells are being binned (the ones on screen are from older latents or colours).
    pub fn is_computing(&self) -> bool {
        self.computing
    }

    /// Makes textures of newly binned cells.
    fn install(&mut self, ctx: &egui::Context, bins: &CornerBins) {
        self.cells = bins
            .cells
            .iter()
            .map(|((row, col), img)| {
                let tex = ctx.load_texture(
                    format!("corner-{row}-{col}"),
                    img.clone(),
                    TextureOptions::NEAREST,
                );
                ((*row, *col), tex)
            })
            .collect();
        self.hists = bins.hists.clone();
        self.range = bins.range.clone();
        self.key = Some(bins.key);
        self.big_key = None;
    }
}

impl Panel for CornerPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        let Some(l) = cx.session.latents.as_ref() else {
            waiting_ui(
                ui,
                cx.busy(),
                "the latent corner plot appears once the spectra are encoded",
            );
            return;
        };
        let wanted = (cx.session.latents_gen, cx.views.colours_gen);
        if let Some(bins) = &cx.views.corner
            && self.key != Some(bins.key)
        {
            self.install(ui.ctx(), bins);
        }
        self.computing = self.key != Some(wanted);
        let k = l.z.ncols();
        if self.range.len() != k {
            waiting_ui(ui, true, "binning the latents for the corner plot");
            return;
        }
        // Marks and picking use the ranges the cells on screen were binned with.
        let ranges = self.range.clone();
        // No header line: every point of the tile goes to the cells (≥ 80 points each on a
        // laptop). An enlarged cell gets a way back.
        if let Some((r, c)) = self.enlarged {
            ui.horizontal(|ui| {
                ui.label(format!("z{c} vs z{r}"));
                if ui.small_button("Back to all cells").clicked() {
                    self.enlarged = None;
                }
            });
        }
        let avail = ui.available_size().max(egui::vec2(200.0, 200.0));
        let side = avail.x.min(avail.y);
        let (rect, response) = ui.allocate_exact_size(egui::vec2(side, side), Sense::click());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 0.0, ui.visuals().extreme_bg_color);
        let vae = cx
            .session
            .model
            .as_ref()
            .is_some_and(|m| m.model.logvar.is_some());
        let mark = |painter: &egui::Painter, cell: Rect, col: usize, row: usize| {
            // Galaxies beyond the cell's range (outliers past the 0.5–99.5th percentiles) are
            // not drawn in the neighbouring cell.
            let painter = &painter.with_clip_rect(cell.expand(1.0));
            let to = |zc: f32, zr: f32| -> Pos2 {
                let (x0, x1) = ranges[col];
                let (y0, y1) = ranges[row];
                egui::pos2(
                    cell.left() + (zc - x0) / (x1 - x0) * cell.width(),
                    cell.bottom() - (zr - y0) / (y1 - y0) * cell.height(),
                )
            };
            let sel = &cx.state.selection;
            let step = sel.len().div_ceil(SELECTION_MARKERS_PER_CELL).max(1);
            for &i in sel.iter().step_by(step) {
                let i = i as usize;
                if i < l.z.nrows() {
                    painter.circle_filled(to(l.z[[i, col]], l.z[[i, row]]), 1.2, Color32::WHITE);
                }
            }
            for &(i, score) in cx.views.labelled.iter().take(MAX_LABEL_MARKERS) {
                let i = i as usize;
                if i < l.z.nrows() {
                    painter.circle_stroke(
                        to(l.z[[i, col]], l.z[[i, row]]),
                        3.0,
                        Stroke::new(1.2, label_marker_colour(score)),
                    );
                }
            }
            if let Some(i) = cx.state.second.filter(|&i| i < l.z.nrows()) {
                painter.circle_stroke(
                    to(l.z[[i, col]], l.z[[i, row]]),
                    4.0,
                    Stroke::new(1.5, Color32::LIGHT_GREEN),
                );
            }
            if let Some(i) = cx.state.focus.filter(|&i| i < l.z.nrows()) {
                painter.circle_stroke(
                    to(l.z[[i, col]], l.z[[i, row]]),
                    4.5,
                    Stroke::new(2.0, Color32::YELLOW),
                );
            }
            if let Some(s) = cx.views.synthetic.as_ref().filter(|s| s.z.len() == k) {
                let c = to(s.z[col], s.z[row]);
                let st = Stroke::new(2.0, Color32::from_rgb(255, 60, 200));
                painter.line_segment([c - egui::vec2(5.0, 0.0), c + egui::vec2(5.0, 0.0)], st);
                painter.line_segment([c - egui::vec2(0.0, 5.0), c + egui::vec2(0.0, 5.0)], st);
            }
        };
        if let Some((row, col)) = self.enlarged.filter(|&(r, c)| r < k && c < r) {
            let bkey = (cx.session.latents_gen, cx.views.colours_gen, row, col);
            if self.big_key != Some(bkey) {
                let img = density_image(
                    l.z.view(),
                    col,
                    row,
                    ranges[col],
                    ranges[row],
                    &cx.views.colours.colours,
                    BIG_BINS,
                );
                self.big = Some((
                    (row, col),
                    ui.ctx()
                        .load_texture("corner-big", img, TextureOptions::NEAREST),
                ));
                self.big_key = Some(bkey);
            }
            let cell = rect.shrink(24.0);
            if let Some((_, tex)) = &self.big {
                painter.image(tex.id(), cell, uv_full(), Color32::WHITE);
            }
            painter.rect_stroke(
                cell,
                0.0,
                Stroke::new(1.0, Color32::GRAY),
                egui::StrokeKind::Outside,
            );
            painter.text(
                cell.center_bottom() + egui::vec2(0.0, 4.0),
                egui::Align2::CENTER_TOP,
                format!("z{col}"),
                egui::FontId::proportional(13.0),
                ui.visuals().text_color(),
            );
            painter.text(
                cell.left_center() - egui::vec2(4.0, 0.0),
                egui::Align2::RIGHT_CENTER,
                format!("z{row}"),
                egui::FontId::proportional(13.0),
                ui.visuals().text_color(),
            );
            mark(&painter, cell, col, row);
            self.cell_rects = vec![((row, col), cell)];
            if response.clicked()
                && let Some(p) = response.interact_pointer_pos()
            {
                // Own picking: nearest visible point in this projection (one pass, on click).
                let (x0, x1) = ranges[col];
                let (y0, y1) = ranges[row];
                let best = (0..l.z.nrows())
                    .filter(|&i| cx.views.colours.colours.get(i).is_some_and(|c| c.a() > 0))
                    .map(|i| {
                        let q = egui::pos2(
                            cell.left() + (l.z[[i, col]] - x0) / (x1 - x0) * cell.width(),
                            cell.bottom() - (l.z[[i, row]] - y0) / (y1 - y0) * cell.height(),
                        );
                        (i, q.distance(p))
                    })
                    .min_by(|a, b| a.1.total_cmp(&b.1));
                if let Some((i, d)) = best
                    && d <= 12.0
                {
                    cx.send(AppCommand::Focus(i));
                }
            }
            return;
        }
        let cs = side / k as f32;
        // The upper triangle is empty: the hint goes there.
        painter.text(
            rect.right_top() + egui::vec2(-6.0, 4.0),
            egui::Align2::RIGHT_TOP,
            "latent corner plot · click a cell to enlarge it",
            egui::FontId::proportional(12.0),
            ui.visuals().weak_text_color(),
        );
        self.cell_rects.clear();
        let cell_rect = |row: usize, col: usize| {
            Rect::from_min_size(
                egui::pos2(rect.left() + col as f32 * cs, rect.top() + row as f32 * cs),
                egui::vec2(cs, cs),
            )
            .shrink(2.0)
        };
        for ((row, col), tex) in &self.cells {
            let cell = cell_rect(*row, *col);
            painter.image(tex.id(), cell, uv_full(), Color32::WHITE);
            painter.rect_stroke(
                cell,
                0.0,
                Stroke::new(0.5, Color32::DARK_GRAY),
                egui::StrokeKind::Outside,
            );
            mark(&painter, cell, *col, *row);
            self.cell_rects.push(((*row, *col), cell));
        }
        for (d, h) in self.hists.iter().enumerate() {
            let cell = cell_rect(d, d);
            painter.rect_stroke(
                cell,
                0.0,
                Stroke::new(0.5, Color32::DARK_GRAY),
                egui::StrokeKind::Outside,
            );
            let max = h
                .iter()
                .map(|b| b.iter().sum::<u32>())
                .max()
                .unwrap_or(0)
                .max(1) as f32;
            let bw = cell.width() / HIST_BINS as f32;
            for (b, counts) in h.iter().enumerate() {
                let mut y = cell.bottom();
                for c in GalaxyClass::ALL {
                    let n = counts[c.index()];
                    if n == 0 {
                        continue;
                    }
                    let hgt = n as f32 / max * (cell.height() - 12.0);
                    let r = Rect::from_min_max(
                        egui::pos2(cell.left() + b as f32 * bw, y - hgt),
                        egui::pos2(cell.left() + (b + 1) as f32 * bw, y),
                    );
                    painter.rect_filled(r, 0.0, class_colour32(c));
                    y -= hgt;
                }
            }
            // A VAE's prior N(0, 1), as the counts it predicts in each bin.
            if vae && let Some(&(lo, hi)) = self.range.get(d) {
                let total: u32 = h.iter().map(|b| b.iter().sum::<u32>()).sum();
                let step = (hi - lo) / HIST_BINS as f32;
                let pts: Vec<egui::Pos2> = (0..=4 * HIST_BINS)
                    .map(|q| {
                        let v = lo + step * q as f32 / 4.0;
                        let density = (-0.5 * v * v).exp() / (2.0 * std::f32::consts::PI).sqrt();
                        let count = total as f32 * density * step;
                        let x = cell.left() + (v - lo) / (hi - lo).max(1e-12) * cell.width();
                        let y = cell.bottom() - (count / max).min(1.2) * (cell.height() - 12.0);
                        egui::pos2(x, y.max(cell.top()))
                    })
                    .collect();
                painter.add(egui::Shape::line(
                    pts,
                    Stroke::new(1.5, ui.visuals().strong_text_color()),
                ));
            }
            painter.text(
                cell.left_top() + egui::vec2(3.0, 1.0),
                egui::Align2::LEFT_TOP,
                format!("z{d}"),
                egui::FontId::proportional(12.0),
                ui.visuals().strong_text_color(),
            );
        }
        if response.clicked()
            && let Some(p) = response.interact_pointer_pos()
            && let Some(((r, c), _)) = self.cell_rects.iter().find(|(_, cr)| cr.contains(p))
        {
            self.enlarged = Some((*r, *c));
        }
    }
}

fn uv_full() -> Rect {
    Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0))
}
