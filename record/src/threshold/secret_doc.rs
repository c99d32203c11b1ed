//! Secret files: the JSON that holds a trustee's secrets, written and read through buffers
//! that zeroize, so the secrets do not linger in freed memory. Nothing here implements
//! `Serialize` for a secret type: a secret reaches a file only through these functions.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use super::{ThresholdError, ThresholdResult};
use amanat::SecretScalar;

/// A secret scalar as lowercase hex inside a secret document.
pub(crate) struct SecretHex(Zeroizing<String>);

impl SecretHex {
    pub(crate) fn new(s: &SecretScalar) -> SecretHex {
        SecretHex(Zeroizing::new(amanat::encoding::to_hex(
            s.expose().as_bytes(),
        )))
    }

    pub(crate) fn scalar(&self, what: &str) -> ThresholdResult<SecretScalar> {
        Ok(SecretScalar::from_scalar(
            amanat::encoding::scalar_from_hex(&self.0, what)?,
        ))
    }
}

impl Serialize for SecretHex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SecretHex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(SecretHex(Zeroizing::new(String::deserialize(d)?)))
    }
}

/// Serializes a secret document into a zeroizing buffer, sized up front so that it never
/// reallocates (a reallocation would leave a copy behind).
pub(crate) fn to_bytes<T: Serialize>(
    doc: &T,
    capacity: usize,
) -> ThresholdResult<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(Vec::with_capacity(capacity));
    serde_json::to_writer_pretty(&mut *buf, doc)
        .map_err(|e| ThresholdError::Inconsistent(format!("cannot serialize: {e}")))?;
    buf.push(b'\n');
    Ok(buf)
}

/// Parses a secret document and checks its `kind`.
pub(crate) fn parse<'a, T: Deserialize<'a>>(
    json: &'a str,
    kind: &str,
    found: impl Fn(&T) -> &str,
) -> ThresholdResult<T> {
    let doc: T = amanat::encoding::from_json(json)?;
    if found(&doc) != kind {
        return Err(ThresholdError::Inconsistent(format!(
            "expected a {kind:?} document, found {:?}",
            found(&doc)
        )));
    }
    Ok(doc)
}
