//! The whole chain through the real ballot box on loopback: `amanat demo-election`, voters
//! casting (one revoting, one challenging) over HTTP with codes from `codes.json`, `close`,
//! `export-board`, `tally`, two of three trustees' `trustee decrypt`, `combine`, and
//! `verify --json`, whose results must equal what the voters chose; then `receipt check` of
//! the receipts the box gave, of a tampered one, and of one for a ballot the board lacks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use amanat::{BoardEntry, Credential, Election, EntryKind, Receipt, SealedBallot, Selections};
use amanat_authority::box_key::BoxKey;
use rand_core::{OsRng, RngCore};
use serde_json::Value;

#[path = "common/board_text.rs"]
mod board_text;

const BIN: &str = env!("CARGO_BIN_EXE_amanat");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn amanat(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "amanat {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &Path) -> Server {
    let mut child = Command::new(BIN)
        .arg("serve")
        .arg("--election")
        .arg(dir)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("server exited").unwrap();
        if let Some(rest) = line.strip_prefix("Listening on ") {
            break rest.trim_end_matches('/').to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server(child, url)
}

fn post(url: &str, body: &str) -> (u16, Value) {
    let res = match ureq::post(url)
        .set("Content-Type", "application/json")
        .send_string(body)
    {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let status = res.status();
    let mut text = String::new();
    res.into_reader().read_to_string(&mut text).unwrap();
    (status, serde_json::from_str(&text).unwrap())
}

/// One random allowed choice per contest of the credential's style.
fn choose(election: &Election, credential: &Credential) -> Selections {
    let m = election.manifest();
    let style = &m.ballot_styles[credential.style_index() as usize];
    m.style_contests(&style.id)
        .unwrap()
        .into_iter()
        .map(|c| {
            let o = &c.options[OsRng.next_u32() as usize % c.options.len()];
            (c.id.clone(), vec![o.id.clone()])
        })
        .collect()
}

#[test]
fn a_demo_election_from_the_ballot_box_to_a_verified_record() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("election");
    let d = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();
    let dir_s = dir.to_str().unwrap().to_string();
    amanat(&["demo-election", "--out", &dir_s, "--voters", "6"]);

    let election =
        Election::from_json(&std::fs::read_to_string(dir.join("election.json")).unwrap()).unwrap();
    let codes: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("codes.json")).unwrap()).unwrap();
    let voters: Vec<Credential> = codes
        .iter()
        .map(|c| Credential::from_code(&election, c["code"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(voters.len(), 6);

    let server = serve(&dir);
    let ballots = format!("{}/api/ballots", server.1);
    let mut counted: BTreeMap<usize, Selections> = BTreeMap::new();
    let mut receipts = Vec::new();
    for (i, v) in voters.iter().enumerate() {
        let choice = choose(&election, v);
        let ballot = SealedBallot::seal(&election, v, &choice, &mut OsRng)
            .unwrap()
            .cast();
        let (status, body) = post(&ballots, &ballot.to_json());
        assert_eq!(status, 200, "{body}");
        let receipt = Receipt::from_json(&body["receipt"].to_string()).unwrap();
        receipt.verify(&election).unwrap();
        receipts.push(body);
        counted.insert(i, choice);
    }
    // Voter 1 changes their mind; voter 4 first challenges a ballot (never counted).
    let choice = choose(&election, &voters[1]);
    let ballot = SealedBallot::seal(&election, &voters[1], &choice, &mut OsRng)
        .unwrap()
        .cast();
    assert_eq!(post(&ballots, &ballot.to_json()).0, 200);
    counted.insert(1, choice);
    let spoiled = SealedBallot::seal(
        &election,
        &voters[4],
        &choose(&election, &voters[4]),
        &mut OsRng,
    )
    .unwrap();
    let body = format!(
        "{{\"ballot\": {}, \"challenge\": {}}}",
        spoiled.ballot().to_json(),
        spoiled.challenge().to_json()
    );
    let (status, answer) = post(&format!("{}/api/challenges", server.1), &body);
    assert_eq!(status, 200, "{answer}");

    amanat(&["close", "--election", &dir_s]);
    drop(server);
    amanat(&[
        "export-board",
        "--election",
        &dir_s,
        "--out",
        &d("board.jsonl"),
    ]);
    amanat(&[
        "tally",
        "--election",
        &dir_s,
        "--board",
        &d("board.jsonl"),
        "--out",
        &d("tally.json"),
    ]);
    let ceremony = dir.join("ceremony.json");
    let election_json = dir.join("election.json");
    for t in [1, 3] {
        amanat(&[
            "trustee",
            "decrypt",
            "--dir",
            dir.join(format!("trustees/trustee-{t}")).to_str().unwrap(),
            "--election",
            election_json.to_str().unwrap(),
            "--ceremony",
            ceremony.to_str().unwrap(),
            "--tally",
            &d("tally.json"),
            "--out",
            &d(&format!("partial-{t}.json")),
        ]);
    }
    amanat(&[
        "combine",
        "--election",
        &dir_s,
        "--board",
        &d("board.jsonl"),
        "--tally",
        &d("tally.json"),
        "--partials",
        &d("partial-1.json"),
        &d("partial-3.json"),
        "--out",
        &d("record"),
    ]);
    let report: Value = serde_json::from_str(&amanat(&["verify", "--json", &d("record")])).unwrap();
    assert_eq!(report["ok"], true, "{report}");

    let mut want: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for c in &election.manifest().contests {
        let options = want.entry(c.id.clone()).or_default();
        for o in &c.options {
            options.insert(o.id.clone(), 0);
        }
    }
    for choice in counted.values() {
        for (contest, options) in choice {
            for o in options {
                *want.get_mut(contest).unwrap().get_mut(o).unwrap() += 1;
            }
        }
    }
    let got: BTreeMap<String, BTreeMap<String, u64>> =
        serde_json::from_value(report["results"].clone()).unwrap();
    assert_eq!(got, want);

    // Every receipt the box gave checks against the record: the box's whole answer, the bare
    // receipt, and the text file the voter page downloads.
    let record = d("record");
    let check = |name: &str, text: &str| {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = run(&[
            "receipt",
            "check",
            "--record",
            &record,
            path.to_str().unwrap(),
        ]);
        let stdout = String::from_utf8(out.stdout).unwrap();
        (out.status.success(), stdout)
    };
    for (i, answer) in receipts.iter().enumerate() {
        let (ok, text) = check("answer.json", &answer.to_string());
        assert!(
            text.contains(&format!("at index {i} exactly as acknowledged")),
            "{text}"
        );
        assert!(text.contains(&election.ballot_box_key().to_hex()), "{text}");
        // Voter 1 voted again: the first ballot is on the board but no longer counts, and
        // the check says so with a failing status (if the voter did not vote again, someone
        // else used the code).
        assert_eq!(ok, i != 1, "{text}");
        assert_eq!(text.contains("counts instead"), i == 1, "{text}");
    }
    // The challenge's receipt: on the board as a challenge, never counted.
    let (ok, text) = check("challenge.json", &answer.to_string());
    assert!(ok, "{text}");
    assert!(text.contains("never counted"), "{text}");
    let receipt = receipts[3]["receipt"].clone();
    let (ok, text) = check(
        "receipt.json",
        &serde_json::to_string_pretty(&receipt).unwrap(),
    );
    assert!(ok, "{text}");
    let page_file = format!(
        "Amanat ballot receipt\n\nTracking code: {}\n\n{}\n",
        receipt["short"].as_str().unwrap(),
        serde_json::to_string_pretty(&receipt).unwrap()
    );
    let (ok, text) = check("amanat-receipt.txt", &page_file);
    assert!(ok, "{text}");

    // A receipt with another index or time no longer verifies, and names what differs.
    let mut moved = receipt.clone();
    moved["index"] = Value::from(0);
    let (ok, text) = check("moved.json", &moved.to_string());
    assert!(!ok);
    assert!(
        text.contains("receipt FAIL") && text.contains("VERIFICATION_FAILED"),
        "{text}"
    );
    assert!(text.contains("board   FAIL  NOT as acknowledged"), "{text}");
    assert!(
        text.contains("the board has this ballot as a cast at index 3"),
        "{text}"
    );
    let mut late = receipt.clone();
    late["received"] = Value::from("2030-01-01T00:00:00Z");
    let (ok, text) = check("late.json", &late.to_string());
    assert!(!ok);
    assert!(
        text.contains("receipt FAIL") && text.contains("the receipt says 2030"),
        "{text}"
    );

    // A box that signed a receipt and then left the ballot off the board: the receipt is
    // the box's, and the check says precisely what is missing.
    let key = BoxKey::load(&dir.join("box.sqlite.key")).unwrap();
    let board = board_text::read_board(Path::new(&d("record/board.jsonl")));
    let entries = board["entries"].as_array().unwrap();
    let head: BoardEntry = serde_json::from_value(entries.last().unwrap().clone()).unwrap();
    let dropped = SealedBallot::seal(
        &election,
        &voters[0],
        &choose(&election, &voters[0]),
        &mut OsRng,
    )
    .unwrap()
    .cast();
    let entry = BoardEntry::new(
        head.hash,
        entries.len() as u64,
        EntryKind::Cast,
        "2026-11-22T23:59:59Z".into(),
        dropped,
        None,
    )
    .unwrap();
    let forged = key.receipt(&election, &entry);
    forged.verify(&election).unwrap();
    let (ok, text) = check("dropped.json", &forged.to_json());
    assert!(!ok, "{text}");
    assert!(text.contains("receipt pass"), "{text}");
    assert!(
        text.contains(&format!(
            "board   FAIL  MISSING: the box acknowledged index {}, but the board ends after {} \
             entries (dropped or truncated); the board has no entry with this tracking hash",
            entries.len(),
            entries.len()
        )),
        "{text}"
    );

    // Another election's box key does not sign this election's receipts.
    let stranger = BoxKey::generate(&mut OsRng);
    let (ok, text) = check(
        "stranger.json",
        &stranger.receipt(&election, &head).to_json(),
    );
    assert!(!ok);
    assert!(
        text.contains("receipt FAIL  not signed by this election's ballot box key"),
        "{text}"
    );
}
