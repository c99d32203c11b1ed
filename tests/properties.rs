//! Property tests: every public JSON type round-trips, and any single tampered field of a
//! ballot is rejected — with a valid encoding at verification (naming the failed check), with a
//! broken encoding at parse time.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use amanat::board::check_chain;
use amanat::manifest::{BallotStyle, Candidate, Contest, Party, Text};
use amanat::proofs::disjunctive::{Commitment, DisjunctiveProof};
use amanat::proofs::equality::EqualityProof;
use amanat::proofs::schnorr::SchnorrProof;
use amanat::{
    Ballot, BallotSeed, BoardEntry, Challenge, Check, Ciphertext, Credential, CredentialEntry,
    CredentialList, CredentialsSummary, Digest, Election, EntryKind, Error, Manifest, Point,
    PublicKey, SealedBallot, Selections,
};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::{RistrettoPoint, Scalar};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Fixture: the reference election and the ballots of the known-answer vectors.

struct Fixture {
    election: Election,
    list: CredentialList,
    /// `(code, ballot)` of every case of `ballots.json`.
    ballots: Vec<(String, Ballot)>,
    /// The challenge (reveal) of every case of `ballots.json`.
    challenges: Vec<Challenge>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let cases: Value = serde_json::from_str(include_str!("vectors/ballots.json")).unwrap();
        Fixture {
            election: Election::from_json(include_str!("vectors/election.json")).unwrap(),
            list: CredentialList::from_json(include_str!("vectors/credentials.json")).unwrap(),
            ballots: cases
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["code"].as_str().unwrap().to_string(),
                        Ballot::from_json(&c["ballot"].to_string()).unwrap(),
                    )
                })
                .collect(),
            challenges: cases
                .as_array()
                .unwrap()
                .iter()
                .map(|c| Challenge::from_json(&c["challenge"].to_string()).unwrap())
                .collect(),
        }
    })
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
// Strategies.

fn scalar() -> impl Strategy<Value = Scalar> {
    any::<[u8; 32]>().prop_map(Scalar::from_bytes_mod_order)
}

fn nonzero_scalar() -> impl Strategy<Value = Scalar> {
    scalar().prop_filter("non-zero", |s| *s != Scalar::ZERO)
}

fn group_element() -> impl Strategy<Value = RistrettoPoint> {
    prop::collection::vec(any::<u8>(), 64).prop_map(|b| {
        let mut w = [0u8; 64];
        w.copy_from_slice(&b);
        RistrettoPoint::from_uniform_bytes(&w)
    })
}

fn point() -> impl Strategy<Value = Point> {
    group_element().prop_map(Point::from_point)
}

fn public_key() -> impl Strategy<Value = PublicKey> {
    nonzero_scalar().prop_map(|x| PublicKey::new(Point::from_point(G * x), "key").unwrap())
}

fn digest() -> impl Strategy<Value = Digest> {
    prop::collection::vec(any::<u8>(), 64).prop_map(|b| {
        let mut d = [0u8; 64];
        d.copy_from_slice(&b);
        Digest(d)
    })
}

fn ciphertext() -> impl Strategy<Value = Ciphertext> {
    (point(), point()).prop_map(|(a, b)| Ciphertext { a, b })
}

fn disjunctive_proof() -> impl Strategy<Value = DisjunctiveProof> {
    (1usize..5).prop_flat_map(|n| {
        (
            prop::collection::vec((point(), point()), n),
            prop::collection::vec(scalar(), n),
            prop::collection::vec(scalar(), n),
        )
            .prop_map(|(cs, challenges, responses)| DisjunctiveProof {
                commitments: cs.into_iter().map(|(a, b)| Commitment { a, b }).collect(),
                challenges,
                responses,
            })
    })
}

fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._-]{0,11}"
}

fn text() -> impl Strategy<Value = Text> {
    (
        "[A-Za-z][A-Za-z0-9 ]{0,15}",
        "[\u{0627}-\u{064A}][\u{0627}-\u{064A} ]{0,9}",
    )
        .prop_map(|(en, ur)| Text { en, ur })
}

const SYMBOLS: [&str; 20] = [
    "crescent", "lantern", "river", "wheat", "kite", "book", "tree", "bicycle", "key", "scales",
    "clock", "boat", "star", "camel", "jug", "pen", "umbrella", "chair", "bell", "ladder",
];

fn contest(id: String, parties: Vec<String>) -> impl Strategy<Value = Contest> {
    (text(), prop::collection::btree_set(self::id(), 1..6))
        .prop_flat_map(|(name, option_ids)| {
            let n = option_ids.len();
            let candidates = prop::collection::vec(
                (
                    text(),
                    any::<Option<prop::sample::Index>>(),
                    prop::sample::select(SYMBOLS.to_vec()),
                ),
                n,
            );
            let limits = (1..=n as u32).prop_flat_map(|max| (0..=max, Just(max)));
            (
                Just(name),
                Just(option_ids.into_iter().collect::<Vec<_>>()),
                candidates,
                limits,
            )
        })
        .prop_map(move |(name, option_ids, candidates, (min, max))| Contest {
            id: id.clone(),
            name,
            min_selections: min,
            max_selections: max,
            options: option_ids
                .into_iter()
                .zip(candidates)
                .map(|(oid, (name, party, symbol))| Candidate {
                    id: oid,
                    name,
                    party: party
                        .filter(|_| !parties.is_empty())
                        .map(|i| parties[i.index(parties.len())].clone()),
                    symbol: symbol.to_string(),
                })
                .collect(),
        })
}

/// Any valid manifest: 0-3 parties, 1-3 contests of 1-5 options, 1-3 ballot styles.
fn manifest() -> impl Strategy<Value = Manifest> {
    (
        id(),
        text(),
        prop::collection::btree_set(id(), 0..4),
        prop::collection::btree_set(id(), 1..4),
    )
        .prop_flat_map(|(election_id, title, party_ids, contest_ids)| {
            let party_ids: Vec<String> = party_ids.into_iter().collect();
            let contest_ids: Vec<String> = contest_ids.into_iter().collect();
            let parties = party_ids
                .iter()
                .map(|p| {
                    let p = p.clone();
                    text().prop_map(move |name| Party {
                        id: p.clone(),
                        name,
                    })
                })
                .collect::<Vec<_>>();
            let contests = contest_ids
                .iter()
                .map(|c| contest(c.clone(), party_ids.clone()))
                .collect::<Vec<_>>();
            let styles = prop::collection::btree_map(
                id(),
                (
                    text(),
                    prop::sample::subsequence(contest_ids.clone(), 1..=contest_ids.len()),
                ),
                1..4,
            );
            (Just(election_id), Just(title), parties, contests, styles).prop_map(
                |(election_id, title, parties, contests, styles)| Manifest {
                    election_id,
                    title,
                    parties,
                    contests,
                    ballot_styles: styles
                        .into_iter()
                        .map(|(id, (name, contests))| BallotStyle { id, name, contests })
                        .collect(),
                },
            )
        })
}

/// Valid selections for the reference style: one option of each contest, by index.
fn reference_selections() -> impl Strategy<Value = Selections> {
    (0usize..15, 0usize..20).prop_map(|(na, pp)| {
        [
            ("NA-1".to_string(), vec![format!("na-1-{:02}", na + 1)]),
            ("PP-1".to_string(), vec![format!("pp-1-{:02}", pp + 1)]),
        ]
        .into()
    })
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    v: &T,
) -> Result<(), TestCaseError> {
    let json = serde_json::to_string(v).unwrap();
    let back: T = amanat::encoding::from_json(&json).map_err(|e| {
        TestCaseError::fail(format!(
            "{} did not parse back: {e}",
            &json[..json.len().min(200)]
        ))
    })?;
    prop_assert_eq!(&back, v);
    prop_assert_eq!(serde_json::to_string(&back).unwrap(), json);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Round trips.

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn points_keys_digests_and_ciphertexts_round_trip(
        p in point(), k in public_key(), d in digest(), c in ciphertext()
    ) {
        round_trip(&p)?;
        prop_assert_eq!(Point::from_bytes(&p.to_bytes(), "p").unwrap(), p);
        round_trip(&k)?;
        prop_assert_eq!(PublicKey::from_hex(&k.to_hex(), "k").unwrap(), k);
        round_trip(&d)?;
        prop_assert_eq!(Digest::from_hex(&d.to_hex()).unwrap(), d);
        round_trip(&c)?;
    }

    #[test]
    fn proofs_round_trip(
        dp in disjunctive_proof(),
        (sc, sr) in (point(), scalar()),
        (t1, t2, er) in (point(), point(), scalar()),
    ) {
        round_trip(&dp)?;
        round_trip(&SchnorrProof { commitment: sc, response: sr })?;
        round_trip(&EqualityProof { t1, t2, response: er })?;
    }

    #[test]
    fn credential_lists_round_trip_sorted(
        keys in prop::collection::btree_map(1u64.., id(), 0..6),
    ) {
        // Distinct non-zero secrets below the group order: distinct keys.
        let entries: Vec<CredentialEntry> = keys
            .iter()
            .map(|(x, style)| CredentialEntry {
                key: PublicKey::new(Point::from_point(G * Scalar::from(*x)), "k").unwrap(),
                style: style.clone(),
            })
            .collect();
        let list = CredentialList::new(entries.clone()).unwrap();
        let json = serde_json::to_string(&list).unwrap();
        let back = CredentialList::from_json(&json).unwrap();
        prop_assert_eq!(&back, &list);
        prop_assert_eq!(back.digest(), list.digest());
        prop_assert_eq!(back.summary().count, entries.len() as u64);
        // Order of the input does not matter.
        let mut reversed = entries.clone();
        reversed.reverse();
        prop_assert_eq!(CredentialList::new(reversed).unwrap().digest(), list.digest());
        for e in &entries {
            prop_assert_eq!(list.style_of(&e.key), Some(e.style.as_str()));
        }
        round_trip(&list.summary())?;
    }
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn manifests_and_elections_round_trip(
        m in manifest(),
        key in public_key(),
        box_key in public_key(),
        d in digest(),
        count in 0u64..1_000_000,
        (trustees, threshold) in (1u32..10).prop_flat_map(|n| (Just(n), 1..=n)),
    ) {
        round_trip(&m)?;
        let summary = CredentialsSummary { count, digest: d };
        let e = Election::new(m.clone(), trustees, threshold, key, summary, box_key).unwrap();
        let json = e.to_json();
        let back = Election::from_json(&json).unwrap();
        prop_assert_eq!(back.to_json(), json);
        prop_assert_eq!(back.base_hash(), e.base_hash());
        prop_assert_eq!(back.manifest(), &m);
        prop_assert_eq!(back.credentials(), &summary);
        prop_assert_eq!((back.trustees(), back.threshold()), (trustees, threshold));
        prop_assert_eq!(back.key().public(), &key);
        prop_assert_eq!(back.ballot_box_key(), &box_key);

        // The base hash binds every parameter.
        let other = |m: Manifest, n, k, key, s| Election::new(m, n, k, key, s, box_key).unwrap();
        let h = *e.base_hash();
        prop_assert_ne!(*other(m.clone(), trustees + 1, threshold, key, summary).base_hash(), h);
        if threshold > 1 {
            prop_assert_ne!(*other(m.clone(), trustees, threshold - 1, key, summary).base_hash(), h);
        }
        let key2 = PublicKey::new(Point::from_point(key.point().point() + G), "k");
        if let Ok(key2) = key2 {
            prop_assert_ne!(*other(m.clone(), trustees, threshold, key2, summary).base_hash(), h);
        }
        let box2 = PublicKey::new(Point::from_point(box_key.point().point() + G), "b");
        if let Ok(box2) = box2 {
            let e2 = Election::new(m.clone(), trustees, threshold, key, summary, box2).unwrap();
            prop_assert_ne!(*e2.base_hash(), h);
        }
        let s2 = CredentialsSummary { count: count + 1, digest: d };
        prop_assert_ne!(*other(m.clone(), trustees, threshold, key, s2).base_hash(), h);
        let mut m2 = m.clone();
        m2.contests[0].options[0].name.en.push('x');
        prop_assert_ne!(*other(m2, trustees, threshold, key, summary).base_hash(), h);
    }
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn sealed_ballots_and_challenges_round_trip_and_verify(
        selections in reference_selections(),
        seed in any::<[u8; 32]>(),
        who in 0usize..4,
    ) {
        let f = fixture();
        let code = &f.ballots[who.min(f.ballots.len() - 1)].0;
        let credential = Credential::from_code(&f.election, code).unwrap();
        let sealed = SealedBallot::seal_with_seed(
            &f.election, &credential, &selections, BallotSeed::from_bytes(seed),
        ).unwrap();
        let ballot = sealed.ballot().clone();
        round_trip(&ballot)?;
        let back = Ballot::from_json(&ballot.to_json()).unwrap();
        prop_assert_eq!(back.tracking(), sealed.tracking());
        back.verify_listed(&f.election, &f.list).unwrap();
        let challenge = sealed.challenge();
        round_trip(&challenge)?;
        let c = Challenge::from_json(&challenge.to_json()).unwrap();
        prop_assert_eq!(c.check(&f.election, &back).unwrap(), selections.clone());

        // A reveal that lies about one choice, or has another seed, is caught.
        let mut lie = c.clone();
        let na = &selections["NA-1"][0];
        let other = if na == "na-1-01" { "na-1-02" } else { "na-1-01" };
        lie.selections.insert("NA-1".into(), vec![other.into()]);
        prop_assert_eq!(lie.check(&f.election, &back).unwrap_err().code(), "VERIFICATION_FAILED");
        let mut wrong_seed = c.clone();
        let flipped = if wrong_seed.seed.starts_with('0') { "1" } else { "0" };
        wrong_seed.seed.replace_range(0..1, flipped);
        prop_assert_eq!(
            wrong_seed.check(&f.election, &back).unwrap_err().code(),
            "VERIFICATION_FAILED"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Tampering with a valid encoding: must reach verification and fail there.

#[derive(Clone, Copy, Debug)]
enum Field {
    CiphertextA,
    CiphertextB,
    SelectionCommitmentA,
    SelectionCommitmentB,
    SelectionChallenge,
    SelectionResponse,
    ContestCommitmentA,
    ContestCommitmentB,
    ContestChallenge,
    ContestResponse,
    SignatureCommitment,
    SignatureResponse,
    Election,
    Credential,
    Style,
    OptionId,
    ContestId,
}

const FIELDS: [Field; 17] = [
    Field::CiphertextA,
    Field::CiphertextB,
    Field::SelectionCommitmentA,
    Field::SelectionCommitmentB,
    Field::SelectionChallenge,
    Field::SelectionResponse,
    Field::ContestCommitmentA,
    Field::ContestCommitmentB,
    Field::ContestChallenge,
    Field::ContestResponse,
    Field::SignatureCommitment,
    Field::SignatureResponse,
    Field::Election,
    Field::Credential,
    Field::Style,
    Field::OptionId,
    Field::ContestId,
];

/// Where and how much: indices are reduced modulo the lengths they index.
#[derive(Clone, Debug)]
struct Tweak {
    ballot: usize,
    contest: usize,
    option: usize,
    branch: usize,
    scalar: Scalar,
    point: RistrettoPoint,
    byte: usize,
    bit: u8,
    name: String,
}

fn tweak() -> impl Strategy<Value = Tweak> {
    (
        (0usize..4, 0usize..2, 0usize..20, 0usize..8),
        nonzero_scalar(),
        group_element().prop_filter("not the identity", |p| *p != RistrettoPoint::default()),
        (0usize..64, 0u8..8),
        id(),
    )
        .prop_map(
            |((ballot, contest, option, branch), scalar, point, (byte, bit), name)| Tweak {
                ballot,
                contest,
                option,
                branch,
                scalar,
                point,
                byte,
                bit,
                name,
            },
        )
}

fn moved(p: &Point, by: &RistrettoPoint) -> Point {
    Point::from_point(p.point() + by)
}

/// Applies one tampering; returns the check that must fail, or the error code when the failure
/// is not a proof (`None` check).
fn tamper(b: &mut Ballot, field: Field, t: &Tweak) -> (Option<Check>, &'static str) {
    const VF: &str = "VERIFICATION_FAILED";
    let ci = t.contest % b.contests.len();
    let contest = &mut b.contests[ci];
    let cid = contest.id.clone();
    let oi = t.option % contest.selections.len();
    let sel = &mut contest.selections[oi];
    let oid = sel.id.clone();
    let sel_check = Some(Check::SelectionProof(cid.clone(), oid.clone()));
    let contest_check = Some(Check::ContestProof(cid.clone()));
    let sb = t.branch % sel.proof.commitments.len();
    let cb = t.branch % contest.proof.commitments.len();
    match field {
        Field::CiphertextA => {
            sel.ciphertext.a = moved(&sel.ciphertext.a, &t.point);
            (sel_check, VF)
        }
        Field::CiphertextB => {
            sel.ciphertext.b = moved(&sel.ciphertext.b, &t.point);
            (sel_check, VF)
        }
        Field::SelectionCommitmentA => {
            let c = &mut sel.proof.commitments[sb];
            c.a = moved(&c.a, &t.point);
            (sel_check, VF)
        }
        Field::SelectionCommitmentB => {
            let c = &mut sel.proof.commitments[sb];
            c.b = moved(&c.b, &t.point);
            (sel_check, VF)
        }
        Field::SelectionChallenge => {
            sel.proof.challenges[sb] += t.scalar;
            (sel_check, VF)
        }
        Field::SelectionResponse => {
            sel.proof.responses[sb] += t.scalar;
            (sel_check, VF)
        }
        Field::ContestCommitmentA => {
            let c = &mut contest.proof.commitments[cb];
            c.a = moved(&c.a, &t.point);
            (contest_check, VF)
        }
        Field::ContestCommitmentB => {
            let c = &mut contest.proof.commitments[cb];
            c.b = moved(&c.b, &t.point);
            (contest_check, VF)
        }
        Field::ContestChallenge => {
            contest.proof.challenges[cb] += t.scalar;
            (contest_check, VF)
        }
        Field::ContestResponse => {
            contest.proof.responses[cb] += t.scalar;
            (contest_check, VF)
        }
        Field::OptionId => {
            sel.id = format!("{}{}", sel.id, t.name);
            (Some(Check::Style), VF)
        }
        Field::ContestId => {
            contest.id = format!("{}{}", contest.id, t.name);
            (Some(Check::Style), VF)
        }
        Field::SignatureCommitment => {
            b.signature.commitment = moved(&b.signature.commitment, &t.point);
            (Some(Check::Signature), VF)
        }
        Field::SignatureResponse => {
            b.signature.response += t.scalar;
            (Some(Check::Signature), VF)
        }
        Field::Election => {
            b.election.0[t.byte] ^= 1 << t.bit;
            (None, "WRONG_ELECTION")
        }
        Field::Credential => {
            b.credential =
                PublicKey::new(moved(b.credential.point(), &t.point), "k").unwrap_or(b.credential);
            // Every proof binds the credential: the first one checked fails.
            let first = &b.contests[0];
            (
                Some(Check::SelectionProof(
                    first.id.clone(),
                    first.selections[0].id.clone(),
                )),
                VF,
            )
        }
        Field::Style => {
            b.style = format!("{}{}", b.style, t.name);
            (None, "UNKNOWN_STYLE")
        }
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn any_single_tampered_field_fails_verification(
        field in prop::sample::select(FIELDS.to_vec()),
        t in tweak(),
    ) {
        let f = fixture();
        let original = &f.ballots[t.ballot % f.ballots.len()].1;
        let mut b = original.clone();
        let (check, code) = tamper(&mut b, field, &t);
        prop_assert_ne!(&b, original, "the tweak changed nothing");
        // A valid encoding: it survives JSON and reaches verification.
        let parsed = Ballot::from_json(&b.to_json()).unwrap();
        prop_assert_eq!(&parsed, &b);
        prop_assert_ne!(parsed.tracking(), original.tracking());
        let err = parsed.verify(&f.election).unwrap_err();
        prop_assert_eq!(err.code(), code, "{:?}: {}", field, err);
        if let Some(check) = check {
            prop_assert_eq!(err, Error::Verification(check));
        }
        // The list check: a moved credential is not listed.
        let listed = parsed.verify_listed(&f.election, &f.list).unwrap_err();
        let want = match field {
            Field::Credential => "UNKNOWN_CREDENTIAL",
            Field::Style => "CREDENTIAL_STYLE",
            _ => code,
        };
        prop_assert_eq!(listed.code(), want);
    }
}

// ---------------------------------------------------------------------------------------------
// Tampering that breaks the encoding: must fail at parse time.

/// JSON pointers of every hex string in a ballot, with what it holds.
fn hex_fields(v: &Value, path: String, out: &mut Vec<(String, Kind)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                hex_fields(x, format!("{path}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                hex_fields(x, format!("{path}/{i}"), out);
            }
        }
        Value::String(s) if s.len() == 128 => out.push((path, Kind::Digest)),
        Value::String(s) if s.len() == 64 => {
            let scalar = path.contains("/challenges/")
                || path.contains("/responses/")
                || path.ends_with("/response");
            out.push((path, if scalar { Kind::Scalar } else { Kind::Point }));
        }
        _ => {}
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Point,
    Scalar,
    Digest,
}

#[derive(Clone, Copy, Debug)]
enum Break {
    Uppercase,
    DropDigit,
    ExtraDigit,
    NotHex,
    NonCanonical,
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn any_broken_encoding_fails_at_parse_time(
        which in any::<prop::sample::Index>(),
        how in prop::sample::select(vec![
            Break::Uppercase, Break::DropDigit, Break::ExtraDigit, Break::NotHex,
            Break::NonCanonical,
        ]),
        at in 0usize..128,
        high in 0x11u8..=0xff,
        odd in any::<bool>(),
    ) {
        let f = fixture();
        let mut v: Value = serde_json::to_value(&f.ballots[0].1).unwrap();
        let mut fields = Vec::new();
        hex_fields(&v, String::new(), &mut fields);
        let (path, kind) = fields[which.index(fields.len())].clone();
        let slot = v.pointer_mut(&path).unwrap();
        let s = slot.as_str().unwrap().to_string();
        let at = at % s.len();
        let (broken, code) = match how {
            Break::Uppercase => {
                // Make sure there is a letter to raise.
                let mut chars: Vec<char> = s.chars().collect();
                if !chars[at].is_ascii_alphabetic() {
                    chars[at] = 'a';
                }
                chars[at] = chars[at].to_ascii_uppercase();
                (chars.into_iter().collect::<String>(), "BAD_ENCODING")
            }
            Break::DropDigit => {
                let mut t = s.clone();
                t.remove(at);
                (t, "BAD_ENCODING")
            }
            Break::ExtraDigit => {
                let mut t = s.clone();
                t.insert(at, '0');
                (t, "BAD_ENCODING")
            }
            Break::NotHex => {
                let mut t = s.clone();
                t.replace_range(at..at + 1, "g");
                (t, "BAD_ENCODING")
            }
            Break::NonCanonical => match kind {
                Kind::Point => {
                    let mut bytes = unhex(&s);
                    // An odd s is "negative"; s >= 2^255 exceeds the field: both rejected.
                    if odd { bytes[0] |= 1 } else { bytes[31] |= 0x80 }
                    (amanat::encoding::to_hex(&bytes), "NON_CANONICAL")
                }
                Kind::Scalar => {
                    let mut bytes = unhex(&s);
                    bytes[31] = high; // >= 0x11·2^248 > ℓ
                    (amanat::encoding::to_hex(&bytes), "NON_CANONICAL")
                }
                // A digest has no canonical form beyond hex: change its length instead.
                Kind::Digest => (s[..126].to_string(), "BAD_ENCODING"),
            },
        };
        prop_assume!(broken != s);
        *slot = Value::String(broken);
        let err = Ballot::from_json(&v.to_string()).unwrap_err();
        prop_assert_eq!(err.code(), code, "{} {:?} {:?}: {}", path, kind, how, err);
    }
}

#[test]
fn the_identity_is_a_valid_point_but_never_a_credential_key() {
    let f = fixture();
    let mut v: Value = serde_json::to_value(&f.ballots[0].1).unwrap();
    let zero = "0".repeat(64);
    v["credential"] = Value::String(zero.clone());
    assert_eq!(
        Ballot::from_json(&v.to_string()).unwrap_err().code(),
        "IDENTITY_POINT"
    );
    // As a ciphertext component the identity parses, and verification rejects it.
    let mut v: Value = serde_json::to_value(&f.ballots[0].1).unwrap();
    v["contests"][0]["selections"][0]["ciphertext"]["a"] = Value::String(zero);
    let b = Ballot::from_json(&v.to_string()).unwrap();
    assert_eq!(
        b.verify(&f.election).unwrap_err().code(),
        "VERIFICATION_FAILED"
    );
}

// ---------------------------------------------------------------------------------------------
// Bulletin-board entries: round trip, and any tampered entry breaks the chain.

/// A board of the vector ballots: cast, challenged, cast, cast.
fn board(f: &Fixture) -> Vec<BoardEntry> {
    let mut prev = amanat::board::genesis(&f.election);
    let mut out = Vec::new();
    for (i, (_, ballot)) in f.ballots.iter().enumerate() {
        let challenge = (i == 1).then(|| f.challenges[i].clone());
        let kind = if challenge.is_some() {
            EntryKind::Challenge
        } else {
            EntryKind::Cast
        };
        let e = BoardEntry::new(
            prev,
            i as u64,
            kind,
            format!("2026-11-22T03:0{i}:00Z"),
            ballot.clone(),
            challenge,
        )
        .unwrap();
        prev = e.hash;
        out.push(e);
    }
    out
}

#[derive(Clone, Copy, Debug)]
enum EntryField {
    Index,
    Kind,
    Received,
    Tracking,
    Short,
    Prev,
    Hash,
    Ballot,
    Seed,
    Removed,
    Swapped,
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn board_entries_round_trip_and_any_tampered_entry_breaks_the_chain(
        field in prop::sample::select(vec![
            EntryField::Index, EntryField::Kind, EntryField::Received, EntryField::Tracking,
            EntryField::Short, EntryField::Prev, EntryField::Hash, EntryField::Ballot,
            EntryField::Seed, EntryField::Removed, EntryField::Swapped,
        ]),
        at in 0usize..4,
        byte in 0usize..64,
        k in 1u64..1000,
        name in id(),
    ) {
        let f = fixture();
        let entries = board(f);
        let head = check_chain(&f.election, &entries).unwrap();
        prop_assert_eq!(head, entries[3].hash);
        for e in &entries {
            round_trip(e)?;
        }
        let mut t = entries.clone();
        // The seed can only be changed on the challenge entry.
        let i = if matches!(field, EntryField::Seed) { 1 } else { at };
        let e = &mut t[i];
        match field {
            EntryField::Index => e.index += k,
            EntryField::Kind => {
                e.kind = if e.kind == EntryKind::Cast { EntryKind::Challenge } else { EntryKind::Cast };
            }
            EntryField::Received => e.received.push_str(&name),
            EntryField::Tracking => e.tracking.0[byte] ^= 1,
            EntryField::Short => {
                let c = if e.short.starts_with('0') { "1" } else { "0" };
                e.short.replace_range(0..1, c);
            }
            EntryField::Prev => e.prev.0[byte] ^= 0x80,
            EntryField::Hash => e.hash.0[byte] ^= 0x01,
            EntryField::Ballot => e.ballot.signature.response += Scalar::ONE,
            EntryField::Seed => {
                let c = e.challenge.as_mut().unwrap();
                let d = if c.seed.starts_with('0') { "1" } else { "0" };
                c.seed.replace_range(0..1, d);
            }
            EntryField::Removed => {
                t.remove(i.min(2));
            }
            EntryField::Swapped => t.swap(i % 3, i % 3 + 1),
        }
        // Through JSON, as a verifier reads the board.
        let json = serde_json::to_string(&t).unwrap();
        let back: Vec<BoardEntry> = amanat::encoding::from_json(&json).unwrap();
        let err = check_chain(&f.election, &back).unwrap_err();
        prop_assert!(
            matches!(err, Error::Verification(Check::Board(_))),
            "{:?}: {}", field, err
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Random elections: multi-choice contests, blank votes, several styles.

/// `k` distinct options of `contest`, chosen by `picks`.
fn choose(contest: &Contest, k: usize, picks: &[prop::sample::Index]) -> Vec<String> {
    let mut left: Vec<&Candidate> = contest.options.iter().collect();
    (0..k)
        .map(|j| {
            left.remove(picks[j % picks.len()].index(left.len()))
                .id
                .clone()
        })
        .collect()
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn random_elections_seal_verify_and_reject_out_of_range_selections(
        m in manifest(),
        style in any::<prop::sample::Index>(),
        sizes in prop::collection::vec(any::<prop::sample::Index>(), 4),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 8),
        key in public_key(),
        seed in any::<[u8; 32]>(),
        field in prop::sample::select(FIELDS.to_vec()),
        t in tweak(),
    ) {
        use rand_chacha::rand_core::SeedableRng;
        let mut rng = rand_chacha::ChaCha20Rng::from_seed(seed);
        let s = style.index(m.ballot_styles.len());
        let style_id = m.ballot_styles[s].id.clone();
        let (_, credential) = Credential::generate(&m.election_id, s as u16, &mut rng).unwrap();
        let list = CredentialList::new(vec![CredentialEntry {
            key: *credential.public_key(),
            style: style_id.clone(),
        }])
        .unwrap();
        let election = Election::new(m.clone(), 3, 2, key, list.summary(), key).unwrap();
        let contests = m.style_contests(&style_id).unwrap();
        let mut selections = Selections::new();
        for (i, c) in contests.iter().enumerate() {
            let span = (c.max_selections - c.min_selections) as usize + 1;
            let k = c.min_selections as usize + sizes[i % sizes.len()].index(span);
            selections.insert(c.id.clone(), choose(c, k, &picks));
        }
        let sealed = SealedBallot::seal(&election, &credential, &selections, &mut rng).unwrap();
        let ballot = Ballot::from_json(&sealed.ballot().to_json()).unwrap();
        ballot.verify_listed(&election, &list).unwrap();
        prop_assert_eq!(ballot.style.as_str(), style_id.as_str());
        // The reveal lists each contest's choices in ballot (manifest) order.
        let mut revealed = sealed.challenge().check(&election, &ballot).unwrap();
        let mut chosen = selections.clone();
        for v in revealed.values_mut().chain(chosen.values_mut()) {
            v.sort();
        }
        prop_assert_eq!(revealed, chosen);

        // Any single tampered field fails here too, where contest proofs have several branches.
        let mut bad = ballot.clone();
        let (check, code) = tamper(&mut bad, field, &t);
        prop_assume!(m.style(&bad.style).is_err() || bad.style == ballot.style);
        let err = Ballot::from_json(&bad.to_json()).unwrap().verify(&election).unwrap_err();
        prop_assert_eq!(err.code(), code, "{:?}: {}", field, err);
        if let Some(check) = check {
            prop_assert_eq!(err, Error::Verification(check));
        }

        // One contest over its maximum, or under its minimum, cannot be sealed.
        let c = contests[0];
        let n = c.options.len();
        if (c.max_selections as usize) < n {
            let mut over = selections.clone();
            over.insert(c.id.clone(), choose(c, c.max_selections as usize + 1, &picks));
            let e = SealedBallot::seal(&election, &credential, &over, &mut rng).unwrap_err();
            prop_assert_eq!(e.code(), "OVERVOTE");
        }
        if c.min_selections > 0 {
            let mut under = selections.clone();
            under.insert(c.id.clone(), choose(c, c.min_selections as usize - 1, &picks));
            let e = SealedBallot::seal(&election, &credential, &under, &mut rng).unwrap_err();
            prop_assert_eq!(e.code(), "UNDERVOTE");
        }
    }
}
