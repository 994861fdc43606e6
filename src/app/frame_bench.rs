//! Responsiveness benchmark: CPU-side frame time (egui's update of the whole app plus
//! tessellation) with every view showing all spectra, headless. Scenarios: idle with the
//! pointer sweeping over the UMAP (hover picking), dragging a latent slider (decode + redraw
//! each frame), the same while training runs on the worker thread, the frame in which Start
//! is clicked, and the frames in which an epoch ends (its record arrives, then its
//! checkpoint's latents replace the views' latents).

use std::time::{Duration, Instant};

use eframe::egui;

use super::commands::AppCommand;
use super::explorer::SpecaeApp;
use super::options::AppOptions;

/// One scenario's frame times.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FrameStats {
    pub scenario: String,
    pub frames: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    /// Median time to decode one slider spectrum (µs), where the scenario drags a slider.
    pub decode_p50_us: Option<f64>,
}

fn stats(scenario: &str, mut ms: Vec<f64>, decode: Vec<f64>) -> FrameStats {
    ms.sort_by(|a, b| a.total_cmp(b));
    let q = |v: &[f64], p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    let mut decode = decode;
    decode.sort_by(|a, b| a.total_cmp(b));
    FrameStats {
        scenario: scenario.into(),
        frames: ms.len(),
        p50_ms: q(&ms, 0.5),
        p95_ms: q(&ms, 0.95),
        max_ms: ms[ms.len() - 1],
        decode_p50_us: (!decode.is_empty()).then(|| q(&decode, 0.5)),
    }
}

/// A headless app and its clock.
pub struct Headless {
    pub ctx: egui::Context,
    pub app: SpecaeApp,
    pub size: egui::Vec2,
    t: f64,
}

impl Headless {
    pub fn new(opts: AppOptions, size: egui::Vec2) -> Self {
        let ctx = egui::Context::default();
        let app = SpecaeApp::new(opts, None, &ctx);
        Self {
            ctx,
            app,
            size,
            t: 0.0,
        }
    }

    /// Runs one frame with `events`; returns the time of update + tessellation (ms).
    pub fn frame(&mut self, events: Vec<egui::Event>) -> f64 {
        self.t += 1.0 / 60.0;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, self.size)),
            time: Some(self.t),
            events,
            ..Default::default()
        };
        let t0 = Instant::now();
        let app = &mut self.app;
        let mut out = self.ctx.run_ui(input, |ui| app.show(ui));
        let shapes = std::mem::take(&mut out.shapes);
        let prims = self.ctx.tessellate(shapes, out.pixels_per_point);
        // No GPU here: texture uploads (whose images were built above, and timed) are dropped.
        out.textures_delta.clear();
        std::hint::black_box(prims.len());
        t0.elapsed().as_secs_f64() * 1e3
    }

    /// Steps frames until the analysis is in and no task runs (or `timeout`).
    pub fn settle(&mut self, timeout: Duration) -> bool {
        self.step_until(timeout, &|app| {
            app.session().analysis_complete() && !app.tasks().is_busy()
        })
    }

    /// Steps frames until `done` holds (or `timeout`).
    pub fn step_until(&mut self, timeout: Duration, done: &dyn Fn(&SpecaeApp) -> bool) -> bool {
        let t0 = Instant::now();
        while t0.elapsed() < timeout {
            self.frame(vec![]);
            if done(&self.app) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

/// Frames at 60 Hz while training until `wanted` epochs have ended, keeping the times of the
/// frames in which an epoch's record or its checkpoint's latents arrived.
fn epoch_ends(
    h: &mut Headless,
    wanted: usize,
    sweep: &dyn Fn(&mut Headless, usize) -> Vec<egui::Event>,
) -> Result<FrameStats, String> {
    let key = |h: &Headless| {
        (
            h.app.training().map_or(0, |t| t.history.len()),
            h.app.session().latents_gen,
        )
    };
    let first = key(h).0;
    let (mut ends, mut k) = (vec![], 0);
    let t0 = Instant::now();
    while key(h).0 < first + wanted || h.app.tasks().is_running("refresh latents") {
        let before = key(h);
        let ev = sweep(h, k);
        let ms = h.frame(ev);
        k += 1;
        if key(h) != before {
            ends.push(ms);
        }
        if h.app.training().is_some_and(|t| !t.is_active()) {
            break;
        }
        if t0.elapsed() > Duration::from_secs(1800) {
            return Err("epochs did not end within 30 minutes".into());
        }
        std::thread::sleep(Duration::from_secs_f64((16.7 - ms).max(1.0) / 1e3));
    }
    if ends.is_empty() {
        return Err("no epoch ended while measuring".into());
    }
    Ok(stats(
        &format!("epoch ends while training ({} frames)", ends.len()),
        ends,
        vec![],
    ))
}

/// Runs the scenarios on the app opened with `opts`; `train` adds the training scenarios
/// (Start, frames while training, and `epoch_ends_wanted` epoch ends).
pub fn run(
    opts: AppOptions,
    frames: usize,
    train: bool,
    log: &mut dyn FnMut(&str),
) -> Result<Vec<FrameStats>, String> {
    run_with(opts, frames, train.then_some(3), log)
}

/// [`run`] with the number of epoch ends to measure (`None`: no training).
pub fn run_with(
    opts: AppOptions,
    frames: usize,
    epoch_ends_wanted: Option<usize>,
    log: &mut dyn FnMut(&str),
) -> Result<Vec<FrameStats>, String> {
    let train = epoch_ends_wanted.is_some();
    let epoch_ends_wanted = epoch_ends_wanted.unwrap_or(0);
    let mut h = Headless::new(opts, egui::vec2(1600.0, 1000.0));
    log("loading data, model and analysis…");
    let t0 = Instant::now();
    // The views complete (latents, scores, UMAP, baseline), then every task done (a store's
    // S/N pass may go on after the views are complete).
    let failed = |app: &SpecaeApp| {
        app.messages()
            .iter()
            .find(|m| m.level == super::messages::Level::Error)
            .map(|m| m.text.clone())
    };
    let shown = h.step_until(Duration::from_secs(900), &|app| {
        app.session().analysis_complete() || failed(app).is_some()
    });
    // An error (a model that does not fit the data, a damaged file) ends the benchmark at
    // once instead of after the 15-minute guard.
    if let Some(e) = failed(&h.app) {
        return Err(format!("the explorer could not load: {e}"));
    }
    let t_shown = t0.elapsed().as_secs_f64();
    if !shown || !h.settle(Duration::from_secs(900)) {
        return Err("the app did not finish loading within 15 minutes".into());
    }
    let n = h.app.session().n();
    log(&format!(
        "views complete for {n} spectra {t_shown:.1} s after launch, every task done at {:.1} s \
         ({}); measuring",
        t0.elapsed().as_secs_f64(),
        h.app.session().analysis_note.as_deref().unwrap_or("")
    ));
    // Every view busy: a galaxy inspected, the top 1% selected.
    let top: Vec<u32> = h
        .app
        .session()
        .scores
        .as_ref()
        .map(|a| {
            a.outliers
                .iter()
                .take(n / 100)
                .map(|r| r.index as u32)
                .collect()
        })
        .unwrap_or_default();
    let first = top.first().copied().unwrap_or(0) as usize;
    h.app.send(AppCommand::Focus(first));
    h.app.send(AppCommand::Select(top));
    for _ in 0..10 {
        h.frame(vec![]);
    }
    let sweep = |h: &mut Headless, k: usize| -> Vec<egui::Event> {
        let a = k as f32 * 0.05;
        let c = egui::pos2(h.size.x * 0.42, h.size.y * 0.4);
        vec![egui::Event::PointerMoved(
            c + egui::vec2(a.cos(), a.sin()) * 150.0,
        )]
    };
    let mut out = vec![];
    // Pinch-zoom over the UMAP: its texture is re-splatted from all points every frame.
    let zoom = |h: &mut Headless, k: usize| -> Vec<egui::Event> {
        let c = egui::pos2(h.size.x * 0.35, h.size.y * 0.4);
        let f = if (k / 30).is_multiple_of(2) {
            1.02
        } else {
            1.0 / 1.02
        };
        vec![egui::Event::PointerMoved(c), egui::Event::Zoom(f)]
    };
    let measure = |h: &mut Headless, name: &str, slider: bool| -> FrameStats {
        let (mut ms, mut dec) = (vec![], vec![]);
        let base = h
            .app
            .session()
            .latents
            .as_ref()
            .map(|l| l.z.row(first).to_vec());
        for k in 0..frames {
            if slider && let Some(z0) = &base {
                let mut z = z0.clone();
                z[0] += (k as f32 * 0.1).sin() * 0.5;
                h.app.send(AppCommand::SetSynthetic(z));
            }
            let ev = if name.contains("zoom") {
                zoom(h, k)
            } else {
                sweep(h, k)
            };
            ms.push(h.frame(ev));
            if slider && let Some(s) = h.app.synthetic() {
                dec.push(s.decode_us);
            }
        }
        stats(name, ms, dec)
    };
    out.push(measure(&mut h, "idle, pointer over the UMAP", false));
    out.push(measure(&mut h, "dragging a latent slider", true));
    out.push(measure(&mut h, "pinch-zooming the UMAP", false));
    if train {
        // Let the last scenario's view come to rest (its final re-splat is not Start's cost).
        for k in 0..10 {
            let ev = sweep(&mut h, k);
            h.frame(ev);
        }
        // On the CPU engine, as comparable runs need: the explorer shares the cores with the
        // training (the hardest case for its frames); `auto` could pick a GPU on one machine
        // and not on the next.
        let settings = crate::app::persisted::TrainSettings {
            backend: crate::train::backend::BackendChoice::Cpu,
            ..h.app.state().train.clone()
        };
        h.app.send(AppCommand::StartTraining(settings));
        // The frame in which the click's command is applied: starting a run must not wait for
        // the device, the data fingerprint or a copy of the arrays.
        let ev = sweep(&mut h, 0);
        let start = h.frame(ev);
        out.push(stats(
            "clicking Start training (1 frame)",
            vec![start],
            vec![],
        ));
        let t0 = Instant::now();
        while h.app.training().is_none_or(|t| t.progress.is_none()) {
            h.frame(vec![]);
            std::thread::sleep(Duration::from_millis(20));
            if t0.elapsed() > Duration::from_secs(120) {
                return Err("training did not start within 2 minutes".into());
            }
        }
        log("training is running; measuring");
        out.push(measure(&mut h, "while training (idle pointer)", false));
        out.push(measure(&mut h, "while training, dragging a slider", true));
        out.push(measure(
            &mut h,
            "while training, pinch-zooming the UMAP",
            false,
        ));
        log("measuring the frames in which epochs end");
        out.push(epoch_ends(&mut h, epoch_ends_wanted, &sweep)?);
        h.app.send(AppCommand::StopTraining);
        h.frame(vec![]);
    }
    Ok(out)
}

/// When each part of the views first appeared after launch (seconds).
#[derive(Clone, Debug, serde::Serialize)]
pub struct LaunchTimes {
    pub data: Option<f64>,
    pub latents: Option<f64>,
    /// The outlier list (χ², LOF).
    pub scores: Option<f64>,
    /// The UMAP map.
    pub umap: Option<f64>,
    /// Everything (PCA baseline, classifier, trustworthiness, tracks, cached).
    pub complete: Option<f64>,
}

/// Launches the app with `opts` (point `builtin_path` at a missing file for a first launch:
/// the survey is generated and analysed) and steps frames at 60 Hz until the analysis is
/// complete, noting when each part appeared.
pub fn launch_times(opts: AppOptions, timeout: Duration) -> Result<LaunchTimes, String> {
    let mut h = Headless::new(opts, egui::vec2(1440.0, 900.0));
    let t0 = Instant::now();
    let mut t = LaunchTimes {
        data: None,
        latents: None,
        scores: None,
        umap: None,
        complete: None,
    };
    let note = |slot: &mut Option<f64>, now: bool| {
        if now && slot.is_none() {
            *slot = Some(t0.elapsed().as_secs_f64());
        }
    };
    while t.complete.is_none() {
        let ms = h.frame(vec![]);
        let s = h.app.session();
        note(&mut t.data, s.data.is_some());
        note(&mut t.latents, s.latents.is_some());
        note(&mut t.scores, s.scores.is_some());
        note(&mut t.umap, s.umap.is_some());
        note(&mut t.complete, s.analysis_complete());
        if let Some(m) = h.app.messages().iter().find(|m| m.is_error()) {
            return Err(m.text.clone());
        }
        if t0.elapsed() > timeout {
            return Err(format!("not complete after {} s: {t:?}", timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_secs_f64((16.7 - ms).max(1.0) / 1e3));
    }
    Ok(t)
}
