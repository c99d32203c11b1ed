//! What a dishonest ballot box can do to the record, and what catches it (docs/record.md §5,
//! §5.1, §5.2). Each forgery is made *consistent*, as the box itself would make it: the chain
//! and the head recomputed, the closing statement signed again with the box's own key, a
//! tally that counts what the forger wants, decrypted by real trustees and combined. `amanat
//! verify` must still fail, naming the check; the voters' receipts and the observers'
//! archived heads must show it, with a non-zero exit status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use amanat::{Ballot, BoardEntry, Challenge, Credential, Election, EntryKind, SealedBallot};
use amanat_authority::box_key::BoxKey;
use amanat_authority::credentials::Issued;
use amanat_authority::tally::{aggregate, Tally};
use common::{amanat, choose, closed_board, decrypt_combine, ok, s};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::Value;

type Item = (EntryKind, Ballot, Option<Challenge>);

/// A small election and what its voters did: voter 0 casts `x` then revotes `y`; voter 1
/// challenges `z` then casts `w`; voters 2 and 3 cast `v` and `u`.
struct Scene {
    tmp: tempfile::TempDir,
    dir: PathBuf,
    election: Election,
    key: BoxKey,
    x: Ballot,
    y: Ballot,
    z: (Ballot, Challenge),
    w: Ballot,
    v: Ballot,
    u: Ballot,
}

fn scene() -> Scene {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("election");
    let (election, issued): (Election, Issued) =
        amanat_authority::demo::create(&dir, 4, [11; 32]).unwrap();
    let key = BoxKey::load_for(&dir.join("box.sqlite.key"), &election).unwrap();
    let mut rng = ChaCha20Rng::from_seed([12; 32]);
    let mut seal = |voter: usize, alt: bool| {
        let code = &issued.codes[voter];
        let credential = Credential::from_code(&election, &code.code).unwrap();
        SealedBallot::seal(
            &election,
            &credential,
            &choose(&election, &code.style, alt),
            &mut rng,
        )
        .unwrap()
    };
    let x = seal(0, false).cast();
    let y = seal(0, true).cast();
    let spoiled = seal(1, true);
    let z = (spoiled.ballot().clone(), spoiled.challenge());
    let w = seal(1, false).cast();
    let v = seal(2, false).cast();
    let u = seal(3, true).cast();
    Scene {
        tmp,
        dir,
        election,
        key,
        x,
        y,
        z,
        w,
        v,
        u,
    }
}

impl Scene {
    /// The honest board's submissions, in order.
    fn honest(&self) -> Vec<Item> {
        vec![
            (EntryKind::Cast, self.x.clone(), None),
            (
                EntryKind::Challenge,
                self.z.0.clone(),
                Some(self.z.1.clone()),
            ),
            (EntryKind::Cast, self.w.clone(), None),
            (EntryKind::Cast, self.v.clone(), None),
            (EntryKind::Cast, self.u.clone(), None),
            (EntryKind::Cast, self.y.clone(), None),
        ]
    }

    /// Chains the items as a box does.
    fn chain(&self, items: Vec<Item>) -> Vec<BoardEntry> {
        let mut prev = amanat::board::genesis(&self.election);
        let mut out = Vec::new();
        for (i, (kind, ballot, challenge)) in items.into_iter().enumerate() {
            let e = BoardEntry::new(
                prev,
                i as u64,
                kind,
                format!("2026-11-22T10:00:{i:02}Z"),
                ballot,
                challenge,
            )
            .unwrap();
            prev = e.hash;
            out.push(e);
        }
        out
    }

    /// The receipt the box gave for each entry.
    fn receipts(&self, entries: &[BoardEntry]) -> Vec<PathBuf> {
        entries
            .iter()
            .map(|e| {
                let path = self.tmp.path().join(format!("receipt-{}.json", e.index));
                let receipt = self.key.receipt(&self.election, e);
                std::fs::write(&path, receipt.to_json()).unwrap();
                path
            })
            .collect()
    }

    /// A complete record of `entries` under `name`, closed and signed by the box, with the
    /// tally a forger would write: for each credential, its last cast entry is counted,
    /// whatever the board's rules say. Trustees 1 and 2 decrypt it.
    fn record(&self, name: &str, entries: Vec<BoardEntry>) -> PathBuf {
        let work = self.tmp.path().join(name);
        std::fs::create_dir_all(&work).unwrap();
        let board = closed_board(&self.dir, &self.election, entries);
        let board_path = work.join("board.jsonl");
        std::fs::write(&board_path, board.to_jsonl()).unwrap();
        let mut last: HashMap<[u8; 32], usize> = HashMap::new();
        for (i, e) in board.entries.iter().enumerate() {
            if e.kind == EntryKind::Cast {
                last.insert(e.ballot.credential.to_bytes(), i);
            }
        }
        let counted: BTreeSet<usize> = last.into_values().collect();
        let tracking = |keep: &dyn Fn(usize, &BoardEntry) -> bool| {
            board
                .entries
                .iter()
                .enumerate()
                .filter(|(i, e)| keep(*i, e))
                .map(|(_, e)| e.tracking)
                .collect::<Vec<_>>()
        };
        let counted_list: Vec<usize> = counted.iter().copied().collect();
        let tally = Tally {
            election: *self.election.base_hash(),
            board_head: board.head,
            board_entries: board.entries.len() as u64,
            contests: aggregate(&self.election, &board.entries, &counted_list),
            counted: tracking(&|i, _| counted.contains(&i)),
            superseded: tracking(&|i, e| e.kind == EntryKind::Cast && !counted.contains(&i)),
            challenged: tracking(&|_, e| e.kind == EntryKind::Challenge),
            rejected: Vec::new(),
        };
        let tally_path = work.join("tally.json");
        std::fs::write(&tally_path, serde_json::to_string(&tally).unwrap()).unwrap();
        let (_, _, record) = decrypt_combine(&work, &self.dir, &board_path, &tally_path, &[1, 2]);
        record
    }
}

/// `verify --json`: the report, and the ids of the failed checks.
fn verify(record: &Path) -> (Value, Vec<String>) {
    let out = amanat(&["verify", s(record), "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.success(), report["ok"] == true);
    let failed = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    (report, failed)
}

fn detail<'a>(report: &'a Value, id: &str) -> &'a str {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()["detail"]
        .as_str()
        .unwrap()
}

/// `receipt check`: exit status and output.
fn receipt_check(record: &Path, receipt: &Path) -> (bool, String) {
    let out = amanat(&["receipt", "check", "--record", s(record), s(receipt)]);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn an_honest_record_verifies_and_every_receipt_holds() {
    let sc = scene();
    let entries = sc.chain(sc.honest());
    let receipts = sc.receipts(&entries);
    let record = sc.record("honest", entries);
    let (report, failed) = verify(&record);
    assert!(failed.is_empty(), "{report:#}");
    assert!(detail(&report, "V13").contains("6 entries"));
    // The revoted ballot x is replaced by y: its receipt says so and fails; all others pass.
    let (ok0, text0) = receipt_check(&record, &receipts[0]);
    assert!(!ok0 && text0.contains("a later ballot of the same credential, at index 5"));
    for r in &receipts[1..] {
        let (passed, text) = receipt_check(&record, r);
        assert!(passed, "{text}");
    }
    let (_, challenge) = receipt_check(&record, &receipts[1]);
    assert!(challenge.contains("never counted"), "{challenge}");
}

#[test]
fn a_replay_of_an_earlier_ballot_after_a_revote_fails_verify_and_the_revoters_receipt() {
    let sc = scene();
    let honest = sc.chain(sc.honest());
    let receipts = sc.receipts(&honest);
    // The box appends x again after y, so the forger's tally counts x.
    let mut items = sc.honest();
    items.push((EntryKind::Cast, sc.x.clone(), None));
    let record = sc.record("replay", sc.chain(items));
    let (report, failed) = verify(&record);
    assert!(failed.contains(&"V13".to_string()), "{report:#}");
    assert!(detail(&report, "V13").contains("entry 6 repeats the cast at entry 0"));
    // Counting by the rules, the replay is rejected, so the forger's tally is wrong too.
    assert!(failed.contains(&"V7".to_string()), "{report:#}");
    let (passed, text) = receipt_check(&record, &receipts[5]);
    assert!(!passed);
    assert!(
        text.contains("REPLAYED") && text.contains("index 6"),
        "{text}"
    );
}

#[test]
fn a_challenged_ballot_posted_as_cast_fails_verify_and_the_challenge_receipt() {
    let sc = scene();
    let honest = sc.chain(sc.honest());
    let receipts = sc.receipts(&honest);
    let mut items = sc.honest();
    items.push((EntryKind::Cast, sc.z.0.clone(), None));
    let record = sc.record("challenged-cast", sc.chain(items));
    let (report, failed) = verify(&record);
    assert!(failed.contains(&"V13".to_string()), "{report:#}");
    assert!(detail(&report, "V13").contains("never both cast and challenged"));
    let (passed, text) = receipt_check(&record, &receipts[1]);
    assert!(
        !passed && text.contains("also on the board as a cast at index 6"),
        "{text}"
    );
}

#[test]
fn a_closing_statement_that_is_not_the_boards_fails_v4() {
    let sc = scene();
    let entries = sc.chain(sc.honest());
    let record = sc.record("closing", entries.clone());
    // The box drops the last ballot after signing the close: chain and head recomputed, the
    // old closing statement kept.
    let board_path = record.join("board.jsonl");
    let mut board = common::board_text::read_board(&board_path);
    board["entries"].as_array_mut().unwrap().pop();
    board["count"] = Value::from(5);
    board["head"] = Value::String(entries[4].hash.to_hex());
    common::board_text::write_board(&board_path, &board);
    let (report, failed) = verify(&record);
    assert!(failed.contains(&"V4".to_string()), "{report:#}");
    assert!(
        detail(&report, "V4").contains("the box signed a closed board of 6 entries"),
        "{report:#}"
    );
    // No closing statement at all: the board was exported before the close.
    board.as_object_mut().unwrap().remove("closing");
    common::board_text::write_board(&board_path, &board);
    let (report, failed) = verify(&record);
    assert!(failed.contains(&"V4".to_string()), "{report:#}");
    // A closing statement signed by another key.
    let other = BoxKey::generate(&mut ChaCha20Rng::from_seed([13; 32]));
    let forged = other.signed_head(
        &sc.election,
        5,
        entries[4].hash,
        true,
        "2026-11-23T18:00:00Z".into(),
    );
    board["closing"] = serde_json::from_str(&forged.to_json()).unwrap();
    common::board_text::write_board(&board_path, &board);
    let (report, failed) = verify(&record);
    assert!(failed.contains(&"V4".to_string()), "{report:#}");
    assert!(
        detail(&report, "V4").contains("does not verify"),
        "{report:#}"
    );
}

#[test]
fn a_dropped_ballot_a_dropped_challenge_and_a_fork_fail_the_receipts() {
    let sc = scene();
    let honest = sc.chain(sc.honest());
    let receipts = sc.receipts(&honest);
    // Dropped: the box leaves out u (index 4) and the challenge z (index 1) and publishes a
    // consistent board of what remains.
    let mut items = sc.honest();
    items.remove(4);
    items.remove(1);
    let record = sc.record("dropped", sc.chain(items));
    let (report, failed) = verify(&record);
    // The forged record is internally consistent: only the receipts show what happened.
    assert!(failed.is_empty(), "{report:#}");
    let (passed, text) = receipt_check(&record, &receipts[1]);
    assert!(!passed && text.contains("NOT as acknowledged"), "{text}");
    let (passed, text) = receipt_check(&record, &receipts[4]);
    assert!(!passed && text.contains("MISSING"), "{text}");
    // w was kept, but the board before it changed: its receipt proves a fork.
    let (passed, text) = receipt_check(&record, &receipts[2]);
    assert!(!passed, "{text}");
    assert!(
        text.contains("the board has this ballot as a cast at index 1"),
        "{text}"
    );
    // x at index 0 is untouched.
    let (passed, text) = receipt_check(&record, &receipts[0]);
    assert!(!passed && text.contains("board   pass"), "{text}");

    // A fork after a receipt: the same ballots, in another order before y.
    let mut items = sc.honest();
    items.swap(2, 3);
    let record = sc.record("forked", sc.chain(items));
    let (passed, text) = receipt_check(&record, &receipts[5]);
    assert!(!passed, "{text}");
    assert!(
        text.contains("the board before it is not the one the box signed"),
        "{text}"
    );
}

#[test]
fn archived_heads_catch_a_board_that_forked_and_contradict_each_other() {
    let sc = scene();
    let honest = sc.chain(sc.honest());
    let at = |n: usize, time: &str| {
        sc.key.signed_head(
            &sc.election,
            n as u64,
            honest[n - 1].hash,
            false,
            time.into(),
        )
    };
    // An observer archived two heads while the polls were open, one per line.
    let archive = sc.tmp.path().join("heads.jsonl");
    std::fs::write(
        &archive,
        format!(
            "{}\n{}\n",
            at(2, "2026-11-22T10:00:05Z").to_json(),
            at(4, "2026-11-22T10:00:09Z").to_json()
        ),
    )
    .unwrap();
    let receipts = sc.receipts(&honest);
    let honest_record = sc.record("honest", honest.clone());
    let check = |record: &Path, files: &[&Path]| {
        let mut args = vec!["heads", "check", "--record", s(record)];
        args.extend(files.iter().map(|p| s(p)));
        let out = amanat(&args);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (passed, text) = check(&honest_record, &[&archive, &receipts[3]]);
    assert!(passed, "{text}");
    assert!(text.contains("3 statements: 3 hold"), "{text}");

    // The box later publishes a board where w and v swapped places.
    let mut items = sc.honest();
    items.swap(2, 3);
    let forked = sc.record("forked", sc.chain(items));
    let (passed, text) = check(&forked, &[&archive]);
    assert!(!passed, "{text}");
    assert!(text.contains("the box showed a different board"), "{text}");
    assert!(
        text.contains("#1: head of 2 entries") && text.contains("pass"),
        "{text}"
    );

    // Two heads the box signed for the same number of entries prove two boards, whatever
    // the record.
    let other = sc.chain({
        let mut items = sc.honest();
        items.swap(2, 3);
        items
    });
    let second = sc.tmp.path().join("second.json");
    std::fs::write(
        &second,
        sc.key
            .signed_head(
                &sc.election,
                4,
                other[3].hash,
                false,
                "2026-11-22T10:00:09Z".into(),
            )
            .to_json(),
    )
    .unwrap();
    let (passed, text) = check(&honest_record, &[&archive, &second]);
    assert!(!passed, "{text}");
    assert!(
        text.contains("both sign a board of 4 entries, with different heads"),
        "{text}"
    );

    // A statement signed by another key proves nothing and is reported.
    let stranger = sc.tmp.path().join("stranger.json");
    let other_key = BoxKey::generate(&mut ChaCha20Rng::from_seed([14; 32]));
    std::fs::write(
        &stranger,
        other_key
            .signed_head(
                &sc.election,
                2,
                honest[1].hash,
                false,
                "2026-11-22T10:00:05Z".into(),
            )
            .to_json(),
    )
    .unwrap();
    let (passed, text) = check(&honest_record, &[&stranger]);
    assert!(
        !passed && text.contains("not signed by this election's ballot box key"),
        "{text}"
    );
    let _ = ok(&["verify", s(&honest_record)]);
}

#[test]
fn loose_record_files_fail_the_check_that_reads_them() {
    let sc = scene();
    let record = sc.record("loose", sc.chain(sc.honest()));
    let (report, failed) = verify(&record);
    assert!(failed.is_empty(), "{report:#}");
    let edit = |name: &str, f: &dyn Fn(&str) -> String| {
        let path = record.join(name);
        let before = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, f(&before)).unwrap();
        let result = verify(&record);
        std::fs::write(&path, before).unwrap();
        result
    };
    // results.json with one contest given twice, the second with other counts: two readers
    // would see two different published results.
    let (report, failed) = edit("results.json", &|t| {
        let v: Value = serde_json::from_str(t).unwrap();
        let (contest, row) = v["results"].as_object().unwrap().iter().next().unwrap();
        let mut twisted = row.clone();
        for n in twisted.as_object_mut().unwrap().values_mut() {
            *n = Value::from(n.as_u64().unwrap() + 1);
        }
        let inner = serde_json::to_string(&v["results"]).unwrap();
        let doubled = format!(
            "{},\"{contest}\":{}}}",
            &inner[..inner.len() - 1],
            serde_json::to_string(&twisted).unwrap()
        );
        format!("{{\"results\":{doubled}}}")
    });
    assert!(failed.contains(&"V11".to_string()), "{report:#}");
    assert!(
        detail(&report, "V11").contains("MALFORMED_JSON")
            || detail(&report, "V11").contains("duplicate"),
        "{report:#}"
    );
    // null where the spec says absent: a cast entry's challenge.
    let (report, failed) = edit("board.jsonl", &|t| {
        t.replacen("\"prev\":", "\"challenge\":null,\"prev\":", 1)
    });
    assert!(failed.contains(&"V4".to_string()), "{report:#}");
    // decryption.json's trustees out of order.
    let (report, failed) = edit("decryption.json", &|t| {
        let mut v: Value = serde_json::from_str(t).unwrap();
        v["trustees"].as_array_mut().unwrap().reverse();
        v.to_string()
    });
    assert!(failed.contains(&"V9".to_string()), "{report:#}");
    assert!(detail(&report, "V9").contains("ascending"), "{report:#}");
    // A 2 MB id is not echoed whole into the report.
    let (report, failed) = edit("election.json", &|t| {
        let mut v: Value = serde_json::from_str(t).unwrap();
        v["manifest"]["election_id"] = Value::String("x".repeat(2_000_000));
        v.to_string()
    });
    assert!(failed.contains(&"V1".to_string()), "{report:#}");
    assert!(
        report.to_string().len() < 20_000,
        "{}",
        report.to_string().len()
    );
    assert!(
        detail(&report, "V1").contains("more characters not shown"),
        "{report:#}"
    );
}
