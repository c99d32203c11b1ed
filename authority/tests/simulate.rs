//! `amanat simulate` then `amanat verify`, through the binary: the verifier passes and its
//! `--json` results equal the counts the simulation chose; one altered count makes it fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn amanat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amanat"))
        .args(args)
        .output()
        .unwrap()
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn simulate_then_verify_agrees_with_the_chosen_counts() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = dir.path().to_str().unwrap();
    let sim = amanat(&[
        "simulate",
        "--voters",
        "14",
        "--seed",
        "5",
        "--out",
        out,
        "--trustees",
        "4",
        "--threshold",
        "3",
        "--challenge-percent",
        "25",
        "--revote-percent",
        "25",
    ]);
    assert!(
        sim.status.success(),
        "{}",
        String::from_utf8_lossy(&sim.stderr)
    );
    let text = String::from_utf8_lossy(&sim.stdout);
    assert!(
        text.contains("decrypted counts equal the choices made"),
        "{text}"
    );

    let record = dir.path().join("record");
    let verify = amanat(&["verify", record.to_str().unwrap(), "--json"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let report: Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(report["ok"], true);
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 13);
    for (i, c) in checks.iter().enumerate() {
        assert_eq!(c["id"], format!("V{}", i + 1));
        assert_eq!(c["ok"], true);
        assert!(c["name"].is_string() && c["detail"].is_string());
    }
    let expected = read(&dir.path().join("expected.json"));
    assert_eq!(report["results"], expected["results"]);
    // Every voter's last ballot is counted: 14 votes in each constituency pair of contests.
    let total: u64 = ["NA-301", "NA-302"]
        .iter()
        .map(|c| {
            expected["results"][c]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum::<u64>()
        })
        .sum();
    assert_eq!(total, 14);
    // Only k = 3 of the 4 trustees decrypted.
    let decryption = read(&record.join("decryption.json"));
    assert_eq!(decryption["trustees"].as_array().unwrap().len(), 3);

    // Text output: every check passes.
    let text = amanat(&["verify", record.to_str().unwrap()]);
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("V13") && text.contains("all 13 checks pass"),
        "{text}"
    );

    // One altered count: exit status 1, V11 named in both outputs.
    let results = record.join("results.json");
    let mut r = read(&results);
    let n = r["results"]["NA-302"]["na-302-kissan"].as_u64().unwrap();
    r["results"]["NA-302"]["na-302-kissan"] = Value::from(n + 1);
    std::fs::write(&results, r.to_string()).unwrap();
    let bad = amanat(&["verify", record.to_str().unwrap(), "--json"]);
    assert_eq!(bad.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let failed: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(failed.contains(&"V11"), "{failed:?}");
    let text = amanat(&["verify", record.to_str().unwrap()]);
    assert_eq!(text.status.code(), Some(1));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("V11  FAIL"), "{text}");
}

#[test]
fn the_same_seed_gives_the_same_record() {
    let a = tempfile::TempDir::new().unwrap();
    let b = tempfile::TempDir::new().unwrap();
    for d in [&a, &b] {
        let s = amanat(&[
            "simulate",
            "--voters",
            "4",
            "--seed",
            "9",
            "--out",
            d.path().to_str().unwrap(),
        ]);
        assert!(s.status.success());
    }
    for f in [
        "board.jsonl",
        "tally.json",
        "decryption.json",
        "results.json",
        "ceremony.json",
    ] {
        assert_eq!(
            std::fs::read(a.path().join("record").join(f)).unwrap(),
            std::fs::read(b.path().join("record").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn verify_refuses_a_missing_record_directory() {
    let out = amanat(&["verify", "/nonexistent/record"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a record directory"));
}
