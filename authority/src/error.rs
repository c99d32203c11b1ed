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

impl From<amanat_record::RecordError> for ToolError {
    fn from(e: amanat_record::RecordError) -> ToolError {
        match e {
            amanat_record::RecordError::Core(e) => ToolError::Core(e),
            amanat_record::RecordError::Threshold(e) => ToolError::Threshold(e),
            other => ToolError::Invalid(other.to_string()),
        }
    }
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

pub use amanat_record::error::{bounded, MESSAGE_MAX};
