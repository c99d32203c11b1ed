//! The known-answer vectors through the binding, in whichever engine runs the tests (the
//! baseline and the SIMD builds, in Chromium and in Node): natively sealed ballots recomputed
//! byte for byte, verified, and the invalid ones refused with their recorded codes.

use amanat::wasm::{self, JsElection};
use amanat::{encoding::from_hex, Ballot, BallotSeed, Credential, Election, SealedBallot};
use serde_json::Value;

use super::j;

const ELECTION: &str = include_str!("../vectors/election.json");
const BALLOTS: &str = include_str!("../vectors/ballots.json");
const INVALID: &str = include_str!("../vectors/invalid.json");

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
