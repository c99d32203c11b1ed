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

use crate::board_file::{self, BoardFile};
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
    let sums = selection
        .counted
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
    Ok(Tally {
        election: *election.base_hash(),
        board_head: board.head,
        board_entries: board.entries.len() as u64,
        contests: sums.finish(election),
        counted: Selection::tracking(&selection.counted),
        superseded: Selection::tracking(&selection.superseded),
        challenged: Selection::tracking(&selection.challenged),
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
    let board = board_file::read(&args.board)?;
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
