//! Secret values: they zeroize on drop, print redacted and do not implement `Serialize`.

use core::fmt;

use curve25519_dalek::Scalar;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret scalar (an ElGamal nonce, a credential key, a trustee share).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretScalar(pub(crate) Scalar);

impl SecretScalar {
    /// A uniformly random secret.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> SecretScalar {
        SecretScalar(Scalar::random(rng))
    }

    /// Wraps a scalar that the caller has derived; the wrapper owns its zeroizing from now on.
    pub fn from_scalar(s: Scalar) -> SecretScalar {
        SecretScalar(s)
    }

    /// The secret value. Use only inside protocol code.
    pub fn expose(&self) -> &Scalar {
        &self.0
    }
}

impl fmt::Debug for SecretScalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretScalar(<redacted>)")
    }
}

/// The 32-byte random seed from which every nonce of one ballot is derived.
///
/// Revealed only when the voter challenges the ballot (docs/protocol.md §7).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct BallotSeed(pub(crate) [u8; 32]);

impl BallotSeed {
    /// A fresh seed from `rng`.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> BallotSeed {
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut b);
        BallotSeed(b)
    }

    /// A seed from known bytes: test vectors and revealed (challenged) ballots.
    pub fn from_bytes(bytes: [u8; 32]) -> BallotSeed {
        BallotSeed(bytes)
    }

    /// The seed bytes; published only in a challenge.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for BallotSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BallotSeed(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = SecretScalar::from_scalar(Scalar::from(12345u64));
        assert_eq!(format!("{s:?}"), "SecretScalar(<redacted>)");
        let seed = BallotSeed::from_bytes([7; 32]);
        assert!(!format!("{seed:?}").contains('7'));
    }
}
