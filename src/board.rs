//! The bulletin board (docs/protocol.md §8): an append-only, hash-chained list of entries,
//! each a cast or a challenged ballot. Entry `i` commits to entry `i − 1` through `prev`;
//! the first entry's `prev` is the genesis hash, which commits to the election.

use serde::{Deserialize, Serialize};

use crate::ballot::{Ballot, Challenge};
use crate::election::Election;
use crate::encoding::Digest;
use crate::error::{Check, Error, Result};
use crate::hash::Transcript;

/// What an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A cast ballot (counted unless a later ballot of the same credential replaces it).
    Cast,
    /// A challenged (spoiled) ballot with its reveal; never counted.
    Challenge,
}

impl EntryKind {
    /// The kind as on the board: `"cast"` or `"challenge"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Cast => "cast",
            EntryKind::Challenge => "challenge",
        }
    }
}

/// One board entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardEntry {
    /// Position on the board, from 0.
    pub index: u64,
    /// Cast or challenge.
    pub kind: EntryKind,
    /// When the box received it, RFC 3339 in UTC (e.g. `2026-11-22T10:41:07Z`).
    pub received: String,
    /// The ballot's full tracking hash.
    pub tracking: Digest,
    /// The ballot's short tracking code.
    pub short: String,
    /// The ballot.
    pub ballot: Ballot,
    /// The reveal, for a challenged ballot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<Challenge>,
    /// The previous entry's hash (the genesis hash for entry 0).
    pub prev: Digest,
    /// This entry's hash.
    pub hash: Digest,
}

/// The hash that entry 0 chains to: `H("board-genesis", base hash)`.
pub fn genesis(election: &Election) -> Digest {
    let mut t = Transcript::new("board-genesis");
    t.bytes(&election.base_hash().0);
    Digest(t.digest())
}

fn entry_hash(
    prev: &Digest,
    index: u64,
    kind: EntryKind,
    received: &str,
    tracking: &Digest,
    challenge: Option<&Challenge>,
) -> Digest {
    let mut t = Transcript::new("board-entry");
    t.bytes(&prev.0)
        .bytes(&index.to_be_bytes())
        .str(kind.as_str())
        .str(received)
        .bytes(&tracking.0);
    match challenge {
        None => {
            t.u32(0);
        }
        Some(c) => {
            t.u32(1).str(&c.seed).u32(c.selections.len() as u32);
            for (contest, options) in &c.selections {
                t.str(contest).u32(options.len() as u32);
                for o in options {
                    t.str(o);
                }
            }
        }
    }
    Digest(t.digest())
}

impl BoardEntry {
    /// Builds the entry that follows `prev` at position `index`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] when a challenge is given for a cast entry or missing for a
    /// challenge entry, or `received` is longer than 64 bytes.
    pub fn new(
        prev: Digest,
        index: u64,
        kind: EntryKind,
        received: String,
        ballot: Ballot,
        challenge: Option<Challenge>,
    ) -> Result<BoardEntry> {
        if (kind == EntryKind::Challenge) != challenge.is_some() {
            return Err(Error::OutOfRange(
                "a challenge entry carries a reveal, a cast entry none",
            ));
        }
        if received.len() > 64 {
            return Err(Error::OutOfRange("received timestamp too long"));
        }
        let tracking = ballot.tracking();
        let hash = entry_hash(
            &prev,
            index,
            kind,
            &received,
            &tracking.0,
            challenge.as_ref(),
        );
        Ok(BoardEntry {
            index,
            kind,
            received,
            tracking: tracking.0,
            short: tracking.short(),
            ballot,
            challenge,
            prev,
            hash,
        })
    }

    /// Checks this entry's own consistency and its link to `prev` at `index`: the tracking
    /// hash and short code match the ballot, and the entry hash is right. Does not verify the
    /// ballot's proofs (see [`Ballot::verify`]).
    ///
    /// # Errors
    /// [`Error::Verification`] naming the entry.
    pub fn check_link(&self, prev: &Digest, index: u64) -> Result<()> {
        let fail = || Error::Verification(Check::Board(self.index));
        if self.index != index
            || self.prev != *prev
            || (self.kind == EntryKind::Challenge) != self.challenge.is_some()
        {
            return Err(fail());
        }
        let tracking = self.ballot.tracking();
        if tracking.0 != self.tracking || tracking.short() != self.short {
            return Err(fail());
        }
        if entry_hash(
            &self.prev,
            self.index,
            self.kind,
            &self.received,
            &self.tracking,
            self.challenge.as_ref(),
        ) != self.hash
        {
            return Err(fail());
        }
        if self.received.len() > 64 {
            return Err(fail());
        }
        if let Some(c) = &self.challenge {
            if c.tracking != self.tracking
                || crate::encoding::from_hex::<32>(&c.seed, "seed").is_err()
            {
                return Err(fail());
            }
        }
        Ok(())
    }
}

/// Checks the whole chain from the genesis hash and returns the head (the last entry's hash,
/// or the genesis hash of an empty board).
///
/// # Errors
/// [`Error::Verification`] naming the first entry that does not link.
pub fn check_chain(election: &Election, entries: &[BoardEntry]) -> Result<Digest> {
    let mut prev = genesis(election);
    for (i, e) in entries.iter().enumerate() {
        e.check_link(&prev, i as u64)?;
        prev = e.hash;
    }
    Ok(prev)
}

/// Whether `s` is a time of the board's one form, `YYYY-MM-DDTHH:MM:SSZ`, with month `01`–`12`,
/// day `01`–`31` (not checked against the month), hour `00`–`23`, minute `00`–`59` and
/// second `00`–`60` (docs/protocol.md §8.1).
pub fn is_board_timestamp(s: &str) -> bool {
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
