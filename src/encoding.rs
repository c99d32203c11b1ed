//! Canonical encodings (docs/protocol.md §1): points and scalars as 32 bytes, written in JSON
//! as lowercase hexadecimal. Decoders reject anything non-canonical at parse time.

use core::fmt;

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::traits::IsIdentity;
use curve25519_dalek::Scalar;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
pub(crate) use crate::json::field_error;
pub use crate::json::from_json;

/// Lowercase hexadecimal of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Decodes exactly `N` bytes of lowercase hexadecimal; uppercase is non-canonical.
///
/// # Errors
/// [`Error::Encoding`] on a wrong length or a character outside `0-9a-f`.
pub fn from_hex<const N: usize>(s: &str, what: &str) -> Result<[u8; N]> {
    let raw = s.as_bytes();
    if raw.len() != 2 * N {
        return Err(Error::Encoding(format!(
            "{what}: expected {} hex digits, got {}",
            2 * N,
            raw.len()
        )));
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        _ => Err(Error::Encoding(format!(
            "{what}: not lowercase hexadecimal"
        ))),
    };
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (digit(raw[2 * i])? << 4) | digit(raw[2 * i + 1])?;
    }
    Ok(out)
}

/// Deserializes a string field and converts it with `f`, borrowed or not.
pub(crate) fn decode_str<'de, D, T>(
    d: D,
    f: impl FnOnce(&str) -> Result<T>,
) -> core::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct V<F>(F);
    impl<'de, T, F: FnOnce(&str) -> Result<T>> serde::de::Visitor<'de> for V<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a lowercase hex string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> core::result::Result<T, E> {
            (self.0)(v).map_err(field_error)
        }
    }
    d.deserialize_str(V(f))
}

/// A ristretto255 group element, kept both encoded (for hashing) and decoded (for arithmetic).
#[derive(Clone, Copy)]
pub struct Point {
    pub(crate) enc: CompressedRistretto,
    pub(crate) p: RistrettoPoint,
}

impl Point {
    pub(crate) fn new(p: RistrettoPoint) -> Point {
        Point {
            enc: p.compress(),
            p,
        }
    }

    /// Wraps a group element computed by the caller (the authority tools' arithmetic).
    pub fn from_point(p: RistrettoPoint) -> Point {
        Point::new(p)
    }

    /// The group element, for arithmetic.
    pub fn point(&self) -> &RistrettoPoint {
        &self.p
    }

    /// Decodes a canonical 32-byte encoding.
    ///
    /// # Errors
    /// [`Error::NonCanonical`] when the bytes are not a canonical ristretto255 encoding.
    pub fn from_bytes(bytes: &[u8; 32], what: &str) -> Result<Point> {
        let enc = CompressedRistretto(*bytes);
        match enc.decompress() {
            Some(p) => Ok(Point { enc, p }),
            None => Err(Error::NonCanonical(format!(
                "{what} is not a ristretto255 point"
            ))),
        }
    }

    /// The canonical 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.enc.to_bytes()
    }

    /// Lowercase hexadecimal of the encoding.
    pub fn to_hex(&self) -> String {
        to_hex(self.enc.as_bytes())
    }

    fn from_hex_str(s: &str, what: &str) -> Result<Point> {
        Point::from_bytes(&from_hex::<32>(s, what)?, what)
    }
}

/// `1/2 mod ℓ`, little-endian.
const HALF: [u8; 32] = [
    0xf7, 0xe9, 0x7a, 0x2e, 0x8d, 0x31, 0x09, 0x2c, 0x6b, 0xce, 0x7b, 0x51, 0xef, 0x7c, 0x6f, 0x0a,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
];

/// The scalar `1/2 mod ℓ`: multiplying a scalar by it gives the scalar of the half point.
pub(crate) fn half() -> Scalar {
    Scalar::from_bytes_mod_order(HALF)
}

/// The points `2·h` for each half `h`, encoded together.
///
/// Encoding one ristretto255 point costs an inverse square root; the batched
/// "double-and-encode" of the Ristretto paper encodes `2·h` for many `h` with one field
/// inversion and no square root. The prover therefore computes each point it must publish as
/// its half (halving the scalar is free), then encodes them all here in one batch: about nine
/// times cheaper than encoding one by one. The output is the same canonical encoding.
pub(crate) fn points_from_halves(halves: &[RistrettoPoint]) -> Vec<Point> {
    let encoded = RistrettoPoint::double_and_compress_batch(halves);
    halves
        .iter()
        .zip(encoded)
        .map(|(h, enc)| Point { enc, p: h + h })
        .collect()
}

impl PartialEq for Point {
    fn eq(&self, other: &Self) -> bool {
        self.enc == other.enc
    }
}
impl Eq for Point {}

impl fmt::Debug for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Point({})", self.to_hex())
    }
}

impl Serialize for Point {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Point {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        decode_str(d, |s| Point::from_hex_str(s, "point"))
    }
}

/// A public key: a point that is not the identity.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PublicKey(pub(crate) Point);

impl PublicKey {
    /// Checks that `p` is not the identity.
    ///
    /// # Errors
    /// [`Error::Identity`] for the identity point.
    pub fn new(p: Point, what: &str) -> Result<PublicKey> {
        if p.p.is_identity() {
            return Err(Error::Identity(what.to_string()));
        }
        Ok(PublicKey(p))
    }

    /// Decodes a canonical, non-identity public key.
    ///
    /// # Errors
    /// [`Error::NonCanonical`] or [`Error::Identity`].
    pub fn from_bytes(bytes: &[u8; 32], what: &str) -> Result<PublicKey> {
        PublicKey::new(Point::from_bytes(bytes, what)?, what)
    }

    /// Decodes lowercase hex of a canonical, non-identity public key.
    ///
    /// # Errors
    /// [`Error::Encoding`], [`Error::NonCanonical`] or [`Error::Identity`].
    pub fn from_hex(s: &str, what: &str) -> Result<PublicKey> {
        PublicKey::from_bytes(&from_hex::<32>(s, what)?, what)
    }

    /// The canonical 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Lowercase hexadecimal of the encoding.
    pub fn to_hex(&self) -> String {
        self.0.to_hex()
    }

    /// The point.
    pub fn point(&self) -> &Point {
        &self.0
    }
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        decode_str(d, |s| PublicKey::from_hex(s, "public key"))
    }
}

/// Decodes a canonical scalar (little-endian, below the group order).
///
/// # Errors
/// [`Error::Encoding`] or [`Error::NonCanonical`].
pub fn scalar_from_hex(s: &str, what: &str) -> Result<Scalar> {
    let bytes = from_hex::<32>(s, what)?;
    Option::from(Scalar::from_canonical_bytes(bytes))
        .ok_or_else(|| Error::NonCanonical(format!("{what} is not a reduced scalar")))
}

/// Serde helpers for a public scalar as lowercase hex (`#[serde(with = "scalar_hex")]`).
pub(crate) mod scalar_hex {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        x: &Scalar,
        s: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(x.as_bytes()))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> core::result::Result<Scalar, D::Error> {
        decode_str(d, |s| scalar_from_hex(s, "scalar"))
    }
}

/// Serde helpers for a list of public scalars.
pub(crate) mod scalars_hex {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        xs: &[Scalar],
        s: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        s.collect_seq(xs.iter().map(|x| to_hex(x.as_bytes())))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> core::result::Result<Vec<Scalar>, D::Error> {
        #[derive(Deserialize)]
        struct S(#[serde(with = "super::scalar_hex")] Scalar);
        Ok(Vec::<S>::deserialize(d)?
            .into_iter()
            .map(|S(x)| x)
            .collect())
    }
}

/// A 64-byte SHA-512 digest: the election base hash, a ballot's tracking hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(pub [u8; 64]);

impl Digest {
    /// Lowercase hexadecimal (128 characters).
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    /// Parses 128 lowercase hex digits.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    pub fn from_hex(s: &str) -> Result<Digest> {
        Ok(Digest(from_hex::<64>(s, "digest")?))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        decode_str(d, Digest::from_hex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;

    #[test]
    fn hex_round_trip_and_strictness() {
        assert_eq!(to_hex(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(from_hex::<3>("00abff", "x"), Ok([0, 0xab, 0xff]));
        assert!(matches!(
            from_hex::<3>("00ABFF", "x"),
            Err(Error::Encoding(_))
        ));
        assert!(matches!(
            from_hex::<3>("00ab", "x"),
            Err(Error::Encoding(_))
        ));
        assert!(matches!(from_hex::<1>("é", "x"), Err(Error::Encoding(_))));
    }

    #[test]
    fn non_canonical_points_and_scalars_are_rejected() {
        // 2^255 - 18 is the field element p - 1 + ... ; all-ones is never canonical.
        let bad = [0xffu8; 32];
        assert!(matches!(
            Point::from_bytes(&bad, "p"),
            Err(Error::NonCanonical(_))
        ));
        // The group order itself is not a reduced scalar.
        let l = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
        assert!(matches!(
            scalar_from_hex(l, "s"),
            Err(Error::NonCanonical(_))
        ));
        let id = [0u8; 32];
        assert!(Point::from_bytes(&id, "p").is_ok());
        assert!(matches!(
            PublicKey::from_bytes(&id, "k"),
            Err(Error::Identity(_))
        ));
        let g = Point::new(G);
        assert_eq!(
            PublicKey::from_bytes(&g.to_bytes(), "k").map(|k| k.to_hex()),
            Ok(g.to_hex())
        );
    }

    #[test]
    fn batched_encoding_of_halves_matches_one_by_one() {
        let h: Vec<RistrettoPoint> = (1u64..20).map(|i| G * Scalar::from(i * 7919)).collect();
        for (p, h) in points_from_halves(&h).iter().zip(&h) {
            assert_eq!(*p, Point::new(h + h));
            assert_eq!(p.p, h + h);
        }
        assert_eq!(Scalar::from(2u64) * half(), Scalar::ONE);
        assert!(points_from_halves(&[]).is_empty());
    }

    #[test]
    fn typed_errors_survive_serde() {
        let e = from_json::<Point>(
            "\"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"",
        );
        assert!(matches!(e, Err(Error::NonCanonical(_))), "{e:?}");
        let e = from_json::<PublicKey>(
            "\"0000000000000000000000000000000000000000000000000000000000000000\"",
        );
        assert!(matches!(e, Err(Error::Identity(_))), "{e:?}");
        let e = from_json::<Point>("\"zz\"");
        assert!(matches!(e, Err(Error::Encoding(_))), "{e:?}");
        let e = from_json::<Point>("[1,2");
        assert!(matches!(e, Err(Error::MalformedJson(_))), "{e:?}");
    }
}
