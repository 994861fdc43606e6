//! The panels as tiles (egui_tiles, as rerun's viewer and brush lay theirs out): every panel
//! is a tab that can be dragged, split, stacked and resized; the layout persists; View → Reset
//! layout restores the default for the window's size.
//!
//! The default layouts put every used-by flow on screen at once without scrolling — at a 13"
//! laptop's 1440 × 900 and on a 2560 × 1440 monitor: the controls on the left (data and model,
//! training, with export below), the UMAP in the middle (square, as large as the column allows)
//! above the latent sliders and the spectrum they decode (the outlier list a tab behind them),
//! the corner plot on the right (cells of at least 80 points; the residual heatmap a tab behind
//! it) above the inspector and its residuals.

use std::collections::HashMap;

use eframe::egui;
use egui_tiles::{Container, Linear, LinearDir, SimplificationOptions, Tile, TileId, Tiles, Tree};

use super::pane::Pane;
use super::panels::panel::PanelCx;
use super::panels::registry::Panels;

/// How far a scrolling pane is scrolled (points from its top) and how far it could be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scroll {
    pub offset: f32,
    pub max: f32,
}

/// Tree ids must be unique per app.
const TREE_ID: &str = "specae-tiles";

/// The default layout for a window of `size` points (see the module docs). Column widths and
/// row heights are shares, so the same tree fits both a laptop and a large monitor; the shares
/// are chosen so the UMAP comes out square and the corner plot's cells ≥ 80 points.
pub fn default_tree(size: egui::Vec2) -> Tree<Pane> {
    let mut tiles = Tiles::default();
    let mut pane = |p: Pane| tiles.insert_pane(p);
    let (data, training, outliers, residuals, export) = (
        pane(Pane::DataModel),
        pane(Pane::Training),
        pane(Pane::Outliers),
        pane(Pane::Residuals),
        pane(Pane::Export),
    );
    let (umap, sliders, corner, inspector, report) = (
        pane(Pane::Umap),
        pane(Pane::Sliders),
        pane(Pane::Corner),
        pane(Pane::Inspector),
        pane(Pane::IngestReport),
    );
    // Tabs share a tile where one of them at a time is enough: the controls; the sliders (in
    // front) with the outlier list and the ingest report; the corner plot (in front) with the
    // residual heatmap.
    let controls = tiles.insert_tab_tile(vec![data, training]);
    let export = tiles.insert_tab_tile(vec![export]);
    let umap = tiles.insert_tab_tile(vec![umap]);
    let sliders = tiles.insert_tab_tile(vec![sliders, outliers, report]);
    let corner = tiles.insert_tab_tile(vec![corner, residuals]);
    let inspector = tiles.insert_tab_tile(vec![inspector]);
    let column = |tiles: &mut Tiles<Pane>, top: TileId, bottom: TileId, top_share: f32| {
        let mut lin = Linear::new(LinearDir::Vertical, vec![top, bottom]);
        lin.shares.set_share(top, top_share);
        lin.shares.set_share(bottom, 1.0 - top_share);
        tiles.insert_container(Container::Linear(lin))
    };
    // A large monitor gives the views more of its width; a laptop needs the controls' 280 pt.
    let wide = size.x >= 2000.0;
    let (left, middle) = if wide { (0.17, 0.40) } else { (0.205, 0.37) };
    let (umap_share, corner_share) = if wide { (0.72, 0.62) } else { (0.68, 0.655) };
    let left_col = column(&mut tiles, controls, export, 0.70);
    let middle_col = column(&mut tiles, umap, sliders, umap_share);
    let right_col = column(&mut tiles, corner, inspector, corner_share);
    let mut root = Linear::new(LinearDir::Horizontal, vec![left_col, middle_col, right_col]);
    root.shares.set_share(left_col, left);
    root.shares.set_share(middle_col, middle);
    root.shares.set_share(right_col, 1.0 - left - middle);
    let root = tiles.insert_container(Container::Linear(root));
    Tree::new(egui::Id::unique(TREE_ID), root, tiles)
}

/// A persisted tree, if it still shows every pane exactly once (else the default is used).
/// Panes added since it was saved join the outlier list's tab stack (or the root), so a user's
/// layout survives an upgrade.
pub fn restored(tree: Option<Tree<Pane>>) -> Option<Tree<Pane>> {
    let mut tree = tree?;
    let missing: Vec<Pane> = Pane::ALL
        .iter()
        .copied()
        .filter(|p| tree.tiles.find_pane(p).is_none())
        .collect();
    let host = tree
        .tiles
        .find_pane(&Pane::Outliers)
        .and_then(|id| tree.tiles.parent_of(id))
        .or(tree.root);
    for p in missing {
        let id = tree.tiles.insert_pane(p);
        if let Some(Tile::Container(c)) = host.and_then(|h| tree.tiles.get_mut(h)) {
            c.add_child(id);
        }
    }
    let all = Pane::ALL.iter().all(|p| {
        tree.tiles
            .tiles()
            .filter(|t| matches!(t, Tile::Pane(q) if q == p))
            .count()
            == 1
    });
    (all && tree.root.is_some()).then_some(tree)
}

/// Whether `pane` is laid out (not hidden by the View menu).
pub fn is_shown(tree: &Tree<Pane>, pane: Pane) -> bool {
    tree.tiles
        .find_pane(&pane)
        .is_some_and(|id| tree.tiles.is_visible(id))
}

/// Shows or hides `pane` (it keeps its place while hidden).
pub fn set_shown(tree: &mut Tree<Pane>, pane: Pane, shown: bool) {
    if let Some(id) = tree.tiles.find_pane(&pane) {
        tree.tiles.set_visible(id, shown);
    }
}

/// Shows `pane` and makes it the active tab of its stack.
pub fn bring_forward(tree: &mut Tree<Pane>, pane: Pane) {
    set_shown(tree, pane, true);
    tree.make_active(|_, t| matches!(t, Tile::Pane(p) if *p == pane));
}

/// Draws each pane through its panel.
pub struct Behavior<'a, 'b> {
    pub panels: &'a mut Panels,
    pub cx: &'a mut PanelCx<'b>,
    /// How far each scrolling pane is scrolled and can scroll (points), as drawn this frame.
    pub scrolled: &'a mut HashMap<Pane, Scroll>,
}

impl egui_tiles::Behavior<Pane> for Behavior<'_, '_> {
    fn pane_ui(
        &mut self,
        ui: &mut egui::Ui,
        _id: TileId,
        pane: &mut Pane,
    ) -> egui_tiles::UiResponse {
        let pane = *pane;
        let panel = self.panels.get_mut(pane);
        egui::Frame::new()
            .inner_margin(pane.margin())
            .show(ui, |ui| {
                ui.set_min_size(ui.available_size());
                if pane.scrolls() {
                    let out = egui::ScrollArea::vertical()
                        .id_salt(("pane-scroll", pane))
                        .auto_shrink([false, false])
                        .show(ui, |ui| panel.ui(ui, self.cx));
                    self.scrolled.insert(
                        pane,
                        Scroll {
                            offset: out.state.clamped_offset().y,
                            max: (out.content_size.y - out.inner_rect.height()).max(0.0),
                        },
                    );
                } else {
                    panel.ui(ui, self.cx);
                }
            });
        egui_tiles::UiResponse::None
    }

    fn tab_title_for_pane(&mut self, pane: &Pane) -> egui::WidgetText {
        pane.title().into()
    }

    fn simplification_options(&self) -> SimplificationOptions {
        SimplificationOptions {
            // Every pane keeps a tab: its handle for dragging, stacking and splitting.
            all_panes_must_have_tabs: true,
            ..Default::default()
        }
    }

    fn gap_width(&self, _style: &egui::Style) -> f32 {
        2.0
    }

    fn min_size(&self) -> f32 {
        60.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layout_saved_before_a_pane_existed_keeps_its_shape_and_gains_the_pane() {
        let mut old = default_tree(egui::vec2(1440.0, 900.0));
        let report = old.tiles.find_pane(&Pane::IngestReport).unwrap();
        old.remove_recursively(report);
        assert!(old.tiles.find_pane(&Pane::IngestReport).is_none());
        let tiles_before = old.tiles.len();
        let got = restored(Some(old)).expect("the saved layout is kept");
        assert_eq!(got.tiles.len(), tiles_before + 1);
        let report = got.tiles.find_pane(&Pane::IngestReport).unwrap();
        let outliers = got.tiles.find_pane(&Pane::Outliers).unwrap();
        assert_eq!(got.tiles.parent_of(report), got.tiles.parent_of(outliers));
    }
}
