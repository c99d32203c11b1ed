//! Combining the trustees' decryption shares into results, and writing the election record
//! (docs/record.md): everything a verifier needs to re-check the election from scratch.

use std::path::{Path, PathBuf};

use amanat::Election;
use clap::Args;

use crate::board_file::{self, BoardReader, BoardWriter, Chain};
use crate::election_dir::{read_ceremony, ElectionDir};
use crate::error::{ToolError, ToolResult};
use crate::files;
use crate::tally::{self, Tally};
use crate::threshold::{Ceremony, TrusteeDecryption};

pub use amanat_record::decryption::{check_trustee, combine_all, counts};
pub use amanat_record::documents::{names, Combined, Counts, Decryption, ResultsFile};

/// Decrypts the tally with the trustees' documents ([`amanat_record::decryption::decrypt`]),
/// reporting on stderr each trustee whose document is dropped because it does not verify.
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
    Ok(amanat_record::decryption::decrypt(
        election,
        ceremony,
        tally,
        docs,
        &mut |j, e| eprintln!("amanat: trustee {j}'s shares rejected: {e}"),
    )?)
}

/// The documents of a complete record, in memory.
pub struct Record<'a> {
    /// election.json text.
    pub election: &'a str,
    /// credentials.json text.
    pub credentials: &'a str,
    /// ceremony.json text.
    pub ceremony: &'a str,
    /// The tally.
    pub tally: &'a Tally,
    /// The decryption.
    pub decryption: &'a Decryption,
    /// The counts.
    pub results: &'a Counts,
}

/// Writes a record directory's documents other than the board (which its maker streams
/// into `board.jsonl`).
///
/// # Errors
/// [`ToolError::Io`].
pub fn write_record(out: &Path, r: &Record<'_>) -> ToolResult<()> {
    files::write_public(&out.join(names::ELECTION), r.election)?;
    files::write_public(&out.join(names::CREDENTIALS), r.credentials)?;
    files::write_public(&out.join(names::CEREMONY), r.ceremony)?;
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
    /// The board the tally was made from (board.jsonl from `amanat export-board`).
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
    let tally = tally::read(&args.tally)?;
    // The board, checked as it is copied into the record line by line.
    let mut reader = BoardReader::open(&args.board)?;
    if tally.board_head != reader.header.head {
        return Err(ToolError::Invalid(
            "the tally was made from another board (head differs)".into(),
        ));
    }
    let mut chain = Chain::new(&election, &reader.header)?;
    let mut copy = BoardWriter::create(&args.out.join(names::BOARD), &reader.header)?;
    loop {
        let lines = reader.next_lines(board_file::window())?;
        if lines.is_empty() {
            break;
        }
        for (batch, ()) in reader.parse(&lines, chain.entries(), |_| ())? {
            batch.iter().for_each(|e| chain.push(e));
        }
        for l in &lines {
            copy.line(l)?;
            copy.line("\n")?;
        }
    }
    chain.finish()?;
    let docs = args
        .partials
        .iter()
        .map(|p| files::read_json::<TrusteeDecryption>(p))
        .collect::<ToolResult<Vec<_>>>()?;
    let (decryption, results) = decrypt(&election, &ceremony, &tally, docs)?;
    copy.finish()?;
    write_record(
        &args.out,
        &Record {
            election: &files::read_text(&dir.path(names::ELECTION))?,
            credentials: &files::read_text(&dir.path(names::CREDENTIALS))?,
            ceremony: &files::read_text(&ceremony_path)?,
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
