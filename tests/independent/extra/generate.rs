//! Generates tests/independent/extra/ — known-answer vectors for what tests/vectors does not
//! cover: a multi-choice contest (range proof over [0, 2]), a blank vote, a second ballot
//! style, an exported bulletin board with a challenge entry and the box's closing statement,
//! boards that break one rule each, receipts for a cast and a challenged ballot under the
//! election's ballot box key, a proof of knowledge and an equality proof. Everything derives
//! from one fixed ChaCha20 seed, so reruns give the same files. Run from a scratch crate that
//! depends on `amanat` (path = the repository), `curve25519-dalek = "4.1"`,
//! `rand_chacha = "0.3"`, `serde = { version = "1", features = ["derive"] }`,
//! `serde_json = "1"`: `cargo run -- <repository>/tests/independent/extra`.
#![allow(clippy::unwrap_used)]

use amanat::board::{check_chain, genesis};
use amanat::proofs::equality::EqualityProof;
use amanat::proofs::schnorr::{prove_knowledge, sign};
use amanat::*;
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::Scalar;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use serde_json::{json, Value};

/// The exported board (docs/record.md §2), members in the order `amanat export-board` writes.
#[derive(Serialize)]
struct BoardFile {
    election: Digest,
    closed: bool,
    head: Digest,
    #[serde(skip_serializing_if = "Option::is_none")]
    closing: Option<SignedHead>,
    entries: Vec<BoardEntry>,
}

/// A board file of `entries`, closed with `closing` (or open without one).
fn board_file(election: &Election, entries: Vec<BoardEntry>, closing: Option<SignedHead>) -> BoardFile {
    let head = check_chain(election, &entries).unwrap();
    BoardFile { election: *election.base_hash(), closed: closing.is_some(), head, closing, entries }
}

/// The signed statement of a board of `entries` entries with head `head` (§8.4), its message
/// built by hand: `decimal(entries)|head_hex|open-or-closed|time`.
fn signed_head(election: &Election, entries: u64, head: Digest, closed: bool, time: &str,
    secret: &SecretScalar, rng: &mut ChaCha20Rng) -> SignedHead {
    let key = PublicKey::from_bytes(&(G * secret.expose()).compress().to_bytes(), "signer").unwrap();
    let message = format!("{entries}|{}|{}|{time}", head.to_hex(), if closed { "closed" } else { "open" });
    let base = election.base_hash();
    let signature = sign(base, "board-head", message.as_bytes(), secret, &key, rng);
    SignedHead { election: *base, entries, head, closed, time: time.into(), signature }
}

/// The box's receipt for `e` (§8.3), its message built by hand:
/// `kind|tracking_hex|index|received|head_hex`, the head being the entry's own hash.
fn receipt_for(election: &Election, e: &BoardEntry, secret: &SecretScalar, key: &PublicKey, rng: &mut ChaCha20Rng) -> Receipt {
    let message = format!("{}|{}|{}|{}|{}", e.kind.as_str(), e.tracking.to_hex(), e.index, e.received, e.hash.to_hex());
    let base = election.base_hash();
    let receipt = Receipt {
        election: *base,
        kind: e.kind,
        tracking: e.tracking,
        short: e.short.clone(),
        index: e.index,
        received: e.received.clone(),
        head: e.hash,
        signature: sign(base, "receipt", message.as_bytes(), secret, key, rng),
    };
    receipt.verify(election).unwrap();
    assert!(receipt.is_entry(e));
    receipt
}

fn scalar(rng: &mut ChaCha20Rng) -> Scalar {
    let mut w = [0u8; 64];
    rng.fill_bytes(&mut w);
    Scalar::from_bytes_mod_order_wide(&w)
}

fn main() {
    let out = std::env::args().nth(1).unwrap();
    let repo = format!("{out}/../../..");
    let mut rng = ChaCha20Rng::from_seed(*b"amanat/2 independent extra v1..!");
    let mut mj: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{repo}/tests/vectors/manifest.json")).unwrap()).unwrap();
    mj["contests"].as_array_mut().unwrap().push(json!({
        "id": "SEN", "name": {"en": "Senate (choose up to two)", "ur": "سینیٹ (دو تک چنیں)"},
        "min_selections": 0, "max_selections": 2,
        "options": [
            {"id": "sen-1", "name": {"en": "First", "ur": "پہلا"}, "symbol": "star"},
            {"id": "sen-2", "name": {"en": "Second", "ur": "دوسرا"}, "party": "crescent", "symbol": "kite"},
            {"id": "sen-3", "name": {"en": "Third", "ur": "تیسرا"}, "symbol": "book"}]}));
    mj["ballot_styles"].as_array_mut().unwrap().push(json!({
        "id": "SEN.NA-1", "name": {"en": "Senate and NA-1", "ur": "سینیٹ اور این اے-1"},
        "contests": ["SEN", "NA-1"]}));
    let manifest: Manifest = serde_json::from_value(mj).unwrap();
    let x = scalar(&mut rng);
    let key = PublicKey::from_bytes(&(G * x).compress().to_bytes(), "k").unwrap();
    let mut creds = vec![];
    let mut entries = vec![];
    for style in [0u16, 1, 1] {
        let (code, cred) = Credential::generate(&manifest.election_id, style, &mut rng).unwrap();
        entries.push(CredentialEntry {
            key: *cred.public_key(),
            style: manifest.ballot_styles[style as usize].id.clone(),
        });
        creds.push(code.expose().to_string());
    }
    let list = CredentialList::new(entries).unwrap();
    // The ballot box's receipt key is fixed in the election, before any ballot (§3.2, §8.3).
    let box_secret = SecretScalar::from_scalar(scalar(&mut rng));
    let box_key = PublicKey::from_bytes(&(G * box_secret.expose()).compress().to_bytes(), "box").unwrap();
    let election = Election::new(manifest, 5, 3, key, list.summary(), box_key).unwrap();
    std::fs::write(format!("{out}/election.json"), election.to_json()).unwrap();
    std::fs::write(format!("{out}/credentials.json"), serde_json::to_string_pretty(&list).unwrap()).unwrap();

    let choices: [(&str, Selections); 3] = [
        ("na-pp", [("NA-1".into(), vec!["na-1-09".into()]), ("PP-1".into(), vec!["pp-1-13".into()])].into()),
        ("senate-two", [("SEN".into(), vec!["sen-1".into(), "sen-3".into()]), ("NA-1".into(), vec!["na-1-04".into()])].into()),
        ("senate-blank", [("NA-1".into(), vec!["na-1-11".into()])].into()),
    ];
    let mut ballots = vec![];
    let mut sealed_ballots = vec![];
    let mut board: Vec<BoardEntry> = vec![];
    let mut prev = genesis(&election);
    for (n, ((name, sel), code)) in choices.iter().zip(&creds).enumerate() {
        let cred = Credential::from_code(&election, code).unwrap();
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let sealed = SealedBallot::seal_with_seed(&election, &cred, sel, BallotSeed::from_bytes(seed)).unwrap();
        let b = sealed.ballot().clone();
        b.verify_listed(&election, &list).unwrap();
        let tr = sealed.tracking();
        let ch = sealed.challenge();
        // The board: the senate ballot is challenged, the others cast.
        let challenged = n == 1;
        let kind = if challenged { EntryKind::Challenge } else { EntryKind::Cast };
        let e = BoardEntry::new(prev, board.len() as u64, kind, format!("2026-11-22T10:4{n}:07Z"), b.clone(),
            challenged.then(|| ch.clone())).unwrap();
        prev = e.hash;
        board.push(e);
        sealed_ballots.push((b.clone(), ch.clone()));
        ballots.push(json!({
            "name": name, "code": code, "seed": amanat::encoding::to_hex(&seed), "selections": sel,
            "ballot": serde_json::from_str::<Value>(&b.to_json()).unwrap(),
            "body_digest": b.body_digest().to_hex(),
            "tracking": {"full": tr.full(), "short": tr.short()},
            "challenge": serde_json::from_str::<Value>(&ch.to_json()).unwrap()}));
    }
    let head = check_chain(&election, &board).unwrap();
    std::fs::write(format!("{out}/ballots.json"), serde_json::to_string_pretty(&ballots).unwrap()).unwrap();

    // A receipt (§8.3) for board entry 0, signed with the election's ballot box key; a proof
    // of knowledge and an equality proof (§5) for a trustee's key.
    let base = election.base_hash();
    let receipt = receipt_for(&election, &board[0], &box_secret, &box_key, &mut rng);
    let trustee_secret = SecretScalar::from_scalar(scalar(&mut rng));
    let trustee_key = PublicKey::from_bytes(&(G * trustee_secret.expose()).compress().to_bytes(), "trustee").unwrap();
    let what = "trustee 1 coefficient 0";
    let knowledge = prove_knowledge(base, what, &trustee_secret, &trustee_key, &mut rng);
    let q = Point::from_point(G * scalar(&mut rng));
    let (y, equality) = EqualityProof::prove(base, "trustee 1 share", &trustee_secret, &trustee_key, &q, &mut rng);
    equality.verify(base, "trustee 1 share", &trustee_key, &q, &y).unwrap();

    // Drawn after everything above, so the draws before keep their order: the receipt for the
    // challenge entry, then the box's closing statement of the board (§8.4), which
    // board.jsonl carries (docs/record.md §2).
    let challenge_receipt = receipt_for(&election, &board[1], &box_secret, &box_key, &mut rng);
    let closing = signed_head(&election, board.len() as u64, head, true, "2026-11-22T18:00:00Z", &box_secret, &mut rng);
    closing.verify(&election).unwrap();
    let exported = board_file(&election, board, Some(closing));
    // board.jsonl (docs/record.md §2): the header line, then one line per entry, members in
    // the order of the types (as the tools write them).
    #[derive(Serialize)]
    struct Header<'a> { election: &'a Digest, closed: bool, head: &'a Digest, entries: usize, closing: &'a Option<SignedHead> }
    let header = Header { election: &exported.election, closed: exported.closed, head: &exported.head,
        entries: exported.entries.len(), closing: &exported.closing };
    let mut text = serde_json::to_string(&header).unwrap() + "\n";
    for e in &exported.entries {
        text.push_str(&(serde_json::to_string(e).unwrap() + "\n"));
    }
    std::fs::write(format!("{out}/board.jsonl"), text).unwrap();
    let boards = rule_breaking_boards(&election, &sealed_ballots, &box_secret, &mut rng);
    let lines: Vec<String> = boards.iter().map(|b| serde_json::to_string(b).unwrap()).collect();
    std::fs::write(format!("{out}/boards.json"), format!("[\n{}\n]\n", lines.join(",\n"))).unwrap();

    let expected = json!({
        "protocol": PROTOCOL,
        "election_id": election.manifest().election_id,
        "trustees": election.trustees(), "threshold": election.threshold(),
        "joint_public_key": key.to_hex(),
        "credentials_count": list.entries().len(),
        "credentials_digest": list.digest().to_hex(),
        "ballot_box_secret": amanat::encoding::to_hex(box_secret.expose().as_bytes()),
        "ballot_box_key": box_key.to_hex(),
        "base_hash": base.to_hex(),
        "board_head": head.to_hex(),
        "receipt": serde_json::from_str::<Value>(&receipt.to_json()).unwrap(),
        "challenge_receipt": serde_json::from_str::<Value>(&challenge_receipt.to_json()).unwrap(),
        "knowledge": {"what": what, "key": trustee_key.to_hex(), "proof": knowledge},
        "equality": {"what": "trustee 1 share", "key": trustee_key.to_hex(), "q": q.to_hex(), "y": y.to_hex(), "proof": equality},
    });
    std::fs::write(format!("{out}/expected.json"), serde_json::to_string_pretty(&expected).unwrap()).unwrap();
    std::fs::write(format!("{out}/elections.json"), serde_json::to_string_pretty(&election_cases(&election)).unwrap()).unwrap();
}

/// Boards that each break one thing and nothing else: every chain links and, unless the case
/// is about the closing statement, the box's closing statement names exactly the board. Each
/// case says which check must reject it: `closing` (docs/record.md V4, protocol §8.4) or
/// `rules` (V13, record.md §5.3) with the first entry that breaks one; `accepted` for the
/// control, which breaks nothing. The ballots are those of ballots.json: `na-pp` cast,
/// `senate-two` challenged and `senate-blank` cast on board.jsonl.
fn rule_breaking_boards(election: &Election, sealed: &[(Ballot, Challenge)], box_secret: &SecretScalar,
    rng: &mut ChaCha20Rng) -> Vec<Value> {
    let (two, blank) = (&sealed[1], &sealed[2]);
    // Entries chained from the genesis hash: (kind, received, ballot and reveal).
    let chain = |items: &[(EntryKind, &str, &(Ballot, Challenge))]| -> Vec<BoardEntry> {
        let mut prev = genesis(election);
        let mut out = vec![];
        for (i, (kind, received, (ballot, challenge))) in items.iter().enumerate() {
            let reveal = (*kind == EntryKind::Challenge).then(|| challenge.clone());
            let e = BoardEntry::new(prev, i as u64, *kind, received.to_string(), ballot.clone(), reveal).unwrap();
            prev = e.hash;
            out.push(e);
        }
        out
    };
    use EntryKind::{Cast, Challenge as Open};
    let fine = [(Cast, "2026-11-22T10:50:07Z", blank), (Open, "2026-11-22T10:51:07Z", two)];
    let mut out = vec![];
    let mut case = |name: &str, expect: &str, entry: Option<u64>, board: BoardFile| {
        let mut v = json!({"name": name, "expect": expect, "board": board});
        if let Some(i) = entry {
            v["entry"] = json!(i);
        }
        out.push(v);
    };
    let closed = |entries: Vec<BoardEntry>, rng: &mut ChaCha20Rng| {
        let head = check_chain(election, &entries).unwrap();
        let c = signed_head(election, entries.len() as u64, head, true, "2026-11-22T18:00:00Z", box_secret, rng);
        c.verify(election).unwrap();
        board_file(election, entries, Some(c))
    };

    case("control: two entries, closed", "accepted", None, closed(chain(&fine), rng));

    // The closing statement (V4), on a one-entry board: a statement of the empty board
    // (genesis head) or of a longer one, one signed by another key or saying the polls are open,
    // and none at all.
    let one = chain(&fine[..1]);
    let prefix = signed_head(election, 0, genesis(election), true, "2026-11-22T18:00:00Z", box_secret, rng);
    prefix.verify(election).unwrap();
    case("closing names the empty board: an entry appended after the close", "closing", None,
        board_file(election, one.clone(), Some(prefix)));
    let both = chain(&fine);
    let dropped = signed_head(election, 2, both[1].hash, true, "2026-11-22T18:00:00Z", box_secret, rng);
    dropped.verify(election).unwrap();
    case("closing names a longer board: an entry dropped after the close", "closing", None,
        board_file(election, one.clone(), Some(dropped)));
    let other_key = SecretScalar::from_scalar(scalar(rng));
    let forged = signed_head(election, 1, one[0].hash, true, "2026-11-22T18:00:00Z", &other_key, rng);
    assert!(forged.verify(election).is_err());
    case("closing signed by another key", "closing", None, board_file(election, one.clone(), Some(forged)));
    let open = signed_head(election, 1, one[0].hash, false, "2026-11-22T18:00:00Z", box_secret, rng);
    open.verify(election).unwrap();
    case("closing says the polls are open", "closing", None, board_file(election, one.clone(), Some(open)));
    let mut missing = board_file(election, one, None);
    missing.closed = true;
    case("closed without a closing statement", "closing", None, missing);

    // The board's rules (V13), each board closed properly by the box.
    case("a cast replayed", "rules", Some(1),
        closed(chain(&[(Cast, "2026-11-22T10:50:07Z", blank), (Cast, "2026-11-22T10:51:07Z", blank)]), rng));
    case("a challenged ballot cast", "rules", Some(1),
        closed(chain(&[(Open, "2026-11-22T10:50:07Z", two), (Cast, "2026-11-22T10:51:07Z", two)]), rng));
    case("a cast ballot challenged", "rules", Some(1),
        closed(chain(&[(Cast, "2026-11-22T10:50:07Z", blank), (Open, "2026-11-22T10:51:07Z", blank)]), rng));
    case("a challenge posted twice", "rules", Some(1),
        closed(chain(&[(Open, "2026-11-22T10:50:07Z", two), (Open, "2026-11-22T10:51:07Z", two)]), rng));
    case("times go back", "rules", Some(1),
        closed(chain(&[(Cast, "2026-11-22T10:51:07Z", blank), (Open, "2026-11-22T10:50:07Z", two)]), rng));
    case("a time not of the form YYYY-MM-DDTHH:MM:SSZ", "rules", Some(0),
        closed(chain(&[(Cast, "2026-11-22T10:50:07+00:00", blank)]), rng));
    out
}

/// Variations of the election document, each with the crate's verdict: the error code, or the
/// base hash when it is accepted (§3).
fn election_cases(election: &Election) -> Vec<Value> {
    let good: Value = serde_json::from_str(&election.to_json()).unwrap();
    type Edit = Box<dyn Fn(&mut Value)>;
    let name_of = |v: &mut Value, s: &str| v["manifest"]["contests"][0]["name"]["ur"] = json!(s);
    let mut edits: Vec<(&str, Edit)> = vec![
        ("unchanged", Box::new(|_| {})),
        ("threshold-zero", Box::new(|v| v["threshold"] = json!(0))),
        ("threshold-above-trustees", Box::new(|v| v["threshold"] = json!(6))),
        ("threshold-equals-trustees", Box::new(|v| v["threshold"] = json!(5))),
        ("trustees-256", Box::new(|v| { v["trustees"] = json!(256); v["threshold"] = json!(2) })),
        ("trustees-float", Box::new(|v| v["trustees"] = json!(5.0))),
        ("trustees-negative", Box::new(|v| v["trustees"] = json!(-5))),
        ("key-identity", Box::new(|v| v["joint_public_key"] = json!("00".repeat(32)))),
        ("key-non-canonical", Box::new(|v| v["joint_public_key"] = json!("ff".repeat(32)))),
        ("key-uppercase", Box::new(|v| { let k = v["joint_public_key"].as_str().unwrap().to_uppercase(); v["joint_public_key"] = json!(k) })),
        ("box-key-identity", Box::new(|v| v["ballot_box_key"] = json!("00".repeat(32)))),
        ("box-key-non-canonical", Box::new(|v| v["ballot_box_key"] = json!("ff".repeat(32)))),
        ("box-key-negative", Box::new(|v| v["ballot_box_key"] = json!(format!("01{}", "00".repeat(31))))),
        ("box-key-uppercase", Box::new(|v| { let k = v["ballot_box_key"].as_str().unwrap().to_uppercase(); v["ballot_box_key"] = json!(k) })),
        ("box-key-short", Box::new(|v| { let k = v["ballot_box_key"].as_str().unwrap()[2..].to_string(); v["ballot_box_key"] = json!(k) })),
        ("box-key-missing", Box::new(|v| { v.as_object_mut().unwrap().remove("ballot_box_key"); })),
        ("box-key-null", Box::new(|v| v["ballot_box_key"] = Value::Null)),
        ("box-key-other", Box::new(|v| v["ballot_box_key"] = json!(Point::from_point(G * Scalar::from(987654321u64)).to_hex()))),
        ("box-key-equals-joint-key", Box::new(|v| v["ballot_box_key"] = v["joint_public_key"].clone())),
        ("protocol-other", Box::new(|v| v["protocol"] = json!("amanat/1"))),
        ("protocol-missing", Box::new(|v| { v.as_object_mut().unwrap().remove("protocol"); })),
        ("unknown-member", Box::new(|v| v["extra"] = json!(true))),
        ("manifest-unknown-member", Box::new(|v| v["manifest"]["extra"] = json!(1))),
        ("credentials-digest-short", Box::new(|v| v["credentials"]["digest"] = json!("ab".repeat(32)))),
        ("credentials-count-string", Box::new(|v| v["credentials"]["count"] = json!("3"))),
        ("credentials-count-large", Box::new(|v| v["credentials"]["count"] = json!(u64::MAX))),
        ("duplicate-option", Box::new(|v| { let o = v["manifest"]["contests"][0]["options"][0].clone(); v["manifest"]["contests"][0]["options"][1]["id"] = o["id"].clone() })),
        ("unknown-party", Box::new(|v| v["manifest"]["contests"][0]["options"][0]["party"] = json!("nobody"))),
        ("party-null", Box::new(|v| v["manifest"]["contests"][0]["options"][0]["party"] = Value::Null)),
        ("party-removed", Box::new(|v| { v["manifest"]["contests"][0]["options"][0].as_object_mut().unwrap().remove("party"); })),
        ("party-empty-string", Box::new(|v| v["manifest"]["contests"][0]["options"][0]["party"] = json!(""))),
        ("parties-omitted-while-used", Box::new(|v| { v["manifest"].as_object_mut().unwrap().remove("parties"); })),
        ("max-zero", Box::new(|v| { v["manifest"]["contests"][0]["max_selections"] = json!(0); v["manifest"]["contests"][0]["min_selections"] = json!(0) })),
        ("min-above-max", Box::new(|v| v["manifest"]["contests"][0]["min_selections"] = json!(2))),
        ("max-above-options", Box::new(|v| v["manifest"]["contests"][2]["max_selections"] = json!(4))),
        ("max-equals-options", Box::new(|v| v["manifest"]["contests"][2]["max_selections"] = json!(3))),
        ("min-float", Box::new(|v| v["manifest"]["contests"][0]["min_selections"] = json!(1.0))),
        ("id-with-space", Box::new(|v| v["manifest"]["contests"][0]["options"][0]["id"] = json!("na 1"))),
        ("id-64-bytes", Box::new(|v| v["manifest"]["election_id"] = json!("e".repeat(64)))),
        ("id-65-bytes", Box::new(|v| v["manifest"]["election_id"] = json!("e".repeat(65)))),
        ("id-non-ascii", Box::new(|v| v["manifest"]["election_id"] = json!("انتخاب"))),
        ("symbol-bad-id", Box::new(|v| v["manifest"]["contests"][0]["options"][0]["symbol"] = json!("star/../x"))),
        ("name-empty", Box::new(move |v| name_of(v, ""))),
        ("name-spaces", Box::new(move |v| name_of(v, "   "))),
        ("name-nbsp", Box::new(move |v| name_of(v, "\u{a0}\u{3000}"))),
        ("name-next-line", Box::new(move |v| name_of(v, "\u{85}"))),
        ("name-bom-is-not-white-space", Box::new(move |v| name_of(v, "\u{feff}"))),
        ("name-zero-width-space-is-not-white-space", Box::new(move |v| name_of(v, "\u{200b}"))),
        ("name-256-bytes", Box::new(move |v| name_of(v, &"ب".repeat(128)))),
        ("name-257-bytes", Box::new(move |v| name_of(v, &format!("{}x", "ب".repeat(128))))),
        ("style-unknown-contest", Box::new(|v| v["manifest"]["ballot_styles"][0]["contests"][1] = json!("PP-9"))),
        ("style-repeats-contest", Box::new(|v| v["manifest"]["ballot_styles"][0]["contests"][1] = json!("NA-1"))),
        ("style-no-contests", Box::new(|v| v["manifest"]["ballot_styles"][0]["contests"] = json!([]))),
        ("style-duplicate-id", Box::new(|v| { let id = v["manifest"]["ballot_styles"][0]["id"].clone(); v["manifest"]["ballot_styles"][1]["id"] = id })),
        ("no-styles", Box::new(|v| v["manifest"]["ballot_styles"] = json!([]))),
        ("contest-duplicate-id", Box::new(|v| v["manifest"]["contests"][1]["id"] = json!("NA-1"))),
        ("contest-unused-by-styles", Box::new(|v| { v["manifest"]["ballot_styles"][1]["contests"] = json!(["NA-1"]) })),
        ("party-duplicate-id", Box::new(|v| { let id = v["manifest"]["parties"][0]["id"].clone(); v["manifest"]["parties"][1]["id"] = id })),
    ];
    let mut out = vec![];
    for (name, edit) in edits.drain(..) {
        let mut v = good.clone();
        edit(&mut v);
        let text = serde_json::to_string(&v).unwrap();
        out.push(match Election::from_json(&text) {
            Ok(e) => json!({"name": name, "election_json": text, "base_hash": e.base_hash().to_hex()}),
            Err(e) => json!({"name": name, "election_json": text, "error": e.code()}),
        });
    }
    // Text-level cases serde_json::Value cannot express.
    let text = serde_json::to_string(&good).unwrap();
    for (name, t) in [
        ("duplicate-member", text.replacen("\"trustees\":", "\"trustees\":5,\"trustees\":", 1)),
        ("truncated", text.chars().take(200).collect::<String>()),
        ("hex-escaped-in-json", text.replacen(&format!("\"{}\"", &good["joint_public_key"].as_str().unwrap()),
            &format!("\"\\u00{:02x}{}\"", good["joint_public_key"].as_str().unwrap().as_bytes()[0], &good["joint_public_key"].as_str().unwrap()[1..]), 1)),
    ] {
        out.push(match Election::from_json(&t) {
            Ok(e) => json!({"name": name, "election_json": t, "base_hash": e.base_hash().to_hex()}),
            Err(e) => json!({"name": name, "election_json": t, "error": e.code()}),
        });
    }
    out
}
