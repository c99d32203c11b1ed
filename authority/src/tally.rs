//! `amanat tally` (docs/record.md §3): over the closed board, the latest valid cast ballot of
//! each credential is counted, challenged ballots never are, and each option's ciphertexts
//! are summed per contest. The rules are the record library's
//! ([`amanat_record::counting`]); this command reads the files and verifies the ballots in
//! parallel.

use std::path::{Path, PathBuf};

use amanat::{BoardEntry, CredentialList, Election};
pub use amanat_record::counting::{
    aggregate, select, verify_batch, verify_one_by_one, BoardScan, Listed, Selection, Sums,
    CHALLENGED, REPLAYED, VERIFY_BATCH,
};
pub use amanat_record::documents::{label, ContestTally, OptionTally, Rejected, Tally};
use clap::Args;
use rayon::prelude::*;

use crate::board_file::{self, BoardFile, BoardReader, Chain};
use crate::election_dir::ElectionDir;
use crate::error::{ToolError, ToolResult};
use crate::files;

/// `amanat tally`: sum the counted ballots of a closed board into one ciphertext per option.
#[derive(Args, Debug)]
pub struct TallyArgs {
    /// The election directory (election.json, credentials.json).
    #[arg(long)]
    pub election: PathBuf,
    /// The board exported by `amanat export-board` (board.jsonl).
    #[arg(long)]
    pub board: PathBuf,
    /// Where to write tally.json.
    #[arg(long)]
    pub out: PathBuf,
    /// Tally a board whose polls are not closed (a rehearsal; never for results).
    #[arg(long)]
    pub allow_open: bool,
}

/// Reads `tally.json`.
///
/// # Errors
/// [`ToolError::Io`] or [`ToolError::Document`].
pub fn read(path: &Path) -> ToolResult<Tally> {
    files::read_json(path)
}

/// Verifies every ballot of `entries` (proofs, signature, listed credential and its style),
/// in parallel over batches of [`VERIFY_BATCH`] ballots, each batch checked as one random
/// linear combination ([`verify_batch`]). Returns, per entry, `Ok` or the core error.
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
            let results = verify_batch(election, list, chunk);
            chunk.iter().for_each(|_| progress());
            results
        })
        .collect()
}

/// [`verify_ballots`] one ballot at a time, each with its own combined check
/// ([`verify_one_by_one`]), in parallel: kept to measure the two side by side.
pub fn verify_ballots_one_by_one(
    election: &Election,
    list: &CredentialList,
    entries: &[BoardEntry],
) -> Vec<Result<(), amanat::Error>> {
    entries
        .par_chunks(VERIFY_BATCH)
        .flat_map_iter(|chunk| verify_one_by_one(election, list, chunk))
        .collect()
}

/// Tallies a board: checks its chain, verifies every ballot, selects (the library's
/// [`BoardScan`]) and sums the counted ballots in parallel ([`Sums`]).
///
/// # Errors
/// The board is for another election or its chain is broken.
pub fn compute(election: &Election, list: &CredentialList, board: &BoardFile) -> ToolResult<Tally> {
    board.check(election)?;
    let verified = verify_ballots(election, list, &board.entries, &|| {});
    let selection = select(list, &board.entries, &verified);
    let counted: Vec<Listed> = selection.counted().collect();
    let sums = counted
        .par_iter()
        .fold(
            || Sums::new(election),
            |mut sums, c| {
                if let Some(e) = usize::try_from(c.index)
                    .ok()
                    .and_then(|i| board.entries.get(i))
                {
                    sums.add(&e.ballot);
                }
                sums
            },
        )
        .reduce(
            || Sums::new(election),
            |mut a, b| {
                a.merge(b);
                a
            },
        );
    tally_of(
        election,
        board.head,
        board.entries.len() as u64,
        sums.finish(election),
        &selection,
    )
}

/// Tallies a board file as a stream, in two passes over it, holding a window of entries at
/// a time: the first checks the chain, verifies every ballot (in parallel) and applies the
/// counting rules ([`BoardScan`]: 120 bytes per entry, the tracking hash kept in full for
/// the lists, never a ballot); the second sums the counted ballots' ciphertexts ([`Sums`]).
/// Refuses a board whose polls are open unless `allow_open`.
///
/// # Errors
/// Unreadable board, another election's, a broken chain, or an open board.
pub fn compute_file(
    election: &Election,
    list: &CredentialList,
    path: &Path,
    allow_open: bool,
) -> ToolResult<Tally> {
    let mut reader = BoardReader::open(path)?;
    if !reader.header.closed && !allow_open {
        return Err(ToolError::Invalid(
            "the polls are still open on this board: close them first (or --allow-open for a rehearsal)".into(),
        ));
    }
    let header = reader.header.clone();
    let mut chain = Chain::new(election, &header)?;
    let mut scan = BoardScan::keeping_hashes(list);
    scan.expect(header.entries);
    loop {
        let lines = reader.next_lines(board_file::window())?;
        if lines.is_empty() {
            break;
        }
        for (batch, verified) in reader.parse(&lines, chain.entries(), |entries| {
            verify_batch(election, list, entries)
        })? {
            for (e, v) in batch.iter().zip(&verified) {
                chain.push(e);
                scan.push(list, e, v);
            }
        }
    }
    let entries = chain.finish()?;
    let (selection, _) = scan.finish();

    // Second pass: the counted entries' ciphertexts, summed in parallel.
    let counted: Vec<u64> = selection.counted().map(|c| c.index).collect();
    let mut reader = BoardReader::open(path)?;
    if reader.header != header {
        return Err(ToolError::Invalid(format!(
            "{}: the board changed while it was tallied",
            path.display()
        )));
    }
    let mut sums = Sums::new(election);
    let mut read = 0u64;
    loop {
        let lines = reader.next_lines(board_file::window())?;
        if lines.is_empty() {
            break;
        }
        for (_, part) in reader.parse(&lines, read, |batch| {
            let mut part = Sums::new(election);
            for e in batch {
                if counted.binary_search(&e.index).is_ok() {
                    part.add(&e.ballot);
                }
            }
            part
        })? {
            sums.merge(part);
        }
        read += lines.len() as u64;
    }
    tally_of(
        election,
        header.head,
        entries,
        sums.finish(election),
        &selection,
    )
}

/// The tally of `selection` (made by a scan that kept the tracking hashes,
/// [`BoardScan::keeping_hashes`]) and the aggregates `contests`.
fn tally_of(
    election: &Election,
    board_head: amanat::Digest,
    board_entries: u64,
    contests: Vec<ContestTally>,
    selection: &Selection,
) -> ToolResult<Tally> {
    fn hashes<T>(list: Option<T>) -> ToolResult<T> {
        list.ok_or_else(|| {
            ToolError::Invalid("the tracking hashes were not kept for the tally".into())
        })
    }
    Ok(Tally {
        election: *election.base_hash(),
        board_head,
        board_entries,
        contests,
        counted: hashes(selection.tracking(selection.counted()))?,
        superseded: hashes(selection.tracking(selection.superseded()))?,
        challenged: hashes(selection.tracking(selection.challenged()))?,
        rejected: hashes(selection.rejected_entries())?,
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
    let tally = compute_file(&election, &list, &args.board, args.allow_open)?;
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
