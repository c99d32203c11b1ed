//! Amanat's election record (docs/record.md): its documents, the reader of the board, the
//! counting rules and the verifier's numbered checks V1–V13, with the trustees' ceremony
//! and threshold decryption they check.
//!
//! No threads, async runtime, terminal, file system or database: the record's documents
//! come in as text, the board's entries one after another, and progress goes out through a
//! callback, so the same code runs in the `amanat` command-line tool (which adds rayon, the
//! files and a progress bar around it) and in a browser (wasm32).
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod board;
pub mod checks;
pub mod counting;
pub mod decryption;
pub mod documents;
pub mod error;
pub mod threshold;

pub use board::{BoardFile, BoardHeader, Chain, EntrySummary};
pub use checks::{
    check_batch, check_entries, verify_record, BallotFailure, BatchOutcome, BatchPlan,
    CheckOutcome, EntryCheck, RecordDocs, Report, Verifier, CHECKS,
};
pub use counting::{BoardScan, Selection, Sums, SumsWire};
pub use documents::{names, Counts, Decryption, ResultsFile, Tally};
pub use error::{RecordError, RecordResult};
