//! Starting background work: opening data and models, encoding, the analysis, file dialogs,
//! ingesting FITS files, residuals of the selection. Each task is tagged with what its result
//! is computed from.

use crate::app::builtin_model::Builtin;
use std::path::PathBuf;

use super::SpecaeApp;
use crate::analysis::options::MIN_SPECTRA;
use crate::app::commands::Pick;
use crate::app::jobs::JobOutput;
use crate::app::jobs::analysis::{AnalysisJob, run_analysis};
use crate::app::jobs::encode::{LatentsCache, encode, encode_checkpoint};
use crate::app::jobs::export::free_path;
use crate::app::jobs::ingest::ingest_into;
use crate::app::jobs::open::{builtin_model, open_builtin_at, open_data, open_model, snr_of};
use crate::app::jobs::views::selection_residuals;
use crate::app::messages::Level;
use crate::app::session::Scope;

impl SpecaeApp {
    pub(super) fn open_builtin(&mut self) {
        let n = self.opts.builtin_n;
        let path = self.opts.builtin_path();
        let id = self.tasks.spawn("open data", Scope::Any, move |cx| {
            open_builtin_at(&path, n, 0, cx)
        });
        self.latest_open[0] = Some(id);
    }

    pub(super) fn open_data(&mut self, path: PathBuf) {
        if path == self.opts.builtin_path() {
            return self.open_builtin();
        }
        let id = self
            .tasks
            .spawn("open data", Scope::Any, move |cx| open_data(&path, cx));
        self.latest_open[0] = Some(id);
    }

    /// A model shipped in `assets/`, for the open survey (in the background: converting
    /// 1.5 M float16 weights is not UI-thread work).
    pub(super) fn open_builtin_model(&mut self, which: Builtin) {
        if self.opening_data() {
            // As `open_model`: it waits for the survey being opened (by its command-line name).
            self.pending.model = Some(which.name().into());
            return;
        }
        let Some(d) = &self.session.data else { return };
        let (dp, own) = (d.path.clone(), d.own.clone());
        let scope = self.session.data_scope();
        let id = self
            .tasks
            .spawn("open model", scope, move |_| builtin_model(which, &dp, own));
        self.latest_open[1] = Some(id);
    }

    pub(super) fn open_model(&mut self, path: PathBuf) {
        // A model chosen while other data are still being opened is meant for those: it
        // waits for them (opened now, it was checked against the data on screen and refused).
        if self.session.data.is_none() || self.opening_data() {
            self.pending.model = Some(path);
            return;
        }
        // `specae gui --model builtin` (or builtin-vae): the shipped model.
        if let Some(which) = Builtin::named(&path) {
            return self.open_builtin_model(which);
        }
        let Some(d) = &self.session.data else { return };
        let (dp, own) = (d.path.clone(), d.own.clone());
        let scope = self.session.data_scope();
        let id = self
            .tasks
            .spawn("open model", scope, move |_| open_model(&path, &dp, own));
        self.latest_open[1] = Some(id);
    }

    /// The S/N of a store opened on disk (an npz has it from the start).
    pub(super) fn start_snr(&mut self) {
        let Some(d) = &self.session.data else { return };
        if d.snr.len() == d.n() {
            return;
        }
        let rows = d.own.clone();
        let scope = self.session.data_scope();
        self.tasks.spawn("S/N", scope, move |cx| snr_of(&rows, cx));
    }

    /// Whether the latest survey asked for is still being opened.
    pub(super) fn opening_data(&self) -> bool {
        self.latest_open[0].is_some_and(|id| self.tasks.running().iter().any(|t| t.id == id))
    }

    pub(super) fn start_encode(&mut self) {
        let (Some(d), Some(m)) = (&self.session.data, &self.session.model) else {
            return;
        };
        let (s, model) = (d.spectra.clone(), m.model.clone());
        let cache = match (&m.analysis_dir, &m.path) {
            (Some(dir), Some(path)) => Some(LatentsCache {
                dir: dir.clone(),
                model: path.clone(),
                data: d.path.clone(),
            }),
            _ => None,
        };
        let scope = self.session.model_scope();
        self.tasks
            .spawn("encode", scope, move |cx| encode(&model, &s, cache, cx));
    }

    pub(super) fn encode_checkpoint(&mut self, path: PathBuf) {
        if self.tasks.is_running("refresh latents") {
            self.pending.checkpoint = Some(path);
            return;
        }
        let Some(d) = &self.session.data else { return };
        // A run trains on the file's own infill; its checkpoints see the data that way.
        let s = d.own.clone();
        // Tagged with the open model too: a model opened meanwhile (the run's best, when it
        // ends) makes a checkpoint's latents stale. Tagged with the data alone, a checkpoint
        // encoded slower than the best model's latents replaced them, and the views never
        // showed the best model (seen once in CI, on 2 busy cores).
        let scope = self.session.model_scope();
        self.tasks.spawn("refresh latents", scope, move |cx| {
            encode_checkpoint(&path, &s, cx)
        });
    }

    pub(super) fn start_analysis(&mut self) {
        let (Some(d), Some(m), Some(l)) = (
            &self.session.data,
            &self.session.model,
            &self.session.latents,
        ) else {
            return;
        };
        self.tasks.cancel_named("analysis");
        // Fewer spectra have no neighbourhoods: say so once, as a warning about these data
        // (the corner plot, the inspector and the fidelity table work without the analysis).
        if d.n() < MIN_SPECTRA {
            let text = format!(
                "analysis: {} spectra, it needs at least {MIN_SPECTRA} — no UMAP, outliers or \
                 class separation for these data",
                d.n()
            );
            let gen_ = self.session.model_gen;
            self.messages.push_about(Level::Warning, text, gen_);
            return;
        }
        let job = AnalysisJob {
            model: m.model.clone(),
            spectra: d.spectra.clone(),
            split: m.split.clone(),
            latents: l.z.clone(),
            dir: m.analysis_dir.clone(),
            model_path: m.path.clone(),
            data_path: d.path.clone(),
            options: self.opts.analysis.clone(),
        };
        let scope = self.session.model_scope();
        self.tasks
            .spawn("analysis", scope, move |cx| run_analysis(job, cx));
    }

    /// A native file dialog on its own thread (rfd must not block the UI).
    pub(super) fn pick(&mut self, purpose: Pick) {
        if self.tasks.is_running("file dialog") {
            return;
        }
        self.tasks.spawn("file dialog", Scope::Any, move |_| {
            let d = rfd::FileDialog::new();
            let path = match purpose {
                Pick::Data => d
                    .add_filter(
                        "survey (npz) or SDSS spectra (FITS)",
                        &["npz", "fits", "fit"],
                    )
                    .pick_file(),
                Pick::Model => d
                    .add_filter("model (safetensors)", &["safetensors"])
                    .pick_file(),
                Pick::ExportDir => d.pick_folder(),
                Pick::Labels => d.add_filter("labels (CSV)", &["csv"]).pick_file(),
            };
            JobOutput::Picked { purpose, path }
        });
    }

    /// Ingests FITS files/folders in the background into a new survey store in the app's
    /// data folder (never over an earlier one), then opens it.
    pub(super) fn ingest(&mut self, inputs: Vec<PathBuf>) {
        let Some(first) = inputs.first() else {
            return;
        };
        let stem = first
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "ingested".into());
        let out = free_path(&self.opts.ingest_dir, &stem, "zarr");
        self.tasks.spawn("ingest", Scope::Any, move |cx| {
            ingest_into(&inputs, &out, cx)
        });
    }

    pub(super) fn selection_residuals_task(&mut self) {
        let (Some(d), Some(m), Some(a)) = (
            &self.session.data,
            &self.session.model,
            &self.session.scores,
        ) else {
            return;
        };
        if self.state.selection.is_empty() {
            return;
        }
        let (s, model, rows) = (
            d.spectra.clone(),
            m.model.clone(),
            self.state.selection.clone(),
        );
        let range = a.residuals.vs_wavelength.y_range();
        let (scope, gen_) = (self.session.model_scope(), self.derived.selection_gen);
        self.tasks.spawn("residuals", scope, move |cx| {
            selection_residuals(&model, &s, (&rows, gen_), range, cx)
        });
    }
}
