//! The ballot box's receipts (docs/protocol.md §8.3): its signed acknowledgement that a cast
//! ballot is on the board at a given index and time, under the receipt key the election
//! definition fixes ([`Election::ballot_box_key`]).

use serde::{Deserialize, Serialize};

use crate::ballot::Tracking;
use crate::election::Election;
use crate::encoding::Digest;
use crate::error::{Check, Error, Result};
use crate::proofs::schnorr::{verify_signature, SchnorrProof};

/// The label receipts are signed under (§5.2 message signatures).
pub const RECEIPT_LABEL: &str = "receipt";

/// A receipt as the ballot box returns it and the voter keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// The election's base hash.
    pub election: Digest,
    /// The ballot's full tracking hash.
    pub tracking: Digest,
    /// The ballot's short tracking code, as shown to the voter.
    pub short: String,
    /// The ballot's index on the board.
    pub index: u64,
    /// When the box received it, as on the board: `YYYY-MM-DDTHH:MM:SSZ`.
    pub received: String,
    /// The box's signature over [`Receipt::message`].
    pub signature: SchnorrProof,
}

impl Receipt {
    /// The signed message: `tracking_hex | index | received` (§8.3).
    pub fn message(tracking: &Digest, index: u64, received: &str) -> String {
        format!("{}|{index}|{received}", tracking.to_hex())
    }

    /// Parses a receipt from JSON. Only the shape and encodings are checked here;
    /// [`Receipt::verify`] checks it against an election.
    ///
    /// # Errors
    /// [`Error::MalformedJson`] or an encoding error.
    pub fn from_json(json: &str) -> Result<Receipt> {
        crate::encoding::from_json(json)
    }

    /// The receipt as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks that the receipt is for `election`, that its short code is its tracking hash's,
    /// that `received` is a timestamp of the board's form, and that the election's ballot box
    /// key signed it.
    ///
    /// # Errors
    /// [`Error::WrongElection`] for another election's receipt; [`Error::Verification`] with
    /// [`Check::Receipt`] for an inconsistent receipt, or [`Check::MessageSignature`] for a
    /// signature that does not verify.
    pub fn verify(&self, election: &Election) -> Result<()> {
        if self.election != *election.base_hash() {
            return Err(Error::WrongElection);
        }
        if self.short != Tracking(self.tracking).short() {
            return Err(Error::Verification(Check::Receipt(
                "the short code is not the tracking hash's".into(),
            )));
        }
        if !is_board_timestamp(&self.received) {
            return Err(Error::Verification(Check::Receipt(
                "the time is not of the form YYYY-MM-DDTHH:MM:SSZ".into(),
            )));
        }
        verify_signature(
            election.base_hash(),
            RECEIPT_LABEL,
            Receipt::message(&self.tracking, self.index, &self.received).as_bytes(),
            election.ballot_box_key(),
            &self.signature,
        )
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` with every field in range (the board's one timestamp form).
fn is_board_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return false;
    }
    if b[16] != b':' || b[19] != b'Z' {
        return false;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        let part = s.get(from..to)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    matches!(
        (
            num(0, 4),
            num(5, 7),
            num(8, 10),
            num(11, 13),
            num(14, 16),
            num(17, 19)
        ),
        (
            Some(_),
            Some(1..=12),
            Some(1..=31),
            Some(0..=23),
            Some(0..=59),
            Some(0..=60)
        )
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::is_board_timestamp;

    #[test]
    fn board_timestamps() {
        for ok in [
            "2026-11-22T10:41:07Z",
            "1970-01-01T00:00:00Z",
            "2026-12-31T23:59:60Z",
        ] {
            assert!(is_board_timestamp(ok), "{ok}");
        }
        for bad in [
            "",
            "2026-11-22T10:41:07",
            "2026-11-22T10:41:07+00:00",
            "2026-11-22 10:41:07Z",
            "2026-13-22T10:41:07Z",
            "2026-11-00T10:41:07Z",
            "2026-11-22T24:41:07Z",
            "2026-11-22T10:61:07Z",
            "2026-11-22T10:41:07.5Z",
            "2026-1a-22T10:41:07Z",
            "+026-11-22T10:41:07Z",
            "2026-11-22T10:41:0٧Z",
        ] {
            assert!(!is_board_timestamp(bad), "{bad}");
        }
    }
}
