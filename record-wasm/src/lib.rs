//! The observer page's WebAssembly module (`observer-site/verifier/`, built by
//! `make observer`, docs/observer.md): the record library's verifier ([`amanat_record`])
//! behind a thin binding, in two parts.
//!
//! - `RecordVerifier`, in the page's coordinating worker: made from the record's small
//!   documents (V1–V3), given the board's header line, then its entry lines batch after batch
//!   (`parseBatch`), each batch's checks (from a worker, or `checkHere`) pushed in board order,
//!   and finished into the same report as `amanat verify --json`.
//! - `BatchChecker`, in each checking worker: the election alone, and per batch its lines and
//!   the part of the credential list that lists their credentials
//!   (`Batch.credentials()`): the expensive checks ([`amanat_record::check_entries`]) without
//!   a copy of a list of millions in every worker.
//!
//! Nothing here panics: every failure reaches JavaScript as a thrown `Error` with a stable
//! `code` property (the core's [`amanat::Error::code`], or `INPUT_TOO_LARGE`, `INTERNAL`),
//! and the logic is the library's.
#![deny(missing_docs)]

pub mod lines;

#[cfg(target_arch = "wasm32")]
mod binding;
