//! Combining the trustees' decryption shares into results, and writing the election record
//! (docs/record.md): everything a verifier needs to re-check the election from scratch.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use amanat::{Digest, Election, Point};
use clap::Args;
use curve25519_dalek::ristretto::RistrettoPoint;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::board_file::BoardFile;
use crate::election_dir::{read_ceremony, ElectionDir};
use crate::error::{ToolError, ToolResult};
use crate::files;
use crate::tally::Tally;
use crate::threshold::{combine, verify_partial, Ceremony, DlogTable, TrusteeDecryption};

/// The files of a record directory.
pub mod names {
    /// The election definition (manifest inside).
    pub const ELECTION: &str = "election.json";
    /// The public credential list.
    pub const CREDENTIALS: &str = "credentials.json";
    /// The key ceremony transcript.
    pub const CEREMONY: &str = "ceremony.json";
    /// The bulletin board.
    pub const BOARD: &str = "board.json";
    /// The aggregates and the counted ballots.
    pub const TALLY: &str = "tally.json";
    /// The trustees' decryption shares and the combined values.
    pub const DECRYPTION: &str = "decryption.json";
    /// The counts.
    pub const RESULTS: &str = "results.json";
}

/// Votes per option id, per contest id.
pub type Counts = BTreeMap<String, BTreeMap<String, u64>>;

/// `results.json`: `{"results": {contest id: {option id: votes}}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsFile {
    /// The counts.
    pub results: Counts,
}

/// One aggregate's combined value `vG`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combined {
    /// `"<contest>/<option>"`.
    pub label: String,
    /// `b − Σ λ_j D_j`, which is `v·G` for the count `v`.
    pub value: Point,
}

/// `decryption.json`: the participating trustees' documents, as they produced them, and the
/// combined values, in the tally's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decryption {
    /// The election base hash.
    pub election: Digest,
    /// Each participating trustee's decryption shares, by trustee index.
    pub trustees: Vec<TrusteeDecryption>,
    /// The combined values.
    pub combined: Vec<Combined>,
}

/// Checks one trustee's decryption document against the tally: the election, one share per
/// aggregate with the tally's labels in order, every Chaum–Pedersen proof.
///
/// # Errors
/// [`ToolError::Invalid`] for a mismatch, or the failed proof.
pub fn check_trustee(
    election: &Election,
    ceremony: &Ceremony,
    items: &[(String, amanat::Ciphertext)],
    doc: &TrusteeDecryption,
) -> ToolResult<()> {
    let j = doc.trustee;
    if doc.election != *election.base_hash() {
        return Err(ToolError::Invalid(format!(
            "trustee {j}'s shares are for another election"
        )));
    }
    if doc.partials.len() != items.len() {
        return Err(ToolError::Invalid(format!(
            "trustee {j} gave {} shares for {} aggregates",
            doc.partials.len(),
            items.len()
        )));
    }
    doc.partials
        .par_iter()
        .zip(items)
        .try_for_each(|(p, (label, c))| {
            if p.trustee != j {
                return Err(ToolError::Invalid(format!(
                    "trustee {j}'s document holds a share of trustee {}",
                    p.trustee
                )));
            }
            verify_partial(election.base_hash(), ceremony, label, c, p)?;
            Ok(())
        })
}

/// Combines the shares of `trustees` (already checked) for every aggregate, in order.
///
/// # Errors
/// Fewer than `k` distinct trustees, or a repeated one.
pub fn combine_all(
    ceremony: &Ceremony,
    items: &[(String, amanat::Ciphertext)],
    trustees: &[TrusteeDecryption],
) -> ToolResult<Vec<Combined>> {
    items
        .iter()
        .enumerate()
        .map(|(i, (label, c))| {
            let partials: Vec<_> = trustees
                .iter()
                .filter_map(|t| t.partials.get(i).cloned())
                .collect();
            Ok(Combined {
                label: label.clone(),
                value: combine(ceremony, c, &partials)?,
            })
        })
        .collect()
}

/// Recovers the counts from the combined values: an option's count is at most the number of
/// counted ballots holding its contest.
///
/// # Errors
/// [`ToolError::Invalid`] when a value is not `v·G` for a count in range.
pub fn counts(tally: &Tally, combined: &[Combined]) -> ToolResult<Counts> {
    let max = tally.contests.iter().map(|c| c.ballots).max().unwrap_or(0);
    let table = DlogTable::new(max);
    let mut out = Counts::new();
    let mut values = combined.iter();
    for c in &tally.contests {
        let contest = out.entry(c.id.clone()).or_default();
        for o in &c.options {
            let v = values.next().ok_or_else(|| {
                ToolError::Invalid("fewer combined values than aggregates".into())
            })?;
            let p: RistrettoPoint = *v.value.point();
            let n = table.solve(&p).ok_or_else(|| {
                ToolError::Invalid(format!(
                    "{} does not decrypt to a count up to {max}",
                    v.label
                ))
            })?;
            contest.insert(o.id.clone(), n);
        }
    }
    Ok(out)
}

/// Decrypts the tally with the trustees' documents: checks each, drops a trustee whose
/// document does not verify (reporting it on stderr), needs `k` good ones, combines and
/// recovers the counts.
///
/// # Errors
/// The ceremony is not the election's, fewer than `k` trustees gave good shares, or a count
/// cannot be recovered.
pub fn decrypt(
    election: &Election,
    ceremony: &Ceremony,
    tally: &Tally,
    docs: Vec<TrusteeDecryption>,
) -> ToolResult<(Decryption, Counts)> {
    ceremony.check_election(election)?;
    if tally.election != *election.base_hash() {
        return Err(ToolError::Invalid(
            "the tally is for another election".into(),
        ));
    }
    let items = tally.items();
    let mut seen = BTreeSet::new();
    let mut good = Vec::new();
    for doc in docs {
        if !seen.insert(doc.trustee) {
            return Err(ToolError::Invalid(format!(
                "two decryption documents from trustee {}",
                doc.trustee
            )));
        }
        match check_trustee(election, ceremony, &items, &doc) {
            Ok(()) => good.push(doc),
            Err(e) => eprintln!("amanat: trustee {}'s shares rejected: {e}", doc.trustee),
        }
    }
    good.sort_by_key(|d| d.trustee);
    if (good.len() as u32) < election.threshold() {
        return Err(ToolError::Threshold(
            crate::threshold::ThresholdError::TooFewTrustees {
                have: good.len(),
                need: election.threshold(),
            },
        ));
    }
    let combined = combine_all(ceremony, &items, &good)?;
    let results = counts(tally, &combined)?;
    Ok((
        Decryption {
            election: *election.base_hash(),
            trustees: good,
            combined,
        },
        results,
    ))
}

/// The documents of a complete record, in memory.
pub struct Record<'a> {
    /// election.json text.
    pub election: &'a str,
    /// credentials.json text.
    pub credentials: &'a str,
    /// ceremony.json text.
    pub ceremony: &'a str,
    /// The board.
    pub board: &'a BoardFile,
    /// The tally.
    pub tally: &'a Tally,
    /// The decryption.
    pub decryption: &'a Decryption,
    /// The counts.
    pub results: &'a Counts,
}

/// Writes a record directory.
///
/// # Errors
/// [`ToolError::Io`].
pub fn write_record(out: &Path, r: &Record<'_>) -> ToolResult<()> {
    files::write_public(&out.join(names::ELECTION), r.election)?;
    files::write_public(&out.join(names::CREDENTIALS), r.credentials)?;
    files::write_public(&out.join(names::CEREMONY), r.ceremony)?;
    files::write_json_compact(&out.join(names::BOARD), r.board)?;
    files::write_json(&out.join(names::TALLY), r.tally)?;
    files::write_json(&out.join(names::DECRYPTION), r.decryption)?;
    files::write_json(
        &out.join(names::RESULTS),
        &ResultsFile {
            results: r.results.clone(),
        },
    )
}

/// `amanat combine`: check the trustees' shares, combine them, recover the counts and write
/// the whole election record.
#[derive(Args, Debug)]
pub struct CombineArgs {
    /// The election directory (election.json, credentials.json, ceremony.json).
    #[arg(long)]
    pub election: PathBuf,
    /// The ceremony transcript, if not the election directory's ceremony.json.
    #[arg(long)]
    pub ceremony: Option<PathBuf>,
    /// The board the tally was made from (board.json from `amanat export-board`).
    #[arg(long)]
    pub board: PathBuf,
    /// tally.json from `amanat tally`.
    #[arg(long)]
    pub tally: PathBuf,
    /// The trustees' partial-J.json files from `amanat trustee decrypt` (at least k).
    #[arg(long, num_args = 1.., required = true)]
    pub partials: Vec<PathBuf>,
    /// The record directory to write (results.json inside).
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `amanat combine`.
///
/// # Errors
/// Unreadable or inconsistent inputs, too few good trustees.
pub fn run(args: CombineArgs) -> ToolResult<()> {
    let dir = ElectionDir::open(&args.election)?;
    let election = dir.election()?;
    dir.credentials(&election)?;
    let ceremony_path = args
        .ceremony
        .clone()
        .unwrap_or_else(|| dir.path(names::CEREMONY));
    let ceremony = read_ceremony(&ceremony_path)?;
    ceremony.verify()?;
    let board = BoardFile::read(&args.board)?;
    board.check(&election)?;
    let tally = Tally::read(&args.tally)?;
    if tally.board_head != board.head {
        return Err(ToolError::Invalid(
            "the tally was made from another board (head differs)".into(),
        ));
    }
    let docs = args
        .partials
        .iter()
        .map(|p| files::read_json::<TrusteeDecryption>(p))
        .collect::<ToolResult<Vec<_>>>()?;
    let (decryption, results) = decrypt(&election, &ceremony, &tally, docs)?;
    write_record(
        &args.out,
        &Record {
            election: &files::read_text(&dir.path(names::ELECTION))?,
            credentials: &files::read_text(&dir.path(names::CREDENTIALS))?,
            ceremony: &files::read_text(&ceremony_path)?,
            board: &board,
            tally: &tally,
            decryption: &decryption,
            results: &results,
        },
    )?;
    let trustees: Vec<String> = decryption
        .trustees
        .iter()
        .map(|t| t.trustee.to_string())
        .collect();
    println!(
        "decrypted with trustees {} of {}",
        trustees.join(", "),
        election.trustees()
    );
    print_results(&election, &results);
    println!("record: {}", args.out.display());
    Ok(())
}

/// Prints the counts, contest by contest, with the candidates' English names.
pub fn print_results(election: &Election, results: &Counts) {
    for c in &election.manifest().contests {
        println!("{} ({})", c.id, c.name.en);
        for o in &c.options {
            let n = results.get(&c.id).and_then(|r| r.get(&o.id)).copied();
            println!("  {:>8}  {}", n.unwrap_or(0), o.name.en);
        }
    }
}
