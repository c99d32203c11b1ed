//! The error type of the key ceremony and threshold decryption, with a stable code per variant.

use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong in the ceremony or in threshold decryption. Each variant has a stable
/// [`ThresholdError::code`]; a failed proof is the core's opaque
/// [`amanat::Error::Verification`] naming the check.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ThresholdError {
    /// A core check failed: a proof, a signature, an encoding.
    #[error("{0} [{code}]", code = .0.code())]
    Core(#[from] amanat::Error),
    /// The ceremony parameters are out of range (`1 <= threshold <= trustees <= 255`).
    #[error("bad ceremony parameters: {0}")]
    Parameters(String),
    /// The documents do not fit together: another ceremony, a wrong index, a duplicate.
    #[error("inconsistent ceremony documents: {0}")]
    Inconsistent(String),
    /// A document the step needs is missing (a trustee's public file, a share).
    #[error("missing: {0}")]
    Missing(String),
    /// Upheld complaints left fewer qualified dealers than the threshold: the ceremony is
    /// aborted and must be run again.
    #[error("ceremony aborted: only {qualified} qualified dealers remain, the threshold is {threshold} (disqualified: {disqualified:?})")]
    Aborted {
        /// Dealers without an upheld complaint.
        qualified: u32,
        /// The threshold `k`.
        threshold: u32,
        /// The disqualified dealers.
        disqualified: Vec<u32>,
    },
    /// Fewer distinct trustees than the threshold took part in a decryption.
    #[error("{have} distinct trustees took part, at least {need} are needed")]
    TooFewTrustees {
        /// Distinct trustees present.
        have: usize,
        /// The threshold.
        need: u32,
    },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl ThresholdError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ThresholdError::Core(e) => e.code(),
            ThresholdError::Parameters(_) => "BAD_PARAMETERS",
            ThresholdError::Inconsistent(_) => "INCONSISTENT_CEREMONY",
            ThresholdError::Missing(_) => "MISSING_INPUT",
            ThresholdError::Aborted { .. } => "CEREMONY_ABORTED",
            ThresholdError::TooFewTrustees { .. } => "TOO_FEW_TRUSTEES",
            ThresholdError::Io { .. } => "IO",
        }
    }

    /// A file error, with its path.
    pub fn io(path: &std::path::Path, e: impl std::fmt::Display) -> ThresholdError {
        ThresholdError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}

/// Result of the ceremony and threshold functions.
pub type ThresholdResult<T> = std::result::Result<T, ThresholdError>;
