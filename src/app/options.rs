//! How the explorer starts: which files, where the built-in survey, training runs and ingested
//! surveys live, the analysis settings.

use std::path::PathBuf;

use crate::analysis::options::AnalysisOptions;

/// How the app starts.
#[derive(Clone, Debug)]
pub struct AppOptions {
    /// A survey to open (`None`: the last one, else the built-in survey).
    pub data: Option<PathBuf>,
    /// A model to open (`None`: the last one, else the built-in model for the built-in survey).
    pub model: Option<PathBuf>,
    /// Size of the built-in survey.
    pub builtin_n: usize,
    /// Where the built-in survey lives (`None`: the platform's data folder).
    pub builtin_path: Option<PathBuf>,
    /// Where training runs write their checkpoints.
    pub runs_dir: PathBuf,
    /// Where FITS files dropped onto the window are ingested to.
    pub ingest_dir: PathBuf,
    /// Analysis settings (UMAP epochs etc.).
    pub analysis: AnalysisOptions,
    /// Reopen the files of the last session when no file is given.
    pub restore_files: bool,
}

impl Default for AppOptions {
    fn default() -> Self {
        let mut analysis = AnalysisOptions::default();
        // The explorer uses every core for UMAP (the CLI's default is the reproducible
        // single-threaded run).
        analysis.umap.reproducible = false;
        Self {
            data: None,
            model: None,
            builtin_n: crate::synth::SynthConfig::default().n,
            builtin_path: None,
            runs_dir: crate::data::sources::data_dir().join("runs"),
            ingest_dir: crate::data::sources::data_dir().join("ingested"),
            analysis,
            restore_files: true,
        }
    }
}

impl AppOptions {
    /// Where the built-in survey lives.
    pub fn builtin_path(&self) -> PathBuf {
        self.builtin_path
            .clone()
            .unwrap_or_else(|| crate::data::sources::builtin_survey_path(self.builtin_n, 0))
    }
}
