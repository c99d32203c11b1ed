//! The files the tools write have the shapes docs/documents.md gives them: members, types,
//! hex lengths and list orders, for the election directory (`demo-election`) and the record
//! (`simulate`). The ceremony transcript, the box key file and received.json are pinned by
//! unit tests beside their code (threshold::dkg, box_key).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use amanat::{check_code, CodeCheck, Manifest};
use amanat_authority::simulate::{self, Plan, DEMO_MANIFEST};
use amanat_authority::{demo, files};
use serde_json::Value;

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn members(v: &Value) -> Vec<&str> {
    let mut m: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    m.sort_unstable();
    m
}

fn sorted<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut m = names.to_vec();
    m.sort_unstable();
    m
}

/// A lowercase hex string of `digits` digits.
fn hex(v: &Value, digits: usize) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    assert_eq!(s.len(), digits, "{s}");
    assert!(
        s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{s}"
    );
}

fn array(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}"))
}

#[test]
fn election_directory_files() {
    let dir = tempfile::tempdir().unwrap();
    let (election, _) = demo::create(dir.path(), 7, [5; 32]).unwrap();

    let e = read(&dir.path().join("election.json"));
    assert_eq!(
        members(&e),
        sorted(&[
            "protocol",
            "manifest",
            "trustees",
            "threshold",
            "joint_public_key",
            "credentials",
            "ballot_box_key"
        ])
    );
    hex(&e["joint_public_key"], 64);
    hex(&e["ballot_box_key"], 64);
    assert_eq!(members(&e["credentials"]), sorted(&["count", "digest"]));
    hex(&e["credentials"]["digest"], 128);

    // credentials.json: {key, style}, strictly ascending by key.
    let list = read(&dir.path().join("credentials.json"));
    let keys: Vec<&str> = array(&list)
        .iter()
        .map(|x| {
            assert_eq!(members(x), sorted(&["key", "style"]));
            hex(&x["key"], 64);
            x["key"].as_str().unwrap()
        })
        .collect();
    assert_eq!(keys.len(), 7);
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "sorted by key");

    // codes.json: {code, style}, each code canonical.
    for c in array(&read(&dir.path().join("codes.json"))) {
        assert_eq!(members(c), sorted(&["code", "style"]));
        let code = c["code"].as_str().unwrap();
        assert_eq!(code.len(), 34);
        assert_eq!(code.split('-').count(), 7);
        assert_eq!(code, code.to_uppercase());
        assert_eq!(check_code(code), CodeCheck::Valid);
        election
            .manifest()
            .style(c["style"].as_str().unwrap())
            .unwrap();
    }

    // share.json of each trustee.
    for j in 1..=election.trustees() {
        let path = dir.path().join(format!("trustees/trustee-{j}/share.json"));
        let s = read(&path);
        assert_eq!(
            members(&s),
            sorted(&["kind", "params", "index", "public_share", "key_share"])
        );
        assert_eq!(s["kind"], "amanat-trustee-share");
        assert_eq!(s["index"], j);
        assert_eq!(
            members(&s["params"]),
            sorted(&["election_id", "trustees", "threshold"])
        );
        hex(&s["public_share"], 64);
        hex(&s["key_share"], 64);
    }

    // No byte order mark.
    let path = dir.path().join("election.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("\u{feff}{text}")).unwrap();
    assert!(files::read_json::<Value>(&path).is_err());
}

#[test]
fn record_files() {
    let dir = tempfile::tempdir().unwrap();
    let manifest: Manifest = amanat::encoding::from_json(DEMO_MANIFEST).unwrap();
    let plan = Plan {
        voters: 12,
        trustees: 4,
        threshold: 3,
        challenge_percent: 25,
        revote_percent: 25,
        seed: [9; 32],
    };
    let sim = simulate::simulate(manifest, &plan, dir.path()).unwrap();
    let record = dir.path().join("record");
    let m = sim.election.manifest();

    // tally.json: contests and options in manifest order.
    let t = read(&record.join("tally.json"));
    assert_eq!(
        members(&t),
        sorted(&[
            "election",
            "board_head",
            "board_entries",
            "contests",
            "counted",
            "superseded",
            "challenged",
            "rejected"
        ])
    );
    hex(&t["election"], 128);
    hex(&t["board_head"], 128);
    let contests = array(&t["contests"]);
    assert_eq!(contests.len(), m.contests.len());
    let mut labels = Vec::new();
    for (c, def) in contests.iter().zip(&m.contests) {
        assert_eq!(members(c), sorted(&["id", "ballots", "options"]));
        assert_eq!(c["id"], def.id.as_str());
        let options = array(&c["options"]);
        assert_eq!(options.len(), def.options.len());
        for (o, odef) in options.iter().zip(&def.options) {
            assert_eq!(members(o), sorted(&["id", "ciphertext"]));
            assert_eq!(o["id"], odef.id.as_str());
            assert_eq!(members(&o["ciphertext"]), sorted(&["a", "b"]));
            labels.push(format!("{}/{}", def.id, odef.id));
        }
    }
    for list in ["counted", "superseded", "challenged"] {
        array(&t[list]).iter().for_each(|d| hex(d, 128));
    }
    assert!(!array(&t["challenged"]).is_empty() && !array(&t["superseded"]).is_empty());

    // decryption.json: the trustees' documents ascending by index, combined in tally order.
    let d = read(&record.join("decryption.json"));
    assert_eq!(members(&d), sorted(&["election", "trustees", "combined"]));
    let trustees: Vec<u64> = array(&d["trustees"])
        .iter()
        .map(|doc| {
            assert_eq!(members(doc), sorted(&["election", "trustee", "partials"]));
            let j = doc["trustee"].as_u64().unwrap();
            let partials = array(&doc["partials"]);
            assert_eq!(partials.len(), labels.len());
            for (p, label) in partials.iter().zip(&labels) {
                assert_eq!(members(p), sorted(&["trustee", "label", "share", "proof"]));
                assert_eq!(p["trustee"], j);
                assert_eq!(p["label"], label.as_str());
                assert_eq!(members(&p["proof"]), sorted(&["t1", "t2", "response"]));
            }
            j
        })
        .collect();
    assert_eq!(trustees.len(), 3);
    assert!(trustees.windows(2).all(|w| w[0] < w[1]), "{trustees:?}");
    let combined: Vec<&str> = array(&d["combined"])
        .iter()
        .map(|c| {
            assert_eq!(members(c), sorted(&["label", "value"]));
            hex(&c["value"], 64);
            c["label"].as_str().unwrap()
        })
        .collect();
    assert_eq!(combined, labels);

    // results.json: maps with exactly the tally's contests and options.
    let r = read(&record.join("results.json"));
    assert_eq!(members(&r), ["results"]);
    for def in &m.contests {
        let row = &r["results"][&def.id];
        let mut ids: Vec<&str> = def.options.iter().map(|o| o.id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(members(row), ids);
        assert!(row.as_object().unwrap().values().all(Value::is_u64));
    }
    assert_eq!(r["results"].as_object().unwrap().len(), m.contests.len());
}
