//! The board's entry lines as the page reads them: parsed into entries with the failure of
//! the first bad one said as `amanat verify` says it (`board.jsonl: line N: … [CODE]`), and
//! the checks of a batch carried between workers as JSON text. Native code, so it is tested
//! with `cargo test`; `binding` only converts.

use amanat::BoardEntry;
use amanat_record::board::parse_entry;
use amanat_record::documents::names;
use amanat_record::EntryCheck;

/// The longest line of `board.jsonl` any tool reads, in bytes (the CLI's bound,
/// `authority/src/files.rs`, docs/record.md §2): 16 MiB.
pub const LINE_MAX: usize = 16 << 20;

/// A failure with a stable code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The code (the core's, or `INPUT_TOO_LARGE`, `INTERNAL`).
    pub code: &'static str,
    /// What failed, as a report shows it.
    pub message: String,
}

/// Parses consecutive entry lines; `first_line` is the 1-based line number of the first in
/// `board.jsonl` (the header is line 1).
///
/// # Errors
/// The first line that is too long or does not parse, with its number and code.
pub fn parse_lines(lines: &[String], first_line: u64) -> Result<Vec<BoardEntry>, Failure> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let n = first_line + i as u64;
            if l.len() > LINE_MAX {
                return Err(Failure {
                    code: "INPUT_TOO_LARGE",
                    message: format!("{}: line {n} is longer than {LINE_MAX} bytes", names::BOARD),
                });
            }
            parse_entry(l).map_err(|e| Failure {
                code: e.code(),
                message: format!("{}: line {n}: {e} [{}]", names::BOARD, e.code()),
            })
        })
        .collect()
}

/// A batch's checks as JSON text, to send back from a worker.
pub fn checks_to_json(checks: &[EntryCheck]) -> Result<String, Failure> {
    serde_json::to_string(checks).map_err(|e| Failure {
        code: "INTERNAL",
        message: format!("cannot encode the checks: {e}"),
    })
}

/// A batch's checks from a worker's JSON text, for a batch of `expected` entries.
///
/// # Errors
/// `MALFORMED_JSON` for text that is not the checks of exactly `expected` entries.
pub fn checks_from_json(text: &str, expected: usize) -> Result<Vec<EntryCheck>, Failure> {
    let checks: Vec<EntryCheck> = serde_json::from_str(text).map_err(|e| Failure {
        code: "MALFORMED_JSON",
        message: format!("a worker's checks do not parse: {e}"),
    })?;
    if checks.len() != expected {
        return Err(Failure {
            code: "MALFORMED_JSON",
            message: format!(
                "a worker sent {} checks for a batch of {expected} entries",
                checks.len()
            ),
        });
    }
    Ok(checks)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_bad_line_is_named_with_its_number_and_code() {
        let e = parse_lines(&["{}".into()], 7).unwrap_err();
        assert_eq!(e.code, "MALFORMED_JSON");
        assert!(
            e.message.starts_with("board.jsonl: line 7: "),
            "{}",
            e.message
        );
        assert!(e.message.ends_with("[MALFORMED_JSON]"), "{}", e.message);
        let long = "x".repeat(LINE_MAX + 1);
        assert_eq!(parse_lines(&[long], 2).unwrap_err().code, "INPUT_TOO_LARGE");
    }

    #[test]
    fn checks_must_match_the_batch() {
        let checks = vec![EntryCheck {
            ballot: None,
            reveal: Some(Err("no reveal".into())),
        }];
        let text = checks_to_json(&checks).unwrap();
        assert_eq!(checks_from_json(&text, 1).unwrap(), checks);
        assert_eq!(
            checks_from_json(&text, 2).unwrap_err().code,
            "MALFORMED_JSON"
        );
        assert_eq!(checks_from_json("[", 1).unwrap_err().code, "MALFORMED_JSON");
    }
}
