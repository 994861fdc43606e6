//! Per-point colours for the chosen column: class colours (Okabe–Ito, as the figures) or
//! viridis over a robust range; hidden classes get no colour.

use eframe::egui::Color32;

use super::persisted::ColourBy;
use super::session::Session;
use crate::data::GalaxyClass;
use crate::figures::style::{class_colour, viridis};
use crate::util::stats::robust_range;

/// What the colours mean, for legends.
#[derive(Clone, Debug, PartialEq)]
pub enum Legend {
    Classes,
    Numeric {
        label: String,
        lo: f64,
        hi: f64,
    },
    /// The column is not available (e.g. no redshifts in the file, analysis still running).
    Missing(String),
}

/// Colours of every point plus their legend.
pub struct PointColours {
    pub colours: Vec<Color32>,
    pub legend: Legend,
}

pub fn class_colour32(c: GalaxyClass) -> Color32 {
    let rgb = class_colour(c);
    Color32::from_rgb(rgb.0, rgb.1, rgb.2)
}

pub fn viridis32(t: f64) -> Color32 {
    let rgb = viridis(t);
    Color32::from_rgb(rgb.0, rgb.1, rgb.2)
}

/// Most labelled galaxies marked on a map (a label book can hold a survey's worth).
pub const MAX_LABEL_MARKERS: usize = 5000;

/// A labelled galaxy's ring (Okabe–Ito, colour-blind safe, bright on the dark maps): bluish
/// green for 4–5 (interesting), vermillion for 0–1 (boring), grey between.
pub fn label_marker_colour(score: Option<u8>) -> Color32 {
    match score {
        Some(4..) => Color32::from_rgb(0, 190, 140),
        Some(0 | 1) => Color32::from_rgb(230, 110, 20),
        _ => Color32::from_gray(200),
    }
}

/// The numeric values of a column, if the session has them (one per open spectrum).
pub fn column(session: &Session, c: ColourBy) -> Option<Vec<f64>> {
    let data = session.data.as_ref()?;
    column_values(session, c).filter(|v| v.len() == data.n())
}

fn column_values(session: &Session, c: ColourBy) -> Option<Vec<f64>> {
    let data = session.data.as_ref()?;
    let meta = data.spectra.meta();
    match c {
        ColourBy::Class => None,
        ColourBy::Redshift => meta
            .z
            .as_ref()
            .map(|z| z.iter().map(|&v| v as f64).collect()),
        ColourBy::Snr => Some(data.snr.iter().map(|&v| v as f64).collect()),
        ColourBy::NiiHa => meta
            .log_nii_ha
            .as_ref()
            .map(|z| z.iter().map(|&v| v as f64).collect()),
        ColourBy::OutlierScore => session.scores.as_ref().map(|a| a.lof.clone()),
        ColourBy::Chi2 => session
            .scores
            .as_ref()
            .map(|a| a.chi2.iter().map(|&v| v.max(1e-12).log10()).collect()),
        ColourBy::PosteriorSigma => session
            .latents
            .as_ref()
            .and_then(|l| l.sigma.as_ref())
            .map(|v| v.iter().map(|&s| f64::from(s)).collect()),
        // Unlabelled galaxies are NaN: drawn grey.
        ColourBy::Label => session.book().map(|b| {
            (0..data.n())
                .map(|i| {
                    b.label(i)
                        .and_then(|l| l.effective_score())
                        .map_or(f64::NAN, f64::from)
                })
                .collect()
        }),
        // Before any label the learned ranking is the combined one: its percentile × 5.
        ColourBy::Learned => match session.current_learned() {
            Some(l) => Some(l.fit.interest.iter().map(|&v| f64::from(v)).collect()),
            None => session
                .scores
                .as_ref()
                .map(|a| a.combined().into_iter().map(|p| 5.0 * p).collect()),
        },
        ColourBy::Latent(k) => session.latents.as_ref().and_then(|l| {
            (k < l.z.ncols()).then(|| l.z.column(k).iter().map(|&v| v as f64).collect())
        }),
    }
}

/// Colours of every spectrum for `by`, with `hidden` classes transparent.
pub fn point_colours(session: &Session, by: ColourBy, hidden: &[bool; 5]) -> PointColours {
    let Some(data) = &session.data else {
        return PointColours {
            colours: vec![],
            legend: Legend::Classes,
        };
    };
    let classes = data.spectra.classes();
    let visible = |i: usize| !hidden[classes[i].index()];
    let class_cols = || -> Vec<Color32> {
        (0..classes.len())
            .map(|i| {
                if visible(i) {
                    class_colour32(classes[i])
                } else {
                    Color32::TRANSPARENT
                }
            })
            .collect()
    };
    if by == ColourBy::Class {
        return PointColours {
            colours: class_cols(),
            legend: Legend::Classes,
        };
    }
    let Some(values) = column(session, by) else {
        return PointColours {
            colours: class_cols(),
            legend: Legend::Missing(format!(
                "{} is not available; coloured by class",
                by.label()
            )),
        };
    };
    let (lo, hi) = match by {
        // Scores on the labels' own scale.
        ColourBy::Label | ColourBy::Learned => (0.0, f64::from(crate::triage::labels::MAX_SCORE)),
        _ => robust_range(&values, 0.01, 0.99).unwrap_or((0.0, 1.0)),
    };
    let span = (hi - lo).max(1e-12);
    let colours = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if !visible(i) {
                Color32::TRANSPARENT
            } else if v.is_finite() {
                viridis32((v - lo) / span)
            } else {
                Color32::from_gray(128)
            }
        })
        .collect();
    PointColours {
        colours,
        legend: Legend::Numeric {
            label: by.label(),
            lo,
            hi,
        },
    }
}
