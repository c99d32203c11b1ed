//! Zero-knowledge proofs (docs/protocol.md §5), each in its own file, and the batch verifier
//! that checks many of their equations with one multiscalar multiplication.

pub(crate) mod batch;
pub mod disjunctive;
pub mod equality;
pub mod schnorr;
