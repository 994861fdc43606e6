//! What the views show that is derived from the session: the point colours, the inspected
//! galaxy with its reconstructions, the decoded slider spectrum, the selection's residuals and
//! the corner plot's bins. The explorer keeps them current (keyed by what each was computed
//! from, see `explorer::derived`); panels only read them.

use std::sync::Arc;

use super::colouring::{Legend, PointColours};
use super::corner_bins::CornerBins;
use crate::analysis::residuals::ResidualHistograms;
use crate::spectro::ratios::LineRatios;
use crate::synth::fit::PopulationPair;

/// A decoded latent vector (latent sliders, interpolation).
#[derive(Clone, Debug, Default)]
pub struct Synthetic {
    pub z: Vec<f32>,
    pub spectrum: Vec<f32>,
    /// Where it falls in the UMAP (placed by its latent neighbours).
    pub umap_pos: Option<[f32; 2]>,
    /// How long decoding took (µs).
    pub decode_us: f64,
}

/// The inspected galaxy: its spectrum, reconstructions and latent neighbours.
#[derive(Clone, Debug, Default)]
pub struct Inspected {
    pub index: usize,
    /// Its spectrum (normalised flux), and which pixels have no weight.
    pub x: Vec<f32>,
    pub masked: Vec<bool>,
    /// Its pixels' weights (0 where masked): the population fits' noise.
    pub w: Vec<f32>,
    /// Why its spectrum could not be read (a damaged store).
    pub row_error: Option<String>,
    pub xhat: Vec<f32>,
    pub pca: Option<Vec<f32>>,
    /// Nearest galaxies in latent space, nearest first (the arrow keys walk this list).
    pub neighbours: Vec<usize>,
    /// Position in `neighbours` of the galaxy shown when walking (None: the anchor itself).
    pub walk: Option<usize>,
    /// The galaxy the walk started from.
    pub anchor: usize,
    /// 1-based rank in the outlier table (once the scores are in).
    pub outlier_rank: Option<usize>,
    /// In the model's validation split.
    pub validation: bool,
    /// Its latents fitted to it, where the inspector fits them.
    pub fitted: Option<FittedLatents>,
    /// Its diagnostic line ratios and its reconstruction's, measured alike (as `specae
    /// fidelity --lines`).
    pub line_ratios: Option<(LineRatios, LineRatios)>,
}

/// The decoder's best reconstruction of a galaxy: latents fitted to its spectrum (see
/// [`crate::train::fit_latents`]), with χ²/pixel before and after.
#[derive(Clone, Debug, Default)]
pub struct FittedLatents {
    pub z: Vec<f32>,
    pub xhat: Vec<f32>,
    /// χ²/pixel with the encoder's latents and with the fitted ones.
    pub chi2_encoded: f64,
    pub chi2_fitted: f64,
}

/// Residual histograms of a selection of `rows` spectra.
#[derive(Clone, Debug)]
pub struct SelectionResiduals {
    pub rows: usize,
    pub hist: ResidualHistograms,
}

/// Everything derived, as the panels see it this frame.
pub struct Views {
    pub colours: PointColours,
    /// Changes whenever `colours` do (a cache key for textures).
    pub colours_gen: u64,
    pub inspected: Option<Inspected>,
    pub synthetic: Option<Synthetic>,
    pub selection_residuals: Option<SelectionResiduals>,
    /// The corner plot's bins for the latents and colours on screen (or the last ones while
    /// new ones are binned).
    pub corner: Option<Arc<CornerBins>>,
    /// The Outliers panel's order (rows, best candidate first) and the ranking it follows
    /// (the learned one shows the combined order until its first fit).
    pub ranked: Arc<Vec<u32>>,
    pub ranked_by: Option<crate::triage::Ranking>,
    /// Labelled rows and their score (markers on the maps).
    pub labelled: Vec<(u32, Option<u8>)>,
    /// The stellar-population fits of a galaxy and its reconstruction (the inspector's
    /// "stellar populations"), with the galaxy, data and model they are of; why not, where
    /// they cannot be made (data on another grid than the population tables').
    pub populations: Option<(PopulationsKey, Result<PopulationPair, String>)>,
}

/// What population fits are of: the galaxy, the data's and the model's generations.
pub type PopulationsKey = (usize, u64, u64);

impl Default for Views {
    fn default() -> Self {
        Self {
            colours: PointColours {
                colours: vec![],
                legend: Legend::Classes,
            },
            colours_gen: 0,
            inspected: None,
            synthetic: None,
            selection_residuals: None,
            corner: None,
            ranked: Arc::new(vec![]),
            ranked_by: None,
            labelled: vec![],
            populations: None,
        }
    }
}
