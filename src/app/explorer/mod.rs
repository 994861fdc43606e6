//! The explorer app (after rerun's `re_viewer/src/app/`): the struct and its construction here;
//! what happens every frame in [`logic`] (take in what background work delivered: [`results`],
//! training events, dropped files); starting work in [`work`] and [`training_control`];
//! applying the panels' commands in [`command_handling`]; labels and the learned ranking in
//! [`triage`]; the derived views in [`derived`];
//! figures and tables for export in [`exports`]; drawing in [`ui`].
//!
//! eframe calls [`SpecaeApp::logic`] every frame and alone while the window is minimised or
//! covered, then [`SpecaeApp::draw`] when it is shown. Nothing the app must keep doing lives
//! only in `draw`.

mod command_handling;
pub mod derived;
mod exports;
pub mod layout;
mod logic;
mod results;
mod training_control;
mod triage;
mod ui;
mod work;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use eframe::egui;

use self::derived::Derived;
use self::layout::LayoutState;
use crate::app::commands::Command;
use crate::app::jobs::JobOutput;
use crate::app::messages::{Level, Message, Messages};
use crate::app::options::AppOptions;
use crate::app::pane::Pane;
use crate::app::panels::registry::Panels;
use crate::app::persisted::{Persisted, STORAGE_KEY};
use crate::app::session::{Scope, Session};
use crate::app::tasks::{Tasks, Wake};
use crate::app::training::TrainingRun;
use crate::app::view_models::{Inspected, Synthetic};

/// Files waiting for something else to finish.
#[derive(Default)]
struct Pending {
    /// A model to open once the data it belongs to are loaded.
    model: Option<PathBuf>,
    /// A checkpoint waiting to be encoded while an encode is already running.
    checkpoint: Option<PathBuf>,
}

pub struct SpecaeApp {
    opts: AppOptions,
    state: Persisted,
    session: Session,
    tasks: Tasks<JobOutput, Scope>,
    training: Option<TrainingRun>,
    panels: Panels,
    /// Commands sent this frame, applied after it.
    commands: Vec<Command>,
    layout: LayoutState,
    messages: Messages,
    derived: Derived,
    pending: Pending,
    path_input: String,
    /// The last file an export wrote ("Show in folder").
    last_export: Option<PathBuf>,
    /// The egui pass whose dropped files were taken (a hidden window's logic passes see the
    /// last shown frame's input again).
    dropped_pass: Option<u64>,
    /// The latest "open data" and "open model" tasks: an earlier one finishing later is a
    /// choice the user has replaced.
    latest_open: [Option<u64>; 2],
    /// The context fonts were installed in (the one drawing the app).
    setup_for: Option<egui::Context>,
    /// The labels and scores generations the learned ranking was last asked for, and that
    /// refit's task (cancelled when a newer label supersedes it).
    learn_asked: Option<(u64, u64)>,
    learn_task: Option<u64>,
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

/// Background tasks wake the context that draws the app.
fn wake_for(ctx: &egui::Context) -> Wake {
    let ctx = ctx.clone();
    Arc::new(move |after: Duration| ctx.request_repaint_after(after))
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
        // The model last opened comes back with the data it was opened on, not with other
        // data named on the command line.
        let same_data = opts.data.is_none() || opts.data == state.data_path;
        let model = opts.model.clone().or_else(|| {
            (opts.restore_files && same_data)
                .then(|| state.model_path.clone())
                .flatten()
        });
        if opts.data.is_some() && opts.data != state.data_path {
            state.focus = None;
            state.second = None;
            state.selection.clear();
        }
        let layout = LayoutState::new(state.tiles.clone());
        let mut app = Self {
            opts,
            state,
            session: Session::default(),
            tasks: Tasks::new(Some(wake_for(ctx)), |task, error| {
                JobOutput::failed(task, error)
            }),
            training: None,
            panels: Panels::default(),
            commands: vec![],
            layout,
            messages: Messages::default(),
            derived: Derived::default(),
            pending: Pending {
                model,
                checkpoint: None,
            },
            path_input: String::new(),
            last_export: None,
            dropped_pass: None,
            latest_open: [None; 2],
            setup_for: None,
            learn_asked: None,
            learn_task: None,
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
    /// The file the last export wrote.
    pub fn last_export(&self) -> Option<&PathBuf> {
        self.last_export.as_ref()
    }
    pub fn synthetic(&self) -> Option<&Synthetic> {
        self.derived.views.synthetic.as_ref()
    }
    pub fn inspected(&self) -> Option<&Inspected> {
        self.derived.views.inspected.as_ref()
    }
    /// The last stellar-population fits of an inspected galaxy, with what they are of.
    pub fn populations(
        &self,
    ) -> Option<&(
        crate::app::view_models::PopulationsKey,
        Result<crate::synth::fit::PopulationPair, String>,
    )> {
        self.derived.views.populations.as_ref()
    }
    /// Residual histograms of the selection, once computed.
    pub fn selection_residuals(&self) -> Option<&crate::app::view_models::SelectionResiduals> {
        self.derived.views.selection_residuals.as_ref()
    }
    /// The Outliers panel's order (rows, best first) and the ranking it follows.
    pub fn ranked(&self) -> (&[u32], Option<crate::triage::Ranking>) {
        (&self.derived.views.ranked, self.derived.views.ranked_by)
    }
    /// Labelled rows and their scores, as the maps mark them.
    pub fn labelled(&self) -> &[(u32, Option<u8>)] {
        &self.derived.views.labelled
    }
    pub fn messages(&self) -> &[Message] {
        self.messages.all()
    }
    pub fn training(&self) -> Option<&TrainingRun> {
        self.training.as_ref()
    }
    pub fn tasks(&self) -> &Tasks<JobOutput, Scope> {
        &self.tasks
    }
    /// Where `pane` was laid out last frame (`None`: hidden, or behind another tab).
    pub fn pane_rect(&self, pane: Pane) -> Option<egui::Rect> {
        self.layout.pane_rect(pane)
    }
    /// How far a scrolling pane was scrolled (and could be) when last drawn.
    pub fn pane_scroll(&self, pane: Pane) -> Option<crate::app::tiles::Scroll> {
        self.layout.scrolled.get(&pane).copied()
    }
    /// Background work in flight (tasks or an active training run).
    pub fn is_busy(&self) -> bool {
        self.tasks.is_busy() || self.training.as_ref().is_some_and(|t| t.is_active())
    }
    /// Queues a command as if a panel had sent it.
    pub fn send(&mut self, c: impl Into<Command>) {
        self.commands.push(c.into());
    }

    fn info(&mut self, text: impl Into<String>) {
        self.messages.push(Level::Info, text);
    }

    fn warn(&mut self, text: impl Into<String>) {
        self.messages.push(Level::Warning, text);
    }

    fn error(&mut self, text: impl Into<String>) {
        self.messages.push(Level::Error, text);
    }

    /// An error about the data and model open now: it goes when others open (an analysis
    /// error about the previous survey stayed on screen over the next one's views).
    fn error_about_open(&mut self, text: impl Into<String>) {
        let gen_ = self.session.model_gen;
        self.messages.push_about(Level::Error, text, gen_);
    }

    /// One frame: [`Self::logic`], then the whole UI inside `ui` (what tests and benchmarks
    /// call; eframe calls the two itself).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.logic(&ui.ctx().clone());
        self.draw(ui);
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
