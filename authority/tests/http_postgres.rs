//! Two ballot box replicas on one PostgreSQL database (docs/ballot-box.md "PostgreSQL"):
//! `amanat serve --database` started twice, ballots cast, revoted and replayed through
//! either, the polls closed with `amanat close --database`, and the board exported with
//! `amanat export-board --database` checked as `amanat verify` checks it. The PostgreSQL
//! server is found or started by `pg_cluster`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod pg_cluster;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use amanat::board::EntryKind;
use amanat::Ballot;
use amanat_authority::board_file;
use amanat_record::counting::rule_breaks;
use rand_core::OsRng;

use common::{box_election, choose, ok, s};

/// A running `amanat serve`, killed when dropped.
struct Replica {
    child: Child,
    url: String,
}

impl Replica {
    fn start(dir: &std::path::Path, database: &str) -> Replica {
        let mut child = Command::new(env!("CARGO_BIN_EXE_amanat"))
            .args(["serve", "--election", s(dir), "--database", database])
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the box exited before listening")
                .unwrap();
            if let Some(rest) = line.strip_prefix("Listening on ") {
                break rest.trim_end_matches('/').to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Replica { child, url }
    }

    /// POST /api/ballots: the status and the body.
    fn cast(&self, ballot: &Ballot) -> (u16, String) {
        let res = ureq::post(&format!("{}/api/ballots", self.url))
            .set("Content-Type", "application/json")
            .send_string(&ballot.to_json());
        let res = match res {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        (res.status(), res.into_string().unwrap())
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn two_replicas_on_one_postgres_keep_one_board() {
    let database = pg_cluster::fresh_database();
    let (dir, election, _, voters) = box_election(3);
    let dir = dir.path();
    let ballot = |voter: usize, alt: bool| {
        amanat::SealedBallot::seal(
            &election,
            &voters[voter],
            &choose(&election, "NA-1.PP-1", alt),
            &mut OsRng,
        )
        .unwrap()
        .cast()
    };
    let (a, b) = (
        Replica::start(dir, &database),
        Replica::start(dir, &database),
    );

    let first = ballot(0, false);
    let (status, receipt) = a.cast(&first);
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(b.cast(&ballot(1, false)).0, 200);
    // The revote through the other replica, then each ballot replayed through the replica
    // that did not take it: the same receipt, nothing appended.
    let revote = ballot(0, true);
    let (status, revote_receipt) = b.cast(&revote);
    assert_eq!(status, 200, "{revote_receipt}");
    assert_eq!(b.cast(&first), (200, receipt));
    assert_eq!(a.cast(&revote), (200, revote_receipt));
    assert_eq!(a.cast(&ballot(2, false)).0, 200);

    ok(&["close", "--election", s(dir), "--database", &database]);
    let (status, body) = b.cast(&ballot(1, true));
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("POLLS_CLOSED"), "{body}");

    let out = dir.join("board.jsonl");
    ok(&[
        "export-board",
        "--election",
        s(dir),
        "--database",
        &database,
        "--out",
        s(&out),
    ]);
    let board = board_file::read(&out).unwrap();
    board.check(&election).unwrap();
    board.check_closing(&election).unwrap();
    assert!(rule_breaks(&board.entries).is_empty());
    assert_eq!(board.entries.len(), 4);
    assert!(board.entries.iter().all(|e| e.kind == EntryKind::Cast));
    assert_eq!(board.entries[2].ballot, revote);
}
