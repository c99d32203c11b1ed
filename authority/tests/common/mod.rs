//! What the authority's integration tests share: running the `amanat` binary, a closed and
//! signed board from entries, the trustees' decryption and `combine`, and `verify`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use amanat::{BoardEntry, Credential, CredentialEntry, CredentialList, Election, Manifest};
use amanat::{PublicKey, Selections};
use amanat_authority::board_file::BoardFile;
use amanat_authority::box_key::BoxKey;

#[path = "board_text.rs"]
pub mod board_text;
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::Scalar;
use rand_core::OsRng;
use serde_json::Value;

pub fn amanat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amanat"))
        .args(args)
        .output()
        .unwrap()
}

pub fn ok(args: &[&str]) -> String {
    let out = amanat(args);
    assert!(
        out.status.success(),
        "amanat {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The board of `entries`, closed and signed with the box key that `demo-election` wrote to
/// `dir/box.sqlite.key`, as `amanat close` and `export-board` would make it.
pub fn closed_board(dir: &Path, election: &Election, entries: Vec<BoardEntry>) -> BoardFile {
    let key = BoxKey::load_for(&dir.join("box.sqlite.key"), election).unwrap();
    let head = entries
        .last()
        .map_or_else(|| amanat::board::genesis(election), |e| e.hash);
    let closing = key.signed_head(
        election,
        entries.len() as u64,
        head,
        true,
        "2026-11-23T18:00:00Z".into(),
    );
    BoardFile::new(election, entries, Some(closing))
}

/// Counts per contest, per option.
pub type Counts = BTreeMap<String, BTreeMap<String, u64>>;

/// The end of an election through the CLI: `tally` of a closed board into `tmp/tally.json`,
/// `trustee decrypt` by each of `trustees`, `combine` into `tmp/record`. Returns the output of
/// `tally` and of `combine`, the partial decryptions and the record directory.
pub fn tally_decrypt_combine(
    tmp: &Path,
    dir: &Path,
    board: &Path,
    trustees: &[u32],
) -> (String, String, Vec<PathBuf>, PathBuf) {
    let tally = tmp.join("tally.json");
    let tallied = ok(&[
        "tally",
        "--election",
        s(dir),
        "--board",
        s(board),
        "--out",
        s(&tally),
    ]);
    let (combined, partials, record) = decrypt_combine(tmp, dir, board, &tally, trustees);
    (tallied, combined, partials, record)
}

/// The trustees' part and the record: `trustee decrypt` of `tally` by each of `trustees`,
/// then `combine` into `tmp/record`. Returns the output of `combine`, the partial
/// decryptions and the record directory.
pub fn decrypt_combine(
    tmp: &Path,
    dir: &Path,
    board: &Path,
    tally: &Path,
    trustees: &[u32],
) -> (String, Vec<PathBuf>, PathBuf) {
    let mut partials = Vec::new();
    for j in trustees {
        let out = tmp.join(format!("partial-{j}.json"));
        ok(&[
            "trustee",
            "decrypt",
            "--dir",
            s(&dir.join(format!("trustees/trustee-{j}"))),
            "--election",
            s(&dir.join("election.json")),
            "--ceremony",
            s(&dir.join("ceremony.json")),
            "--tally",
            s(tally),
            "--out",
            s(&out),
        ]);
        partials.push(out);
    }
    let record = tmp.join("record");
    let mut args = vec![
        "combine",
        "--election",
        s(dir),
        "--board",
        s(board),
        "--tally",
        s(tally),
        "--out",
        s(&record),
        "--partials",
    ];
    args.extend(partials.iter().map(|p| s(p)));
    let combined = ok(&args);
    (combined, partials, record)
}

/// `verify --json` passes on the record and its results equal `expected` (0 where absent).
pub fn assert_verified(record: &Path, expected: &Counts) {
    let report: Value = serde_json::from_str(&ok(&["verify", s(record), "--json"])).unwrap();
    assert_eq!(report["ok"], true, "{report:#}");
    for (contest, row) in report["results"].as_object().unwrap() {
        for (option, votes) in row.as_object().unwrap() {
            let want = expected
                .get(contest)
                .and_then(|r| r.get(option))
                .copied()
                .unwrap_or(0);
            assert_eq!(votes.as_u64().unwrap(), want, "{contest}/{option}");
        }
    }
}

/// The first option of each contest of the style, or the second when `alt`.
pub fn choose(election: &Election, style: &str, alt: bool) -> Selections {
    election
        .manifest()
        .style_contests(style)
        .unwrap()
        .iter()
        .map(|c| (c.id.clone(), vec![c.options[usize::from(alt)].id.clone()]))
        .collect()
}

/// An election of the reference manifest written to a temporary directory as `amanat serve`
/// reads it: election.json, credentials.json (`voters` new credentials, all for ballot
/// style `NA-1.PP-1`) and the ballot box's key where the box looks by default
/// (`box.sqlite.key`). Also returns the joint secret key, so a test can decrypt without
/// trustees, and the voters' credentials.
pub fn box_election(voters: usize) -> (tempfile::TempDir, Election, Scalar, Vec<Credential>) {
    let m: Manifest =
        serde_json::from_str(include_str!("../../../tests/vectors/manifest.json")).unwrap();
    let voters: Vec<Credential> = (0..voters)
        .map(|_| {
            Credential::generate(&m.election_id, 0, &mut OsRng)
                .unwrap()
                .1
        })
        .collect();
    let list = CredentialList::new(
        voters
            .iter()
            .map(|c| CredentialEntry {
                key: *c.public_key(),
                style: "NA-1.PP-1".into(),
            })
            .collect(),
    )
    .unwrap();
    let secret = Scalar::random(&mut OsRng);
    let key = PublicKey::from_bytes(&(G * secret).compress().to_bytes(), "joint key").unwrap();
    let box_key = BoxKey::generate(&mut OsRng);
    let election = Election::new(m, 3, 2, key, list.summary(), *box_key.public()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    box_key
        .save(&BoxKey::path_for(&dir.path().join("box.sqlite")))
        .unwrap();
    std::fs::write(dir.path().join("election.json"), election.to_json()).unwrap();
    std::fs::write(
        dir.path().join("credentials.json"),
        serde_json::to_string(&list).unwrap(),
    )
    .unwrap();
    (dir, election, secret, voters)
}

/// An HTTP answer as a test read it off a raw socket (`http_limits.rs`, `http_hostile.rs`).
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The headers, as sent.
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    pub body: String,
}

impl Answer {
    /// A header's value, its name compared without case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (panics if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}
