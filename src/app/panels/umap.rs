//! UMAP: every galaxy, splatted into one texture and coloured by the chosen column; hover
//! shows id, class and z; click selects the nearest galaxy (k-d tree picking); shift-drag box
//! selects; drag or two-finger scroll pans; pinch or ctrl/⌘-scroll zooms. The selection, the
//! labelled galaxies (rings coloured by interest), the inspected galaxy and the slider spectrum
//! are drawn on top.

use eframe::egui::{self, Color32, Pos2, Rect, Sense, Stroke, TextureOptions};

use super::panel::{Panel, PanelCx, waiting_ui};
use crate::app::colouring::{MAX_LABEL_MARKERS, label_marker_colour};
use crate::app::commands::AppCommand;
use crate::app::raster::{ViewTransform, draw_order, splat_points};
use crate::app::session::Session;

/// Pick radius in screen points.
const PICK_RADIUS: f32 = 12.0;
/// Most selected points drawn individually on top.
const MAX_SELECTION_MARKERS: usize = 5000;

#[derive(Default)]
pub struct UmapPanel {
    transform: Option<ViewTransform>,
    fitted_for: Option<u64>,
    texture: Option<egui::TextureHandle>,
    texture_key: Option<(u64, u64, [i64; 5])>,
    /// The view the texture was splatted for.
    texture_view: Option<ViewTransform>,
    order: Vec<u32>,
    box_start: Option<Pos2>,
    /// The plot rectangle and transform of the last frame (for picking and tests).
    last: Option<(Rect, ViewTransform)>,
    /// The square the map was drawn in last frame.
    pub plot_rect: Option<Rect>,
}

impl UmapPanel {
    /// Where galaxy `i` was drawn in the last frame.
    pub fn screen_pos_of(&self, session: &Session, i: usize) -> Option<Pos2> {
        let (rect, t) = self.last?;
        let e = &session.umap.as_ref()?.embedding;
        (i < e.nrows()).then(|| t.to_screen(rect, e[[i, 0]] as f64, e[[i, 1]] as f64))
    }

    /// The visible galaxy nearest to screen position `pos` within the pick radius.
    fn pick(&self, cx: &PanelCx<'_>, rect: Rect, t: &ViewTransform, pos: Pos2) -> Option<usize> {
        let a = cx.session.umap.as_ref()?;
        let q = t.to_data(rect, pos);
        let visible = |i: usize| cx.views.colours.colours.get(i).is_some_and(|c| c.a() > 0);
        a.index
            .nearest(&[q[0] as f32, q[1] as f32], 32)
            .into_iter()
            .map(|(i, _)| i as usize)
            .find(|&i| visible(i))
            .filter(|&i| {
                let p = t.to_screen(rect, a.embedding[[i, 0]] as f64, a.embedding[[i, 1]] as f64);
                p.distance(pos) <= PICK_RADIUS
            })
    }
}

/// How much a square of side `old` grew to become `new` (1 when it did not change size).
fn scale_for_resize(old: Rect, new: Rect) -> f64 {
    if old.width() > 1.0 && (old.width() - new.width()).abs() > 0.5 {
        f64::from(new.width() / old.width())
    } else {
        1.0
    }
}

impl Panel for UmapPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
        let Some(a) = cx.session.umap.as_ref() else {
            let what = cx
                .task("analysis")
                .map(|t| {
                    let p = t.progress.snapshot();
                    format!(
                        "computing the UMAP embedding: {}{}",
                        p.stage,
                        p.fraction()
                            .map(|f| format!(" {:.0}%", f * 100.0))
                            .unwrap_or_default()
                    )
                })
                .unwrap_or_else(|| match (&cx.session.model, cx.session.n()) {
                    (None, _) => "the UMAP embedding appears once a model is open".into(),
                    // The analysis is not run for fewer (a warning in the status bar says so).
                    (Some(_), n) if n < crate::analysis::options::MIN_SPECTRA => format!(
                        "no UMAP for {n} spectra: the analysis needs at least {}",
                        crate::analysis::options::MIN_SPECTRA
                    ),
                    (Some(_), _) => "the UMAP embedding appears once the analysis has run".into(),
                });
            waiting_ui(ui, cx.busy(), &what);
            return;
        };
        let emb = &a.embedding;
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new("UMAP").strong());
            if ui
                .small_button("Fit")
                .on_hover_text("show every point")
                .clicked()
            {
                self.fitted_for = None;
            }
            if ui.small_button("+").clicked()
                && let (Some(t), Some((r, _))) = (&mut self.transform, self.last)
            {
                t.zoom_at(r, r.center(), 1.5);
            }
            if ui.small_button("−").clicked()
                && let (Some(t), Some((r, _))) = (&mut self.transform, self.last)
            {
                t.zoom_at(r, r.center(), 1.0 / 1.5);
            }
            ui.label(egui::RichText::new("(?)").weak()).on_hover_text(
                "click: inspect a galaxy\nCmd/Ctrl-click: second galaxy (interpolation)\n\
                 shift-drag: box-select\ndrag or two-finger scroll: pan\n\
                 pinch or Cmd/Ctrl-scroll: zoom\ndouble-click: fit",
            );
        });
        // The map is square (UMAP's axes have the same units), as large as the tile allows,
        // centred in it.
        let size =
            egui::vec2(ui.available_width(), ui.available_height()).max(egui::vec2(200.0, 200.0));
        let (full, response) = ui.allocate_exact_size(size, Sense::click_and_drag());
        let side = full.width().min(full.height());
        let rect = Rect::from_center_size(full.center(), egui::vec2(side, side));
        self.plot_rect = Some(rect);
        // A resized tile (the window maximised, a divider dragged) shows the same view, scaled
        // with the square: a map fitted in a small window would otherwise stay small in the
        // middle of a large one (it did, until Fit).
        if let (Some(t), Some((old, _))) = (&mut self.transform, self.last) {
            t.scale *= scale_for_resize(old, rect);
        }
        if self.fitted_for != Some(cx.session.umap_gen) || self.transform.is_none() {
            self.transform = Some(ViewTransform::fit(emb.view(), 0, 1, rect));
            self.fitted_for = Some(cx.session.umap_gen);
        }
        if self.order.len() != emb.nrows() {
            self.order = draw_order(emb.nrows(), 7);
        }
        let mut t = self.transform.unwrap_or(ViewTransform {
            centre: [0.0, 0.0],
            scale: 1.0,
        });
        // Interaction.
        let shift = ui.input(|i| i.modifiers.shift);
        if response.drag_started() && shift {
            self.box_start = response.interact_pointer_pos();
        }
        if response.dragged() && self.box_start.is_none() {
            t.pan(response.drag_delta());
        }
        if response.hovered() {
            let (scroll, zoom, hover) =
                ui.input(|i| (i.smooth_scroll_delta, i.zoom_delta(), i.pointer.hover_pos()));
            if zoom != 1.0 {
                t.zoom_at(rect, hover.unwrap_or(rect.center()), zoom as f64);
            } else if scroll != egui::Vec2::ZERO {
                t.pan(scroll);
            }
        }
        if response.double_clicked() {
            t = ViewTransform::fit(emb.view(), 0, 1, rect);
        }
        if let Some(start) = self.box_start
            && response.drag_stopped()
        {
            if let Some(end) = response.interact_pointer_pos() {
                let b = Rect::from_two_pos(start, end);
                let sel: Vec<u32> = (0..emb.nrows())
                    .filter(|&i| cx.views.colours.colours.get(i).is_some_and(|c| c.a() > 0))
                    .filter(|&i| {
                        b.contains(t.to_screen(rect, emb[[i, 0]] as f64, emb[[i, 1]] as f64))
                    })
                    .map(|i| i as u32)
                    .collect();
                cx.send(AppCommand::Select(sel));
            }
            self.box_start = None;
        }
        if response.clicked()
            && let Some(pos) = response.interact_pointer_pos()
        {
            let second = ui.input(|i| i.modifiers.command);
            match self.pick(cx, rect, &t, pos) {
                Some(i) if second => cx.send(AppCommand::SetSecond(i)),
                Some(i) => cx.send(AppCommand::Focus(i)),
                None => {}
            }
        }
        let moving = self.transform.is_some_and(|old| old != t);
        self.transform = Some(t);
        self.last = Some((rect, t));

        // The bulk: one texture, rebuilt when the view, data or colours change.
        let ppp = ui.ctx().pixels_per_point();
        let key = (
            cx.session.umap_gen,
            cx.views.colours_gen,
            [
                (t.centre[0] * 1e6) as i64,
                (t.centre[1] * 1e6) as i64,
                (t.scale * 1e3) as i64,
                (rect.width() * ppp) as i64,
                (rect.height() * ppp) as i64,
            ],
        );
        // While the view moves (pan, pinch), the last texture is drawn moved and scaled; it is
        // splatted again from all points once the view rests (the next frame), so gestures stay
        // smooth with 64k points and the picture is sharp as soon as they end.
        let only_view_changed = self.texture_key.is_some_and(|(a, c, k)| {
            a == key.0 && c == key.1 && k[3] == key.2[3] && k[4] == key.2[4]
        });
        if moving && only_view_changed && self.texture.is_some() {
            ui.ctx().request_repaint();
        } else if self.texture_key != Some(key) || self.texture.is_none() {
            let dot = if emb.nrows() > 20_000 { 2.0 } else { 3.0 };
            // As sharp as the display: up to the GPU's largest texture (a 2× display doubles
            // the pixels of a wide tile), never stretched from a smaller one.
            let max_side = ui.ctx().input(|i| i.max_texture_side).clamp(256, 8192);
            let img = splat_points(
                emb.view(),
                0,
                1,
                &cx.views.colours.colours,
                &self.order,
                &t,
                rect,
                ppp,
                max_side,
                dot,
                0.6,
            );
            match &mut self.texture {
                Some(tex) => tex.set(img, TextureOptions::NEAREST),
                None => {
                    self.texture = Some(ui.ctx().load_texture(
                        "umap-points",
                        img,
                        TextureOptions::NEAREST,
                    ))
                }
            }
            self.texture_key = Some(key);
            self.texture_view = Some(t);
        }
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 0.0, ui.visuals().extreme_bg_color);
        if let (Some(tex), Some(tv)) = (&self.texture, self.texture_view) {
            // Where the texture's area lies in the current view.
            let a = tv.to_data(rect, rect.min);
            let b = tv.to_data(rect, rect.max);
            let placed =
                Rect::from_two_pos(t.to_screen(rect, a[0], a[1]), t.to_screen(rect, b[0], b[1]));
            painter.image(
                tex.id(),
                placed,
                Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                Color32::WHITE,
            );
        }
        // Selection, second galaxy, focus and slider spectrum on top.
        let at = |i: usize| t.to_screen(rect, emb[[i, 0]] as f64, emb[[i, 1]] as f64);
        let sel = &cx.state.selection;
        let step = sel.len().div_ceil(MAX_SELECTION_MARKERS).max(1);
        for &i in sel.iter().step_by(step) {
            if (i as usize) < emb.nrows() {
                painter.circle_filled(at(i as usize), 2.0, Color32::WHITE);
            }
        }
        // Labelled galaxies: a ring coloured by their interest score.
        for &(i, score) in cx.views.labelled.iter().take(MAX_LABEL_MARKERS) {
            if (i as usize) < emb.nrows() {
                painter.circle_stroke(
                    at(i as usize),
                    4.5,
                    Stroke::new(1.5, label_marker_colour(score)),
                );
            }
        }
        if let Some(i) = cx.state.second.filter(|&i| i < emb.nrows()) {
            painter.circle_stroke(at(i), 7.0, Stroke::new(2.0, Color32::LIGHT_GREEN));
        }
        if let Some(i) = cx.state.focus.filter(|&i| i < emb.nrows()) {
            painter.circle_stroke(at(i), 8.0, Stroke::new(2.5, Color32::YELLOW));
        }
        if let Some(p) = cx.views.synthetic.as_ref().and_then(|s| s.umap_pos) {
            let c = t.to_screen(rect, p[0] as f64, p[1] as f64);
            let s = Stroke::new(2.5, Color32::from_rgb(255, 60, 200));
            painter.line_segment([c - egui::vec2(8.0, 0.0), c + egui::vec2(8.0, 0.0)], s);
            painter.line_segment([c - egui::vec2(0.0, 8.0), c + egui::vec2(0.0, 8.0)], s);
            painter.circle_stroke(c, 5.0, s);
        }
        if let (Some(start), Some(now)) = (self.box_start, response.interact_pointer_pos()) {
            painter.rect_stroke(
                Rect::from_two_pos(start, now),
                0.0,
                Stroke::new(1.0, Color32::WHITE),
                egui::StrokeKind::Inside,
            );
        }
        // Hover: id, class, z.
        if self.box_start.is_none()
            && let Some(pos) = response.hover_pos()
            && let Some(i) = self.pick(cx, rect, &t, pos)
            && let Some(d) = &cx.session.data
        {
            painter.circle_stroke(at(i), 5.0, Stroke::new(1.5, Color32::WHITE));
            let z = d
                .spectra
                .meta()
                .z
                .as_ref()
                .map(|z| format!(", z = {:.4}", z[i]))
                .unwrap_or_default();
            let text = format!("#{i} {}{z}", d.class_of(i).label());
            painter.text(
                pos + egui::vec2(12.0, -12.0),
                egui::Align2::LEFT_BOTTOM,
                text,
                egui::FontId::proportional(13.0),
                ui.visuals().strong_text_color(),
            );
        }
    }
}
