//! A board.jsonl as one JSON value, for tests that alter a board by hand: the header's
//! members, `"entries"` the array of entry lines and `"count"` the header's entry count.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use serde_json::Value;

/// Reads a board.jsonl into one value.
pub fn read_board(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let mut v: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    v["count"] = v["entries"].take();
    v["entries"] = Value::Array(lines.map(|l| serde_json::from_str(l).unwrap()).collect());
    v
}

/// Writes a value of [`read_board`]'s form back as a board.jsonl.
pub fn write_board(path: &Path, board: &Value) {
    let mut header = board.clone();
    let entries = header["entries"].take();
    let header_map = header.as_object_mut().unwrap();
    let count = header_map.remove("count").unwrap();
    header_map.insert("entries".into(), count);
    let mut text = header.to_string() + "\n";
    for e in entries.as_array().unwrap() {
        text.push_str(&(e.to_string() + "\n"));
    }
    std::fs::write(path, text).unwrap();
}
