//! The explorer's panels, one module each behind one small trait ([`panel::Panel`]; laid out
//! as tiles by [`crate::app::tiles`]). A panel draws from the read-only
//! [`panel::PanelCx`] and pushes commands; its own view state (textures, zoom, scroll) stays
//! inside it. [`registry::Panels`] holds one of each.

pub mod corner;
pub mod data_model;
pub mod export;
pub mod fidelity;
pub mod ingest_report;
pub mod inspector;
pub mod loss_plot;
pub mod outliers;
pub mod panel;
pub mod registry;
pub mod residuals;
pub mod sliders;
pub mod spectrum_plot;
pub mod training;
pub mod umap;
pub mod widgets;
