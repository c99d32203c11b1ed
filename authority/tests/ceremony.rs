//! The key ceremony through the `amanat` binary, each trustee in its own directory: init,
//! deal, receive (with a cheating dealer and a false complaint), finish, finalize, then
//! ballots sealed to the joint key and decrypted by `amanat trustee decrypt` with k trustees.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use amanat::{
    Ciphertext, Credential, CredentialEntry, CredentialList, Election, Manifest, SealedBallot,
    SecretScalar, Selections,
};
use amanat_authority::box_key::BoxKey;
use amanat_authority::tally::{ContestTally, OptionTally, Tally};
use amanat_authority::threshold::DlogTable;
use amanat_authority::threshold::{
    ceremony_hash, combine, verify_partial, Ceremony, Complaint, EncryptedShare, PublicFile,
    TrusteeDecryption, TrusteeSecret, Verdict,
};
use curve25519_dalek::Scalar;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn amanat(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amanat"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn ok(args: &[&str], cwd: &Path) -> String {
    let out = amanat(args, cwd);
    assert!(
        out.status.success(),
        "amanat {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str], cwd: &Path) -> String {
    let out = amanat(args, cwd);
    assert!(!out.status.success(), "amanat {args:?} succeeded");
    String::from_utf8(out.stderr).unwrap()
}

fn manifest() -> Manifest {
    serde_json::from_str(include_str!("../../tests/vectors/manifest.json")).unwrap()
}

fn read<T: serde::de::DeserializeOwned>(path: &Path) -> T {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn dir(n: u32) -> String {
    format!("t{n}")
}

/// init, deal, receive for every trustee; returns nothing, the files are in `w`.
fn init_all(w: &Path, n: u32, k: u32) {
    for i in 1..=n {
        let (n, k, i) = (n.to_string(), k.to_string(), i.to_string());
        let d = dir(i.parse().unwrap());
        ok(
            &[
                "trustee",
                "init",
                "--election-id",
                &manifest().election_id,
                "--trustees",
                &n,
                "--threshold",
                &k,
                "--index",
                &i,
                "--dir",
                &d,
                "--publish",
                "publics",
            ],
            w,
        );
    }
}

fn deal_all(w: &Path, n: u32) {
    for i in 1..=n {
        ok(
            &[
                "trustee",
                "deal",
                "--dir",
                &dir(i),
                "--publics",
                "publics",
                "--out",
                "shares",
            ],
            w,
        );
    }
}

fn receive_all(w: &Path, n: u32) -> String {
    (1..=n)
        .map(|i| {
            ok(
                &[
                    "trustee",
                    "receive",
                    "--dir",
                    &dir(i),
                    "--publics",
                    "publics",
                    "--shares",
                    "shares",
                ],
                w,
            )
        })
        .collect()
}

fn finish_and_finalize(w: &Path, n: u32) -> Ceremony {
    ok(
        &[
            "ceremony",
            "finish",
            "--publics",
            "publics",
            "--shares",
            "shares",
            "--out",
            "ceremony.json",
        ],
        w,
    );
    ok(&["ceremony", "verify", "--ceremony", "ceremony.json"], w);
    for i in 1..=n {
        ok(
            &[
                "trustee",
                "finalize",
                "--dir",
                &dir(i),
                "--ceremony",
                "ceremony.json",
            ],
            w,
        );
        // Only this trustee's key share and public document remain in its directory.
        let mut names: Vec<String> = std::fs::read_dir(w.join(dir(i)))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["public.json", "share.json"]);
        #[cfg(unix)]
        assert_eq!(mode(&w.join(dir(i)).join("share.json")), 0o600);
    }
    let c =
        Ceremony::from_json(&std::fs::read_to_string(w.join("ceremony.json")).unwrap()).unwrap();
    c.verify().unwrap();
    c
}

/// Seals ballots to the ceremony's key; writes election.json and tally.json; returns the
/// expected counts by label.
fn election_and_tally(
    w: &Path,
    ceremony: &Ceremony,
    voters: usize,
) -> (Election, BTreeMap<String, u64>) {
    let mut rng = ChaCha20Rng::seed_from_u64(voters as u64);
    let manifest = manifest();
    let creds: Vec<Credential> = (0..voters)
        .map(|_| {
            Credential::generate(&manifest.election_id, 0, &mut rng)
                .unwrap()
                .1
        })
        .collect();
    let list = CredentialList::new(
        creds
            .iter()
            .map(|c| CredentialEntry {
                key: *c.public_key(),
                style: "NA-1.PP-1".into(),
            })
            .collect(),
    )
    .unwrap();
    let p = ceremony.params();
    let election = Election::new(
        manifest.clone(),
        p.trustees,
        p.threshold,
        *ceremony.joint_key(),
        list.summary(),
        *BoxKey::generate(&mut rng).public(),
    )
    .unwrap();
    std::fs::write(w.join("election.json"), election.to_json()).unwrap();

    let mut sums: BTreeMap<(String, String), Ciphertext> = BTreeMap::new();
    let mut counts = BTreeMap::new();
    for (n, c) in creds.iter().enumerate() {
        let na = &manifest.contests[0];
        let pp = &manifest.contests[1];
        let choice: Selections = [
            (na.id.clone(), vec![na.options[(n * n) % 4].id.clone()]),
            (pp.id.clone(), vec![pp.options[n % 2].id.clone()]),
        ]
        .into();
        let ballot = SealedBallot::seal(&election, c, &choice, &mut rng)
            .unwrap()
            .cast();
        for contest in &ballot.contests {
            for s in &contest.selections {
                let e = sums
                    .entry((contest.id.clone(), s.id.clone()))
                    .or_insert_with(Ciphertext::zero);
                *e = *e + s.ciphertext;
                let chosen = u64::from(choice[&contest.id].contains(&s.id));
                *counts
                    .entry(format!("{}/{}", contest.id, s.id))
                    .or_insert(0) += chosen;
            }
        }
    }
    let tally = Tally {
        election: *election.base_hash(),
        board_head: amanat::Digest([0; 64]),
        board_entries: voters as u64,
        contests: manifest
            .contests
            .iter()
            .map(|c| ContestTally {
                id: c.id.clone(),
                ballots: voters as u64,
                options: c
                    .options
                    .iter()
                    .map(|o| OptionTally {
                        id: o.id.clone(),
                        ciphertext: sums[&(c.id.clone(), o.id.clone())],
                    })
                    .collect(),
            })
            .collect(),
        counted: vec![],
        superseded: vec![],
        challenged: vec![],
        rejected: vec![],
    };
    let tally = serde_json::to_string(&tally).unwrap();
    std::fs::write(w.join("tally.json"), tally).unwrap();
    (election, counts)
}

/// Trustees in `present` run `amanat trustee decrypt`; checks the proofs, combines and
/// checks every count.
fn decrypt(
    w: &Path,
    ceremony: &Ceremony,
    election: &Election,
    counts: &BTreeMap<String, u64>,
    present: &[u32],
) {
    let mut docs = Vec::new();
    for &j in present {
        let out = format!("partial-{j}.json");
        ok(
            &[
                "trustee",
                "decrypt",
                "--dir",
                &dir(j),
                "--election",
                "election.json",
                "--ceremony",
                "ceremony.json",
                "--tally",
                "tally.json",
                "--out",
                &out,
            ],
            w,
        );
        let doc: TrusteeDecryption = read(&w.join(out));
        assert_eq!(doc.trustee, j);
        assert_eq!(&doc.election, election.base_hash());
        docs.push(doc);
    }
    let tally: serde_json::Value = read(&w.join("tally.json"));
    let table = DlogTable::new(100);
    let mut checked = 0;
    for c in tally["contests"].as_array().unwrap() {
        for o in c["options"].as_array().unwrap() {
            let label = format!(
                "{}/{}",
                c["id"].as_str().unwrap(),
                o["id"].as_str().unwrap()
            );
            let ct: Ciphertext = serde_json::from_value(o["ciphertext"].clone()).unwrap();
            let partials: Vec<_> = docs
                .iter()
                .map(|d| {
                    d.partials
                        .iter()
                        .find(|p| p.label == label)
                        .unwrap()
                        .clone()
                })
                .collect();
            for p in &partials {
                verify_partial(election.base_hash(), ceremony, &label, &ct, p).unwrap();
            }
            let r = combine(ceremony, &ct, &partials);
            if present.len() < ceremony.params().threshold as usize {
                assert_eq!(r.map_err(|e| e.code()), Err("TOO_FEW_TRUSTEES"));
            } else {
                assert_eq!(
                    table.solve(r.unwrap().point()),
                    Some(counts[&label]),
                    "{label}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 35);
}

#[test]
fn two_of_three_by_separate_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let w = tmp.path();
    init_all(w, 3, 2);
    #[cfg(unix)]
    assert_eq!(mode(&w.join("t1/secret.json")), 0o600);
    // A trustee's secrets are never overwritten by accident.
    let e = fails(
        &[
            "trustee",
            "init",
            "--election-id",
            "x",
            "--trustees",
            "3",
            "--threshold",
            "2",
            "--index",
            "1",
            "--dir",
            "t1",
        ],
        w,
    );
    assert!(e.contains("--force"), "{e}");
    deal_all(w, 3);
    let said = receive_all(w, 3);
    assert!(said.contains("0 complaints"), "{said}");
    let ceremony = finish_and_finalize(w, 3);
    assert_eq!(ceremony.qualified(), &[1, 2, 3]);
    let (election, counts) = election_and_tally(w, &ceremony, 6);
    for set in [&[1, 2][..], &[1, 3], &[2, 3], &[3, 1, 2]] {
        decrypt(w, &ceremony, &election, &counts, set);
    }
    decrypt(w, &ceremony, &election, &counts, &[2]);
}

fn decryption_key(secret_json: &Path) -> SecretScalar {
    let v: serde_json::Value = read(secret_json);
    SecretScalar::from_scalar(
        amanat::encoding::scalar_from_hex(v["decryption_key"].as_str().unwrap(), "d").unwrap(),
    )
}

#[test]
fn three_of_five_with_a_cheating_dealer_and_a_false_complaint() {
    let tmp = tempfile::tempdir().unwrap();
    let w = tmp.path();
    let mut rng = ChaCha20Rng::seed_from_u64(77);
    init_all(w, 5, 3);
    deal_all(w, 5);

    // Dealer 2 replaces its shares with ones from another polynomial, properly signed.
    let publics: Vec<_> = (1..=5)
        .map(|i| read::<PublicFile>(&w.join(format!("publics/public-{i}.json"))).trustee)
        .collect();
    let mut v: serde_json::Value = read(&w.join("t2/secret.json"));
    v["coefficients"][2] = amanat::encoding::to_hex(Scalar::from(31337u64).as_bytes()).into();
    let twin = TrusteeSecret::from_secret_json(&v.to_string()).unwrap();
    let mut seen = publics.clone();
    seen[1] = twin.public(&mut rng).unwrap();
    for s in twin.deal(seen, &mut rng).unwrap() {
        let path = w.join(format!("shares/share-{}-to-{}.json", s.from, s.to));
        std::fs::write(path, serde_json::to_string(&s).unwrap()).unwrap();
    }
    let said = receive_all(w, 5);
    for j in [1, 3, 4, 5] {
        assert!(
            w.join(format!("shares/complaint-{j}-against-2.json"))
                .exists(),
            "{said}"
        );
    }

    // Trustee 3 also complains, falsely, about dealer 1's good share.
    let p = read::<PublicFile>(&w.join("publics/public-1.json")).params;
    let ch = ceremony_hash(&p);
    let share: EncryptedShare = read(&w.join("shares/share-1-to-3.json"));
    let d3 = decryption_key(&w.join("t3/secret.json"));
    let lie = Complaint::new(&ch, &publics[2], &d3, &share, &mut rng);
    let lie_path = w.join("shares/complaint-3-against-1.json");
    std::fs::write(&lie_path, serde_json::to_string(&lie).unwrap()).unwrap();

    // An unproven complaint stops `finish` with the failed check named.
    let mut forged = lie.clone();
    forged.proof.response += Scalar::ONE;
    std::fs::write(&lie_path, serde_json::to_string(&forged).unwrap()).unwrap();
    let e = fails(
        &[
            "ceremony",
            "finish",
            "--publics",
            "publics",
            "--shares",
            "shares",
            "--out",
            "c.json",
        ],
        w,
    );
    assert!(
        e.contains("VERIFICATION_FAILED") && e.contains("complaint 3 against 1"),
        "{e}"
    );
    std::fs::write(&lie_path, serde_json::to_string(&lie).unwrap()).unwrap();

    let ceremony = finish_and_finalize(w, 5);
    assert_eq!(ceremony.qualified(), &[1, 3, 4, 5]);
    let verdicts: Vec<(u32, u32, Verdict)> = ceremony
        .complaints()
        .iter()
        .map(|c| (c.complaint.from, c.complaint.to, c.verdict))
        .collect();
    assert!(verdicts.contains(&(1, 3, Verdict::Rejected)));
    assert_eq!(
        verdicts
            .iter()
            .filter(|v| v.2 == Verdict::Upheld && v.0 == 2)
            .count(),
        4
    );

    let (election, counts) = election_and_tally(w, &ceremony, 5);
    decrypt(w, &ceremony, &election, &counts, &[2, 3, 5]);
    decrypt(w, &ceremony, &election, &counts, &[1, 4, 5, 3]);
    decrypt(w, &ceremony, &election, &counts, &[4, 1]);

    // A tampered transcript is refused by `ceremony verify` and by the trustees.
    let mut c: serde_json::Value = read(&w.join("ceremony.json"));
    c["qualified"] = serde_json::json!([1, 2, 3, 4, 5]);
    std::fs::write(w.join("bad.json"), c.to_string()).unwrap();
    let e = fails(&["ceremony", "verify", "--ceremony", "bad.json"], w);
    assert!(e.contains("qualified"), "{e}");
    let e = fails(
        &[
            "trustee",
            "decrypt",
            "--dir",
            "t1",
            "--election",
            "election.json",
            "--ceremony",
            "bad.json",
            "--tally",
            "tally.json",
            "--out",
            "x.json",
        ],
        w,
    );
    assert!(e.contains("qualified"), "{e}");

    // Any change to the judged complaints is refused as well: a verdict turned, the complaints
    // that disqualify a dealer dropped (docs/ceremony.md §6: the qualified set must follow from
    // the complaints listed), a shared point swapped for another's, a proof's response changed.
    let good: serde_json::Value = read(&w.join("ceremony.json"));
    let last_hex_digit = |v: &mut serde_json::Value| {
        let s = v.as_str().unwrap().to_string();
        let d = u8::from_str_radix(&s[s.len() - 1..], 16).unwrap();
        *v = format!("{}{:x}", &s[..s.len() - 1], (d + 1) % 16).into();
    };
    type Tamper = Box<dyn Fn(&mut serde_json::Value)>;
    let tampers: Vec<(&str, Tamper)> = vec![
        (
            "verdict turned",
            Box::new(|c| {
                let v = &mut c["complaints"][0]["verdict"];
                *v = if v == "upheld" { "rejected" } else { "upheld" }.into();
            }),
        ),
        (
            "the complaints against the cheating dealer dropped",
            Box::new(|c| {
                c["complaints"]
                    .as_array_mut()
                    .unwrap()
                    .retain(|j| j["complaint"]["from"] != 2);
            }),
        ),
        (
            "shared point swapped",
            Box::new(|c| {
                let other = c["complaints"][1]["complaint"]["shared_point"].clone();
                c["complaints"][0]["complaint"]["shared_point"] = other;
            }),
        ),
        (
            "proof changed",
            Box::new(move |c| {
                last_hex_digit(&mut c["complaints"][0]["complaint"]["proof"]["response"]);
            }),
        ),
    ];
    for (what, tamper) in tampers {
        let mut c = good.clone();
        tamper(&mut c);
        assert_ne!(c, good, "{what}");
        std::fs::write(w.join("bad.json"), c.to_string()).unwrap();
        let out = amanat(&["ceremony", "verify", "--ceremony", "bad.json"], w);
        assert!(!out.status.success(), "{what}: accepted");
    }
}

#[test]
fn every_subcommand_has_help() {
    let w = PathBuf::from(".");
    for args in [
        &["trustee", "--help"][..],
        &["trustee", "init", "--help"],
        &["trustee", "deal", "--help"],
        &["trustee", "receive", "--help"],
        &["trustee", "finalize", "--help"],
        &["trustee", "decrypt", "--help"],
        &["ceremony", "--help"],
        &["ceremony", "finish", "--help"],
        &["ceremony", "verify", "--help"],
    ] {
        let out = ok(args, &w);
        assert!(out.contains("Usage: amanat"), "{args:?}: {out}");
    }
}
