//! The authority's election workflow through the `amanat` binary, without a server: the demo
//! election, voters sealing with their codes (as the page does), a board as the ballot box
//! exports it, `tally`, each trustee's `trustee decrypt`, `combine` and `verify`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use amanat::{BoardEntry, Credential, Election, EntryKind, SealedBallot};
use amanat_authority::board_file::BoardFile;
use common::{amanat, assert_verified, choose, closed_board, ok, s, tally_decrypt_combine, Counts};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::Value;

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_whole_election_through_the_cli() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("election");
    let text = ok(&[
        "demo-election",
        "--out",
        s(&dir),
        "--voters",
        "6",
        "--seed",
        "3",
    ]);
    assert!(text.contains("Gulf and Middle East") && text.contains("Europe and Americas"));
    for f in [
        "manifest.json",
        "election.json",
        "ceremony.json",
        "credentials.json",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir.join("codes.json")), 0o600);
        for i in 1..=3 {
            assert_eq!(
                mode(&dir.join(format!("trustees/trustee-{i}/share.json"))),
                0o600
            );
        }
    }
    let election =
        Election::from_json(&std::fs::read_to_string(dir.join("election.json")).unwrap()).unwrap();
    let codes: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("codes.json")).unwrap()).unwrap();
    assert_eq!(codes.len(), 6);
    // The printed codes are real codes of this election.
    let first = codes[0]["code"].as_str().unwrap();
    assert!(text.contains(first));

    // Voting: every voter casts; voter 0 challenges first; voter 1 votes again later.
    let mut rng = ChaCha20Rng::from_seed([4; 32]);
    let mut ballots: Vec<(EntryKind, amanat::Ballot, Option<amanat::Challenge>)> = Vec::new();
    let mut expected: Counts = BTreeMap::new();
    let mut later = Vec::new();
    for (v, c) in codes.iter().enumerate() {
        let credential = Credential::from_code(&election, c["code"].as_str().unwrap()).unwrap();
        let style = c["style"].as_str().unwrap();
        if v == 0 {
            let sealed = SealedBallot::seal(
                &election,
                &credential,
                &choose(&election, style, true),
                &mut rng,
            )
            .unwrap();
            let ballot = sealed.ballot().clone();
            ballots.push((EntryKind::Challenge, ballot, Some(sealed.challenge())));
        }
        let mut last = choose(&election, style, false);
        let sealed = SealedBallot::seal(&election, &credential, &last, &mut rng).unwrap();
        ballots.push((EntryKind::Cast, sealed.cast(), None));
        if v == 1 {
            last = choose(&election, style, true);
            let sealed = SealedBallot::seal(&election, &credential, &last, &mut rng).unwrap();
            later.push((EntryKind::Cast, sealed.cast(), None));
        }
        for (contest, chosen) in last {
            *expected
                .entry(contest)
                .or_default()
                .entry(chosen[0].clone())
                .or_default() += 1;
        }
    }
    ballots.extend(later);
    let mut entries = Vec::new();
    let mut prev = amanat::board::genesis(&election);
    for (i, (kind, ballot, challenge)) in ballots.into_iter().enumerate() {
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
        entries.push(e);
    }

    // An open board is refused; the closed one is tallied.
    let board_path = tmp.path().join("board.jsonl");
    let tally_path = tmp.path().join("tally.json");
    let open = BoardFile::new(&election, entries.clone(), None);
    std::fs::write(&board_path, open.to_jsonl()).unwrap();
    let refused = amanat(&[
        "tally",
        "--election",
        s(&dir),
        "--board",
        s(&board_path),
        "--out",
        s(&tally_path),
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("polls are still open"));
    let closed = closed_board(&dir, &election, entries);
    std::fs::write(&board_path, closed.to_jsonl()).unwrap();
    // Tally; trustees 1 and 3 decrypt (2 of 3), trustee 2 stays home; combine; verify.
    let (text, combined, partials, record) =
        tally_decrypt_combine(tmp.path(), &dir, &board_path, &[1, 3]);
    assert!(
        text.contains("6 counted, 1 replaced by a later ballot, 1 challenged, 0 rejected"),
        "{text}"
    );
    assert!(
        combined.contains("decrypted with trustees 1, 3 of 3"),
        "{combined}"
    );
    assert_verified(&record, &expected);

    // One trustee alone cannot decrypt.
    let alone = amanat(&[
        "combine",
        "--election",
        s(&dir),
        "--board",
        s(&board_path),
        "--tally",
        s(&tally_path),
        "--out",
        s(&tmp.path().join("r2")),
        "--partials",
        s(&partials[0]),
    ]);
    assert!(!alone.status.success());
    assert!(String::from_utf8_lossy(&alone.stderr).contains("at least 2 are needed"));
}

#[test]
fn credentials_and_election_create() {
    let tmp = tempfile::TempDir::new().unwrap();
    let demo = tmp.path().join("demo");
    ok(&[
        "demo-election",
        "--out",
        s(&demo),
        "--voters",
        "2",
        "--seed",
        "8",
    ]);
    let codes = tmp.path().join("codes.json");
    let list = tmp.path().join("credentials.json");
    let text = ok(&[
        "credentials",
        "--manifest",
        s(&demo.join("manifest.json")),
        "--per-style",
        "gulf=3",
        "--per-style",
        "west=2",
        "--codes-out",
        s(&codes),
        "--list-out",
        s(&list),
    ]);
    assert!(text.contains("3 credentials for ballot style gulf"));
    #[cfg(unix)]
    assert_eq!(mode(&codes), 0o600);
    let issued: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&codes).unwrap()).unwrap();
    assert_eq!(issued.iter().filter(|c| c["style"] == "west").count(), 2);
    for c in &issued {
        assert_eq!(
            amanat::check_code(c["code"].as_str().unwrap()),
            amanat::CodeCheck::Valid
        );
    }

    // The box key comes first: its secret stays in the file, its public key goes on stdout.
    let key_file = tmp.path().join("box.sqlite.key");
    let public = ok(&["box-key", "--out", s(&key_file)]);
    let public = public.trim();
    assert_eq!(public.len(), 64, "{public}");
    #[cfg(unix)]
    assert_eq!(mode(&key_file), 0o600);
    let secret = std::fs::read_to_string(&key_file).unwrap();
    assert!(!public.contains(&secret));
    assert_eq!(ok(&["box-key", "--show", s(&key_file)]).trim(), public);
    let again = amanat(&["box-key", "--out", s(&key_file)]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("BOX_KEY_EXISTS"));
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), secret);

    let election = tmp.path().join("election.json");
    let create = |box_key: &str| {
        amanat(&[
            "election",
            "create",
            "--manifest",
            s(&demo.join("manifest.json")),
            "--ceremony",
            s(&demo.join("ceremony.json")),
            "--credentials",
            s(&list),
            "--box-key",
            box_key,
            "--out",
            s(&election),
        ])
    };
    for bad in [&public[..63], public.to_uppercase().as_str(), s(&key_file)] {
        let out = create(bad);
        assert!(!out.status.success(), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--box-key"));
    }
    assert!(!election.exists());
    let out = create(public);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(public));
    let e = Election::from_json(&std::fs::read_to_string(&election).unwrap()).unwrap();
    assert_eq!(e.ballot_box_key().to_hex(), public);
    assert_eq!(e.credentials().count, 5);
    assert_eq!((e.trustees(), e.threshold()), (3, 2));
    // Each code derives a key on the list, for its style.
    let parsed =
        amanat::CredentialList::from_json(&std::fs::read_to_string(&list).unwrap()).unwrap();
    parsed.check_against(&e).unwrap();
    for c in &issued {
        let cred = Credential::from_code(&e, c["code"].as_str().unwrap()).unwrap();
        assert_eq!(parsed.style_of(cred.public_key()), c["style"].as_str());
    }

    // An unknown style and a missing count are refused.
    let bad = amanat(&[
        "credentials",
        "--manifest",
        s(&demo.join("manifest.json")),
        "--per-style",
        "north=1",
        "--codes-out",
        s(&codes),
        "--list-out",
        s(&list),
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("UNKNOWN_STYLE"));
    let bad = amanat(&[
        "credentials",
        "--manifest",
        s(&demo.join("manifest.json")),
        "--codes-out",
        s(&codes),
        "--list-out",
        s(&list),
    ]);
    assert!(!bad.status.success());
}

#[test]
fn every_subcommand_has_help() {
    for cmd in [
        vec!["credentials"],
        vec!["box-key"],
        vec!["election", "create"],
        vec!["receipt", "check"],
        vec!["heads", "check"],
        vec!["close"],
        vec!["export-board"],
        vec!["tally"],
        vec!["combine"],
        vec!["verify"],
        vec!["simulate"],
        vec!["demo-election"],
    ] {
        let mut args = cmd.clone();
        args.push("--help");
        let text = ok(&args);
        assert!(text.contains("Usage: amanat"), "{cmd:?}: {text}");
    }
}

#[test]
fn a_challenged_ballot_cast_anyway_is_never_counted_and_the_latest_valid_one_is() {
    use amanat_authority::tally;
    let tmp = tempfile::TempDir::new().unwrap();
    let (election, issued) = amanat_authority::demo::create(tmp.path(), 2, [6; 32]).unwrap();
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let code = &issued.codes[0];
    let credential = Credential::from_code(&election, &code.code).unwrap();
    let seal = |alt: bool, rng: &mut ChaCha20Rng| {
        SealedBallot::seal(
            &election,
            &credential,
            &choose(&election, &code.style, alt),
            rng,
        )
        .unwrap()
    };
    let first = seal(false, &mut rng).cast();
    let spoiled = seal(true, &mut rng);
    let spoiled_ballot = spoiled.ballot().clone();
    let reveal = spoiled.challenge();
    let mut forged = first.clone();
    forged.signature = spoiled_ballot.signature; // a ballot whose signature fails
    let items = vec![
        (EntryKind::Cast, first.clone(), None),
        (EntryKind::Challenge, spoiled_ballot.clone(), Some(reveal)),
        (EntryKind::Cast, spoiled_ballot, None),
        (EntryKind::Cast, forged, None),
    ];
    let mut entries = Vec::new();
    let mut prev = amanat::board::genesis(&election);
    for (i, (kind, ballot, challenge)) in items.into_iter().enumerate() {
        let e = BoardEntry::new(
            prev,
            i as u64,
            kind,
            "2026-11-22T09:00:00Z".into(),
            ballot,
            challenge,
        )
        .unwrap();
        prev = e.hash;
        entries.push(e);
    }
    let board = closed_board(tmp.path(), &election, entries);
    let t = tally::compute(&election, &issued.list, &board).unwrap();
    assert_eq!(t.counted, vec![first.tracking().0]);
    assert!(t.superseded.is_empty());
    assert_eq!(t.challenged.len(), 1);
    // The challenged ballot cast anyway breaks a board rule; the forged one does not verify.
    assert_eq!(t.rejected.len(), 2);
    assert_eq!(t.rejected[0].index, 2);
    assert_eq!(t.rejected[0].code, "ALREADY_CHALLENGED");
    assert_eq!(t.rejected[1].index, 3);
    assert_eq!(t.rejected[1].code, "VERIFICATION_FAILED");
    // The counted ballot's contests hold one ballot each; the other style's none.
    for c in &t.contests {
        let holds = first.contests.iter().any(|x| x.id == c.id);
        assert_eq!(c.ballots, u64::from(holds), "{}", c.id);
    }
}

/// `amanat serve` on a free loopback port, killed on drop.
struct BallotBox {
    child: std::process::Child,
    url: String,
}

impl BallotBox {
    fn start(election: &Path, scratch: &Path) -> BallotBox {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (www, pkg) = (scratch.join("www"), scratch.join("pkg"));
        std::fs::create_dir_all(&www).unwrap();
        std::fs::create_dir_all(&pkg).unwrap();
        let listen = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_amanat"))
            .args([
                "serve",
                "--election",
                s(election),
                "--www",
                s(&www),
                "--pkg",
                s(&pkg),
            ])
            .args(["--listen", &listen])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let b = BallotBox {
            child,
            url: format!("http://{listen}"),
        };
        for _ in 0..200 {
            if ureq::get(&format!("{}/api/status", b.url)).call().is_ok() {
                return b;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the ballot box did not start");
    }

    fn post(&self, path: &str, body: &str) -> Value {
        let r = ureq::post(&format!("{}{path}", self.url))
            .set("Content-Type", "application/json")
            .send_string(body)
            .unwrap();
        serde_json::from_str(&r.into_string().unwrap()).unwrap()
    }
}

impl Drop for BallotBox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn an_election_through_the_ballot_box_verifies_and_an_altered_ballot_fails() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("election");
    ok(&[
        "demo-election",
        "--out",
        s(&dir),
        "--voters",
        "5",
        "--seed",
        "12",
    ]);
    let election =
        Election::from_json(&std::fs::read_to_string(dir.join("election.json")).unwrap()).unwrap();
    let codes: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("codes.json")).unwrap()).unwrap();

    let server = BallotBox::start(&dir, tmp.path());
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    let mut expected: Counts = BTreeMap::new();
    for (v, c) in codes.iter().enumerate() {
        let credential = Credential::from_code(&election, c["code"].as_str().unwrap()).unwrap();
        let style = c["style"].as_str().unwrap();
        if v == 0 {
            let sealed = SealedBallot::seal(
                &election,
                &credential,
                &choose(&election, style, true),
                &mut rng,
            )
            .unwrap();
            let ballot: Value = serde_json::from_str(&sealed.ballot().to_json()).unwrap();
            let reveal: Value = serde_json::from_str(&sealed.challenge().to_json()).unwrap();
            let body = serde_json::json!({"ballot": ballot, "challenge": reveal});
            server.post("/api/challenges", &body.to_string());
        }
        let mut last = choose(&election, style, false);
        let sealed = SealedBallot::seal(&election, &credential, &last, &mut rng).unwrap();
        let receipt = server.post("/api/ballots", &sealed.cast().to_json());
        assert!(receipt["receipt"].is_object(), "{receipt}");
        if v == 2 {
            last = choose(&election, style, true);
            let sealed = SealedBallot::seal(&election, &credential, &last, &mut rng).unwrap();
            server.post("/api/ballots", &sealed.cast().to_json());
        }
        for (contest, chosen) in last {
            *expected
                .entry(contest)
                .or_default()
                .entry(chosen[0].clone())
                .or_default() += 1;
        }
    }
    ok(&["close", "--election", s(&dir)]);
    let board = tmp.path().join("board.jsonl");
    ok(&["export-board", "--election", s(&dir), "--out", s(&board)]);
    drop(server);

    let (text, _, _, record) = tally_decrypt_combine(tmp.path(), &dir, &board, &[2, 3]);
    assert!(
        text.contains("5 counted, 1 replaced by a later ballot, 1 challenged"),
        "{text}"
    );
    assert_verified(&record, &expected);

    // One ballot altered in the published record: verify fails and names the checks.
    let path = record.join("board.jsonl");
    let mut b = common::board_text::read_board(&path);
    let sels = &mut b["entries"][3]["ballot"]["contests"][1]["selections"];
    let first = sels[0]["ciphertext"].clone();
    sels[0]["ciphertext"] = sels[1]["ciphertext"].clone();
    sels[1]["ciphertext"] = first;
    common::board_text::write_board(&path, &b);
    let out = amanat(&["verify", s(&record)]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("V4   FAIL") && text.contains("V5   FAIL"),
        "{text}"
    );
    assert!(
        text.contains("board entry 3") || text.contains("entry 3"),
        "{text}"
    );
}
