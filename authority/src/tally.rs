//! The homomorphic tally (docs/record.md §3): over the closed board, the latest valid cast
//! ballot of each credential is counted, challenged ballots never are, and each option's
//! ciphertexts are summed per contest.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use amanat::{BoardEntry, Ciphertext, CredentialList, Digest, Election, EntryKind, Point};
use clap::Args;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::Identity;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::board_file::BoardFile;
use crate::election_dir::ElectionDir;
use crate::error::{ToolError, ToolResult};
use crate::files;

/// `amanat tally`: sum the counted ballots of a closed board into one ciphertext per option.
#[derive(Args, Debug)]
pub struct TallyArgs {
    /// The election directory (election.json, credentials.json).
    #[arg(long)]
    pub election: PathBuf,
    /// The board exported by `amanat export-board`.
    #[arg(long)]
    pub board: PathBuf,
    /// Where to write tally.json.
    #[arg(long)]
    pub out: PathBuf,
    /// Tally a board whose polls are not closed (a rehearsal; never for results).
    #[arg(long)]
    pub allow_open: bool,
}

/// One option's aggregate ciphertext.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionTally {
    /// The option id.
    pub id: String,
    /// The sum of the option's ciphertexts over the counted ballots of the contest.
    pub ciphertext: Ciphertext,
}

/// One contest's aggregates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestTally {
    /// The contest id.
    pub id: String,
    /// How many counted ballots hold this contest.
    pub ballots: u64,
    /// The options, in manifest order.
    pub options: Vec<OptionTally>,
}

/// A cast entry that is not counted because its ballot does not verify.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rejected {
    /// The board index.
    pub index: u64,
    /// The tracking hash.
    pub tracking: Digest,
    /// Why: the core error code of a ballot that does not verify (e.g.
    /// `VERIFICATION_FAILED`, `UNKNOWN_CREDENTIAL`), or the board rule it breaks
    /// ([`REPLAYED`], [`CHALLENGED`]).
    pub code: String,
}

/// `tally.json`: the aggregates and which ballots they count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    /// The election base hash.
    pub election: Digest,
    /// The head of the board that was tallied.
    pub board_head: Digest,
    /// How many entries the board had.
    pub board_entries: u64,
    /// Aggregates per contest, in manifest order.
    pub contests: Vec<ContestTally>,
    /// Tracking hashes of the counted ballots, in board order.
    pub counted: Vec<Digest>,
    /// Tracking hashes of valid cast ballots replaced by a later ballot of the same
    /// credential, in board order.
    pub superseded: Vec<Digest>,
    /// Tracking hashes of challenged ballots, in board order.
    pub challenged: Vec<Digest>,
    /// Cast entries that do not verify or break a board rule (an honest ballot box never
    /// posts one; listed, not counted).
    pub rejected: Vec<Rejected>,
}

/// The label of one option's aggregate in partial decryptions: `"<contest>/<option>"`.
pub fn label(contest: &str, option: &str) -> String {
    format!("{contest}/{option}")
}

impl Tally {
    /// Every aggregate with its label, in order: what the trustees decrypt.
    pub fn items(&self) -> Vec<(String, Ciphertext)> {
        self.contests
            .iter()
            .flat_map(|c| {
                c.options
                    .iter()
                    .map(|o| (label(&c.id, &o.id), o.ciphertext))
            })
            .collect()
    }

    /// Reads `tally.json`.
    ///
    /// # Errors
    /// [`ToolError::Io`] or [`ToolError::Document`].
    pub fn read(path: &std::path::Path) -> ToolResult<Tally> {
        files::read_json(path)
    }
}

/// Which cast ballots count: the outcome of [`select`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// Board indices of counted entries, ascending.
    pub counted: Vec<usize>,
    /// Board indices of valid cast entries replaced by a later one, ascending.
    pub superseded: Vec<usize>,
    /// Board indices of challenge entries.
    pub challenged: Vec<usize>,
    /// Cast entries whose ballot does not verify.
    pub rejected: Vec<Rejected>,
}

/// How many ballots go into one combined check of [`verify_ballots`]: enough for the
/// multiscalar multiplication to cost clearly less per point than one ballot's alone, few
/// enough that the two cores stay busy and a failed batch is cheap to redo one by one.
pub const VERIFY_BATCH: usize = 64;

/// Verifies every ballot on the board (proofs, signature, listed credential and its style),
/// in parallel over batches of [`VERIFY_BATCH`] ballots, each batch checked as one random
/// linear combination (`Ballot::verify_many`; a batch that fails is redone ballot by ballot,
/// so every bad ballot is still named). Returns, per entry, `Ok` or the core error.
/// `progress` is called once per verified ballot.
pub fn verify_ballots(
    election: &Election,
    list: &CredentialList,
    entries: &[BoardEntry],
    progress: &(dyn Fn() + Sync),
) -> Vec<Result<(), amanat::Error>> {
    entries
        .par_chunks(VERIFY_BATCH)
        .flat_map_iter(|chunk| {
            let ballots: Vec<&amanat::Ballot> = chunk.iter().map(|e| &e.ballot).collect();
            let results = amanat::Ballot::verify_many(&ballots, election, list);
            chunk.iter().for_each(|_| progress());
            results
        })
        .collect()
}

/// [`verify_ballots`] one ballot at a time, each with its own combined check: the way it was
/// done before batching across ballots, kept to measure the two side by side.
pub fn verify_ballots_one_by_one(
    election: &Election,
    list: &CredentialList,
    entries: &[BoardEntry],
) -> Vec<Result<(), amanat::Error>> {
    entries
        .par_iter()
        .map(|e| e.ballot.verify_listed(election, list))
        .collect()
}

/// The code of a cast entry that repeats a tracking hash already cast earlier on the board
/// (a replay: the box stores a ballot once, so only a dishonest box posts one).
pub const REPLAYED: &str = "REPLAYED";
/// The code of a cast entry whose tracking hash is also challenged on the board (a ballot
/// both opened and cast: only a dishonest box posts one).
pub const CHALLENGED: &str = "ALREADY_CHALLENGED";

/// Chooses the counted ballots (docs/record.md §3): a cast entry is *eligible* when its
/// ballot verifies (`verified[i]` is `Ok`), no challenge entry carries its tracking hash and
/// no earlier cast entry does; the latest eligible entry of each credential, in board order,
/// is counted and earlier eligible ones are superseded. Cast entries that break a board rule
/// (a replay, a challenged ballot cast) are rejected with [`REPLAYED`] or [`CHALLENGED`], so
/// a dishonest box cannot count an earlier ballot again by re-posting it after a revote.
pub fn select(entries: &[BoardEntry], verified: &[Result<(), amanat::Error>]) -> Selection {
    let challenged: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EntryKind::Challenge)
        .map(|(i, _)| i)
        .collect();
    let spoiled: BTreeSet<[u8; 64]> = challenged.iter().map(|&i| entries[i].tracking.0).collect();
    let mut cast_before: BTreeSet<[u8; 64]> = BTreeSet::new();
    let mut latest: HashMap<[u8; 32], usize> = HashMap::new();
    let mut eligible = Vec::new();
    let mut rejected = Vec::new();
    for (i, (e, ok)) in entries.iter().zip(verified).enumerate() {
        if e.kind != EntryKind::Cast {
            continue;
        }
        let code = if !cast_before.insert(e.tracking.0) {
            Some(REPLAYED)
        } else if spoiled.contains(&e.tracking.0) {
            Some(CHALLENGED)
        } else {
            ok.as_ref().err().map(amanat::Error::code)
        };
        if let Some(code) = code {
            rejected.push(Rejected {
                index: e.index,
                tracking: e.tracking,
                code: code.to_string(),
            });
            continue;
        }
        eligible.push(i);
        latest.insert(e.ballot.credential.to_bytes(), i);
    }
    let counted_set: BTreeSet<usize> = latest.into_values().collect();
    let superseded = eligible
        .into_iter()
        .filter(|i| !counted_set.contains(i))
        .collect();
    Selection {
        counted: counted_set.into_iter().collect(),
        superseded,
        challenged,
        rejected,
    }
}

/// Sums each option's ciphertexts over the counted entries, per contest of the manifest
/// (in parallel, compressing each sum once at the end).
pub fn aggregate(
    election: &Election,
    entries: &[BoardEntry],
    counted: &[usize],
) -> Vec<ContestTally> {
    let contests = &election.manifest().contests;
    // Flat slot per (contest, option); a contest's ballot count per contest.
    let mut slot: HashMap<(&str, &str), usize> = HashMap::new();
    let mut contest_slot: HashMap<&str, usize> = HashMap::new();
    for (ci, c) in contests.iter().enumerate() {
        contest_slot.insert(c.id.as_str(), ci);
        for o in &c.options {
            let n = slot.len();
            slot.insert((c.id.as_str(), o.id.as_str()), n);
        }
    }
    let zero = || {
        (
            vec![(RistrettoPoint::identity(), RistrettoPoint::identity()); slot.len()],
            vec![0u64; contests.len()],
        )
    };
    let (sums, ballots) = counted
        .par_iter()
        .fold(zero, |(mut sums, mut ballots), &i| {
            for c in &entries[i].ballot.contests {
                if let Some(&ci) = contest_slot.get(c.id.as_str()) {
                    ballots[ci] += 1;
                }
                for s in &c.selections {
                    if let Some(&k) = slot.get(&(c.id.as_str(), s.id.as_str())) {
                        sums[k].0 += s.ciphertext.a.point();
                        sums[k].1 += s.ciphertext.b.point();
                    }
                }
            }
            (sums, ballots)
        })
        .reduce(zero, |(mut s1, mut b1), (s2, b2)| {
            for (x, y) in s1.iter_mut().zip(s2) {
                x.0 += y.0;
                x.1 += y.1;
            }
            for (x, y) in b1.iter_mut().zip(b2) {
                *x += y;
            }
            (s1, b1)
        });
    contests
        .iter()
        .enumerate()
        .map(|(ci, c)| ContestTally {
            id: c.id.clone(),
            ballots: ballots[ci],
            options: c
                .options
                .iter()
                .map(|o| {
                    let (a, b) = slot.get(&(c.id.as_str(), o.id.as_str())).map_or(
                        (RistrettoPoint::identity(), RistrettoPoint::identity()),
                        |&k| sums[k],
                    );
                    OptionTally {
                        id: o.id.clone(),
                        ciphertext: Ciphertext {
                            a: Point::from_point(a),
                            b: Point::from_point(b),
                        },
                    }
                })
                .collect(),
        })
        .collect()
}

/// Tallies a board: checks its chain, verifies every ballot, selects and sums.
///
/// # Errors
/// The board is for another election or its chain is broken.
pub fn compute(election: &Election, list: &CredentialList, board: &BoardFile) -> ToolResult<Tally> {
    board.check(election)?;
    let verified = verify_ballots(election, list, &board.entries, &|| {});
    let selection = select(&board.entries, &verified);
    let tracking = |ix: &[usize]| ix.iter().map(|&i| board.entries[i].tracking).collect();
    Ok(Tally {
        election: *election.base_hash(),
        board_head: board.head,
        board_entries: board.entries.len() as u64,
        contests: aggregate(election, &board.entries, &selection.counted),
        counted: tracking(&selection.counted),
        superseded: tracking(&selection.superseded),
        challenged: tracking(&selection.challenged),
        rejected: selection.rejected,
    })
}

/// Runs `amanat tally`.
///
/// # Errors
/// Unreadable inputs, a broken board, or an open board without `--allow-open`.
pub fn run(args: TallyArgs) -> ToolResult<()> {
    let dir = ElectionDir::open(&args.election)?;
    let election = dir.election()?;
    let list = dir.credentials(&election)?;
    let board = BoardFile::read(&args.board)?;
    if !board.closed && !args.allow_open {
        return Err(ToolError::Invalid(
            "the polls are still open on this board: close them first (or --allow-open for a rehearsal)".into(),
        ));
    }
    let tally = compute(&election, &list, &board)?;
    files::write_json(&args.out, &tally)?;
    println!(
        "tallied {} board entries: {} counted, {} replaced by a later ballot, {} challenged, {} rejected",
        tally.board_entries,
        tally.counted.len(),
        tally.superseded.len(),
        tally.challenged.len(),
        tally.rejected.len()
    );
    println!("aggregates: {}", args.out.display());
    Ok(())
}
