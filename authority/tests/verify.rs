//! The verifier fails, naming the right check, on a record with any single alteration: a
//! ballot, the board's order, a share or its proof, an aggregate, a combined value, a result,
//! the ballot box key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use amanat::{BoardEntry, Manifest};
use amanat_authority::board_file::BoardFile;
use amanat_authority::simulate::{self, Plan, DEMO_MANIFEST};
use amanat_authority::verify::verify;
use serde_json::Value;
use tempfile::TempDir;

#[path = "common/board_text.rs"]
mod board_text;

/// One simulated election, written once; every test alters its own copy.
fn base() -> &'static Path {
    static BASE: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = BASE.get_or_init(|| {
        let dir = TempDir::new().unwrap();
        let manifest: Manifest = amanat::encoding::from_json(DEMO_MANIFEST).unwrap();
        let plan = Plan {
            voters: 16,
            trustees: 3,
            threshold: 2,
            challenge_percent: 30,
            revote_percent: 30,
            seed: [11; 32],
        };
        let sim = simulate::simulate(manifest, &plan, dir.path()).unwrap();
        assert_eq!(sim.results, sim.expected);
        assert!(!sim.tally.challenged.is_empty() && !sim.tally.superseded.is_empty());
        let record = dir.path().join("record");
        (dir, record)
    });
    path
}

fn copy() -> TempDir {
    let dir = TempDir::new().unwrap();
    for f in std::fs::read_dir(base()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
    }
    dir
}

fn edit(dir: &Path, name: &str, f: impl FnOnce(&mut Value)) {
    let path = dir.join(name);
    if name == "board.jsonl" {
        let mut v = board_text::read_board(&path);
        f(&mut v);
        board_text::write_board(&path, &v);
        return;
    }
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
}

fn failed(dir: &Path) -> Vec<&'static str> {
    let report = verify(dir);
    assert_eq!(report.ok, report.failed().is_empty());
    report.failed()
}

/// Changes the least significant byte of a hex scalar: still canonical, another value.
fn bump(v: &mut Value) {
    let s = v.as_str().unwrap();
    let first = u8::from_str_radix(&s[..1], 16).unwrap();
    *v = Value::String(format!("{:x}{}", (first + 1) % 16, &s[1..]));
}

/// Index of the first cast (or challenge) entry on the board.
fn first(dir: &Path, kind: &str) -> usize {
    let board = board_text::read_board(&dir.join("board.jsonl"));
    board["entries"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["kind"] == kind)
        .unwrap()
}

#[test]
fn the_untouched_record_passes_every_check() {
    let report = verify(base());
    assert!(report.ok, "{:#?}", report.checks);
    assert_eq!(report.checks.len(), 13);
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(base().parent().unwrap().join("expected.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&report.results).unwrap(),
        expected["results"]
    );
}

#[test]
fn a_swapped_ciphertext_breaks_the_chain_and_the_ballot() {
    let dir = copy();
    let i = first(dir.path(), "cast");
    edit(dir.path(), "board.jsonl", |b| {
        let sels = &mut b["entries"][i]["ballot"]["contests"][0]["selections"];
        let a = sels[0]["ciphertext"].clone();
        sels[0]["ciphertext"] = sels[1]["ciphertext"].clone();
        sels[1]["ciphertext"] = a;
    });
    let f = failed(dir.path());
    assert!(f.contains(&"V4") && f.contains(&"V5"), "{f:?}");
}

#[test]
fn an_altered_ballot_on_a_rechained_board_fails_ballot_verification() {
    // Whoever alters a ballot can recompute every hash of the chain, but not the proofs or
    // the voter's signature.
    let dir = copy();
    let path = dir.path().join("board.jsonl");
    let mut board = BoardFile::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let i = board
        .entries
        .iter()
        .position(|e| e.kind == amanat::EntryKind::Cast)
        .unwrap();
    let mut entries = std::mem::take(&mut board.entries);
    let sels = &mut entries[i].ballot.contests[0].selections;
    let a = sels[0].ciphertext;
    sels[0].ciphertext = sels[1].ciphertext;
    sels[1].ciphertext = a;
    let mut prev = amanat::board::genesis(&{
        amanat::Election::from_json(
            &std::fs::read_to_string(dir.path().join("election.json")).unwrap(),
        )
        .unwrap()
    });
    let mut rebuilt = Vec::new();
    for e in entries {
        let e = BoardEntry::new(prev, e.index, e.kind, e.received, e.ballot, e.challenge).unwrap();
        prev = e.hash;
        rebuilt.push(e);
    }
    board.head = prev;
    board.entries = rebuilt;
    std::fs::write(&path, board.to_jsonl()).unwrap();
    let f = failed(dir.path());
    assert!(f.contains(&"V5"), "{f:?}");
    let report = verify(dir.path());
    let v5 = report.check("V5").unwrap();
    assert!(v5.detail.contains(&format!("entry {i}")), "{}", v5.detail);
    // The chain links, but the box's closing statement names the board it closed, not this
    // one: only the box's key could sign a new one (authority/tests/dishonest_box.rs has a
    // box that does, and V5 still fails there).
    let v4 = report.check("V4").unwrap();
    assert!(
        v4.detail.contains("the box signed a closed board of"),
        "{}",
        v4.detail
    );
}

#[test]
fn a_changed_proof_scalar_fails() {
    let dir = copy();
    let i = first(dir.path(), "cast");
    edit(dir.path(), "board.jsonl", |b| {
        bump(
            &mut b["entries"][i]["ballot"]["contests"][1]["selections"][2]["proof"]["responses"][0],
        );
    });
    let f = failed(dir.path());
    assert!(f.contains(&"V5"), "{f:?}");
}

#[test]
fn a_changed_signature_fails() {
    let dir = copy();
    let i = first(dir.path(), "cast");
    edit(dir.path(), "board.jsonl", |b| {
        bump(&mut b["entries"][i]["ballot"]["signature"]["response"]);
    });
    assert!(failed(dir.path()).contains(&"V5"));
}

#[test]
fn a_removed_board_entry_fails_the_chain() {
    let dir = copy();
    edit(dir.path(), "board.jsonl", |b| {
        b["entries"].as_array_mut().unwrap().remove(3);
    });
    assert!(failed(dir.path()).contains(&"V4"));
}

#[test]
fn reordered_board_entries_fail_the_chain() {
    let dir = copy();
    edit(dir.path(), "board.jsonl", |b| {
        b["entries"].as_array_mut().unwrap().swap(2, 3);
    });
    assert!(failed(dir.path()).contains(&"V4"));
}

#[test]
fn an_altered_challenge_reveal_fails() {
    let dir = copy();
    let i = first(dir.path(), "challenge");
    edit(dir.path(), "board.jsonl", |b| {
        let sel = b["entries"][i]["challenge"]["selections"]
            .as_object_mut()
            .unwrap();
        let (contest, chosen) = sel.iter_mut().next().unwrap();
        let other = if contest.starts_with("NA-301") {
            "na-301-ind-01"
        } else {
            "x"
        };
        let replacement = if chosen[0] == other {
            "na-301-ittehad"
        } else {
            other
        };
        chosen[0] = Value::String(replacement.into());
    });
    let f = failed(dir.path());
    assert!(f.contains(&"V6"), "{f:?}");
}

#[test]
fn a_dropped_counted_ballot_fails_the_counted_set() {
    let dir = copy();
    edit(dir.path(), "tally.json", |t| {
        t["counted"].as_array_mut().unwrap().pop();
    });
    let f = failed(dir.path());
    assert!(f.contains(&"V7"), "{f:?}");
}

/// The last hex digit of a tracking hash changed: the first 32 bytes, and the short code, stay.
fn forge_second_half(v: &mut Value) {
    let s = v.as_str().unwrap();
    let (head, last) = s.split_at(s.len() - 1);
    let last = u8::from_str_radix(last, 16).unwrap();
    *v = Value::String(format!("{head}{:x}", (last + 1) % 16));
}

#[test]
fn a_listed_hash_forged_past_its_first_half_or_listed_out_of_order_fails_the_counted_set() {
    // The verifier keeps keys of whole tracking hashes, not their first 32 bytes
    // (docs/record.md §6): a tally that copies a ballot's first half is caught in every list.
    for list in ["counted", "superseded", "challenged"] {
        let dir = copy();
        edit(dir.path(), "tally.json", |t| {
            forge_second_half(&mut t[list][0]);
        });
        let f = failed(dir.path());
        assert!(f.contains(&"V7"), "{list}: {f:?}");
    }
    let dir = copy();
    edit(dir.path(), "tally.json", |t| {
        t["counted"].as_array_mut().unwrap().swap(0, 1);
    });
    let f = failed(dir.path());
    assert!(f.contains(&"V7"), "counted swapped: {f:?}");
    let dir = copy();
    edit(dir.path(), "tally.json", |t| {
        let counted = t["counted"][0].clone();
        t["rejected"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "index": 0, "tracking": counted, "code": "VERIFICATION_FAILED"
            }));
    });
    let f = failed(dir.path());
    assert!(f.contains(&"V7"), "rejected: {f:?}");
}

#[test]
fn an_altered_aggregate_fails() {
    let dir = copy();
    edit(dir.path(), "tally.json", |t| {
        let opts = &mut t["contests"][0]["options"];
        let a = opts[0]["ciphertext"].clone();
        opts[0]["ciphertext"] = opts[1]["ciphertext"].clone();
        opts[1]["ciphertext"] = a;
    });
    let f = failed(dir.path());
    assert!(f.contains(&"V8"), "{f:?}");
}

#[test]
fn an_altered_decryption_share_fails() {
    let dir = copy();
    edit(dir.path(), "decryption.json", |d| {
        let other = d["trustees"][0]["partials"][1]["share"].clone();
        d["trustees"][0]["partials"][0]["share"] = other;
    });
    // V10 depends on V9; V11 checks the counts against the recorded combined values.
    assert_eq!(failed(dir.path()), vec!["V9", "V10"]);
}

#[test]
fn an_altered_decryption_proof_fails() {
    let dir = copy();
    edit(dir.path(), "decryption.json", |d| {
        bump(&mut d["trustees"][1]["partials"][5]["proof"]["response"]);
    });
    assert!(failed(dir.path()).contains(&"V9"));
}

#[test]
fn too_few_trustees_fail() {
    let dir = copy();
    edit(dir.path(), "decryption.json", |d| {
        d["trustees"].as_array_mut().unwrap().pop();
    });
    assert!(failed(dir.path()).contains(&"V9"));
}

#[test]
fn an_altered_combined_value_fails() {
    let dir = copy();
    edit(dir.path(), "decryption.json", |d| {
        let values = d["combined"].as_array().unwrap();
        let other = values
            .iter()
            .map(|c| c["value"].clone())
            .find(|v| *v != values[0]["value"])
            .unwrap();
        d["combined"][0]["value"] = other;
    });
    let f = failed(dir.path());
    assert!(f.contains(&"V10"), "{f:?}");
}

#[test]
fn an_altered_result_count_fails() {
    let dir = copy();
    edit(dir.path(), "results.json", |r| {
        let row = r["results"]["PP-302"].as_object_mut().unwrap();
        let (_, n) = row.iter_mut().next().unwrap();
        *n = Value::from(n.as_u64().unwrap() + 1);
    });
    let f = failed(dir.path());
    assert!(f.contains(&"V11"), "{f:?}");
}

#[test]
fn a_missing_result_fails() {
    let dir = copy();
    edit(dir.path(), "results.json", |r| {
        r["results"]["NA-301"]
            .as_object_mut()
            .unwrap()
            .remove("na-301-ittehad");
    });
    assert!(failed(dir.path()).contains(&"V11"));
}

#[test]
fn an_altered_ceremony_fails() {
    let dir = copy();
    edit(dir.path(), "ceremony.json", |c| {
        let other = c["public_shares"][1].clone();
        c["public_shares"][0] = other;
    });
    assert!(failed(dir.path()).contains(&"V2"));
}

#[test]
fn an_altered_credential_list_fails() {
    let dir = copy();
    edit(dir.path(), "credentials.json", |l| {
        l.as_array_mut().unwrap().pop();
    });
    let f = failed(dir.path());
    assert!(f.contains(&"V3"), "{f:?}");
}

#[test]
fn a_credential_list_out_of_key_order_fails() {
    // Same entries, same digest once sorted: still not the published list (protocol §3.3).
    let dir = copy();
    edit(dir.path(), "credentials.json", |l| {
        l.as_array_mut().unwrap().reverse();
    });
    let f = failed(dir.path());
    assert!(f.contains(&"V3"), "{f:?}");
}

#[test]
fn a_missing_file_fails_its_check() {
    let dir = copy();
    std::fs::remove_file(dir.path().join("results.json")).unwrap();
    let f = failed(dir.path());
    assert!(f.contains(&"V11") && f.contains(&"V12"), "{f:?}");
    assert!(!f.contains(&"V5"));
}

#[test]
fn the_ballot_box_key_is_checked_and_bound_by_every_ballot() {
    // Not a valid key (the identity): the definition itself fails, nothing else is checked.
    let dir = copy();
    edit(dir.path(), "election.json", |e| {
        e["ballot_box_key"] = Value::String("0".repeat(64));
    });
    let report = verify(dir.path());
    assert!(!report.check("V1").unwrap().ok);
    assert!(report
        .check("V1")
        .unwrap()
        .detail
        .contains("IDENTITY_POINT"));

    // Another valid key: the definition parses, but it is another election, which neither
    // the board nor any ballot on it is for.
    let dir = copy();
    let other = amanat_authority::box_key::BoxKey::generate(&mut rand_core::OsRng);
    edit(dir.path(), "election.json", |e| {
        e["ballot_box_key"] = Value::String(other.public().to_hex());
    });
    let f = failed(dir.path());
    assert!(!f.contains(&"V1"), "{f:?}");
    assert!(f.contains(&"V4") && f.contains(&"V5"), "{f:?}");
    let report = verify(dir.path());
    let detail = &report.check("V1").unwrap().detail;
    assert!(detail.contains(&other.public().to_hex()[..16]), "{detail}");
}

/// The record file `name` as compact JSON text.
fn compact(dir: &Path, name: &str) -> String {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
    serde_json::to_string(&v).unwrap()
}

/// The detail of check `id`, which must have failed.
fn failure(dir: &Path, id: &str) -> String {
    let report = verify(dir);
    let check = report.check(id).unwrap();
    assert!(!check.ok, "{id} passed: {:#?}", report.checks);
    check.detail.clone()
}

#[test]
fn a_result_given_twice_fails_whichever_copy_is_true() {
    // Two readers of `{"option": 7, "option": 8}` could see two counts; there is one reading:
    // none. The false copy first (a reader keeping the last sees the true count) and last.
    for false_first in [true, false] {
        let dir = copy();
        let text = compact(dir.path(), "results.json");
        let v: Value = serde_json::from_str(&text).unwrap();
        let (option, n) = v["results"]["PP-302"]
            .as_object()
            .unwrap()
            .iter()
            .next()
            .unwrap();
        let row = "\"PP-302\":{";
        let true_copy = format!("\"{option}\":{n}");
        let false_copy = format!("\"{option}\":{}", n.as_u64().unwrap() + 1);
        let forged = if false_first {
            text.replacen(row, &format!("{row}{false_copy},"), 1)
        } else {
            text.replacen(
                &format!("{row}{true_copy}"),
                &format!("{row}{true_copy},{false_copy}"),
                1,
            )
        };
        assert_ne!(forged, text);
        std::fs::write(dir.path().join("results.json"), forged).unwrap();
        let detail = failure(dir.path(), "V11");
        assert!(detail.contains("given twice"), "{detail}");
    }
}

#[test]
fn a_reveal_naming_an_option_twice_fails() {
    let dir = copy();
    let i = first(dir.path(), "challenge");
    edit(dir.path(), "board.jsonl", |b| {
        let sel = b["entries"][i]["challenge"]["selections"]
            .as_object_mut()
            .unwrap();
        let chosen = sel
            .values_mut()
            .find(|c| !c.as_array().unwrap().is_empty())
            .unwrap()
            .as_array_mut()
            .unwrap();
        chosen.push(chosen[0].clone());
    });
    let detail = failure(dir.path(), "V6");
    assert!(detail.contains("selected twice"), "{detail}");
}

#[test]
fn a_board_with_null_or_a_member_twice_fails_to_read() {
    // `null` for the absent reveal of a cast entry.
    let dir = copy();
    let i = first(dir.path(), "cast");
    edit(dir.path(), "board.jsonl", |b| {
        b["entries"][i]["challenge"] = Value::Null;
    });
    let detail = failure(dir.path(), "V4");
    assert!(detail.contains("\"challenge\" is null"), "{detail}");

    // A member twice inside an entry (entries are read in parallel) and in the header line.
    for (what, at) in [("an entry", "\"received\":"), ("the board", "\"closed\":")] {
        let dir = copy();
        let text = std::fs::read_to_string(dir.path().join("board.jsonl")).unwrap();
        let v = board_text::read_board(&dir.path().join("board.jsonl"));
        let value = if what == "the board" {
            v["closed"].to_string()
        } else {
            v["entries"][0]["received"].to_string()
        };
        let forged = text.replacen(at, &format!("{at}{value},{at}"), 1);
        assert_ne!(forged, text);
        std::fs::write(dir.path().join("board.jsonl"), forged).unwrap();
        let detail = failure(dir.path(), "V4");
        assert!(detail.contains("given twice"), "{what}: {detail}");
    }
}

#[test]
fn the_library_alone_in_one_thread_gives_the_same_report() {
    // What a browser runs: the record library's verifier with no threads, the board's entries
    // given one after another, progress called back.
    use amanat_record::checks::{verify_record, RecordDocs};
    let read = |name: &str| std::fs::read_to_string(base().join(name)).map_err(|e| e.to_string());
    let docs = RecordDocs {
        election: read("election.json"),
        ceremony: read("ceremony.json"),
        credentials: read("credentials.json"),
        tally: read("tally.json"),
        decryption: read("decryption.json"),
        results: read("results.json"),
    };
    let board = BoardFile::parse(&read("board.jsonl").unwrap()).unwrap();
    let n = board.entries.len() as u64;
    let mut seen = Vec::new();
    let report = verify_record(
        &docs,
        Ok(board.header()),
        board.entries.into_iter().map(Ok),
        &mut |done| seen.push(done),
    );
    assert!(report.ok, "{:#?}", report.checks);
    assert_eq!(seen.last(), Some(&n));
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    let cli = verify(base());
    let strip = |r: &amanat_record::Report| -> Vec<(String, bool)> {
        r.checks.iter().map(|c| (c.id.to_string(), c.ok)).collect()
    };
    assert_eq!(strip(&report), strip(&cli));
    assert_eq!(report.results, cli.results);
    // An entry that cannot be read stops the board: the checks that need it say so.
    let broken = verify_record(
        &docs,
        Ok(BoardFile::parse(&read("board.jsonl").unwrap())
            .unwrap()
            .header()),
        [Err("board.jsonl: line 3: not JSON".to_string())],
        &mut |_| {},
    );
    assert_eq!(
        broken.check("V4").unwrap().detail,
        "board.jsonl: line 3: not JSON"
    );
    assert!(!broken.check("V5").unwrap().ok && !broken.check("V13").unwrap().ok);
}

#[test]
fn a_board_cut_short_or_of_the_old_format_or_not_a_file_fails_v4() {
    // The last line gone (a truncated download): the header's count names it.
    let dir = copy();
    let path = dir.path().join("board.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let n = lines.len() - 1;
    std::fs::write(&path, lines[..n].join("\n") + "\n").unwrap();
    let detail = failure(dir.path(), "V4");
    assert!(
        detail.contains(&format!(
            "the board has {} entries, its first line says {n}",
            n - 1
        )),
        "{detail}"
    );
    // A last line without its newline.
    std::fs::write(&path, text.trim_end()).unwrap();
    let detail = failure(dir.path(), "V4");
    assert!(detail.contains("does not end with a newline"), "{detail}");
    // The earlier format, one JSON document with an array of entries: not read.
    let v = board_text::read_board(&path);
    std::fs::write(&path, serde_json::to_string(&v).unwrap() + "\n").unwrap();
    let detail = failure(dir.path(), "V4");
    assert!(detail.starts_with("board.jsonl: "), "{detail}");
    assert!(!verify(dir.path()).check("V5").unwrap().ok);
    // A FIFO in its place: refused at once, never waited on.
    #[cfg(unix)]
    {
        std::fs::remove_file(&path).unwrap();
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path and a plain mode.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let detail = failure(dir.path(), "V4");
        assert!(detail.contains("not a regular file"), "{detail}");
    }
}

/// The record's documents as the verifier takes them.
fn docs(dir: &Path) -> amanat_record::RecordDocs {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string());
    amanat_record::RecordDocs {
        election: read("election.json"),
        ceremony: read("ceremony.json"),
        credentials: read("credentials.json"),
        tally: read("tally.json"),
        decryption: read("decryption.json"),
        results: read("results.json"),
    }
}

#[test]
fn a_batch_checked_with_its_part_of_the_credential_list_is_checked_as_with_the_whole() {
    // What the observer page's workers do: each batch verified against the part of the list
    // that lists its credentials, the checks sent back as JSON.
    let dir = copy();
    let i = first(dir.path(), "cast");
    let j = first(dir.path(), "challenge");
    edit(dir.path(), "board.jsonl", |b| {
        bump(&mut b["entries"][i]["ballot"]["signature"]["response"]);
        bump(&mut b["entries"][j]["challenge"]["seed"]);
    });
    let mut verifier = amanat_record::Verifier::new(&docs(dir.path()));
    let text = std::fs::read_to_string(dir.path().join("board.jsonl")).unwrap();
    let lines: Vec<String> = text.lines().skip(1).map(str::to_string).collect();
    let mut failures = 0;
    for lines in lines.chunks(7) {
        let batch: Vec<BoardEntry> = lines
            .iter()
            .map(|l| amanat_record::board::parse_entry(l).unwrap())
            .collect();
        let batch = batch.as_slice();
        let whole = verifier.entry_checks(batch);
        let part = verifier.plan_batch(lines).credentials.unwrap();
        assert!(part.len() <= batch.len());
        let checks = amanat_record::check_entries(verifier.election(), Some(&part), batch);
        let sent: Vec<amanat_record::EntryCheck> =
            serde_json::from_str(&serde_json::to_string(&checks).unwrap()).unwrap();
        assert_eq!(sent, whole);
        failures += whole
            .iter()
            .filter(|c| matches!(c.ballot, Some(Err(_))) || matches!(c.reveal, Some(Err(_))))
            .count();
    }
    assert_eq!(failures, 2, "the changed signature and the changed reveal");
}

#[test]
fn the_report_is_the_same_document_on_every_run() {
    // No time or rate in it: the observer page's report is compared with this one.
    let a = serde_json::to_string(&verify(base())).unwrap();
    let b = serde_json::to_string(&verify(base())).unwrap();
    assert_eq!(a, b);
    assert!(!a.contains("/s"), "{a}");
}

#[test]
fn a_line_that_does_not_parse_is_named_by_the_file_not_its_path() {
    let dir = copy();
    let path = dir.path().join("board.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[2] = "{\"index\": 1}";
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let detail = failure(dir.path(), "V4");
    assert!(detail.starts_with("board.jsonl: line 3: "), "{detail}");
    assert!(detail.ends_with("[MALFORMED_JSON]"), "{detail}");
}

/// The record verified as the observer page does: each batch planned from its lines alone,
/// checked, summarized and summed as a worker does (the outcome sent as JSON), pushed by
/// summary.
fn verify_by_summaries(dir: &Path) -> amanat_record::Report {
    let mut v = amanat_record::Verifier::new(&docs(dir));
    let text = std::fs::read_to_string(dir.join("board.jsonl")).unwrap();
    let mut lines = text.lines();
    let header = amanat_record::BoardHeader::parse(lines.next().unwrap()).unwrap();
    v.begin_board(Ok(header));
    let election = v.election().unwrap().clone();
    let lines: Vec<String> = lines.map(str::to_string).collect();
    for batch in lines.chunks(64) {
        let plan = v.plan_batch(batch);
        let entries: Vec<BoardEntry> = batch
            .iter()
            .map(|l| amanat_record::board::parse_entry(l).unwrap())
            .collect();
        let outcome = amanat_record::check_batch(
            &election,
            plan.credentials.as_ref().unwrap(),
            &entries,
            &plan.sum,
        );
        let sent: amanat_record::BatchOutcome =
            serde_json::from_str(&serde_json::to_string(&outcome).unwrap()).unwrap();
        v.push_summaries(&sent.summaries, sent.checks, &sent.sums)
            .unwrap();
    }
    v.finish()
}

#[test]
fn pushing_summaries_gives_the_same_report_as_pushing_entries() {
    let same = |dir: &Path| {
        let a = serde_json::to_string(&verify(dir)).unwrap();
        let b = serde_json::to_string(&verify_by_summaries(dir)).unwrap();
        assert_eq!(a, b);
        verify(dir)
    };
    assert!(same(base()).ok);
    // A changed signature, a changed reveal, two entries swapped, a counted ballot dropped
    // from the tally, an aggregate changed: each fails the same checks the same way.
    let dir = copy();
    let i = first(dir.path(), "cast");
    let j = first(dir.path(), "challenge");
    edit(dir.path(), "board.jsonl", |b| {
        bump(&mut b["entries"][i]["ballot"]["signature"]["response"]);
        bump(&mut b["entries"][j]["challenge"]["seed"]);
    });
    assert!(!same(dir.path()).failed().is_empty());
    let dir = copy();
    edit(dir.path(), "board.jsonl", |b| {
        b["entries"].as_array_mut().unwrap().swap(2, 3);
    });
    assert!(same(dir.path()).failed().contains(&"V4"));
    let dir = copy();
    edit(dir.path(), "tally.json", |t| {
        t["counted"].as_array_mut().unwrap().remove(0);
    });
    assert!(same(dir.path()).failed().contains(&"V7"));
    let dir = copy();
    edit(dir.path(), "tally.json", |t| {
        let c = &mut t["contests"][0]["options"][0]["ciphertext"];
        let a = c["a"].clone();
        c["a"] = c["b"].clone();
        c["b"] = a;
    });
    assert!(same(dir.path()).failed().contains(&"V8"));
}
