//! Chaum–Pedersen proofs of equal discrete logarithms (docs/protocol.md §5.3): for
//! `X = xG` and `Y = xH`, commitments `T1 = wG`, `T2 = wH`, challenge
//! `c = H(context, X, H, Y, T1, T2)`, response `s = w + c·x`; the verifier checks
//! `sG = T1 + cX` and `sH = T2 + cY`. Trustees use it to prove decryption shares.

use curve25519_dalek::Scalar;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

use super::batch::{Base, Batch};
use crate::elgamal::basepoint_table;
use crate::encoding::{scalar_hex, Point, PublicKey};
use crate::error::{Check, Result};
use crate::hash::Transcript;
use crate::secret::SecretScalar;
use crate::Digest;

/// A proof that `log_G X = log_H Y`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EqualityProof {
    /// `T1 = wG`.
    pub t1: Point,
    /// `T2 = wH`.
    pub t2: Point,
    /// `s = w + c·x`.
    #[serde(with = "scalar_hex")]
    pub response: Scalar,
}

fn challenge(
    base: &Digest,
    what: &str,
    x: &PublicKey,
    h: &Point,
    y: &Point,
    t1: &Point,
    t2: &Point,
) -> Scalar {
    let mut t = Transcript::new("equality");
    t.bytes(&base.0).str(what);
    t.point(&x.0).point(h).point(y).point(t1).point(t2);
    t.scalar_out()
}

impl EqualityProof {
    /// Proves `log_G X = log_H Y = x` under `(base, what)`, where `Y = xH` (computed here).
    /// Returns `Y` and the proof.
    pub fn prove<R: RngCore + CryptoRng>(
        base: &Digest,
        what: &str,
        x: &SecretScalar,
        key: &PublicKey,
        h: &Point,
        rng: &mut R,
    ) -> (Point, EqualityProof) {
        let y = Point::new(h.p * x.0);
        let w = SecretScalar::random(rng);
        let t1 = Point::new(basepoint_table() * &w.0);
        let t2 = Point::new(h.p * w.0);
        let c = challenge(base, what, key, h, &y, &t1, &t2);
        (
            y,
            EqualityProof {
                t1,
                t2,
                response: w.0 + c * x.0,
            },
        )
    }

    /// Verifies that `log_G key = log_H y` under `(base, what)`.
    ///
    /// # Errors
    /// [`crate::Error::Verification`] naming `what`.
    pub fn verify(
        &self,
        base: &Digest,
        what: &str,
        key: &PublicKey,
        h: &Point,
        y: &Point,
    ) -> Result<()> {
        let check = Check::EqualityProof(what.to_string());
        let c = challenge(base, what, key, h, y, &self.t1, &self.t2);
        let mut batch = Batch::new(None);
        batch.equation(
            &check,
            [
                (self.response, Base::G),
                (-c, Base::P(key.0.p)),
                (-Scalar::ONE, Base::P(self.t1.p)),
            ],
        );
        batch.equation(
            &check,
            [
                (self.response, Base::P(h.p)),
                (-c, Base::P(y.p)),
                (-Scalar::ONE, Base::P(self.t2.p)),
            ],
        );
        batch.verify()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    #[test]
    fn proves_and_rejects_a_wrong_share() {
        let x = SecretScalar::random(&mut OsRng);
        let key = PublicKey(Point::new(basepoint_table() * &x.0));
        let h = Point::new(basepoint_table() * &Scalar::from(77u64));
        let base = Digest([3; 64]);
        let (y, p) = EqualityProof::prove(&base, "share", &x, &key, &h, &mut OsRng);
        assert!(p.verify(&base, "share", &key, &h, &y).is_ok());
        let wrong = Point::new(y.p + h.p);
        assert!(p.verify(&base, "share", &key, &h, &wrong).is_err());
        assert!(p.verify(&base, "other", &key, &h, &y).is_err());
    }
}
