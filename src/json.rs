//! How typed errors of field decoders get out of serde, and the one entry point that reads
//! JSON ([`from_json`]).
//!
//! A field decoder that fails with a typed error (`NON_CANONICAL`, `IDENTITY_POINT`, …) hands
//! it to [`field_error`], which keeps it in a thread-local slot and gives serde only its text.
//! [`from_json`] empties the slot before parsing and takes the error back after a failed parse,
//! and only if serde's error is that very one. Nothing in the input can fill the slot, so no
//! input can make a parse fail with a code it chooses.

use core::cell::Cell;

use serde::Deserialize;

use crate::error::{Error, Result};

/// The longest message of serde's that an error repeats, in characters (it may quote input).
const MESSAGE: usize = 160;

thread_local! {
    /// The typed error of the field decoder that failed last on this thread, with the text
    /// serde was given for it.
    static FIELD_ERROR: Cell<Option<(String, Error)>> = const { Cell::new(None) };
}

/// Hands a typed error to serde from a field decoder; [`from_json`] recovers it.
pub(crate) fn field_error<E: serde::de::Error>(e: Error) -> E {
    let text = e.to_string();
    let _ = FIELD_ERROR.try_with(|slot| slot.set(Some((text.clone(), e))));
    E::custom(text)
}

fn take_field_error() -> Option<(String, Error)> {
    FIELD_ERROR.try_with(Cell::take).ok().flatten()
}

/// Parses a JSON document into `T`.
///
/// # Errors
/// [`Error::MalformedJson`] for syntax, shape or an unknown member; or the typed error of a field's value ([`Error::Encoding`], [`Error::NonCanonical`],
/// [`Error::Identity`], [`Error::Version`], [`Error::InvalidElection`], …).
///
/// # Examples
/// ```
/// use amanat::encoding::from_json;
/// use std::collections::BTreeMap;
///
/// let counts: BTreeMap<String, u64> = from_json(r#"{"a": 1, "b": 2}"#).unwrap();
/// assert_eq!(counts["b"], 2);
/// let point = from_json::<amanat::Point>(r#""zz""#);
/// assert_eq!(point.unwrap_err().code(), "BAD_ENCODING");
/// ```
pub fn from_json<'a, T: Deserialize<'a>>(json: &'a str) -> Result<T> {
    take_field_error();
    let parsed = serde_json::from_str(json);
    let typed = take_field_error();
    parsed.map_err(|e| match typed {
        Some((text, err)) if message(&e) == text => err,
        _ => malformed(&e),
    })
}

/// Serde's message without the position serde_json appends to it.
fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let at = format!(" at line {} column {}", e.line(), e.column());
    match (e.line(), text.strip_suffix(&at)) {
        (1.., Some(m)) => m.to_string(),
        _ => text,
    }
}

/// [`Error::MalformedJson`] with serde's message, cut short if long, and its position.
fn malformed(e: &serde_json::Error) -> Error {
    let m = message(e);
    let m = match m.char_indices().nth(MESSAGE) {
        Some((at, _)) => format!("{}…", &m[..at]),
        None => m,
    };
    Error::MalformedJson(match e.line() {
        0 => m,
        line => format!("{m} at line {line} column {}", e.column()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    fn code<T: for<'a> Deserialize<'a>>(json: &str) -> &'static str {
        match from_json::<T>(json) {
            Ok(_) => "OK",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn messages_do_not_echo_long_input() {
        let long = "x".repeat(100_000);
        // Serde's own messages quote input (here an unknown variant); they are cut short.
        #[derive(Debug, Deserialize)]
        enum Kind {
            Cast,
        }
        let e = from_json::<Kind>(&format!("\"{long}\"")).unwrap_err();
        assert!(e.to_string().len() < 300, "{} bytes", e.to_string().len());
        assert!(matches!(from_json::<Kind>("\"Cast\""), Ok(Kind::Cast)));
    }

    #[test]
    fn a_typed_error_comes_only_from_a_field_decoder() {
        // The old carrier: text that serde repeats in its message. Now only MALFORMED_JSON.
        for code_ in [
            "NON_CANONICAL",
            "IDENTITY_POINT",
            "UNSUPPORTED_VERSION",
            "INVALID_ELECTION",
            "BAD_ENCODING",
        ] {
            let marker = format!("\\u0001{code_}\\u0001x");
            #[derive(Debug, Deserialize)]
            #[serde(deny_unknown_fields)]
            #[allow(dead_code)]
            struct Doc {
                n: u64,
            }
            for json in [
                format!("{{\"{marker}\": 1}}"),
                format!("{{\"n\": \"{marker}\"}}"),
                format!("\"{marker}\""),
            ] {
                let e = from_json::<Doc>(&json).unwrap_err();
                assert_eq!(e.code(), "MALFORMED_JSON", "{json}: {e}");
            }
        }
    }

    #[test]
    fn a_stale_typed_error_is_never_returned() {
        // A field decoder failed outside from_json (its error stays in the slot) ...
        let _ = serde_json::from_str::<crate::Digest>("\"zz\"");
        // ... then an unrelated failure: plain malformed JSON, not the stale BAD_ENCODING.
        assert_eq!(code::<u64>("\"x\""), "MALFORMED_JSON");
        // A typed error that is not the one serde reports is not returned either: here a
        // decoder drops it and fails otherwise.
        struct Drops;
        impl<'de> Deserialize<'de> for Drops {
            fn deserialize<D: serde::Deserializer<'de>>(
                _: D,
            ) -> core::result::Result<Self, D::Error> {
                let _ = field_error::<D::Error>(Error::Identity("k".into()));
                Err(serde::de::Error::custom("something else"))
            }
        }
        assert_eq!(code::<Drops>("0"), "MALFORMED_JSON");
        // And the genuine one still is.
        assert_eq!(code::<crate::Digest>("\"zz\""), "BAD_ENCODING");
        assert_eq!(
            code::<crate::Digest>(&format!("\"{}\"", "0".repeat(128))),
            "OK"
        );
    }
}
