//! The desktop explorer (feature `gui`): egui/eframe on wgpu.
//!
//! Architecture (after rerun's viewer and brush), from the bottom up:
//! - what persists ([`persisted`], [`pane`]) apart from the runtime [`session`] (data, model,
//!   latents, the analysis's parts), which only changes when background work delivers;
//! - [`tasks`]: a runner of named background tasks that knows no app type (progress, cancel,
//!   partial results); [`jobs`]: the work they do; [`training`]: the training run;
//! - [`commands`]: what panels ask for, data commands apart from layout commands;
//! - [`view_models`]: what the views show that is derived from the session;
//! - [`panels`]: one module per panel behind one trait, drawing from a read-only context;
//!   [`tiles`]: the panes' tile layout; [`chrome`]: menu bar and status bar;
//! - [`explorer`]: the app that owns all of it, applies commands after each frame and keeps
//!   the derived views keyed by what they were computed from.
//!
//! Everything slow — reading files, encoding, UMAP, training, exports, file dialogs — runs on
//! named background threads; the UI thread never waits on them.

pub mod builtin_model;
pub mod chrome;
pub mod colouring;
pub mod commands;
pub mod corner_bins;
pub mod desktop;
pub mod explorer;
pub mod frame_bench;
pub mod jobs;
pub mod messages;
pub mod options;
pub mod pane;
pub mod panels;
pub mod persisted;
pub mod raster;
pub mod session;
pub mod survey_rows;
pub mod tasks;
pub mod tiles;
pub mod training;
pub mod view_models;

use eframe::egui;

/// Opens the explorer in a native window and runs until it is closed.
pub fn run_native(opts: options::AppOptions) -> Result<(), eframe::Error> {
    // Before anything can use rayon: its pool then runs below the UI thread.
    crate::util::priority::background_rayon_pool();
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("specae")
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([900.0, 600.0]),
        ..Default::default()
    };
    eframe::run_native(
        "specae",
        native,
        Box::new(move |cc| {
            let persisted = cc
                .storage
                .and_then(|s| eframe::get_value::<persisted::Persisted>(s, persisted::STORAGE_KEY));
            Ok(Box::new(explorer::SpecaeApp::new(
                opts,
                persisted,
                &cc.egui_ctx,
            )))
        }),
    )
}
