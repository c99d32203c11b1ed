//! `amanat`: the election authority's command-line tool. A thin dispatcher: each
//! subcommand's arguments and `run` live in the library module that owns it.

use std::fmt::Display;
use std::process::ExitCode;

use amanat_authority::{
    box_key, ceremony, credentials, demo, election_dir, heads, receipt, record, served_files,
    server, simulate, tally, verify,
};
use clap::{Parser, Subcommand};

/// Amanat election authority tools: key ceremony, credentials, ballot box, tally, threshold
/// decryption, the election record and its verifier.
#[derive(Parser)]
#[command(name = "amanat", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate secret voter credential codes and the public credential list.
    Credentials(credentials::CredentialsArgs),
    /// Make the ballot box's receipt key, before the election is defined.
    BoxKey(box_key::BoxKeyArgs),
    /// Define the election: bind manifest, ceremony, credential list and ballot box key.
    #[command(subcommand)]
    Election(election_dir::ElectionCmd),
    /// A trustee's own steps of the key ceremony, and its partial decryption of the tally.
    #[command(subcommand)]
    Trustee(ceremony::TrusteeCmd),
    /// The key ceremony's public steps: assemble and verify the transcript (anyone).
    #[command(subcommand)]
    Ceremony(ceremony::CeremonyCmd),
    /// Sum the counted ballots of a closed board into one ciphertext per option.
    Tally(tally::TallyArgs),
    /// Check the trustees' decryption shares, combine them and write the election record.
    Combine(record::CombineArgs),
    /// Rehearse a whole election locally and write its record and the expected counts.
    Simulate(simulate::SimulateArgs),
    /// Create the demonstration election (ceremony, credentials, definition) in a directory.
    DemoElection(demo::DemoArgs),
    /// Verify an election record: numbered checks, exit status 0 only if all pass.
    Verify(verify::VerifyArgs),
    /// Check a ballot box receipt against an election record (voters, observers).
    #[command(subcommand)]
    Receipt(receipt::ReceiptCmd),
    /// Check archived board heads and receipts against an election record and each other.
    #[command(subcommand)]
    Heads(heads::HeadsCmd),
    /// The files the ballot box serves: publish their digests, or check a running box's.
    #[command(subcommand)]
    ServedFiles(served_files::ServedFilesCmd),
    /// Run the ballot box: the HTTP API and the voter page.
    Serve(server::ServeArgs),
    /// Close the polls (works while the ballot box runs) and sign the closing statement.
    Close(server::CloseArgs),
    /// Write the ballot box's board as JSON Lines, board.jsonl (the tally's input).
    ExportBoard(server::ExportBoardArgs),
}

fn report<E: Display>(result: Result<(), E>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "amanat: error: {}",
                amanat_authority::error::bounded(&e.to_string())
            );
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_)) {
        restore_sigpipe();
        // The tools that stream a record hold large buffers for a while and let them go
        // (docs/record.md §6); the box tunes its own heap (docs/deployment.md).
        amanat_authority::memory::fix_mmap_threshold();
    }
    match cli.command {
        Command::Credentials(args) => report(credentials::run(args)),
        Command::BoxKey(args) => report(box_key::run(args)),
        Command::Election(cmd) => report(election_dir::run(cmd)),
        Command::Trustee(cmd) => report(ceremony::run_trustee(cmd)),
        Command::Ceremony(cmd) => report(ceremony::run_ceremony(cmd)),
        Command::Tally(args) => report(tally::run(args)),
        Command::Combine(args) => report(record::run(args)),
        Command::Simulate(args) => report(simulate::run(args)),
        Command::DemoElection(args) => report(demo::run(args)),
        Command::Verify(args) => match verify::run(args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => report(Err(e)),
        },
        Command::Receipt(cmd) => match receipt::run(cmd) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => report(Err(e)),
        },
        Command::Heads(cmd) => match heads::run(cmd) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => report(Err(e)),
        },
        Command::ServedFiles(cmd) => match served_files::run(cmd) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => report(Err(e)),
        },
        Command::Serve(args) => report(server::serve(args)),
        Command::Close(args) => report(server::close(args)),
        Command::ExportBoard(args) => report(server::export_board(args)),
    }
}

/// A command piped into `head` should stop quietly when the pipe closes, as Unix tools do.
/// Rust ignores SIGPIPE, so printing would panic instead; the default action is restored for
/// every command but `serve`, which must survive clients that hang up.
#[cfg(unix)]
fn restore_sigpipe() {
    // SAFETY: called at the start of main, before any other thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_sigpipe() {}
