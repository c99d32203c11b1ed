//! The ceremony and threshold decryption through the library: k-of-n ceremonies, ballots
//! sealed to the joint key, decryption by every allowed subset, complaints, tampering.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use amanat::{
    Ciphertext, Credential, CredentialEntry, CredentialList, Election, Manifest, SealedBallot,
    SecretScalar, Selections,
};
use amanat_authority::box_key::BoxKey;
use amanat_authority::threshold::{
    ceremony_hash, combine, partial_decrypt, run_local_ceremony, verify_partial, Ceremony,
    CeremonyParams, Complaint, DlogTable, PartialDecryption, ThresholdError, TrusteePublic,
    TrusteeSecret, TrusteeShare, Verdict,
};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::Identity;
use curve25519_dalek::Scalar;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn manifest() -> Manifest {
    serde_json::from_str(include_str!("../../tests/vectors/manifest.json")).unwrap()
}

fn params(n: u32, k: u32) -> CeremonyParams {
    CeremonyParams::new(&manifest().election_id, n, k).unwrap()
}

/// The tally: label → (sum of ciphertexts, how many votes were chosen).
type Tally = BTreeMap<String, (Ciphertext, u64)>;

/// Seals `voters` ballots to the ceremony's joint key through the voter module and sums
/// every option's ciphertexts.
fn seal_and_tally(ceremony: &Ceremony, voters: usize, rng: &mut ChaCha20Rng) -> (Election, Tally) {
    let manifest = manifest();
    let mut creds = Vec::new();
    let mut entries = Vec::new();
    for _ in 0..voters {
        let (_code, c) = Credential::generate(&manifest.election_id, 0, rng).unwrap();
        entries.push(CredentialEntry {
            key: *c.public_key(),
            style: "NA-1.PP-1".into(),
        });
        creds.push(c);
    }
    let list = CredentialList::new(entries).unwrap();
    let p = ceremony.params();
    let election = Election::new(
        manifest.clone(),
        p.trustees,
        p.threshold,
        *ceremony.joint_key(),
        list.summary(),
        *BoxKey::generate(rng).public(),
    )
    .unwrap();
    ceremony.check_election(&election).unwrap();
    let mut tally: Tally = BTreeMap::new();
    for contest in &manifest.contests {
        for option in &contest.options {
            tally.insert(
                format!("{}/{}", contest.id, option.id),
                (Ciphertext::zero(), 0),
            );
        }
    }
    for (n, c) in creds.iter().enumerate() {
        // Voter n picks option n mod 3 in NA-1 and option 5 in PP-1: counts are uneven.
        let na = &manifest.contests[0];
        let pp = &manifest.contests[1];
        let choice: Selections = [
            (na.id.clone(), vec![na.options[n % 3].id.clone()]),
            (pp.id.clone(), vec![pp.options[5].id.clone()]),
        ]
        .into();
        let ballot = SealedBallot::seal(&election, c, &choice, rng)
            .unwrap()
            .cast();
        for contest in &ballot.contests {
            for sel in &contest.selections {
                let label = format!("{}/{}", contest.id, sel.id);
                let entry = tally.get_mut(&label).unwrap();
                entry.0 = entry.0 + sel.ciphertext;
                if choice[&contest.id].contains(&sel.id) {
                    entry.1 += 1;
                }
            }
        }
    }
    (election, tally)
}

fn items(tally: &Tally) -> Vec<(String, Ciphertext)> {
    tally.iter().map(|(l, (c, _))| (l.clone(), *c)).collect()
}

/// Decrypts the whole tally with the trustees in `present` and checks every count.
fn decrypt_with(
    ceremony: &Ceremony,
    election: &Election,
    shares: &[TrusteeShare],
    present: &[u32],
    tally: &Tally,
    rng: &mut ChaCha20Rng,
) -> Result<(), ThresholdError> {
    let base = election.base_hash();
    let items = items(tally);
    let mut by_label: BTreeMap<String, Vec<PartialDecryption>> = BTreeMap::new();
    for &j in present {
        let share = shares.iter().find(|s| s.index() == j).unwrap();
        for p in partial_decrypt(base, share, &items, rng) {
            by_label.entry(p.label.clone()).or_default().push(p);
        }
    }
    let table = DlogTable::new(1000);
    for (label, (ciphertext, want)) in tally {
        let partials = &by_label[label];
        for p in partials {
            verify_partial(base, ceremony, label, ciphertext, p).unwrap();
        }
        let vg = combine(ceremony, ciphertext, partials)?;
        assert_eq!(
            table.solve(vg.point()),
            Some(*want),
            "{label} with {present:?}"
        );
    }
    Ok(())
}

fn subsets(n: u32) -> Vec<Vec<u32>> {
    (1u32..(1 << n))
        .map(|mask| (1..=n).filter(|i| mask & (1 << (i - 1)) != 0).collect())
        .collect()
}

#[test]
fn two_of_three_decrypts_with_every_subset_of_two_or_more() {
    let mut rng = ChaCha20Rng::seed_from_u64(23);
    let (ceremony, shares) = run_local_ceremony(&params(3, 2), &mut rng).unwrap();
    ceremony.verify().unwrap();
    assert_eq!(ceremony.qualified(), &[1, 2, 3]);
    let (election, tally) = seal_and_tally(&ceremony, 5, &mut rng);
    for set in subsets(3) {
        let r = decrypt_with(&ceremony, &election, &shares, &set, &tally, &mut rng);
        if set.len() >= 2 {
            r.unwrap();
        } else {
            assert!(
                matches!(r, Err(ThresholdError::TooFewTrustees { have: 1, need: 2 })),
                "{set:?}: {r:?}"
            );
        }
    }
}

#[test]
fn three_of_five_decrypts_with_any_three_and_not_with_two() {
    let mut rng = ChaCha20Rng::seed_from_u64(35);
    let (ceremony, shares) = run_local_ceremony(&params(5, 3), &mut rng).unwrap();
    ceremony.verify().unwrap();
    // The transcript survives JSON and still verifies.
    let back = Ceremony::from_json(&ceremony.to_json()).unwrap();
    assert_eq!(back, ceremony);
    back.verify().unwrap();
    // K is the sum of the constant-term commitments.
    let k: RistrettoPoint = ceremony
        .trustees()
        .iter()
        .map(|t| *t.commitments[0].point().point())
        .sum();
    assert_eq!(ceremony.joint_key().point().point(), &k);

    let (election, tally) = seal_and_tally(&ceremony, 7, &mut rng);
    for set in [
        vec![1, 2, 3],
        vec![2, 4, 5],
        vec![5, 1, 3],
        vec![1, 2, 3, 4, 5],
    ] {
        decrypt_with(&ceremony, &election, &shares, &set, &tally, &mut rng).unwrap();
    }
    for set in [vec![1, 2], vec![4, 5]] {
        let r = decrypt_with(&ceremony, &election, &shares, &set, &tally, &mut rng);
        assert_eq!(r.map_err(|e| e.code()), Err("TOO_FEW_TRUSTEES"));
    }
}

#[test]
fn a_tampered_partial_decryption_is_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let (ceremony, shares) = run_local_ceremony(&params(3, 2), &mut rng).unwrap();
    let (election, tally) = seal_and_tally(&ceremony, 2, &mut rng);
    let base = election.base_hash();
    let (label, (ct, _)) = tally.iter().next().unwrap();
    let good = partial_decrypt(base, &shares[0], &[(label.clone(), *ct)], &mut rng).remove(0);
    verify_partial(base, &ceremony, label, ct, &good).unwrap();

    let mut wrong_share = good.clone();
    wrong_share.share = amanat::Point::from_point(good.share.point() + G);
    let mut wrong_response = good.clone();
    wrong_response.proof.response += Scalar::ONE;
    let mut wrong_trustee = good.clone();
    wrong_trustee.trustee = 2;
    let mut wrong_label = good.clone();
    wrong_label.label = "NA-1/na-1-99".into();
    for (what, bad) in [
        ("share", &wrong_share),
        ("response", &wrong_response),
        ("trustee", &wrong_trustee),
    ] {
        let r = verify_partial(base, &ceremony, label, ct, bad);
        assert_eq!(
            r.map_err(|e| e.code()),
            Err("VERIFICATION_FAILED"),
            "{what}"
        );
    }
    assert!(verify_partial(base, &ceremony, label, ct, &wrong_label).is_err());
    // The same proof under another election base hash fails.
    let other = amanat::Digest([0; 64]);
    assert!(verify_partial(&other, &ceremony, label, ct, &good).is_err());
    // A wrong share that nobody verified combines to a wrong count: verification matters.
    let second = partial_decrypt(base, &shares[1], &[(label.clone(), *ct)], &mut rng).remove(0);
    let honest = combine(&ceremony, ct, &[good.clone(), second.clone()]).unwrap();
    let cheated = combine(&ceremony, ct, &[wrong_share, second.clone()]).unwrap();
    assert_ne!(honest, cheated);
    // The same trustee twice does not count as two.
    let r = combine(&ceremony, ct, &[good.clone(), good]);
    assert_eq!(r.map_err(|e| e.code()), Err("INCONSISTENT_CEREMONY"));
}

/// The decryption key hidden in a trustee's secret file (a test peeks; nobody else does).
fn decryption_key(secret: &TrusteeSecret) -> SecretScalar {
    let json = secret.to_secret_json().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let hex = v["decryption_key"].as_str().unwrap();
    SecretScalar::from_scalar(amanat::encoding::scalar_from_hex(hex, "d").unwrap())
}

/// A cheating twin of `secret`: same index and encryption key, another coefficient 1.
fn cheating_twin(secret: &TrusteeSecret, rng: &mut ChaCha20Rng) -> (TrusteeSecret, TrusteePublic) {
    let json = secret.to_secret_json().unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let other = Scalar::from(987_654_321u64);
    v["coefficients"][1] = amanat::encoding::to_hex(other.as_bytes()).into();
    let twin = TrusteeSecret::from_secret_json(&v.to_string()).unwrap();
    let public = twin.public(rng).unwrap();
    (twin, public)
}

struct Run {
    secrets: Vec<TrusteeSecret>,
    publics: Vec<TrusteePublic>,
}

fn generate(p: &CeremonyParams, rng: &mut ChaCha20Rng) -> Run {
    let (secrets, publics) = (1..=p.trustees)
        .map(|i| TrusteeSecret::generate(p, i, rng).unwrap())
        .unzip();
    Run { secrets, publics }
}

#[test]
fn a_bad_share_draws_an_upheld_complaint_and_the_dealer_is_disqualified() {
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    let p = params(5, 3);
    let run = generate(&p, &mut rng);
    // Dealer 2 commits to one polynomial and deals from another.
    let (twin, twin_public) = cheating_twin(&run.secrets[1], &mut rng);
    let mut shares = Vec::new();
    for s in &run.secrets {
        if s.index() == 2 {
            let mut seen = run.publics.clone();
            seen[1] = twin_public.clone();
            shares.extend(twin.deal(seen, &mut rng).unwrap());
        } else {
            shares.extend(s.deal(run.publics.clone(), &mut rng).unwrap());
        }
    }
    let mut complaints = Vec::new();
    let mut received = Vec::new();
    for s in &run.secrets {
        let r = s.receive(run.publics.clone(), &shares, &mut rng).unwrap();
        if s.index() == 2 {
            assert!(r.complaints.is_empty());
        } else {
            assert_eq!(r.complaints.len(), 1, "trustee {}", s.index());
            assert_eq!(r.complaints[0].from, 2);
            assert!(!r.received.dealers().contains(&2));
        }
        complaints.extend(r.complaints);
        received.push(r.received);
    }
    // Anyone can judge a complaint from public data alone.
    let ch = ceremony_hash(&p);
    let c = &complaints[0];
    let share = shares.iter().find(|s| s.from == 2 && s.to == c.to).unwrap();
    let verdict = c
        .judge(&ch, &run.publics[1], &run.publics[c.to as usize - 1], share)
        .unwrap();
    assert_eq!(verdict, Verdict::Upheld);

    let ceremony =
        Ceremony::assemble(p.clone(), run.publics.clone(), shares.clone(), complaints).unwrap();
    ceremony.verify().unwrap();
    assert_eq!(ceremony.qualified(), &[1, 3, 4, 5]);
    assert!(ceremony
        .complaints()
        .iter()
        .all(|c| c.verdict == Verdict::Upheld));
    let k: RistrettoPoint = [0usize, 2, 3, 4]
        .iter()
        .map(|&i| *run.publics[i].commitments[0].point().point())
        .sum();
    assert_eq!(ceremony.joint_key().point().point(), &k);
    // Every trustee, the cheater too, still derives a key share that fits the transcript,
    // and any three of them decrypt.
    let keys: Vec<TrusteeShare> = received
        .iter()
        .map(|r| TrusteeShare::derive(&ceremony, r).unwrap())
        .collect();
    let (election, tally) = seal_and_tally(&ceremony, 4, &mut rng);
    decrypt_with(&ceremony, &election, &keys, &[2, 3, 5], &tally, &mut rng).unwrap();
    decrypt_with(&ceremony, &election, &keys, &[1, 4, 5], &tally, &mut rng).unwrap();

    // Flipping the verdict in the published transcript is caught.
    let mut json: serde_json::Value = serde_json::from_str(&ceremony.to_json()).unwrap();
    json["complaints"][0]["verdict"] = "rejected".into();
    let forged = Ceremony::from_json(&json.to_string()).unwrap();
    assert_eq!(
        forged.verify().map_err(|e| e.code()),
        Err("INCONSISTENT_CEREMONY")
    );
}

#[test]
fn a_false_complaint_is_rejected_and_an_unproven_one_refused() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let p = params(3, 2);
    let run = generate(&p, &mut rng);
    let shares: Vec<_> = run
        .secrets
        .iter()
        .flat_map(|s| s.deal(run.publics.clone(), &mut rng).unwrap())
        .collect();
    let received: Vec<_> = run
        .secrets
        .iter()
        .map(|s| {
            let r = s.receive(run.publics.clone(), &shares, &mut rng).unwrap();
            assert!(r.complaints.is_empty());
            r.received
        })
        .collect();
    // Trustee 3 complains about dealer 1's good share, with a correct proof.
    let ch = ceremony_hash(&p);
    let share = shares.iter().find(|s| s.from == 1 && s.to == 3).unwrap();
    let d3 = decryption_key(&run.secrets[2]);
    let lie = Complaint::new(&ch, &run.publics[2], &d3, share, &mut rng);
    assert_eq!(
        lie.judge(&ch, &run.publics[0], &run.publics[2], share)
            .unwrap(),
        Verdict::Rejected
    );
    let ceremony = Ceremony::assemble(
        p.clone(),
        run.publics.clone(),
        shares.clone(),
        vec![lie.clone()],
    )
    .unwrap();
    ceremony.verify().unwrap();
    assert_eq!(ceremony.qualified(), &[1, 2, 3]);
    assert_eq!(ceremony.complaints()[0].verdict, Verdict::Rejected);
    for r in &received {
        TrusteeShare::derive(&ceremony, r).unwrap();
    }

    // A complaint whose revealed point is not proven is not judged at all.
    let mut forged = lie.clone();
    forged.shared_point = amanat::Point::from_point(forged.shared_point.point() + G);
    let r = Ceremony::assemble(p.clone(), run.publics.clone(), shares.clone(), vec![forged]);
    assert_eq!(r.map_err(|e| e.code()), Err("VERIFICATION_FAILED"));
    // Nor is one made with another trustee's key.
    let d2 = decryption_key(&run.secrets[1]);
    let wrong = Complaint::new(&ch, &run.publics[2], &d2, share, &mut rng);
    let r = Ceremony::assemble(p, run.publics.clone(), shares, vec![wrong]);
    assert_eq!(r.map_err(|e| e.code()), Err("VERIFICATION_FAILED"));
}

#[test]
fn too_many_cheating_dealers_abort_the_ceremony() {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let p = params(3, 2);
    let run = generate(&p, &mut rng);
    let mut shares = Vec::new();
    for s in &run.secrets {
        if s.index() == 3 {
            shares.extend(s.deal(run.publics.clone(), &mut rng).unwrap());
        } else {
            let (twin, twin_public) = cheating_twin(s, &mut rng);
            let mut seen = run.publics.clone();
            seen[s.index() as usize - 1] = twin_public;
            shares.extend(twin.deal(seen, &mut rng).unwrap());
        }
    }
    let complaints: Vec<_> = run
        .secrets
        .iter()
        .flat_map(|s| {
            s.receive(run.publics.clone(), &shares, &mut rng)
                .unwrap()
                .complaints
        })
        .collect();
    assert_eq!(complaints.len(), 4);
    let r = Ceremony::assemble(p, run.publics, shares, complaints);
    assert!(
        matches!(
            &r,
            Err(ThresholdError::Aborted { qualified: 1, threshold: 2, disqualified }) if disqualified == &[1, 2]
        ),
        "{r:?}"
    );
}

#[test]
fn tampered_documents_fail_to_verify() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let p = params(3, 2);
    let (ceremony, _) = run_local_ceremony(&p, &mut rng).unwrap();
    let json: serde_json::Value = serde_json::from_str(&ceremony.to_json()).unwrap();
    let g2 = amanat::encoding::to_hex((G + G).compress().as_bytes());
    type Edit<'a> = Box<dyn Fn(&mut serde_json::Value) + 'a>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "joint key",
            Box::new(|v| v["joint_key"] = g2.clone().into()),
        ),
        (
            "public share",
            Box::new(|v| v["public_shares"][1] = g2.clone().into()),
        ),
        (
            "commitment",
            Box::new(|v| v["trustees"][0]["commitments"][1] = g2.clone().into()),
        ),
        (
            "share",
            Box::new(|v| {
                let t = v["shares"][0]["tag"]
                    .as_str()
                    .unwrap()
                    .replacen('0', "1", 1)
                    .replacen('a', "b", 1);
                v["shares"][0]["tag"] = t.into();
            }),
        ),
        (
            "qualified",
            Box::new(|v| v["qualified"] = serde_json::json!([1, 2])),
        ),
    ];
    for (what, edit) in edits {
        let mut v = json.clone();
        edit(&mut v);
        let c = Ceremony::from_json(&v.to_string()).unwrap();
        assert!(c.verify().is_err(), "{what}");
    }
    // A missing share is named.
    let mut v = json.clone();
    v["shares"].as_array_mut().unwrap().pop();
    let r = Ceremony::from_json(&v.to_string()).unwrap().verify();
    assert_eq!(r.map_err(|e| e.code()), Err("MISSING_INPUT"));
}

#[test]
fn secret_files_round_trip_and_print_redacted() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let p = params(3, 2);
    let (ceremony, shares) = run_local_ceremony(&p, &mut rng).unwrap();
    let json = shares[1].to_secret_json().unwrap();
    let back = TrusteeShare::from_secret_json(std::str::from_utf8(&json).unwrap()).unwrap();
    assert_eq!(back.index(), 2);
    assert_eq!(back.public_share(), ceremony.public_share(2).unwrap());
    let secret_hex = serde_json::from_slice::<serde_json::Value>(&json).unwrap()["key_share"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!format!("{:?}", shares[1]).contains(&secret_hex));
    let (secret, _) = TrusteeSecret::generate(&p, 1, &mut rng).unwrap();
    assert_eq!(format!("{secret:?}"), "TrusteeSecret { index: 1, .. }");
    // A key share that does not match its public share is refused.
    let mut v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    v["public_share"] = amanat::encoding::to_hex(G.compress().as_bytes()).into();
    assert!(TrusteeShare::from_secret_json(&v.to_string()).is_err());
    // A file of another kind is refused.
    let s = secret.to_secret_json().unwrap();
    assert!(TrusteeShare::from_secret_json(std::str::from_utf8(&s).unwrap()).is_err());
}

#[test]
fn baby_step_giant_step_recovers_counts() {
    let table = DlogTable::new(2_000_000);
    for v in [0u64, 1, 2, 1000, 1414, 1415, 123_456, 1_999_999, 2_000_000] {
        assert_eq!(table.solve(&(G * Scalar::from(v))), Some(v), "{v}");
    }
    assert_eq!(table.solve(&(G * Scalar::from(2_000_001u64))), None);
    assert_eq!(table.solve(&RistrettoPoint::identity()), Some(0));
    // A point that is no small multiple of G.
    assert_eq!(table.solve(&(G * Scalar::from(u64::MAX))), None);
}

#[test]
fn one_of_one_and_a_mismatched_election() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let (ceremony, shares) = run_local_ceremony(&params(1, 1), &mut rng).unwrap();
    ceremony.verify().unwrap();
    let (election, tally) = seal_and_tally(&ceremony, 3, &mut rng);
    decrypt_with(&ceremony, &election, &shares, &[1], &tally, &mut rng).unwrap();
    // An election made with another key, or other trustee numbers, is not this ceremony's.
    let (other, _) = run_local_ceremony(&params(1, 1), &mut rng).unwrap();
    assert_eq!(
        other.check_election(&election).map_err(|e| e.code()),
        Err("INCONSISTENT_CEREMONY")
    );
    let (two, _) = run_local_ceremony(&params(2, 1), &mut rng).unwrap();
    assert!(two.check_election(&election).is_err());
}
