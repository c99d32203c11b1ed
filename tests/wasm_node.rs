//! The JavaScript binding driven from Rust inside Node (`wasm-pack test --node`): the
//! known-answer vectors and receipt, the whole API, every error code, garbage through every
//! entry point, and oversized strings refused before they are copied.
//! `tests/wasm_browser.rs` runs the same suites inside headless Chromium.
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use wasm_bindgen_test::wasm_bindgen_test;

mod wasm_common;

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
