//! Sealing and verifying the reference ballot: two contests of 15 and 20 options, one
//! selection each, credential signature included. Run with `cargo bench --bench ballot`.

use amanat::{
    Ballot, Credential, CredentialEntry, CredentialList, Election, Manifest, PublicKey,
    SealedBallot, Selections,
};
use criterion::{criterion_group, criterion_main, Criterion};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::Scalar;
use rand_core::OsRng;

fn reference() -> Option<(Election, Credential, Selections)> {
    let manifest: Manifest =
        serde_json::from_str(include_str!("../tests/vectors/manifest.json")).ok()?;
    let key =
        PublicKey::from_bytes(&(G * Scalar::from(12345u64)).compress().to_bytes(), "k").ok()?;
    let (_code, cred) = Credential::generate(&manifest.election_id, 0, &mut OsRng).ok()?;
    let list = CredentialList::new(vec![CredentialEntry {
        key: *cred.public_key(),
        style: "NA-1.PP-1".into(),
    }])
    .ok()?;
    let box_key =
        PublicKey::from_bytes(&(G * Scalar::from(54321u64)).compress().to_bytes(), "b").ok()?;
    let election = Election::new(manifest, 3, 2, key, list.summary(), box_key).ok()?;
    let s: Selections = [
        ("NA-1".to_string(), vec!["na-1-03".to_string()]),
        ("PP-1".to_string(), vec!["pp-1-17".to_string()]),
    ]
    .into();
    Some((election, cred, s))
}

fn bench(c: &mut Criterion) {
    let Some((election, cred, selections)) = reference() else {
        eprintln!("reference election failed to build");
        return;
    };
    let mut g = c.benchmark_group("reference ballot (15 + 20 options)");
    g.bench_function("seal", |b| {
        b.iter(|| SealedBallot::seal(&election, &cred, &selections, &mut OsRng))
    });
    let Ok(sealed) = SealedBallot::seal(&election, &cred, &selections, &mut OsRng) else {
        return;
    };
    let ballot = sealed.cast();
    g.bench_function("verify", |b| b.iter(|| ballot.verify(&election)));
    let json = ballot.to_json();
    // The strict reading (§1.2) is a first pass over the text before the typed parse; these
    // two show what it costs: `from_json` against serde alone on the same text.
    g.bench_function("parse", |b| b.iter(|| Ballot::from_json(&json)));
    g.bench_function("parse, serde alone", |b| {
        b.iter(|| serde_json::from_str::<Ballot>(&json))
    });
    g.bench_function("parse + verify", |b| {
        b.iter(|| Ballot::from_json(&json).and_then(|b| b.verify(&election)))
    });
    g.bench_function("load election", |b| {
        let ej = election.to_json();
        b.iter(|| Election::from_json(&ej))
    });
    g.finish();

    // The verifier's way (docs/record.md §6): many ballots in one combined check, against
    // each ballot with its own, side by side on the same 64 ballots.
    let list = match CredentialList::new(vec![CredentialEntry {
        key: *cred.public_key(),
        style: "NA-1.PP-1".into(),
    }]) {
        Ok(l) => l,
        Err(_) => return,
    };
    let ballots: Vec<Ballot> = (0..64)
        .filter_map(|_| SealedBallot::seal(&election, &cred, &selections, &mut OsRng).ok())
        .map(SealedBallot::cast)
        .collect();
    let refs: Vec<&Ballot> = ballots.iter().collect();
    let mut g = c.benchmark_group("64 reference ballots");
    g.sample_size(20);
    g.bench_function("verify one by one", |b| {
        b.iter(|| {
            refs.iter()
                .map(|x| x.verify_listed(&election, &list))
                .collect::<Vec<_>>()
        })
    });
    g.bench_function("verify in one batch", |b| {
        b.iter(|| Ballot::verify_many(&refs, &election, &list))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
