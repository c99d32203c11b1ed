//! Exponential ElGamal on ristretto255 (docs/protocol.md §4): `Enc(v; r) = (rG, vG + rK)`.

use core::ops::Add;

#[cfg(target_arch = "wasm32")]
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
#[cfg(not(target_arch = "wasm32"))]
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::traits::Identity;
use curve25519_dalek::Scalar;
use serde::{Deserialize, Serialize};
use subtle::ConditionallySelectable;

use crate::encoding::{half, Point, PublicKey};
use crate::hash::Transcript;

/// The table of the base point `G` for fixed-base multiplication.
///
/// Natively this is curve25519-dalek's static table. In WebAssembly the same table is built
/// once, at first use, from `G` (a few hundred additions of public points): the static table
/// is 30 KB of incompressible data, a fifth of the gzipped module.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn basepoint_table() -> &'static RistrettoBasepointTable {
    RISTRETTO_BASEPOINT_TABLE
}

/// The table of the base point `G`, built at first use (see the native variant).
#[cfg(target_arch = "wasm32")]
pub(crate) fn basepoint_table() -> &'static RistrettoBasepointTable {
    static TABLE: std::sync::OnceLock<RistrettoBasepointTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| RistrettoBasepointTable::create(&RISTRETTO_BASEPOINT_POINT))
}

/// `G/2`, computed once.
fn half_g() -> &'static RistrettoPoint {
    static HALF_G: std::sync::OnceLock<RistrettoPoint> = std::sync::OnceLock::new();
    HALF_G.get_or_init(|| basepoint_table() * &half())
}

/// The election public key `K` with a precomputed table, so both halves of an encryption are
/// fixed-base multiplications.
#[derive(Clone)]
pub struct ElectionKey {
    pub(crate) key: PublicKey,
    pub(crate) table: RistrettoBasepointTable,
}

impl ElectionKey {
    /// Builds the table for `key` (a few hundred point additions; do it once per election).
    pub fn new(key: PublicKey) -> ElectionKey {
        let table = RistrettoBasepointTable::create(&key.0.p);
        ElectionKey { key, table }
    }

    /// The key itself.
    pub fn public(&self) -> &PublicKey {
        &self.key
    }

    /// The halves of `Enc(bit; r)` for a secret bit — `((r/2)·G, (r/2)·K + bit·(G/2))` — to be
    /// encoded in a batch (`encoding::points_from_halves`). No multiplication or branch
    /// depends on the bit: `bit·(G/2)` is the identity or `G/2`, chosen in constant time.
    pub(crate) fn encrypt_bit_halves(
        &self,
        bit: subtle::Choice,
        r: &Scalar,
    ) -> (RistrettoPoint, RistrettoPoint) {
        let r_half = r * half();
        let a = basepoint_table() * &r_half;
        let vg = RistrettoPoint::conditional_select(&RistrettoPoint::identity(), half_g(), bit);
        (a, vg + &self.table * &r_half)
    }

    /// `Enc(v; r)` for a public `v`.
    pub(crate) fn encrypt(&self, v: u32, r: &Scalar) -> Ciphertext {
        let a = basepoint_table() * r;
        let b = basepoint_table() * &Scalar::from(v) + &self.table * r;
        Ciphertext {
            a: Point::new(a),
            b: Point::new(b),
        }
    }
}

impl core::fmt::Debug for ElectionKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("ElectionKey").field(&self.key).finish()
    }
}

/// An ElGamal ciphertext `(a, b) = (rG, vG + rK)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ciphertext {
    /// `rG`.
    pub a: Point,
    /// `vG + rK`.
    pub b: Point,
}

impl Ciphertext {
    /// The encryption of zero with nonce zero: the neutral element of homomorphic addition.
    pub fn zero() -> Ciphertext {
        let id = Point::new(RistrettoPoint::identity());
        Ciphertext { a: id, b: id }
    }

    pub(crate) fn absorb(&self, t: &mut Transcript) {
        t.point(&self.a).point(&self.b);
    }

    /// Homomorphic sum of many ciphertexts, compressing once at the end.
    pub fn sum<'a>(items: impl IntoIterator<Item = &'a Ciphertext>) -> Ciphertext {
        let (mut a, mut b) = (RistrettoPoint::identity(), RistrettoPoint::identity());
        for c in items {
            a += c.a.p;
            b += c.b.p;
        }
        Ciphertext {
            a: Point::new(a),
            b: Point::new(b),
        }
    }
}

impl Add for Ciphertext {
    type Output = Ciphertext;
    /// Homomorphic addition: `Enc(v1; r1) + Enc(v2; r2) = Enc(v1 + v2; r1 + r2)`.
    fn add(self, o: Ciphertext) -> Ciphertext {
        Ciphertext {
            a: Point::new(self.a.p + o.a.p),
            b: Point::new(self.b.p + o.b.p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
    use subtle::Choice;

    #[test]
    fn decrypts_and_adds() {
        let x = Scalar::from(99u64);
        let key = ElectionKey::new(PublicKey(Point::new(G * x)));
        let c1 = key.encrypt(1, &Scalar::from(5u64));
        let c2 = key.encrypt(1, &Scalar::from(7u64));
        let c3 = key.encrypt(0, &Scalar::from(9u64));
        for (bit, r, want) in [(1, 5u64, c1), (0, 9, c3)] {
            let (a, b) = key.encrypt_bit_halves(Choice::from(bit), &Scalar::from(r));
            let p = crate::encoding::points_from_halves(&[a, b]);
            assert_eq!(Ciphertext { a: p[0], b: p[1] }, want);
        }
        let s = Ciphertext::sum([&c1, &c2, &c3]);
        assert_eq!(s, c1 + c2 + c3);
        // b - x a = 2G
        assert_eq!(s.b.p - s.a.p * x, G * Scalar::from(2u64));
    }
}
