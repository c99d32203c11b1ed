//! The observer page's WebAssembly module (`observer-site/verifier/`, built by
//! `make observer`, docs/observer.md): the record library's verifier ([`amanat_record`])
//! behind a thin binding, in two parts.
//!
//! - `RecordVerifier`, in the page's coordinating worker: made from the record's small
//!   documents (V1–V3), given the board's header line, then its entry lines batch after
//!   batch: each planned from the lines alone (`planBatch`: the part of the credential list
//!   its ballots need, which go into the sums), its outcome from a checking worker pushed in
//!   board order (`pushOutcome`), and finished into the same report as
//!   `amanat verify --json`. A record whose ballots cannot be checked (V1 or V3 failed) is
//!   parsed and checked here instead (`parseBatch`, `checkHere`, `push`).
//! - `BatchChecker`, in each checking worker: the election alone, and per batch its lines
//!   and plan (`checkBatch`, the library's [`amanat_record::check_batch`]): parsing, every
//!   proof and reveal, the entries' summaries and the batch's sums, without a copy of a
//!   list of millions in every worker.
//!
//! Nothing here panics: every failure reaches JavaScript as a thrown `Error` with a stable
//! `code` property (the core's [`amanat::Error::code`], or `INPUT_TOO_LARGE`, `INTERNAL`),
//! and the logic is the library's.
#![deny(missing_docs)]

pub mod lines;

#[cfg(target_arch = "wasm32")]
mod binding;
