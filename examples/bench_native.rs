//! Native half of `make bench`: seals the reference ballot (two contests of 15 and 20 options,
//! one choice each, credential signature included) N times and prints the median.
//!
//! Each timed run does what the wasm module's `seal(election, code, selections)` does: parse
//! the credential code, derive its key, seal with a fresh random seed.
//!
//! ```sh
//! cargo run --release --example bench_native -- --runs 50 --emit /tmp/bench
//! ```
//!
//! `--emit DIR` also writes the throwaway election (`election.json`) and its one credential
//! code (`credential.txt`) so the browser benchmark seals the same ballot. The last line of
//! output is a JSON summary.
//!
//! `--serve` instead prints `ready`, then for every line `seal` read from stdin seals once
//! and prints the time in ms: bench/run.mjs uses it to interleave native seals with the
//! browser's, so that all variants share the same machine load.

use std::error::Error;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Instant;

use amanat::{
    Credential, CredentialEntry, CredentialList, Election, Manifest, PublicKey, SealedBallot,
    Selections,
};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::Scalar;
use rand_core::OsRng;

struct Args {
    runs: usize,
    warmup: usize,
    emit: Option<PathBuf>,
    serve: bool,
}

fn args() -> Result<Args, Box<dyn Error>> {
    let mut a = Args {
        runs: 50,
        warmup: 10,
        emit: None,
        serve: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--runs" => a.runs = value()?.parse()?,
            "--warmup" => a.warmup = value()?.parse()?,
            "--emit" => a.emit = Some(PathBuf::from(value()?)),
            "--serve" => a.serve = true,
            _ => return Err(format!("unknown argument {flag}").into()),
        }
    }
    if a.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    Ok(a)
}

/// The reference election with a random joint key and one credential for its only style.
fn reference() -> Result<(Election, String), Box<dyn Error>> {
    let manifest: Manifest = serde_json::from_str(include_str!("../tests/vectors/manifest.json"))?;
    let x = Scalar::random(&mut OsRng);
    let key = PublicKey::from_bytes(
        &(RISTRETTO_BASEPOINT_TABLE * &x).compress().to_bytes(),
        "joint key",
    )?;
    let (code, cred) = Credential::generate(&manifest.election_id, 0, &mut OsRng)?;
    let list = CredentialList::new(vec![CredentialEntry {
        key: *cred.public_key(),
        style: manifest
            .ballot_styles
            .first()
            .ok_or("the manifest has no ballot style")?
            .id
            .clone(),
    }])?;
    let box_key = PublicKey::from_bytes(
        &(RISTRETTO_BASEPOINT_TABLE * &Scalar::random(&mut OsRng))
            .compress()
            .to_bytes(),
        "ballot box key",
    )?;
    let election = Election::new(manifest, 3, 2, key, list.summary(), box_key)?;
    Ok((election, code.expose().to_string()))
}

fn seal(election: &Election, code: &str, selections: &Selections) -> amanat::Result<SealedBallot> {
    let cred = Credential::from_code(election, code)?;
    SealedBallot::seal(election, &cred, selections, &mut OsRng)
}

/// One timed seal per `seal` line on stdin, its time in ms on stdout.
fn serve(election: &Election, code: &str, selections: &Selections) -> Result<(), Box<dyn Error>> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    for line in std::io::stdin().lock().lines() {
        match line?.trim() {
            "seal" => {
                let start = Instant::now();
                let sealed = seal(election, code, selections)?;
                let ms = start.elapsed().as_secs_f64() * 1e3;
                drop(sealed);
                writeln!(out, "{ms}")?;
                out.flush()?;
            }
            other => return Err(format!("unknown command {other:?}").into()),
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let a = args()?;
    let (election, code) = reference()?;
    let selections: Selections = [
        ("NA-1".to_string(), vec!["na-1-03".to_string()]),
        ("PP-1".to_string(), vec!["pp-1-17".to_string()]),
    ]
    .into();

    // The timed code must make a valid ballot.
    seal(&election, &code, &selections)?
        .ballot()
        .verify(&election)?;

    if let Some(dir) = &a.emit {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("election.json"), election.to_json())?;
        std::fs::write(dir.join("credential.txt"), &code)?;
    }

    if a.serve {
        return serve(&election, &code, &selections);
    }

    for _ in 0..a.warmup {
        seal(&election, &code, &selections)?;
    }
    let mut times = Vec::with_capacity(a.runs);
    for _ in 0..a.runs {
        let start = Instant::now();
        let sealed = seal(&election, &code, &selections)?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        drop(sealed);
    }
    times.sort_by(f64::total_cmp);
    let median = if times.len() % 2 == 1 {
        times[times.len() / 2]
    } else {
        (times[times.len() / 2 - 1] + times[times.len() / 2]) / 2.0
    };
    let (min, max) = (times[0], times[times.len() - 1]);
    println!(
        "native seal (reference ballot): median {median:.3} ms over {} runs (min {min:.3}, max {max:.3})",
        a.runs
    );
    println!(
        "{}",
        serde_json::json!({ "runs": a.runs, "median_ms": median, "min_ms": min, "max_ms": max })
    );
    Ok(())
}
