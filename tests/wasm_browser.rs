//! The JavaScript binding inside headless Chromium (`wasm-pack test --headless --chrome`):
//! the known-answer vectors recomputed byte for byte, natively sealed ballots verified, the
//! recorded receipt verified and every tampering with it refused, the whole API, every error
//! code, garbage through every entry point, and oversized strings refused before they are
//! copied into wasm memory. `make test-wasm` runs this and `tests/wasm_node.rs` (the same
//! suites in Node) on both builds of the module, the baseline and the one with WebAssembly
//! SIMD.
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod wasm_common;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn known_answer_ballots_are_reproduced() {
    wasm_common::vectors::known_answer_ballots_are_reproduced();
}

#[wasm_bindgen_test]
fn native_ballots_verify_through_the_binding() {
    wasm_common::vectors::native_ballots_verify_through_the_binding();
}

#[wasm_bindgen_test]
fn invalid_vectors_fail_with_their_codes() {
    wasm_common::vectors::invalid_vectors_fail_with_their_codes();
}

#[wasm_bindgen_test]
fn the_receipt_verifies_and_every_tampering_fails() {
    wasm_common::vectors::the_receipt_verifies_and_every_tampering_fails();
}

#[wasm_bindgen_test]
fn happy_path() {
    wasm_common::happy_path();
}

#[wasm_bindgen_test]
fn every_error_code() {
    wasm_common::every_error_code();
}

#[wasm_bindgen_test]
fn strict_json_and_unforgeable_codes() {
    wasm_common::strict_json_and_unforgeable_codes();
}

#[wasm_bindgen_test]
fn garbage_never_traps() {
    wasm_common::garbage_never_traps();
}

#[wasm_bindgen_test]
fn oversized_input_is_refused_before_copying() {
    wasm_common::oversized_input_is_refused_before_copying();
}
