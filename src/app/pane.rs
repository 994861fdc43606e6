//! The panes of the explorer as the persisted tile tree names them (what a tile shows).

use serde::{Deserialize, Serialize};

/// What a tile shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Pane {
    DataModel,
    Training,
    Umap,
    Corner,
    Inspector,
    Sliders,
    Outliers,
    Residuals,
    Export,
    IngestReport,
}

impl Pane {
    pub const ALL: [Pane; 10] = [
        Pane::DataModel,
        Pane::Training,
        Pane::Umap,
        Pane::Corner,
        Pane::Inspector,
        Pane::Sliders,
        Pane::Outliers,
        Pane::Residuals,
        Pane::Export,
        Pane::IngestReport,
    ];

    /// The title on its tab and in the View menu.
    pub fn title(self) -> &'static str {
        match self {
            Pane::DataModel => "Data and model",
            Pane::Training => "Training",
            Pane::Umap => "UMAP",
            Pane::Corner => "Corner plot",
            Pane::Inspector => "Inspector",
            Pane::Sliders => "Latent sliders",
            Pane::Outliers => "Outliers",
            Pane::Residuals => "Residuals",
            Pane::Export => "Export",
            Pane::IngestReport => "Ingest report",
        }
    }

    /// Panes whose content is taller than a tile may be: they scroll.
    pub fn scrolls(self) -> bool {
        matches!(self, Pane::DataModel | Pane::Training | Pane::Export)
    }

    /// Plots take the whole tile; text panes get a margin (points).
    pub fn margin(self) -> f32 {
        if matches!(self, Pane::Umap | Pane::Corner) {
            2.0
        } else {
            6.0
        }
    }
}
