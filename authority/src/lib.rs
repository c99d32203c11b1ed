//! The election authority's side of Amanat: key ceremony, credentials, the ballot box,
//! tally, threshold decryption, the election record and its verifier. The `amanat` binary
//! (src/main.rs) is a thin command-line layer over these modules.
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod board_file;
pub mod box_key;
pub mod ceremony;
pub mod credentials;
pub mod demo;
pub mod election_dir;
pub mod error;
pub mod files;
pub mod heads;
mod http_answer;
mod http_gate;
pub mod http_limits;
mod http_listener;
pub mod memory;
mod metrics;
pub mod receipt;
pub mod record;
pub mod served_files;
pub mod server;
pub mod simulate;
mod static_files;
pub mod store;
pub mod tally;
pub mod verify;

/// The trustees' key ceremony and threshold decryption (docs/ceremony.md), from the record
/// library: the verifier checks what they publish.
pub use amanat_record::threshold;
