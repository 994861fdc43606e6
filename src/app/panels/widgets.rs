//! Small pieces several panels and the menu bar share: the open buttons, a path shown within
//! the width it has, durations in words.

use std::path::Path;

use eframe::egui;

use super::panel::PanelCx;
use crate::app::commands::{AppCommand, Pick};

/// Open data (dialog), open a model (dialog), back to the built-in survey: in the File menu
/// and the Data panel.
pub fn open_buttons_ui(ui: &mut egui::Ui, cx: &mut PanelCx<'_>) {
    if ui.button("Open data…").clicked() {
        cx.send(AppCommand::Pick(Pick::Data));
    }
    if ui.button("Open model…").clicked() {
        cx.send(AppCommand::Pick(Pick::Model));
    }
    if ui.button("Built-in survey").clicked() {
        cx.send(AppCommand::OpenBuiltin);
    }
}

/// `path` shortened in the middle to at most `max_chars` characters ("/Users/…/specae-exports"),
/// keeping its start and its last components.
pub fn elide_middle(path: &str, max_chars: usize) -> String {
    let n = path.chars().count();
    if n <= max_chars || max_chars < 5 {
        return path.to_string();
    }
    let keep = max_chars - 1;
    let tail = keep * 2 / 3;
    let head = keep - tail;
    let start: String = path.chars().take(head).collect();
    let end: String = path.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

/// A path as a label that never widens its panel: elided in the middle to the width the
/// layout gives it, the whole path on hover.
pub fn path_label_ui(ui: &mut egui::Ui, prefix: &str, path: &Path, small: bool) -> egui::Response {
    let full = path.display().to_string();
    let font = if small {
        egui::TextStyle::Small
    } else {
        egui::TextStyle::Body
    };
    let font_id = font.resolve(ui.style());
    // A typical path character's width ('n'; slashes and dots are narrower, capitals wider).
    let char_w = ui.ctx().fonts_mut(|f| f.glyph_width(&font_id, 'n'));
    let room = (ui.available_width() / char_w.max(1.0)) as usize;
    let shown = elide_middle(&full, room.saturating_sub(prefix.chars().count()).max(12));
    let text = egui::RichText::new(format!("{prefix}{shown}"));
    let text = if small { text.small() } else { text };
    ui.add(egui::Label::new(text).truncate())
        .on_hover_text(full)
}

/// A duration as "1h05m", "3m07s", "42s".
pub fn fmt_duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_paths_are_elided_in_the_middle() {
        let p = "/Users/firstname.lastname/Documents/specae-exports";
        assert_eq!(elide_middle(p, 80), p);
        let e = elide_middle(p, 30);
        assert_eq!(e.chars().count(), 30);
        assert!(
            e.starts_with("/Users/f") && e.ends_with("specae-exports"),
            "{e}"
        );
        assert_eq!(fmt_duration(std::time::Duration::from_secs(3725)), "1h02m");
        assert_eq!(fmt_duration(std::time::Duration::from_secs(187)), "3m07s");
    }
}
