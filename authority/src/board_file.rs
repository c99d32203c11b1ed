//! The exported bulletin board, `board.json`: `{"election", "closed", "head", "entries"}`
//! with the entries in board order (written by `amanat export-board` and by `simulate`).

use std::path::Path;

use amanat::board::{check_chain, genesis};
use amanat::{BoardEntry, Digest, Election};
use serde::{Deserialize, Serialize};

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

    /// Reads a board file.
    ///
    /// # Errors
    /// [`ToolError::Io`] or [`ToolError::Document`].
    pub fn read(path: &Path) -> ToolResult<BoardFile> {
        files::read_json(path)
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
        let head = check_chain(election, &self.entries)?;
        if head != self.head {
            return Err(ToolError::Invalid(
                "the board's recorded head is not its last entry's hash".into(),
            ));
        }
        Ok(())
    }
}
