//! The trustees' key ceremony and threshold decryption (docs/ceremony.md).
//!
//! - [`dkg`]: Pedersen's distributed key generation with Feldman commitments, each trustee a
//!   dealer, shares encrypted to their recipients ([`share_box`]), complaints anyone can
//!   judge, and the published [`Ceremony`] transcript.
//! - [`decrypt`]: partial decryptions with Chaum–Pedersen proofs, and their combination by
//!   Lagrange interpolation at zero over any `k` trustees.
//! - [`dlog`]: baby-step giant-step recovery of a count `v` from `vG`.

pub mod decrypt;
pub mod dkg;
pub mod dlog;
pub mod error;
pub(crate) mod secret_doc;
pub mod share_box;

use amanat::Digest;
use serde::{Deserialize, Serialize};

pub use decrypt::{combine, partial_decrypt, verify_partial, PartialDecryption, TrusteeDecryption};
pub use dkg::{
    run_local_ceremony, Ceremony, Complaint, EncryptedShare, JudgedComplaint, PublicFile, Receipt,
    ReceivedShares, TrusteePublic, TrusteeSecret, TrusteeShare, Verdict,
};
pub use dlog::DlogTable;
pub use error::{ThresholdError, ThresholdResult};

/// The largest number of trustees (the election definition allows no more).
pub const MAX_TRUSTEES: u32 = 255;

/// What a ceremony is for: the election and its `k`-of-`n` threshold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CeremonyParams {
    /// The election id of the manifest.
    pub election_id: String,
    /// `n`, the number of trustees (indices `1..=n`).
    pub trustees: u32,
    /// `k`, how many trustees must take part in a decryption.
    pub threshold: u32,
}

impl CeremonyParams {
    /// Validated parameters.
    ///
    /// # Errors
    /// [`ThresholdError::Parameters`] unless `1 <= threshold <= trustees <= 255` and the
    /// election id is not empty.
    pub fn new(election_id: &str, trustees: u32, threshold: u32) -> ThresholdResult<Self> {
        let p = CeremonyParams {
            election_id: election_id.to_string(),
            trustees,
            threshold,
        };
        p.check()?;
        Ok(p)
    }

    /// Checks the ranges (parameters read from a file are checked again).
    ///
    /// # Errors
    /// [`ThresholdError::Parameters`].
    pub fn check(&self) -> ThresholdResult<()> {
        if self.election_id.is_empty() {
            return Err(ThresholdError::Parameters("empty election id".into()));
        }
        if self.threshold == 0 || self.threshold > self.trustees || self.trustees > MAX_TRUSTEES {
            return Err(ThresholdError::Parameters(format!(
                "need 1 <= threshold <= trustees <= {MAX_TRUSTEES} (got threshold {}, trustees {})",
                self.threshold, self.trustees
            )));
        }
        Ok(())
    }

    /// Checks that `index` names a trustee of this ceremony.
    ///
    /// # Errors
    /// [`ThresholdError::Inconsistent`].
    pub fn check_index(&self, index: u32) -> ThresholdResult<()> {
        if index == 0 || index > self.trustees {
            return Err(ThresholdError::Inconsistent(format!(
                "trustee index {index} is outside 1..={}",
                self.trustees
            )));
        }
        Ok(())
    }
}

/// The ceremony hash `H("ceremony", election id, n, k)`: every proof of knowledge, share
/// signature and complaint of the ceremony binds it. (The election base hash cannot serve: it
/// commits to the joint key that the ceremony produces.)
pub fn ceremony_hash(params: &CeremonyParams) -> Digest {
    let mut h = Hasher::new("ceremony");
    h.str(&params.election_id)
        .u32(params.trustees)
        .u32(params.threshold);
    Digest(h.digest())
}

/// The core's transcript hash (docs/protocol.md §2), used for the ceremony's own domains.
pub(crate) use amanat::Transcript as Hasher;

/// Serde helpers for 32 opaque bytes as lowercase hex.
pub(crate) mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(b: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&amanat::encoding::to_hex(b))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        amanat::encoding::from_hex::<32>(&s, "bytes").map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_checked() {
        assert!(CeremonyParams::new("e", 5, 3).is_ok());
        assert!(CeremonyParams::new("e", 1, 1).is_ok());
        for (n, k) in [(3, 0), (3, 4), (256, 2)] {
            assert_eq!(
                CeremonyParams::new("e", n, k).map_err(|e| e.code()).err(),
                Some("BAD_PARAMETERS")
            );
        }
        assert!(CeremonyParams::new("", 3, 2).is_err());
        let a = ceremony_hash(&CeremonyParams::new("e", 5, 3).unwrap());
        let b = ceremony_hash(&CeremonyParams::new("e", 5, 2).unwrap());
        assert_ne!(a, b);
    }
}
