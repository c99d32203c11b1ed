//! Seal, verify, tamper and challenge a ballot of the reference election.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use amanat::{
    Ballot, Challenge, Credential, CredentialEntry, CredentialList, Digest, Election, EntryKind,
    Error, Manifest, Point, PublicKey, SealedBallot, Selections,
};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::Scalar;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn setup() -> (Election, Credential, CredentialList) {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let manifest: Manifest = serde_json::from_str(include_str!("vectors/manifest.json")).unwrap();
    let key =
        PublicKey::from_bytes(&(G * Scalar::from(12345u64)).compress().to_bytes(), "k").unwrap();
    let (_code, cred) = Credential::generate(&manifest.election_id, 0, &mut rng).unwrap();
    let list = CredentialList::new(vec![CredentialEntry {
        key: *cred.public_key(),
        style: "NA-1.PP-1".into(),
    }])
    .unwrap();
    let box_key =
        PublicKey::from_bytes(&(G * Scalar::from(54321u64)).compress().to_bytes(), "b").unwrap();
    let election = Election::new(manifest, 3, 2, key, list.summary(), box_key).unwrap();
    (election, cred, list)
}

fn choice() -> Selections {
    [
        ("NA-1".to_string(), vec!["na-1-03".to_string()]),
        ("PP-1".to_string(), vec!["pp-1-17".to_string()]),
    ]
    .into()
}

#[test]
fn seal_verify_and_challenge() {
    let (election, cred, list) = setup();
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let sealed = SealedBallot::seal(&election, &cred, &choice(), &mut rng).unwrap();
    let ballot = sealed.ballot().clone();
    ballot.verify(&election).unwrap();
    ballot.verify_listed(&election, &list).unwrap();
    let json = ballot.to_json();
    let back = Ballot::from_json(&json).unwrap();
    assert_eq!(back, ballot);
    assert_eq!(back.tracking(), sealed.tracking());
    let challenge = sealed.challenge();
    let c2 = Challenge::from_json(&challenge.to_json()).unwrap();
    assert_eq!(c2.check(&election, &ballot).unwrap(), choice());

    let mut lie = c2.clone();
    lie.selections.insert("NA-1".into(), vec!["na-1-04".into()]);
    assert!(matches!(
        lie.check(&election, &ballot),
        Err(Error::Verification(_))
    ));
}

#[test]
fn tampering_is_caught() {
    let (election, cred, _) = setup();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let ballot = SealedBallot::seal(&election, &cred, &choice(), &mut rng)
        .unwrap()
        .cast();
    let mut t = ballot.clone();
    t.contests[0].selections[2].ciphertext = t.contests[0].selections[3].ciphertext;
    let e = t.verify(&election).unwrap_err();
    assert_eq!(e.code(), "VERIFICATION_FAILED", "{e}");
    println!("{e}");
    let mut t = ballot.clone();
    t.signature.response += Scalar::ONE;
    assert_eq!(
        t.verify(&election).unwrap_err().to_string(),
        "verification failed: credential signature"
    );
    let mut t = ballot.clone();
    t.contests[1].proof.responses[0] += Scalar::ONE;
    assert_eq!(
        t.verify(&election).unwrap_err().to_string(),
        "verification failed: contest proof PP-1"
    );
    let _ = Point::from_bytes(&[0; 32], "x");
}

/// Verifying many ballots in one combined check gives each ballot exactly the result it
/// gets alone: good ones pass, and each bad one is named with its own error, wherever it sits
/// in the batch (a tampered proof, a bad signature, a wrong style, an unlisted credential,
/// another election).
#[test]
fn verifying_many_at_once_names_each_bad_ballot() {
    let (election, cred, list) = setup();
    let mut rng = ChaCha20Rng::seed_from_u64(31);
    let good: Vec<Ballot> = (0..6)
        .map(|_| {
            SealedBallot::seal(&election, &cred, &choice(), &mut rng)
                .unwrap()
                .cast()
        })
        .collect();
    let mut proof = good[1].clone();
    proof.contests[0].selections[4].proof.responses[1] += Scalar::ONE;
    let mut signature = good[2].clone();
    signature.signature.response += Scalar::ONE;
    let mut style = good[3].clone();
    style.contests.swap(0, 1);
    let (_, stranger) =
        Credential::generate(&election.manifest().election_id, 0, &mut rng).unwrap();
    let unlisted = SealedBallot::seal(&election, &stranger, &choice(), &mut rng)
        .unwrap()
        .cast();
    let mut foreign = good[4].clone();
    foreign.election.0[0] ^= 1;
    let all_good: Vec<&Ballot> = good.iter().collect();
    assert!(Ballot::verify_many(&all_good, &election, &list)
        .iter()
        .all(Result::is_ok));
    let mixed: Vec<&Ballot> = vec![
        &good[0], &proof, &good[5], &signature, &style, &unlisted, &foreign, &good[4],
    ];
    let many = Ballot::verify_many(&mixed, &election, &list);
    let alone: Vec<_> = mixed
        .iter()
        .map(|b| b.verify_listed(&election, &list))
        .collect();
    assert_eq!(many, alone);
    let codes: Vec<&str> = many
        .iter()
        .map(|r| r.as_ref().map_or_else(|e| e.code(), |()| "ok"))
        .collect();
    assert_eq!(
        codes,
        [
            "ok",
            "VERIFICATION_FAILED",
            "ok",
            "VERIFICATION_FAILED",
            "VERIFICATION_FAILED",
            "UNKNOWN_CREDENTIAL",
            "WRONG_ELECTION",
            "ok"
        ]
    );
    assert_eq!(
        many[3].as_ref().unwrap_err().to_string(),
        "verification failed: credential signature"
    );
    assert!(Ballot::verify_many(&[], &election, &list).is_empty());
}

#[test]
fn selection_errors_are_typed() {
    let (election, cred, _) = setup();
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let mut s = choice();
    s.insert("NA-1".into(), vec!["na-1-01".into(), "na-1-02".into()]);
    assert_eq!(
        SealedBallot::seal(&election, &cred, &s, &mut rng)
            .unwrap_err()
            .code(),
        "OVERVOTE"
    );
    s.insert("NA-1".into(), vec![]);
    assert_eq!(
        SealedBallot::seal(&election, &cred, &s, &mut rng)
            .unwrap_err()
            .code(),
        "UNDERVOTE"
    );
    s.insert("NA-1".into(), vec!["nope".into()]);
    assert_eq!(
        SealedBallot::seal(&election, &cred, &s, &mut rng)
            .unwrap_err()
            .code(),
        "UNKNOWN_OPTION"
    );
    s.insert("NA-1".into(), vec!["na-1-01".into(), "na-1-01".into()]);
    assert_eq!(
        SealedBallot::seal(&election, &cred, &s, &mut rng)
            .unwrap_err()
            .code(),
        "DUPLICATE_SELECTION"
    );
    let mut s = choice();
    s.insert("XX".into(), vec![]);
    assert_eq!(
        SealedBallot::seal(&election, &cred, &s, &mut rng)
            .unwrap_err()
            .code(),
        "UNKNOWN_CONTEST"
    );
}

#[test]
fn board_chain_links_and_detects_edits() {
    use amanat::board::{check_chain, genesis, BoardEntry, EntryKind};
    let (election, cred, _) = setup();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let b1 = SealedBallot::seal(&election, &cred, &choice(), &mut rng)
        .unwrap()
        .cast();
    let s2 = SealedBallot::seal(&election, &cred, &choice(), &mut rng).unwrap();
    let b2 = s2.ballot().clone();
    let c2 = s2.challenge();
    let e0 = BoardEntry::new(
        genesis(&election),
        0,
        EntryKind::Cast,
        "2026-11-22T10:00:00Z".into(),
        b1,
        None,
    )
    .unwrap();
    let e1 = BoardEntry::new(
        e0.hash,
        1,
        EntryKind::Challenge,
        "2026-11-22T10:01:00Z".into(),
        b2,
        Some(c2),
    )
    .unwrap();
    let entries = vec![e0, e1];
    assert_eq!(check_chain(&election, &entries).unwrap(), entries[1].hash);
    let json = serde_json::to_string(&entries).unwrap();
    let back: Vec<BoardEntry> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, entries);

    let mut t = entries.clone();
    t[0].received = "2026-11-22T09:00:00Z".into();
    assert_eq!(
        check_chain(&election, &t).unwrap_err().to_string(),
        "verification failed: board entry 0"
    );
    let mut t = entries.clone();
    t.swap(0, 1);
    assert!(check_chain(&election, &t).is_err());
    let mut t = entries.clone();
    t[1].challenge
        .as_mut()
        .unwrap()
        .selections
        .insert("NA-1".into(), vec!["na-1-09".into()]);
    assert_eq!(
        check_chain(&election, &t).unwrap_err().to_string(),
        "verification failed: board entry 1"
    );
    let mut t = entries;
    t.remove(0);
    assert!(check_chain(&election, &t).is_err());
}

/// A receipt signed with the election's ballot box key verifies; any one changed field, or a
/// signature by another key, or another election, does not, each with its own error.
#[test]
fn receipts_verify_only_under_the_elections_box_key() {
    use amanat::proofs::schnorr::sign;
    use amanat::{Check, Receipt, SecretScalar};
    let (election, cred, _) = setup();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let ballot = SealedBallot::seal(&election, &cred, &choice(), &mut rng)
        .unwrap()
        .cast();
    let tracking = ballot.tracking();
    // setup()'s box key is 54321·G.
    let box_secret = SecretScalar::from_scalar(Scalar::from(54321u64));
    assert_eq!(
        election.ballot_box_key().point().point(),
        &(G * Scalar::from(54321u64))
    );
    let signed = |secret: &SecretScalar, index: u64, received: &str| {
        let key = PublicKey::new(Point::from_point(G * secret.expose()), "box").unwrap();
        let head = Digest([7; 64]);
        Receipt {
            election: *election.base_hash(),
            kind: EntryKind::Cast,
            tracking: tracking.0,
            short: tracking.short(),
            index,
            received: received.into(),
            head,
            signature: sign(
                election.base_hash(),
                "receipt",
                Receipt::message(EntryKind::Cast, &tracking.0, index, received, &head).as_bytes(),
                secret,
                &key,
                &mut ChaCha20Rng::seed_from_u64(index),
            ),
        }
    };
    let good = signed(&box_secret, 7, "2026-11-22T10:41:07Z");
    good.verify(&election).unwrap();
    let back = Receipt::from_json(&good.to_json()).unwrap();
    assert_eq!(back, good);
    back.verify(&election).unwrap();

    let signature_fails = |r: &Receipt| {
        assert_eq!(
            r.verify(&election),
            Err(Error::Verification(Check::MessageSignature(
                "receipt".into()
            )))
        );
    };
    signature_fails(&Receipt {
        index: 8,
        ..good.clone()
    });
    signature_fails(&Receipt {
        received: "2026-11-22T10:41:08Z".into(),
        ..good.clone()
    });
    // The kind and the head are signed too: a cast receipt is no challenge receipt, and a
    // receipt fixes the board up to its entry.
    signature_fails(&Receipt {
        kind: EntryKind::Challenge,
        ..good.clone()
    });
    signature_fails(&Receipt {
        head: Digest([8; 64]),
        ..good.clone()
    });
    let other = SealedBallot::seal(&election, &cred, &choice(), &mut rng)
        .unwrap()
        .cast()
        .tracking();
    signature_fails(&Receipt {
        tracking: other.0,
        short: other.short(),
        ..good.clone()
    });
    let mut sig = good.clone();
    sig.signature.response += Scalar::ONE;
    signature_fails(&sig);
    // A receipt signed by any other key, for example one the box made up after the election
    // was defined, proves nothing.
    signature_fails(&signed(
        &SecretScalar::from_scalar(Scalar::from(5u64)),
        7,
        "2026-11-22T10:41:07Z",
    ));

    assert!(matches!(
        Receipt {
            short: other.short(),
            ..good.clone()
        }
        .verify(&election),
        Err(Error::Verification(Check::Receipt(_)))
    ));
    assert!(matches!(
        Receipt {
            received: "2026-11-22 10:41:07".into(),
            ..good.clone()
        }
        .verify(&election),
        Err(Error::Verification(Check::Receipt(_)))
    ));
    let mut foreign = good.clone();
    foreign.election.0[0] ^= 1;
    assert_eq!(foreign.verify(&election), Err(Error::WrongElection));

    // Decoding is strict: unknown members and non-canonical encodings are refused.
    let json = good.to_json();
    let code = |j: &str| Receipt::from_json(j).unwrap_err().code();
    assert_eq!(
        code(&json.replace("\"index\"", "\"extra\":1,\"index\"")),
        "MALFORMED_JSON"
    );
    assert_eq!(
        code(&json.replacen(&tracking.0.to_hex(), &tracking.0.to_hex().to_uppercase(), 1)),
        "BAD_ENCODING"
    );
    assert_eq!(code("{}"), "MALFORMED_JSON");
}
