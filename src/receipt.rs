//! The ballot box's signed statements (docs/protocol.md §8.3, §8.4), both under the receipt
//! key the election definition fixes ([`Election::ballot_box_key`]):
//!
//! - a [`Receipt`] acknowledges one entry, cast or challenged: that ballot is on the board at
//!   this index and time, and the board up to it ends in this head;
//! - a [`SignedHead`] states the whole board's size and head at a time, open or closed. The
//!   closing statement is part of the election record; observers archive others.
//!
//! Each fixes a prefix of the board. Two statements that fix different entries at the same
//! position are the box's own proof that it showed two different boards.

use serde::{Deserialize, Serialize};

use crate::ballot::Tracking;
use crate::board::{is_board_timestamp, BoardEntry, EntryKind};
use crate::election::Election;
use crate::encoding::Digest;
use crate::error::{Check, Error, Result};
use crate::proofs::schnorr::{verify_signature, SchnorrProof};

/// The label receipts are signed under (§5.2 message signatures).
pub const RECEIPT_LABEL: &str = "receipt";

/// The label board-head statements are signed under (§5.2 message signatures).
pub const HEAD_LABEL: &str = "board-head";

/// A receipt as the ballot box returns it and the voter keeps it, for a cast ballot or a
/// challenged one alike.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// The election's base hash.
    pub election: Digest,
    /// What the entry is: a cast ballot or a challenged one.
    pub kind: EntryKind,
    /// The ballot's full tracking hash.
    pub tracking: Digest,
    /// The ballot's short tracking code, as shown to the voter.
    pub short: String,
    /// The ballot's index on the board.
    pub index: u64,
    /// When the box received it, as on the board: `YYYY-MM-DDTHH:MM:SSZ`.
    pub received: String,
    /// The entry's own hash: the head of the board just after this entry, which fixes every
    /// entry before it (§8.2).
    pub head: Digest,
    /// The box's signature over [`Receipt::message`].
    pub signature: SchnorrProof,
}

impl Receipt {
    /// The signed message (§8.3): `kind|tracking_hex|index|received|head_hex`.
    pub fn message(
        kind: EntryKind,
        tracking: &Digest,
        index: u64,
        received: &str,
        head: &Digest,
    ) -> String {
        format!(
            "{}|{}|{index}|{received}|{}",
            kind.as_str(),
            tracking.to_hex(),
            head.to_hex()
        )
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
        let message = Receipt::message(
            self.kind,
            &self.tracking,
            self.index,
            &self.received,
            &self.head,
        );
        verify_box_statement(
            election,
            RECEIPT_LABEL,
            &message,
            &self.received,
            &self.signature,
        )
    }

    /// Whether `entry` is exactly the entry this receipt acknowledges: same index, kind,
    /// tracking hash, time and hash. The entry's hash commits to every entry before it, so
    /// a match also means the board up to it is the one the box vouched for.
    pub fn is_entry(&self, entry: &BoardEntry) -> bool {
        entry.index == self.index
            && entry.kind == self.kind
            && entry.tracking == self.tracking
            && entry.received == self.received
            && entry.hash == self.head
    }

    /// The board state this receipt vouches for: `index + 1` entries ending in `head`.
    pub fn board_state(&self) -> (u64, Digest) {
        (self.index.saturating_add(1), self.head)
    }
}

/// The ballot box's signed statement of its board at a time (§8.4): how many entries, the
/// head, and whether the polls are closed. Served at `GET /api/head` for observers to archive;
/// the statement signed when the polls closed is part of the election record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedHead {
    /// The election's base hash.
    pub election: Digest,
    /// The number of entries on the board.
    pub entries: u64,
    /// The board's head: the last entry's hash, or the genesis hash of an empty board.
    pub head: Digest,
    /// Whether the polls were closed (nothing can follow a closed statement).
    pub closed: bool,
    /// When the box signed it, `YYYY-MM-DDTHH:MM:SSZ`.
    pub time: String,
    /// The box's signature over [`SignedHead::message`].
    pub signature: SchnorrProof,
}

impl SignedHead {
    /// The signed message (§8.4): `entries|head_hex|open-or-closed|time`.
    pub fn message(entries: u64, head: &Digest, closed: bool, time: &str) -> String {
        format!(
            "{entries}|{}|{}|{time}",
            head.to_hex(),
            if closed { "closed" } else { "open" }
        )
    }

    /// Parses a statement from JSON; [`SignedHead::verify`] checks it against an election.
    ///
    /// # Errors
    /// [`Error::MalformedJson`] or an encoding error.
    pub fn from_json(json: &str) -> Result<SignedHead> {
        crate::encoding::from_json(json)
    }

    /// The statement as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks that the statement is for `election`, that its time has the board's form, and
    /// that the election's ballot box key signed it.
    ///
    /// # Errors
    /// [`Error::WrongElection`], [`Error::Verification`] with [`Check::Receipt`] for a bad
    /// time, or [`Check::MessageSignature`] for a signature that does not verify.
    pub fn verify(&self, election: &Election) -> Result<()> {
        if self.election != *election.base_hash() {
            return Err(Error::WrongElection);
        }
        let message = SignedHead::message(self.entries, &self.head, self.closed, &self.time);
        verify_box_statement(election, HEAD_LABEL, &message, &self.time, &self.signature)
    }
}

/// The last steps of checking anything the box signs (§8.3 steps 3–4, §8.4): its time has the
/// board's form, and the election's ballot box key signed `message` under `label`.
fn verify_box_statement(
    election: &Election,
    label: &str,
    message: &str,
    time: &str,
    signature: &SchnorrProof,
) -> Result<()> {
    if !is_board_timestamp(time) {
        return Err(Error::Verification(Check::Receipt(
            "the time is not of the form YYYY-MM-DDTHH:MM:SSZ".into(),
        )));
    }
    verify_signature(
        election.base_hash(),
        label,
        message.as_bytes(),
        election.ballot_box_key(),
        signature,
    )
}
