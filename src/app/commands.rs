//! What panels ask the app to do. Panels never mutate the session; they push commands that
//! the app applies after the frame, in order. As in rerun's viewer, commands about the data
//! and the work on it ([`AppCommand`]) are kept apart from commands about the layout
//! ([`UiCommand`]).

use crate::app::builtin_model::Builtin;
use std::path::PathBuf;

use super::pane::Pane;
use super::persisted::{ColourBy, ExportFormat, TrainSettings};
use crate::triage::{Ranking, Tag};

/// A view that can be exported as a figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportView {
    Umap,
    Corner,
    Spectrum,
    Residuals,
    TrainingCurves,
}

impl ExportView {
    pub const ALL: [ExportView; 5] = [
        ExportView::Umap,
        ExportView::Corner,
        ExportView::Spectrum,
        ExportView::Residuals,
        ExportView::TrainingCurves,
    ];
    pub fn label(self) -> &'static str {
        match self {
            ExportView::Umap => "UMAP",
            ExportView::Corner => "corner plot",
            ExportView::Spectrum => "inspected spectrum",
            ExportView::Residuals => "residual histograms",
            ExportView::TrainingCurves => "training curves",
        }
    }
}

/// A table that can be exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportTable {
    LatentsNpy,
    LatentsCsv,
    EmbeddingNpy,
    SelectionCsv,
}

impl ExportTable {
    pub const ALL: [ExportTable; 4] = [
        ExportTable::LatentsNpy,
        ExportTable::LatentsCsv,
        ExportTable::EmbeddingNpy,
        ExportTable::SelectionCsv,
    ];
    pub fn label(self) -> &'static str {
        match self {
            ExportTable::LatentsNpy => "latents.npy",
            ExportTable::LatentsCsv => "latents.csv",
            ExportTable::EmbeddingNpy => "umap.npy",
            ExportTable::SelectionCsv => "selection.csv",
        }
    }
}

/// What a file dialog is opened for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Data,
    Model,
    ExportDir,
    /// A labels CSV to import.
    Labels,
}

/// Data, selection, training and export: what changes the session or starts work.
#[derive(Clone, Debug, PartialEq)]
pub enum AppCommand {
    /// Open a file dialog (off the UI thread).
    Pick(Pick),
    OpenData(PathBuf),
    /// Paths as a user gives them (typed, pasted, dropped): surveys, models, FITS files or
    /// folders — each opened as what it is.
    OpenPaths(Vec<PathBuf>),
    /// Ingest SDSS FITS files/folders into a survey, then open it.
    Ingest(Vec<PathBuf>),
    OpenBuiltin,
    OpenModel(PathBuf),
    /// A model shipped in `assets/` (the AE or the VAE), for the built-in survey.
    UseBuiltinModel(Builtin),
    SetColourBy(ColourBy),
    ToggleClass(usize),
    /// Show a galaxy in the inspector.
    Focus(usize),
    /// The second end point of an interpolation.
    SetSecond(usize),
    Select(Vec<u32>),
    ClearSelection,
    /// Step through the focus's nearest latent neighbours (+1 next, −1 previous).
    StepNeighbour(i32),
    /// Fit the inspected galaxy's latents to it (the decoder's best reconstruction) or not.
    SetFitLatents(bool),
    /// Fit the inspected galaxy with stellar populations (or stop).
    SetFitPopulations(bool),
    /// Latent sliders: decode this latent vector.
    SetSynthetic(Vec<f32>),
    SyntheticFromFocus,
    /// Interpolate between focus and second at t ∈ [0, 1].
    Interpolate(f32),
    ClearSynthetic,
    StartTraining(TrainSettings),
    PauseTraining,
    ResumeTraining,
    /// Continue a run whose engine failed from its last checkpoint, on the CPU.
    ResumeTrainingOnCpu,
    StopTraining,
    SaveTrainingNow,
    /// Residual histograms of the current selection.
    SelectionResiduals,
    ExportFigure(ExportView, ExportFormat),
    ExportTable(ExportTable),
    /// The last ingest's report as CSV, into the export folder.
    ExportIngestReport,
    SetExportDir(PathBuf),
    SetExportFormat(ExportFormat),
    /// Show a file (the last export, a run's folder) in the system's file manager.
    Reveal(PathBuf),
    /// Stop the background task with this id (the status bar's Cancel).
    CancelTask(u64),
    /// How the Outliers panel orders the candidates.
    SetRanking(Ranking),
    /// The inspected galaxy's interest score (0 … 5; `None` removes the score).
    SetInterest(Option<u8>),
    /// Adds or removes a tag of the inspected galaxy.
    ToggleTag(Tag),
    /// Removes the inspected galaxy's label.
    ClearLabel,
    /// Inspect the best unlabelled candidate of the current ranking.
    NextCandidate,
    /// The ranked list as CSV, into the export folder.
    ExportRanked,
    /// The top candidates with their reconstructions, as a figure.
    ExportContactSheet,
    /// The labels as CSV, into the export folder.
    ExportLabels,
    ImportLabels(PathBuf),
}

/// The layout: panes, the message line.
#[derive(Clone, Debug, PartialEq)]
pub enum UiCommand {
    /// Show a pane and make it its stack's active tab.
    ShowPane(Pane),
    /// Show or hide a pane (View menu).
    SetPaneShown(Pane, bool),
    /// The default layout for the window's size (View → Reset layout).
    ResetLayout,
    DismissMessage(usize),
}

/// Either kind, in the order panels sent them.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    App(AppCommand),
    Ui(UiCommand),
}

impl From<AppCommand> for Command {
    fn from(c: AppCommand) -> Self {
        Command::App(c)
    }
}

impl From<UiCommand> for Command {
    fn from(c: UiCommand) -> Self {
        Command::Ui(c)
    }
}
