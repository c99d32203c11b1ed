//! The frozen known-answer vectors of `tests/vectors/` (see its README.md).
//!
//! First, the generator (`examples/vectors.rs`) is run and every file must be byte-identical to
//! what it produces today. Then each file is checked from its own contents, the way an
//! independent implementation would use it: ballots verify, hashes follow the byte layout,
//! ciphertexts decrypt, invalid ballots fail with exactly their error code.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code)]
#[path = "../examples/vectors.rs"]
mod generator;

use std::collections::BTreeMap;

use amanat::encoding::{from_hex, to_hex};
use amanat::{
    check_code, normalize_short_code, Ballot, BoardEntry, Challenge, CodeCheck, Credential,
    CredentialList, Digest, Election, EntryKind, Receipt, SealedBallot, Selections, SignedHead,
    Tracking,
};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::Scalar;
use serde_json::Value;
use sha2::{Digest as _, Sha512};

fn file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(name: &str) -> Value {
    serde_json::from_str(&file(name)).unwrap()
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn point(v: &Value) -> RistrettoPoint {
    CompressedRistretto(from_hex::<32>(text(v), "point").unwrap())
        .decompress()
        .unwrap()
}

fn scalar(v: &Value) -> Scalar {
    Option::from(Scalar::from_canonical_bytes(
        from_hex::<32>(text(v), "scalar").unwrap(),
    ))
    .unwrap()
}

fn hex_of(p: &RistrettoPoint) -> String {
    to_hex(p.compress().as_bytes())
}

fn election() -> Election {
    Election::from_json(&file("election.json")).unwrap()
}

fn credentials() -> CredentialList {
    CredentialList::from_json(&file("credentials.json")).unwrap()
}

fn joint_secret() -> Scalar {
    scalar(&json("expected.json")["joint_secret"])
}

/// SHA-512 of the length-prefixed layout, written again here so the test does not trust the
/// generator's own copy.
fn layout(domain: &str, items: &[Vec<u8>]) -> [u8; 64] {
    let mut h = Sha512::new();
    let tag = format!("amanat/2/{domain}");
    h.update((tag.len() as u32).to_be_bytes());
    h.update(tag.as_bytes());
    for i in items {
        h.update((i.len() as u32).to_be_bytes());
        h.update(i);
    }
    h.finalize().into()
}

#[test]
fn files_are_byte_identical_to_what_the_generator_produces() {
    let files = generator::generate().unwrap_or_else(|e| panic!("generator: {e}"));
    assert_eq!(
        files.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        generator::FILES
    );
    for (name, fresh) in files {
        let frozen = file(name);
        if frozen != fresh {
            let at = frozen
                .bytes()
                .zip(fresh.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(frozen.len().min(fresh.len()));
            let lo = at.saturating_sub(80);
            panic!(
                "tests/vectors/{name} differs from the generator at byte {at} (lengths {} and {}):\n\
                 frozen: {:?}\n\
                 now:    {:?}\n\
                 The vectors are frozen: a different output is a protocol change.",
                frozen.len(),
                fresh.len(),
                frozen.get(lo..(at + 80).min(frozen.len())).unwrap_or(""),
                fresh.get(lo..(at + 80).min(fresh.len())).unwrap_or(""),
            );
        }
    }
}

#[test]
fn election_and_credential_list_match_the_expected_values() {
    let expected = json("expected.json");
    let election = election();
    assert_eq!(election.to_json() + "\n", file("election.json"));
    assert_eq!(election.base_hash().to_hex(), text(&expected["base_hash"]));
    assert_eq!(
        election.manifest().election_id,
        text(&expected["election_id"])
    );
    assert_eq!(
        u64::from(election.trustees()),
        expected["trustees"].as_u64().unwrap()
    );
    assert_eq!(
        u64::from(election.threshold()),
        expected["threshold"].as_u64().unwrap()
    );
    let key = election.key().public();
    assert_eq!(key.to_hex(), text(&expected["joint_public_key"]));
    assert_eq!(hex_of(&(G * joint_secret())), key.to_hex());
    let manifest: amanat::Manifest = amanat::encoding::from_json(&file("manifest.json")).unwrap();
    assert_eq!(election.manifest(), &manifest);

    let list = credentials();
    list.check_against(&election).unwrap();
    assert_eq!(
        list.digest().to_hex(),
        text(&expected["credentials_digest"])
    );
    assert_eq!(
        list.entries().len() as u64,
        expected["credentials_count"].as_u64().unwrap()
    );
    assert_eq!(
        serde_json::to_string_pretty(&list).unwrap() + "\n",
        file("credentials.json")
    );
    let keys: Vec<_> = list.entries().iter().map(|e| e.key.to_bytes()).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "sorted by key bytes");
    assert!(list.entries().iter().all(|e| e.style == generator::STYLE));
}

#[test]
fn ballots_verify_track_reveal_and_reseal_identically() {
    let election = election();
    let list = credentials();
    let cases = json("ballots.json");
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 4);
    let mut keys = BTreeMap::new();
    for case in cases {
        let name = text(&case["name"]);
        let ballot = Ballot::from_json(&case["ballot"].to_string()).unwrap();
        ballot
            .verify(&election)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        ballot
            .verify_listed(&election, &list)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            ballot.body_digest().to_hex(),
            text(&case["body_digest"]),
            "{name}"
        );
        let tracking = ballot.tracking();
        assert_eq!(tracking.full(), text(&case["tracking"]["full"]), "{name}");
        assert_eq!(tracking.short(), text(&case["tracking"]["short"]), "{name}");

        let selections: Selections = serde_json::from_value(case["selections"].clone()).unwrap();
        let challenge = Challenge::from_json(&case["challenge"].to_string()).unwrap();
        assert_eq!(challenge.tracking, tracking.0, "{name}");
        assert_eq!(challenge.seed, text(&case["seed"]), "{name}");
        assert_eq!(
            challenge.check(&election, &ballot).unwrap(),
            selections,
            "{name}"
        );

        let credential = Credential::from_code(&election, text(&case["code"])).unwrap();
        assert_eq!(credential.public_key(), &ballot.credential, "{name}");
        let seed =
            amanat::BallotSeed::from_bytes(from_hex::<32>(text(&case["seed"]), "s").unwrap());
        let again =
            SealedBallot::seal_with_seed(&election, &credential, &selections, seed).unwrap();
        assert_eq!(again.ballot(), &ballot, "{name}: sealing is deterministic");
        assert_eq!(again.tracking(), tracking, "{name}");
        keys.insert(name.to_string(), ballot.credential);
    }
    assert_eq!(
        keys["revote-before"], keys["revote-after"],
        "a revote reuses the credential"
    );
    assert_ne!(keys["first-options"], keys["last-options"]);
    assert_ne!(keys["first-options"], keys["revote-after"]);
    let trackings: std::collections::BTreeSet<_> = cases
        .iter()
        .map(|c| text(&c["tracking"]["full"]).to_string())
        .collect();
    assert_eq!(trackings.len(), cases.len(), "tracking codes are distinct");
}

#[test]
fn the_encrypted_tally_of_the_latest_ballots_decrypts_to_the_tally() {
    let expected = json("expected.json");
    let cases = json("ballots.json");
    // The latest ballot of each credential, by file order.
    let mut latest: BTreeMap<String, &Value> = BTreeMap::new();
    for case in cases.as_array().unwrap() {
        latest.insert(text(&case["ballot"]["credential"]).to_string(), case);
    }
    let mut counted: Vec<&str> = latest.values().map(|c| text(&c["name"])).collect();
    let mut listed: Vec<&str> = expected["counted"]
        .as_array()
        .unwrap()
        .iter()
        .map(text)
        .collect();
    counted.sort_unstable();
    listed.sort_unstable();
    assert_eq!(counted, listed);

    let x = joint_secret();
    let mut options = 0;
    for (contest, opts) in expected["encrypted_tally"].as_object().unwrap() {
        for (option, sum) in opts.as_object().unwrap() {
            let (mut a, mut b) = (RistrettoPoint::default(), RistrettoPoint::default());
            let mut n = 0u64;
            for case in latest.values() {
                let c = case["ballot"]["contests"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| text(&c["id"]) == contest)
                    .unwrap();
                let s = c["selections"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|s| text(&s["id"]) == option)
                    .unwrap();
                a += point(&s["ciphertext"]["a"]);
                b += point(&s["ciphertext"]["b"]);
                if case["selections"][contest]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|o| o == option.as_str())
                {
                    n += 1;
                }
            }
            assert_eq!(hex_of(&a), text(&sum["a"]), "{contest}/{option}");
            assert_eq!(hex_of(&b), text(&sum["b"]), "{contest}/{option}");
            assert_eq!(
                b - a * x,
                G * Scalar::from(n),
                "{contest}/{option} decrypts"
            );
            assert_eq!(expected["tally"][contest][option].as_u64(), Some(n));
            options += 1;
        }
    }
    assert_eq!(options, 35);
}

#[test]
fn invalid_ballots_fail_with_exactly_their_code() {
    let election = election();
    let list = credentials();
    let cases = json("invalid.json");
    let cases = cases.as_array().unwrap();
    for case in cases {
        let name = text(&case["name"]);
        let stage = text(&case["stage"]);
        let want = text(&case["error"]);
        let raw = match (case.get("ballot"), case.get("ballot_json")) {
            (Some(b), None) => b.to_string(),
            (None, Some(j)) => text(j).to_string(),
            _ => panic!("{name}: needs exactly one of ballot, ballot_json"),
        };
        let parsed = Ballot::from_json(&raw);
        let got = match stage {
            "parse" => {
                assert!(case.get("ballot_json").is_some(), "{name}");
                parsed.map(|_| ())
            }
            "verify" => parsed
                .unwrap_or_else(|e| panic!("{name}: should parse: {e}"))
                .verify(&election),
            "verify_listed" => parsed
                .unwrap_or_else(|e| panic!("{name}: should parse: {e}"))
                .verify_listed(&election, &list),
            other => panic!("{name}: unknown stage {other}"),
        };
        match got {
            Ok(()) => panic!("{name}: accepted, expected {want}"),
            Err(e) => assert_eq!(e.code(), want, "{name}: {e}"),
        }
    }
    let names: Vec<&str> = cases.iter().map(|c| text(&c["name"])).collect();
    for required in [
        "ciphertext-a-plus-g",
        "selection-proof-response-plus-one",
        "contest-proof-response-plus-one",
        "signature-response-plus-one",
        "wrong-election-hash",
        "non-canonical-point-field-prime",
        "non-canonical-scalar-group-order",
        "identity-credential-key",
        "unknown-style",
        "missing-option",
        "unlisted-credential",
    ] {
        assert!(names.contains(&required), "missing case {required}");
    }
    // The unlisted credential's ballot is valid in itself: only the list rejects it.
    let unlisted = cases
        .iter()
        .find(|c| text(&c["name"]) == "unlisted-credential")
        .unwrap();
    let ballot = Ballot::from_json(&unlisted["ballot"].to_string()).unwrap();
    ballot.verify(&election).unwrap();
    assert_eq!(
        ballot.credential.to_hex(),
        text(&json("expected.json")["unlisted_credential"]["key"])
    );
}

#[test]
fn transcripts_follow_the_byte_layout_and_equal_what_they_claim() {
    let p = json("primitives.json");
    let expected = json("expected.json");
    let ballots = json("ballots.json");
    let b0 = &ballots[0];
    let mut by_name = BTreeMap::new();
    for t in p["transcripts"].as_array().unwrap() {
        let items: Vec<Vec<u8>> = t["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let s = text(i);
                (0..s.len() / 2)
                    .map(|k| u8::from_str_radix(&s[2 * k..2 * k + 2], 16).unwrap())
                    .collect()
            })
            .collect();
        let digest = layout(text(&t["domain"]), &items);
        assert_eq!(to_hex(&digest), text(&t["digest"]), "{}", t["name"]);
        let s = Scalar::from_bytes_mod_order_wide(&digest);
        assert_eq!(to_hex(s.as_bytes()), text(&t["scalar"]), "{}", t["name"]);
        by_name.insert(text(&t["name"]).to_string(), (digest, s));
    }
    let digest = |n: &str| to_hex(&by_name[n].0);
    let scalar_of = |n: &str| by_name[n].1;
    assert_eq!(
        digest("credential list digest"),
        text(&expected["credentials_digest"])
    );
    assert_eq!(digest("election base hash"), text(&expected["base_hash"]));
    assert_eq!(
        digest("ballot body digest of ballots.json[0]"),
        text(&b0["body_digest"])
    );
    assert_eq!(
        digest("tracking hash of ballots.json[0]"),
        text(&b0["tracking"]["full"])
    );
    assert_eq!(
        digest("board entry 0 (cast of ballots.json[0])"),
        text(&expected["receipt"]["head"])
    );
    assert_eq!(
        digest("board entry 1 (challenge of ballots.json[2])"),
        text(&expected["challenge_receipt"]["head"])
    );
    assert_eq!(
        digest("board entry 1 (challenge of ballots.json[2])"),
        text(&expected["closing"]["head"])
    );

    let ballot = &b0["ballot"];
    let c = scalar_of(
        "signature challenge of ballots.json[0] (scalar c: response·G = commitment + c·credential)",
    );
    assert_eq!(
        G * scalar(&ballot["signature"]["response"]),
        point(&ballot["signature"]["commitment"]) + point(&ballot["credential"]) * c
    );
    let sum = |v: &Value| -> Scalar { v.as_array().unwrap().iter().map(scalar).sum() };
    assert_eq!(
        scalar_of("selection proof challenge of ballots.json[0] NA-1/na-1-01"),
        sum(&ballot["contests"][0]["selections"][0]["proof"]["challenges"])
    );
    assert_eq!(
        scalar_of("contest proof challenge of ballots.json[0] PP-1"),
        sum(&ballot["contests"][1]["proof"]["challenges"])
    );

    // ElGamal: r is the nonce transcript's scalar, and (rG, vG + rK) the ballot's ciphertext.
    let k = point(&expected["joint_public_key"]);
    for e in p["elgamal"].as_array().unwrap() {
        let name = text(&e["name"]);
        let (contest, option) = name
            .trim_start_matches("ballots.json[0] ")
            .split_once('/')
            .unwrap();
        let r = scalar(&e["r"]);
        assert_eq!(
            scalar_of(&format!(
                "encryption nonce of ballots.json[0] {contest}/{option}"
            )),
            r
        );
        let v = e["v"].as_u64().unwrap();
        assert_eq!(point(&e["a"]), G * r, "{name}");
        assert_eq!(point(&e["b"]), G * Scalar::from(v) + k * r, "{name}");
        let sel = ballot["contests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == contest)
            .unwrap()["selections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == option)
            .unwrap();
        assert_eq!(sel["ciphertext"]["a"], e["a"], "{name}");
        assert_eq!(sel["ciphertext"]["b"], e["b"], "{name}");
        let chosen = b0["selections"][contest]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o == option);
        assert_eq!(v, u64::from(chosen), "{name}");
    }

    for h in p["hash_to_scalar"].as_array().unwrap() {
        let d = from_hex::<64>(text(&h["digest"]), "d").unwrap();
        assert_eq!(
            to_hex(Scalar::from_bytes_mod_order_wide(&d).as_bytes()),
            text(&h["scalar"])
        );
    }
}

/// The small board of `expected.json`: entry 0 casts `ballots.json[0]`, entry 1 challenges
/// the case whose tracking hash the challenge receipt names; each hash from the §8.1 layout.
fn small_board(election: &Election, expected: &Value, ballots: &Value) -> Vec<([u8; 64], Value)> {
    let base = election.base_hash().0.to_vec();
    let genesis = layout("board-genesis", &[base]);
    let mut out = Vec::new();
    let mut prev = genesis;
    for (index, statement) in [&expected["receipt"], &expected["challenge_receipt"]]
        .into_iter()
        .enumerate()
    {
        let case = ballots
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["tracking"]["full"] == statement["tracking"])
            .unwrap_or_else(|| panic!("entry {index}: no ballot with the receipt's tracking"));
        let kind = text(&statement["kind"]);
        let mut items = vec![
            prev.to_vec(),
            (index as u64).to_be_bytes().to_vec(),
            kind.as_bytes().to_vec(),
            text(&statement["received"]).as_bytes().to_vec(),
            from_hex::<64>(text(&case["tracking"]["full"]), "tracking")
                .unwrap()
                .to_vec(),
        ];
        if kind == "challenge" {
            let reveal = case["challenge"]["selections"].as_object().unwrap();
            let mut contests: Vec<&String> = reveal.keys().collect();
            contests.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            items.push(1u32.to_be_bytes().to_vec());
            items.push(text(&case["challenge"]["seed"]).as_bytes().to_vec());
            items.push((contests.len() as u32).to_be_bytes().to_vec());
            for id in contests {
                let options = reveal[id].as_array().unwrap();
                items.push(id.as_bytes().to_vec());
                items.push((options.len() as u32).to_be_bytes().to_vec());
                items.extend(options.iter().map(|o| text(o).as_bytes().to_vec()));
            }
        } else {
            items.push(0u32.to_be_bytes().to_vec());
        }
        prev = layout("board-entry", &items);
        out.push((prev, case.clone()));
    }
    out
}

/// The §5.2 message signature under the ballot box key, its challenge from the layout.
fn box_signed(election: &Election, what: &str, message: &str, signature: &Value) -> bool {
    let r = point(&signature["commitment"]);
    let key = election.ballot_box_key().to_bytes().to_vec();
    let c = Scalar::from_bytes_mod_order_wide(&layout(
        "message-signature",
        &[
            election.base_hash().0.to_vec(),
            what.as_bytes().to_vec(),
            message.as_bytes().to_vec(),
            key,
            r.compress().to_bytes().to_vec(),
        ],
    ));
    let b = CompressedRistretto(election.ballot_box_key().to_bytes())
        .decompress()
        .unwrap();
    G * scalar(&signature["response"]) == r + b * c
}

#[test]
fn the_receipts_and_the_closing_statement_name_the_small_board() {
    let election = election();
    let expected = json("expected.json");
    let ballots = json("ballots.json");
    let board = small_board(&election, &expected, &ballots);
    assert_eq!(
        layout("board-genesis", &[election.base_hash().0.to_vec()]),
        amanat::board::genesis(&election).0
    );

    // Each receipt: its entry's own hash as head, signed over kind|tracking|index|received|head.
    let mut crate_prev = amanat::board::genesis(&election);
    for (index, (name, kind)) in [
        ("receipt", EntryKind::Cast),
        ("challenge_receipt", EntryKind::Challenge),
    ]
    .into_iter()
    .enumerate()
    {
        let (hash, case) = &board[index];
        let json = &expected[name];
        let receipt = Receipt::from_json(&json.to_string()).unwrap();
        receipt.verify(&election).unwrap();
        assert_eq!(receipt.kind, kind, "{name}");
        assert_eq!(receipt.index, index as u64, "{name}");
        assert_eq!(
            receipt.head.0, *hash,
            "{name}: head is the entry's hash (§8.1)"
        );
        assert_eq!(receipt.short, text(&case["tracking"]["short"]), "{name}");
        let message = format!(
            "{}|{}|{index}|{}|{}",
            kind.as_str(),
            text(&case["tracking"]["full"]),
            text(&json["received"]),
            to_hex(hash)
        );
        assert!(
            box_signed(&election, "receipt", &message, &json["signature"]),
            "{name}"
        );

        // The crate's board entry is the same entry, and the receipt names it.
        let challenge = (kind == EntryKind::Challenge)
            .then(|| Challenge::from_json(&case["challenge"].to_string()).unwrap());
        let entry = BoardEntry::new(
            crate_prev,
            index as u64,
            kind,
            receipt.received.clone(),
            Ballot::from_json(&case["ballot"].to_string()).unwrap(),
            challenge,
        )
        .unwrap();
        assert!(receipt.is_entry(&entry), "{name}");
        crate_prev = entry.hash;

        // The kind, the head, the index and the time are signed.
        let mut other = receipt.clone();
        other.kind = match kind {
            EntryKind::Cast => EntryKind::Challenge,
            EntryKind::Challenge => EntryKind::Cast,
        };
        assert!(other.verify(&election).is_err(), "{name}: kind changed");
        let mut other = receipt.clone();
        other.head.0[63] ^= 1;
        assert!(other.verify(&election).is_err(), "{name}: head changed");
        let mut other = receipt.clone();
        other.index += 1;
        assert!(other.verify(&election).is_err(), "{name}: index changed");
    }

    // The closing statement: closed, the whole small board, signed as "board-head".
    let json = &expected["closing"];
    let closing = SignedHead::from_json(&json.to_string()).unwrap();
    closing.verify(&election).unwrap();
    assert!(closing.closed);
    assert_eq!(closing.entries, board.len() as u64);
    assert_eq!(closing.head.0, board[board.len() - 1].0);
    let message = format!(
        "{}|{}|closed|{}",
        board.len(),
        to_hex(&board[board.len() - 1].0),
        text(&json["time"])
    );
    assert!(box_signed(
        &election,
        "board-head",
        &message,
        &json["signature"]
    ));
    assert!(!box_signed(
        &election,
        "receipt",
        &message,
        &json["signature"]
    ));
    let mut open = closing.clone();
    open.closed = false;
    assert!(open.verify(&election).is_err(), "the state is signed");
    let mut fewer = closing.clone();
    fewer.entries -= 1;
    assert!(fewer.verify(&election).is_err(), "the count is signed");
}

#[test]
fn credential_codes_and_short_codes_match_the_public_functions() {
    let p = json("primitives.json");
    let election = election();
    for c in p["credentials"].as_array().unwrap() {
        let code = text(&c["code"]);
        let credential = Credential::from_code(&election, code).unwrap();
        assert_eq!(credential.public_key().to_hex(), text(&c["public_key"]));
        assert_eq!(hex_of(&(G * scalar(&c["secret"]))), text(&c["public_key"]));
        let payload = from_hex::<16>(text(&c["payload"]), "payload").unwrap();
        assert_eq!(
            u64::from(u16::from_be_bytes([payload[0], payload[1]])),
            c["style_index"].as_u64().unwrap()
        );
        assert_eq!(
            u64::from(credential.style_index()),
            c["style_index"].as_u64().unwrap()
        );
        let digest = layout(
            "credential-key",
            &[
                text(&c["election_id"]).as_bytes().to_vec(),
                payload.to_vec(),
            ],
        );
        assert_eq!(
            to_hex(Scalar::from_bytes_mod_order_wide(&digest).as_bytes()),
            text(&c["secret"])
        );
    }
    for c in p["code_checks"].as_array().unwrap() {
        let got = check_code(text(&c["input"]));
        let want = match text(&c["status"]) {
            "valid" => CodeCheck::Valid,
            "typo" => CodeCheck::Typo,
            "too_long" => CodeCheck::TooLong,
            "incomplete" => CodeCheck::Incomplete {
                typed: c["typed"].as_u64().unwrap() as usize,
            },
            "invalid_character" => CodeCheck::InvalidCharacter {
                position: c["position"].as_u64().unwrap() as usize,
            },
            other => panic!("unknown status {other}"),
        };
        assert_eq!(got, want, "{}", c["input"]);
    }
    for t in p["tracking_short"].as_array().unwrap() {
        let d = Digest::from_hex(text(&t["full"])).unwrap();
        assert_eq!(Tracking(d).short(), text(&t["short"]));
    }
    for n in p["normalize_short"].as_array().unwrap() {
        match (
            normalize_short_code(text(&n["input"])),
            n.get("output"),
            n.get("error"),
        ) {
            (Ok(s), Some(o), None) => assert_eq!(s, text(o)),
            (Err(e), None, Some(code)) => assert_eq!(e.code(), text(code)),
            (got, _, _) => panic!("{}: got {got:?}", n["input"]),
        }
    }
}
