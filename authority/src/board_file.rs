//! The exported bulletin board, `board.json`: `{"election", "closed", "head", "entries"}`
//! with the entries in board order (written by `amanat export-board` and by `simulate`).

use std::path::Path;

use amanat::board::genesis;
use amanat::{BoardEntry, Digest, Election};
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
    /// The entries in board order.
    pub entries: Vec<BoardEntry>,
}

impl BoardFile {
    /// Builds a board file from entries, computing the head.
    pub fn new(election: &Election, closed: bool, entries: Vec<BoardEntry>) -> BoardFile {
        let head = entries.last().map_or_else(|| genesis(election), |e| e.hash);
        BoardFile {
            election: *election.base_hash(),
            closed,
            head,
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
        Ok(())
    }
}
