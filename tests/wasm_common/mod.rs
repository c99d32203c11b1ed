//! Shared by `tests/wasm_browser.rs` and `tests/wasm_node.rs`: drives the JavaScript binding
//! (`amanat::wasm`) from Rust, the way the generated glue calls it, and checks that every
//! failure is a JS `Error` with a listed `code`, never a trap.

use amanat::proofs::schnorr;
use amanat::receipt::RECEIPT_LABEL;
use amanat::wasm::{self, JsElection, ERROR_CODES, MAX_INPUT_LENGTH};
use amanat::{
    Ballot, Credential, CredentialEntry, CredentialList, Digest, Election, EntryKind, Manifest,
    PublicKey, Receipt, SecretScalar,
};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::Scalar;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};

pub mod vectors;

pub const MANIFEST: &str = include_str!("../vectors/manifest.json");
pub const STYLE: &str = "NA-1.PP-1";

/// An election of the reference manifest with a key of our own, a ballot box key whose
/// secret the tests hold (to sign receipts), and two credential codes (the first for style 0,
/// the second for a style index the election does not have).
pub struct Fixture {
    pub election: JsElection,
    pub json: String,
    pub code: String,
    pub foreign_style_code: String,
    box_secret: Scalar,
}

impl Fixture {
    /// The receipt the ballot box would return for `ballot` at board `index`, as JSON.
    pub fn receipt(&self, ballot: &str, index: u64, received: &str) -> String {
        let election = Election::from_json(&self.json).unwrap();
        let tracking = Ballot::from_json(ballot).unwrap().tracking();
        // The head a box would sign is the entry's hash; any fixed digest serves the binding's
        // tests, which check the signature, not a board.
        let head = Digest([index as u8; 64]);
        let message = Receipt::message(EntryKind::Cast, &tracking.0, index, received, &head);
        let signature = schnorr::sign(
            election.base_hash(),
            RECEIPT_LABEL,
            message.as_bytes(),
            &SecretScalar::from_scalar(self.box_secret),
            election.ballot_box_key(),
            &mut ChaCha20Rng::seed_from_u64(index),
        );
        Receipt {
            election: *election.base_hash(),
            kind: EntryKind::Cast,
            tracking: tracking.0,
            short: tracking.short(),
            index,
            received: received.into(),
            head,
            signature,
        }
        .to_json()
    }
}

pub fn fixture(key_scalar: u64) -> Fixture {
    let mut rng = ChaCha20Rng::seed_from_u64(key_scalar);
    let manifest: Manifest = serde_json::from_str(MANIFEST).unwrap();
    let key = PublicKey::from_bytes(&(G * Scalar::from(key_scalar)).compress().to_bytes(), "key")
        .unwrap();
    let (code, cred) = Credential::generate(&manifest.election_id, 0, &mut rng).unwrap();
    let (foreign, _) = Credential::generate(&manifest.election_id, 7, &mut rng).unwrap();
    let list = CredentialList::new(vec![CredentialEntry {
        key: *cred.public_key(),
        style: STYLE.into(),
    }])
    .unwrap();
    let box_secret = Scalar::from(key_scalar + 1);
    let box_key =
        PublicKey::from_bytes(&(G * box_secret).compress().to_bytes(), "box key").unwrap();
    let json = Election::new(manifest, 3, 2, key, list.summary(), box_key)
        .unwrap()
        .to_json();
    Fixture {
        election: JsElection::from_json(j(&json)).unwrap(),
        json,
        code: code.expose().to_string(),
        foreign_style_code: foreign.expose().to_string(),
        box_secret,
    }
}

/// A JavaScript string, as the glue passes every string argument.
pub fn j(s: &str) -> JsValue {
    JsValue::from_str(s)
}

pub fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

/// The value as JSON text, for comparisons.
pub fn text(v: &JsValue) -> String {
    js_sys::JSON::stringify(v).unwrap().as_string().unwrap()
}

pub fn choice() -> JsValue {
    js(r#"{"NA-1":["na-1-03"],"PP-1":["pp-1-17"]}"#)
}

/// The `code` of a thrown value, after checking that it is an `Error` with a listed code and
/// a non-empty message.
pub fn code_of(err: &JsValue) -> String {
    let e: &js_sys::Error = err
        .dyn_ref()
        .unwrap_or_else(|| panic!("thrown value is not an Error: {err:?}"));
    let message: String = e.message().into();
    assert!(!message.is_empty(), "error without a message");
    let code = js_sys::Reflect::get(err, &"code".into())
        .unwrap()
        .as_string()
        .unwrap_or_else(|| panic!("error without a string code: {message}"));
    assert!(
        ERROR_CODES.contains(&code.as_str()),
        "unlisted code {code}: {message}"
    );
    code
}

#[track_caller]
pub fn assert_code<T>(r: Result<T, JsValue>, want: &str) {
    match r {
        Ok(_) => panic!("expected {want}, got success"),
        Err(e) => assert_eq!(code_of(&e), want, "{:?}", e),
    }
}

/// Either success or a listed error: never a trap (a trap would abort the test).
fn survives<T>(r: Result<T, JsValue>) {
    if let Err(e) = r {
        code_of(&e);
    }
}

fn edit(json: &str, f: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(json).unwrap();
    f(&mut v);
    v.to_string()
}

pub const FIELD_PRIME: &str = "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
pub const IDENTITY: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The whole API once, the way the page uses it.
pub fn happy_path() {
    let f = fixture(12345);
    let e = &f.election;
    assert_eq!(e.election_id(), "reference-2026");
    assert_eq!(e.base_hash().len(), 128);
    assert_eq!(e.style_ids(), vec![STYLE.to_string()]);
    let doc: Value = serde_json::from_str(&f.json).unwrap();
    assert_eq!(e.ballot_box_key(), doc["ballot_box_key"].as_str().unwrap());
    assert_eq!(e.ballot_box_key().len(), 64);
    assert_eq!(
        text(&e.title().unwrap()),
        r#"{"en":"Reference election","ur":"حوالہ جاتی انتخاب"}"#
    );
    assert_eq!(
        JsElection::from_json(j(&e.to_json())).unwrap().base_hash(),
        e.base_hash()
    );
    assert_eq!(e.style_for_code(j(&f.code)).unwrap(), STYLE);
    // The code's public key is the one on the list, in this election only.
    let key = wasm::credential_public_key(j(&e.election_id()), j(&f.code)).unwrap();
    assert_eq!(
        key,
        Credential::public_key_of_code("reference-2026", &f.code)
            .unwrap()
            .to_hex()
    );
    assert_eq!(key.len(), 64);
    assert_ne!(
        wasm::credential_public_key(j("another-election"), j(&f.code)).unwrap(),
        key
    );

    let view: Value = serde_json::from_str(&text(&e.ballot_style(j(STYLE)).unwrap())).unwrap();
    assert_eq!(view["id"], STYLE);
    assert_eq!(view["contests"][0]["id"], "NA-1");
    assert_eq!(view["contests"][0]["minSelections"], 1);
    assert_eq!(view["contests"][0]["maxSelections"], 1);
    assert_eq!(view["contests"][0]["options"].as_array().unwrap().len(), 15);
    assert_eq!(view["contests"][1]["options"].as_array().unwrap().len(), 20);
    let option = &view["contests"][0]["options"][0];
    for k in ["id", "name", "party", "partyName", "symbol"] {
        assert!(option.get(k).is_some(), "option view lacks {k}: {option}");
    }
    let options = view["contests"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["options"].as_array().unwrap());
    for o in options {
        assert_eq!(o["party"].is_null(), o["partyName"].is_null(), "{o}");
    }

    let status = |s: &str| text(&wasm::check_credential_code(j(s)).unwrap());
    assert_eq!(status(""), r#"{"status":"incomplete","typed":0}"#);
    assert_eq!(status(&f.code[..9]), r#"{"status":"incomplete","typed":8}"#);
    assert_eq!(
        status("abU"),
        r#"{"status":"invalid-character","position":2}"#
    );
    assert_eq!(status(&"0".repeat(29)), r#"{"status":"too-long"}"#);
    assert_eq!(status(&f.code), r#"{"status":"valid"}"#);
    assert_eq!(status(&f.code.to_lowercase()), r#"{"status":"valid"}"#);
    let mut typo: Vec<char> = f.code.chars().collect();
    typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
    assert_eq!(
        status(&typo.into_iter().collect::<String>()),
        r#"{"status":"typo"}"#
    );

    let mut sealed = wasm::seal(e, j(&f.code), choice()).unwrap();
    let tracking = sealed.tracking_code().unwrap();
    assert_eq!(tracking.len(), 14);
    assert_eq!(
        wasm::normalize_tracking_code(j(&tracking)).unwrap(),
        tracking
    );
    assert_eq!(
        wasm::normalize_tracking_code(j(&tracking.to_lowercase().replace('-', " "))).unwrap(),
        tracking
    );
    let ballot = sealed.ballot_json().unwrap();
    let verified: Value =
        serde_json::from_str(&text(&wasm::verify_ballot(e, j(&ballot)).unwrap())).unwrap();
    assert_eq!(verified["trackingCode"], tracking.as_str());
    assert_eq!(
        verified["trackingHash"],
        sealed.tracking_hash().unwrap().as_str()
    );
    assert_eq!(verified["style"], STYLE);
    assert_eq!(verified["credential"].as_str().unwrap().len(), 64);
    assert_eq!(sealed.cast().unwrap(), ballot);
    let receipt = f.receipt(&ballot, 7, "2026-11-22T10:41:07Z");
    let acknowledged: Value =
        serde_json::from_str(&text(&wasm::verify_receipt(e, j(&receipt)).unwrap())).unwrap();
    assert_eq!(
        acknowledged,
        json!({
            "kind": "cast",
            "trackingCode": tracking,
            "trackingHash": verified["trackingHash"],
            "index": 7,
            "received": "2026-11-22T10:41:07Z",
            "head": "07".repeat(64),
        })
    );
    assert_code(sealed.cast(), "BALLOT_SPENT");
    assert_code(sealed.challenge(), "BALLOT_SPENT");
    assert_code(sealed.tracking_code(), "BALLOT_SPENT");
    assert_code(sealed.tracking_hash(), "BALLOT_SPENT");
    assert_code(sealed.ballot_json(), "BALLOT_SPENT");

    let mut sealed = wasm::seal(e, j(&f.code), choice()).unwrap();
    let ballot = sealed.ballot_json().unwrap();
    let challenge = sealed.challenge().unwrap();
    assert_code(sealed.cast(), "BALLOT_SPENT");
    let revealed = wasm::check_challenge(e, j(&ballot), j(&challenge)).unwrap();
    assert_eq!(text(&revealed), text(&choice()));

    assert_eq!(wasm::protocol_version(), "amanat/2");
    assert_eq!(wasm::error_codes().len(), ERROR_CODES.len());
}

/// Every error code the API can produce, each from the entry point that produces it.
pub fn every_error_code() {
    let f = fixture(12345);
    let other = fixture(999);
    let e = &f.election;
    let seal = |sel: &str| wasm::seal(e, j(&f.code), js(sel));

    // Election
    assert_code(JsElection::from_json(j("{")), "MALFORMED_JSON");
    assert_code(JsElection::from_json(j("[]")), "MALFORMED_JSON");
    let bad = edit(&f.json, |v| v["threshold"] = json!(0));
    assert_code(JsElection::from_json(j(&bad)), "INVALID_ELECTION");
    let bad = edit(&f.json, |v| v["manifest"]["contests"] = json!([]));
    assert_code(JsElection::from_json(j(&bad)), "INVALID_ELECTION");
    let bad = edit(&f.json, |v| v["protocol"] = json!("amanat/1"));
    assert_code(JsElection::from_json(j(&bad)), "UNSUPPORTED_VERSION");
    let bad = edit(&f.json, |v| v["joint_public_key"] = json!("zz"));
    assert_code(JsElection::from_json(j(&bad)), "BAD_ENCODING");
    let bad = edit(&f.json, |v| v["joint_public_key"] = json!(FIELD_PRIME));
    assert_code(JsElection::from_json(j(&bad)), "NON_CANONICAL");
    let bad = edit(&f.json, |v| v["joint_public_key"] = json!(IDENTITY));
    assert_code(JsElection::from_json(j(&bad)), "IDENTITY_POINT");
    assert_code(e.ballot_style(j("no-such-style")), "UNKNOWN_STYLE");
    assert_code(e.style_for_code(j("ABCD")), "BAD_CREDENTIAL");
    assert_code(e.style_for_code(j(&f.foreign_style_code)), "BAD_CREDENTIAL");
    assert_code(
        wasm::credential_public_key(j("reference-2026"), j("ABCD")),
        "BAD_CREDENTIAL",
    );

    // Sealing
    assert_code(wasm::seal(e, j("not a code"), choice()), "BAD_CREDENTIAL");
    assert_code(
        wasm::seal(e, j(&f.foreign_style_code), choice()),
        "BAD_CREDENTIAL",
    );
    assert_code(
        seal(r#"{"NA-1":["na-1-03","na-1-04"],"PP-1":["pp-1-17"]}"#),
        "OVERVOTE",
    );
    assert_code(seal(r#"{"NA-1":[],"PP-1":["pp-1-17"]}"#), "UNDERVOTE");
    assert_code(seal(r#"{"PP-1":["pp-1-17"]}"#), "UNDERVOTE");
    assert_code(
        seal(r#"{"NA-1":["na-1-99"],"PP-1":["pp-1-17"]}"#),
        "UNKNOWN_OPTION",
    );
    assert_code(
        seal(r#"{"NA-1":["pp-1-01"],"PP-1":["pp-1-17"]}"#),
        "UNKNOWN_OPTION",
    );
    assert_code(
        seal(r#"{"XX-9":["a"],"NA-1":["na-1-03"]}"#),
        "UNKNOWN_CONTEST",
    );
    assert_code(
        seal(r#"{"NA-1":["na-1-03","na-1-03"],"PP-1":["pp-1-17"]}"#),
        "DUPLICATE_SELECTION",
    );
    for shape in [
        "null",
        "[]",
        "42",
        r#""NA-1""#,
        r#"{"NA-1":"na-1-03"}"#,
        r#"{"NA-1":[3]}"#,
        r#"{"NA-1":[["na-1-03"]]}"#,
    ] {
        assert_code(seal(shape), "MALFORMED_JSON");
    }
    assert_code(
        wasm::seal(e, j(&f.code), JsValue::UNDEFINED),
        "MALFORMED_JSON",
    );
    assert_code(
        wasm::seal(e, j(&f.code), js_sys::Symbol::for_("x").into()),
        "MALFORMED_JSON",
    );
    assert_code(
        wasm::seal(e, j(&f.code), js_sys::BigInt::from(5u32).into()),
        "MALFORMED_JSON",
    );
    let cyclic = js_sys::Object::new();
    js_sys::Reflect::set(&cyclic, &"NA-1".into(), &cyclic).unwrap();
    assert_code(wasm::seal(e, j(&f.code), cyclic.into()), "MALFORMED_JSON");

    // A contest that exists but is not on the credential's style needs a second style.
    let two_styles = edit(&f.json, |v| {
        let m = &mut v["manifest"];
        let mut pp2 = m["contests"][1].clone();
        pp2["id"] = json!("PP-2");
        m["contests"].as_array_mut().unwrap().push(pp2);
        m["ballot_styles"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "NA-1.PP-2", "name": {"en": "B", "ur": "ب"}, "contests": ["NA-1", "PP-2"]}));
    });
    let e2 = JsElection::from_json(j(&two_styles)).unwrap();
    assert_code(
        wasm::seal(
            &e2,
            j(&f.code),
            js(r#"{"NA-1":["na-1-03"],"PP-1":["pp-1-17"],"PP-2":["pp-1-01"]}"#),
        ),
        "CONTEST_NOT_IN_STYLE",
    );

    // Verification
    let mut sealed = seal(r#"{"NA-1":["na-1-03"],"PP-1":["pp-1-17"]}"#).unwrap();
    let ballot = sealed.ballot_json().unwrap();
    let challenge = sealed.challenge().unwrap();
    assert_code(sealed.ballot_json(), "BALLOT_SPENT");
    assert_code(wasm::verify_ballot(e, j("{")), "MALFORMED_JSON");
    assert_code(
        wasm::verify_ballot(&other.election, j(&ballot)),
        "WRONG_ELECTION",
    );
    assert_code(
        wasm::check_challenge(&other.election, j(&ballot), j(&challenge)),
        "WRONG_ELECTION",
    );
    let bad = edit(&ballot, |v| v["protocol"] = json!("amanat/0"));
    assert_code(wasm::verify_ballot(e, j(&bad)), "UNSUPPORTED_VERSION");
    let bad = edit(&ballot, |v| v["credential"] = json!("ab"));
    assert_code(wasm::verify_ballot(e, j(&bad)), "BAD_ENCODING");
    let bad = edit(&ballot, |v| v["credential"] = json!(FIELD_PRIME));
    assert_code(wasm::verify_ballot(e, j(&bad)), "NON_CANONICAL");
    let bad = edit(&ballot, |v| v["credential"] = json!(IDENTITY));
    assert_code(wasm::verify_ballot(e, j(&bad)), "IDENTITY_POINT");
    let bad = edit(&ballot, |v| v["style"] = json!("elsewhere"));
    assert_code(wasm::verify_ballot(e, j(&bad)), "UNKNOWN_STYLE");
    let bad = edit(&ballot, |v| {
        let c = &mut v["contests"][0]["selections"];
        let first = c[0]["ciphertext"].clone();
        c[0]["ciphertext"] = c[1]["ciphertext"].clone();
        c[1]["ciphertext"] = first;
    });
    assert_code(wasm::verify_ballot(e, j(&bad)), "VERIFICATION_FAILED");
    let bad = edit(&ballot, |v| {
        v["contests"].as_array_mut().unwrap().truncate(1)
    });
    assert_code(wasm::verify_ballot(e, j(&bad)), "VERIFICATION_FAILED");
    let lie = edit(&challenge, |v| v["selections"]["NA-1"] = json!(["na-1-04"]));
    assert_code(
        wasm::check_challenge(e, j(&ballot), j(&lie)),
        "VERIFICATION_FAILED",
    );
    let lie = edit(&challenge, |v| v["seed"] = json!("00".repeat(32)));
    assert_code(
        wasm::check_challenge(e, j(&ballot), j(&lie)),
        "VERIFICATION_FAILED",
    );
    let lie = edit(&challenge, |v| v["seed"] = json!("00"));
    assert_code(
        wasm::check_challenge(e, j(&ballot), j(&lie)),
        "BAD_ENCODING",
    );
    assert_code(
        wasm::check_challenge(e, j(&ballot), j("[]")),
        "MALFORMED_JSON",
    );
    assert_code(
        wasm::check_challenge(e, j(""), j(&challenge)),
        "MALFORMED_JSON",
    );

    // Receipts
    let receipt = f.receipt(&ballot, 3, "2026-11-22T10:41:07Z");
    wasm::verify_receipt(e, j(&receipt)).unwrap();
    assert_code(wasm::verify_receipt(e, j("{")), "MALFORMED_JSON");
    assert_code(wasm::verify_receipt(e, j(&ballot)), "MALFORMED_JSON");
    let bad = edit(&receipt, |v| v["extra"] = json!(1));
    assert_code(wasm::verify_receipt(e, j(&bad)), "MALFORMED_JSON");
    let bad = edit(&receipt, |v| v["index"] = json!(-3));
    assert_code(wasm::verify_receipt(e, j(&bad)), "MALFORMED_JSON");
    let bad = edit(&receipt, |v| v["tracking"] = json!("zz"));
    assert_code(wasm::verify_receipt(e, j(&bad)), "BAD_ENCODING");
    let bad = edit(&receipt, |v| {
        v["signature"]["commitment"] = json!(FIELD_PRIME)
    });
    assert_code(wasm::verify_receipt(e, j(&bad)), "NON_CANONICAL");
    assert_code(
        wasm::verify_receipt(&other.election, j(&receipt)),
        "WRONG_ELECTION",
    );
    let bad = edit(&receipt, |v| v["index"] = json!(4));
    assert_code(wasm::verify_receipt(e, j(&bad)), "VERIFICATION_FAILED");
    let bad = edit(&receipt, |v| v["received"] = json!("2026-11-22 10:41:07"));
    assert_code(wasm::verify_receipt(e, j(&bad)), "VERIFICATION_FAILED");

    // Small helpers
    assert_code(
        wasm::normalize_tracking_code(j("ABCD-EFGH")),
        "BAD_ENCODING",
    );
    assert_code(
        wasm::normalize_tracking_code(j("ABCD-EFGH-IJKU")),
        "BAD_ENCODING",
    );

    // A value of another JavaScript type where a string belongs (the string glue would trap).
    let not_strings: [JsValue; 6] = [
        JsValue::UNDEFINED,
        JsValue::NULL,
        JsValue::from(5),
        JsValue::TRUE,
        js_sys::Object::new().into(),
        js_sys::Symbol::for_("x").into(),
    ];
    for v in not_strings {
        let s = j(&ballot);
        assert_code(JsElection::from_json(v.clone()), "MALFORMED_JSON");
        assert_code(e.ballot_style(v.clone()), "MALFORMED_JSON");
        assert_code(e.style_for_code(v.clone()), "MALFORMED_JSON");
        assert_code(wasm::check_credential_code(v.clone()), "MALFORMED_JSON");
        assert_code(
            wasm::credential_public_key(v.clone(), j(&f.code)),
            "MALFORMED_JSON",
        );
        assert_code(
            wasm::credential_public_key(j("reference-2026"), v.clone()),
            "MALFORMED_JSON",
        );
        assert_code(wasm::normalize_tracking_code(v.clone()), "MALFORMED_JSON");
        assert_code(wasm::verify_ballot(e, v.clone()), "MALFORMED_JSON");
        assert_code(wasm::verify_receipt(e, v.clone()), "MALFORMED_JSON");
        assert_code(
            wasm::check_challenge(e, v.clone(), j(&challenge)),
            "MALFORMED_JSON",
        );
        assert_code(wasm::check_challenge(e, s, v.clone()), "MALFORMED_JSON");
        assert_code(wasm::seal(e, v, choice()), "MALFORMED_JSON");
    }
}

/// One strict reading through the binding's parsers (§1.2): a code spelled in a member name
/// or a string is never the error code; a member given twice or a null is malformed; a reveal
/// naming an option twice is a duplicate selection.
pub fn strict_json_and_unforgeable_codes() {
    let f = fixture(4242);
    let e = &f.election;
    let mut sealed = wasm::seal(e, j(&f.code), choice()).unwrap();
    let ballot = sealed.ballot_json().unwrap();
    let challenge = sealed.challenge().unwrap();
    let receipt = f.receipt(&ballot, 0, "2026-11-22T10:41:07Z");
    for c in [
        "NON_CANONICAL",
        "IDENTITY_POINT",
        "UNSUPPORTED_VERSION",
        "INVALID_ELECTION",
        "BAD_ENCODING",
    ] {
        let marker = format!("\u{1}{c}\u{1}x");
        let with = |doc: &str| edit(doc, |v| v[marker.as_str()] = json!(1));
        assert_code(JsElection::from_json(j(&with(&f.json))), "MALFORMED_JSON");
        assert_code(wasm::verify_ballot(e, j(&with(&ballot))), "MALFORMED_JSON");
        assert_code(
            wasm::check_challenge(e, j(&ballot), j(&with(&challenge))),
            "MALFORMED_JSON",
        );
        assert_code(
            wasm::verify_receipt(e, j(&with(&receipt))),
            "MALFORMED_JSON",
        );
        // In a string value: that value's own error.
        let short = edit(&receipt, |v| v["tracking"] = json!(marker));
        assert_code(wasm::verify_receipt(e, j(&short)), "BAD_ENCODING");
        let id = edit(&f.json, |v| v["manifest"]["election_id"] = json!(marker));
        assert_code(JsElection::from_json(j(&id)), "INVALID_ELECTION");
    }
    let twice = ballot.replacen('{', "{\"style\":\"x\",", 1);
    assert_code(wasm::verify_ballot(e, j(&twice)), "MALFORMED_JSON");
    let null = edit(&f.json, |v| {
        v["manifest"]["contests"][0]["options"][0]["party"] = Value::Null
    });
    assert_code(JsElection::from_json(j(&null)), "MALFORMED_JSON");
    let option_twice = edit(&challenge, |v| {
        v["selections"]["NA-1"] = json!(["na-1-03", "na-1-03"])
    });
    assert_code(
        wasm::check_challenge(e, j(&ballot), j(&option_twice)),
        "DUPLICATE_SELECTION",
    );
    let contest_twice = challenge.replacen("\"selections\":{", "\"selections\":{\"NA-1\":[],", 1);
    assert_ne!(contest_twice, challenge);
    assert_code(
        wasm::check_challenge(e, j(&ballot), j(&contest_twice)),
        "MALFORMED_JSON",
    );
}

/// Garbage through every entry point: each call either succeeds or throws a listed error.
pub fn garbage_never_traps() {
    let f = fixture(12345);
    let e = &f.election;
    let mut rng = ChaCha20Rng::seed_from_u64(77);
    let mut sealed = wasm::seal(e, j(&f.code), choice()).unwrap();
    let ballot = sealed.ballot_json().unwrap();
    let challenge = sealed.challenge().unwrap();
    let receipt = f.receipt(&ballot, 0, "2026-11-22T10:41:07Z");

    let mut inputs: Vec<String> = vec![
        String::new(),
        "null".into(),
        "{}".into(),
        "[]".into(),
        "\u{0}".into(),
        "\u{1}BAD_ENCODING\u{1}x".into(),
        "1e999".into(),
        "-0".into(),
        "\"\\ud800\"".into(),
        "{".repeat(10_000),
        "[".repeat(10_000),
        "ا".repeat(5_000),
        f.code.repeat(3),
        f.json.clone(),
        ballot.clone(),
        challenge.clone(),
        receipt.clone(),
    ];
    // Mangled copies of valid documents: truncated, and with one byte replaced.
    let mut mangled_ballots = Vec::new();
    let mut mangled_receipts = Vec::new();
    for (n, doc) in [&f.json, &challenge, &ballot, &receipt]
        .into_iter()
        .enumerate()
    {
        for _ in 0..12 {
            let cut = (rng.next_u32() as usize) % doc.len();
            let mut bytes = doc.clone().into_bytes();
            let i = (rng.next_u32() as usize) % bytes.len();
            let replacement = b"0fz\"{}[],:-9 "[(rng.next_u32() % 13) as usize];
            let changed = bytes[i] != replacement;
            bytes[i] = replacement;
            for s in [
                doc.get(..cut).map(str::to_string),
                String::from_utf8(bytes).ok(),
            ]
            .into_iter()
            .flatten()
            {
                if changed || s.len() < doc.len() {
                    match n {
                        2 => mangled_ballots.push(s.clone()),
                        3 => mangled_receipts.push(s.clone()),
                        _ => {}
                    }
                }
                inputs.push(s);
            }
        }
    }
    for s in &inputs {
        survives(JsElection::from_json(j(s)));
        survives(e.ballot_style(j(s)));
        survives(e.style_for_code(j(s)));
        survives(wasm::check_credential_code(j(s)));
        survives(wasm::credential_public_key(j(s), j(s)));
        survives(wasm::normalize_tracking_code(j(s)));
        survives(wasm::verify_ballot(e, j(s)));
        survives(wasm::verify_receipt(e, j(s)));
        survives(wasm::check_challenge(e, j(s), j(&challenge)));
        survives(wasm::check_challenge(e, j(&ballot), j(s)));
        survives(wasm::seal(e, j(s), choice()));
        if let Ok(v) = js_sys::JSON::parse(s) {
            survives(wasm::seal(e, j(&f.code), v));
        }
    }
    // A ballot with any byte changed or missing never verifies.
    assert!(mangled_ballots.len() >= 12);
    for s in &mangled_ballots {
        assert!(
            wasm::verify_ballot(e, j(s)).is_err(),
            "mangled ballot verified: {s}"
        );
    }
    // Nor does a receipt.
    assert!(mangled_receipts.len() >= 12);
    for s in &mangled_receipts {
        assert!(
            wasm::verify_receipt(e, j(s)).is_err(),
            "mangled receipt verified: {s}"
        );
    }
}

/// The bytes of wasm memory this module has.
fn memory_bytes() -> u32 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
}

/// A string of `length` UTF-16 code units made in JavaScript, never in wasm memory.
fn long_js_string(length: u32) -> JsValue {
    js_sys::JsString::from("a")
        .repeat(i32::try_from(length).unwrap())
        .into()
}

/// A string one character over the limit through every entry point that takes one, and
/// selections whose JSON is over it: each throws `INPUT_TOO_LARGE`, three times over, and
/// wasm memory does not grow by the 16 MiB a copy would take. A string at the limit is read.
pub fn oversized_input_is_refused_before_copying() {
    let f = fixture(12345);
    let e = &f.election;
    let mut sealed = wasm::seal(e, j(&f.code), choice()).unwrap();
    let ballot = sealed.ballot_json().unwrap();
    let challenge = sealed.challenge().unwrap();
    let big = long_js_string(MAX_INPUT_LENGTH + 1);
    let selections = js_sys::Object::new();
    js_sys::Reflect::set(
        &selections,
        &"NA-1".into(),
        &js_sys::Array::of1(&long_js_string(MAX_INPUT_LENGTH)),
    )
    .unwrap();

    let before = memory_bytes();
    for _ in 0..3 {
        assert_code(JsElection::from_json(big.clone()), "INPUT_TOO_LARGE");
        assert_code(e.ballot_style(big.clone()), "INPUT_TOO_LARGE");
        assert_code(e.style_for_code(big.clone()), "INPUT_TOO_LARGE");
        assert_code(wasm::check_credential_code(big.clone()), "INPUT_TOO_LARGE");
        assert_code(
            wasm::credential_public_key(big.clone(), j("")),
            "INPUT_TOO_LARGE",
        );
        assert_code(
            wasm::normalize_tracking_code(big.clone()),
            "INPUT_TOO_LARGE",
        );
        assert_code(wasm::verify_ballot(e, big.clone()), "INPUT_TOO_LARGE");
        assert_code(wasm::verify_receipt(e, big.clone()), "INPUT_TOO_LARGE");
        assert_code(
            wasm::check_challenge(e, big.clone(), j(&challenge)),
            "INPUT_TOO_LARGE",
        );
        assert_code(
            wasm::check_challenge(e, j(&ballot), big.clone()),
            "INPUT_TOO_LARGE",
        );
        assert_code(wasm::seal(e, big.clone(), choice()), "INPUT_TOO_LARGE");
        assert_code(
            wasm::seal(e, j(&f.code), selections.clone().into()),
            "INPUT_TOO_LARGE",
        );
    }
    let grown = memory_bytes() - before;
    assert!(grown < 1 << 20, "wasm memory grew by {grown} bytes");

    // At the limit a string is copied in, and judged for what it says.
    assert_code(
        wasm::normalize_tracking_code(long_js_string(MAX_INPUT_LENGTH)),
        "BAD_ENCODING",
    );
    assert!(wasm::verify_ballot(e, j(&ballot)).is_ok());
}
