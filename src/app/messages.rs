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
        });
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
