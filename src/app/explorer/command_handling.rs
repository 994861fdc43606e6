//! Applying the commands panels sent this frame, in order: data commands change the session
//! or start work, UI commands change the layout.

use super::SpecaeApp;
use crate::app::commands::{AppCommand, Command, UiCommand};
use crate::app::desktop::reveal_in_file_manager;
use crate::app::tiles::{bring_forward, set_shown};
use crate::train::Command as TrainCommand;

impl SpecaeApp {
    pub(super) fn apply_commands(&mut self) {
        let cmds = std::mem::take(&mut self.commands);
        for c in cmds {
            match c {
                Command::App(c) => self.apply_app(c),
                Command::Ui(c) => self.apply_ui(c),
            }
        }
        // Commands queued while applying (e.g. by a finished dialog) run next frame.
    }

    fn apply_ui(&mut self, c: UiCommand) {
        match c {
            UiCommand::ShowPane(p) => bring_forward(&mut self.layout.tiles, p),
            UiCommand::SetPaneShown(p, shown) => set_shown(&mut self.layout.tiles, p, shown),
            UiCommand::ResetLayout => self.layout.reset(),
            UiCommand::DismissMessage(k) => self.messages.dismiss(k),
        }
    }

    fn apply_app(&mut self, c: AppCommand) {
        match c {
            AppCommand::Pick(p) => self.pick(p),
            AppCommand::OpenData(p) => self.open_data(p),
            AppCommand::OpenPaths(p) => self.open_paths(&p),
            AppCommand::Ingest(p) => self.ingest(p),
            AppCommand::OpenBuiltin => {
                self.pending.model = None;
                self.open_builtin();
            }
            AppCommand::OpenModel(p) => self.open_model(p),
            AppCommand::UseBuiltinModel(which) => self.open_builtin_model(which),
            AppCommand::SetColourBy(c) => self.state.colour_by = c,
            AppCommand::ToggleClass(k) => {
                if let Some(h) = self.state.hidden.get_mut(k) {
                    *h = !*h;
                }
            }
            AppCommand::Focus(i) => {
                if i < self.session.n() {
                    self.state.focus = Some(i);
                    self.derived.focus_changed();
                }
            }
            AppCommand::SetSecond(i) => {
                if i < self.session.n() {
                    self.state.second = Some(i);
                }
            }
            AppCommand::Select(rows) => {
                let n = self.session.n();
                self.state.selection = rows.into_iter().filter(|&i| (i as usize) < n).collect();
                self.derived.selection_changed();
                if let Some(&first) = self.state.selection.first()
                    && self.state.focus.is_none()
                {
                    self.state.focus = Some(first as usize);
                }
            }
            AppCommand::ClearSelection => {
                self.state.selection.clear();
                self.derived.selection_changed();
            }
            AppCommand::StepNeighbour(d) => {
                if let Some(i) = self.derived.step_neighbour(d) {
                    self.state.focus = Some(i);
                }
            }
            AppCommand::SetFitLatents(on) => self.state.fit_latents = on,
            AppCommand::SetFitPopulations(on) => self.state.fit_populations = on,
            AppCommand::SetSynthetic(z) => self.derived.decode_synthetic(&self.session, z),
            AppCommand::SyntheticFromFocus => {
                // The latents fitted to the galaxy where the inspector shows them, else the
                // encoder's.
                let fitted = (self.derived.views.inspected.as_ref())
                    .filter(|ins| Some(ins.index) == self.state.focus)
                    .and_then(|ins| ins.fitted.as_ref())
                    .map(|f| f.z.clone());
                let encoded = match (self.state.focus, &self.session.latents) {
                    (Some(i), Some(l)) if i < l.z.nrows() => Some(l.z.row(i).to_vec()),
                    _ => None,
                };
                if let Some(z) = fitted.or(encoded) {
                    self.derived.decode_synthetic(&self.session, z);
                }
            }
            AppCommand::Interpolate(t) => {
                if let (Some(a), Some(b), Some(l)) =
                    (self.state.focus, self.state.second, &self.session.latents)
                    && a < l.z.nrows()
                    && b < l.z.nrows()
                {
                    let z =
                        l.z.row(a)
                            .iter()
                            .zip(l.z.row(b).iter())
                            .map(|(x, y)| x + (y - x) * t)
                            .collect();
                    self.derived.decode_synthetic(&self.session, z);
                }
            }
            AppCommand::ClearSynthetic => self.derived.views.synthetic = None,
            AppCommand::StartTraining(settings) => self.start_training(settings),
            AppCommand::PauseTraining => self.training_command(TrainCommand::Pause),
            AppCommand::ResumeTraining => self.training_command(TrainCommand::Resume),
            AppCommand::ResumeTrainingOnCpu => self.resume_training_on_cpu(),
            AppCommand::StopTraining => self.training_command(TrainCommand::Stop),
            AppCommand::SaveTrainingNow => self.training_command(TrainCommand::SaveNow),
            AppCommand::SelectionResiduals => self.selection_residuals_task(),
            AppCommand::ExportFigure(view, format) => {
                self.state.export_format = format;
                self.export_figure(view, format);
            }
            AppCommand::ExportTable(t) => self.export_table(t),
            AppCommand::ExportIngestReport => self.export_ingest_report(),
            AppCommand::SetExportDir(p) => self.state.export_dir = Some(p),
            AppCommand::SetExportFormat(f) => self.state.export_format = f,
            AppCommand::Reveal(p) => {
                if let Err(e) = reveal_in_file_manager(&p) {
                    self.error(e);
                }
            }
            AppCommand::CancelTask(id) => self.tasks.cancel(id),
            AppCommand::SetRanking(r) => self.state.ranking = r,
            AppCommand::SetInterest(score) => self.relabel(|l| l.score = score),
            AppCommand::ToggleTag(tag) => self.relabel(|l| {
                if !l.tags.remove(&tag) {
                    l.tags.insert(tag);
                }
            }),
            AppCommand::ClearLabel => self.relabel(|l| *l = Default::default()),
            AppCommand::NextCandidate => self.next_candidate(),
            AppCommand::ExportRanked => self.export_ranked(),
            AppCommand::ExportContactSheet => self.export_contact_sheet(),
            AppCommand::ExportLabels => self.export_labels(),
            AppCommand::ImportLabels(p) => self.import_labels(&p),
        }
    }
}
