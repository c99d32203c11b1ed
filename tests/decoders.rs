//! Every JSON decoder on malformed input: random bytes, every truncation, single-byte
//! mutations, wrong types, huge numbers, deep nesting, non-canonical hex, unknown and missing
//! fields, invalid manifests. Each must return an error with the right code, never panic.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use amanat::encoding::from_json;
use amanat::proofs::disjunctive::DisjunctiveProof;
use amanat::proofs::schnorr::SchnorrProof;
use amanat::{
    Ballot, BoardEntry, Challenge, Ciphertext, CredentialList, Digest, Election, Error, Manifest,
    Point, PublicKey, Receipt,
};
use proptest::prelude::*;
use serde_json::{json, Value};

const ELECTION: &str = include_str!("vectors/election.json");
const CREDENTIALS: &str = include_str!("vectors/credentials.json");
const MANIFEST: &str = include_str!("vectors/manifest.json");
const BALLOTS: &str = include_str!("vectors/ballots.json");
const EXPECTED: &str = include_str!("vectors/expected.json");

/// The codes a decoder may return for input that is not a valid document.
const PARSE_CODES: [&str; 6] = [
    "MALFORMED_JSON",
    "BAD_ENCODING",
    "NON_CANONICAL",
    "IDENTITY_POINT",
    "UNSUPPORTED_VERSION",
    "INVALID_ELECTION",
];

type Decoder = fn(&str) -> Result<(), Error>;

/// Every decoder, with a valid document for it (built once: parsing the ballots is not free).
fn decoders() -> Vec<(&'static str, Decoder, String)> {
    static ALL: std::sync::OnceLock<Vec<(&'static str, Decoder, String)>> =
        std::sync::OnceLock::new();
    ALL.get_or_init(build_decoders).clone()
}

fn build_decoders() -> Vec<(&'static str, Decoder, String)> {
    let cases: Value = serde_json::from_str(BALLOTS).unwrap();
    let ballot = cases[0]["ballot"].to_string();
    let challenge = cases[0]["challenge"].to_string();
    let sel = &cases[0]["ballot"]["contests"][0]["selections"][0];
    let d: Vec<(&'static str, Decoder, String)> = vec![
        (
            "election",
            |s| Election::from_json(s).map(|_| ()),
            ELECTION.trim_end().to_string(),
        ),
        ("ballot", |s| Ballot::from_json(s).map(|_| ()), ballot),
        (
            "challenge",
            |s| Challenge::from_json(s).map(|_| ()),
            challenge,
        ),
        (
            "credentials",
            |s| CredentialList::from_json(s).map(|_| ()),
            CREDENTIALS.trim_end().to_string(),
        ),
        (
            "manifest",
            |s| from_json::<Manifest>(s).map(|_| ()),
            MANIFEST.trim_end().to_string(),
        ),
        (
            "point",
            |s| from_json::<Point>(s).map(|_| ()),
            sel["ciphertext"]["a"].to_string(),
        ),
        (
            "public key",
            |s| from_json::<PublicKey>(s).map(|_| ()),
            cases[0]["ballot"]["credential"].to_string(),
        ),
        (
            "digest",
            |s| from_json::<Digest>(s).map(|_| ()),
            cases[0]["ballot"]["election"].to_string(),
        ),
        (
            "ciphertext",
            |s| from_json::<Ciphertext>(s).map(|_| ()),
            sel["ciphertext"].to_string(),
        ),
        (
            "disjunctive proof",
            |s| from_json::<DisjunctiveProof>(s).map(|_| ()),
            sel["proof"].to_string(),
        ),
        (
            "schnorr proof",
            |s| from_json::<SchnorrProof>(s).map(|_| ()),
            cases[0]["ballot"]["signature"].to_string(),
        ),
        (
            "receipt",
            |s| Receipt::from_json(s).map(|_| ()),
            serde_json::from_str::<Value>(EXPECTED).unwrap()["receipt"].to_string(),
        ),
    ];
    for (name, decode, valid) in &d {
        decode(valid).unwrap_or_else(|e| panic!("{name}: the valid document fails: {e}"));
    }
    d
}

fn decoder(name: &str) -> (Decoder, String) {
    decoders()
        .into_iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, d, v)| (d, v))
        .unwrap()
}

fn code(r: Result<(), Error>) -> &'static str {
    match r {
        Ok(()) => "OK",
        Err(e) => e.code(),
    }
}

/// Random input is rejected with a parse code, unless it happens to be the one tiny valid
/// document random text can form: an empty credential list.
fn rejected(name: &str, input: &str, r: Result<(), Error>) -> Result<(), TestCaseError> {
    let c = code(r);
    if c == "OK" {
        let empty_list =
            name == "credentials" && serde_json::from_str::<Value>(input).ok() == Some(json!([]));
        prop_assert!(empty_list, "{}: {:?} accepted", name, input);
    } else {
        prop_assert!(PARSE_CODES.contains(&c), "{}: {:?} gave {}", name, input, c);
    }
    Ok(())
}

/// `cases` per property, or `PROPTEST_CASES` when set (for a longer run).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Random input.

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn random_bytes_are_rejected(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let s = String::from_utf8_lossy(&bytes);
        for (name, decode, _) in decoders() {
            rejected(name, &s, decode(&s))?;
        }
    }

    #[test]
    fn random_json_shaped_text_is_rejected(s in r#"[\[\]{}",:0-9a-f \-.etrunl]{0,200}"#) {
        for (name, decode, _) in decoders() {
            rejected(name, &s, decode(&s))?;
        }
    }
}

fn truncations_are_malformed(
    name: &str,
    decode: Decoder,
    valid: &str,
    cuts: impl Iterator<Item = usize>,
) {
    for cut in cuts.filter(|c| valid.is_char_boundary(*c)) {
        let c = code(decode(&valid[..cut]));
        assert_eq!(c, "MALFORMED_JSON", "{name} cut at {cut}");
    }
}

/// A ballot of a one-contest, two-option election: small enough to cut at every byte.
fn small_ballot() -> String {
    use amanat::{BallotSeed, Credential, CredentialEntry, SealedBallot, Selections};
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
    use rand_chacha::rand_core::SeedableRng;
    let manifest: Manifest = from_json(
        r#"{"election_id":"small","title":{"en":"Small","ur":"چھوٹا"},
            "contests":[{"id":"C","name":{"en":"C","ur":"سی"},"min_selections":0,"max_selections":1,
              "options":[{"id":"a","name":{"en":"A","ur":"اے"},"symbol":"kite"},
                         {"id":"b","name":{"en":"B","ur":"بی"},"symbol":"book"}]}],
            "ballot_styles":[{"id":"S","name":{"en":"S","ur":"ایس"},"contests":["C"]}]}"#,
    )
    .unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let (_, credential) = Credential::generate("small", 0, &mut rng).unwrap();
    let list = CredentialList::new(vec![CredentialEntry {
        key: *credential.public_key(),
        style: "S".into(),
    }])
    .unwrap();
    let key = PublicKey::new(
        Point::from_point(G * curve25519_dalek::Scalar::from(7u64)),
        "k",
    )
    .unwrap();
    let box_key = PublicKey::new(
        Point::from_point(G * curve25519_dalek::Scalar::from(8u64)),
        "b",
    )
    .unwrap();
    let election = Election::new(manifest, 1, 1, key, list.summary(), box_key).unwrap();
    let selections: Selections = [("C".to_string(), vec!["b".to_string()])].into();
    let sealed = SealedBallot::seal_with_seed(
        &election,
        &credential,
        &selections,
        BallotSeed::from_bytes([1; 32]),
    )
    .unwrap();
    sealed.ballot().verify_listed(&election, &list).unwrap();
    sealed.ballot().to_json()
}

#[test]
fn every_truncation_is_malformed_json() {
    let small = small_ballot();
    truncations_are_malformed(
        "small ballot",
        |s| Ballot::from_json(s).map(|_| ()),
        &small,
        0..small.len(),
    );
    for (name, decode, valid) in decoders() {
        if name == "ballot" {
            // 25 KB of points: every byte of the head and tail, a stride through the middle.
            let n = valid.len();
            let cuts = (0..3000)
                .chain((3000..n - 400).step_by(53))
                .chain(n - 400..n);
            truncations_are_malformed(name, decode, &valid, cuts);
        } else {
            truncations_are_malformed(name, decode, &valid, 0..valid.len());
        }
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// One byte changed. The result may still be a valid document (a letter of a name, a hex
    /// digit that happens to give another point); then it must be a different one.
    #[test]
    fn single_byte_mutations_are_rejected_or_change_the_document(
        which in 0usize..12,
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let all = decoders();
        let (name, decode, valid) = &all[which % all.len()];
        let mut bytes = valid.clone().into_bytes();
        let i = at.index(bytes.len());
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let s = String::from_utf8_lossy(&bytes).into_owned();
        match decode(&s) {
            Err(e) => prop_assert!(PARSE_CODES.contains(&e.code()), "{}: {}", name, e),
            Ok(()) => {
                let same = serde_json::from_str::<Value>(&s).ok()
                    == serde_json::from_str::<Value>(valid).ok();
                if *name == "ballot" && !same {
                    let election = Election::from_json(ELECTION).unwrap();
                    let b = Ballot::from_json(&s).unwrap();
                    prop_assert!(b.verify(&election).is_err(), "mutated ballot verified");
                }
                if *name == "election" {
                    let original = Election::from_json(valid).unwrap();
                    let now = Election::from_json(&s).unwrap();
                    prop_assert_eq!(now.base_hash() == original.base_hash(), same);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Structure: every object of every document, every field.

/// JSON pointers of every object in `v`, except inside the challenge's selections map.
fn objects(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            out.push(path.clone());
            for (k, x) in m {
                objects(x, format!("{path}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                objects(x, format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// JSON pointers of every value in `v`, with the value.
fn values(v: &Value, path: String, out: &mut Vec<(String, Value)>) {
    out.push((path.clone(), v.clone()));
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                values(x, format!("{path}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                values(x, format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn is_map(name: &str, path: &str) -> bool {
    (name == "challenge" && path == "/selections")
        || (name == "board entry" && path == "/challenge/selections")
}

#[test]
fn unknown_fields_are_rejected_in_every_object() {
    for (name, decode, valid) in decoders() {
        let doc: Value = serde_json::from_str(&valid).unwrap();
        let mut paths = Vec::new();
        objects(&doc, String::new(), &mut paths);
        for path in paths.into_iter().filter(|p| !is_map(name, p)) {
            let mut d = doc.clone();
            d.pointer_mut(&path)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .insert("zz_unknown".into(), json!(1));
            assert_eq!(
                code(decode(&d.to_string())),
                "MALFORMED_JSON",
                "{name}: unknown field in {path:?}"
            );
        }
    }
}

#[test]
fn missing_fields_are_rejected_in_every_object() {
    // Only these may be left out: a manifest without parties, an independent candidate.
    let optional = |path: &str, key: &str| {
        (key == "parties" && (path.is_empty() || path == "/manifest"))
            || (key == "party" && path.contains("/options/"))
    };
    let mut checked = 0;
    for (name, decode, valid) in decoders() {
        let doc: Value = serde_json::from_str(&valid).unwrap();
        let mut paths = Vec::new();
        objects(&doc, String::new(), &mut paths);
        for path in paths.into_iter().filter(|p| !is_map(name, p)) {
            let keys: Vec<String> = doc
                .pointer(&path)
                .unwrap()
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            for key in keys {
                let mut d = doc.clone();
                d.pointer_mut(&path)
                    .unwrap()
                    .as_object_mut()
                    .unwrap()
                    .remove(&key);
                let c = code(decode(&d.to_string()));
                if optional(&path, &key) {
                    // Leaving it out changes the manifest, which may then name an unknown party.
                    assert!(
                        c == "OK" || c == "INVALID_ELECTION",
                        "{name}: {path}/{key}: {c}"
                    );
                } else {
                    assert_eq!(c, "MALFORMED_JSON", "{name}: without {path}/{key}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} fields removed");
}

#[test]
fn duplicate_keys_and_trailing_garbage_are_malformed() {
    for (name, decode, valid) in decoders() {
        if let Some(rest) = valid.strip_prefix('{') {
            let doc: Value = serde_json::from_str(&valid).unwrap();
            let (k, v) = doc.as_object().unwrap().iter().next().unwrap();
            let dup = format!("{{\"{k}\":{v},{rest}");
            assert_eq!(
                code(decode(&dup)),
                "MALFORMED_JSON",
                "{name}: duplicate {k}"
            );
        }
        for tail in [" x", "{}", ",", "\"", "]"] {
            assert_eq!(
                code(decode(&format!("{valid}{tail}"))),
                "MALFORMED_JSON",
                "{name} + {tail:?}"
            );
        }
        for junk in [
            "",
            " ",
            "null",
            "true",
            "0",
            "[]",
            "{}",
            "\"\"",
            "\u{feff}{}",
        ] {
            let want = match (name, junk) {
                ("credentials", "[]") => "OK", // the empty list
                // A string where a hex string belongs: the right shape, the wrong length.
                ("point" | "public key" | "digest", "\"\"") => "BAD_ENCODING",
                _ => "MALFORMED_JSON",
            };
            assert_eq!(code(decode(junk)), want, "{name}: {junk:?}");
        }
    }
}

/// A value of another JSON type than `v` (never `null`, which an optional field accepts).
fn other_type(v: &Value, pick: usize) -> Value {
    let choices = match v {
        Value::String(_) => vec![json!(7), json!(true), json!([]), json!({})],
        Value::Number(_) => vec![json!("3"), json!(false), json!([3]), json!({"n": 3})],
        Value::Array(_) => vec![json!("x"), json!(0), json!({})],
        Value::Object(_) => vec![json!("x"), json!(0), json!(false)],
        Value::Bool(_) | Value::Null => vec![json!("x")],
    };
    choices[pick % choices.len()].clone()
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn a_value_of_the_wrong_type_is_malformed(
        which in 0usize..12,
        at in any::<prop::sample::Index>(),
        pick in 0usize..4,
    ) {
        let all = decoders();
        let (name, decode, valid) = &all[which % all.len()];
        let doc: Value = serde_json::from_str(valid).unwrap();
        let mut vals = Vec::new();
        values(&doc, String::new(), &mut vals);
        let (path, v) = &vals[at.index(vals.len())];
        let mut d = doc.clone();
        *d.pointer_mut(path).unwrap() = other_type(v, pick);
        prop_assert_eq!(code(decode(&d.to_string())), "MALFORMED_JSON", "{}: {}", name, path);
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers, nesting, hex.

fn election_with(path: &str, v: Value) -> String {
    let mut d: Value = serde_json::from_str(ELECTION).unwrap();
    *d.pointer_mut(path).unwrap() = v;
    d.to_string()
}

#[test]
fn huge_negative_and_fractional_numbers_are_malformed() {
    let raw_numbers = [
        "4294967296",
        "18446744073709551616",
        "1e400",
        "-1",
        "1.5",
        "2e0",
        "99999999999999999999999999999999999999999999999999",
    ];
    for path in [
        "/trustees",
        "/threshold",
        "/manifest/contests/0/min_selections",
        "/manifest/contests/0/max_selections",
    ] {
        for n in raw_numbers {
            let doc = election_with(path, json!("PLACEHOLDER")).replace("\"PLACEHOLDER\"", n);
            assert_eq!(
                code(Election::from_json(&doc).map(|_| ())),
                "MALFORMED_JSON",
                "{path} = {n}"
            );
        }
    }
    let doc =
        election_with("/credentials/count", json!("X")).replace("\"X\"", "18446744073709551616");
    assert_eq!(
        code(Election::from_json(&doc).map(|_| ())),
        "MALFORMED_JSON"
    );
    // In range for the type but not for the election.
    for (path, n) in [
        ("/trustees", json!(256)),
        ("/trustees", json!(0)),
        ("/threshold", json!(0)),
        ("/threshold", json!(4)),
        ("/manifest/contests/0/max_selections", json!(u32::MAX)),
        ("/manifest/contests/0/max_selections", json!(0)),
        ("/manifest/contests/0/min_selections", json!(2)),
    ] {
        assert_eq!(
            code(Election::from_json(&election_with(path, n.clone())).map(|_| ())),
            "INVALID_ELECTION",
            "{path} = {n}"
        );
    }
}

#[test]
fn deep_nesting_is_malformed_not_a_stack_overflow() {
    let deep = |open: &str, close: &str, n: usize| format!("{}{}", open.repeat(n), close.repeat(n));
    for (name, decode, valid) in decoders() {
        for doc in [
            deep("[", "]", 100_000),
            deep("{\"a\":", "}", 50_000),
            deep("[", "", 100_000),
        ] {
            assert_eq!(code(decode(&doc)), "MALFORMED_JSON", "{name}");
        }
        // Deep nesting in place of a field.
        let mut d: Value = serde_json::from_str(&valid).unwrap();
        if let Some(obj) = d.as_object_mut() {
            let key = obj.keys().next().unwrap().clone();
            obj.insert(key, json!("NEST"));
            let doc = d.to_string().replace("\"NEST\"", &deep("[", "]", 10_000));
            assert_eq!(code(decode(&doc)), "MALFORMED_JSON", "{name}");
        }
    }
}

const P: &str = "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
const L: &str = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

#[test]
fn non_canonical_points_are_rejected() {
    let mut bad = Vec::new();
    // p, p + 1, …, 2^255 − 1: field elements that are not reduced.
    for low in 0xedu8..=0xff {
        bad.push(format!("{low:02x}{}", &P[2..]));
    }
    // s = 1, 3 ("negative") and the high bit set on a valid point.
    bad.push(format!("01{}", &ZERO[2..]));
    bad.push(format!("03{}", &ZERO[2..]));
    bad.push(format!("{}80", &ZERO[..62]));
    bad.push("f".repeat(64));
    for hex in &bad {
        for (name, r) in [
            ("point", code(from_json::<Point>(&quoted(hex)).map(|_| ()))),
            (
                "key",
                code(from_json::<PublicKey>(&quoted(hex)).map(|_| ())),
            ),
            (
                "election key",
                code(
                    Election::from_json(&election_with("/joint_public_key", json!(hex)))
                        .map(|_| ()),
                ),
            ),
        ] {
            assert_eq!(r, "NON_CANONICAL", "{name} {hex}");
        }
    }
    // The identity is a point, but never a key.
    assert_eq!(code(from_json::<Point>(&quoted(ZERO)).map(|_| ())), "OK");
    assert_eq!(
        code(from_json::<PublicKey>(&quoted(ZERO)).map(|_| ())),
        "IDENTITY_POINT"
    );
    assert_eq!(
        code(Election::from_json(&election_with("/joint_public_key", json!(ZERO))).map(|_| ())),
        "IDENTITY_POINT"
    );
    let list = format!("[{{\"key\":\"{ZERO}\",\"style\":\"NA-1.PP-1\"}}]");
    assert_eq!(
        code(CredentialList::from_json(&list).map(|_| ())),
        "IDENTITY_POINT"
    );
}

#[test]
fn non_canonical_scalars_are_rejected() {
    let (decode, valid) = decoder("schnorr proof");
    let sig: Value = serde_json::from_str(&valid).unwrap();
    let mut bad = vec![L.to_string(), "f".repeat(64)];
    // ℓ + 1 and 2^255 − 1 … every value with the top byte above ℓ's.
    bad.push(format!("ee{}", &L[2..]));
    bad.push(format!("{}11", &ZERO[..62]));
    bad.push(format!("{}80", &ZERO[..62]));
    for hex in &bad {
        let mut s = sig.clone();
        s["response"] = json!(hex);
        assert_eq!(code(decode(&s.to_string())), "NON_CANONICAL", "{hex}");
    }
    // ℓ − 1 is the largest canonical scalar.
    let mut s = sig.clone();
    s["response"] = json!(format!("ec{}", &L[2..]));
    assert_eq!(code(decode(&s.to_string())), "OK");

    let (decode, valid) = decoder("disjunctive proof");
    let mut p: Value = serde_json::from_str(&valid).unwrap();
    p["challenges"][1] = json!(L);
    assert_eq!(code(decode(&p.to_string())), "NON_CANONICAL");
}

#[test]
fn uppercase_short_long_and_non_hex_strings_are_bad_encodings() {
    let cases: Value = serde_json::from_str(BALLOTS).unwrap();
    let challenge = &cases[0]["challenge"];
    for (name, decode, valid) in decoders() {
        let doc: Value = serde_json::from_str(&valid).unwrap();
        let mut vals = Vec::new();
        values(&doc, String::new(), &mut vals);
        let hex: Vec<_> = vals
            .into_iter()
            .filter(|(_, v)| {
                v.as_str().is_some_and(|s| {
                    (s.len() == 64 || s.len() == 128) && s.bytes().all(|b| b.is_ascii_hexdigit())
                })
            })
            .collect();
        assert!(!hex.is_empty() || name == "manifest", "{name} has no hex");
        // One field of each shape (`/contests/N/selections/N/proof/challenges/N`, …).
        let mut shapes = std::collections::BTreeSet::new();
        let hex = hex.into_iter().filter(|(path, _)| {
            let shape: String = path
                .split('/')
                .map(|seg| {
                    if seg.parse::<usize>().is_ok() {
                        "N"
                    } else {
                        seg
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            shapes.insert(shape)
        });
        for (path, v) in hex {
            let s = v.as_str().unwrap();
            let upper = if s.bytes().any(|b| b.is_ascii_alphabetic()) {
                s.to_uppercase()
            } else {
                format!("A{}", &s[1..])
            };
            for broken in [
                upper,
                s[1..].to_string(),
                format!("{s}0"),
                format!("{s}00"),
                format!("g{}", &s[1..]),
                format!(" {}", &s[1..]),
                format!("0x{}", &s[2..]),
                String::new(),
            ] {
                let mut d = doc.clone();
                *d.pointer_mut(&path).unwrap() = json!(broken);
                assert_eq!(
                    code(decode(&d.to_string())),
                    "BAD_ENCODING",
                    "{name} {path} = {broken:?}"
                );
            }
        }
    }
    // The challenge seed too (checked after parsing).
    let mut c = challenge.clone();
    c["seed"] = json!(c["seed"].as_str().unwrap().to_uppercase());
    assert_eq!(
        code(Challenge::from_json(&c.to_string()).map(|_| ())),
        "BAD_ENCODING"
    );
}

#[test]
fn another_protocol_version_is_unsupported() {
    let cases: Value = serde_json::from_str(BALLOTS).unwrap();
    for version in [
        "amanat/1",
        "amanat/3",
        "amanat/0",
        "AMANAT/2",
        "",
        "amanat/2 ",
        &"x".repeat(10_000),
    ] {
        let e = election_with("/protocol", json!(version));
        assert_eq!(
            code(Election::from_json(&e).map(|_| ())),
            "UNSUPPORTED_VERSION"
        );
        let mut b = cases[0]["ballot"].clone();
        b["protocol"] = json!(version);
        assert_eq!(
            code(Ballot::from_json(&b.to_string()).map(|_| ())),
            "UNSUPPORTED_VERSION"
        );
        let mut c = cases[0]["challenge"].clone();
        c["protocol"] = json!(version);
        assert_eq!(
            code(Challenge::from_json(&c.to_string()).map(|_| ())),
            "UNSUPPORTED_VERSION"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Invalid manifests and credential lists.

fn manifest_with(edit: impl FnOnce(&mut Value)) -> (String, String) {
    let mut m: Value = serde_json::from_str(MANIFEST).unwrap();
    edit(&mut m);
    let mut e: Value = serde_json::from_str(ELECTION).unwrap();
    e["manifest"] = m.clone();
    (m.to_string(), e.to_string())
}

#[test]
fn invalid_manifests_are_invalid_elections() {
    let long = "x".repeat(65);
    let huge_name = "n".repeat(257);
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "duplicate contest id",
            Box::new(|m| m["contests"][1]["id"] = json!("NA-1")),
        ),
        (
            "duplicate option id",
            Box::new(|m| m["contests"][0]["options"][1]["id"] = json!("na-1-01")),
        ),
        (
            "duplicate party id",
            Box::new(|m| m["parties"][1]["id"] = json!("crescent")),
        ),
        (
            "duplicate style id",
            Box::new(|m| {
                let s = m["ballot_styles"][0].clone();
                m["ballot_styles"].as_array_mut().unwrap().push(s);
            }),
        ),
        (
            "contest twice in a style",
            Box::new(|m| m["ballot_styles"][0]["contests"] = json!(["NA-1", "NA-1"])),
        ),
        (
            "style names an unknown contest",
            Box::new(|m| m["ballot_styles"][0]["contests"][1] = json!("PP-2")),
        ),
        (
            "style with no contests",
            Box::new(|m| m["ballot_styles"][0]["contests"] = json!([])),
        ),
        (
            "no ballot styles",
            Box::new(|m| m["ballot_styles"] = json!([])),
        ),
        ("no contests", Box::new(|m| m["contests"] = json!([]))),
        (
            "contest with no options",
            Box::new(|m| m["contests"][0]["options"] = json!([])),
        ),
        (
            "max above the options",
            Box::new(|m| m["contests"][0]["max_selections"] = json!(16)),
        ),
        (
            "min above max",
            Box::new(|m| {
                m["contests"][0]["min_selections"] = json!(3);
                m["contests"][0]["max_selections"] = json!(2);
            }),
        ),
        (
            "max zero",
            Box::new(|m| {
                m["contests"][0]["min_selections"] = json!(0);
                m["contests"][0]["max_selections"] = json!(0);
            }),
        ),
        (
            "unknown party",
            Box::new(|m| m["contests"][0]["options"][0]["party"] = json!("sun")),
        ),
        (
            "id with a space",
            Box::new(|m| m["contests"][0]["id"] = json!("NA 1")),
        ),
        (
            "id with a slash",
            Box::new(|m| m["contests"][0]["options"][0]["id"] = json!("a/b")),
        ),
        (
            "non-ASCII id",
            Box::new(|m| m["election_id"] = json!("انتخاب")),
        ),
        (
            "empty id",
            Box::new(|m| m["ballot_styles"][0]["id"] = json!("")),
        ),
        (
            "id too long",
            Box::new(move |m| m["parties"][0]["id"] = json!(long.clone())),
        ),
        (
            "bad symbol id",
            Box::new(|m| m["contests"][1]["options"][0]["symbol"] = json!("../x")),
        ),
        (
            "empty English name",
            Box::new(|m| m["title"]["en"] = json!("")),
        ),
        (
            "blank Urdu name",
            Box::new(|m| m["contests"][0]["name"]["ur"] = json!("  \t")),
        ),
        (
            "name too long",
            Box::new(move |m| {
                m["contests"][0]["options"][2]["name"]["en"] = json!(huge_name.clone())
            }),
        ),
        (
            "256 options",
            Box::new(|m| {
                let o = m["contests"][0]["options"][0].clone();
                let opts: Vec<Value> = (0..256)
                    .map(|i| {
                        let mut x = o.clone();
                        x["id"] = json!(format!("o{i}"));
                        x
                    })
                    .collect();
                m["contests"][0]["options"] = json!(opts);
            }),
        ),
    ];
    for (what, edit) in cases {
        let (manifest, election) = manifest_with(edit);
        assert_eq!(
            code(from_json::<Manifest>(&manifest).map(|_| ())),
            "INVALID_ELECTION",
            "manifest: {what}"
        );
        assert_eq!(
            code(Election::from_json(&election).map(|_| ())),
            "INVALID_ELECTION",
            "election: {what}"
        );
    }
    // 255 options is the limit, and allowed.
    let (manifest, _) = manifest_with(|m| {
        let o = m["contests"][0]["options"][0].clone();
        let opts: Vec<Value> = (0..255)
            .map(|i| {
                let mut x = o.clone();
                x["id"] = json!(format!("o{i}"));
                x
            })
            .collect();
        m["contests"][0]["options"] = json!(opts);
    });
    assert_eq!(code(from_json::<Manifest>(&manifest).map(|_| ())), "OK");
}

#[test]
fn invalid_credential_lists_are_rejected() {
    let list: Value = serde_json::from_str(CREDENTIALS).unwrap();
    let mut dup = list.clone();
    let first = dup[0].clone();
    dup.as_array_mut().unwrap().push(first);
    assert_eq!(
        code(CredentialList::from_json(&dup.to_string()).map(|_| ())),
        "INVALID_ELECTION"
    );
    // A list whose styles the election does not have, or that is not the committed one.
    let election = Election::from_json(ELECTION).unwrap();
    let mut other = list.clone();
    other[0]["style"] = json!("XX");
    let other = CredentialList::from_json(&other.to_string()).unwrap();
    assert_eq!(
        other.check_against(&election).unwrap_err().code(),
        "INVALID_ELECTION"
    );
    let mut fewer = list.clone();
    fewer.as_array_mut().unwrap().pop();
    let fewer = CredentialList::from_json(&fewer.to_string()).unwrap();
    assert_eq!(
        fewer.check_against(&election).unwrap_err().code(),
        "INVALID_ELECTION"
    );
    // An empty list is a valid (if useless) list.
    assert_eq!(code(CredentialList::from_json("[]").map(|_| ())), "OK");
}

// ---------------------------------------------------------------------------------------------
// Error codes that input cannot forge: a code spelled in a member name or a string value.

/// The codes the field decoders used to carry through serde as text `\u{1}CODE\u{1}detail`.
const MARKER_CODES: [&str; 5] = [
    "NON_CANONICAL",
    "IDENTITY_POINT",
    "UNSUPPORTED_VERSION",
    "INVALID_ELECTION",
    "BAD_ENCODING",
];

/// A member name or string value that spells a code the way the old carrier did.
fn marker(code: &str) -> String {
    format!("\u{1}{code}\u{1}x")
}

/// The documents of the forgery tests: a ballot, an election, a reveal, a receipt, and a board
/// entry with a reveal (its `kind` is an enum, whose error message repeats the value).
fn forgeable() -> Vec<(&'static str, Decoder, String)> {
    let mut d: Vec<_> = decoders()
        .into_iter()
        .filter(|(n, _, _)| ["ballot", "election", "challenge", "receipt"].contains(n))
        .collect();
    // board.jsonl: the header line, then one entry per line; entry 1 is the challenge.
    let entry: Value = serde_json::from_str(
        include_str!("independent/extra/board.jsonl")
            .lines()
            .nth(2)
            .unwrap(),
    )
    .unwrap();
    d.push((
        "board entry",
        |s| from_json::<BoardEntry>(s).map(|_| ()),
        entry.to_string(),
    ));
    for (name, decode, valid) in &d {
        decode(valid).unwrap_or_else(|e| panic!("{name}: the valid document fails: {e}"));
    }
    d
}

/// One path of each shape: `/contests/0/selections/3/proof` and `/contests/1/selections/0/proof`
/// lead to the same decoder, so only the first is kept.
fn one_of_each_shape(paths: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    paths
        .into_iter()
        .filter(|p| {
            let shape: Vec<&str> = p
                .split('/')
                .map(|s| if s.parse::<usize>().is_ok() { "#" } else { s })
                .collect();
            seen.insert(shape.join("/"))
        })
        .collect()
}

#[test]
fn a_code_in_a_member_name_is_not_an_error_code() {
    for (name, decode, valid) in forgeable() {
        let doc: Value = serde_json::from_str(&valid).unwrap();
        let mut paths = Vec::new();
        objects(&doc, String::new(), &mut paths);
        for path in one_of_each_shape(paths) {
            for c in MARKER_CODES {
                let mut d = doc.clone();
                d.pointer_mut(&path)
                    .unwrap()
                    .as_object_mut()
                    .unwrap()
                    .insert(marker(c), json!([]));
                let got = code(decode(&d.to_string()));
                if is_map(name, &path) {
                    // A contest id in the reveal: read as such (the check refuses it, §7.6).
                    assert_eq!(got, "OK", "{name}: {path}");
                } else {
                    assert_eq!(got, "MALFORMED_JSON", "{name}: {c} as a member of {path:?}");
                }
            }
        }
        // The member name alone, as the whole body.
        for c in MARKER_CODES {
            let body = json!({ marker(c): 1 }).to_string();
            assert_eq!(code(decode(&body)), "MALFORMED_JSON", "{name}: {body:?}");
        }
    }
}

#[test]
fn a_code_in_a_string_value_gives_that_value_its_own_error() {
    let mut checked = 0;
    for (name, decode, valid) in forgeable() {
        let doc: Value = serde_json::from_str(&valid).unwrap();
        let mut vals = Vec::new();
        values(&doc, String::new(), &mut vals);
        let strings = vals.iter().filter(|(_, v)| v.is_string());
        let shapes = one_of_each_shape(strings.clone().map(|(p, _)| p.clone()));
        for (path, v) in strings.filter(|(p, _)| shapes.contains(p)) {
            // The same value with a code nobody has: whatever it gives is the value's own error.
            let mut d = doc.clone();
            *d.pointer_mut(path).unwrap() = Value::String(marker("NO_SUCH_CODE"));
            let genuine = code(decode(&d.to_string()));
            for c in MARKER_CODES {
                *d.pointer_mut(path).unwrap() = Value::String(marker(c));
                let got = code(decode(&d.to_string()));
                assert_eq!(got, genuine, "{name}: {c} in {path} (was {v})");
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} strings");
}

// ---------------------------------------------------------------------------------------------
// One strict reading (§1.2): a member given twice at any depth, map keys included; `null`
// anywhere.

/// `v` as JSON text, with the first member of the object at JSON pointer `twice` given twice
/// (the same value both times).
fn with_member_twice(v: &Value, path: &str, twice: &str, out: &mut String) {
    match v {
        Value::Object(m) => {
            out.push('{');
            let mut members: Vec<(&String, &Value)> = m.iter().collect();
            if path == twice {
                members.insert(0, members[0]);
            }
            for (i, (k, x)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).unwrap());
                out.push(':');
                with_member_twice(x, &format!("{path}/{k}"), twice, out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                with_member_twice(x, &format!("{path}/{i}"), twice, out);
            }
            out.push(']');
        }
        _ => out.push_str(&v.to_string()),
    }
}

#[test]
fn a_member_given_twice_is_malformed_in_every_object_and_map() {
    let mut checked = 0;
    for (name, decode, valid) in decoders() {
        let doc: Value = serde_json::from_str(&valid).unwrap();
        let mut paths = Vec::new();
        objects(&doc, String::new(), &mut paths);
        for path in paths {
            if doc.pointer(&path).unwrap().as_object().unwrap().is_empty() {
                continue;
            }
            let mut text = String::new();
            with_member_twice(&doc, "", &path, &mut text);
            let e = decode(&text).unwrap_err();
            assert_eq!(e.code(), "MALFORMED_JSON", "{name}: twice in {path:?}: {e}");
            assert!(e.to_string().contains("given twice"), "{name}: {path}: {e}");
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} objects");
}

#[test]
fn a_reveal_naming_a_contest_twice_is_malformed() {
    let (decode, valid) = decoder("challenge");
    for other in ["[\"pp-1-02\"]", "[\"na-1-01\"]", "[]"] {
        let twice = valid.replacen(
            "\"selections\":{",
            &format!("\"selections\":{{\"NA-1\":{other},"),
            1,
        );
        assert_ne!(twice, valid);
        assert_eq!(code(decode(&twice)), "MALFORMED_JSON", "{twice}");
    }
}

#[test]
fn null_is_malformed_in_place_of_any_value() {
    let mut checked = 0;
    for (name, decode, valid) in decoders() {
        let doc: Value = serde_json::from_str(&valid).unwrap();
        let mut vals = Vec::new();
        values(&doc, String::new(), &mut vals);
        for (path, v) in vals {
            let mut d = doc.clone();
            *d.pointer_mut(&path).unwrap() = Value::Null;
            assert_eq!(
                code(decode(&d.to_string())),
                "MALFORMED_JSON",
                "{name}: {path}"
            );
            // And as one more item of an array.
            if let Value::Array(a) = v {
                let mut d = doc.clone();
                let mut with_null = a.clone();
                with_null.push(Value::Null);
                *d.pointer_mut(&path).unwrap() = Value::Array(with_null);
                assert_eq!(
                    code(decode(&d.to_string())),
                    "MALFORMED_JSON",
                    "{name}: {path}[]"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} values");
}

#[test]
fn an_optional_member_is_absent_never_null() {
    // An independent candidate has no `party`; a manifest may have no `parties`.
    let mut e: Value = serde_json::from_str(ELECTION).unwrap();
    let option = e["manifest"]["contests"][0]["options"][0]
        .as_object_mut()
        .unwrap();
    let had_party = option.remove("party").is_some();
    let without = e.to_string();
    let w = Election::from_json(&without);
    assert!(w.is_ok() || !had_party, "{w:?}");
    e["manifest"]["contests"][0]["options"][0]["party"] = Value::Null;
    assert_eq!(
        code(Election::from_json(&e.to_string()).map(|_| ())),
        "MALFORMED_JSON"
    );
    let mut m: Value = serde_json::from_str(MANIFEST).unwrap();
    m["parties"] = Value::Null;
    assert_eq!(
        code(from_json::<Manifest>(&m.to_string()).map(|_| ())),
        "MALFORMED_JSON"
    );
}

// ---------------------------------------------------------------------------------------------
// Canonical forms: a reveal lists each chosen option once (§7.6).

#[test]
fn a_reveal_naming_an_option_twice_is_a_duplicate_selection() {
    let election = Election::from_json(ELECTION).unwrap();
    let cases: Value = serde_json::from_str(BALLOTS).unwrap();
    let mut checked = 0;
    for case in cases.as_array().unwrap() {
        let ballot = Ballot::from_json(&case["ballot"].to_string()).unwrap();
        let good = Challenge::from_json(&case["challenge"].to_string()).unwrap();
        assert!(good.check(&election, &ballot).is_ok());
        for (contest, chosen) in &good.selections {
            let Some(first) = chosen.first() else {
                continue;
            };
            // The chosen option again, after it and before it.
            for at in [chosen.len(), 0] {
                let mut twice = good.clone();
                let list = twice.selections.get_mut(contest).unwrap();
                list.insert(at, first.clone());
                // It parses (a list may hold anything) and round-trips as sent ...
                let back = Challenge::from_json(&twice.to_json()).unwrap();
                assert_eq!(back, twice);
                // ... but the check refuses it.
                let e = back.check(&election, &ballot).unwrap_err();
                assert_eq!(
                    e,
                    Error::DuplicateSelection {
                        contest: contest.clone(),
                        option: first.clone()
                    }
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
}
