//! The explorer app: owns the session, the persisted state, the background tasks, the
//! training run and the panels; lays the panels out, polls tasks once per frame and applies
//! the panels' commands after drawing.

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
use super::panels::{Inspected, Panel, PanelCx, Synthetic};
use super::session::Session;
use super::state::{BottomTab, CentreViews, ColourBy, Persisted, STORAGE_KEY};
use super::tasks::Tasks;
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
    pub(super) messages: Vec<Message>,
    pub(super) colours: PointColours,
    pub(super) colours_key: Option<(ColourBy, [bool; 5], u64, u64, u64)>,
    pub(super) colours_gen: u64,
    pub(super) synthetic: Option<Synthetic>,
    pub(super) inspected: Option<Inspected>,
    pub(super) inspected_key: Option<(usize, u64, u64, u64)>,
    pub(super) selection_residuals: Option<(usize, ResidualHistograms)>,
    /// A model to open once the data it belongs to is loaded.
    pub(super) pending_model: Option<PathBuf>,
    /// A checkpoint waiting to be encoded while an encode is already running.
    pub(super) pending_checkpoint: Option<PathBuf>,
    pub(super) path_input: String,
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
        let mut app = Self {
            opts,
            state,
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
            pending_model: model,
            pending_checkpoint: None,
            path_input: String::new(),
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
        self.tasks.spawn("open data", move |cx| {
            jobs::open_builtin_at(&path, n, 0, cx)
        });
    }

    pub(super) fn open_data(&mut self, path: PathBuf) {
        let builtin =
            self.opts.builtin_path.clone().unwrap_or_else(|| {
                crate::data::sources::builtin_survey_path(self.opts.builtin_n, 0)
            });
        if path == builtin {
            return self.open_builtin();
        }
        self.tasks
            .spawn("open data", move |cx| jobs::open_data(&path, cx));
    }

    /// The model shipped in `assets/`, for the open survey (in the background: converting
    /// 1.5 M float16 weights is not UI-thread work).
    pub(super) fn open_builtin_model(&mut self) {
        let Some(d) = &self.session.data else { return };
        let (dp, n, bins) = (d.path.clone(), d.n(), d.spectra.n_bins());
        self.tasks
            .spawn("open model", move |_| jobs::builtin_model(&dp, n, bins));
    }

    pub(super) fn open_model(&mut self, path: PathBuf) {
        let Some(d) = &self.session.data else {
            self.pending_model = Some(path);
            return;
        };
        let (dp, n, bins) = (d.path.clone(), d.n(), d.spectra.n_bins());
        self.tasks
            .spawn("open model", move |_| jobs::open_model(&path, &dp, n, bins));
    }

    /// Applies one finished job.
    pub(super) fn apply_output(&mut self, out: JobOutput) {
        match out {
            JobOutput::Data(d) => {
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
                self.session.data = Some(d);
                self.session.data_gen += 1;
                self.session.model = None;
                self.session.latents = None;
                self.session.analysis = None;
                self.synthetic = None;
                self.selection_residuals = None;
                match self.pending_model.take() {
                    Some(p) => self.open_model(p),
                    None if builtin => self.open_builtin_model(),
                    None => self.info("no model for these data yet: open one or start training"),
                }
            }
            JobOutput::Model(m) => {
                self.state.model_path = m.path.clone();
                if let Some(p) = &m.path {
                    self.state.remember(p.clone());
                }
                self.info(format!("model: {}", m.label));
                self.session.model = Some(m);
                self.session.model_gen += 1;
                self.session.analysis = None;
                self.selection_residuals = None;
                self.start_encode();
            }
            JobOutput::Latents {
                model_gen,
                z,
                from_training,
            } => {
                if from_training.is_none() && model_gen != self.session.model_gen {
                    return;
                }
                let index = match crate::analysis::knn::KnnIndex::build(z.view(), "latents") {
                    Ok(i) => i,
                    Err(e) => {
                        self.error(format!("latents: {e}"));
                        return;
                    }
                };
                let range = super::session::latent_ranges(&z);
                let latents = super::session::Latents {
                    z,
                    index,
                    range,
                    from_training,
                };
                self.session.latents = Some(latents);
                self.session.latents_gen += 1;
                if from_training.is_none() {
                    self.start_analysis();
                } else if let Some(p) = self.pending_checkpoint.take() {
                    self.encode_checkpoint(p);
                }
            }
            JobOutput::Analysis { model_gen, view } => {
                if model_gen == self.session.model_gen {
                    self.info(view.note.clone());
                    self.session.analysis = Some(view);
                    self.session.analysis_gen += 1;
                }
            }
            JobOutput::Residuals { rows, hist } => {
                self.selection_residuals = Some((rows, hist));
            }
            JobOutput::Exported { what, path, bytes } => {
                self.info(format!(
                    "exported {what} to {} ({bytes} bytes)",
                    path.display()
                ));
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
            JobOutput::Failed { task, error } => {
                self.error(format!("{task}: {error}"));
            }
            JobOutput::Cancelled { task } => self.info(format!("{task}: cancelled")),
        }
    }

    pub(super) fn start_encode(&mut self) {
        let (Some(d), Some(m)) = (&self.session.data, &self.session.model) else {
            return;
        };
        let (s, model, gen_) = (d.spectra.clone(), m.model.clone(), self.session.model_gen);
        self.tasks
            .spawn("encode", move |cx| match jobs::encode_all(&model, &s, cx) {
                Some(z) => JobOutput::Latents {
                    model_gen: gen_,
                    z,
                    from_training: None,
                },
                None => JobOutput::Cancelled {
                    task: "encode".into(),
                },
            });
    }

    pub(super) fn encode_checkpoint(&mut self, path: PathBuf) {
        if self.tasks.is_running("refresh latents") {
            self.pending_checkpoint = Some(path);
            return;
        }
        let Some(d) = &self.session.data else { return };
        let s = d.spectra.clone();
        self.tasks.spawn("refresh latents", move |cx| {
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
            model_gen: self.session.model_gen,
            model: m.model.clone(),
            spectra: d.spectra.clone(),
            split: m.split.clone(),
            latents: l.z.clone(),
            dir: m.analysis_dir.clone(),
            model_path: m.path.clone(),
            data_path: d.path.clone(),
            options: self.opts.analysis.clone(),
        };
        self.tasks
            .spawn("analysis", move |cx| jobs::run_analysis(job, cx));
    }

    // ----- per frame -----

    fn poll(&mut self) {
        for (_, out) in self.tasks.poll() {
            self.apply_output(out);
        }
        let notices = self.training.as_mut().map(|t| t.poll()).unwrap_or_default();
        for n in notices {
            match n {
                super::training::Notice::Checkpoint(p) => self.encode_checkpoint(p),
                super::training::Notice::Finished { best, summary } => {
                    self.info(format!("training {summary}; showing {}", best.display()));
                    self.pending_checkpoint = None;
                    self.open_model(best);
                }
                super::training::Notice::Failed(e) => self.error(format!("training: {e}")),
            }
        }
        let key = (
            self.state.colour_by,
            self.state.hidden,
            self.session.data_gen,
            self.session.latents_gen,
            self.session.analysis_gen,
        );
        if self.colours_key != Some(key) {
            self.colours = point_colours(&self.session, self.state.colour_by, &self.state.hidden);
            self.colours_key = Some(key);
            self.colours_gen += 1;
        }
        self.update_inspected();
        self.messages
            .retain(|m| m.error || m.at.elapsed() < Duration::from_secs(10));
    }

    /// Draws one frame: the whole UI inside `ui`.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.frames += 1;
        if self.setup_for.as_ref() != Some(ui.ctx()) {
            // Drawn by another context than the one given to `new` (tests, benchmarks).
            install_fonts(ui.ctx());
            self.tasks.set_repaint(ui.ctx().clone());
            self.setup_for = Some(ui.ctx().clone());
        }
        self.poll();
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
            out: commands,
        };
        egui::Panel::top("menu-bar").show(ui, |ui| {
            super::layout::top_bar_ui(ui, &mut cx);
        });
        egui::Panel::bottom("status-bar").show(ui, |ui| {
            super::layout::status_bar_ui(ui, &mut cx, messages);
        });
        let layout = cx.state.layout.clone();
        if layout.left {
            egui::Panel::left("left-dock")
                .default_size(320.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("left-scroll")
                        .show(ui, |ui| {
                            super::layout::path_input_ui(ui, &mut cx, path_input);
                            section_ui(ui, &mut panels.data, &mut cx, true);
                            section_ui(ui, &mut panels.training, &mut cx, true);
                        });
                });
        }
        if layout.right {
            egui::Panel::right("right-dock")
                .default_size(460.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("right-scroll")
                        .show(ui, |ui| {
                            section_ui(ui, &mut panels.inspector, &mut cx, true);
                            section_ui(ui, &mut panels.sliders, &mut cx, true);
                        });
                });
        }
        if layout.bottom {
            egui::Panel::bottom("bottom-dock")
                .resizable(true)
                .default_size(240.0)
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        for (tab, name) in [
                            (BottomTab::Outliers, "Outliers"),
                            (BottomTab::Residuals, "Residuals"),
                            (BottomTab::Export, "Export"),
                        ] {
                            if ui
                                .selectable_label(layout.bottom_tab == tab, name)
                                .clicked()
                            {
                                cx.send(AppCommand::SetBottomTab(tab));
                            }
                        }
                    });
                    ui.separator();
                    match layout.bottom_tab {
                        BottomTab::Outliers => panels.outliers.ui(ui, &mut cx),
                        BottomTab::Residuals => panels.residuals.ui(ui, &mut cx),
                        BottomTab::Export => panels.export.ui(ui, &mut cx),
                    }
                });
        }
        egui::CentralPanel::default().show(ui, |ui| match layout.centre {
            CentreViews::Both => {
                // UMAP on the left, the corner plot on the right, each in its own clipped area.
                let full = ui.available_rect_before_wrap();
                let split = full.left() + full.width() * 0.55;
                let left = egui::Rect::from_min_max(full.min, egui::pos2(split - 4.0, full.max.y));
                let right = egui::Rect::from_min_max(egui::pos2(split + 4.0, full.min.y), full.max);
                let mut lu = ui.new_child(egui::UiBuilder::new().max_rect(left));
                lu.set_clip_rect(left);
                panels.umap.ui(&mut lu, &mut cx);
                let mut ru = ui.new_child(egui::UiBuilder::new().max_rect(right));
                ru.set_clip_rect(right);
                panels.corner.ui(&mut ru, &mut cx);
            }
            CentreViews::Umap => panels.umap.ui(ui, &mut cx),
            CentreViews::Corner => panels.corner.ui(ui, &mut cx),
        });
        self.apply_commands();
        if self.is_busy() || self.messages.iter().any(|m| !m.error) {
            ui.ctx().request_repaint_after(Duration::from_millis(100));
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

/// A collapsible section holding one panel.
fn section_ui(ui: &mut egui::Ui, panel: &mut dyn Panel, cx: &mut PanelCx<'_>, open: bool) {
    egui::CollapsingHeader::new(panel.title())
        .default_open(open)
        .show(ui, |ui| panel.ui(ui, cx));
}

impl eframe::App for SpecaeApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.state);
    }
}
