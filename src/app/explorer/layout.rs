//! The explorer's layout state: the tile tree, the window size it was made for, how far each
//! scrolling pane is scrolled.

use std::collections::HashMap;

use eframe::egui;

use crate::app::pane::Pane;
use crate::app::tiles::{Scroll, default_tree, restored};

pub struct LayoutState {
    /// The panels' tile layout (copied into the persisted state when it changes).
    pub tiles: egui_tiles::Tree<Pane>,
    /// The window's size (points) when last drawn: the default layout is made for it.
    pub window_size: egui::Vec2,
    /// The layout was sized to the first window (or restored).
    pub sized: bool,
    /// The first window was fitted to the screen.
    pub window_fitted: bool,
    /// How far each scrolling pane was scrolled when last drawn.
    pub scrolled: HashMap<Pane, Scroll>,
}

impl LayoutState {
    /// The persisted tree if it still shows every pane, else the default for a laptop window
    /// (replaced by the default for the real window at the first frame).
    pub fn new(persisted: Option<egui_tiles::Tree<Pane>>) -> Self {
        let restored = restored(persisted);
        let sized = restored.is_some();
        let window_size = egui::vec2(1440.0, 900.0);
        Self {
            tiles: restored.unwrap_or_else(|| default_tree(window_size)),
            window_size,
            sized,
            window_fitted: false,
            scrolled: HashMap::new(),
        }
    }

    /// Notes the window's size; without a saved layout, makes the default for it.
    pub fn fit_to(&mut self, size: egui::Vec2) {
        self.window_size = size;
        if !self.sized {
            self.tiles = default_tree(size);
            self.sized = true;
        }
    }

    /// The default layout for the window's size.
    pub fn reset(&mut self) {
        self.tiles = default_tree(self.window_size);
    }

    /// Where `pane` was laid out last frame (`None`: hidden, or behind another tab).
    pub fn pane_rect(&self, pane: Pane) -> Option<egui::Rect> {
        let id = self.tiles.tiles.find_pane(&pane)?;
        self.tiles
            .active_tiles()
            .contains(&id)
            .then(|| self.tiles.tiles.rect(id))
            .flatten()
    }
}
