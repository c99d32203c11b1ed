//! `amanat receipt check`: a voter's or an observer's check of a ballot box receipt against
//! an election record (docs/record.md, "Checking a receipt"). It holds two ways: the receipt
//! is signed by the ballot box key the election definition fixes, and the record's board has
//! that ballot, cast, at the receipt's index and time. A receipt that verifies for a ballot
//! the board lacks is the box's own signed proof that it dropped or moved an acknowledged
//! ballot.

use std::path::{Path, PathBuf};

use amanat::{BoardEntry, Election, EntryKind, Receipt};
use clap::{Args, Subcommand};

use crate::board_file::BoardFile;
use crate::election_dir::read_election;
use crate::error::{ToolError, ToolResult};
use crate::files;
use crate::record::names;

/// `amanat receipt`: what a voter can do with the receipt the ballot box gave them.
#[derive(Subcommand, Debug)]
pub enum ReceiptCmd {
    /// Check a receipt against an election record: signed by the election's ballot box key,
    /// and its ballot on the board at its index as received. Exit status 0 only if both hold.
    Check(CheckArgs),
}

/// `amanat receipt check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The record directory (election.json and board.json).
    #[arg(long)]
    pub record: PathBuf,
    /// The receipt: its JSON, the box's answer `{"receipt": ...}`, or the text file the
    /// voter page downloads (the JSON at its end).
    pub receipt: PathBuf,
}

/// Reads a receipt from the text a voter holds: the receipt's JSON, the box's whole answer
/// `{"receipt": ...}`, or the voter page's receipt file, whose last part is the JSON.
///
/// # Errors
/// The core's decoding error if no receipt can be read from it.
pub fn parse_receipt(text: &str) -> amanat::Result<Receipt> {
    let trimmed = text.trim();
    let json = if trimmed.starts_with('{') {
        trimmed
    } else {
        // The page's file: lines of text for people, then the JSON from a line opening with `{`.
        match trimmed.find("\n{") {
            Some(at) => trimmed[at..].trim(),
            None => trimmed,
        }
    };
    if let Ok(serde_json::Value::Object(answer)) = amanat::encoding::from_json(json) {
        if let (1, Some(inner)) = (answer.len(), answer.get("receipt")) {
            return Receipt::from_json(&inner.to_string());
        }
    }
    Receipt::from_json(json)
}

/// Where the board stands on a receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnBoard {
    /// The board has the ballot, cast, at the receipt's index and time.
    AsReceived,
    /// The entry at the receipt's index is another one (or another kind, or another time);
    /// the message says what differs, and where the board has this ballot if it has it at all.
    Different(String),
    /// The board has no entry with this tracking hash, and none at the index.
    Missing(String),
}

/// Looks the receipt's ballot up on the board.
pub fn look_up(receipt: &Receipt, entries: &[BoardEntry]) -> OnBoard {
    let elsewhere = entries
        .iter()
        .filter(|e| e.tracking == receipt.tracking)
        .map(|e| format!("{} at index {} ({})", e.kind.as_str(), e.index, e.received))
        .collect::<Vec<_>>();
    let elsewhere = if elsewhere.is_empty() {
        "the board has no entry with this tracking hash".to_string()
    } else {
        format!("the board has this ballot {}", elsewhere.join(" and "))
    };
    let at = usize::try_from(receipt.index)
        .ok()
        .and_then(|i| entries.get(i));
    let Some(entry) = at else {
        return OnBoard::Missing(format!(
            "the board has {} entries, none at index {}; {elsewhere}",
            entries.len(),
            receipt.index
        ));
    };
    let mut differs = Vec::new();
    if entry.tracking != receipt.tracking {
        differs.push(format!("holds another ballot ({})", entry.short));
    }
    if entry.kind != EntryKind::Cast {
        differs.push(format!("is a {}, not a cast", entry.kind.as_str()));
    }
    if entry.received != receipt.received {
        differs.push(format!(
            "was received at {}, the receipt says {}",
            entry.received, receipt.received
        ));
    }
    if differs.is_empty() {
        OnBoard::AsReceived
    } else {
        OnBoard::Different(format!(
            "the entry at index {} {}; {elsewhere}",
            receipt.index,
            differs.join(", ")
        ))
    }
}

/// The outcome of a receipt check, each half in words.
#[derive(Clone, Debug)]
pub struct ReceiptReport {
    /// Whether the receipt is the election's ballot box's, and what was found.
    pub signature: Result<String, String>,
    /// Whether the board has the ballot as received, and what was found.
    pub board: Result<String, String>,
}

impl ReceiptReport {
    /// Both halves hold.
    pub fn ok(&self) -> bool {
        self.signature.is_ok() && self.board.is_ok()
    }
}

/// Checks `receipt` against the election and board of `record`.
///
/// # Errors
/// [`ToolError`] if election.json or board.json cannot be read, or the board is not this
/// election's or its chain does not link (then nothing on it can be relied on: run
/// `amanat verify`).
pub fn check(record: &Path, receipt: &Receipt) -> ToolResult<ReceiptReport> {
    let election = read_election(&record.join(names::ELECTION))?;
    let board_path = record.join(names::BOARD);
    let board = BoardFile::read(&board_path)?;
    board.check(&election).map_err(|e| {
        ToolError::Invalid(format!(
            "{}: {e}; the board cannot be relied on (run `amanat verify`)",
            board_path.display()
        ))
    })?;
    Ok(ReceiptReport {
        signature: signature(&election, receipt),
        board: match look_up(receipt, &board.entries) {
            OnBoard::AsReceived => Ok(format!(
                "the board has ballot {} at index {} as received (cast, {}){}",
                receipt.short,
                receipt.index,
                receipt.received,
                replaced(receipt, &board.entries)
            )),
            OnBoard::Different(why) => Err(format!("NOT as received: {why}")),
            OnBoard::Missing(why) => Err(format!("MISSING: {why}")),
        },
    })
}

fn signature(election: &Election, receipt: &Receipt) -> Result<String, String> {
    match receipt.verify(election) {
        Ok(()) => Ok(format!(
            "signed by this election's ballot box key {}",
            election.ballot_box_key().to_hex()
        )),
        Err(amanat::Error::WrongElection) => Err(format!(
            "the receipt is for another election (base hash {}…, this record's is {}…) \
             [WRONG_ELECTION]",
            &receipt.election.to_hex()[..16],
            &election.base_hash().to_hex()[..16]
        )),
        Err(e) => Err(format!(
            "not signed by this election's ballot box key {}: {e} [{}]",
            election.ballot_box_key().to_hex(),
            e.code()
        )),
    }
}

/// A note when a later ballot of the same credential replaced this one in the count.
fn replaced(receipt: &Receipt, entries: &[BoardEntry]) -> String {
    let Some(mine) = usize::try_from(receipt.index)
        .ok()
        .and_then(|i| entries.get(i))
    else {
        return String::new();
    };
    entries
        .iter()
        .skip(mine.index as usize + 1)
        .rev()
        .find(|e| e.kind == EntryKind::Cast && e.ballot.credential == mine.ballot.credential)
        .map(|later| {
            format!(
                "; a later ballot of the same credential, at index {}, counts instead",
                later.index
            )
        })
        .unwrap_or_default()
}

/// Runs `amanat receipt <command>`; returns whether the check passed.
///
/// # Errors
/// The receipt, election.json or board.json cannot be read, or the board does not link.
pub fn run(cmd: ReceiptCmd) -> ToolResult<bool> {
    match cmd {
        ReceiptCmd::Check(args) => {
            let text = files::read_text(&args.receipt)?;
            let receipt =
                parse_receipt(&text).map_err(|e| ToolError::document(&args.receipt, e))?;
            let report = check(&args.record, &receipt)?;
            for (what, result) in [("receipt", &report.signature), ("board", &report.board)] {
                match result {
                    Ok(m) => println!("{what:<7} pass  {m}"),
                    Err(m) => println!("{what:<7} FAIL  {m}"),
                }
            }
            Ok(report.ok())
        }
    }
}
