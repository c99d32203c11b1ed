//! The known-answer vectors through the binding, in whichever engine runs the tests (the
//! baseline and the SIMD builds, in Chromium and in Node): natively sealed ballots recomputed
//! byte for byte, verified, and the invalid ones refused with their recorded codes; the
//! recorded receipts (of a cast and of a challenged ballot) verified, and every tampering with
//! them refused.

use amanat::wasm::{self, JsElection};
use amanat::{
    encoding::from_hex, Ballot, BallotSeed, Credential, Election, Point, PublicKey, SealedBallot,
};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::Scalar;
use serde_json::{json, Value};

use super::{code_of, j, text};

const ELECTION: &str = include_str!("../vectors/election.json");
const BALLOTS: &str = include_str!("../vectors/ballots.json");
const INVALID: &str = include_str!("../vectors/invalid.json");
const EXPECTED: &str = include_str!("../vectors/expected.json");

fn cases(file: &str) -> Vec<Value> {
    serde_json::from_str::<Vec<Value>>(file).unwrap()
}

/// Every ballot of `ballots.json`, sealed here from its recorded code, seed and selections,
/// is byte for byte the natively sealed one (so it verifies natively), with the same body
/// digest, tracking code and challenge.
pub fn known_answer_ballots_are_reproduced() {
    let election = Election::from_json(ELECTION).unwrap();
    let cases = cases(BALLOTS);
    assert_eq!(cases.len(), 4);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let credential = Credential::from_code(&election, case["code"].as_str().unwrap()).unwrap();
        let seed = from_hex::<32>(case["seed"].as_str().unwrap(), "seed").unwrap();
        let selections = serde_json::from_value(case["selections"].clone()).unwrap();
        let sealed = SealedBallot::seal_with_seed(
            &election,
            &credential,
            &selections,
            BallotSeed::from_bytes(seed),
        )
        .unwrap();
        let native = Ballot::from_json(&case["ballot"].to_string()).unwrap();
        assert_eq!(
            sealed.ballot().to_json(),
            native.to_json(),
            "{name}: ballot"
        );
        let here: Value = serde_json::from_str(&sealed.ballot().to_json()).unwrap();
        assert_eq!(here, case["ballot"], "{name}: ballot as JSON");
        assert_eq!(
            sealed.ballot().body_digest().to_hex(),
            case["body_digest"].as_str().unwrap(),
            "{name}: body digest"
        );
        assert_eq!(
            sealed.tracking().full(),
            case["tracking"]["full"].as_str().unwrap()
        );
        assert_eq!(
            sealed.tracking().short(),
            case["tracking"]["short"].as_str().unwrap()
        );
        let challenge: Value = serde_json::from_str(&sealed.challenge().to_json()).unwrap();
        assert_eq!(challenge, case["challenge"], "{name}: challenge");
    }
}

/// The natively sealed ballots verify in the browser through the JavaScript binding, and
/// their challenges reveal the recorded selections.
pub fn native_ballots_verify_through_the_binding() {
    let election = JsElection::from_json(j(ELECTION)).unwrap();
    for case in cases(BALLOTS) {
        let ballot = case["ballot"].to_string();
        let verified = wasm::verify_ballot(&election, j(&ballot)).unwrap();
        let verified: Value = serde_json::from_str(&super::text(&verified)).unwrap();
        assert_eq!(verified["trackingCode"], case["tracking"]["short"]);
        assert_eq!(verified["trackingHash"], case["tracking"]["full"]);
        let revealed =
            wasm::check_challenge(&election, j(&ballot), j(&case["challenge"].to_string()))
                .unwrap();
        let revealed: Value = serde_json::from_str(&super::text(&revealed)).unwrap();
        assert_eq!(revealed, case["selections"]);
        assert_eq!(
            election
                .style_for_code(j(case["code"].as_str().unwrap()))
                .unwrap(),
            "NA-1.PP-1"
        );
    }
}

/// Every invalid ballot of `invalid.json` that the binding can judge (those of stage `verify`
/// and `parse`; `verify_listed` needs the credential list, which the ballot box holds) fails
/// with exactly its recorded code.
pub fn invalid_vectors_fail_with_their_codes() {
    let election = JsElection::from_json(j(ELECTION)).unwrap();
    let mut judged = 0;
    for case in cases(INVALID) {
        let json = match case["stage"].as_str().unwrap() {
            "verify" => case["ballot"].to_string(),
            "parse" => case["ballot_json"].as_str().unwrap().to_string(),
            _ => continue,
        };
        let err = wasm::verify_ballot(&election, j(&json)).unwrap_err();
        assert_eq!(
            super::code_of(&err),
            case["error"].as_str().unwrap(),
            "{}",
            case["name"]
        );
        judged += 1;
    }
    assert!(judged >= 25, "only {judged} invalid cases judged");
}

/// A change to a receipt; the second argument is another ballot's tracking codes.
type Tamper = fn(&mut Value, &Value);

/// `value` with `edit` applied.
fn edited(value: &Value, edit: impl FnOnce(&mut Value)) -> Value {
    let mut v = value.clone();
    edit(&mut v);
    v
}

/// Changes the last hex digit of a hex string.
fn other_hex(hex: &Value) -> Value {
    let s = hex.as_str().unwrap();
    let last = if s.ends_with('0') { '1' } else { '0' };
    json!(format!("{}{last}", &s[..s.len() - 1]))
}

/// The receipts of `expected.json` (the box's acknowledgements of the first ballot of
/// `ballots.json` cast and of the third challenged) verify through the binding under the
/// ballot box key the election fixes. Every receipt with one field changed, one bit of its
/// signature flipped, or checked against another election fails, with the code that says why.
pub fn the_receipt_verifies_and_every_tampering_fails() {
    let expected: Value = serde_json::from_str(EXPECTED).unwrap();
    let election = JsElection::from_json(j(ELECTION)).unwrap();
    assert_eq!(
        election.ballot_box_key(),
        expected["ballot_box_key"].as_str().unwrap()
    );
    let receipt = &expected["receipt"];
    let ballots = cases(BALLOTS);
    let verified = wasm::verify_receipt(&election, j(&receipt.to_string())).unwrap();
    let verified: Value = serde_json::from_str(&text(&verified)).unwrap();
    assert_eq!(
        verified,
        json!({
            "kind": "cast",
            "trackingCode": ballots[0]["tracking"]["short"],
            "trackingHash": ballots[0]["tracking"]["full"],
            "index": 0,
            "received": "2026-11-22T10:41:07Z",
            "head": receipt["head"],
        })
    );
    let challenged = &expected["challenge_receipt"];
    let verified = wasm::verify_receipt(&election, j(&challenged.to_string())).unwrap();
    let verified: Value = serde_json::from_str(&text(&verified)).unwrap();
    assert_eq!(
        verified,
        json!({
            "kind": "challenge",
            "trackingCode": ballots[2]["tracking"]["short"],
            "trackingHash": ballots[2]["tracking"]["full"],
            "index": 1,
            "received": "2026-11-22T10:43:52Z",
            "head": challenged["head"],
        })
    );

    let refused = |on: &JsElection, r: &Value, want: &str, what: &str| {
        let err = wasm::verify_receipt(on, j(&r.to_string()))
            .err()
            .unwrap_or_else(|| panic!("{what}: the receipt verified"));
        assert_eq!(code_of(&err), want, "{what}");
    };

    // Each field changed.
    let another = &ballots[1]["tracking"];
    let fields: [(&str, Tamper, &str); 21] = [
        (
            "election: one digit",
            |r, _| r["election"] = other_hex(&r["election"]),
            "WRONG_ELECTION",
        ),
        (
            "election: upper case",
            |r, _| r["election"] = json!(r["election"].as_str().unwrap().to_uppercase()),
            "BAD_ENCODING",
        ),
        (
            "kind: challenge",
            |r, _| r["kind"] = json!("challenge"),
            "VERIFICATION_FAILED",
        ),
        (
            "kind: unknown",
            |r, _| r["kind"] = json!("spoil"),
            "MALFORMED_JSON",
        ),
        (
            "kind: missing",
            |r, _| {
                r.as_object_mut().unwrap().remove("kind");
            },
            "MALFORMED_JSON",
        ),
        (
            "head: one digit",
            |r, _| r["head"] = other_hex(&r["head"]),
            "VERIFICATION_FAILED",
        ),
        (
            "head: half its digits",
            |r, _| r["head"] = json!(r["head"].as_str().unwrap()[..64]),
            "BAD_ENCODING",
        ),
        (
            "tracking: one digit",
            |r, _| r["tracking"] = other_hex(&r["tracking"]),
            "VERIFICATION_FAILED",
        ),
        (
            "tracking: another ballot's",
            |r, a| r["tracking"] = a["full"].clone(),
            "VERIFICATION_FAILED",
        ),
        (
            "tracking and short: another ballot's",
            |r, a| {
                r["tracking"] = a["full"].clone();
                r["short"] = a["short"].clone();
            },
            "VERIFICATION_FAILED",
        ),
        (
            "short: another ballot's",
            |r, a| r["short"] = a["short"].clone(),
            "VERIFICATION_FAILED",
        ),
        (
            "short: lower case",
            |r, _| r["short"] = json!(r["short"].as_str().unwrap().to_lowercase()),
            "VERIFICATION_FAILED",
        ),
        (
            "index: the next",
            |r, _| r["index"] = json!(1),
            "VERIFICATION_FAILED",
        ),
        (
            "index: the largest",
            |r, _| r["index"] = json!(u64::MAX),
            "VERIFICATION_FAILED",
        ),
        (
            "index: a string",
            |r, _| r["index"] = json!("0"),
            "MALFORMED_JSON",
        ),
        (
            "index: negative",
            |r, _| r["index"] = json!(-1),
            "MALFORMED_JSON",
        ),
        (
            "received: a second later",
            |r, _| r["received"] = json!("2026-11-22T10:41:08Z"),
            "VERIFICATION_FAILED",
        ),
        (
            "received: the same time written otherwise",
            |r, _| r["received"] = json!("2026-11-22T10:41:07+00:00"),
            "VERIFICATION_FAILED",
        ),
        (
            "signature: missing",
            |r, _| {
                r.as_object_mut().unwrap().remove("signature");
            },
            "MALFORMED_JSON",
        ),
        (
            "signature: the response zero",
            |r, _| r["signature"]["response"] = json!("00".repeat(32)),
            "VERIFICATION_FAILED",
        ),
        (
            "a field added",
            |r, _| r["note"] = json!("ok"),
            "MALFORMED_JSON",
        ),
    ];
    for (what, edit, want) in fields {
        refused(
            &election,
            &edited(receipt, |r| edit(r, another)),
            want,
            what,
        );
    }
    refused(
        &election,
        &edited(challenged, |r| r["kind"] = json!("cast")),
        "VERIFICATION_FAILED",
        "the challenge receipt: kind cast",
    );
    refused(
        &election,
        &edited(challenged, |r| r["head"] = receipt["head"].clone()),
        "VERIFICATION_FAILED",
        "the challenge receipt: the cast entry's head",
    );

    // Each byte of the signature with one bit flipped: a commitment that is no longer a
    // point, or a response that is no longer a reduced scalar, is refused when decoded;
    // anything else by the signature check.
    let mut seen = (0, 0);
    for part in ["commitment", "response"] {
        let bytes = from_hex::<32>(receipt["signature"][part].as_str().unwrap(), part).unwrap();
        for i in 0..32 {
            let mut flipped = bytes;
            flipped[i] ^= 1 << (i % 8);
            let decodes = match part {
                "commitment" => Point::from_bytes(&flipped, part).is_ok(),
                _ => bool::from(Scalar::from_canonical_bytes(flipped).is_some()),
            };
            let want = if decodes {
                seen.0 += 1;
                "VERIFICATION_FAILED"
            } else {
                seen.1 += 1;
                "NON_CANONICAL"
            };
            let r = edited(receipt, |r| {
                r["signature"][part] = json!(amanat::encoding::to_hex(&flipped))
            });
            refused(&election, &r, want, &format!("{part} byte {i} flipped"));
        }
    }
    assert!(seen.0 > 0 && seen.1 > 0, "flips judged: {seen:?}");

    // Another election: another one altogether, the same one with another ballot box key, and
    // the same one with a threshold changed. A receipt rewritten to name the election it is
    // checked against still fails: the signature binds the base hash, and another box key
    // did not make it.
    refused(
        &super::fixture(5).election,
        receipt,
        "WRONG_ELECTION",
        "another election",
    );
    let other_box = PublicKey::from_bytes(&(G * Scalar::from(2u64)).compress().to_bytes(), "box")
        .unwrap()
        .to_hex();
    let doc: Value = serde_json::from_str(ELECTION).unwrap();
    for (what, changed) in [
        (
            "another ballot box key",
            edited(&doc, |d| d["ballot_box_key"] = json!(other_box)),
        ),
        (
            "another threshold",
            edited(&doc, |d| d["threshold"] = json!(3)),
        ),
    ] {
        let other = JsElection::from_json(j(&changed.to_string())).unwrap();
        assert_ne!(other.base_hash(), election.base_hash());
        refused(&other, receipt, "WRONG_ELECTION", what);
        let renamed = edited(receipt, |r| r["election"] = json!(other.base_hash()));
        refused(
            &other,
            &renamed,
            "VERIFICATION_FAILED",
            &format!("{what}, renamed"),
        );
    }
}
