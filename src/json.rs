//! The one strict reading of JSON (docs/protocol.md §1.2), and the way typed errors of field
//! decoders get out of serde.
//!
//! Every document the module or the tools read goes through [`from_json`]. Before the typed
//! parse, a first pass over the same text rejects what serde's derived decoders would let
//! through: a member given twice in any object at any depth (for a map such as a challenge's
//! `selections` serde would keep the last), and `null` anywhere (an absent member must be
//! absent; serde reads `null` as an absent `Option`). Unknown members are rejected by the
//! types themselves (`#[serde(deny_unknown_fields)]`).
//!
//! A field decoder that fails with a typed error (`NON_CANONICAL`, `IDENTITY_POINT`, …) hands
//! it to [`field_error`], which keeps it in a thread-local slot and gives serde only its text.
//! [`from_json`] empties the slot before parsing and takes the error back after a failed parse,
//! and only if serde's error is that very one. Nothing in the input can fill the slot, so no
//! input can make a parse fail with a code it chooses.

use core::cell::Cell;
use core::fmt;
use std::borrow::Cow;
use std::collections::BTreeSet;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::error::{Error, Result};

/// The longest stretch of input (a member name) that an error message repeats, in characters.
const ECHO: usize = 100;

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

/// Parses a JSON document into `T` under the policy of §1.2.
///
/// # Errors
/// [`Error::MalformedJson`] for syntax, shape, a member given twice, an unknown member or a
/// `null`; or the typed error of a field's value ([`Error::Encoding`], [`Error::NonCanonical`],
/// [`Error::Identity`], [`Error::Version`], [`Error::InvalidElection`], …).
///
/// # Examples
/// ```
/// use amanat::encoding::from_json;
/// use std::collections::BTreeMap;
///
/// let counts: BTreeMap<String, u64> = from_json(r#"{"a": 1, "b": 2}"#).unwrap();
/// assert_eq!(counts["b"], 2);
/// let twice = from_json::<BTreeMap<String, u64>>(r#"{"a": 1, "a": 2}"#);
/// assert_eq!(twice.unwrap_err().code(), "MALFORMED_JSON");
/// let null = from_json::<Option<u64>>("null");
/// assert_eq!(null.unwrap_err().code(), "MALFORMED_JSON");
/// ```
pub fn from_json<'a, T: Deserialize<'a>>(json: &'a str) -> Result<T> {
    check(json)?;
    take_field_error();
    let parsed = serde_json::from_str(json);
    let typed = take_field_error();
    parsed.map_err(|e| match typed {
        Some((text, err)) if message(&e) == text => err,
        _ => malformed(&e),
    })
}

/// Checks the text for syntax, members given twice and `null`, without building anything.
fn check(json: &str) -> Result<()> {
    let mut d = serde_json::Deserializer::from_str(json);
    Strict::DOCUMENT
        .deserialize(&mut d)
        .and_then(|()| d.end())
        .map_err(|e| malformed(&e))
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

/// A member name or an id for an error message: quoted and escaped, cut short if long.
pub(crate) fn quoted(name: &str) -> String {
    match name.char_indices().nth(ECHO) {
        Some((at, _)) => format!("{:?}…", &name[..at]),
        None => format!("{name:?}"),
    }
}

/// Visits any JSON value; knows the member it is the value of (or an item of), for messages.
#[derive(Clone, Copy)]
struct Strict<'k> {
    member: Option<&'k str>,
    item: bool,
}

impl Strict<'static> {
    const DOCUMENT: Strict<'static> = Strict {
        member: None,
        item: false,
    };
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> core::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value other than null")
    }

    fn visit_bool<E>(self, _: bool) -> core::result::Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> core::result::Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> core::result::Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> core::result::Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> core::result::Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: serde::de::Error>(self) -> core::result::Result<(), E> {
        Err(E::custom(match (self.member, self.item) {
            (None, false) => "null document".to_string(),
            (None, true) => "null in an array".to_string(),
            (Some(m), false) => format!("member {} is null (leave it out instead)", quoted(m)),
            (Some(m), true) => format!("null in the array of member {}", quoted(m)),
        }))
    }

    fn visit_none<E: serde::de::Error>(self) -> core::result::Result<(), E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> core::result::Result<(), A::Error> {
        let item = Strict {
            member: self.member,
            item: true,
        };
        while seq.next_element_seed(item)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> core::result::Result<(), A::Error> {
        let mut seen = Seen::default();
        while let Some(name) = map.next_key_seed(Name)? {
            if !seen.insert(name.clone()) {
                return Err(serde::de::Error::custom(format_args!(
                    "member {} given twice",
                    quoted(&name)
                )));
            }
            map.next_value_seed(Strict {
                member: Some(&name),
                item: false,
            })?;
        }
        Ok(())
    }
}

/// The member names of one object so far: a short list (most objects have a handful of
/// members), a set once it grows (maps keyed by id can be long).
#[derive(Default)]
struct Seen<'de> {
    few: Vec<Cow<'de, str>>,
    many: BTreeSet<Cow<'de, str>>,
}

impl<'de> Seen<'de> {
    const FEW: usize = 16;

    /// Adds `name`; false if it was already there.
    fn insert(&mut self, name: Cow<'de, str>) -> bool {
        if !self.many.is_empty() {
            return self.many.insert(name);
        }
        if self.few.contains(&name) {
            return false;
        }
        if self.few.len() < Self::FEW {
            self.few.push(name);
        } else {
            self.many.extend(self.few.drain(..));
            self.many.insert(name);
        }
        true
    }
}

/// A member name, borrowed from the text unless it had escapes.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        d: D,
    ) -> core::result::Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> core::result::Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> core::result::Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> core::result::Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    type Counts = BTreeMap<String, BTreeMap<String, u64>>;

    fn code<T: for<'a> Deserialize<'a>>(json: &str) -> &'static str {
        match from_json::<T>(json) {
            Ok(_) => "OK",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn a_member_given_twice_is_malformed_at_any_depth() {
        assert_eq!(code::<Counts>(r#"{"c": {"a": 1, "b": 2}}"#), "OK");
        for twice in [
            r#"{"c": {"a": 1, "a": 2}}"#,
            r#"{"c": {"a": 1}, "c": {"a": 2}}"#,
            // Equal once unescaped.
            r#"{"c": {"a": 1, "\u0061": 2}}"#,
            r#"{"\u0063": {}, "c": {}}"#,
        ] {
            let e = from_json::<Counts>(twice).unwrap_err();
            assert!(
                matches!(e, Error::MalformedJson(ref m) if m.contains("given twice")),
                "{e}"
            );
        }
        // In a value the type ignores, too: the check does not depend on the type.
        assert_eq!(
            code::<serde::de::IgnoredAny>(r#"[{"x": [{"k": 1, "k": 1}]}]"#),
            "MALFORMED_JSON"
        );
    }

    #[test]
    fn long_maps_are_checked_too() {
        let keys: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
        let ok = format!("{{{}}}", keys.join(","));
        assert_eq!(code::<BTreeMap<String, u64>>(&ok), "OK");
        for again in [0, 15, 16, 17, 99] {
            let dup = format!("{{{}, \"k{again}\": 0}}", keys.join(","));
            assert_eq!(
                code::<BTreeMap<String, u64>>(&dup),
                "MALFORMED_JSON",
                "{again}"
            );
        }
    }

    #[test]
    fn null_is_malformed_anywhere() {
        assert_eq!(code::<Option<u64>>("7"), "OK");
        assert_eq!(code::<Option<u64>>("null"), "MALFORMED_JSON");
        assert_eq!(
            code::<BTreeMap<String, Option<u64>>>(r#"{"a": null}"#),
            "MALFORMED_JSON"
        );
        assert_eq!(code::<Vec<Option<u64>>>("[1, null]"), "MALFORMED_JSON");
        let e = from_json::<BTreeMap<String, Option<u64>>>(r#"{"party": null}"#).unwrap_err();
        assert!(e.to_string().contains("\"party\" is null"), "{e}");
    }

    #[test]
    fn messages_do_not_echo_long_input() {
        let long = "x".repeat(100_000);
        let e =
            from_json::<Counts>(&format!("{{\"{long}\": {{}}, \"{long}\": {{}}}}")).unwrap_err();
        assert!(e.to_string().len() < 300, "{} bytes", e.to_string().len());
        // Serde's own messages quote input (here an unknown variant); they are cut short too.
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
            fn deserialize<D: Deserializer<'de>>(_: D) -> core::result::Result<Self, D::Error> {
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
