//! Verifies ballots natively, as the ballot box does: the election binding, the ballot style,
//! every proof, the signature and, given the credential list, that the credential is listed
//! for the ballot's style.
//!
//! ```text
//! cargo run --example verify_ballot -- <election.json> <credentials.json> <ballot.json>...
//! ```
//!
//! Prints `ok <tracking code>` per ballot, or `<ERROR_CODE> <message>` and exits with status 1.
//! `tests/js/` uses it to check that a ballot sealed by the npm package in Node verifies
//! natively.

use std::process::ExitCode;

use amanat::{Ballot, CredentialList, Election};

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("IO {path}: {e}"))
}

fn run(args: &[String]) -> Result<(), String> {
    let [election, credentials, ballots @ ..] = args else {
        return Err(
            "USAGE verify_ballot <election.json> <credentials.json> <ballot.json>...".into(),
        );
    };
    if ballots.is_empty() {
        return Err("USAGE no ballot given".into());
    }
    let fail = |e: amanat::Error| format!("{} {e}", e.code());
    let election = Election::from_json(&read(election)?).map_err(fail)?;
    let list = CredentialList::from_json(&read(credentials)?).map_err(fail)?;
    list.check_against(&election).map_err(fail)?;
    for path in ballots {
        let ballot = Ballot::from_json(&read(path)?).map_err(fail)?;
        ballot.verify_listed(&election, &list).map_err(fail)?;
        println!("ok {}", ballot.tracking().short());
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            println!("{e}");
            ExitCode::FAILURE
        }
    }
}
