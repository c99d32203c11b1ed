//! Every transcript of docs/protocol.md rebuilt here byte by byte from its item list, with the
//! item forms of §2.1 (`str`, `u32`, `u64`, `enc`, `le32`, `raw`), on plain SHA-512 — not on
//! the crate's `Transcript` — and compared with what the crate computes or accepts. A digest
//! hashed as hex text where the list says `raw` (or the reverse) fails here.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use amanat::encoding::from_hex;
use amanat::proofs::disjunctive::DisjunctiveProof;
use amanat::proofs::equality::EqualityProof;
use amanat::proofs::schnorr::{verify_knowledge, verify_signature, SchnorrProof};
use amanat::{
    check_code, Ballot, BoardEntry, Challenge, CodeCheck, Credential, CredentialList, Digest,
    Election, EntryKind, Point, PublicKey, PROTOCOL,
};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::Scalar;
use serde_json::Value;
use sha2::{Digest as _, Sha512};

/// One item of §2.1, by form.
enum I<'a> {
    Str(&'a str),
    U32(u32),
    U64(u64),
    Enc(&'a RistrettoPoint),
    Le32(&'a Scalar),
    Raw(&'a [u8]),
}

fn item_bytes(i: &I<'_>) -> Vec<u8> {
    match i {
        I::Str(s) => s.as_bytes().to_vec(),
        I::U32(n) => n.to_be_bytes().to_vec(),
        I::U64(n) => n.to_be_bytes().to_vec(),
        I::Enc(p) => p.compress().to_bytes().to_vec(),
        I::Le32(s) => s.to_bytes().to_vec(),
        I::Raw(b) => b.to_vec(),
    }
}

/// `H(d; items)` of §2.1, from the bytes.
fn h(domain: &str, items: &[I<'_>]) -> [u8; 64] {
    let mut bytes = Vec::new();
    let tag = format!("{PROTOCOL}/{domain}");
    for x in std::iter::once(tag.into_bytes()).chain(items.iter().map(item_bytes)) {
        bytes.extend_from_slice(&(x.len() as u32).to_be_bytes());
        bytes.extend_from_slice(&x);
    }
    Sha512::digest(&bytes).into()
}

/// `Hs(d; items)` of §2.2.
fn hs(domain: &str, items: &[I<'_>]) -> Scalar {
    Scalar::from_bytes_mod_order_wide(&h(domain, items))
}

fn file(dir: &str, name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(dir)
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn vectors(name: &str) -> String {
    file("tests/vectors", name)
}

fn election() -> Election {
    Election::from_json(&vectors("election.json")).unwrap()
}

/// The ballots of both vector sets with their elections: the reference vectors and the
/// extra ones, whose `SEN` contest has a range `[0, 2]` and so simulated range branches.
fn ballots() -> Vec<(Election, Value, Ballot)> {
    let mut out = Vec::new();
    for dir in ["tests/vectors", "tests/independent/extra"] {
        let election = Election::from_json(&file(dir, "election.json")).unwrap();
        let all: Value = serde_json::from_str(&file(dir, "ballots.json")).unwrap();
        for v in all.as_array().unwrap() {
            let b = Ballot::from_json(&v["ballot"].to_string()).unwrap();
            out.push((election.clone(), v.clone(), b));
        }
    }
    out
}

/// The 16-byte payload of a credential code (§6.2, §6.5): its first 26 symbols, big-endian.
fn payload(code: &str) -> [u8; 16] {
    const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut n = 0u128;
    for c in code.chars().filter(|&c| c != '-').take(26) {
        n = (n << 5) | ALPHABET.find(c).unwrap() as u128;
    }
    n.to_be_bytes()
}

/// A credential's secret scalar (§6.6): `Hs("credential-key"; str election_id, raw(payload))`.
fn credential_secret(election: &Election, code: &str) -> Scalar {
    let id = &election.manifest().election_id;
    hs("credential-key", &[I::Str(id), I::Raw(&payload(code))])
}

fn p(point: &Point) -> &RistrettoPoint {
    point.point()
}

#[test]
fn base_hash_and_credential_digest_section_3() {
    let e = election();
    let m = e.manifest();
    // §3.1 absorption.
    let mut items = vec![
        I::Str(&m.election_id),
        I::Str(&m.title.en),
        I::Str(&m.title.ur),
        I::U32(m.parties.len() as u32),
    ];
    for party in &m.parties {
        items.extend([
            I::Str(&party.id),
            I::Str(&party.name.en),
            I::Str(&party.name.ur),
        ]);
    }
    items.push(I::U32(m.contests.len() as u32));
    for c in &m.contests {
        items.extend([
            I::Str(&c.id),
            I::Str(&c.name.en),
            I::Str(&c.name.ur),
            I::U32(c.min_selections),
            I::U32(c.max_selections),
            I::U32(c.options.len() as u32),
        ]);
        for o in &c.options {
            items.extend([
                I::Str(&o.id),
                I::Str(&o.name.en),
                I::Str(&o.name.ur),
                I::Str(o.party.as_deref().unwrap_or("")),
                I::Str(&o.symbol),
            ]);
        }
    }
    items.push(I::U32(m.ballot_styles.len() as u32));
    for s in &m.ballot_styles {
        items.extend([
            I::Str(&s.id),
            I::Str(&s.name.en),
            I::Str(&s.name.ur),
            I::U32(s.contests.len() as u32),
        ]);
        items.extend(s.contests.iter().map(|c| I::Str(c)));
    }
    // §3.2: the credential digest as its 64 raw bytes.
    let k = *p(e.key().public().point());
    let b = *p(e.ballot_box_key().point());
    items.extend([
        I::U32(e.trustees()),
        I::U32(e.threshold()),
        I::Enc(&k),
        I::U64(e.credentials().count),
        I::Raw(&e.credentials().digest.0),
        I::Enc(&b),
    ]);
    assert_eq!(h("election", &items), e.base_hash().0);

    // §3.3: u64 count, then enc(key), str style in ascending key order.
    let list = CredentialList::from_json(&vectors("credentials.json")).unwrap();
    let entries = list.entries();
    let keys: Vec<RistrettoPoint> = entries.iter().map(|x| *p(x.key.point())).collect();
    let mut items = vec![I::U64(keys.len() as u64)];
    for (key, entry) in keys.iter().zip(&entries) {
        items.extend([I::Enc(key), I::Str(&entry.style)]);
    }
    assert_eq!(h("credentials", &items), list.digest().0);
    assert_eq!(list.digest(), e.credentials().digest);
}

#[test]
fn credential_check_symbol_and_key_section_6() {
    // §6.5's example: payload 0000 0102…0e, data symbols as listed there, Luhn symbol 18.
    let data: [u8; 26] = [
        0, 0, 0, 0, 0, 16, 4, 0, 24, 4, 0, 20, 3, 0, 14, 2, 0, 9, 1, 8, 5, 16, 24, 3, 8, 14,
    ];
    let mut values = data.to_vec();
    values.push(18);
    // §6.4: one raw item of the 27 values, one byte each (not their characters).
    let d27 = h("credential-check", &[I::Raw(&values)])[0] >> 3;
    assert_eq!(d27, 13);
    assert_eq!(
        check_code("0000-0G40-R40M-30E2-0918-5GR3-8EJD"),
        CodeCheck::Valid
    );

    // §6.6: the key from str election_id and raw(payload).
    for (e, v, ballot) in ballots() {
        let code = v["code"].as_str().unwrap();
        let x = credential_secret(&e, code);
        let credential = Credential::from_code(&e, code).unwrap();
        assert_eq!(p(credential.public_key().point()), &(G * x));
        assert_eq!(credential.public_key(), &ballot.credential);
    }
}

#[test]
fn nonces_body_signature_and_tracking_section_7() {
    let mut range_branches = 0;
    for (e, v, ballot) in ballots() {
        range_branches += nonces_body_signature_and_tracking(&e, &v, &ballot);
    }
    assert!(
        range_branches > 0,
        "no simulated range-proof branch was checked"
    );
}

/// Checks one ballot; returns how many simulated range-proof branches it checked.
fn nonces_body_signature_and_tracking(e: &Election, v: &Value, ballot: &Ballot) -> usize {
    let mut range_branches = 0;
    let base = e.base_hash().0;
    let seed = from_hex::<32>(v["seed"].as_str().unwrap(), "seed").unwrap();
    let x_key = *p(ballot.credential.point());
    let k_key = *p(e.key().public().point());
    let n = |rest: Vec<I<'_>>| {
        let mut items = vec![I::Raw(&base), I::Raw(&seed)];
        items.extend(rest);
        hs("nonce", &items)
    };
    // §7.2: N = ("nonce"; raw(base), raw(seed)); r, u and e extend it.
    for c in &ballot.contests {
        let mut r_sum = Scalar::ZERO;
        let mut count = 0u64;
        for s in &c.selections {
            let r = n(vec![I::Str("encryption"), I::Str(&c.id), I::Str(&s.id)]);
            assert_eq!(p(&s.ciphertext.a), &(G * r), "{}/{}", c.id, s.id);
            let bit = u32::from(*p(&s.ciphertext.b) != k_key * r);
            r_sum += r;
            count += u64::from(bit);
            // The simulated branch 1 − v takes c = e(…), s = u(…).
            let m = 1 - bit;
            let branch = |last: u32| {
                n(vec![
                    I::Str("proof"),
                    I::Str(&c.id),
                    I::Str(&s.id),
                    I::U32(m),
                    I::U32(last),
                ])
            };
            assert_eq!(s.proof.responses[m as usize], branch(0));
            assert_eq!(s.proof.challenges[m as usize], branch(1));
            // §5.1 challenge with the §7.2 selection context.
            let cm = &s.proof.commitments;
            let (a0, b0, a1, b1) = (p(&cm[0].a), p(&cm[0].b), p(&cm[1].a), p(&cm[1].b));
            let ch = hs(
                "selection-proof",
                &[
                    I::Raw(&base),
                    I::Enc(&x_key),
                    I::Str(&c.id),
                    I::Str(&s.id),
                    I::Enc(&k_key),
                    I::U32(0),
                    I::U32(1),
                    I::Enc(p(&s.ciphertext.a)),
                    I::Enc(p(&s.ciphertext.b)),
                    I::Enc(a0),
                    I::Enc(b0),
                    I::Enc(a1),
                    I::Enc(b1),
                ],
            );
            assert_eq!(ch, s.proof.challenges[0] + s.proof.challenges[1]);
        }
        // The contest proof's simulated branches use option id "" (str "").
        let def = e.manifest().contest(&c.id).unwrap();
        assert_eq!(
            G * r_sum,
            c.selections.iter().map(|s| p(&s.ciphertext.a)).sum()
        );
        for m in def.min_selections..=def.max_selections {
            if u64::from(m) == count {
                continue;
            }
            let i = (m - def.min_selections) as usize;
            let branch = |last: u32| {
                n(vec![
                    I::Str("proof"),
                    I::Str(&c.id),
                    I::Str(""),
                    I::U32(m),
                    I::U32(last),
                ])
            };
            assert_eq!(c.proof.responses[i], branch(0));
            assert_eq!(c.proof.challenges[i], branch(1));
            range_branches += 1;
        }
    }

    // §7.3: the body digest.
    let mut items = vec![
        I::Raw(&ballot.election.0),
        I::Str(&ballot.style),
        I::Enc(&x_key),
        I::U32(ballot.contests.len() as u32),
    ];
    for c in &ballot.contests {
        items.extend([I::Str(&c.id), I::U32(c.selections.len() as u32)]);
        for s in &c.selections {
            items.extend([
                I::Str(&s.id),
                I::Enc(p(&s.ciphertext.a)),
                I::Enc(p(&s.ciphertext.b)),
            ]);
            proof_items(&s.proof, &mut items);
        }
        proof_items(&c.proof, &mut items);
    }
    let body = h("ballot", &items);
    assert_eq!(body, ballot.body_digest().0);
    assert_eq!(ballot.election.0, base);

    // §7.2 signature nonce and §7.3 signature: raw(body), never its hex.
    let x = credential_secret(e, v["code"].as_str().unwrap());
    let k = hs("signature-nonce", &[I::Le32(&x), I::Raw(&body)]);
    let r = *p(&ballot.signature.commitment);
    assert_eq!(r, G * k);
    let c = hs(
        "signature",
        &[I::Raw(&base), I::Raw(&body), I::Enc(&x_key), I::Enc(&r)],
    );
    assert_eq!(ballot.signature.response, k + c * x);

    // §7.4: the tracking hash.
    let tracking = h(
        "tracking",
        &[
            I::Raw(&body),
            I::Enc(&r),
            I::Le32(&ballot.signature.response),
        ],
    );
    assert_eq!(tracking, ballot.tracking().0 .0);
    range_branches
}

/// `PROOF(p)` of §7.3: each array preceded by its own u32 length.
fn proof_items<'a>(d: &'a DisjunctiveProof, items: &mut Vec<I<'a>>) {
    items.push(I::U32(d.commitments.len() as u32));
    for x in &d.commitments {
        items.extend([I::Enc(p(&x.a)), I::Enc(p(&x.b))]);
    }
    items.push(I::U32(d.challenges.len() as u32));
    items.extend(d.challenges.iter().map(I::Le32));
    items.push(I::U32(d.responses.len() as u32));
    items.extend(d.responses.iter().map(I::Le32));
}

fn key(x: &Scalar) -> PublicKey {
    PublicKey::new(Point::from_point(G * x), "key").unwrap()
}

#[test]
fn knowledge_message_signature_and_equality_contexts_section_5() {
    let base = Digest([0xa5; 64]);
    let x = Scalar::from(1234567u64);
    let k = Scalar::from(7654321u64);
    let big_x = G * x;
    let r = G * k;
    let forged = |c: Scalar| SchnorrProof {
        commitment: Point::from_point(r),
        response: k + c * x,
    };

    // §5.2 knowledge: ("knowledge"; raw(base), str what), then enc(X), enc(R).
    let what = "trustee 2 coefficient 0";
    let c = hs(
        "knowledge",
        &[I::Raw(&base.0), I::Str(what), I::Enc(&big_x), I::Enc(&r)],
    );
    verify_knowledge(&base, what, &key(&x), &forged(c)).unwrap();

    // §5.2 message signature: the message is one raw item.
    let message = b"068d|0|2026-11-22T10:41:07Z";
    let c = hs(
        "message-signature",
        &[
            I::Raw(&base.0),
            I::Str("receipt"),
            I::Raw(message),
            I::Enc(&big_x),
            I::Enc(&r),
        ],
    );
    verify_signature(&base, "receipt", message, &key(&x), &forged(c)).unwrap();

    // §5.3 equality.
    let q = G * Scalar::from(99u64);
    let y = q * x;
    let (t1, t2) = (G * k, q * k);
    let what = "decryption 1 NA-1/na-1-01";
    let c = hs(
        "equality",
        &[
            I::Raw(&base.0),
            I::Str(what),
            I::Enc(&big_x),
            I::Enc(&q),
            I::Enc(&y),
            I::Enc(&t1),
            I::Enc(&t2),
        ],
    );
    let proof = EqualityProof {
        t1: Point::from_point(t1),
        t2: Point::from_point(t2),
        response: k + c * x,
    };
    proof
        .verify(
            &base,
            what,
            &key(&x),
            &Point::from_point(q),
            &Point::from_point(y),
        )
        .unwrap();
}

#[test]
fn board_genesis_and_entry_hashes_section_8() {
    let e = election();
    let (_, v, ballot) = ballots().swap_remove(0);
    let base = e.base_hash().0;
    // Genesis: raw(base).
    let genesis = h("board-genesis", &[I::Raw(&base)]);
    assert_eq!(amanat::board::genesis(&e).0, genesis);

    // A cast entry: raw(prev), u64 index, str kind, str received, raw(tracking), u32 0.
    let received = "2026-11-22T10:41:07Z";
    let tracking = ballot.tracking().0;
    let cast = BoardEntry::new(
        Digest(genesis),
        0,
        EntryKind::Cast,
        received.into(),
        ballot.clone(),
        None,
    )
    .unwrap();
    let want = h(
        "board-entry",
        &[
            I::Raw(&genesis),
            I::U64(0),
            I::Str("cast"),
            I::Str(received),
            I::Raw(&tracking.0),
            I::U32(0),
        ],
    );
    assert_eq!(cast.hash.0, want);

    // A challenge entry: the seed as its 64 hex characters (str), contest ids ascending.
    let challenge = Challenge::from_json(&v["challenge"].to_string()).unwrap();
    let seed_hex = v["seed"].as_str().unwrap();
    let entry = BoardEntry::new(
        cast.hash,
        1,
        EntryKind::Challenge,
        received.into(),
        ballot,
        Some(challenge.clone()),
    )
    .unwrap();
    let mut items = vec![
        I::Raw(&cast.hash.0),
        I::U64(1),
        I::Str("challenge"),
        I::Str(received),
        I::Raw(&tracking.0),
        I::U32(1),
        I::Str(seed_hex),
        I::U32(challenge.selections.len() as u32),
    ];
    let mut ids: Vec<&String> = challenge.selections.keys().collect();
    ids.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    for id in ids {
        let options = &challenge.selections[id];
        items.extend([I::Str(id), I::U32(options.len() as u32)]);
        items.extend(options.iter().map(|o| I::Str(o)));
    }
    assert_eq!(entry.hash.0, h("board-entry", &items));
}
