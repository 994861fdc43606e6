//! Publication figures, shared by the CLI (`specae figures`) and the app: plotters drawing into
//! PNG (any DPI), SVG (text kept as text) and PDF (the SVG converted by svg2pdf with the bundled
//! font embedded). Bulk data are drawn as binned cells (densities), never as tens of thousands of
//! shapes, so vector files stay small.
//!
//! - [`render`]: formats, sizes, the bundled font, PNG/SVG/PDF output;
//! - [`style`]: the colour-blind-safe class palette, a viridis colour map, line labels;
//! - one module per figure: [`training`], [`corner`], [`umap`], [`spectrum`], [`residuals`],
//!   [`tracks`], [`compare`], [`contact_sheet`] (the top candidates of a ranking);
//! - [`bundle`]: every figure of an analysed model plus a manifest.

pub mod bundle;
pub mod cells;
pub mod compare;
pub mod contact_sheet;
pub mod corner;
pub mod indices;
pub mod render;
pub mod residuals;
pub mod spectrum;
pub mod style;
pub mod tracks;
pub mod training;
pub mod umap;

pub use render::{Figure, FigureError, Format, render};
