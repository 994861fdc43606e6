//! The message line: what finished, what went wrong. Information fades after 10 s; warnings
//! and errors stay until dismissed.

use std::time::{Duration, Instant};

/// How much a message matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    /// Something did not work but the work goes on (a snapshot not written, a setting
    /// reduced).
    Warning,
    Error,
}

/// A line in the message area.
#[derive(Clone, Debug)]
pub struct Message {
    pub text: String,
    pub level: Level,
    pub at: Instant,
    /// The model generation (of the data and model open) the message is about, if any: it
    /// goes when another model or other data opens.
    pub about: Option<u64>,
}

impl Message {
    /// Stays until dismissed.
    pub fn sticks(&self) -> bool {
        self.level != Level::Info
    }

    /// An error (a failure the user must see).
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

/// How long information stays on the line.
pub const INFO_FOR: Duration = Duration::from_secs(10);

/// The messages, oldest first.
#[derive(Default)]
pub struct Messages {
    list: Vec<Message>,
}

impl Messages {
    pub fn push(&mut self, level: Level, text: impl Into<String>) {
        self.list.push(Message {
            text: text.into(),
            level,
            at: Instant::now(),
            about: None,
        });
    }

    /// A message about the data and model of generation `model` (an analysis's warning about
    /// what it was computed from): [`Self::forget_others`] drops it once another model or other
    /// data is open.
    pub fn push_about(&mut self, level: Level, text: impl Into<String>, model: u64) {
        self.push(level, text);
        if let Some(m) = self.list.last_mut() {
            m.about = Some(model);
        }
    }

    /// Drops the messages about any model generation but `model`.
    pub fn forget_others(&mut self, model: u64) {
        self.list.retain(|m| m.about.is_none_or(|g| g == model));
    }

    pub fn all(&self) -> &[Message] {
        &self.list
    }

    pub fn dismiss(&mut self, k: usize) {
        if k < self.list.len() {
            self.list.remove(k);
        }
    }

    /// Drops information older than [`INFO_FOR`].
    pub fn expire(&mut self) {
        self.list
            .retain(|m| m.sticks() || m.at.elapsed() < INFO_FOR);
    }

    /// Some information is still to fade (the app repaints to let it go).
    pub fn fading(&self) -> bool {
        self.list.iter().any(|m| !m.sticks())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A warning about one data and model goes when others open; one about nothing stays.
    #[test]
    fn messages_about_other_data_go() {
        let mut m = Messages::default();
        m.push(Level::Warning, "a snapshot was not written");
        m.push_about(Level::Warning, "only 5 training spectra", 3);
        m.forget_others(3);
        assert_eq!(m.all().len(), 2);
        m.forget_others(4);
        let left: Vec<&str> = m.all().iter().map(|m| m.text.as_str()).collect();
        assert_eq!(left, ["a snapshot was not written"]);
    }
}
