//! The error of the record's functions, with a stable code per variant.

use thiserror::Error;

use crate::threshold::ThresholdError;

/// What can go wrong reading or recomputing part of an election record.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RecordError {
    /// A core operation or decoder failed (a malformed document, a link of the chain).
    #[error("{} [{}]", .0, .0.code())]
    Core(#[from] amanat::Error),
    /// A ceremony or threshold decryption check failed.
    #[error("{0}")]
    Threshold(#[from] ThresholdError),
    /// Documents that parse but do not agree; the message says how.
    #[error("{0}")]
    Invalid(String),
}

impl RecordError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            RecordError::Core(e) => e.code(),
            RecordError::Threshold(e) => e.code(),
            RecordError::Invalid(_) => "INVALID_INPUT",
        }
    }
}

/// Result of the record's functions.
pub type RecordResult<T> = std::result::Result<T, RecordError>;

/// The most characters of one message a report holds: a record is written by others, and a
/// value echoed into an error (an id, a string that is not hex) could be any size.
pub const MESSAGE_MAX: usize = 1000;

/// `text` cut to at most [`MESSAGE_MAX`] characters, saying how much was left out.
pub fn bounded(text: &str) -> String {
    match text.char_indices().nth(MESSAGE_MAX) {
        None => text.to_string(),
        Some((at, _)) => format!(
            "{}… ({} more characters not shown)",
            &text[..at],
            text[at..].chars().count()
        ),
    }
}

/// A check's problems as a report shows them: the first five in full, and how many there
/// were. Holds no more than five, however many are added.
#[derive(Clone, Debug, Default)]
pub struct Problems {
    shown: Vec<String>,
    total: usize,
}

impl Problems {
    /// No problem yet.
    pub fn new() -> Problems {
        Problems::default()
    }

    /// Adds one (kept only if among the first five).
    pub fn push(&mut self, problem: String) {
        if self.shown.len() < 5 {
            self.shown.push(bounded(&problem));
        }
        self.total += 1;
    }

    /// Problems gathered elsewhere: `shown` (the first five are kept) out of `total`.
    pub fn first_of(shown: impl IntoIterator<Item = String>, total: usize) -> Problems {
        let shown: Vec<String> = shown.into_iter().take(5).map(|p| bounded(&p)).collect();
        Problems {
            total: total.max(shown.len()),
            shown,
        }
    }

    /// Whether none was added.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// How many were added.
    pub fn len(&self) -> usize {
        self.total
    }

    /// The report's text: `"a; b"`, or `"N problems: a; b; c; d; e; and M more"`.
    pub fn text(&self) -> String {
        let more = self.total.saturating_sub(self.shown.len());
        if more > 0 {
            format!(
                "{} problems: {}; and {more} more",
                self.total,
                self.shown.join("; ")
            )
        } else {
            self.shown.join("; ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut() {
        assert_eq!(bounded("short"), "short");
        let long = "é".repeat(MESSAGE_MAX + 5);
        let cut = bounded(&long);
        assert!(cut.starts_with(&"é".repeat(MESSAGE_MAX)));
        assert!(cut.ends_with("… (5 more characters not shown)"));
        assert_eq!(bounded(&"x".repeat(MESSAGE_MAX)), "x".repeat(MESSAGE_MAX));
    }

    #[test]
    fn problems_keep_five_and_count_the_rest() {
        let mut p = Problems::new();
        assert!(p.is_empty());
        p.push("a".into());
        p.push("b".into());
        assert_eq!(p.text(), "a; b");
        for i in 0..6 {
            p.push(format!("x{i}"));
        }
        assert_eq!(p.len(), 8);
        assert_eq!(p.text(), "8 problems: a; b; x0; x1; x2; and 3 more");
    }
}
