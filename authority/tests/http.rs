//! The ballot box over real HTTP on loopback: each test starts the `amanat serve` binary on
//! a fresh election and database, talks to it as the voter page would, and stops it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amanat::board::{check_chain, BoardEntry, EntryKind};
use amanat::{
    Ballot, Credential, CredentialList, Election, Manifest, PublicKey, Receipt, SealedBallot,
    Selections, SignedHead,
};
use amanat_authority::box_key::BoxKey;
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::Scalar;
use rand_core::{OsRng, RngCore};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_amanat");

fn manifest() -> Manifest {
    serde_json::from_str(include_str!("../../tests/vectors/manifest.json")).unwrap()
}

fn random_key() -> (Scalar, PublicKey) {
    let x = Scalar::random(&mut OsRng);
    let key = PublicKey::from_bytes(&(G * x).compress().to_bytes(), "joint key").unwrap();
    (x, key)
}

/// An election written to a temporary directory, with its voters' credentials and the
/// ballot box's key where `amanat serve` looks by default (`box.sqlite.key`).
struct Fixture {
    dir: tempfile::TempDir,
    election: Election,
    /// The joint secret key, known here so a test can decrypt the tally without trustees.
    secret: Scalar,
    voters: Vec<Credential>,
}

impl Fixture {
    fn new(voters: usize) -> Fixture {
        let (dir, election, secret, voters) = common::box_election(voters);
        Fixture {
            dir,
            election,
            secret,
            voters,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn seal(&self, voter: usize) -> SealedBallot {
        seal_for(&self.election, &self.voters[voter])
    }

    fn seal_choice(&self, voter: usize, choice: &Selections) -> Ballot {
        SealedBallot::seal(&self.election, &self.voters[voter], choice, &mut OsRng)
            .unwrap()
            .cast()
    }

    /// Decrypts an aggregate with the joint secret: the `v` with `b - x·a = v·G`.
    fn decrypt(&self, c: &Value) -> u64 {
        let point = |h: &Value| {
            amanat::Point::from_bytes(
                &amanat::encoding::from_hex::<32>(h.as_str().unwrap(), "point").unwrap(),
                "point",
            )
            .unwrap()
        };
        let m = point(&c["b"]).point() - point(&c["a"]).point() * self.secret;
        (0..=self.voters.len() as u64)
            .find(|v| G * Scalar::from(*v) == m)
            .expect("a count no larger than the number of voters")
    }

    fn ballot(&self, voter: usize) -> Ballot {
        self.seal(voter).cast()
    }

    fn amanat(&self, args: &[&str]) -> String {
        let out = Command::new(BIN)
            .args(args)
            .arg("--election")
            .arg(self.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "amanat {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn export_board(&self) -> Value {
        let out = self.path().join("board.jsonl");
        self.amanat(&["export-board", "--out", out.to_str().unwrap()]);
        common::board_text::read_board(&out)
    }
}

fn random_choice() -> Selections {
    let na = OsRng.next_u32() % 15 + 1;
    let pp = OsRng.next_u32() % 20 + 1;
    [
        ("NA-1".to_string(), vec![format!("na-1-{na:02}")]),
        ("PP-1".to_string(), vec![format!("pp-1-{pp:02}")]),
    ]
    .into()
}

fn seal_for(election: &Election, voter: &Credential) -> SealedBallot {
    SealedBallot::seal(election, voter, &random_choice(), &mut OsRng).unwrap()
}

/// A running `amanat serve`, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(f: &Fixture) -> Server {
        Server::start_with(f, &[])
    }

    fn start_with(f: &Fixture, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .arg("serve")
            .arg("--election")
            .arg(f.path())
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the server exited before listening")
                .unwrap();
            if let Some(rest) = line.strip_prefix("Listening on ") {
                break rest.trim_end_matches('/').to_string();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, url }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn get(&self, path: &str) -> Reply {
        request("GET", &format!("{}{path}", self.url), None)
    }

    fn post(&self, path: &str, body: &str) -> Reply {
        request("POST", &format!("{}{path}", self.url), Some(body))
    }

    fn cast(&self, ballot: &Ballot) -> Reply {
        self.post("/api/ballots", &ballot.to_json())
    }

    fn board(&self) -> Vec<BoardEntry> {
        let mut out = Vec::new();
        let mut from = 0u64;
        loop {
            let r = self.get(&format!("/api/board?from={from}&limit=500"));
            assert_eq!(r.status, 200, "{}", r.body);
            let v = r.json();
            for e in v["entries"].as_array().unwrap() {
                out.push(serde_json::from_value(e.clone()).unwrap());
            }
            match v["next"].as_u64() {
                Some(n) => from = n,
                None => return out,
            }
        }
    }

    fn box_key(&self) -> PublicKey {
        let v = self.get("/api/box-key").json();
        PublicKey::from_hex(v["key"].as_str().unwrap(), "box key").unwrap()
    }
}

/// `amanat serve` with these extra arguments, expected to refuse to start; its stderr.
fn serve_refused(f: &Fixture, extra: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("serve")
        .arg("--election")
        .arg(f.path())
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .output()
        .unwrap();
    assert!(!out.status.success(), "the box started");
    String::from_utf8(out.stderr).unwrap()
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The error code of a JSON error answer.
    fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap().to_string()
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build()
}

fn request(method: &str, url: &str, body: Option<&str>) -> Reply {
    try_request(&agent(), method, url, body).unwrap()
}

fn try_request(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<&str>,
) -> Result<Reply, Box<ureq::Transport>> {
    let req = agent.request(method, url);
    let res = match body {
        Some(b) => req.set("Content-Type", "application/json").send_string(b),
        None => req.call(),
    };
    let res = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(ureq::Error::Transport(t)) => return Err(Box::new(t)),
    };
    let (status, headers, bytes) = parts(res);
    let body = String::from_utf8(bytes).unwrap();
    Ok(Reply {
        status,
        headers,
        body,
    })
}

/// Checks that the answer is `{"receipt": R}` with R for this ballot, verifying under the
/// election's ballot box key; returns the board index.
fn check_receipt(f: &Fixture, ballot: &Ballot, reply: &Reply) -> u64 {
    assert_eq!(reply.status, 200, "{}", reply.body);
    let v = reply.json();
    assert_eq!(v.as_object().unwrap().len(), 1, "{v}");
    let r = Receipt::from_json(&v["receipt"].to_string()).unwrap();
    r.verify(&f.election).unwrap();
    let tracking = ballot.tracking();
    assert_eq!(r.election, *f.election.base_hash());
    assert_eq!(r.tracking.to_hex(), tracking.full());
    assert_eq!(r.short, tracking.short());
    assert_eq!(r.kind, EntryKind::Cast);
    r.index
}

/// The box's signed head now (`GET /api/head`), verified under the election's key.
fn signed_head(f: &Fixture, server: &Server) -> SignedHead {
    let r = server.get("/api/head");
    assert_eq!(r.status, 200, "{}", r.body);
    let h = SignedHead::from_json(&r.body).unwrap();
    h.verify(&f.election).unwrap();
    h
}

fn sms(server: &Server, code: &str) -> String {
    let r = server.get(&format!("/api/sms?code={code}"));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    assert!(r.body.chars().count() <= 160, "{}", r.body);
    assert!(r.body.is_ascii(), "{}", r.body);
    r.body
}

/// The Urdu SMS reply: one UCS-2 message, 70 characters at most.
fn sms_ur(server: &Server, code: &str) -> String {
    let r = server.get(&format!("/api/sms?code={code}&lang=ur"));
    assert_eq!(r.status, 200);
    assert!(r.body.encode_utf16().count() <= 70, "{}", r.body);
    assert!(r.body.starts_with("امانت:"), "{}", r.body);
    r.body
}

#[test]
fn a_full_election_through_the_server() {
    let f = Fixture::new(6);
    let server = Server::start(&f);
    assert_eq!(&server.box_key(), f.election.ballot_box_key());

    let election = server.get("/api/election");
    assert_eq!(election.status, 200);
    assert_eq!(
        Election::from_json(&election.body)
            .unwrap()
            .base_hash()
            .to_hex(),
        f.election.base_hash().to_hex()
    );

    let mut cast = Vec::new();
    let mut choices = Vec::new();
    for voter in 0..6 {
        let choice = random_choice();
        let b = f.seal_choice(voter, &choice);
        let index = check_receipt(&f, &b, &server.cast(&b));
        assert_eq!(index, voter as u64);
        cast.push(b);
        choices.push(choice);
    }
    // Voter 2 changes their mind: the new ballot counts, the old one stays on the board.
    choices[2] = random_choice();
    let revote = f.seal_choice(2, &choices[2]);
    assert_eq!(check_receipt(&f, &revote, &server.cast(&revote)), 6);
    let board = server.board();
    assert_eq!(board.len(), 7);
    assert_eq!(board[2].ballot, cast[2]);
    assert_eq!(board[6].ballot, revote);
    assert!(sms(&server, &cast[2].tracking().short()).contains("replaced by ballot #7)"));
    assert!(sms(&server, &revote.tracking().short()).contains("counted"));
    assert!(sms(&server, &cast[0].tracking().short()).ends_with("counted)."));
    // The same in Urdu: replaced by ballot number 7 (index 6: voters count from 1), or counted.
    let ur = sms_ur(&server, &cast[2].tracking().short());
    assert!(ur.contains("کی جگہ #7") && ur.contains("شکایت"), "{ur}");
    assert!(sms_ur(&server, &revote.tracking().short()).contains("گنا جائے گا"));

    let status = server.get("/api/status").json();
    assert_eq!(status["open"], true);
    assert_eq!(status["ballots"], 7);
    let head = check_chain(&f.election, &board).unwrap();
    assert_eq!(status["head"], head.to_hex());
    // The signed head states the same board; every receipt names its entry's hash, the head
    // of the board just after it.
    let open = signed_head(&f, &server);
    assert_eq!((open.entries, open.head, open.closed), (7, head, false));
    let again = Receipt::from_json(&server.cast(&revote).json()["receipt"].to_string()).unwrap();
    assert!(again.is_entry(&board[6]));
    // Look-ups say which ballot counts.
    let states = server
        .get(&format!("/api/board/{}", cast[2].tracking().short()))
        .json();
    assert_eq!(
        states["states"],
        serde_json::json!([{"state": "replaced", "index": 2, "by": 6}])
    );
    let states = server
        .get(&format!("/api/board/{}", revote.tracking().full()))
        .json();
    assert_eq!(
        states["states"],
        serde_json::json!([{"state": "counted", "index": 6}])
    );

    // The board export is the chain the server shows; every ballot on it verifies.
    let exported = f.export_board();
    assert_eq!(exported["election"], f.election.base_hash().to_hex());
    assert_eq!(exported["closed"], false);
    assert_eq!(exported["head"], head.to_hex());
    let entries: Vec<BoardEntry> = serde_json::from_value(exported["entries"].clone()).unwrap();
    assert_eq!(entries, board);
    for e in &entries {
        e.ballot.verify(&f.election).unwrap();
    }
    // Counting takes the latest cast ballot of each credential: six ballots, voter 2's new one.
    let mut latest = std::collections::BTreeMap::new();
    for e in entries.iter().filter(|e| e.kind == EntryKind::Cast) {
        latest.insert(e.ballot.credential.to_hex(), e.index);
    }
    assert_eq!(latest.len(), 6);
    assert_eq!(latest[&f.voters[2].public_key().to_hex()], 6);

    // A mistyped database path is an error, not a new empty box.
    let typo = Command::new(BIN)
        .args(["close", "--election"])
        .arg(f.path())
        .arg("--db")
        .arg(f.path().join("bx.sqlite"))
        .output()
        .unwrap();
    assert!(!typo.status.success());
    assert!(!f.path().join("bx.sqlite").exists());

    // Close while the server runs: it refuses ballots from then on.
    assert!(f.amanat(&["close"]).contains("Polls closed"));
    let late = f.ballot(4);
    let r = server.cast(&late);
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.code(), "POLLS_CLOSED");
    assert_eq!(server.get("/api/status").json()["open"], false);
    // A voter whose answer was lost at the close still gets the receipt of a stored ballot.
    let replay = server.cast(&revote);
    assert_eq!(check_receipt(&f, &revote, &replay), 6);
    let closed = f.export_board();
    assert_eq!(closed["closed"], true);
    assert_eq!(closed["entries"].as_array().unwrap().len(), 7);
    // The closing statement is in the export, and /api/head now answers with it.
    let closing = SignedHead::from_json(&closed["closing"].to_string()).unwrap();
    closing.verify(&f.election).unwrap();
    assert_eq!(
        (closing.entries, closing.head, closing.closed),
        (7, head, true)
    );
    assert_eq!(signed_head(&f, &server), closing);
    // Closing again signs nothing new.
    assert!(f.amanat(&["close"]).contains("Polls closed"));
    assert_eq!(f.export_board()["closing"], closed["closing"]);

    // The tally of the exported board counts each voter's latest choice exactly.
    let board_file = f.path().join("board.jsonl");
    let tally_file = f.path().join("tally.json");
    f.amanat(&[
        "tally",
        "--board",
        board_file.to_str().unwrap(),
        "--out",
        tally_file.to_str().unwrap(),
    ]);
    let tally: Value = serde_json::from_str(&std::fs::read_to_string(tally_file).unwrap()).unwrap();
    assert_eq!(tally["counted"].as_array().unwrap().len(), 6);
    assert_eq!(tally["superseded"][0], cast[2].tracking().full());
    let mut decrypted = 0;
    for contest in tally["contests"].as_array().unwrap() {
        let id = contest["id"].as_str().unwrap();
        for option in contest["options"].as_array().unwrap() {
            let want = choices
                .iter()
                .filter(|c| c[id].contains(&option["id"].as_str().unwrap().to_string()))
                .count() as u64;
            assert_eq!(
                f.decrypt(&option["ciphertext"]),
                want,
                "{id}/{}",
                option["id"]
            );
            decrypted += 1;
        }
    }
    assert_eq!(decrypted, 35);
}

#[test]
fn the_box_starts_only_with_the_elections_key() {
    let f = Fixture::new(1);
    let default = BoxKey::path_for(&f.path().join("box.sqlite"));
    let moved = f.path().join("elsewhere").join("receipts.key");
    std::fs::create_dir(f.path().join("elsewhere")).unwrap();
    std::fs::rename(&default, &moved).unwrap();

    // No key: the box does not make one, nor an empty database.
    let err = serve_refused(&f, &[]);
    assert!(
        err.contains("NO_BOX_KEY") && err.contains("amanat box-key"),
        "{err}"
    );
    assert!(!default.exists());
    assert!(!f.path().join("box.sqlite").exists());

    // Another key, even a well-kept one, is refused, naming both public keys.
    let stranger = BoxKey::generate(&mut OsRng);
    stranger.save(&default).unwrap();
    let err = serve_refused(&f, &[]);
    assert!(err.contains("WRONG_BOX_KEY"), "{err}");
    assert!(err.contains(&stranger.public().to_hex()), "{err}");
    assert!(err.contains(&f.election.ballot_box_key().to_hex()), "{err}");
    assert!(!f.path().join("box.sqlite").exists());

    // The election's key, named with --box-key, works; its receipts verify.
    let server = Server::start_with(&f, &["--box-key", moved.to_str().unwrap()]);
    assert_eq!(&server.box_key(), f.election.ballot_box_key());
    let b = f.ballot(0);
    assert_eq!(check_receipt(&f, &b, &server.cast(&b)), 0);
}

#[test]
fn bad_requests_are_refused_with_their_codes() {
    let f = Fixture::new(2);
    let server = Server::start(&f);

    let good = f.ballot(0);
    let mut tampered: Value = serde_json::from_str(&good.to_json()).unwrap();
    let sels = &mut tampered["contests"][0]["selections"];
    let c2 = sels[2]["ciphertext"].clone();
    sels[2]["ciphertext"] = sels[3]["ciphertext"].clone();
    sels[3]["ciphertext"] = c2;
    let r = server.post("/api/ballots", &tampered.to_string());
    assert_eq!((r.status, r.code().as_str()), (422, "VERIFICATION_FAILED"));

    let mut sig = good.clone();
    sig.signature.response += Scalar::ONE;
    let r = server.cast(&sig);
    assert_eq!((r.status, r.code().as_str()), (422, "VERIFICATION_FAILED"));
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("credential signature"));

    // The same manifest and a listed credential, but another election (another key).
    let list: CredentialList =
        serde_json::from_str(&std::fs::read_to_string(f.path().join("credentials.json")).unwrap())
            .unwrap();
    let other = Election::new(
        manifest(),
        3,
        2,
        random_key().1,
        list.summary(),
        *f.election.ballot_box_key(),
    )
    .unwrap();
    let r = server.cast(&seal_for(&other, &f.voters[0]).cast());
    assert_eq!((r.status, r.code().as_str()), (422, "WRONG_ELECTION"));

    let stranger = Credential::generate(&f.election.manifest().election_id, 0, &mut OsRng)
        .unwrap()
        .1;
    let r = server.cast(&seal_for(&f.election, &stranger).cast());
    assert_eq!((r.status, r.code().as_str()), (403, "UNKNOWN_CREDENTIAL"));

    let r = server.post("/api/ballots", "{\"protocol\": \"amanat/2\", ");
    assert_eq!((r.status, r.code().as_str()), (400, "MALFORMED_JSON"));
    let r = server.post("/api/ballots", "[1, 2, 3]");
    assert_eq!((r.status, r.code().as_str()), (400, "MALFORMED_JSON"));
    let mut upper: Value = serde_json::from_str(&good.to_json()).unwrap();
    upper["credential"] = Value::String(good.credential.to_hex().to_uppercase());
    let r = server.post("/api/ballots", &upper.to_string());
    assert_eq!((r.status, r.code().as_str()), (400, "BAD_ENCODING"));
    let mut version: Value = serde_json::from_str(&good.to_json()).unwrap();
    version["protocol"] = Value::String("amanat/1".into());
    let r = server.post("/api/ballots", &version.to_string());
    assert_eq!((r.status, r.code().as_str()), (400, "UNSUPPORTED_VERSION"));

    // One strict reading (§1.2): a code spelled in a member name is no error code; a member
    // given twice and a null are malformed.
    for c in [
        "NON_CANONICAL",
        "IDENTITY_POINT",
        "UNSUPPORTED_VERSION",
        "INVALID_ELECTION",
        "BAD_ENCODING",
    ] {
        let name = format!("\u{1}{c}\u{1}x");
        let alone = serde_json::json!({ name.clone(): 1 }).to_string();
        let mut inside: Value = serde_json::from_str(&good.to_json()).unwrap();
        inside[name.as_str()] = Value::from(1);
        for (path, body) in [
            ("/api/ballots", &alone),
            ("/api/challenges", &alone),
            ("/api/ballots", &inside.to_string()),
        ] {
            let r = server.post(path, body);
            assert_eq!(
                (r.status, r.code().as_str()),
                (400, "MALFORMED_JSON"),
                "{path}: {c}"
            );
        }
    }
    let json = good.to_json();
    let twice = json.replacen('{', &format!("{{\"style\":\"{}\",", good.style), 1);
    let r = server.post("/api/ballots", &twice);
    assert_eq!((r.status, r.code().as_str()), (400, "MALFORMED_JSON"));
    let null = json.replacen('{', "{\"extra\":null,", 1);
    let r = server.post("/api/ballots", &null);
    assert_eq!((r.status, r.code().as_str()), (400, "MALFORMED_JSON"));

    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(300 * 1024));
    let r = server.post("/api/ballots", &huge);
    assert_eq!((r.status, r.code().as_str()), (413, "BODY_TOO_LARGE"));
    let r = server.post("/api/challenges", &huge);
    assert_eq!((r.status, r.code().as_str()), (413, "BODY_TOO_LARGE"));

    let r = server.get("/api/ballots");
    assert_eq!((r.status, r.code().as_str()), (405, "METHOD_NOT_ALLOWED"));
    let r = server.get("/api/nothing-here");
    assert_eq!((r.status, r.code().as_str()), (404, "NOT_FOUND"));
    let r = server.get("/api/board?from=minus-one");
    assert_eq!((r.status, r.code().as_str()), (400, "BAD_ENCODING"));

    // None of it reached the board; the good ballot still goes in first.
    assert_eq!(server.get("/api/status").json()["ballots"], 0);
    assert_eq!(server.cast(&good).status, 200);
    assert_eq!(server.board().len(), 1);
}

#[test]
fn a_replayed_ballot_gets_the_same_receipt_once() {
    let f = Fixture::new(2);
    let server = Server::start(&f);
    let b = f.ballot(0);
    let first = server.cast(&b);
    assert_eq!(check_receipt(&f, &b, &first), 0);
    server.cast(&f.ballot(1));
    let again = server.cast(&b);
    assert_eq!(again.status, 200);
    assert_eq!(again.body, first.body, "the very same bytes");
    assert_eq!(server.board().len(), 2);
}

#[test]
fn a_challenged_ballot_is_posted_and_never_cast() {
    let f = Fixture::new(2);
    let server = Server::start(&f);
    let sealed = f.seal(0);
    let ballot = sealed.ballot().clone();
    let reveal = sealed.challenge();

    // A reveal that lies about the choice is refused.
    let mut lie = reveal.clone();
    let wrong = if lie.selections["NA-1"][0] == "na-1-01" {
        "na-1-02"
    } else {
        "na-1-01"
    };
    lie.selections.insert("NA-1".into(), vec![wrong.into()]);
    let body = |c: &amanat::Challenge| {
        format!(
            "{{\"ballot\": {}, \"challenge\": {}}}",
            ballot.to_json(),
            c.to_json()
        )
    };
    let r = server.post("/api/challenges", &body(&lie));
    assert_eq!((r.status, r.code().as_str()), (422, "VERIFICATION_FAILED"));

    // A reveal naming its option twice has two readings: refused (§7.6).
    let mut twice = reveal.clone();
    let chosen = twice.selections.get_mut("NA-1").unwrap();
    chosen.push(chosen[0].clone());
    let r = server.post("/api/challenges", &body(&twice));
    assert_eq!((r.status, r.code().as_str()), (422, "DUPLICATE_SELECTION"));
    // Naming a contest twice is a member given twice.
    let contest_twice =
        body(&reveal).replacen("\"selections\":{", "\"selections\":{\"NA-1\":[],", 1);
    assert_ne!(contest_twice, body(&reveal));
    let r = server.post("/api/challenges", &contest_twice);
    assert_eq!((r.status, r.code().as_str()), (400, "MALFORMED_JSON"));

    let r = server.post("/api/challenges", &body(&reveal));
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["index"], 0);
    // A challenge gets a signed receipt like a cast ballot.
    let receipt = Receipt::from_json(&v["receipt"].to_string()).unwrap();
    receipt.verify(&f.election).unwrap();
    assert_eq!(receipt.kind, EntryKind::Challenge);
    assert_eq!(receipt.tracking, ballot.tracking().0);
    assert_eq!(
        serde_json::from_value::<Selections>(v["selections"].clone()).unwrap(),
        reveal.selections
    );
    // Posting the same challenge again changes nothing.
    assert_eq!(server.post("/api/challenges", &body(&reveal)).json(), v);

    let r = server.cast(&ballot);
    assert_eq!((r.status, r.code().as_str()), (409, "ALREADY_CHALLENGED"));
    let board = server.board();
    assert_eq!(board.len(), 1);
    assert_eq!(board[0].kind, EntryKind::Challenge);
    assert_eq!(board[0].challenge.as_ref(), Some(&reveal));
    assert!(receipt.is_entry(&board[0]));
    assert!(sms(&server, &ballot.tracking().short()).contains("challenged"));
    assert!(sms(&server, &ballot.tracking().short()).contains("not counted"));
    assert!(sms_ur(&server, &ballot.tracking().short()).contains("کھولا گیا"));
    let states = server
        .get(&format!("/api/board/{}", ballot.tracking().short()))
        .json();
    assert_eq!(
        states["states"],
        serde_json::json!([{"state": "challenged", "index": 0}])
    );

    // And a cast ballot cannot be challenged afterwards.
    let sealed = f.seal(1);
    let cast = sealed.ballot().clone();
    assert_eq!(server.cast(&cast).status, 200);
    let late = format!(
        "{{\"ballot\": {}, \"challenge\": {}}}",
        cast.to_json(),
        sealed.challenge().to_json()
    );
    let r = server.post("/api/challenges", &late);
    assert_eq!((r.status, r.code().as_str()), (409, "ALREADY_CAST"));
    assert_eq!(server.board().len(), 2);
}

#[test]
fn the_board_pages_and_answers_lookups() {
    let f = Fixture::new(5);
    let server = Server::start(&f);
    let ballots: Vec<Ballot> = (0..5).map(|v| f.ballot(v)).collect();
    for b in &ballots {
        assert_eq!(server.cast(b).status, 200);
    }
    let p1 = server.get("/api/board?from=0&limit=2").json();
    assert_eq!(p1["entries"].as_array().unwrap().len(), 2);
    assert_eq!(p1["next"], 2);
    let p3 = server.get("/api/board?from=4&limit=2").json();
    assert_eq!(p3["entries"].as_array().unwrap().len(), 1);
    assert_eq!(p3["next"], Value::Null);
    assert_eq!(p3["entries"][0]["index"], 4);
    let all = server.board();
    assert_eq!(p3["head"], all[4].hash.to_hex());
    assert_eq!(
        server.get("/api/board?from=9").json()["entries"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let t = ballots[3].tracking();
    let want = serde_json::to_value(&all[3]).unwrap();
    for code in [
        t.full(),
        t.full().to_uppercase(),
        t.short(),
        t.short().to_lowercase(),
        t.short().replace('-', ""),
    ] {
        let r = server.get(&format!("/api/board/{code}"));
        assert_eq!(r.status, 200, "{code}: {}", r.body);
        assert_eq!(
            r.json()["entries"],
            Value::Array(vec![want.clone()]),
            "{code}"
        );
    }
    let missing = f.ballot(0).tracking();
    let r = server.get(&format!("/api/board/{}", missing.short()));
    assert_eq!((r.status, r.code().as_str()), (404, "NOT_FOUND"));
    let r = server.get(&format!("/api/board/{}", missing.full()));
    assert_eq!((r.status, r.code().as_str()), (404, "NOT_FOUND"));
    let r = server.get("/api/board/not-a-code!");
    assert_eq!(r.status, 400);

    let text = sms(&server, &t.short().to_lowercase().replace('-', ""));
    assert!(
        text.starts_with(&format!(
            "Amanat: ballot {} is on the board (#4, cast ",
            t.short()
        )),
        "{text}"
    );
    assert!(sms(&server, &missing.short()).contains("no ballot with code"));
    assert!(sms(&server, "hello").contains("not a tracking code"));
    assert!(sms_ur(&server, "hello").contains("ٹریکنگ کوڈ نہیں"));
    assert!(sms_ur(&server, &missing.short()).contains("کوئی ووٹ"));
    assert!(sms(&server, "").contains("not a tracking code"));
}

#[test]
fn the_credential_list_says_whether_a_key_is_on_it() {
    let f = Fixture::new(3);
    let server = Server::start(&f);
    let list: CredentialList =
        serde_json::from_str(&std::fs::read_to_string(f.path().join("credentials.json")).unwrap())
            .unwrap();
    for voter in &f.voters {
        let key = voter.public_key().to_hex();
        let r = server.get(&format!("/api/credentials/{key}"));
        assert_eq!(r.status, 200, "{}", r.body);
        let style = list.style_of(voter.public_key()).unwrap();
        assert_eq!(
            r.json(),
            serde_json::json!({ "key": key, "listed": true, "style": style })
        );
    }
    // A code of this form from another election, and a stranger in this one: not listed.
    let elsewhere = Credential::generate("another-election", 0, &mut OsRng)
        .unwrap()
        .1;
    let stranger = Credential::generate(&f.election.manifest().election_id, 0, &mut OsRng)
        .unwrap()
        .1;
    for who in [elsewhere, stranger] {
        let key = who.public_key().to_hex();
        let r = server.get(&format!("/api/credentials/{key}"));
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json(), serde_json::json!({ "key": key, "listed": false }));
    }
    let listed = f.voters[0].public_key().to_hex();
    for (path, code) in [
        (listed.to_uppercase(), "BAD_ENCODING"),
        (listed[..62].to_string(), "BAD_ENCODING"),
        (format!("{listed}00"), "BAD_ENCODING"),
        ("not-a-key".to_string(), "BAD_ENCODING"),
        ("%FF%FE".to_string(), "BAD_ENCODING"),
        (
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f".to_string(),
            "NON_CANONICAL",
        ),
        ("00".repeat(32), "IDENTITY_POINT"),
    ] {
        let r = server.get(&format!("/api/credentials/{path}"));
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, code),
            "{path}: {}",
            r.body
        );
    }
    let r = server.get("/api/credentials/");
    assert_eq!(r.status, 404);
    // A look-up writes nothing.
    assert!(server.board().is_empty());
}

#[test]
fn pages_and_api_carry_the_security_headers() {
    let f = Fixture::new(1);
    let www = f.path().join("www");
    let pkg = f.path().join("pkg");
    std::fs::create_dir_all(www.join("i18n")).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        www.join("index.html"),
        "<!doctype html><title>Amanat</title>",
    )
    .unwrap();
    std::fs::write(www.join("i18n/ur.json"), "{}").unwrap();
    std::fs::write(pkg.join("amanat_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join("amanat.js"), "export {};").unwrap();
    std::fs::write(f.path().join("secret.txt"), "TOP-SECRET").unwrap();
    let server = Server::start_with(
        &f,
        &[
            "--www",
            www.to_str().unwrap(),
            "--pkg",
            pkg.to_str().unwrap(),
        ],
    );

    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<title>Amanat</title>"));
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let wasm = server.get("/pkg/amanat_bg.wasm");
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    let js = server.get("/pkg/amanat.js");
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(server.get("/i18n/ur.json").status, 200);

    let csp = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
               img-src 'self'; font-src 'self'; connect-src 'self'; manifest-src 'self'; \
               worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    let api = server.get("/api/status");
    let missing = server.get("/nope.html");
    let error = server.post("/api/ballots", "{");
    for r in [&page, &wasm, &js, &api, &missing, &error] {
        assert_eq!(r.header("content-security-policy"), Some(csp));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
        assert_eq!(r.header("cross-origin-opener-policy"), Some("same-origin"));
        assert_eq!(
            r.header("cross-origin-resource-policy"),
            Some("same-origin")
        );
        assert_eq!(
            r.header("permissions-policy"),
            Some("camera=(), microphone=(), geolocation=()")
        );
    }
    assert_eq!(api.header("cache-control"), Some("no-store"));
    assert_eq!(error.header("cache-control"), Some("no-store"));
    assert_ne!(page.header("cache-control"), Some("no-store"));
    assert_eq!(missing.status, 404);
    assert_eq!(missing.code(), "NOT_FOUND");

    for escape in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/pkg/../secret.txt",
        "/pkg/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
    ] {
        let r = server.get(escape);
        assert_ne!(r.status, 200, "{escape}");
        assert!(!r.body.contains("TOP-SECRET"), "{escape}: {}", r.body);
    }
}

/// Several voters cast at once while the server is killed (SIGKILL) part way; after a
/// restart every acknowledged ballot is on the board where its receipt says, the chain
/// checks, and voting goes on.
#[test]
fn nothing_acknowledged_is_lost_when_the_server_is_killed() {
    let f = Arc::new(Fixture::new(8));
    let mut server = Server::start(&f);
    let url = server.url.clone();
    let acknowledged: Arc<Mutex<Vec<(Ballot, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|c| {
            let (f, url, acknowledged, stop) = (
                Arc::clone(&f),
                url.clone(),
                Arc::clone(&acknowledged),
                Arc::clone(&stop),
            );
            std::thread::spawn(move || {
                let agent = agent();
                for round in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let b = f.ballot((c * 2 + round % 2) % 8);
                    match try_request(
                        &agent,
                        "POST",
                        &format!("{url}/api/ballots"),
                        Some(&b.to_json()),
                    ) {
                        Ok(r) if r.status == 200 => {
                            acknowledged.lock().unwrap().push((b, r.body));
                        }
                        Ok(r) => panic!("unexpected answer {}: {}", r.status, r.body),
                        // The server died under us: this ballot was never acknowledged.
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    while acknowledged.lock().unwrap().len() < 12 {
        assert!(
            Instant::now() < deadline,
            "the server acknowledged too few ballots"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill();
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    let server = Server::start(&f);
    let board = server.board();
    check_chain(&f.election, &board).unwrap();
    for (ballot, body) in &acknowledged {
        let reply = Reply {
            status: 200,
            headers: Vec::new(),
            body: body.clone(),
        };
        let index = check_receipt(&f, ballot, &reply);
        let received = reply.json()["receipt"]["received"].clone();
        let e = &board[index as usize];
        assert_eq!(&e.ballot, ballot);
        assert_eq!(received, e.received);
    }
    assert!(board.len() >= acknowledged.len());

    let after = f.ballot(0);
    let index = check_receipt(&f, &after, &server.cast(&after));
    assert_eq!(index, board.len() as u64);
    let exported = f.export_board();
    let entries: Vec<BoardEntry> = serde_json::from_value(exported["entries"].clone()).unwrap();
    assert_eq!(
        check_chain(&f.election, &entries).unwrap().to_hex(),
        exported["head"]
    );
}

/// Accepted ballots per second through HTTP: `cargo test --release -p amanat-authority
/// --test http -- --ignored --nocapture throughput`. Reports; asserts only that every
/// ballot was accepted.
#[test]
#[ignore = "a measurement, not a check; run by hand"]
fn throughput() {
    let voters = 200;
    let threads = 4;
    let f = Fixture::new(voters);
    let server = Server::start(&f);
    let sealed_at = Instant::now();
    let ballots: Vec<String> = (0..voters).map(|v| f.ballot(v).to_json()).collect();
    eprintln!(
        "sealed {voters} ballots in {:.1} s",
        sealed_at.elapsed().as_secs_f64()
    );
    let ballots = Arc::new(ballots);
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let (ballots, url) = (Arc::clone(&ballots), server.url.clone());
            std::thread::spawn(move || {
                let agent = agent();
                for b in ballots.iter().skip(t).step_by(threads) {
                    let r = try_request(&agent, "POST", &format!("{url}/api/ballots"), Some(b))
                        .unwrap();
                    assert_eq!(r.status, 200, "{}", r.body);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{voters} ballots accepted over HTTP by {threads} clients in {secs:.2} s: {:.0} per second",
        voters as f64 / secs
    );
    assert_eq!(server.board().len(), voters);
}

/// An answer's status, headers and body bytes.
fn parts(res: ureq::Response) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let status = res.status();
    let headers = res
        .headers_names()
        .into_iter()
        .map(|n| {
            let v = res.header(&n).unwrap_or("").to_string();
            (n, v)
        })
        .collect();
    let mut body = Vec::new();
    res.into_reader().read_to_end(&mut body).unwrap();
    (status, headers, body)
}

/// A `GET` with the given request headers: status, response headers and the raw body bytes
/// (ureq here decodes no content encoding).
fn get_raw(server: &Server, path: &str, headers: &[(&str, &str)]) -> (u16, Reply, Vec<u8>) {
    let (mut reply, body) = send(server, "GET", path, headers);
    reply.body = String::new();
    (reply.status, reply, body)
}

/// Any request with the given method and request headers: the answer (its body as text) and
/// the raw body bytes.
fn send(server: &Server, method: &str, path: &str, headers: &[(&str, &str)]) -> (Reply, Vec<u8>) {
    let mut req = agent().request(method, &format!("{}{path}", server.url));
    for (name, value) in headers {
        req = req.set(name, value);
    }
    let res = match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let (status, headers, body) = parts(res);
    let reply = Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    (reply, body)
}

/// Any request with the given method and request headers.
fn with_headers(server: &Server, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    send(server, method, path, headers).0
}

#[test]
fn public_reads_may_be_read_from_another_origin_and_nothing_else_may() {
    let f = Fixture::new(1);
    let server = Server::start(&f);
    let ballot = f.seal(0).cast();
    check_receipt(&f, &ballot, &server.cast(&ballot));
    let origin = [("Origin", "https://observer.example")];
    let short = ballot.tracking().short();
    for path in [
        "/api/election".to_string(),
        "/api/status".to_string(),
        "/api/head".to_string(),
        "/api/box-key".to_string(),
        "/api/board?from=0".to_string(),
        format!("/api/board/{short}"),
        format!("/api/credentials/{}", f.voters[0].public_key().to_hex()),
    ] {
        let r = with_headers(&server, "GET", &path, &origin);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"), "{path}");
        // Never with credentials: the box has no cookies to share.
        assert_eq!(r.header("access-control-allow-credentials"), None, "{path}");
        // The security headers are still there.
        assert!(r.header("content-security-policy").is_some(), "{path}");
    }
    // A page elsewhere that revalidates a board page asks first (If-None-Match is not a
    // simple header): the preflight allows GET with it, and nothing that writes.
    let pre = with_headers(
        &server,
        "OPTIONS",
        "/api/board?from=0",
        &[
            ("Origin", "https://observer.example"),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "if-none-match"),
        ],
    );
    assert!(pre.status == 200 || pre.status == 204, "{}", pre.status);
    assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
    let methods = pre.header("access-control-allow-methods").unwrap_or("");
    assert!(
        methods.contains("GET") && !methods.contains("POST"),
        "{methods}"
    );
    // Casting, challenging, metrics and readiness are not shared with other origins.
    let cast = with_headers(&server, "GET", "/api/ready", &origin);
    assert_eq!(cast.header("access-control-allow-origin"), None);
    let metrics = with_headers(&server, "GET", "/metrics", &origin);
    assert_eq!(metrics.header("access-control-allow-origin"), None);
    let pre = with_headers(
        &server,
        "OPTIONS",
        "/api/ballots",
        &[
            ("Origin", "https://observer.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
    );
    assert_eq!(pre.header("access-control-allow-origin"), None);
    // A write to a read-only path is still the JSON 405.
    let r = server.post("/api/board", "{}");
    assert_eq!((r.status, r.code().as_str()), (405, "METHOD_NOT_ALLOWED"));
}

#[test]
fn static_files_go_out_precompressed_and_revalidate_with_304() {
    let f = Fixture::new(1);
    let www = f.path().join("www");
    let pkg = f.path().join("pkg");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm = pkg.join("amanat_bg.wasm");
    let original = [b"\0asm\x01\0\0\0".as_slice(), &[7u8; 4000]].concat();
    std::fs::write(&wasm, &original).unwrap();
    // Stand-ins for scripts/precompress.mjs's copies: the box picks by name, age and size,
    // and sends the bytes as they are.
    std::fs::write(pkg.join("amanat_bg.wasm.br"), b"BROTLI").unwrap();
    std::fs::write(pkg.join("amanat_bg.wasm.gz"), b"GZIP-COPY").unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html>").unwrap();
    std::fs::write(
        www.join("index.html.gz"),
        "a copy larger than the file itself",
    )
    .unwrap();
    std::fs::write(www.join("old.js"), "export const x = 1;".repeat(50)).unwrap();
    let stale = std::fs::File::options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(www.join("old.js.br"))
        .unwrap();
    stale
        .set_modified(std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000))
        .unwrap();
    let server = Server::start_with(
        &f,
        &[
            "--www",
            www.to_str().unwrap(),
            "--pkg",
            pkg.to_str().unwrap(),
        ],
    );
    let path = "/pkg/amanat_bg.wasm";

    // The smallest copy the browser takes, with its encoding, the original's type, Vary.
    let (status, r, body) = get_raw(
        &server,
        path,
        &[("Accept-Encoding", "gzip, deflate, br, zstd")],
    );
    assert_eq!(status, 200);
    assert_eq!(body, b"BROTLI");
    assert_eq!(r.header("content-encoding"), Some("br"));
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    assert_eq!(r.header("vary"), Some("Accept-Encoding"));
    assert!(r.header("content-security-policy").is_some());
    let (_, r, body) = get_raw(&server, path, &[("Accept-Encoding", "gzip, br;q=0")]);
    assert_eq!(
        (body.as_slice(), r.header("content-encoding")),
        (b"GZIP-COPY".as_slice(), Some("gzip"))
    );
    let (_, r, body) = get_raw(&server, path, &[]);
    assert_eq!(body, original);
    assert_eq!(r.header("content-encoding"), None);
    // A copy that is not smaller, or older than its file, is never sent.
    let (_, r, body) = get_raw(&server, "/", &[("Accept-Encoding", "gzip")]);
    assert_eq!(
        (body.as_slice(), r.header("content-encoding")),
        (b"<!doctype html>".as_slice(), None)
    );
    let (_, r, body) = get_raw(&server, "/old.js", &[("Accept-Encoding", "br")]);
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(body.len(), 19 * 50);

    // Revalidation: the same ETag gets 304 with no body; each encoding has its own ETag.
    let (_, r, _) = get_raw(&server, path, &[("Accept-Encoding", "br")]);
    let etag = r.header("etag").unwrap().to_string();
    let (status, r, body) = get_raw(
        &server,
        path,
        &[("Accept-Encoding", "br"), ("If-None-Match", &etag)],
    );
    assert_eq!((status, body.len()), (304, 0));
    assert_eq!(r.header("etag"), Some(etag.as_str()));
    let (status, _, body) = get_raw(&server, path, &[("If-None-Match", &etag)]);
    assert_eq!((status, body), (200, original.clone()));
    // A changed file is a new ETag.
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(&wasm, &original[..100]).unwrap();
    let (status, r, body) = get_raw(&server, path, &[("If-None-Match", &etag)]);
    assert_eq!((status, body.len()), (200, 100));
    assert_ne!(r.header("etag"), Some(etag.as_str()));
    // And the brotli copy, now older than its file, is no longer sent.
    let (_, r, _) = get_raw(&server, path, &[("Accept-Encoding", "br")]);
    assert_eq!(r.header("content-encoding"), None);
}

#[test]
fn operators_see_metrics_readiness_and_a_request_log_without_ballots() {
    let f = Fixture::new(2);
    let log = f.path().join("requests.log");
    let server = Server::start_with(&f, &["--request-log", log.to_str().unwrap()]);
    let ready = server.get("/api/ready");
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert_eq!(ready.json()["ready"], true);
    let ballot = f.ballot(0);
    check_receipt(&f, &ballot, &server.cast(&ballot));
    check_receipt(&f, &ballot, &server.cast(&ballot));
    let mut bad = f.ballot(1);
    bad.signature.response += Scalar::ONE;
    assert_eq!(server.cast(&bad).code(), "VERIFICATION_FAILED");
    let tracking = ballot.tracking().short();
    assert_eq!(server.get(&format!("/api/board/{tracking}")).status, 200);

    let metrics = server.get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(metrics
        .header("content-type")
        .unwrap()
        .starts_with("application/openmetrics-text"));
    for line in [
        "amanat_submissions_total{kind=\"cast\",outcome=\"accepted\",code=\"\"} 1",
        "amanat_submissions_total{kind=\"cast\",outcome=\"repeat\",code=\"\"} 1",
        "amanat_submissions_total{kind=\"cast\",outcome=\"refused\",code=\"VERIFICATION_FAILED\"} 1",
        "amanat_verify_seconds_count 3",
        "amanat_append_seconds_count 2",
        "amanat_write_queue 0",
        "amanat_storage_errors_total 0",
        "amanat_http_answers_total{route=\"/api/board/{code}\",status=\"200\"} 1",
    ] {
        assert!(metrics.body.contains(line), "{line} not in\n{}", metrics.body);
    }

    // One JSON line per answer; routes by pattern, nothing of a ballot or a code.
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 5, "{text}");
    for l in &lines {
        let keys: Vec<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["method", "ms", "route", "status", "time"], "{l}");
    }
    assert!(lines
        .iter()
        .any(|l| l["route"] == "/api/ballots" && l["status"] == 422));
    assert!(
        !text.contains(&tracking) && !text.contains(&ballot.credential.to_hex()),
        "{text}"
    );
}

/// `amanat served-files ARGS`: exit success and standard output.
fn served_files(args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN)
        .arg("served-files")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn the_box_serves_only_the_published_files() {
    let f = Fixture::new(1);
    let www = f.path().join("www");
    let pkg = f.path().join("pkg");
    std::fs::create_dir_all(www.join("js")).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html><title>vote</title>").unwrap();
    std::fs::write(www.join("js/app.js"), "export const ok = 1;").unwrap();
    std::fs::write(pkg.join("amanat_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join("amanat_bg.wasm.gz"), b"GZIP").unwrap();
    let list = f.path().join("served-files.json");
    let (www_s, pkg_s) = (www.to_str().unwrap(), pkg.to_str().unwrap());
    let (ok, out) = served_files(&[
        "make",
        "--www",
        www_s,
        "--pkg",
        pkg_s,
        "--out",
        list.to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    let published: Value = serde_json::from_str(&std::fs::read_to_string(&list).unwrap()).unwrap();
    let names: Vec<_> = published["files"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        names,
        [
            "/index.html",
            "/js/app.js",
            "/pkg/amanat_bg.wasm",
            "/pkg/amanat_bg.wasm.gz"
        ]
    );
    let roots = ["--www", www_s, "--pkg", pkg_s];
    // The election directory's list is found without being named.
    let server = Server::start_with(&f, &roots);
    assert_eq!(server.get("/js/app.js").status, 200);
    // An observer page elsewhere reads the list the box enforces, and the files themselves,
    // from another origin (GET and HEAD; nothing else is shared).
    let origin = [("Origin", "https://observer.example")];
    let answered = with_headers(&server, "GET", "/api/served-files", &origin);
    assert_eq!(answered.status, 200, "{}", answered.body);
    assert_eq!(answered.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        serde_json::from_str::<Value>(&answered.body).unwrap(),
        published
    );
    for method in ["GET", "HEAD"] {
        for path in ["/js/app.js", "/pkg/amanat_bg.wasm", "/"] {
            let r = with_headers(&server, method, path, &origin);
            assert_eq!(r.status, 200, "{method} {path}");
            assert_eq!(
                r.header("access-control-allow-origin"),
                Some("*"),
                "{method} {path}"
            );
            assert_eq!(r.header("access-control-allow-credentials"), None);
            assert!(r.header("content-security-policy").is_some(), "{path}");
        }
    }
    let post = with_headers(&server, "POST", "/js/app.js", &origin);
    assert_eq!(post.status, 405);
    assert_eq!(post.header("access-control-allow-origin"), None);
    let (ok, out) = served_files(&[
        "check",
        "--list",
        list.to_str().unwrap(),
        "--url",
        &server.url,
    ]);
    assert!(ok, "{out}");
    assert!(
        out.contains("4 of 4 published files served exactly"),
        "{out}"
    );

    // A file changed on disk while the box runs is never served, and an observer's check
    // names it.
    std::fs::write(www.join("js/app.js"), "export const ok = 2;").unwrap();
    let r = server.get("/js/app.js");
    assert_eq!(
        (r.status, r.code().as_str()),
        (500, "FILE_NOT_PUBLISHED"),
        "{}",
        r.body
    );
    let (ok, out) = served_files(&[
        "check",
        "--list",
        list.to_str().unwrap(),
        "--url",
        &server.url,
    ]);
    assert!(!ok, "{out}");
    assert!(out.contains("/js/app.js: NOT_SERVED (HTTP 500)"), "{out}");
    assert!(out.contains("3 of 4"), "{out}");
    drop(server);

    // Restarted on changed files, the box refuses to start, naming them.
    let err = serve_refused(&f, &roots);
    assert!(err.contains("/js/app.js differs"), "{err}");
    std::fs::write(www.join("js/app.js"), "export const ok = 1;").unwrap();
    std::fs::write(www.join("extra.js"), "alert(1)").unwrap();
    let err = serve_refused(&f, &roots);
    assert!(
        err.contains("/extra.js is not in the published list"),
        "{err}"
    );
    std::fs::remove_file(www.join("extra.js")).unwrap();
    std::fs::remove_file(pkg.join("amanat_bg.wasm.gz")).unwrap();
    let err = serve_refused(&f, &roots);
    assert!(err.contains("/pkg/amanat_bg.wasm.gz is missing"), "{err}");

    // Without a list, the box says it has none.
    std::fs::rename(&list, f.path().join("list.aside")).unwrap();
    let server = Server::start_with(&f, &roots);
    let r = server.get("/api/served-files");
    assert_eq!((r.status, r.code().as_str()), (404, "NOT_PUBLISHED"));
    drop(server);
    std::fs::rename(f.path().join("list.aside"), &list).unwrap();

    // A malformed list is refused with its reason.
    std::fs::write(&list, r#"{"files": {"/../etc/passwd": "00"}}"#).unwrap();
    let err = serve_refused(&f, &roots);
    assert!(err.contains("not a path the box serves"), "{err}");
}
