//! Work for the views: residual histograms of a selection, the corner plot's bins, the
//! inspected galaxy's stellar populations.

use burn::prelude::Device;
use eframe::egui::Color32;
use ndarray::Array2;

use super::{JobCtx, JobOutput};
use crate::analysis::residuals::residuals_of_rows;
use crate::app::corner_bins::{CornerKey, corner_bins};
use crate::app::survey_rows::SurveyRows;
use crate::app::view_models::PopulationsKey;
use crate::app::view_models::SelectionResiduals;
use crate::data::preprocess::noise_ivar;
use crate::model::Autoencoder;
use crate::synth::fit::PopulationFitter;

/// Residual histograms of the selection `rows` (of generation `selection_gen`), binned over
/// `range` so they compare with the whole survey's.
pub fn selection_residuals(
    model: &Autoencoder,
    s: &SurveyRows,
    (rows, selection_gen): (&[u32], u64),
    range: (f64, f64),
    cx: &JobCtx,
) -> JobOutput {
    cx.progress()
        .stage("residuals of the selection", rows.len() as u64);
    let hist = match residuals_of_rows(model, &Device::flex(), s.as_rows(), rows, range) {
        Ok(h) => h,
        Err(e) => return JobOutput::failed("residuals", e),
    };
    JobOutput::Residuals {
        selection_gen,
        residuals: SelectionResiduals {
            rows: rows.len(),
            hist,
        },
    }
}

/// What the corner plot is binned from (copies: the job runs while the session moves on).
pub struct CornerInputs {
    pub key: CornerKey,
    pub z: Array2<f32>,
    pub range: Vec<(f32, f32)>,
    pub colours: Vec<Color32>,
    pub spectra: SurveyRows,
}

/// The corner plot's bins.
pub fn bin_corner(inp: CornerInputs, cx: &JobCtx) -> JobOutput {
    cx.progress().stage("binning the corner plot", 0);
    let classes: Vec<usize> = inp.spectra.classes().iter().map(|c| c.index()).collect();
    JobOutput::CornerBins(corner_bins(
        inp.key,
        &inp.z,
        inp.range,
        &inp.colours,
        &classes,
    ))
}

/// A galaxy and its reconstruction, to fit with stellar populations (copies).
pub struct PopulationInputs {
    pub key: PopulationsKey,
    pub x: Vec<f32>,
    pub xhat: Vec<f32>,
    /// The spectrum's weights (its noise's inverse variance, softened).
    pub w: Vec<f32>,
    pub wavelengths: Vec<f64>,
}

/// The galaxy and its reconstruction fitted alike (as `specae fidelity --populations`).
pub fn fit_populations(inp: PopulationInputs, cx: &JobCtx) -> JobOutput {
    cx.progress().stage("fitting stellar populations", 0);
    let ivar: Vec<f64> = inp.w.iter().map(|&w| noise_ivar(w)).collect();
    JobOutput::Populations {
        key: inp.key,
        pair: PopulationFitter::for_grid(&inp.wavelengths)
            .map(|f| f.fit_pair(&inp.x, &inp.xhat, &ivar)),
    }
}
