//! The explorer app: owns the session, the persisted state, the background tasks, the
//! training run and the panels; lays the panels out, and applies the panels' commands after
//! drawing.
//!
//! Two entry points per frame, as eframe calls them: [`SpecaeApp::logic`] (every frame, and
//! alone while the window is minimised or covered) takes in what background work delivered
//! — task results, training events — and [`SpecaeApp::draw`] lays out the panels. Nothing the
//! app must keep doing lives only in `draw`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use eframe::egui;

use super::colouring::{PointColours, point_colours};
use super::commands::AppCommand;
use super::jobs::{self, JobOutput};
use super::panels::corner::CornerPanel;
use super::panels::data_model::DataModelPanel;
use super::panels::export::ExportPanel;
use super::panels::inspector::InspectorPanel;
use super::panels::outliers::OutliersPanel;
use super::panels::residuals::ResidualsPanel;
use super::panels::sliders::SlidersPanel;
use super::panels::training::TrainingPanel;
use super::panels::umap::UmapPanel;
use super::panels::{Inspected, PanelCx, Synthetic};
use super::session::Session;
use super::state::{ColourBy, Persisted, STORAGE_KEY};
use super::tasks::{Scope, Tasks};
use super::training::TrainingRun;
use crate::analysis::bundle::AnalysisOptions;
use crate::analysis::residuals::ResidualHistograms;

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

/// A line in the message area.
#[derive(Clone, Debug)]
pub struct Message {
    pub text: String,
    pub error: bool,
    pub at: Instant,
}

/// The panels, as concrete types (tests reach into them), drawn through the `Panel` trait.
#[derive(Default)]
pub struct Panels {
    pub data: DataModelPanel,
    pub training: TrainingPanel,
    pub corner: CornerPanel,
    pub umap: UmapPanel,
    pub inspector: InspectorPanel,
    pub residuals: ResidualsPanel,
    pub sliders: SlidersPanel,
    pub outliers: OutliersPanel,
    pub export: ExportPanel,
}

pub struct SpecaeApp {
    pub(super) opts: AppOptions,
    pub(super) state: Persisted,
    pub(super) session: Session,
    pub(super) tasks: Tasks,
    pub(super) training: Option<TrainingRun>,
    pub(super) panels: Panels,
    pub(super) commands: Vec<AppCommand>,
    /// The panels' tile layout (copied into the persisted state when it changes).
    pub(super) tiles: egui_tiles::Tree<super::tiles::Pane>,
    /// The window's size (points) when last drawn: the default layout is made for it.
    pub(super) window_size: egui::Vec2,
    /// The layout was sized to the first window (or restored).
    pub(super) layout_sized: bool,
    pub(super) messages: Vec<Message>,
    pub(super) colours: PointColours,
    pub(super) colours_key: Option<(ColourBy, [bool; 5], u64, u64, u64)>,
    pub(super) colours_gen: u64,
    pub(super) synthetic: Option<Synthetic>,
    pub(super) inspected: Option<Inspected>,
    pub(super) inspected_key: Option<(usize, u64, u64, u64)>,
    pub(super) selection_residuals: Option<(usize, ResidualHistograms)>,
    /// Changes whenever the selection does (residuals of an older selection are dropped).
    pub(super) selection_gen: u64,
    /// A model to open once the data it belongs to is loaded.
    pub(super) pending_model: Option<PathBuf>,
    /// A checkpoint waiting to be encoded while an encode is already running.
    pub(super) pending_checkpoint: Option<PathBuf>,
    pub(super) path_input: String,
    /// The last file an export wrote ("Show in folder").
    pub(super) last_export: Option<PathBuf>,
    /// The egui pass whose dropped files were taken (a hidden window's logic passes see the
    /// last shown frame's input again).
    pub(super) dropped_pass: Option<u64>,
    /// The first window was fitted to the screen.
    pub(super) window_fitted: bool,
    /// The latest "open data" and "open model" tasks: an earlier one finishing later is a
    /// choice the user has replaced.
    pub(super) latest_open: [Option<u64>; 2],
    pub(super) frames: u64,
    /// The context fonts were installed in (the one drawing the app).
    pub(super) setup_for: Option<egui::Context>,
}

/// DejaVu Sans (bundled for the figures) as a fallback font, so χ², Å, ÷, arrows and symbols
/// never render as missing glyphs.
fn install_fonts(ctx: &egui::Context) {
    let families = [egui::FontFamily::Proportional, egui::FontFamily::Monospace]
        .into_iter()
        .map(|family| egui::InsertFontFamily {
            family,
            priority: egui::FontPriority::Lowest,
        })
        .collect();
    ctx.add_font(egui::FontInsert::new(
        "DejaVuSans",
        egui::FontData::from_static(crate::figures::render::FONT),
        families,
    ));
}

impl SpecaeApp {
    /// Creates the app and starts opening its data in the background.
    pub fn new(opts: AppOptions, persisted: Option<Persisted>, ctx: &egui::Context) -> Self {
        // Training and the analysis run in rayon's pool: below the UI thread, so a frame never
        // waits for a core they hold (a no-op when something already used rayon).
        crate::util::priority::background_rayon_pool();
        let mut state = persisted.unwrap_or_default();
        let data = opts.data.clone().or_else(|| {
            opts.restore_files
                .then(|| state.data_path.clone())
                .flatten()
        });
        let model = opts.model.clone().or_else(|| {
            opts.restore_files
                .then(|| state.model_path.clone())
                .flatten()
        });
        if opts.data.is_some() && opts.data != state.data_path {
            state.focus = None;
            state.second = None;
            state.selection.clear();
        }
        let restored = super::tiles::restored(state.tiles.clone());
        let layout_sized = restored.is_some();
        let window_size = egui::vec2(1440.0, 900.0);
        let tiles = restored.unwrap_or_else(|| super::tiles::default_tree(window_size));
        let mut app = Self {
            opts,
            state,
            tiles,
            window_size,
            layout_sized,
            session: Session::default(),
            tasks: Tasks::new(Some(ctx.clone())),
            training: None,
            panels: Panels::default(),
            commands: vec![],
            messages: vec![],
            colours: PointColours {
                colours: vec![],
                legend: super::colouring::Legend::Classes,
            },
            colours_key: None,
            colours_gen: 0,
            synthetic: None,
            inspected: None,
            inspected_key: None,
            selection_residuals: None,
            selection_gen: 0,
            pending_model: model,
            pending_checkpoint: None,
            path_input: String::new(),
            last_export: None,
            dropped_pass: None,
            window_fitted: false,
            latest_open: [None; 2],
            frames: 0,
            setup_for: None,
        };
        install_fonts(ctx);
        app.setup_for = Some(ctx.clone());
        match data {
            Some(p) => app.open_data(p),
            None => app.open_builtin(),
        }
        app
    }

    // ----- accessors (tests, benchmarks) -----

    pub fn session(&self) -> &Session {
        &self.session
    }
    pub fn state(&self) -> &Persisted {
        &self.state
    }
    pub fn panels(&self) -> &Panels {
        &self.panels
    }
    pub fn synthetic(&self) -> Option<&Synthetic> {
        self.synthetic.as_ref()
    }
    pub fn inspected(&self) -> Option<&Inspected> {
        self.inspected.as_ref()
    }
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }
    pub fn training(&self) -> Option<&TrainingRun> {
        self.training.as_ref()
    }
    pub fn tasks(&self) -> &Tasks {
        &self.tasks
    }
    /// Where `pane` was laid out last frame (`None`: hidden, or behind another tab).
    pub fn pane_rect(&self, pane: super::tiles::Pane) -> Option<egui::Rect> {
        let id = self.tiles.tiles.find_pane(&pane)?;
        self.tiles
            .active_tiles()
            .contains(&id)
            .then(|| self.tiles.tiles.rect(id))
            .flatten()
    }
    /// Background work in flight (tasks or an active training run).
    pub fn is_busy(&self) -> bool {
        self.tasks.is_busy() || self.training.as_ref().is_some_and(|t| t.is_active())
    }
    /// Queues a command as if a panel had sent it.
    pub fn send(&mut self, c: AppCommand) {
        self.commands.push(c);
    }

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.messages.push(Message {
            text: text.into(),
            error: false,
            at: Instant::now(),
        });
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.messages.push(Message {
            text: text.into(),
            error: true,
            at: Instant::now(),
        });
    }

    // ----- starting work -----

    /// Where the built-in survey lives.
    fn builtin_path(&self) -> PathBuf {
        self.opts
            .builtin_path
            .clone()
            .unwrap_or_else(|| crate::data::sources::builtin_survey_path(self.opts.builtin_n, 0))
    }

    pub(super) fn open_builtin(&mut self) {
        let n = self.opts.builtin_n;
        let path = self.builtin_path();
        let id = self.tasks.spawn("open data", Scope::Any, move |cx| {
            jobs::open_builtin_at(&path, n, 0, cx)
        });
        self.latest_open[0] = Some(id);
    }

    pub(super) fn open_data(&mut self, path: PathBuf) {
        let builtin =
            self.opts.builtin_path.clone().unwrap_or_else(|| {
                crate::data::sources::builtin_survey_path(self.opts.builtin_n, 0)
            });
        if path == builtin {
            return self.open_builtin();
        }
        let id = self.tasks.spawn("open data", Scope::Any, move |cx| {
            jobs::open_data(&path, cx)
        });
        self.latest_open[0] = Some(id);
    }

    /// The model shipped in `assets/`, for the open survey (in the background: converting
    /// 1.5 M float16 weights is not UI-thread work).
    pub(super) fn open_builtin_model(&mut self) {
        let Some(d) = &self.session.data else { return };
        let (dp, n, bins) = (d.path.clone(), d.n(), d.spectra.n_bins());
        let scope = self.session.data_scope();
        let id = self.tasks.spawn("open model", scope, move |_| {
            jobs::builtin_model(&dp, n, bins)
        });
        self.latest_open[1] = Some(id);
    }

    pub(super) fn open_model(&mut self, path: PathBuf) {
        let Some(d) = &self.session.data else {
            self.pending_model = Some(path);
            return;
        };
        let (dp, n, bins) = (d.path.clone(), d.n(), d.spectra.n_bins());
        let scope = self.session.data_scope();
        let id = self.tasks.spawn("open model", scope, move |_| {
            jobs::open_model(&path, &dp, n, bins)
        });
        self.latest_open[1] = Some(id);
    }

    /// Applies one finished job, unless it was computed from a session state that has since
    /// changed (other data or another model opened meanwhile), or opens a file the user has
    /// since replaced by a later choice: such results are dropped.
    pub(super) fn apply_output(&mut self, f: super::tasks::Finished) {
        if !self.session.is_current(f.scope) {
            return;
        }
        let superseded = |k: usize| self.latest_open[k].is_some_and(|id| id != f.id);
        match f.output {
            JobOutput::Data(_) if superseded(0) => {}
            JobOutput::Model(_) if superseded(1) => {}
            JobOutput::Data(d) => self.install_data(d),
            JobOutput::Model(m) => {
                self.state.model_path = m.path.clone();
                if let Some(p) = &m.path {
                    self.state.remember(p.clone());
                }
                self.info(format!("model: {}", m.label));
                self.session.set_model(m);
                // Work for the previous model (its encode, analysis, residuals) is obsolete.
                let current = self.session.model_scope();
                self.tasks.forget_unless(|s| match s {
                    Scope::Model { .. } => s == current,
                    _ => true,
                });
                self.selection_residuals = None;
                self.start_encode();
            }
            JobOutput::Latents(l) => {
                let from_training = l.from_training;
                if let Err(e) = self.session.set_latents(l) {
                    self.error(format!("latents: {e}"));
                    return;
                }
                if from_training.is_none() {
                    self.start_analysis();
                } else if let Some(p) = self.pending_checkpoint.take() {
                    self.encode_checkpoint(p);
                }
            }
            JobOutput::Analysis(view) => {
                let note = view.note.clone();
                match self.session.set_analysis(view) {
                    Ok(()) => self.info(note),
                    Err(e) => self.error(format!("analysis: {e}")),
                }
            }
            JobOutput::Residuals {
                selection_gen,
                rows,
                hist,
            } => {
                if selection_gen == self.selection_gen {
                    self.selection_residuals = Some((rows, hist));
                }
            }
            JobOutput::Exported { what, path, bytes } => {
                self.info(format!(
                    "exported {what} to {} ({bytes} bytes)",
                    path.display()
                ));
                self.last_export = Some(path);
            }
            JobOutput::Picked { purpose, path } => {
                if let Some(p) = path {
                    self.commands.push(match purpose {
                        jobs::Pick::Data => AppCommand::OpenData(p),
                        jobs::Pick::Model => AppCommand::OpenModel(p),
                        jobs::Pick::ExportDir => AppCommand::SetExportDir(p),
                    });
                }
            }
            JobOutput::Ingested { out, summary } => {
                self.info(summary);
                self.commands.push(AppCommand::OpenData(out));
            }
            JobOutput::Failed { task, error } => {
                self.error(format!("{task}: {error}"));
            }
            JobOutput::Cancelled { task } => self.info(format!("{task}: cancelled")),
        }
    }

    /// Installs newly opened data: the old data's model, latents, analysis and their running
    /// tasks go (a training run goes on with the data it started on, saving its checkpoints).
    fn install_data(&mut self, d: super::session::LoadedData) {
        let same = self.session.data.as_ref().map(|o| &o.path) == Some(&d.path);
        self.info(format!("opened {} ({} spectra)", d.label, d.n()));
        let builtin = d.builtin;
        if builtin {
            self.state.data_path = None;
        } else {
            self.state.data_path = Some(d.path.clone());
            self.state.remember(d.path.clone());
        }
        if !same && self.session.data.is_some() {
            self.state.focus = None;
            self.state.second = None;
            self.state.selection.clear();
        }
        self.state.clamp_selection(d.n());
        self.session.set_data(d);
        self.tasks.forget_unless(|s| s == Scope::Any);
        self.synthetic = None;
        self.inspected = None;
        self.inspected_key = None;
        self.selection_residuals = None;
        self.selection_gen += 1;
        self.pending_checkpoint = None;
        if let Some(t) = &self.training
            && t.is_active()
        {
            self.info(format!(
                "training goes on with {} (checkpoints in {}); these data show its model once \
                 you open it with them",
                t.data_label,
                t.out_dir.display()
            ));
        }
        match self.pending_model.take() {
            Some(p) => self.open_model(p),
            None if builtin => self.open_builtin_model(),
            None => self.info("no model for these data yet: open one or start training"),
        }
    }

    pub(super) fn start_encode(&mut self) {
        let (Some(d), Some(m)) = (&self.session.data, &self.session.model) else {
            return;
        };
        let (s, model) = (d.spectra.clone(), m.model.clone());
        let scope = self.session.model_scope();
        self.tasks
            .spawn("encode", scope, move |cx| jobs::encode(&model, &s, cx));
    }

    pub(super) fn encode_checkpoint(&mut self, path: PathBuf) {
        if self.tasks.is_running("refresh latents") {
            self.pending_checkpoint = Some(path);
            return;
        }
        let Some(d) = &self.session.data else { return };
        let s = d.spectra.clone();
        let scope = self.session.data_scope();
        self.tasks.spawn("refresh latents", scope, move |cx| {
            jobs::encode_checkpoint(&path, &s, cx)
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
        self.tasks.cancel("analysis");
        let job = jobs::AnalysisJob {
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
            .spawn("analysis", scope, move |cx| jobs::run_analysis(job, cx));
    }

    // ----- per frame -----

    /// Takes in what background work delivered: task results, training events; keeps the
    /// derived views (colours, the inspected galaxy) current. Runs every frame, and alone while
    /// the window is hidden, so a run never waits for the window to be shown.
    pub fn logic(&mut self, ctx: &egui::Context) {
        if self.setup_for.as_ref() != Some(ctx) {
            // Driven by another context than the one given to `new` (tests, benchmarks).
            install_fonts(ctx);
            self.tasks.set_repaint(ctx.clone());
            self.setup_for = Some(ctx.clone());
        }
        for f in self.tasks.poll() {
            self.apply_output(f);
        }
        self.training_notices();
        self.take_dropped_files(ctx);
        // Colours change only with what they are computed from: a new epoch's latents
        // re-colour nothing unless the points are coloured by a latent.
        let by = self.state.colour_by;
        let key = (
            by,
            self.state.hidden,
            self.session.data_gen,
            if matches!(by, ColourBy::Latent(_)) {
                self.session.latents_gen
            } else {
                0
            },
            if matches!(by, ColourBy::OutlierScore | ColourBy::Chi2) {
                self.session.analysis_gen
            } else {
                0
            },
        );
        if self.colours_key != Some(key) {
            self.colours = point_colours(&self.session, self.state.colour_by, &self.state.hidden);
            self.colours_key = Some(key);
            self.colours_gen += 1;
        }
        self.update_inspected();
        self.messages
            .retain(|m| m.error || m.at.elapsed() < Duration::from_secs(10));
        // Commands queued by results (a file dialog's choice, an ingest's survey).
        self.apply_commands();
        if self.is_busy() || self.messages.iter().any(|m| !m.error) {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
    }

    /// Files dropped onto the window: a survey opens, a model opens, FITS files or folders are
    /// ingested into a survey (with progress) that then opens.
    fn take_dropped_files(&mut self, ctx: &egui::Context) {
        let pass = ctx.cumulative_pass_nr();
        if self.dropped_pass == Some(pass) {
            return;
        }
        self.dropped_pass = Some(pass);
        let paths: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !paths.is_empty() {
            self.open_paths(&paths);
        }
        self.fit_window(ctx);
    }

    /// Opens paths as a user means them (dropped, pasted, typed): see [`super::desktop::classify`].
    pub(super) fn open_paths(&mut self, paths: &[PathBuf]) {
        use super::desktop::Opens;
        for o in super::desktop::classify(paths) {
            match o {
                Opens::Data(p) => self.commands.push(AppCommand::OpenData(p)),
                Opens::Model(p) => self.commands.push(AppCommand::OpenModel(p)),
                Opens::Fits(p) => self.commands.push(AppCommand::Ingest(p)),
                Opens::Unknown(p) => self.error(format!(
                    "{}: not a survey (.npz), a model (.safetensors) or SDSS spectra (.fits, or a \
                     folder of them)",
                    p.display()
                )),
            }
        }
    }

    /// Shrinks the first window to the monitor's size if it does not fit (a 13" laptop).
    fn fit_window(&mut self, ctx: &egui::Context) {
        if self.window_fitted {
            return;
        }
        let (monitor, inner) = ctx.input(|i| {
            let v = i.viewport();
            (v.monitor_size, v.inner_rect.map(|r| r.size()))
        });
        let (Some(monitor), Some(inner)) = (monitor, inner) else {
            return;
        };
        self.window_fitted = true;
        let fitted =
            super::desktop::window_size_for([inner.x, inner.y], Some([monitor.x, monitor.y]));
        if fitted != [inner.x, inner.y] {
            ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(egui::vec2(
                fitted[0], fitted[1],
            )));
        }
    }

    /// Reacts to the training run's events. Checkpoints are shown only while the data the run
    /// trains on are open; a run that ends on other data says where its model is.
    fn training_notices(&mut self) {
        let Some(t) = self.training.as_mut() else {
            return;
        };
        let notices = t.poll();
        let (run_gen, run_data) = (t.data_gen, t.data_label.clone());
        let ours = run_gen == self.session.data_gen;
        for n in notices {
            match n {
                super::training::Notice::Checkpoint(p) if ours => self.encode_checkpoint(p),
                super::training::Notice::Checkpoint(_) => {}
                super::training::Notice::Finished { best, summary } if ours => {
                    self.info(format!("training {summary}; showing {}", best.display()));
                    self.pending_checkpoint = None;
                    self.open_model(best);
                }
                super::training::Notice::Finished { best, summary } => self.info(format!(
                    "training on {run_data} {summary}; its model is {} (open it with those data)",
                    best.display()
                )),
                super::training::Notice::Failed(e) => self.error(format!("training: {e}")),
            }
        }
    }

    /// Draws one frame: [`Self::logic`], then the whole UI inside `ui` (what tests and
    /// benchmarks call; eframe calls the two itself).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.logic(&ui.ctx().clone());
        self.draw(ui);
    }

    /// Lays out the panels and applies their commands.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        self.frames += 1;
        self.window_size = ui.ctx().content_rect().size();
        if !self.layout_sized {
            // No saved layout: the default for this window (laptop or large monitor).
            self.tiles = super::tiles::default_tree(self.window_size);
            self.layout_sized = true;
        }
        self.keys(ui);
        let Self {
            state,
            session,
            tasks,
            training,
            panels,
            commands,
            messages,
            colours,
            colours_gen,
            synthetic,
            inspected,
            selection_residuals,
            path_input,
            last_export,
            tiles,
            ..
        } = self;
        let mut cx = PanelCx {
            session,
            state,
            colours,
            colours_gen: *colours_gen,
            synthetic: synthetic.as_ref(),
            inspected: inspected.as_ref(),
            training: training.as_ref(),
            tasks,
            selection_residuals: selection_residuals.as_ref(),
            last_export: last_export.as_ref(),
            out: commands,
        };
        egui::Panel::top("menu-bar").show(ui, |ui| {
            super::layout::top_bar_ui(ui, &mut cx, tiles, path_input);
        });
        egui::Panel::bottom("status-bar").show(ui, |ui| {
            super::layout::status_bar_ui(ui, &mut cx, messages);
        });
        egui::CentralPanel::default()
            .frame(egui::Frame::new().inner_margin(2.0))
            .show(ui, |ui| {
                let mut behavior = super::tiles::Behavior {
                    panels,
                    cx: &mut cx,
                };
                tiles.ui(&mut behavior, ui);
            });
        self.apply_commands();
        if self.state.tiles.as_ref() != Some(&self.tiles) {
            self.state.tiles = Some(self.tiles.clone());
        }
    }

    fn keys(&mut self, ui: &egui::Ui) {
        if ui.ctx().memory(|m| m.focused().is_some()) {
            return;
        }
        let (right, left) = ui.input(|i| {
            (
                i.key_pressed(egui::Key::ArrowRight),
                i.key_pressed(egui::Key::ArrowLeft),
            )
        });
        if right {
            self.commands.push(AppCommand::StepNeighbour(1));
        }
        if left {
            self.commands.push(AppCommand::StepNeighbour(-1));
        }
    }
}

impl eframe::App for SpecaeApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        SpecaeApp::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.state);
    }
}
