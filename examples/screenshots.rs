//! Renders the explorer on the built-in 64k survey with egui_kittest + wgpu and writes the
//! README's screenshots: `cargo run --release --example screenshots -- screenshots/`.
//! Needs a wgpu adapter (any GPU, or Mesa's lavapipe: scripts/install-gui-deps.sh).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::Harness;
use specae::app::commands::{AppCommand, UiCommand};
use specae::app::explorer::SpecaeApp;
use specae::app::options::AppOptions;
use specae::app::pane::Pane;
use specae::app::persisted::ColourBy;

fn save(h: &mut Harness<'_, SpecaeApp>, dir: &Path, name: &str) -> Result<(), String> {
    for _ in 0..4 {
        h.step();
    }
    // The corner plot bins its cells in a background task.
    while h.state().panels().corner.is_computing() {
        std::thread::sleep(Duration::from_millis(10));
        h.step();
    }
    let img = h.render()?;
    let (w, hgt) = img.dimensions();
    let path = dir.join(name);
    let f = std::fs::File::create(&path).map_err(|e| e.to_string())?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(f), w, hgt);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header()
        .and_then(|mut w| w.write_image_data(img.as_raw()))
        .map_err(|e| e.to_string())?;
    eprintln!("wrote {} ({w}×{hgt})", path.display());
    Ok(())
}

/// The explorer at `size`, loaded on the built-in survey.
fn loaded(size: egui::Vec2) -> Result<Harness<'static, SpecaeApp>, String> {
    let ctx = egui::Context::default();
    let opts = AppOptions {
        restore_files: false,
        ..Default::default()
    };
    let app = SpecaeApp::new(opts, None, &ctx);
    let mut h = Harness::builder()
        .with_size(size)
        .with_max_steps(4)
        .wgpu()
        .build_ui_state(|ui, app: &mut SpecaeApp| app.show(ui), app);
    let t0 = Instant::now();
    while !h.state().session().analysis_complete() || h.state().tasks().is_busy() {
        h.step();
        std::thread::sleep(Duration::from_millis(50));
        if t0.elapsed() > Duration::from_secs(1800) {
            return Err("loading took over 30 minutes".into());
        }
    }
    eprintln!("loaded in {:.1} s", t0.elapsed().as_secs_f64());
    Ok(h)
}

/// A typical emission-line galaxy inspected, a quiescent one second, the sliders part-way
/// between them.
fn inspect_and_interpolate(h: &mut Harness<'_, SpecaeApp>) {
    let pick = |app: &SpecaeApp, c: specae::data::GalaxyClass| {
        let d = app.session().data.as_ref().unwrap();
        (0..d.n()).find(|&i| d.class_of(i) == c).unwrap_or(0)
    };
    let el = pick(h.state(), specae::data::GalaxyClass::EmissionLine);
    let q = pick(h.state(), specae::data::GalaxyClass::Quiescent);
    h.state_mut().send(AppCommand::Focus(el));
    h.state_mut().send(AppCommand::SetSecond(q));
    h.state_mut().send(AppCommand::Interpolate(0.35));
}

fn main() -> Result<(), String> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "screenshots".into()),
    );
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    // A 13" laptop's default window, and a 2560 × 1440 monitor: the default layouts.
    for (size, name) in [
        (egui::vec2(1440.0, 900.0), "app-laptop-1440x900.png"),
        (egui::vec2(2560.0, 1440.0), "app-monitor-2560x1440.png"),
    ] {
        let mut h = loaded(size)?;
        inspect_and_interpolate(&mut h);
        save(&mut h, &dir, name)?;
        if size.x < 2000.0 {
            // Coloured by redshift, the top outlier inspected, the residual heatmap in front.
            let top = h
                .state()
                .session()
                .scores
                .as_ref()
                .map(|a| a.outliers[0].index)
                .unwrap_or(0);
            h.state_mut()
                .send(AppCommand::SetColourBy(ColourBy::Redshift));
            h.state_mut().send(AppCommand::Focus(top));
            h.state_mut().send(UiCommand::ShowPane(Pane::Residuals));
            save(&mut h, &dir, "app-redshift-outlier.png")?;
        }
    }
    Ok(())
}
