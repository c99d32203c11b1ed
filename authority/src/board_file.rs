//! Reading the exported bulletin board, `board.json` (docs/record.md §2), with its entries
//! parsed in parallel. The board's format and checks are the record library's
//! ([`amanat_record::board`]).

use std::path::Path;

pub use amanat_record::board::{check_closing, BoardFile, BoardHeader, Chain, RawBoard};
use rayon::prelude::*;

use crate::error::{ToolError, ToolResult};
use crate::files;

/// Reads a board file. The entries are parsed in parallel: parsing decodes (and so checks)
/// every point of every ballot, which for a large board costs as much as verifying it.
///
/// # Errors
/// [`ToolError::Io`] or [`ToolError::Document`].
pub fn read(path: &Path) -> ToolResult<BoardFile> {
    let text = files::read_text(path)?;
    parse(&text).map_err(|e| ToolError::document(path, e))
}

/// Parses a board file's text (entries in parallel).
///
/// # Errors
/// The core's [`amanat::Error`] for malformed JSON or a bad encoding.
pub fn parse(text: &str) -> amanat::Result<BoardFile> {
    let raw = RawBoard::parse(text)?;
    let entries = raw
        .entries
        .par_iter()
        .map(|e| amanat_record::board::parse_entry(e.get()))
        .collect::<amanat::Result<Vec<_>>>()?;
    Ok(BoardFile::from_parts(raw.header, entries))
}
