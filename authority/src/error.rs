//! The error type of the authority tools' workflow commands, with a stable code per variant.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// What can go wrong in a workflow command (credentials, election, tally, record, verify,
/// simulate). Each variant has a stable [`ToolError::code`].
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ToolError {
    /// A file could not be read, written or created.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A document failed to parse or validate in the core crate.
    #[error("{path}: {source} [{}]", source.code())]
    Document {
        /// The file.
        path: PathBuf,
        /// The core error.
        source: amanat::Error,
    },
    /// A core operation failed (sealing, proof verification, ...).
    #[error("{} [{}]", .0, .0.code())]
    Core(#[from] amanat::Error),
    /// The key ceremony or a threshold decryption failed.
    #[error("{0}")]
    Threshold(#[from] crate::threshold::ThresholdError),
    /// The ballot box key file is missing, malformed, exposed, or not the election's.
    #[error("{} [{}]", .0, .0.code())]
    BoxKey(#[from] crate::box_key::BoxKeyError),
    /// The command line or the input files are inconsistent; the message says how.
    #[error("{0}")]
    Invalid(String),
}

impl ToolError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ToolError::Io { .. } => "IO",
            ToolError::Document { source, .. } => source.code(),
            ToolError::Core(e) => e.code(),
            ToolError::Threshold(e) => e.code(),
            ToolError::BoxKey(e) => e.code(),
            ToolError::Invalid(_) => "INVALID_INPUT",
        }
    }

    /// Wraps an I/O error with its path.
    pub fn io(path: &Path, source: std::io::Error) -> ToolError {
        ToolError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Wraps a parse error with the file it came from.
    pub fn document(path: &Path, source: amanat::Error) -> ToolError {
        ToolError::Document {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Result of the workflow commands.
pub type ToolResult<T> = std::result::Result<T, ToolError>;

/// The most characters of one message the tools print: a record is written by others, and a
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
}
