//! The exported bulletin board, `board.json`: `{"election", "closed", "head", "closing"?,
//! "entries"}` with the entries in board order and, once the polls are closed, the box's
//! signed closing statement (written by `amanat export-board` and by `simulate`;
//! docs/record.md §2).

use std::collections::hash_map::{Entry, HashMap};
use std::path::Path;

use amanat::board::{genesis, is_board_timestamp, EntryKind};
use amanat::{BoardEntry, Digest, Election, SignedHead};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::{ToolError, ToolResult};
use crate::files;

/// The board as exported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardFile {
    /// The election base hash.
    pub election: Digest,
    /// Whether the polls were closed when it was exported.
    pub closed: bool,
    /// The last entry's hash (the genesis hash of an empty board).
    pub head: Digest,
    /// The box's signed statement of the final board, present exactly when `closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closing: Option<SignedHead>,
    /// The entries in board order.
    pub entries: Vec<BoardEntry>,
}

impl BoardFile {
    /// Builds a board file from entries, computing the head; closed exactly when a closing
    /// statement is given.
    pub fn new(
        election: &Election,
        entries: Vec<BoardEntry>,
        closing: Option<SignedHead>,
    ) -> BoardFile {
        let head = entries.last().map_or_else(|| genesis(election), |e| e.hash);
        BoardFile {
            election: *election.base_hash(),
            closed: closing.is_some(),
            head,
            closing,
            entries,
        }
    }

    /// Reads a board file. The entries are parsed in parallel: parsing decodes (and so
    /// checks) every point of every ballot, which for a large board costs as much as
    /// verifying it.
    ///
    /// # Errors
    /// [`ToolError::Io`] or [`ToolError::Document`].
    pub fn read(path: &Path) -> ToolResult<BoardFile> {
        let text = files::read_text(path)?;
        BoardFile::parse(&text).map_err(|e| ToolError::document(path, e))
    }

    /// Parses a board file's text (entries in parallel).
    ///
    /// # Errors
    /// The core's [`amanat::Error`] for malformed JSON or a bad encoding.
    pub fn parse(text: &str) -> amanat::Result<BoardFile> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw<'a> {
            election: Digest,
            closed: bool,
            head: Digest,
            #[serde(default)]
            closing: Option<SignedHead>,
            #[serde(borrow)]
            entries: Vec<&'a RawValue>,
        }
        let raw: Raw<'_> = amanat::encoding::from_json(text)?;
        let entries = raw
            .entries
            .par_iter()
            .map(|e| amanat::encoding::from_json::<BoardEntry>(e.get()))
            .collect::<amanat::Result<Vec<_>>>()?;
        Ok(BoardFile {
            election: raw.election,
            closed: raw.closed,
            head: raw.head,
            closing: raw.closing,
            entries,
        })
    }

    /// Checks that the board is for `election`, that its chain links from the genesis hash
    /// and ends at the recorded head.
    ///
    /// # Errors
    /// [`ToolError::Invalid`] naming the mismatch, or the core's board verification error
    /// naming the first entry that does not link.
    pub fn check(&self, election: &Election) -> ToolResult<()> {
        if self.election != *election.base_hash() {
            return Err(ToolError::Invalid(
                "the board is for another election (base hash differs)".into(),
            ));
        }
        // Each entry links to its predecessor's recorded hash, so the links can be checked in
        // parallel; the first broken one is reported, as `check_chain` does.
        let links: Vec<amanat::Result<()>> = self
            .entries
            .par_iter()
            .enumerate()
            .map(|(i, e)| {
                let prev = match i {
                    0 => genesis(election),
                    _ => self.entries[i - 1].hash,
                };
                e.check_link(&prev, i as u64)
            })
            .collect();
        if let Some(Err(e)) = links.into_iter().find(Result::is_err) {
            return Err(e.into());
        }
        let head = self
            .entries
            .last()
            .map_or_else(|| genesis(election), |e| e.hash);
        if head != self.head {
            return Err(ToolError::Invalid(
                "the board's recorded head is not its last entry's hash".into(),
            ));
        }
        if self.closing.is_some() != self.closed {
            return Err(ToolError::Invalid(if self.closed {
                "the board is marked closed but carries no closing statement".into()
            } else {
                "the board carries a closing statement but is not marked closed".into()
            }));
        }
        Ok(())
    }

    /// Checks the closing statement (docs/protocol.md §8.4): present, signed by the
    /// election's ballot box key, for this election, stating the polls closed, and naming
    /// exactly this board's number of entries and head. Returns the statement.
    ///
    /// # Errors
    /// [`ToolError::Invalid`] saying what does not hold.
    pub fn check_closing(&self, election: &Election) -> ToolResult<&SignedHead> {
        let Some(c) = &self.closing else {
            return Err(ToolError::Invalid(
                "no closing statement: the board was exported before the polls closed".into(),
            ));
        };
        c.verify(election).map_err(|e| {
            ToolError::Invalid(format!("the closing statement does not verify: {e}"))
        })?;
        if !c.closed {
            return Err(ToolError::Invalid(
                "the closing statement says the polls are open".into(),
            ));
        }
        if c.entries != self.entries.len() as u64 || c.head != self.head {
            return Err(ToolError::Invalid(format!(
                "the box signed a closed board of {} entries with head {}…, this board has {} \
                 entries with head {}…",
                c.entries,
                &c.head.to_hex()[..16],
                self.entries.len(),
                &self.head.to_hex()[..16]
            )));
        }
        Ok(c)
    }
}

/// The board's rules that the chain alone does not show (docs/record.md §5, check V13),
/// each kept by an honest box inside its append (docs/ballot-box.md, "Storage"): a tracking
/// hash appears at most once per kind; a tracking hash is never both cast and challenged;
/// every `received` has the board's form and none is earlier than its predecessor's.
/// Returns one line per entry that breaks one, in board order.
pub fn rule_breaks(entries: &[BoardEntry]) -> Vec<String> {
    let mut first: HashMap<(&[u8; 64], EntryKind), u64> = HashMap::new();
    let mut bad = Vec::new();
    let mut previous: Option<&str> = None;
    for e in entries {
        match first.entry((&e.tracking.0, e.kind)) {
            Entry::Occupied(earlier) => bad.push(format!(
                "entry {} repeats the {} at entry {} (same tracking hash {})",
                e.index,
                e.kind.as_str(),
                earlier.get(),
                e.short
            )),
            Entry::Vacant(slot) => {
                slot.insert(e.index);
            }
        }
        let other = match e.kind {
            EntryKind::Cast => EntryKind::Challenge,
            EntryKind::Challenge => EntryKind::Cast,
        };
        if let Some(&o) = first.get(&(&e.tracking.0, other)) {
            if o < e.index {
                bad.push(format!(
                    "entry {} is a {} of the ballot {} at entry {o} ({}): a ballot is never \
                     both cast and challenged",
                    e.index,
                    e.kind.as_str(),
                    other.as_str(),
                    e.short
                ));
            }
        }
        if !is_board_timestamp(&e.received) {
            bad.push(format!(
                "entry {}: the time is not of the form YYYY-MM-DDTHH:MM:SSZ",
                e.index
            ));
        } else if previous.is_some_and(|p| p > e.received.as_str()) {
            bad.push(format!(
                "entry {}: received {} is earlier than the entry before it",
                e.index, e.received
            ));
        }
        if is_board_timestamp(&e.received) {
            previous = Some(&e.received);
        }
    }
    bad
}
