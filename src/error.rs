//! The one error type of the crate, with a stable machine-readable code per variant.

use thiserror::Error;

/// Which verification check failed. Carries only public identifiers, never secret values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Check {
    /// The ballot names a different election (base hash) or protocol version.
    Election,
    /// The ballot's contests or options do not match its ballot style in the manifest.
    Style,
    /// The credential's Schnorr signature over the ballot.
    Signature,
    /// A signature over a message other than a ballot (a receipt, a ceremony share), named.
    MessageSignature(String),
    /// The 0/1 proof of one option: `(contest id, option id)`.
    SelectionProof(String, String),
    /// The range proof of one contest's selection count.
    ContestProof(String),
    /// A Schnorr proof of knowledge (for example, of a trustee's coefficient).
    KnowledgeProof(String),
    /// A Chaum–Pedersen proof of equal discrete logarithms (for example, a decryption share).
    EqualityProof(String),
    /// A revealed (challenged) ballot does not match its ciphertexts.
    Reveal(String),
    /// A bulletin-board entry does not link to its predecessor or its own ballot.
    Board(u64),
    /// A ballot box receipt that contradicts itself (names what).
    Receipt(String),
}

impl core::fmt::Display for Check {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Check::Election => write!(f, "election binding"),
            Check::Style => write!(f, "ballot style"),
            Check::Signature => write!(f, "credential signature"),
            Check::MessageSignature(what) => write!(f, "signature on {what}"),
            Check::SelectionProof(c, o) => write!(f, "selection proof {c}/{o}"),
            Check::ContestProof(c) => write!(f, "contest proof {c}"),
            Check::KnowledgeProof(what) => write!(f, "proof of knowledge {what}"),
            Check::EqualityProof(what) => write!(f, "equality proof {what}"),
            Check::Reveal(what) => write!(f, "revealed ballot {what}"),
            Check::Board(i) => write!(f, "board entry {i}"),
            Check::Receipt(what) => write!(f, "receipt: {what}"),
        }
    }
}

/// An id as a message shows it (a contest, option or ballot style, a version): quoted and
/// cut short as a member name is ([`crate::json::quoted`]); ids come from whoever sent the
/// ballot, and a message must not carry back a megabyte it was sent.
fn shown(id: &str) -> String {
    crate::json::quoted(id)
}

/// Everything that can go wrong in the module. Each variant has a stable [`Error::code`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// Input was not valid JSON or did not have the expected shape.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// A byte string had the wrong length or was not lowercase hexadecimal.
    #[error("bad encoding: {0}")]
    Encoding(String),
    /// A point or scalar was not the canonical encoding of a group element or scalar.
    #[error("non-canonical encoding: {0}")]
    NonCanonical(String),
    /// The identity point was given where a key or generator is required.
    #[error("identity point where a key is required: {0}")]
    Identity(String),
    /// The document names a protocol version this module does not implement.
    #[error("unsupported protocol version {}", shown(.0))]
    Version(String),
    /// The election definition is invalid; the message names the problem.
    #[error("invalid election: {0}")]
    InvalidElection(String),
    /// A contest id that the manifest does not define.
    #[error("unknown contest {}", shown(.0))]
    UnknownContest(String),
    /// An option id that the contest does not define.
    #[error("unknown option {} in contest {}", shown(option), shown(contest))]
    UnknownOption {
        /// The contest.
        contest: String,
        /// The option id that was not found.
        option: String,
    },
    /// A ballot style id that the manifest does not define.
    #[error("unknown ballot style {}", shown(.0))]
    UnknownStyle(String),
    /// A contest that exists but is not on the voter's ballot style.
    #[error("contest {} is not on this ballot style", shown(.0))]
    ContestNotInStyle(String),
    /// The same option was selected twice in one contest.
    #[error(
        "option {} selected twice in contest {}",
        shown(option),
        shown(contest)
    )]
    DuplicateSelection {
        /// The contest.
        contest: String,
        /// The option selected twice.
        option: String,
    },
    /// More options selected than the contest allows.
    #[error(
        "overvote in contest {}: {selected} selected, at most {max} allowed",
        shown(contest)
    )]
    Overvote {
        /// The contest.
        contest: String,
        /// How many were selected.
        selected: u32,
        /// The contest's maximum.
        max: u32,
    },
    /// Fewer options selected than the contest requires.
    #[error(
        "undervote in contest {}: {selected} selected, at least {min} required",
        shown(contest)
    )]
    Undervote {
        /// The contest.
        contest: String,
        /// How many were selected.
        selected: u32,
        /// The contest's minimum.
        min: u32,
    },
    /// A credential code that is mistyped or malformed.
    #[error("bad credential code: {0}")]
    Credential(&'static str),
    /// The credential is for another ballot style than the ballot.
    #[error("credential is not registered for ballot style {}", shown(.0))]
    CredentialStyle(String),
    /// The credential key is not on the election's credential list.
    #[error("credential is not on the election's credential list")]
    UnknownCredential,
    /// The ballot was made for another election.
    #[error("ballot is for another election")]
    WrongElection,
    /// A proof, signature or reveal did not verify. Names which check, nothing more.
    #[error("verification failed: {0}")]
    Verification(Check),
    /// A ballot handle was used after it was cast or challenged.
    #[error("this ballot was already cast or challenged")]
    Spent,
    /// A value is outside the range the protocol supports.
    #[error("out of range: {0}")]
    OutOfRange(&'static str),
}

impl Error {
    /// A stable, machine-readable code for this error, as listed in `docs/protocol.md`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::MalformedJson(_) => "MALFORMED_JSON",
            Error::Encoding(_) => "BAD_ENCODING",
            Error::NonCanonical(_) => "NON_CANONICAL",
            Error::Identity(_) => "IDENTITY_POINT",
            Error::Version(_) => "UNSUPPORTED_VERSION",
            Error::InvalidElection(_) => "INVALID_ELECTION",
            Error::UnknownContest(_) => "UNKNOWN_CONTEST",
            Error::UnknownOption { .. } => "UNKNOWN_OPTION",
            Error::UnknownStyle(_) => "UNKNOWN_STYLE",
            Error::ContestNotInStyle(_) => "CONTEST_NOT_IN_STYLE",
            Error::DuplicateSelection { .. } => "DUPLICATE_SELECTION",
            Error::Overvote { .. } => "OVERVOTE",
            Error::Undervote { .. } => "UNDERVOTE",
            Error::Credential(_) => "BAD_CREDENTIAL",
            Error::CredentialStyle(_) => "CREDENTIAL_STYLE",
            Error::UnknownCredential => "UNKNOWN_CREDENTIAL",
            Error::WrongElection => "WRONG_ELECTION",
            Error::Verification(_) => "VERIFICATION_FAILED",
            Error::Spent => "BALLOT_SPENT",
            Error::OutOfRange(_) => "OUT_OF_RANGE",
        }
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_id_is_shown_cut() {
        let long = "x".repeat(200_000);
        let m = Error::CredentialStyle(long).to_string();
        assert!(m.len() < 200, "{} bytes", m.len());
        assert!(m.ends_with('…'), "{m}");
        let m = Error::UnknownOption {
            contest: "NA-1".into(),
            option: "ع".repeat(150),
        }
        .to_string();
        assert_eq!(
            m,
            format!("unknown option {:?}… in contest \"NA-1\"", "ع".repeat(100))
        );
        assert_eq!(
            Error::UnknownStyle("s\"1".into()).to_string(),
            "unknown ballot style \"s\\\"1\""
        );
    }
}
