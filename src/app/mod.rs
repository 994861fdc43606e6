//! The desktop explorer (feature `gui`): egui/eframe on wgpu.
//!
//! Architecture (after rerun's viewer and brush): the app owns a [`session::Session`] (data,
//! model, latents, analysis) that only changes when a background task finishes; panels
//! ([`panels`], one module each behind the [`panels::Panel`] trait) read it and send
//! [`commands::AppCommand`]s, which the app applies after the frame. Everything slow — reading
//! files, encoding, UMAP, training, exports, file dialogs — runs on named background threads
//! ([`tasks`]) that report progress; the UI thread never waits on them.

mod apply;
pub mod builtin_model;
pub mod colouring;
pub mod commands;
pub mod desktop;
pub mod explorer;
mod exports;
pub mod frame_bench;
pub mod jobs;
pub mod layout;
pub mod panels;
pub mod raster;
pub mod session;
pub mod state;
pub mod tasks;
pub mod tiles;
pub mod training;

use eframe::egui;
pub use explorer::{AppOptions, SpecaeApp};

/// Opens the explorer in a native window and runs until it is closed.
pub fn run_native(opts: AppOptions) -> Result<(), eframe::Error> {
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
                .and_then(|s| eframe::get_value::<state::Persisted>(s, state::STORAGE_KEY));
            Ok(Box::new(SpecaeApp::new(opts, persisted, &cc.egui_ctx)))
        }),
    )
}
