//! A rehearsal of a whole election in one process (`amanat simulate`): key ceremony,
//! credentials, voters sealing random ballots through the same code the voter page uses
//! (some challenging first, some voting again later), the board, the tally, a decryption by
//! only `k` of the `n` trustees, and the complete record, with the counts it expects.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use amanat::{
    BoardEntry, Credential, CredentialList, Election, EntryKind, Manifest, SealedBallot, Selections,
};
use clap::Args;
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, OsRng, RngCore, SeedableRng};
use rayon::prelude::*;

use crate::board_file::{self, BoardHeader, BoardWriter};
use crate::credentials;
use crate::error::{ToolError, ToolResult};
use crate::files;
use crate::record::names;
use crate::record::{self, Counts, Decryption, Record, ResultsFile};
use crate::tally::{self, Tally};
use crate::threshold::{
    partial_decrypt, run_local_ceremony, Ceremony, CeremonyParams, TrusteeDecryption,
};

/// The demo manifest, used when `--manifest` is not given.
pub const DEMO_MANIFEST: &str = include_str!("../demo/manifest.json");

/// `amanat simulate`: run a whole election locally and write its record.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// How many voters.
    #[arg(long)]
    pub voters: u64,
    /// Output directory: the record goes to OUT/record, the expected counts to
    /// OUT/expected.json.
    #[arg(long)]
    pub out: PathBuf,
    /// Seed for a reproducible run (random otherwise).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of trustees n.
    #[arg(long, default_value_t = 3)]
    pub trustees: u32,
    /// Decryption threshold k (only k trustees take part in the decryption).
    #[arg(long, default_value_t = 2)]
    pub threshold: u32,
    /// The manifest (the demo election's by default).
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// Percentage of voters who challenge a ballot before casting.
    #[arg(long, default_value_t = 10)]
    pub challenge_percent: u32,
    /// Percentage of voters who vote again later (the later ballot counts).
    #[arg(long, default_value_t = 15)]
    pub revote_percent: u32,
}

/// What to simulate.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Number of voters.
    pub voters: u64,
    /// Trustees n.
    pub trustees: u32,
    /// Threshold k.
    pub threshold: u32,
    /// Percentage of voters who challenge once before casting.
    pub challenge_percent: u32,
    /// Percentage of voters who cast a second ballot later.
    pub revote_percent: u32,
    /// The seed every random choice derives from.
    pub seed: [u8; 32],
}

/// A simulated election, its record written: what the record holds beside the board, and
/// the counts chosen in plaintext.
pub struct Simulation {
    /// The election.
    pub election: Election,
    /// The credential list.
    pub list: CredentialList,
    /// The ceremony transcript.
    pub ceremony: Ceremony,
    /// How many entries the board has (it is in OUT/record/board.jsonl).
    pub entries: u64,
    /// The tally.
    pub tally: Tally,
    /// The decryption by k trustees.
    pub decryption: Decryption,
    /// The decrypted counts.
    pub results: Counts,
    /// The counts of the voters' last cast choices, as chosen.
    pub expected: Counts,
}

/// One voter's submissions in one phase (0: the first voting day, 1: later, when revotes
/// come in), in order, and the choices of the phase's cast ballot.
struct Submissions {
    events: Vec<(EntryKind, amanat::Ballot, Option<amanat::Challenge>)>,
    cast: Selections,
}

/// Random valid choices for a ballot style: in each contest, between min and max distinct
/// options.
pub fn random_choices<R: RngCore>(
    manifest: &Manifest,
    style: &str,
    rng: &mut R,
) -> ToolResult<Selections> {
    let mut out = Selections::new();
    for c in manifest.style_contests(style)? {
        let span = c.max_selections.saturating_sub(c.min_selections) + 1;
        let n = (c.min_selections + rng.next_u32() % span).min(c.options.len() as u32);
        let mut ids: Vec<&str> = c.options.iter().map(|o| o.id.as_str()).collect();
        let mut chosen = Vec::new();
        for _ in 0..n {
            let i = rng.next_u32() as usize % ids.len();
            chosen.push(ids.swap_remove(i).to_string());
        }
        out.insert(c.id.clone(), chosen);
    }
    Ok(out)
}

fn percent<R: RngCore>(rng: &mut R, p: u32) -> bool {
    rng.next_u32() % 100 < p
}

/// Voter `v`'s decisions, the first draws of its own random stream: whether it challenges a
/// ballot before casting, and whether it votes again later; and the stream after them.
fn decide(plan: &Plan, v: u64) -> (bool, bool, ChaCha20Rng) {
    let mut rng = stream(&plan.seed, 1 + v);
    let challenge = percent(&mut rng, plan.challenge_percent);
    let revote = percent(&mut rng, plan.revote_percent);
    (challenge, revote, rng)
}

/// What voter `v` (of `n`) submits in `phase`: on the first day a challenged ballot if it
/// decided so, then its cast ballot; later, its second cast ballot (from a stream of its own,
/// so each phase can be sealed without the other).
fn vote(
    election: &Election,
    code: &str,
    style: &str,
    plan: &Plan,
    (v, n, phase): (u64, u64, u8),
) -> ToolResult<Submissions> {
    // The page's path: the typed code gives the credential; choices are sealed on the device.
    let credential = Credential::from_code(election, code)?;
    let manifest = election.manifest();
    let mut events = Vec::new();
    let (challenge, _, mut rng) = decide(plan, v);
    if phase == 1 {
        rng = stream(&plan.seed, 1 + n + v);
    } else if challenge {
        let choices = random_choices(manifest, style, &mut rng)?;
        let sealed = SealedBallot::seal(election, &credential, &choices, &mut rng)?;
        let ballot = sealed.ballot().clone();
        events.push((EntryKind::Challenge, ballot, Some(sealed.challenge())));
    }
    let cast = random_choices(manifest, style, &mut rng)?;
    let sealed = SealedBallot::seal(election, &credential, &cast, &mut rng)?;
    events.push((EntryKind::Cast, sealed.cast(), None));
    Ok(Submissions { events, cast })
}

/// Voters sealed at once, in parallel, before their entries are written in order.
const SEAL_WINDOW: usize = 512;

/// An RFC 3339 UTC timestamp `seconds` after 2026-11-22T08:00:00Z.
pub fn timestamp(seconds: u64) -> String {
    let start = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_334_400);
    crate::server::rfc3339(start + std::time::Duration::from_secs(seconds))
}

fn stream(seed: &[u8; 32], n: u64) -> ChaCha20Rng {
    let mut rng = ChaCha20Rng::from_seed(*seed);
    rng.set_stream(n);
    rng
}

fn shuffle<T, R: RngCore>(items: &mut [T], rng: &mut R) {
    for i in (1..items.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// Runs the whole election and writes its record to `OUT/record` and the counts chosen to
/// `OUT/expected.json`. The board is streamed: voters are sealed a window at a time in
/// parallel (all first-day submissions in a shuffled order, then the revotes, shuffled) and
/// their entries written as they are chained, so memory does not grow with the voters'
/// ballots; the tally then reads the written board as `amanat tally` does.
///
/// # Errors
/// Bad parameters or manifest, an output error; any other error is a bug in the tools.
pub fn simulate(manifest: Manifest, plan: &Plan, out: &Path) -> ToolResult<Simulation> {
    if plan.voters == 0 {
        return Err(ToolError::Invalid("simulate at least one voter".into()));
    }
    let mut setup = stream(&plan.seed, 0);
    let params = CeremonyParams::new(&manifest.election_id, plan.trustees, plan.threshold)?;
    let (ceremony, shares) = run_local_ceremony(&params, &mut setup)?;
    let counts = credentials::spread(&manifest, plan.voters);
    let issued = credentials::generate(&manifest, &counts, &mut setup)?;
    // The rehearsal's box signs no receipts; its key defines the election and signs the
    // closing statement.
    let box_key = crate::box_key::BoxKey::generate(&mut setup);
    let election =
        crate::election_dir::create(manifest, &ceremony, &issued.list, *box_key.public())?;

    let n = issued.codes.len() as u64;
    let revotes: Vec<bool> = (0..n).map(|v| decide(plan, v).1).collect();
    let mut first: Vec<u64> = (0..n).collect();
    shuffle(&mut first, &mut setup);
    let mut later: Vec<u64> = (0..n).filter(|&v| revotes[v as usize]).collect();
    shuffle(&mut later, &mut setup);

    let mut expected: Counts = election
        .manifest()
        .contests
        .iter()
        .map(|c| {
            let zero = c.options.iter().map(|o| (o.id.clone(), 0)).collect();
            (c.id.clone(), zero)
        })
        .collect();
    let dir = out.join("record");
    let entries_path = dir.join("board.entries.tmp");
    std::fs::create_dir_all(&dir).map_err(|e| ToolError::io(&dir, e))?;
    let file = std::fs::File::create(&entries_path).map_err(|e| ToolError::io(&entries_path, e))?;
    let mut entries = std::io::BufWriter::with_capacity(1 << 16, file);
    let mut prev = amanat::board::genesis(&election);
    let mut index = 0u64;
    for (phase, voters) in [(0u8, &first), (1, &later)] {
        for window in voters.chunks(SEAL_WINDOW) {
            let sealed = window
                .par_iter()
                .map(|&v| {
                    let c = &issued.codes[v as usize];
                    vote(&election, &c.code, &c.style, plan, (v, n, phase)).map(|s| (v, s))
                })
                .collect::<ToolResult<Vec<_>>>()?;
            for (v, run) in sealed {
                for (kind, ballot, challenge) in run.events {
                    let entry = BoardEntry::new(
                        prev,
                        index,
                        kind,
                        timestamp(index * 3),
                        ballot,
                        challenge,
                    )?;
                    entries
                        .write_all(board_file::entry_line(&entry).as_bytes())
                        .map_err(|e| ToolError::io(&entries_path, e))?;
                    prev = entry.hash;
                    index += 1;
                }
                // The choices that count: the later ballot's for a voter who votes again.
                if phase == 1 || !revotes[v as usize] {
                    for (contest, chosen) in &run.cast {
                        let row = expected.entry(contest.clone()).or_default();
                        for o in chosen {
                            *row.entry(o.clone()).or_default() += 1;
                        }
                    }
                }
            }
        }
    }
    entries
        .flush()
        .map_err(|e| ToolError::io(&entries_path, e))?;
    drop(entries);
    let closing = box_key.signed_head(&election, index, prev, true, timestamp(index * 3));
    // The header line first, then the entries as written.
    let header = BoardHeader {
        election: *election.base_hash(),
        closed: true,
        head: prev,
        entries: index,
        closing: Some(closing),
    };
    let board_path = dir.join(names::BOARD);
    let mut board = BoardWriter::create(&board_path, &header)?;
    board.copy_from(&entries_path)?;
    board.finish()?;
    std::fs::remove_file(&entries_path).map_err(|e| ToolError::io(&entries_path, e))?;
    let tally = tally::compute_file(&election, &issued.list, &board_path, false)?;

    // Only k trustees, chosen at random, take part in the decryption.
    let mut present: Vec<usize> = (0..shares.len()).collect();
    shuffle(&mut present, &mut setup);
    present.truncate(plan.threshold as usize);
    let items = tally.items();
    let docs = present
        .iter()
        .map(|&i| TrusteeDecryption {
            election: *election.base_hash(),
            trustee: shares[i].index(),
            partials: partial_decrypt(election.base_hash(), &shares[i], &items, &mut setup),
        })
        .collect();
    let (decryption, results) = record::decrypt(&election, &ceremony, &tally, docs)?;
    let sim = Simulation {
        election,
        list: issued.list,
        ceremony,
        entries: index,
        tally,
        decryption,
        results,
        expected,
    };
    write(&sim, out)?;
    Ok(sim)
}

/// Writes OUT/record's documents beside the board, and OUT/expected.json.
///
/// # Errors
/// [`ToolError::Io`].
fn write(sim: &Simulation, out: &Path) -> ToolResult<()> {
    let list = serde_json::to_string_pretty(&sim.list)
        .map_err(|e| ToolError::Invalid(format!("cannot serialize the credential list: {e}")))?;
    record::write_record(
        &out.join("record"),
        &Record {
            election: &(sim.election.to_json() + "\n"),
            credentials: &(list + "\n"),
            ceremony: &sim.ceremony.to_json(),
            tally: &sim.tally,
            decryption: &sim.decryption,
            results: &sim.results,
        },
    )?;
    files::write_json(
        &out.join("expected.json"),
        &ResultsFile {
            results: sim.expected.clone(),
        },
    )
}

/// A 32-byte seed from a number (reproducible runs) or from the operating system.
pub fn seed_bytes<R: RngCore + CryptoRng>(seed: Option<u64>, rng: &mut R) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    match seed {
        Some(n) => bytes[..8].copy_from_slice(&n.to_be_bytes()),
        None => rng.fill_bytes(&mut bytes),
    }
    bytes
}

/// Runs `amanat simulate`.
///
/// # Errors
/// Bad arguments or manifest, or an output error.
pub fn run(args: SimulateArgs) -> ToolResult<()> {
    let manifest: Manifest = match &args.manifest {
        Some(path) => files::read_json(path)?,
        None => amanat::encoding::from_json(DEMO_MANIFEST)?,
    };
    let plan = Plan {
        voters: args.voters,
        trustees: args.trustees,
        threshold: args.threshold,
        challenge_percent: args.challenge_percent.min(100),
        revote_percent: args.revote_percent.min(100),
        seed: seed_bytes(args.seed, &mut OsRng),
    };
    let start = Instant::now();
    let sim = simulate(manifest, &plan, &args.out)?;
    let mut trustees: Vec<String> = sim
        .decryption
        .trustees
        .iter()
        .map(|t| t.trustee.to_string())
        .collect();
    trustees.sort();
    println!(
        "simulated {} voters in {:.1} s: {} board entries ({} counted, {} replaced, {} challenged); decrypted by trustees {} of {}",
        plan.voters,
        start.elapsed().as_secs_f64(),
        sim.entries,
        sim.tally.counted.len(),
        sim.tally.superseded.len(),
        sim.tally.challenged.len(),
        trustees.join(", "),
        plan.trustees
    );
    let agree = sim.results == sim.expected;
    println!(
        "decrypted counts {} the choices made",
        if agree { "equal" } else { "DIFFER FROM" }
    );
    println!(
        "record: {}\nexpected counts: {}",
        args.out.join("record").display(),
        args.out.join("expected.json").display()
    );
    if agree {
        Ok(())
    } else {
        Err(ToolError::Invalid(
            "the decrypted counts differ from the simulated choices".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(timestamp(0), "2026-11-22T08:00:00Z");
        assert_eq!(timestamp(3 * 3600 + 61), "2026-11-22T11:01:01Z");
        assert_eq!(timestamp(40 * 86_400), "2027-01-01T08:00:00Z");
    }

    #[test]
    fn random_choices_respect_the_contest_limits() {
        let manifest: Manifest = amanat::encoding::from_json(DEMO_MANIFEST).unwrap();
        let mut rng = stream(&[7; 32], 0);
        for style in ["gulf", "west"] {
            for _ in 0..50 {
                let s = random_choices(&manifest, style, &mut rng).unwrap();
                assert_eq!(s.len(), 2);
                for (c, chosen) in &s {
                    let def = manifest.contest(c).unwrap();
                    let n = chosen.len() as u32;
                    assert!(def.min_selections <= n && n <= def.max_selections);
                }
            }
        }
    }
}
