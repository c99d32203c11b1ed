//! The whole chain through the real ballot box on loopback: `amanat demo-election`, voters
//! casting (one revoting, one challenging) over HTTP with codes from `codes.json`, `close`,
//! `export-board`, `tally`, two of three trustees' `trustee decrypt`, `combine`, and
//! `verify --json`, whose results must equal what the voters chose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use amanat::{Credential, Election, SealedBallot, Selections};
use rand_core::{OsRng, RngCore};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_amanat");

fn amanat(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().unwrap();
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
    for (i, v) in voters.iter().enumerate() {
        let choice = choose(&election, v);
        let ballot = SealedBallot::seal(&election, v, &choice, &mut OsRng)
            .unwrap()
            .cast();
        let (status, body) = post(&ballots, &ballot.to_json());
        assert_eq!(status, 200, "{body}");
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
        &d("board.json"),
    ]);
    amanat(&[
        "tally",
        "--election",
        &dir_s,
        "--board",
        &d("board.json"),
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
        &d("board.json"),
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
}
