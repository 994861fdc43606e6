//! What every panel is: a [`Panel`] draws from the read-only [`PanelCx`] and pushes commands;
//! its own view state (textures, zoom, scroll) stays inside it.

use std::path::PathBuf;

use eframe::egui;

use crate::app::commands::Command;
use crate::app::persisted::Persisted;
use crate::app::session::{Scope, Session};
use crate::app::tasks::RunningTask;
use crate::app::training::TrainingRun;
use crate::app::view_models::Views;

/// What a panel sees this frame.
pub struct PanelCx<'a> {
    pub session: &'a Session,
    pub state: &'a Persisted,
    pub views: &'a Views,
    pub training: Option<&'a TrainingRun>,
    /// Background tasks in flight.
    pub tasks: &'a [RunningTask<Scope>],
    /// The file the last export wrote.
    pub last_export: Option<&'a PathBuf>,
    out: &'a mut Vec<Command>,
}

impl<'a> PanelCx<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        session: &'a Session,
        state: &'a Persisted,
        views: &'a Views,
        training: Option<&'a TrainingRun>,
        tasks: &'a [RunningTask<Scope>],
        last_export: Option<&'a PathBuf>,
        out: &'a mut Vec<Command>,
    ) -> Self {
        Self {
            session,
            state,
            views,
            training,
            tasks,
            last_export,
            out,
        }
    }

    /// Asks the app to do something after this frame.
    pub fn send(&mut self, c: impl Into<Command>) {
        self.out.push(c.into());
    }

    /// Some background task is running.
    pub fn busy(&self) -> bool {
        !self.tasks.is_empty()
    }

    /// The running task called `name`, if any.
    pub fn task(&self, name: &str) -> Option<&RunningTask<Scope>> {
        self.tasks.iter().find(|t| t.name == name)
    }
}

/// One panel of the explorer.
pub trait Panel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelCx<'_>);
}

/// The button that shows a file in the system's file manager, named as each system names it.
pub const REVEAL_LABEL: &str = if cfg!(target_os = "macos") {
    "Show in Finder"
} else if cfg!(target_os = "windows") {
    "Show in Explorer"
} else {
    "Show in folder"
};

/// A short message in the panel body when its inputs are not there yet, with a spinner while
/// something is `busy` computing them (a spinner repaints every frame: none while the app waits
/// for the user).
pub fn waiting_ui(ui: &mut egui::Ui, busy: bool, what: &str) {
    ui.vertical_centered(|ui| {
        ui.add_space(12.0);
        if busy {
            ui.spinner();
        }
        ui.add(egui::Label::new(what).wrap());
    });
}
