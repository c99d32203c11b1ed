//! `amanat heads check`: checks statements the ballot box signed — board heads that
//! observers archived (`GET /api/head`) and voters' receipts — against an election record,
//! and against each other (docs/record.md §5.2).
//!
//! Every statement fixes a prefix of the board: a signed head of `n` entries says entry
//! `n − 1` has hash `head`; a receipt says entry `index` is its ballot with hash `head`.
//! Each must hold on the record's final board: otherwise the box signed a board it did not
//! publish. Two statements that fix different hashes for the same number of entries prove,
//! even without a record, that the box showed two different boards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use amanat::board::genesis;
use amanat::{Digest, Election, Receipt, SignedHead};
use clap::{Args, Subcommand};
use serde_json::Value;

use crate::election_dir::read_election;
use crate::error::{bounded, ToolError, ToolResult};
use crate::files;
use crate::receipt::{look_up, parse_receipt, scan_board, BoardView, OnBoard, Wanted};
use crate::record::names;

/// `amanat heads`: what observers do with the board heads they archived.
#[derive(Subcommand, Debug)]
pub enum HeadsCmd {
    /// Check archived signed heads and receipts against a record and against each other.
    /// Exit status 0 only if every statement verifies and holds on the record's board.
    Check(CheckArgs),
}

/// `amanat heads check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The record directory (election.json and board.jsonl).
    #[arg(long)]
    pub record: PathBuf,
    /// Files of statements: a signed head or a receipt (as the box answered it, or the voter
    /// page's receipt file), a JSON array of them, or one per line (JSON Lines).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// One statement the box signed.
#[derive(Clone, Debug)]
pub enum Statement {
    /// A board head (`GET /api/head`, or the closing statement).
    Head(SignedHead),
    /// A receipt for a cast or challenged ballot.
    Receipt(Receipt),
}

impl Statement {
    /// The board prefix it fixes: number of entries and the head after them.
    pub fn state(&self) -> (u64, Digest) {
        match self {
            Statement::Head(h) => (h.entries, h.head),
            Statement::Receipt(r) => r.board_state(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Statement::Head(h) => format!(
                "head of {} entries ({}, {})",
                h.entries,
                if h.closed { "closed" } else { "open" },
                h.time
            ),
            Statement::Receipt(r) => format!(
                "receipt for the {} of {} at index {} ({})",
                r.kind.as_str(),
                r.short,
                r.index,
                r.received
            ),
        }
    }
}

fn statement(value: &Value) -> amanat::Result<Statement> {
    let text = value.to_string();
    match value {
        Value::Object(o) if o.contains_key("entries") => {
            Ok(Statement::Head(SignedHead::from_json(&text)?))
        }
        _ => Ok(Statement::Receipt(parse_receipt(&text)?)),
    }
}

/// Reads the statements of one file: one JSON document (a statement or an array of them),
/// JSON Lines, or the voter page's receipt file.
///
/// # Errors
/// The core's decoding error, naming the line for JSON Lines.
pub fn parse_statements(text: &str) -> Result<Vec<Statement>, String> {
    if let Ok(value) = amanat::encoding::from_json::<Value>(text) {
        // Read strictly (no member twice, no null) before the statements are picked out.
        return match &value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| statement(v).map_err(|e| format!("item {i}: {e}")))
                .collect(),
            v => statement(v).map(|s| vec![s]).map_err(|e| e.to_string()),
        };
    }
    if text.trim_start().starts_with('{') {
        return text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                let v: Value =
                    amanat::encoding::from_json(l).map_err(|e| format!("line {}: {e}", i + 1))?;
                statement(&v).map_err(|e| format!("line {}: {e}", i + 1))
            })
            .collect();
    }
    parse_receipt(text)
        .map(|r| vec![Statement::Receipt(r)])
        .map_err(|e| e.to_string())
}

/// One statement's outcome.
#[derive(Clone, Debug)]
pub struct Judged {
    /// Where it came from: `FILE` or `FILE#k`.
    pub source: String,
    /// What it states.
    pub what: String,
    /// Pass with what was found, or what does not hold.
    pub result: Result<String, String>,
}

/// What [`judge`] needs of the board for these statements: the entry each fixes (a head of
/// `n` entries fixes entry `n − 1`, a receipt its index), and where each receipt's tracking
/// hash appears.
pub fn wanted<'a>(statements: impl IntoIterator<Item = &'a Statement>) -> Wanted<'static> {
    let mut w = Wanted::default();
    for s in statements {
        match s {
            Statement::Receipt(r) => {
                w.at.insert(r.index);
                w.tracking.insert(r.tracking.0);
            }
            Statement::Head(_) => {
                let (n, _) = s.state();
                if let Some(last) = n.checked_sub(1) {
                    w.at.insert(last);
                }
            }
        }
    }
    w
}

/// Checks one statement against the election and the final board (`board` gathered with
/// [`wanted`] of the statements).
pub fn judge(election: &Election, board: &BoardView, s: &Statement) -> Result<String, String> {
    let verified = match s {
        Statement::Head(h) => h.verify(election),
        Statement::Receipt(r) => r.verify(election),
    };
    if let Err(e) = verified {
        return Err(format!(
            "not signed by this election's ballot box key: {e} [{}]",
            e.code()
        ));
    }
    if let Statement::Receipt(r) = s {
        return match look_up(r, board) {
            OnBoard::AsReceived => Ok("the board holds this entry as acknowledged".into()),
            OnBoard::Not(why) => Err(why),
        };
    }
    let (n, head) = s.state();
    let len = board.len;
    if n > len {
        return Err(format!(
            "the box signed a board of {n} entries, the published board has only {len}: \
             entries it showed were dropped"
        ));
    }
    let at = match n {
        0 => genesis(election),
        n => match board.at(n - 1) {
            Some(e) => e.hash,
            // Not reached: n ≤ len, and the entry n − 1 was asked for.
            None => return Err(format!("the board has no entry {}", n - 1)),
        },
    };
    if at != head {
        return Err(format!(
            "the box signed head {}… for {n} entries, the published board's head after {n} \
             entries is {}…: the box showed a different board",
            &head.to_hex()[..16],
            &at.to_hex()[..16]
        ));
    }
    if matches!(s, Statement::Head(h) if h.closed) && n != len {
        return Err(format!(
            "the box signed the polls closed at {n} entries, the published board has {len}"
        ));
    }
    Ok(format!(
        "a prefix of the published board ({n} of {len} entries)"
    ))
}

/// Statements that contradict each other: different heads for the same number of entries,
/// or two different closed boards. Each pair is proof the box showed two boards, whatever
/// the record says.
pub fn contradictions(statements: &[(String, Statement)]) -> Vec<String> {
    let mut by_len: BTreeMap<u64, (&str, Digest)> = BTreeMap::new();
    let mut out = Vec::new();
    let mut closed: Option<(&str, u64, Digest)> = None;
    for (source, s) in statements {
        let (n, head) = s.state();
        match by_len.get(&n) {
            Some((other, h)) if *h != head => out.push(format!(
                "{source} and {other} both sign a board of {n} entries, with different heads: \
                 the box showed two different boards"
            )),
            Some(_) => {}
            None => {
                by_len.insert(n, (source.as_str(), head));
            }
        }
        if let Statement::Head(h) = s {
            if h.closed {
                if let Some((other, m, g)) = closed {
                    if (m, g) != (n, head) {
                        out.push(format!(
                            "{source} and {other} both sign the polls closed, on different \
                             boards ({n} and {m} entries)"
                        ));
                    }
                } else {
                    closed = Some((source.as_str(), n, head));
                }
            }
        }
    }
    if let Some((c, m, _)) = closed {
        for (source, s) in statements {
            let (n, _) = s.state();
            if n > m {
                out.push(format!(
                    "{source} signs {n} entries, more than the {m} of the closed board {c}"
                ));
            }
        }
    }
    out
}

/// Reads every file's statements and judges each against `record`.
///
/// # Errors
/// A file, election.json or board.jsonl cannot be read, or the board does not link.
pub fn check(record: &Path, files_in: &[PathBuf]) -> ToolResult<(Vec<Judged>, Vec<String>)> {
    let election = read_election(&record.join(names::ELECTION))?;
    // The statements are read first, to know what to gather from the board, but a board
    // that cannot be read or does not link is reported before a statement file that cannot.
    let read_all = || -> ToolResult<Vec<(PathBuf, Vec<Statement>)>> {
        files_in
            .iter()
            .map(|path| {
                let text = files::read_text(path)?;
                let statements = parse_statements(&text)
                    .map_err(|e| ToolError::Invalid(format!("{}: {e}", path.display())))?;
                Ok((path.clone(), statements))
            })
            .collect()
    };
    let read = read_all();
    let want = match &read {
        Ok(read) => wanted(read.iter().flat_map(|(_, s)| s)),
        Err(_) => Wanted::default(),
    };
    let board = scan_board(record, &election, &want)?;
    let mut all = Vec::new();
    for (path, statements) in read? {
        let many = statements.len() > 1;
        for (k, s) in statements.into_iter().enumerate() {
            let source = if many {
                format!("{}#{}", path.display(), k + 1)
            } else {
                path.display().to_string()
            };
            all.push((source, s));
        }
    }
    let judged = all
        .iter()
        .map(|(source, s)| Judged {
            source: source.clone(),
            what: s.describe(),
            result: judge(&election, &board, s),
        })
        .collect();
    // Only signed statements can contradict each other as evidence.
    let signed: Vec<(String, Statement)> = all
        .into_iter()
        .filter(|(_, s)| match s {
            Statement::Head(h) => h.verify(&election).is_ok(),
            Statement::Receipt(r) => r.verify(&election).is_ok(),
        })
        .collect();
    Ok((judged, contradictions(&signed)))
}

/// Runs `amanat heads <command>`; returns whether every statement held.
///
/// # Errors
/// A file, election.json or board.jsonl cannot be read, or the board does not link.
pub fn run(cmd: HeadsCmd) -> ToolResult<bool> {
    match cmd {
        HeadsCmd::Check(args) => {
            let (judged, contradictions) = check(&args.record, &args.files)?;
            let mut ok = contradictions.is_empty();
            for j in &judged {
                match &j.result {
                    Ok(m) => println!("pass  {}: {}: {}", j.source, j.what, bounded(m)),
                    Err(m) => {
                        ok = false;
                        println!("FAIL  {}: {}: {}", j.source, j.what, bounded(m));
                    }
                }
            }
            for c in &contradictions {
                println!("FAIL  {}", bounded(c));
            }
            let failed = judged.iter().filter(|j| j.result.is_err()).count();
            println!(
                "{} statements: {} hold, {failed} do not; {} contradictions between them",
                judged.len(),
                judged.len() - failed,
                contradictions.len()
            );
            Ok(ok)
        }
    }
}
