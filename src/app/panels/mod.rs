//! The explorer's panels, one module each, behind one small trait (laid out as tiles: see
//! [`super::tiles`]). A panel draws from the
//! read-only [`PanelCx`] and pushes [`AppCommand`]s; its own view state (textures, zoom,
//! scroll) stays inside it.

pub mod corner;
pub mod data_model;
pub mod export;
pub mod inspector;
pub mod outliers;
pub mod residuals;
pub mod sliders;
pub mod training;
pub mod umap;

use eframe::egui;

use super::colouring::PointColours;
use super::commands::AppCommand;
use super::session::Session;
use super::state::Persisted;
use super::tasks::Tasks;
use super::training::TrainingRun;
use crate::analysis::residuals::ResidualHistograms;

/// A decoded latent vector (latent sliders, interpolation).
#[derive(Clone, Debug, Default)]
pub struct Synthetic {
    pub z: Vec<f32>,
    pub spectrum: Vec<f32>,
    /// Where it lands in the UMAP (placed by its latent neighbours).
    pub umap_pos: Option<[f32; 2]>,
    /// How long the decode took (µs).
    pub decode_us: f64,
}

/// The inspected galaxy: its spectrum, reconstructions and latent neighbours.
#[derive(Clone, Debug, Default)]
pub struct Inspected {
    pub index: usize,
    pub xhat: Vec<f32>,
    pub pca: Option<Vec<f32>>,
    /// Nearest galaxies in latent space, nearest first (the arrow keys walk this list).
    pub neighbours: Vec<usize>,
    /// Position in `neighbours` of the galaxy shown when walking (None: the anchor itself).
    pub walk: Option<usize>,
    /// The galaxy the walk started from.
    pub anchor: usize,
    /// 1-based rank in the outlier table (once the analysis is in).
    pub outlier_rank: Option<usize>,
    /// In the model's validation split.
    pub validation: bool,
}

/// What a panel sees this frame.
pub struct PanelCx<'a> {
    pub session: &'a Session,
    pub state: &'a Persisted,
    pub colours: &'a PointColours,
    /// Changes whenever `colours` do (a cache key for textures).
    pub colours_gen: u64,
    pub synthetic: Option<&'a Synthetic>,
    pub inspected: Option<&'a Inspected>,
    pub training: Option<&'a TrainingRun>,
    pub tasks: &'a Tasks,
    pub selection_residuals: Option<&'a (usize, ResidualHistograms)>,
    /// The file the last export wrote.
    pub last_export: Option<&'a std::path::PathBuf>,
    pub out: &'a mut Vec<AppCommand>,
}

/// The button that shows a file in the system's file manager, named as each system names it.
pub const REVEAL_LABEL: &str = if cfg!(target_os = "macos") {
    "Show in Finder"
} else if cfg!(target_os = "windows") {
    "Show in Explorer"
} else {
    "Show in folder"
};

impl PanelCx<'_> {
    pub fn send(&mut self, c: AppCommand) {
        self.out.push(c);
    }
}

/// One panel of the explorer.
pub trait Panel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>);
}

/// A short message in the panel body when its inputs are not there yet, with a spinner while
/// something is `busy` computing them (a spinner repaints every frame: none while the app waits
/// for the user).
pub fn waiting_ui(ui: &mut egui::Ui, busy: bool, what: &str) {
    ui.vertical_centered(|ui| {
        ui.add_space(12.0);
        if busy {
            ui.spinner();
        }
        ui.label(what);
    });
}
