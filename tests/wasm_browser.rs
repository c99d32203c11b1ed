//! The JavaScript binding inside headless Chromium (`wasm-pack test --headless --chrome`):
//! the known-answer vectors recomputed byte for byte, natively sealed ballots verified, and
//! the suites of `tests/wasm_node.rs`.
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod wasm_common;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn happy_path() {
    wasm_common::happy_path();
}

#[wasm_bindgen_test]
fn every_error_code() {
    wasm_common::every_error_code();
}

#[wasm_bindgen_test]
fn garbage_never_traps() {
    wasm_common::garbage_never_traps();
}
