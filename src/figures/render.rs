//! Rendering a figure to bytes: PNG at a DPI, SVG, PDF.

use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use plotters::coord::Shift;
use plotters::prelude::*;

/// The bundled font (DejaVu Sans, see assets/fonts/DejaVu-LICENSE.txt): output is the same on
/// every machine, with no system fonts needed.
pub static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub const FONT_FAMILY: &str = "DejaVu Sans";

#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    #[error("unknown figure format {0:?}: use png, svg or pdf")]
    UnknownFormat(String),
    #[error("invalid figure size {0} × {1} in")]
    Size(f64, f64),
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("no data to draw: {0}")]
    NoData(String),
    #[error("PDF conversion failed: {0}")]
    Pdf(String),
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for FigureError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        FigureError::Draw(e.to_string())
    }
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png { dpi: u32 },
    Svg,
    Pdf,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png { .. } => "png",
            Format::Svg => "svg",
            Format::Pdf => "pdf",
        }
    }
}

impl FromStr for Format {
    type Err = FigureError;
    fn from_str(s: &str) -> Result<Self, FigureError> {
        match s.to_ascii_lowercase().as_str() {
            "png" => Ok(Format::Png { dpi: 300 }),
            "svg" => Ok(Format::Svg),
            "pdf" => Ok(Format::Pdf),
            _ => Err(FigureError::UnknownFormat(s.to_string())),
        }
    }
}

/// Drawing context: `px(points)` converts a length in points (1/72 in) to backend units.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    pub scale: f64,
}

impl Ctx {
    pub fn px(&self, pt: f64) -> i32 {
        (pt * self.scale).round() as i32
    }
    pub fn pxu(&self, pt: f64) -> u32 {
        (pt * self.scale).round().max(1.0) as u32
    }
    /// A text style of `pt` points in the bundled font.
    pub fn font(&self, pt: f64) -> TextStyle<'static> {
        (FONT_FAMILY, pt * self.scale).into_font().color(&BLACK)
    }
}

/// A figure: a size in inches and a drawing routine for any plotters backend.
pub trait Figure {
    /// Short file-name stem, e.g. "umap_class".
    fn name(&self) -> String;
    /// What the figure shows (for the manifest).
    fn caption(&self) -> String;
    fn size_in(&self) -> (f64, f64);
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: Ctx,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static;
}

fn register_font() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let _ = plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT);
    });
}

/// Renders `fig` in `format`.
pub fn render<F: Figure>(fig: &F, format: Format) -> Result<Vec<u8>, FigureError> {
    register_font();
    let (w, h) = fig.size_in();
    if !(w > 0.1 && h > 0.1 && w < 100.0 && h < 100.0) {
        return Err(FigureError::Size(w, h));
    }
    match format {
        Format::Png { dpi } => {
            if !(10..=2400).contains(&dpi) {
                return Err(FigureError::Draw(format!("DPI {dpi} is outside 10 … 2400")));
            }
            let (pw, ph) = (
                (w * dpi as f64).round() as u32,
                (h * dpi as f64).round() as u32,
            );
            let mut rgb = vec![255u8; (pw * ph * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, (pw, ph)).into_drawing_area();
                root.fill(&WHITE)?;
                fig.draw(
                    &root,
                    Ctx {
                        scale: dpi as f64 / 72.0,
                    },
                )?;
                root.present()?;
            }
            encode_png(&rgb, pw, ph, dpi)
        }
        Format::Svg => Ok(svg_string(fig, w, h)?.into_bytes()),
        Format::Pdf => pdf_from_svg(&svg_string(fig, w, h)?),
    }
}

fn svg_string<F: Figure>(fig: &F, w: f64, h: f64) -> Result<String, FigureError> {
    let mut s = String::new();
    {
        let size = ((w * 72.0).round() as u32, (h * 72.0).round() as u32);
        let root = SVGBackend::with_string(&mut s, size).into_drawing_area();
        root.fill(&WHITE)?;
        fig.draw(&root, Ctx { scale: 1.0 })?;
        root.present()?;
    }
    // Size the SVG in points so it has its physical size in LaTeX and browsers.
    let (ws, hs) = ((w * 72.0).round() as u32, (h * 72.0).round() as u32);
    Ok(s.replacen(
        &format!("width=\"{ws}\" height=\"{hs}\""),
        &format!("width=\"{ws}pt\" height=\"{hs}pt\""),
        1,
    ))
}

fn encode_png(rgb: &[u8], w: u32, h: u32, dpi: u32) -> Result<Vec<u8>, FigureError> {
    let mut out = vec![];
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let ppm = (dpi as f64 / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut wr = enc
            .write_header()
            .map_err(|e| FigureError::Draw(format!("PNG: {e}")))?;
        wr.write_image_data(rgb)
            .map_err(|e| FigureError::Draw(format!("PNG: {e}")))?;
    }
    Ok(out)
}

fn font_db() -> Arc<svg2pdf::usvg::fontdb::Database> {
    static DB: OnceLock<Arc<svg2pdf::usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = svg2pdf::usvg::fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        db.set_sans_serif_family(FONT_FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// Parses an SVG with the bundled font (also used by tests to check SVG output).
pub fn parse_svg(svg: &str) -> Result<svg2pdf::usvg::Tree, FigureError> {
    let opt = svg2pdf::usvg::Options {
        fontdb: font_db(),
        font_family: FONT_FAMILY.to_string(),
        ..Default::default()
    };
    svg2pdf::usvg::Tree::from_str(svg, &opt).map_err(|e| FigureError::Pdf(format!("SVG: {e}")))
}

fn pdf_from_svg(svg: &str) -> Result<Vec<u8>, FigureError> {
    let tree = parse_svg(svg)?;
    svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions::default(),
    )
    .map_err(|e| FigureError::Pdf(e.to_string()))
}
