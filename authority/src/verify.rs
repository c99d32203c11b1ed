//! `amanat verify RECORD` (docs/record.md §5): the record library's verifier
//! ([`amanat_record::checks`]) with the record's files, its ballots verified in parallel
//! (rayon) and a progress bar on a terminal.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use amanat_record::checks::{CheckOutcome, Report, CHECKS};
use amanat_record::checks::{RecordDocs, Verifier};
use amanat_record::documents::names;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::board_file::{self, BoardReader};
use crate::error::{ToolError, ToolResult};
use crate::files;

/// `amanat verify`: re-check an election record.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The record directory.
    pub record: PathBuf,
    /// Print a JSON document `{"ok", "checks", "results"}` instead of text.
    #[arg(long)]
    pub json: bool,
}

/// How long the verification took.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timing {
    /// The whole verification.
    pub seconds: f64,
    /// Reading the board and going through it (V4, V5, V6, V13, and V8's sums).
    pub board_seconds: f64,
    /// Board entries per second in that pass.
    pub ballots_per_second: f64,
}

fn load(record: &Path, name: &str) -> Result<String, String> {
    files::read_text(&record.join(name)).map_err(|e| format!("{name}: {e}"))
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
    verify_timed(record).0
}

/// [`verify`], and how long it took.
pub fn verify_timed(record: &Path) -> (Report, Timing) {
    let start = Instant::now();
    let docs = RecordDocs {
        election: load(record, names::ELECTION),
        ceremony: load(record, names::CEREMONY),
        credentials: load(record, names::CREDENTIALS),
        tally: load(record, names::TALLY),
        decryption: load(record, names::DECRYPTION),
        results: load(record, names::RESULTS),
    };
    let mut verifier = Verifier::new(&docs);
    drop(docs);
    let board_start = Instant::now();
    let entries = board_pass(record, &mut verifier);
    let board_seconds = board_start.elapsed().as_secs_f64();
    let per_second = entries as f64 / board_seconds.max(1e-9);
    let report = verifier.finish();
    (
        report,
        Timing {
            seconds: start.elapsed().as_secs_f64(),
            board_seconds,
            ballots_per_second: per_second,
        },
    )
}

/// Reads the board line by line and gives it to the verifier, window after window: each
/// window's entries parsed and checked in parallel, then pushed in board order. Returns the
/// entries pushed.
fn board_pass(record: &Path, verifier: &mut Verifier) -> u64 {
    let path = record.join(names::BOARD);
    let mut reader = match BoardReader::open(&path) {
        Ok(r) => r,
        Err(e) => {
            verifier.begin_board(Err(board_error(&path, e)));
            return 0;
        }
    };
    verifier.begin_board(Ok(reader.header.clone()));
    let bar = progress_bar(reader.header.entries);
    let mut pushed = 0u64;
    loop {
        let window = reader.next_lines(board_file::window()).and_then(|lines| {
            reader.parse(&lines, pushed, |entries| {
                let checks = verifier.entry_checks(entries);
                bar.inc(entries.len() as u64);
                checks
            })
        });
        match window {
            Err(e) => {
                verifier.board_failed(board_error(&path, e));
                break;
            }
            Ok(batches) if batches.is_empty() => break,
            Ok(batches) => {
                for (entries, checks) in batches {
                    pushed += entries.len() as u64;
                    verifier.push(&entries, checks);
                }
            }
        }
    }
    bar.finish_and_clear();
    pushed
}

/// A board read error as the checks that need the board report it: named by the file, not
/// its whole path, so the report is the same wherever the record lies (and the same as the
/// observer page's, docs/observer.md).
fn board_error(path: &Path, e: ToolError) -> String {
    match e {
        ToolError::Io { source, .. } => format!("{}: {source}", names::BOARD),
        ToolError::Document { source, .. } => {
            format!("{}: {source} [{}]", names::BOARD, source.code())
        }
        ToolError::Invalid(message) => {
            let prefix = format!("{}: ", path.display());
            match message.strip_prefix(&prefix) {
                Some(rest) => format!("{}: {rest}", names::BOARD),
                None => message,
            }
        }
        other => other.to_string(),
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
    let (report, timing) = verify_timed(&args.record);
    if args.json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| ToolError::Invalid(format!("cannot serialize the report: {e}")))?;
        println!("{text}");
    } else {
        for c in &report.checks {
            println!(
                "{:<4} {}  {}: {}",
                c.id,
                if c.ok { "pass" } else { "FAIL" },
                c.name,
                c.detail,
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
        println!(
            "verified in {:.1} s (the board in {:.1} s, {:.0} entries/s)",
            timing.seconds, timing.board_seconds, timing.ballots_per_second
        );
    }
    Ok(report.ok)
}
