#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod ballot;
mod base32;
pub mod board;
pub mod credential;
pub mod election;
pub mod elgamal;
pub mod encoding;
pub mod error;
mod hash;
mod json;
pub mod manifest;
pub mod proofs;
pub mod receipt;
pub mod secret;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub mod wasm;

pub use ballot::{normalize_short_code, Ballot, Challenge, SealedBallot, Selections, Tracking};
pub use board::{BoardEntry, EntryKind};
pub use credential::{check_code, CodeCheck, Credential, CredentialCode};
pub use election::{CredentialEntry, CredentialList, CredentialsSummary, Election};
pub use elgamal::{Ciphertext, ElectionKey};
pub use encoding::{Digest, Point, PublicKey};
pub use error::{Check, Error, Result};
pub use hash::{Transcript, PROTOCOL};
pub use manifest::Manifest;
pub use receipt::{Receipt, SignedHead};
pub use secret::{BallotSeed, SecretScalar};
