//! The public verifier (`amanat verify RECORD`, docs/record.md §5): re-checks an election
//! record from scratch with numbered checks V1–V13 and reports each with pass or fail.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use amanat::{CredentialList, Election, EntryKind};
use clap::Args;
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::Scalar;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;

use crate::board_file::{rule_breaks, BoardFile};
use crate::error::{bounded, ToolError, ToolResult};
use crate::files;
use crate::record::{check_trustee, combine_all, names, Counts, Decryption, ResultsFile};
use crate::tally::{aggregate, select, verify_ballots, Tally};
use crate::threshold::Ceremony;

/// `amanat verify`: re-check an election record.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The record directory.
    pub record: PathBuf,
    /// Print a JSON document `{"ok", "checks", "results"}` instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The outcome of one numbered check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckOutcome {
    /// `"V1"` … `"V13"`.
    pub id: &'static str,
    /// What is checked.
    pub name: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// Counts on success, the first problems on failure.
    pub detail: String,
    /// Time spent on this check, including reading the files it is the first to need.
    #[serde(skip)]
    pub seconds: f64,
}

/// The verifier's report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Whether every check passed.
    pub ok: bool,
    /// The checks in order.
    pub checks: Vec<CheckOutcome>,
    /// The record's results (as published; trustworthy only when `ok`).
    pub results: Counts,
    /// Ballots verified per second in V5 (not part of the documented JSON contract).
    #[serde(skip)]
    pub ballots_per_second: f64,
}

impl Report {
    /// The check with this id.
    pub fn check(&self, id: &str) -> Option<&CheckOutcome> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The ids of the failed checks.
    pub fn failed(&self) -> Vec<&'static str> {
        self.checks.iter().filter(|c| !c.ok).map(|c| c.id).collect()
    }
}

/// The numbered checks: id and name.
pub const CHECKS: [(&str, &str); 13] = [
    ("V1", "election definition and base hash"),
    ("V2", "key ceremony transcript"),
    ("V3", "credential list"),
    ("V4", "board chain"),
    ("V5", "every ballot on the board"),
    ("V6", "challenged ballots"),
    ("V7", "counted ballots"),
    ("V8", "aggregates"),
    ("V9", "decryption shares"),
    ("V10", "combined decryptions"),
    ("V11", "results"),
    ("V12", "results within bounds"),
    ("V13", "board rules"),
];

struct Checks(Vec<CheckOutcome>, Instant);

impl Checks {
    fn record(&mut self, i: usize, result: Result<String, String>) {
        let seconds = self.1.elapsed().as_secs_f64();
        self.1 = Instant::now();
        let (id, name) = CHECKS[i];
        let (ok, detail) = match result {
            Ok(d) => (true, bounded(&d)),
            Err(d) => (false, bounded(&d)),
        };
        self.0.push(CheckOutcome {
            id,
            name,
            ok,
            detail,
            seconds,
        });
    }
}

fn needs(what: &str) -> String {
    format!("not checked: {what}")
}

fn load<T>(
    record: &Path,
    name: &str,
    parse: impl FnOnce(&str) -> ToolResult<T>,
) -> Result<T, String> {
    let path = record.join(name);
    files::read_text(&path)
        .and_then(|t| parse(&t))
        .map_err(|e| format!("{name}: {e}"))
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> ToolResult<T> {
    Ok(amanat::encoding::from_json(text)?)
}

/// A short list of problems, at most five, with the total.
fn problems(list: &[String]) -> String {
    let shown: Vec<&str> = list.iter().take(5).map(String::as_str).collect();
    let more = list.len().saturating_sub(5);
    if more > 0 {
        format!(
            "{} problems: {}; and {more} more",
            list.len(),
            shown.join("; ")
        )
    } else {
        shown.join("; ")
    }
}

fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("V5 ballots {bar:40} {pos}/{len} {per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

/// Verifies the record in `record`. Never stops at the first failure: every check that its
/// inputs allow is run.
pub fn verify(record: &Path) -> Report {
    let mut checks = Checks(Vec::new(), Instant::now());
    let mut per_second = 0.0;

    // V1: the election parses, its manifest validates, its ballot box key is a valid public
    // key (canonical, not the identity: parsing checks it), and the base hash is recomputed.
    let election = load(record, names::ELECTION, |t| Ok(Election::from_json(t)?));
    checks.record(
        0,
        election
            .as_ref()
            .map(|e| {
                format!(
                    "election {}, {} contests, {} ballot styles, ballot box key {}, base hash {}",
                    e.manifest().election_id,
                    e.manifest().contests.len(),
                    e.manifest().ballot_styles.len(),
                    &e.ballot_box_key().to_hex()[..16],
                    &e.base_hash().to_hex()[..16]
                )
            })
            .map_err(Clone::clone),
    );
    let election = election.ok();

    // V2: the ceremony transcript verifies and defined this election.
    let ceremony = load(record, names::CEREMONY, |t| Ok(Ceremony::from_json(t)?));
    let v2 = match (&ceremony, &election) {
        (Err(e), _) => Err(e.clone()),
        (_, None) => Err(needs("V1")),
        (Ok(c), Some(e)) => c
            .verify()
            .and_then(|()| c.check_election(e))
            .map(|()| {
                format!(
                    "{} trustees, threshold {}, qualified {:?}, {} complaints; joint key and public shares recomputed",
                    c.params().trustees,
                    c.params().threshold,
                    c.qualified(),
                    c.complaints().len()
                )
            })
            .map_err(|e| e.to_string()),
    };
    let ceremony_ok = v2.is_ok();
    checks.record(1, v2);
    let ceremony = ceremony.ok().filter(|_| ceremony_ok);

    // V3: the credential list is the one the election commits to.
    let list = load(record, names::CREDENTIALS, |t| {
        Ok(CredentialList::from_json(t)?)
    });
    let v3 = match (&list, &election) {
        (Err(e), _) => Err(e.clone()),
        (_, None) => Err(needs("V1")),
        (Ok(l), Some(e)) => l
            .check_against(e)
            .map(|()| {
                format!(
                    "{} credentials, digest matches the election",
                    l.entries().len()
                )
            })
            .map_err(|e| e.to_string()),
    };
    let list_ok = v3.is_ok();
    checks.record(2, v3);
    let list = list.ok().filter(|_| list_ok);

    // V4: the board is this election's, links from the genesis hash, ends at its head, and
    // the box's signed closing statement names exactly this board.
    let board = load(record, names::BOARD, |t| Ok(BoardFile::parse(t)?));
    let v4 = match (&board, &election) {
        (Err(e), _) => Err(e.clone()),
        (_, None) => Err(needs("V1")),
        (Ok(b), Some(e)) => b
            .check(e)
            .and_then(|()| b.check_closing(e))
            .map(|c| {
                format!(
                    "{} entries link from the genesis hash to head {}; the box's closing \
                     statement ({}) names this board",
                    b.entries.len(),
                    &b.head.to_hex()[..16],
                    c.time
                )
            })
            .map_err(|e| e.to_string()),
    };
    checks.record(3, v4);
    let board = board.ok();

    // V5: every ballot on the board verifies: proofs, signature, listed credential, style.
    let verified = match (&board, &election, &list) {
        (Some(b), Some(e), Some(l)) => {
            let bar = progress_bar(b.entries.len() as u64);
            let start = Instant::now();
            let v = verify_ballots(e, l, &b.entries, &|| bar.inc(1));
            bar.finish_and_clear();
            per_second = b.entries.len() as f64 / start.elapsed().as_secs_f64().max(1e-9);
            Some(v)
        }
        _ => None,
    };
    let v5 = match (&board, &verified) {
        (None, _) => Err(needs("board.json")),
        (_, None) => Err(needs("V1 and V3")),
        (Some(b), Some(v)) => {
            let bad: Vec<String> = b
                .entries
                .iter()
                .zip(v)
                .filter_map(|(e, r)| {
                    r.as_ref()
                        .err()
                        .map(|err| format!("entry {}: {err}", e.index))
                })
                .collect();
            if bad.is_empty() {
                let cast = b
                    .entries
                    .iter()
                    .filter(|e| e.kind == EntryKind::Cast)
                    .count();
                Ok(format!(
                    "{} ballots verified ({cast} cast, {} challenged), {per_second:.0} ballots/s",
                    b.entries.len(),
                    b.entries.len() - cast
                ))
            } else {
                Err(problems(&bad))
            }
        }
    };
    checks.record(4, v5);

    let tally = load(record, names::TALLY, json::<Tally>);

    // V6: each challenged ballot's reveal matches its ciphertexts, and none is counted.
    let v6 = match (&board, &election, &tally) {
        (None, _, _) => Err(needs("board.json")),
        (_, None, _) => Err(needs("V1")),
        (_, _, Err(e)) => Err(e.clone()),
        (Some(b), Some(e), Ok(t)) => {
            let counted: BTreeSet<[u8; 64]> = t.counted.iter().map(|d| d.0).collect();
            let bad: Vec<String> = b
                .entries
                .par_iter()
                .filter(|x| x.kind == EntryKind::Challenge)
                .filter_map(|x| {
                    let reveal = match &x.challenge {
                        Some(c) => c.check(e, &x.ballot).err().map(|err| err.to_string()),
                        None => Some("no reveal".into()),
                    };
                    let counted = counted
                        .contains(&x.tracking.0)
                        .then(|| "counted although challenged".to_string());
                    reveal
                        .or(counted)
                        .map(|why| format!("entry {} ({}): {why}", x.index, x.short))
                })
                .collect();
            let n = b
                .entries
                .iter()
                .filter(|x| x.kind == EntryKind::Challenge)
                .count();
            if bad.is_empty() {
                Ok(format!("{n} reveals match their ballots; none counted"))
            } else {
                Err(problems(&bad))
            }
        }
    };
    checks.record(5, v6);

    // V7: the counted set is the latest valid cast ballot of each credential, none challenged.
    let selection = match (&board, &verified) {
        (Some(b), Some(v)) => Some(select(&b.entries, v)),
        _ => None,
    };
    let v7 = match (&board, &selection, &tally, &election) {
        (_, _, Err(e), _) => Err(e.clone()),
        (Some(b), Some(s), Ok(t), Some(e)) => {
            let tracking = |ix: &[usize]| -> Vec<amanat::Digest> {
                ix.iter().map(|&i| b.entries[i].tracking).collect()
            };
            let mut bad = Vec::new();
            if t.election != *e.base_hash() {
                bad.push("the tally is for another election".to_string());
            }
            if t.board_head != b.head || t.board_entries != b.entries.len() as u64 {
                bad.push("the tally was made from another board".to_string());
            }
            if t.counted != tracking(&s.counted) {
                bad.push(format!(
                    "the tally counts {} ballots, the board gives {}{}",
                    t.counted.len(),
                    s.counted.len(),
                    if t.counted.len() == s.counted.len() {
                        " (different ones)"
                    } else {
                        ""
                    }
                ));
            }
            if t.superseded != tracking(&s.superseded) {
                bad.push("the replaced ballots differ".to_string());
            }
            if t.challenged != tracking(&s.challenged) {
                bad.push("the challenged ballots differ".to_string());
            }
            if t.rejected != s.rejected {
                bad.push("the rejected ballots differ".to_string());
            }
            if bad.is_empty() {
                Ok(format!(
                    "{} counted (latest per credential), {} replaced by a later ballot, {} challenged, {} rejected",
                    s.counted.len(),
                    s.superseded.len(),
                    s.challenged.len(),
                    s.rejected.len()
                ))
            } else {
                Err(problems(&bad))
            }
        }
        _ => Err(needs("V1, V3 and board.json")),
    };
    checks.record(6, v7);

    // V8: the aggregates are the homomorphic sums over the counted ballots.
    let v8 = match (&board, &selection, &tally, &election) {
        (_, _, Err(e), _) => Err(e.clone()),
        (Some(b), Some(s), Ok(t), Some(e)) => {
            let again = aggregate(e, &b.entries, &s.counted);
            let bad: Vec<String> = if again.len() != t.contests.len() {
                vec!["the tally's contests differ from the manifest's".into()]
            } else {
                again
                    .iter()
                    .zip(&t.contests)
                    .filter(|(a, r)| a != r)
                    .map(|(a, _)| format!("contest {}", a.id))
                    .collect()
            };
            if bad.is_empty() {
                let n: usize = again.iter().map(|c| c.options.len()).sum();
                Ok(format!(
                    "{n} option sums over {} contests recomputed",
                    again.len()
                ))
            } else {
                Err(format!("aggregates differ: {}", problems(&bad)))
            }
        }
        _ => Err(needs("V1, V3 and board.json")),
    };
    checks.record(7, v8);

    // V9: every decryption share's proof verifies, from at least k distinct trustees.
    let decryption = load(record, names::DECRYPTION, json::<Decryption>);
    let tally = tally.ok();
    let v9 = match (&decryption, &election, &ceremony, &tally) {
        (Err(e), _, _, _) => Err(e.clone()),
        (Ok(d), Some(e), Some(c), Some(t)) => {
            let items = t.items();
            let mut bad = Vec::new();
            if d.election != *e.base_hash() {
                bad.push("the decryption is for another election".to_string());
            }
            let distinct: BTreeSet<u32> = d.trustees.iter().map(|x| x.trustee).collect();
            // docs/documents.md: the trustees in strictly ascending index order (which also
            // rules out a trustee appearing twice).
            if !d.trustees.windows(2).all(|w| w[0].trustee < w[1].trustee) {
                bad.push(if distinct.len() != d.trustees.len() {
                    "a trustee appears twice".into()
                } else {
                    "the trustees are not in ascending index order".into()
                });
            }
            if (distinct.len() as u32) < e.threshold() {
                bad.push(format!(
                    "{} trustees, the threshold is {}",
                    distinct.len(),
                    e.threshold()
                ));
            }
            for doc in &d.trustees {
                if let Err(err) = check_trustee(e, c, &items, doc) {
                    bad.push(format!("trustee {}: {err}", doc.trustee));
                }
            }
            if bad.is_empty() {
                Ok(format!(
                    "{} shares from trustees {:?} verified (threshold {})",
                    items.len() * d.trustees.len(),
                    distinct,
                    e.threshold()
                ))
            } else {
                Err(problems(&bad))
            }
        }
        _ => Err(needs("V1, V2 and tally.json")),
    };
    let v9_ok = v9.is_ok();
    checks.record(8, v9);

    // V10: the combined values are the Lagrange combinations of the shares.
    let decryption = decryption.ok();
    let v10 = match (&decryption, &ceremony, &tally) {
        (Some(d), Some(c), Some(t)) if v9_ok => {
            let items = t.items();
            match combine_all(c, &items, &d.trustees) {
                Err(e) => Err(e.to_string()),
                Ok(again) if again.len() != d.combined.len() => {
                    Err("the number of combined values differs".into())
                }
                Ok(again) => {
                    let bad: Vec<String> = again
                        .iter()
                        .zip(&d.combined)
                        .filter(|(a, r)| a != r)
                        .map(|(a, _)| a.label.clone())
                        .collect();
                    if bad.is_empty() {
                        Ok(format!("{} combined values recomputed", again.len()))
                    } else {
                        Err(format!("combined values differ: {}", problems(&bad)))
                    }
                }
            }
        }
        _ => Err(needs("V9")),
    };
    checks.record(9, v10);

    // V11: each published count v satisfies v·G = the combined value.
    let results = load(record, names::RESULTS, json::<ResultsFile>);
    let v11 = match (&results, &decryption, &tally) {
        (Err(e), _, _) => Err(e.clone()),
        (Ok(r), Some(d), Some(t)) => {
            let mut bad = Vec::new();
            let mut values = d.combined.iter();
            let mut n = 0usize;
            for c in &t.contests {
                let row = r.results.get(&c.id);
                if row.map(|row| row.len()) != Some(c.options.len()) {
                    bad.push(format!("contest {}: options differ", c.id));
                }
                for o in &c.options {
                    n += 1;
                    let count = row.and_then(|row| row.get(&o.id));
                    match (count, values.next()) {
                        (Some(&v), Some(value)) if G * Scalar::from(v) == *value.value.point() => {}
                        (_, _) => bad.push(format!("{}/{}", c.id, o.id)),
                    }
                }
            }
            if r.results.len() != t.contests.len() {
                bad.push("the results' contests differ from the tally's".into());
            }
            if bad.is_empty() {
                Ok(format!("{n} counts match their decryptions"))
            } else {
                Err(format!("counts that do not match: {}", problems(&bad)))
            }
        }
        _ => Err(needs("decryption.json and tally.json")),
    };
    checks.record(10, v11);

    // V12: per contest, every count is at most the ballots holding it, and the total lies
    // between ballots × min and ballots × max selections.
    let v12 = match (&results, &tally, &election) {
        (Ok(r), Some(t), Some(e)) => {
            let mut bad = Vec::new();
            for c in &t.contests {
                let Ok(def) = e.manifest().contest(&c.id) else {
                    bad.push(format!("unknown contest {}", c.id));
                    continue;
                };
                let row = r.results.get(&c.id);
                let total: u64 = row.map_or(0, |row| row.values().sum());
                let (lo, hi) = (
                    c.ballots * u64::from(def.min_selections),
                    c.ballots * u64::from(def.max_selections),
                );
                if total < lo || total > hi {
                    bad.push(format!(
                        "{}: {total} votes from {} ballots (allowed {lo}..={hi})",
                        c.id, c.ballots
                    ));
                }
                if row.is_some_and(|row| row.values().any(|&v| v > c.ballots)) {
                    bad.push(format!("{}: an option has more votes than ballots", c.id));
                }
            }
            if bad.is_empty() {
                Ok(format!(
                    "{} contests within their selection limits",
                    t.contests.len()
                ))
            } else {
                Err(problems(&bad))
            }
        }
        (Err(e), _, _) => Err(e.clone()),
        _ => Err(needs("V1 and tally.json")),
    };
    checks.record(11, v12);

    // V13: the board keeps the rules an honest box keeps inside every append.
    let v13 = match &board {
        None => Err(needs("board.json")),
        Some(b) => {
            let bad = rule_breaks(&b.entries);
            if bad.is_empty() {
                Ok(format!(
                    "{} entries: each tracking hash at most once per kind, none both cast and \
                     challenged, times in order",
                    b.entries.len()
                ))
            } else {
                Err(problems(&bad))
            }
        }
    };
    checks.record(12, v13);

    let ok = checks.0.iter().all(|c| c.ok);
    Report {
        ok,
        checks: checks.0,
        results: results.map(|r| r.results).unwrap_or_default(),
        ballots_per_second: per_second,
    }
}

/// Runs `amanat verify`; returns whether every check passed.
///
/// # Errors
/// [`ToolError::Io`] if the record is not a directory, or the report cannot be printed.
pub fn run(args: VerifyArgs) -> ToolResult<bool> {
    if !args.record.is_dir() {
        return Err(ToolError::io(
            &args.record,
            std::io::Error::new(std::io::ErrorKind::NotFound, "not a record directory"),
        ));
    }
    let report = verify(&args.record);
    if args.json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| ToolError::Invalid(format!("cannot serialize the report: {e}")))?;
        println!("{text}");
    } else {
        for c in &report.checks {
            println!(
                "{:<4} {}  {}: {} [{:.1} s]",
                c.id,
                if c.ok { "pass" } else { "FAIL" },
                c.name,
                c.detail,
                c.seconds
            );
        }
        let failed = report.failed();
        if failed.is_empty() {
            println!("all {} checks pass", report.checks.len());
        } else {
            println!(
                "{} of {} checks FAIL: {}",
                failed.len(),
                report.checks.len(),
                failed.join(", ")
            );
        }
    }
    Ok(report.ok)
}
