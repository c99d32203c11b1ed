//! `amanat receipt check`: a voter's or an observer's check of a ballot box receipt against
//! an election record (docs/record.md §5.1). It answers three questions, each on a line:
//!
//! 1. **receipt**: is it signed by the ballot box key the election definition fixes?
//! 2. **board**: does the record's board hold exactly the entry the receipt acknowledges, with
//!    the board before it unchanged (the receipt carries the entry's hash, which fixes every
//!    entry before it)?
//! 3. **counts**: for a cast ballot, is it the one that counts for its credential — or did a
//!    later ballot of the same credential replace it (someone voted again with the code), or
//!    did the box re-post an earlier ballot after it (a replay, proof the box misbehaved)?
//!    For a challenged ballot: was it never cast?
//!
//! A receipt that verifies for a ballot the board lacks, or holds differently, is the box's
//! own signed proof that it dropped, moved or forked an acknowledged ballot.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use amanat::{BoardEntry, CredentialList, Digest, Election, EntryKind, Receipt};
use clap::{Args, Subcommand};

use crate::board_file::{self, BoardReader, Chain};
use crate::election_dir::read_election;
use crate::error::{bounded, ToolError, ToolResult};
use crate::files;
use crate::record::names;
use crate::tally::Tally;

/// `amanat receipt`: what a voter can do with the receipt the ballot box gave them.
#[derive(Subcommand, Debug)]
pub enum ReceiptCmd {
    /// Check a receipt against an election record: signed by the election's ballot box key,
    /// its entry on the board exactly as acknowledged, and (for a cast ballot) the one that
    /// counts for its credential. Exit status 0 only if all three hold.
    Check(CheckArgs),
}

/// `amanat receipt check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The record directory (election.json, credentials.json, board.jsonl; tally.json is
    /// cross-checked when present).
    #[arg(long)]
    pub record: PathBuf,
    /// The receipt: its JSON, the box's answer `{"receipt": ...}`, or the text file the
    /// voter page downloads (the JSON at its end).
    pub receipt: PathBuf,
}

/// Reads a receipt from the text a voter holds: the receipt's JSON, the box's whole answer
/// `{"receipt": ...}` (a cast's, or a challenge's with its other members), or the voter
/// page's receipt file, whose last part is the JSON.
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
        if let Some(inner) = answer.get("receipt") {
            return Receipt::from_json(&inner.to_string());
        }
    }
    Receipt::from_json(json)
}

/// Where the board stands on a receipt's entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnBoard {
    /// The board has exactly the acknowledged entry at the receipt's index.
    AsReceived,
    /// The board holds something else there, or nothing; the message says what, and where
    /// the board has this ballot if it has it at all.
    Not(String),
}

/// One entry carrying a tracking hash asked for: its kind, index and time.
#[derive(Clone, Debug)]
struct Appearance {
    kind: EntryKind,
    index: u64,
    received: String,
}

/// A cast entry of the followed credential after the followed entry.
#[derive(Clone, Debug)]
struct Later {
    index: u64,
    tracking: Digest,
    /// Whether its ballot verifies against the election and the credential list.
    valid: bool,
}

/// What to gather from a board in [`scan_board`].
#[derive(Default)]
pub struct Wanted<'a> {
    /// The entries at these indices, whole.
    pub at: BTreeSet<u64>,
    /// Every entry carrying one of these tracking hashes: its kind, index and time.
    pub tracking: BTreeSet<[u8; 64]>,
    /// The cast entries, after the entry at this index, of that entry's credential, each
    /// verified against the election and this list.
    pub follow: Option<(u64, &'a CredentialList)>,
}

/// What `receipt check` and `heads check` need of a board (docs/record.md §5.1, §5.2),
/// gathered in one pass over it by [`scan_board`]: its length, the entries at the indices
/// asked for, where the tracking hashes asked for appear, and one credential's later cast
/// entries. Nothing else of the board is kept.
#[derive(Debug, Default)]
pub struct BoardView {
    /// How many entries the board has.
    pub len: u64,
    at: BTreeMap<u64, BoardEntry>,
    with: BTreeMap<[u8; 64], Vec<Appearance>>,
    later: Vec<Later>,
}

impl BoardView {
    /// The entry at `index`, if it was asked for and the board has it.
    pub fn at(&self, index: u64) -> Option<&BoardEntry> {
        self.at.get(&index)
    }

    /// The entries carrying `tracking` (one of those asked for), in board order.
    fn appearances(&self, tracking: &Digest) -> &[Appearance] {
        self.with.get(&tracking.0).map_or(&[], Vec::as_slice)
    }
}

/// Reads the record's board as a stream, gathering what `wanted` asks for, and checks it on
/// the way: it must be this election's and its chain must link (nothing on a board that does
/// not can be relied on). Holds a window of entries at a time.
///
/// # Errors
/// [`ToolError`] naming the file.
pub fn scan_board(record: &Path, election: &Election, wanted: &Wanted) -> ToolResult<BoardView> {
    let board_path = record.join(names::BOARD);
    let mut reader = BoardReader::open(&board_path)?;
    let mut chain = Chain::new(election, &reader.header);
    let mut view = BoardView::default();
    let mut followed = None;
    loop {
        let lines = reader.next_lines(board_file::window())?;
        if lines.is_empty() {
            break;
        }
        for (batch, ()) in reader.parse(&lines, view.len, |_| ())? {
            for e in batch {
                let position = view.len;
                view.len += 1;
                if let Ok(c) = &mut chain {
                    c.push(&e);
                }
                if wanted.tracking.contains(&e.tracking.0) {
                    view.with.entry(e.tracking.0).or_default().push(Appearance {
                        kind: e.kind,
                        index: e.index,
                        received: e.received.clone(),
                    });
                }
                if let Some((i, list)) = wanted.follow {
                    if position == i {
                        followed = Some(e.ballot.credential);
                    } else if position > i
                        && e.kind == EntryKind::Cast
                        && followed == Some(e.ballot.credential)
                    {
                        view.later.push(Later {
                            index: e.index,
                            tracking: e.tracking,
                            valid: e.ballot.verify_listed(election, list).is_ok(),
                        });
                    }
                }
                if wanted.at.contains(&position) {
                    view.at.insert(position, e);
                }
            }
        }
    }
    chain.and_then(Chain::finish_as_read).map_err(|e| {
        ToolError::Invalid(format!(
            "{}: {e}; the board cannot be relied on (run `amanat verify`)",
            board_path.display()
        ))
    })?;
    Ok(view)
}

/// Looks the receipt's entry up on the board (`view` gathered with the receipt's index and
/// tracking hash asked for).
pub fn look_up(receipt: &Receipt, view: &BoardView) -> OnBoard {
    let elsewhere = view
        .appearances(&receipt.tracking)
        .iter()
        .map(|e| {
            format!(
                "a {} at index {} ({})",
                e.kind.as_str(),
                e.index,
                e.received
            )
        })
        .collect::<Vec<_>>();
    let elsewhere = if elsewhere.is_empty() {
        "the board has no entry with this tracking hash".to_string()
    } else {
        format!("the board has this ballot as {}", elsewhere.join(" and "))
    };
    let Some(entry) = view.at(receipt.index) else {
        return OnBoard::Not(format!(
            "MISSING: the box acknowledged index {}, but the board ends after {} entries \
             (dropped or truncated); {elsewhere}",
            receipt.index, view.len
        ));
    };
    if receipt.is_entry(entry) {
        return OnBoard::AsReceived;
    }
    let mut differs = Vec::new();
    if entry.tracking != receipt.tracking {
        differs.push(format!("holds another ballot ({})", entry.short));
    }
    if entry.kind != receipt.kind {
        differs.push(format!(
            "is a {}, the receipt acknowledges a {}",
            entry.kind.as_str(),
            receipt.kind.as_str()
        ));
    }
    if entry.received != receipt.received {
        differs.push(format!(
            "was received at {}, the receipt says {}",
            entry.received, receipt.received
        ));
    }
    if differs.is_empty() {
        // Same ballot, kind and time, another hash: something before it changed.
        differs.push(
            "is this ballot, but the board before it is not the one the box signed when it \
             gave the receipt (an entry before it was changed, added or removed: the box \
             showed two different boards)"
                .to_string(),
        );
    }
    OnBoard::Not(format!(
        "NOT as acknowledged: the entry at index {} {}; {elsewhere}",
        receipt.index,
        differs.join(", ")
    ))
}

/// Whether the receipt's ballot is what counts, judged from the board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    /// A cast ballot that is its credential's latest valid ballot on the board.
    Counted,
    /// A challenged ballot that was never cast.
    NeverCounted,
    /// A later, different, valid ballot of the same credential counts instead.
    Replaced {
        /// Its index.
        by: u64,
    },
    /// After this ballot, the box re-posted a ballot of the same credential that was already
    /// on the board: a tally that trusted the box would count it in place of this one, and
    /// only a box that misbehaves posts it.
    Replayed {
        /// The index of the re-posted entry.
        at: u64,
        /// The index where that ballot first was.
        first: u64,
    },
    /// This ballot, challenged, also appears as cast (or, cast, also as challenged).
    CastAndChallenged {
        /// The index of the other entry.
        at: u64,
    },
    /// The receipt's own ballot does not verify against the election and its list.
    Invalid(String),
}

/// Judges whether the receipt's entry (at `receipt.index`, already found
/// [`OnBoard::AsReceived`] in `view`, gathered with that index followed) is what counts.
/// Verifies the ballots that decide it: this one and the later ones of the same credential
/// (docs/record.md §3's rules, applied to one voter). When later cast entries of the
/// credential exist, `again` reads the board a second time for where their tracking hashes
/// first appear and whether they are challenged.
///
/// # Errors
/// What `again` returns.
pub fn standing(
    election: &Election,
    list: &CredentialList,
    receipt: &Receipt,
    view: &BoardView,
    again: impl FnOnce(BTreeSet<[u8; 64]>) -> ToolResult<BoardView>,
) -> ToolResult<Standing> {
    let Some(mine) = view.at(receipt.index) else {
        return Ok(Standing::Invalid("no such entry".into()));
    };
    if let Some(other) = view
        .appearances(&mine.tracking)
        .iter()
        .find(|e| e.kind != mine.kind)
    {
        return Ok(Standing::CastAndChallenged { at: other.index });
    }
    if mine.kind == EntryKind::Challenge {
        return Ok(Standing::NeverCounted);
    }
    if let Err(e) = mine.ballot.verify_listed(election, list) {
        return Ok(Standing::Invalid(format!("{e} [{}]", e.code())));
    }
    if view.later.is_empty() {
        return Ok(Standing::Counted);
    }
    // Where each later ballot's tracking hash appears anywhere on the board.
    let trackings = view.later.iter().map(|l| l.tracking.0).collect();
    let seen = again(trackings)?;
    let mut replaced_by = None;
    for later in &view.later {
        let appearances = seen.appearances(&later.tracking);
        // The first entry with this tracking hash; an earlier one than this makes it a replay.
        let first = appearances.first().map_or(later.index, |e| e.index);
        if first < later.index {
            return Ok(Standing::Replayed {
                at: later.index,
                first,
            });
        }
        if later.valid && !appearances.iter().any(|e| e.kind == EntryKind::Challenge) {
            replaced_by = Some(later.index);
        }
    }
    Ok(match replaced_by {
        Some(by) => Standing::Replaced { by },
        None => Standing::Counted,
    })
}

/// The outcome of a receipt check, each part in words.
#[derive(Clone, Debug)]
pub struct ReceiptReport {
    /// Whether the receipt is the election's ballot box's.
    pub signature: Result<String, String>,
    /// Whether the board has the entry exactly as acknowledged.
    pub board: Result<String, String>,
    /// Whether the ballot is what counts (cast) or was never counted (challenged).
    pub counts: Result<String, String>,
}

impl ReceiptReport {
    /// All three hold.
    pub fn ok(&self) -> bool {
        self.signature.is_ok() && self.board.is_ok() && self.counts.is_ok()
    }

    /// The three lines, labelled.
    pub fn lines(&self) -> [(&'static str, &Result<String, String>); 3] {
        [
            ("receipt", &self.signature),
            ("board", &self.board),
            ("counts", &self.counts),
        ]
    }
}

/// Checks `receipt` against the election, credential list, board and (when present) tally of
/// `record`.
///
/// # Errors
/// [`ToolError`] if election.json, credentials.json or board.jsonl cannot be read, or the
/// board is not this election's or its chain does not link (run `amanat verify`).
pub fn check(record: &Path, receipt: &Receipt) -> ToolResult<ReceiptReport> {
    let election = read_election(&record.join(names::ELECTION))?;
    let list_path = record.join(names::CREDENTIALS);
    let list = CredentialList::from_json(&files::read_text(&list_path)?)
        .map_err(|e| ToolError::document(&list_path, e))?;
    let wanted = Wanted {
        at: BTreeSet::from([receipt.index]),
        tracking: BTreeSet::from([receipt.tracking.0]),
        follow: Some((receipt.index, &list)),
    };
    let board = scan_board(record, &election, &wanted)?;
    let tally_path = record.join(names::TALLY);
    let tally = if tally_path.exists() {
        Some(crate::tally::read(&tally_path)?)
    } else {
        None
    };
    let signature = signature(&election, receipt);
    let on_board = look_up(receipt, &board);
    let board_line = match &on_board {
        OnBoard::AsReceived => Ok(format!(
            "the board has ballot {} at index {} exactly as acknowledged ({}, {}), and the \
             board before it is the one the box signed",
            receipt.short,
            receipt.index,
            receipt.kind.as_str(),
            receipt.received
        )),
        OnBoard::Not(why) => Err(why.clone()),
    };
    let counts = match on_board {
        OnBoard::Not(_) => Err("not judged: the board does not hold the acknowledged entry".into()),
        OnBoard::AsReceived => {
            let again = |tracking| {
                let wanted = Wanted {
                    tracking,
                    ..Wanted::default()
                };
                scan_board(record, &election, &wanted)
            };
            counts_line(
                standing(&election, &list, receipt, &board, again)?,
                receipt,
                tally.as_ref(),
            )
        }
    };
    Ok(ReceiptReport {
        signature,
        board: board_line,
        counts,
    })
}

fn counts_line(
    standing: Standing,
    receipt: &Receipt,
    tally: Option<&Tally>,
) -> Result<String, String> {
    let listed = |list: &[amanat::Digest]| list.contains(&receipt.tracking);
    match standing {
        Standing::Counted => match tally {
            Some(t) if !listed(&t.counted) => Err(
                "this ballot is its credential's latest valid ballot on the board, but the \
                 record's tally.json does not count it"
                    .into(),
            ),
            Some(_) => Ok("counted: it is its credential's latest ballot, and the tally counts it".into()),
            None => Ok("counted: it is its credential's latest ballot on the board (no tally.json to cross-check)".into()),
        },
        Standing::NeverCounted => match tally {
            Some(t) if !listed(&t.challenged) || listed(&t.counted) => Err(
                "the record's tally.json does not list this challenged ballot as challenged"
                    .into(),
            ),
            _ => Ok("opened and never counted: this challenged ballot was never cast".into()),
        },
        Standing::Replaced { by } => Err(format!(
            "NOT counted: a later ballot of the same credential, at index {by}, counts \
             instead. If you voted again, that is your later ballot; if you did not, someone \
             else used your credential code: report it"
        )),
        Standing::Replayed { at, first } => Err(format!(
            "REPLAYED: after your ballot the box posted again, at index {at}, a ballot of \
             your credential already on the board at index {first}, so that it would count \
             instead of yours; a ballot box stores each ballot once, so this replay is proof \
             that the box misbehaved (`amanat verify` fails V13): report it with this receipt"
        )),
        Standing::CastAndChallenged { at } => Err(format!(
            "the same ballot is also on the board as a {} at index {at}; a ballot is never \
             both cast and challenged, so this is proof that the box misbehaved: report it \
             with this receipt",
            match receipt.kind {
                EntryKind::Cast => "challenge",
                EntryKind::Challenge => "cast",
            }
        )),
        Standing::Invalid(why) => Err(format!("this ballot does not verify: {why}")),
    }
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

/// Runs `amanat receipt <command>`; returns whether the check passed.
///
/// # Errors
/// The receipt, election.json, credentials.json or board.jsonl cannot be read, or the board
/// does not link.
pub fn run(cmd: ReceiptCmd) -> ToolResult<bool> {
    match cmd {
        ReceiptCmd::Check(args) => {
            let text = files::read_text(&args.receipt)?;
            let receipt =
                parse_receipt(&text).map_err(|e| ToolError::document(&args.receipt, e))?;
            let report = check(&args.record, &receipt)?;
            for (what, result) in report.lines() {
                match result {
                    Ok(m) => println!("{what:<7} pass  {}", bounded(m)),
                    Err(m) => println!("{what:<7} FAIL  {}", bounded(m)),
                }
            }
            Ok(report.ok())
        }
    }
}
