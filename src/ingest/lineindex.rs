//! astroML's `lineratio_index` (Vanderplas & Connolly 2009) from the SDSS pipeline's own line
//! measurements, with the [NII] indicator and the Kewley et al. (2001) line.

use super::sdss_fits::{PipelineLine, SdssSpectrum};
use crate::spectro::bpt::is_agn_bpt;
use crate::spectro::lines::lam;

/// Strength and significance of the line at `rest` (±1 Å), or zeros if not measured.
fn line(lines: &[PipelineLine], rest: f64) -> (f64, f64) {
    lines
        .iter()
        .find(|l| (l.rest_wave - rest).abs() < 1.0)
        .map_or((0.0, 0.0), |l| (l.strength, l.nsigma))
}

/// The astroML class code and, where computed, (log [NII]/Hα, log [OIII]/Hβ).
///
/// Pipeline classes first: stars → 1, QSOs (and galaxies the pipeline calls BROADLINE) → 6,
/// sky → 7; galaxies by their lines: weak Hα or Hβ (< 3σ) → 3, either in absorption → 2, then
/// above the Kewley line → 5 (narrow-line AGN), else 4 (emission-line). `None` if the file has
/// no line measurements (the caller then measures the spectrum itself).
pub fn lineindex_from_pipeline(s: &SdssSpectrum) -> Option<(i64, f64, f64)> {
    let class = s.class.to_ascii_uppercase();
    let sub = s.subclass.to_ascii_uppercase();
    match class.as_str() {
        "STAR" => return Some((1, f64::NAN, f64::NAN)),
        "SKY" => return Some((7, f64::NAN, f64::NAN)),
        "QSO" => return Some((6, f64::NAN, f64::NAN)),
        "GALAXY" if sub.contains("BROADLINE") => return Some((6, f64::NAN, f64::NAN)),
        "GALAXY" => {}
        _ => return Some((0, f64::NAN, f64::NAN)),
    }
    if s.lines.is_empty() {
        return None;
    }
    let (ha, ha_n) = line(&s.lines, lam::H_ALPHA);
    let (hb, hb_n) = line(&s.lines, lam::H_BETA);
    if ha_n < 3.0 || hb_n < 3.0 {
        return Some((3, f64::NAN, f64::NAN));
    }
    if ha < 0.0 || hb < 0.0 {
        return Some((2, f64::NAN, f64::NAN));
    }
    let (nii, _) = line(&s.lines, lam::NII_B);
    let (oiii, _) = line(&s.lines, lam::OIII_B);
    // As astroML: logs of non-positive strengths are −∞ (below the line).
    let x = if nii > 0.0 {
        (nii / ha).log10()
    } else {
        f64::NEG_INFINITY
    };
    let y = if oiii > 0.0 {
        (oiii / hb).log10()
    } else {
        f64::NEG_INFINITY
    };
    let code = if is_agn_bpt(x, y) { 5 } else { 4 };
    let finite = |v: f64| if v.is_finite() { v } else { f64::NAN };
    Some((code, finite(x), finite(y)))
}
