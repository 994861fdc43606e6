//! What persists between launches (layout, last files, selection, settings), kept apart from
//! the runtime state ([`super::session`]), which is rebuilt from files.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::pane::Pane;
use crate::model::ModelKind;
use crate::train::backend::BackendChoice;
use crate::train::config::DEFAULT_INFOVAE_LAMBDA;

/// eframe storage key.
pub const STORAGE_KEY: &str = "specae-state-v1";

/// How points are coloured in the UMAP and corner views.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ColourBy {
    Class,
    Redshift,
    Snr,
    OutlierScore,
    Chi2,
    NiiHa,
    Latent(usize),
    /// A VAE's posterior σ (geometric mean over the latents).
    PosteriorSigma,
    /// The user's interest score (unlabelled: grey).
    Label,
    /// The learned ranking's predicted interest.
    Learned,
}

impl ColourBy {
    pub fn label(self) -> String {
        match self {
            ColourBy::Class => "class".into(),
            ColourBy::Redshift => "redshift z".into(),
            ColourBy::Snr => "median S/N".into(),
            ColourBy::OutlierScore => "outlier score (LOF)".into(),
            ColourBy::Chi2 => "log reduced χ²".into(),
            ColourBy::NiiHa => "log [NII]/Hα".into(),
            ColourBy::Latent(k) => format!("latent z{k}"),
            ColourBy::PosteriorSigma => "posterior σ (VAE)".into(),
            ColourBy::Label => "your interest score (labels)".into(),
            ColourBy::Learned => "learned interest".into(),
        }
    }
}

/// Training settings of the Training panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainSettings {
    pub batch: usize,
    pub lr: f64,
    pub max_epochs: usize,
    pub latent: usize,
    /// Autoencoder, VAE or InfoVAE.
    pub model: ModelKind,
    /// InfoVAE λ (the MMD's weight is λ − 1).
    pub lambda: f64,
    pub seed: u64,
    pub backend: BackendChoice,
    /// Tests of the recovery: the engine fails at this optimisation step, as a lost GPU does
    /// (see `Trainer::inject_fault`). Never persisted.
    #[doc(hidden)]
    #[serde(skip)]
    pub fail_at_step: Option<usize>,
    /// Tests of the recovery: `auto`'s measurement of the GPU engine panics with this message
    /// (see `train::backend::Auto::fault`). Never persisted.
    #[doc(hidden)]
    #[serde(skip)]
    pub fail_gpu_measurement: Option<String>,
}

impl Default for TrainSettings {
    fn default() -> Self {
        Self {
            batch: 64,
            lr: 1e-3,
            max_epochs: 200,
            latent: 6,
            model: ModelKind::Ae,
            lambda: DEFAULT_INFOVAE_LAMBDA,
            seed: 0,
            backend: BackendChoice::Auto,
            fail_at_step: None,
            fail_gpu_measurement: None,
        }
    }
}

/// Figure formats offered by the Export panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    Png,
    Svg,
    Pdf,
}

impl ExportFormat {
    pub fn format(self) -> crate::figures::render::Format {
        use crate::figures::render::Format;
        match self {
            ExportFormat::Png => Format::Png { dpi: 300 },
            ExportFormat::Svg => Format::Svg,
            ExportFormat::Pdf => Format::Pdf,
        }
    }
}

/// Everything that survives a restart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    /// The survey last opened (`None`: the built-in survey).
    pub data_path: Option<PathBuf>,
    /// The model last opened: a file, or a shipped model by its command-line name
    /// (`builtin`, `builtin-vae`); `None`: none. Reopened only with the data last opened.
    pub model_path: Option<PathBuf>,
    /// Recently opened files, newest first.
    pub recent: Vec<PathBuf>,
    pub colour_by: ColourBy,
    /// Hidden classes (indexed like `GalaxyClass::ALL`).
    pub hidden: [bool; 5],
    /// The galaxy shown in the inspector.
    pub focus: Option<usize>,
    /// A second galaxy (interpolation end point).
    pub second: Option<usize>,
    /// Box-selected galaxies.
    pub selection: Vec<u32>,
    /// The panels' tile layout (`None`: the default for the window's size).
    pub tiles: Option<egui_tiles::Tree<Pane>>,
    pub train: TrainSettings,
    pub export_dir: Option<PathBuf>,
    pub export_format: ExportFormat,
    /// How the Outliers panel orders the candidates.
    pub ranking: crate::triage::Ranking,
    /// The inspector also fits the inspected galaxy's latents to it and shows that
    /// reconstruction ("fit latents").
    pub fit_latents: bool,
    /// The inspector also fits the inspected galaxy and its reconstruction with the built-in
    /// survey's stellar populations ("stellar populations": σ, age, metallicity).
    pub fit_populations: bool,
}

impl Default for Persisted {
    fn default() -> Self {
        Self {
            data_path: None,
            model_path: None,
            recent: vec![],
            colour_by: ColourBy::Class,
            hidden: [false; 5],
            focus: None,
            second: None,
            selection: vec![],
            tiles: None,
            train: TrainSettings::default(),
            export_dir: None,
            export_format: ExportFormat::Png,
            ranking: crate::triage::Ranking::Combined,
            fit_latents: false,
            fit_populations: false,
        }
    }
}

impl Persisted {
    /// The export folder: the user's choice, else `specae-exports` in their Documents folder
    /// (an app started from Finder or a desktop menu has `/` as its working directory).
    pub fn export_dir(&self) -> PathBuf {
        self.export_dir.clone().unwrap_or_else(|| {
            directories::UserDirs::new()
                .map(|u| {
                    u.document_dir()
                        .unwrap_or_else(|| u.home_dir())
                        .join("specae-exports")
                })
                .unwrap_or_else(|| PathBuf::from("specae-exports"))
        })
    }

    /// Remembers `p` at the top of the recent-files list (10 kept).
    pub fn remember(&mut self, p: PathBuf) {
        self.recent.retain(|q| q != &p);
        self.recent.insert(0, p);
        self.recent.truncate(10);
    }

    /// Drops selections that do not fit a data set of `n` spectra.
    pub fn clamp_selection(&mut self, n: usize) {
        self.focus = self.focus.filter(|&i| i < n);
        self.second = self.second.filter(|&i| i < n);
        self.selection.retain(|&i| (i as usize) < n);
    }
}
