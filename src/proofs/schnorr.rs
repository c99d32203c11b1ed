//! Schnorr proofs of knowledge of a discrete logarithm, used as signatures (docs/protocol.md
//! §5.2): for `X = xG`, commitment `R = kG`, challenge `c = H(context, X, R)`, response
//! `s = k + c·x`; the verifier checks `sG = R + cX`.

use curve25519_dalek::Scalar;
use serde::{Deserialize, Serialize};

use super::batch::{Base, Batch};
use crate::elgamal::basepoint_table;
use crate::encoding::{scalar_hex, Point, PublicKey};
use crate::error::{Check, Result};
use crate::hash::Transcript;
use crate::secret::SecretScalar;

/// A Schnorr proof `(R, s)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchnorrProof {
    /// `R = kG`.
    pub commitment: Point,
    /// `s = k + c·x`.
    #[serde(with = "scalar_hex")]
    pub response: Scalar,
}

fn challenge(context: &Transcript, key: &PublicKey, commitment: &Point) -> Scalar {
    let mut t = context.clone();
    t.point(&key.0).point(commitment);
    t.scalar_out()
}

impl SchnorrProof {
    /// Proves knowledge of `x` for `key = xG` in `context`, with the secret nonce `k`.
    pub(crate) fn prove(
        context: &Transcript,
        x: &SecretScalar,
        key: &PublicKey,
        k: SecretScalar,
    ) -> SchnorrProof {
        let commitment = Point::new(basepoint_table() * &k.0);
        let c = challenge(context, key, &commitment);
        SchnorrProof {
            commitment,
            response: k.0 + c * x.0,
        }
    }

    /// Adds `sG - cX - R = 0` to `batch`.
    pub(crate) fn verify_into(
        &self,
        context: &Transcript,
        key: &PublicKey,
        batch: &mut Batch,
        check: &Check,
    ) {
        let c = challenge(context, key, &self.commitment);
        batch.equation(
            check,
            [
                (self.response, Base::G),
                (-c, Base::P(key.0.p)),
                (-Scalar::ONE, Base::P(self.commitment.p)),
            ],
        );
    }

    /// Verifies the proof on its own.
    ///
    /// # Errors
    /// [`crate::Error::Verification`] with `check`.
    pub(crate) fn verify(&self, context: &Transcript, key: &PublicKey, check: Check) -> Result<()> {
        let mut batch = Batch::new(None);
        self.verify_into(context, key, &mut batch, &check);
        batch.verify()
    }

    pub(crate) fn absorb(&self, t: &mut Transcript) {
        t.point(&self.commitment).scalar(&self.response);
    }
}

/// A proof of knowledge of the secret behind a published key (a trustee's coefficients).
///
/// The context names what is proven, so the proof cannot be replayed elsewhere.
///
/// # Errors
/// [`crate::Error::Verification`] naming `what`.
pub fn verify_knowledge(
    base: &crate::Digest,
    what: &str,
    key: &PublicKey,
    proof: &SchnorrProof,
) -> Result<()> {
    proof.verify(
        &knowledge_context(base, what),
        key,
        Check::KnowledgeProof(what.to_string()),
    )
}

/// Proves knowledge of `x` for `key = xG` under `(base, what)` with a fresh random nonce.
pub fn prove_knowledge<R: rand_core::RngCore + rand_core::CryptoRng>(
    base: &crate::Digest,
    what: &str,
    x: &SecretScalar,
    key: &PublicKey,
    rng: &mut R,
) -> SchnorrProof {
    SchnorrProof::prove(
        &knowledge_context(base, what),
        x,
        key,
        SecretScalar::random(rng),
    )
}

/// Signs `message` with `x` (public key `key`) under `(base, what)`: a Schnorr signature
/// whose nonce is fresh randomness. Used for the ballot box's receipts.
pub fn sign<R: rand_core::RngCore + rand_core::CryptoRng>(
    base: &crate::Digest,
    what: &str,
    message: &[u8],
    x: &SecretScalar,
    key: &PublicKey,
    rng: &mut R,
) -> SchnorrProof {
    SchnorrProof::prove(
        &message_context(base, what, message),
        x,
        key,
        SecretScalar::random(rng),
    )
}

/// Verifies a signature made by [`sign`].
///
/// # Errors
/// [`crate::Error::Verification`] with [`Check::MessageSignature`] naming `what`.
pub fn verify_signature(
    base: &crate::Digest,
    what: &str,
    message: &[u8],
    key: &PublicKey,
    sig: &SchnorrProof,
) -> Result<()> {
    sig.verify(
        &message_context(base, what, message),
        key,
        Check::MessageSignature(what.to_string()),
    )
}

fn message_context(base: &crate::Digest, what: &str, message: &[u8]) -> Transcript {
    let mut t = Transcript::new("message-signature");
    t.bytes(&base.0).str(what).bytes(message);
    t
}

fn knowledge_context(base: &crate::Digest, what: &str) -> Transcript {
    let mut t = Transcript::new("knowledge");
    t.bytes(&base.0).str(what);
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Digest;
    use rand_core::OsRng;

    #[test]
    fn knowledge_proofs_bind_their_context() {
        let x = SecretScalar::random(&mut OsRng);
        let key = PublicKey(Point::new(basepoint_table() * &x.0));
        let base = Digest([1; 64]);
        let p = prove_knowledge(&base, "trustee 1 coefficient 0", &x, &key, &mut OsRng);
        assert!(verify_knowledge(&base, "trustee 1 coefficient 0", &key, &p).is_ok());
        assert!(verify_knowledge(&base, "trustee 1 coefficient 1", &key, &p).is_err());
        assert!(verify_knowledge(&Digest([2; 64]), "trustee 1 coefficient 0", &key, &p).is_err());
        let mut bad = p;
        bad.response += Scalar::ONE;
        assert!(verify_knowledge(&base, "trustee 1 coefficient 0", &key, &bad).is_err());
    }
}
