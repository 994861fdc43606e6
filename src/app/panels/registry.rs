//! The panel registry: one value of each panel, and the panel that draws each pane.

use super::corner::CornerPanel;
use super::data_model::DataModelPanel;
use super::export::ExportPanel;
use super::ingest_report::IngestReportPanel;
use super::inspector::InspectorPanel;
use super::outliers::OutliersPanel;
use super::panel::Panel;
use super::residuals::ResidualsPanel;
use super::sliders::SlidersPanel;
use super::training::TrainingPanel;
use super::umap::UmapPanel;
use crate::app::pane::Pane;

/// The panels, as concrete types (tests reach into them), drawn through the `Panel` trait.
#[derive(Default)]
pub struct Panels {
    pub data: DataModelPanel,
    pub training: TrainingPanel,
    pub corner: CornerPanel,
    pub umap: UmapPanel,
    pub inspector: InspectorPanel,
    pub residuals: ResidualsPanel,
    pub sliders: SlidersPanel,
    pub outliers: OutliersPanel,
    pub export: ExportPanel,
    pub ingest_report: IngestReportPanel,
}

impl Panels {
    /// The panel that draws `pane`.
    pub fn get_mut(&mut self, pane: Pane) -> &mut dyn Panel {
        match pane {
            Pane::DataModel => &mut self.data,
            Pane::Training => &mut self.training,
            Pane::Umap => &mut self.umap,
            Pane::Corner => &mut self.corner,
            Pane::Inspector => &mut self.inspector,
            Pane::Sliders => &mut self.sliders,
            Pane::Outliers => &mut self.outliers,
            Pane::Residuals => &mut self.residuals,
            Pane::Export => &mut self.export,
            Pane::IngestReport => &mut self.ingest_report,
        }
    }
}
