//! Colours and labels: the Okabe–Ito colour-blind-safe palette for classes, viridis for
//! numeric columns, and the spectral lines labelled on spectra.

use plotters::style::RGBColor;

use crate::data::GalaxyClass;

/// Okabe & Ito (2008) colours, distinguishable with every common colour-vision deficiency.
pub fn class_colour(c: GalaxyClass) -> RGBColor {
    match c {
        GalaxyClass::Quiescent => RGBColor(213, 94, 0), // vermillion
        GalaxyClass::EmissionLine => RGBColor(0, 114, 178), // blue
        GalaxyClass::NarrowLineAgn => RGBColor(0, 158, 115), // bluish green
        GalaxyClass::BroadLineAgn => RGBColor(204, 121, 167), // reddish purple
        GalaxyClass::Unclassified => RGBColor(153, 153, 153), // grey
    }
}

/// Count-weighted mean of the class colours of a cell (`counts` indexed like
/// [`GalaxyClass::ALL`]); `None` for an empty cell.
pub fn blend_classes(counts: &[u32]) -> Option<RGBColor> {
    let total: u32 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let mut rgb = [0f64; 3];
    for (c, &m) in GalaxyClass::ALL.iter().zip(counts) {
        let col = class_colour(*c);
        rgb[0] += col.0 as f64 * m as f64;
        rgb[1] += col.1 as f64 * m as f64;
        rgb[2] += col.2 as f64 * m as f64;
    }
    let t = total as f64;
    Some(RGBColor(
        (rgb[0] / t) as u8,
        (rgb[1] / t) as u8,
        (rgb[2] / t) as u8,
    ))
}

const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

/// Viridis at t ∈ [0, 1] (perceptually uniform, colour-blind safe, prints in grey).
pub fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Blends `c` over white with opacity `a` (opaque colours keep vector files simple).
pub fn over_white(c: RGBColor, a: f64) -> RGBColor {
    let a = a.clamp(0.0, 1.0);
    let m = |v: u8| (255.0 - (255.0 - v as f64) * a).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// Rest-frame (air) wavelengths of the lines labelled on spectra: (label, Å, emission?).
pub const LINES: [(&str, f64, bool); 12] = [
    ("[O II]", 3727.4, true),
    ("Ca K", 3933.7, false),
    ("Ca H", 3968.5, false),
    ("G", 4304.4, false),
    ("Hβ", 4861.3, true),
    ("[O III]", 5006.8, true),
    ("Mg b", 5175.4, false),
    ("Na D", 5892.9, false),
    ("[O I]", 6300.3, true),
    ("Hα", 6562.8, true),
    ("[N II]", 6583.5, true),
    ("[S II]", 6716.4, true),
];
