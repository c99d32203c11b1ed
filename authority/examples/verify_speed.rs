//! V5 side by side (docs/record.md §6): the first `N` ballots of a record's board verified
//! batched across ballots (`Ballot::verify_many`, 64 at a time) and one by one
//! (`Ballot::verify_listed`), both in parallel over rayon's threads, in one run, alternating.
//!
//! `cargo run --release -p amanat-authority --example verify_speed -- RECORD [N] [ROUNDS]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::time::Instant;

use amanat::{CredentialList, Election};
use amanat_authority::board_file::{self, BoardReader};
use amanat_authority::tally::{verify_ballots, verify_ballots_one_by_one};

fn main() {
    let mut args = std::env::args().skip(1);
    let record = PathBuf::from(
        args.next()
            .expect("usage: verify_speed RECORD [N] [ROUNDS]"),
    );
    let n: usize = args.next().map_or(2048, |a| a.parse().unwrap());
    let rounds: usize = args.next().map_or(2, |a| a.parse().unwrap());
    let election =
        Election::from_json(&std::fs::read_to_string(record.join("election.json")).unwrap())
            .unwrap();
    let list = CredentialList::from_json(
        &std::fs::read_to_string(record.join("credentials.json")).unwrap(),
    )
    .unwrap();
    let mut reader = BoardReader::open(&record.join("board.jsonl")).unwrap();
    let lines = reader.next_lines(n).unwrap();
    let entries: Vec<_> = reader
        .parse(&lines, 0, |_| ())
        .unwrap()
        .into_iter()
        .flat_map(|(batch, ())| batch)
        .collect();
    let _ = board_file::window();
    println!(
        "{} ballots, {} threads, {rounds} rounds",
        entries.len(),
        rayon::current_num_threads()
    );
    let (mut batched, mut single) = (0.0f64, 0.0f64);
    for round in 0..rounds {
        let t = Instant::now();
        let a = verify_ballots(&election, &list, &entries, &|| {});
        let tb = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let b = verify_ballots_one_by_one(&election, &list, &entries);
        let ts = t.elapsed().as_secs_f64();
        assert!(a.iter().all(Result::is_ok) && b.iter().all(Result::is_ok));
        let (rb, rs) = (entries.len() as f64 / tb, entries.len() as f64 / ts);
        println!("round {round}: batched {rb:.0} ballots/s, one by one {rs:.0} ballots/s");
        batched += rb;
        single += rs;
    }
    let (rb, rs) = (batched / rounds as f64, single / rounds as f64);
    println!(
        "V5 batched {rb:.0} ballots/s, one by one {rs:.0} ballots/s, {:.2}x",
        rb / rs
    );
}
