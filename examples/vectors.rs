//! Writes the frozen known-answer vectors in `tests/vectors/` (described field by field in
//! `tests/vectors/README.md`).
//!
//! ```text
//! cargo run --example vectors              # (re)write the files
//! cargo run --example vectors -- --check   # compare with the files; exit status 1 on a difference
//! ```
//!
//! Everything derives from [`RNG_SEED`] through one ChaCha20 stream, drawn in a fixed order,
//! and from the reference manifest `tests/vectors/manifest.json`. `tests/vectors.rs` includes
//! this file and requires the files to be byte-identical to what it produces: the vectors can
//! only change together with the protocol version.
//!
//! Besides calling the crate, the generator recomputes every hash it publishes from the
//! specified byte layout (docs/protocol.md §2) with plain SHA-512 and ristretto255, and refuses
//! to write anything the crate disagrees with.

use std::collections::BTreeMap;

use amanat::encoding::to_hex;
use amanat::{
    check_code, normalize_short_code, Ballot, Challenge, Ciphertext, CodeCheck, Credential,
    CredentialEntry, CredentialList, Digest, Election, EntryKind, Manifest, Point, PublicKey,
    Receipt, SealedBallot, SecretScalar, Selections, SignedHead, Tracking, PROTOCOL,
};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::CompressedRistretto;
use curve25519_dalek::Scalar;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use sha2::{Digest as _, Sha512};

/// The seed of the ChaCha20 stream every random value is drawn from.
pub const RNG_SEED: [u8; 32] = *b"amanat/2 known-answer vectors v1";
/// The reference manifest.
pub const MANIFEST: &str = include_str!("../tests/vectors/manifest.json");
/// The one ballot style of the reference manifest.
pub const STYLE: &str = "NA-1.PP-1";
/// Number of trustees and threshold of the reference election.
pub const TRUSTEES: u32 = 3;
/// Decryption threshold of the reference election.
pub const THRESHOLD: u32 = 2;
/// Number of listed credentials.
pub const LISTED: usize = 4;
/// The board time of entry 0 of the small board (`expected.json` `receipt`).
pub const RECEIPT_TIME: &str = "2026-11-22T10:41:07Z";
/// The board time of entry 1 of the small board (`expected.json` `challenge_receipt`).
pub const CHALLENGE_TIME: &str = "2026-11-22T10:43:52Z";
/// When the box signed the small board's closing statement (`expected.json` `closing`).
pub const CLOSING_TIME: &str = "2026-11-22T18:00:00Z";
/// The `ballots.json` case challenged as entry 1 of the small board.
pub const CHALLENGED: usize = 2;

/// The group order ℓ, little-endian: the smallest non-canonical scalar.
pub const GROUP_ORDER_HEX: &str =
    "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
/// The field prime p = 2^255 − 19, little-endian: not a canonical point encoding.
pub const FIELD_PRIME_HEX: &str =
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
/// s = 1 is odd ("negative"), which ristretto255 rejects.
pub const NEGATIVE_POINT_HEX: &str =
    "0100000000000000000000000000000000000000000000000000000000000000";
/// The identity point.
pub const IDENTITY_HEX: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Any failure while generating: a crate error, or a disagreement found by a cross-check.
pub type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The file names, in the order [`generate`] returns them.
pub const FILES: [&str; 6] = [
    "election.json",
    "credentials.json",
    "expected.json",
    "ballots.json",
    "invalid.json",
    "primitives.json",
];

// ---------------------------------------------------------------------------------------------
// The hash layout, written out independently of the crate's private transcript.

/// `SHA-512( len(tag) ‖ tag ‖ len(item_1) ‖ item_1 ‖ … )`, `tag = "amanat/2/<domain>"`, every
/// length a 4-byte big-endian integer.
pub fn layout_digest(domain: &str, items: &[Vec<u8>]) -> [u8; 64] {
    let tag = format!("{PROTOCOL}/{domain}");
    let mut h = Sha512::new();
    for item in std::iter::once(tag.as_bytes()).chain(items.iter().map(Vec::as_slice)) {
        h.update((item.len() as u32).to_be_bytes());
        h.update(item);
    }
    h.finalize().into()
}

/// A transcript being written out item by item.
struct Layout {
    domain: &'static str,
    items: Vec<Vec<u8>>,
}

impl Layout {
    fn new(domain: &'static str) -> Layout {
        Layout {
            domain,
            items: Vec::new(),
        }
    }
    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.items.push(b.to_vec());
        self
    }
    fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }
    fn u32(&mut self, n: u32) -> &mut Self {
        self.bytes(&n.to_be_bytes())
    }
    fn u64(&mut self, n: u64) -> &mut Self {
        self.bytes(&n.to_be_bytes())
    }
    fn point(&mut self, p: &Point) -> &mut Self {
        self.bytes(&p.to_bytes())
    }
    fn scalar(&mut self, s: &Scalar) -> &mut Self {
        self.bytes(s.as_bytes())
    }
    fn ciphertext(&mut self, c: &Ciphertext) -> &mut Self {
        self.point(&c.a).point(&c.b)
    }
    /// A disjunctive proof as the ballot body absorbs it (`PROOF(p)`, §7.3): each of the
    /// three arrays prefixed with its own length — commitments, challenges, responses.
    fn proof(&mut self, p: &amanat::proofs::disjunctive::DisjunctiveProof) -> &mut Self {
        self.u32(p.commitments.len() as u32);
        for c in &p.commitments {
            self.point(&c.a).point(&c.b);
        }
        self.u32(p.challenges.len() as u32);
        for c in &p.challenges {
            self.scalar(c);
        }
        self.u32(p.responses.len() as u32);
        for r in &p.responses {
            self.scalar(r);
        }
        self
    }
    fn digest(&self) -> [u8; 64] {
        layout_digest(self.domain, &self.items)
    }
    fn scalar_out(&self) -> Scalar {
        Scalar::from_bytes_mod_order_wide(&self.digest())
    }
    fn case(&self, name: &str, equals: &str) -> TranscriptCase {
        TranscriptCase {
            name: name.to_string(),
            domain: self.domain.to_string(),
            items: self.items.iter().map(|i| to_hex(i)).collect(),
            digest: to_hex(&self.digest()),
            scalar: to_hex(self.scalar_out().as_bytes()),
            equals: equals.to_string(),
        }
    }
}

fn agree<T: PartialEq + std::fmt::Debug>(what: &str, ours: T, crate_says: T) -> Res<()> {
    if ours == crate_says {
        Ok(())
    } else {
        Err(format!("{what}: layout gives {ours:?}, the crate {crate_says:?}").into())
    }
}

fn point_of(p: &Point) -> Res<curve25519_dalek::RistrettoPoint> {
    CompressedRistretto(p.to_bytes())
        .decompress()
        .ok_or_else(|| "not a point".into())
}

fn wrap(p: curve25519_dalek::RistrettoPoint) -> Point {
    Point::from_point(p)
}

// ---------------------------------------------------------------------------------------------
// The JSON shapes of the files.

#[derive(Serialize)]
struct TranscriptCase {
    name: String,
    domain: String,
    items: Vec<String>,
    digest: String,
    scalar: String,
    equals: String,
}

#[derive(Serialize)]
struct TrackingJson {
    full: String,
    short: String,
}

#[derive(Serialize)]
struct BallotCase {
    name: &'static str,
    code: String,
    seed: String,
    selections: Selections,
    ballot: Ballot,
    body_digest: String,
    tracking: TrackingJson,
    challenge: Challenge,
}

#[derive(Serialize)]
struct InvalidCase {
    name: &'static str,
    stage: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ballot: Option<Ballot>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ballot_json: Option<String>,
    error: &'static str,
}

#[derive(Serialize)]
struct UnlistedJson {
    code: String,
    key: PublicKey,
}

#[derive(Serialize)]
struct Expected {
    protocol: &'static str,
    rng_seed: String,
    election_id: String,
    trustees: u32,
    threshold: u32,
    joint_secret: String,
    joint_public_key: PublicKey,
    credentials_count: u64,
    credentials_digest: Digest,
    ballot_box_secret: String,
    ballot_box_key: PublicKey,
    base_hash: Digest,
    receipt: Receipt,
    challenge_receipt: Receipt,
    closing: SignedHead,
    unlisted_credential: UnlistedJson,
    counted: Vec<&'static str>,
    tally: BTreeMap<String, BTreeMap<String, u64>>,
    encrypted_tally: BTreeMap<String, BTreeMap<String, Ciphertext>>,
}

#[derive(Serialize)]
struct ElGamalCase {
    name: String,
    public_key: PublicKey,
    r: String,
    v: u32,
    a: Point,
    b: Point,
}

#[derive(Serialize)]
struct CredentialCase {
    code: String,
    election_id: String,
    payload: String,
    style_index: u16,
    secret: String,
    public_key: PublicKey,
}

#[derive(Serialize)]
struct CodeCheckCase {
    input: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    typed: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<usize>,
}

#[derive(Serialize)]
struct ShortCodeCase {
    full: String,
    short: String,
}

#[derive(Serialize)]
struct NormalizeCase {
    input: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
}

#[derive(Serialize)]
struct Primitives {
    transcripts: Vec<TranscriptCase>,
    hash_to_scalar: Vec<HashToScalar>,
    elgamal: Vec<ElGamalCase>,
    credentials: Vec<CredentialCase>,
    code_checks: Vec<CodeCheckCase>,
    tracking_short: Vec<ShortCodeCase>,
    normalize_short: Vec<NormalizeCase>,
}

#[derive(Serialize)]
struct HashToScalar {
    digest: String,
    scalar: String,
}

fn pretty<T: Serialize>(v: &T) -> Res<String> {
    Ok(serde_json::to_string_pretty(v)? + "\n")
}

/// A JSON array with one compact element per line (for files of many whole ballots).
fn one_per_line<T: Serialize>(items: &[T]) -> Res<String> {
    let lines = items
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(format!("[\n{}\n]\n", lines.join(",\n")))
}

// ---------------------------------------------------------------------------------------------
// Independent recomputations of the crate's hashes.

fn election_layout(election: &Election) -> Layout {
    let m = election.manifest();
    let mut t = Layout::new("election");
    t.str(&m.election_id).str(&m.title.en).str(&m.title.ur);
    t.u32(m.parties.len() as u32);
    for p in &m.parties {
        t.str(&p.id).str(&p.name.en).str(&p.name.ur);
    }
    t.u32(m.contests.len() as u32);
    for c in &m.contests {
        t.str(&c.id).str(&c.name.en).str(&c.name.ur);
        t.u32(c.min_selections)
            .u32(c.max_selections)
            .u32(c.options.len() as u32);
        for o in &c.options {
            t.str(&o.id).str(&o.name.en).str(&o.name.ur);
            t.str(o.party.as_deref().unwrap_or("")).str(&o.symbol);
        }
    }
    t.u32(m.ballot_styles.len() as u32);
    for s in &m.ballot_styles {
        t.str(&s.id).str(&s.name.en).str(&s.name.ur);
        t.u32(s.contests.len() as u32);
        for c in &s.contests {
            t.str(c);
        }
    }
    t.u32(election.trustees()).u32(election.threshold());
    t.point(election.key().public().point());
    t.u64(election.credentials().count)
        .bytes(&election.credentials().digest.0);
    t.point(election.ballot_box_key().point());
    t
}

fn receipt_layout(election: &Election, r: &Receipt) -> Layout {
    let mut t = Layout::new("message-signature");
    t.bytes(&election.base_hash().0).str("receipt");
    let message = format!(
        "{}|{}|{}|{}|{}",
        r.kind.as_str(),
        to_hex(&r.tracking.0),
        r.index,
        r.received,
        to_hex(&r.head.0)
    );
    t.bytes(message.as_bytes())
        .point(election.ballot_box_key().point())
        .point(&r.signature.commitment);
    t
}

fn head_layout(election: &Election, h: &SignedHead) -> Layout {
    let mut t = Layout::new("message-signature");
    t.bytes(&election.base_hash().0).str("board-head");
    let state = if h.closed { "closed" } else { "open" };
    let message = format!("{}|{}|{state}|{}", h.entries, to_hex(&h.head.0), h.time);
    t.bytes(message.as_bytes())
        .point(election.ballot_box_key().point())
        .point(&h.signature.commitment);
    t
}

fn genesis_layout(base: &Digest) -> Layout {
    let mut t = Layout::new("board-genesis");
    t.bytes(&base.0);
    t
}

/// A board entry's hash (§8.1): the challenge's contests in ascending byte order of their
/// ids, its seed as the 64-character hex string.
fn entry_layout(
    prev: &Digest,
    index: u64,
    kind: EntryKind,
    received: &str,
    tracking: &Digest,
    challenge: Option<&Challenge>,
) -> Layout {
    let kind = match kind {
        EntryKind::Cast => "cast",
        EntryKind::Challenge => "challenge",
    };
    let mut t = Layout::new("board-entry");
    t.bytes(&prev.0)
        .u64(index)
        .str(kind)
        .str(received)
        .bytes(&tracking.0);
    match challenge {
        None => {
            t.u32(0);
        }
        Some(c) => {
            let mut contests: Vec<&String> = c.selections.keys().collect();
            contests.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            t.u32(1).str(&c.seed).u32(contests.len() as u32);
            for id in contests {
                let options = &c.selections[id];
                t.str(id).u32(options.len() as u32);
                for o in options {
                    t.str(o);
                }
            }
        }
    }
    t
}

/// The transcripts of the small board and the box's three statements about it, each
/// recomputed from the layout (the entries' hashes chained from the genesis hash).
fn board_transcripts(
    election: &Election,
    entries: &[amanat::BoardEntry],
    statements: (&Receipt, &Receipt, &SignedHead),
) -> Res<Vec<TranscriptCase>> {
    let (receipt, challenge_receipt, closing) = statements;
    let genesis = genesis_layout(election.base_hash());
    let mut out = vec![genesis.case(
        "board genesis hash",
        "prev of the small board's entry 0 (H(\"board-genesis\"; base))",
    )];
    let mut prev = Digest(genesis.digest());
    for (entry, equals) in entries.iter().zip([
        "expected.json receipt.head",
        "expected.json challenge_receipt.head and closing.head",
    ]) {
        let t = entry_layout(
            &prev,
            entry.index,
            entry.kind,
            &entry.received,
            &entry.tracking,
            entry.challenge.as_ref(),
        );
        prev = Digest(t.digest());
        agree("board entry hash", prev, entry.hash)?;
        let case = if entry.index == 0 { 0 } else { CHALLENGED };
        let name = format!(
            "board entry {} ({} of ballots.json[{case}])",
            entry.index,
            entry.kind.as_str()
        );
        out.push(t.case(&name, equals));
    }
    for (name, t) in [
        ("receipt", receipt_layout(election, receipt)),
        (
            "challenge_receipt",
            receipt_layout(election, challenge_receipt),
        ),
        ("closing", head_layout(election, closing)),
    ] {
        out.push(t.case(
            &format!(
                "signature challenge of expected.json {name} \
                 (scalar c: response·G = commitment + c·ballot_box_key)"
            ),
            "scalar",
        ));
    }
    Ok(out)
}

fn credentials_layout(list: &CredentialList) -> Layout {
    let mut t = Layout::new("credentials");
    t.u64(list.entries().len() as u64);
    for e in list.entries() {
        t.point(e.key.point()).str(&e.style);
    }
    t
}

fn body_layout(b: &Ballot) -> Layout {
    let mut t = Layout::new("ballot");
    t.bytes(&b.election.0)
        .str(&b.style)
        .point(b.credential.point());
    t.u32(b.contests.len() as u32);
    for c in &b.contests {
        t.str(&c.id).u32(c.selections.len() as u32);
        for s in &c.selections {
            t.str(&s.id).ciphertext(&s.ciphertext).proof(&s.proof);
        }
        t.proof(&c.proof);
    }
    t
}

fn tracking_layout(b: &Ballot) -> Layout {
    let mut t = Layout::new("tracking");
    t.bytes(&body_layout(b).digest())
        .point(&b.signature.commitment)
        .scalar(&b.signature.response);
    t
}

fn signature_layout(b: &Ballot) -> Layout {
    let mut t = Layout::new("signature");
    t.bytes(&b.election.0)
        .bytes(&body_layout(b).digest())
        .point(b.credential.point())
        .point(&b.signature.commitment);
    t
}

fn selection_layout(election: &Election, b: &Ballot, contest: usize, option: usize) -> Layout {
    let c = &b.contests[contest];
    let s = &c.selections[option];
    let mut t = Layout::new("selection-proof");
    t.bytes(&b.election.0)
        .point(b.credential.point())
        .str(&c.id)
        .str(&s.id);
    t.point(election.key().public().point()).u32(0).u32(1);
    t.ciphertext(&s.ciphertext);
    for m in &s.proof.commitments {
        t.point(&m.a).point(&m.b);
    }
    t
}

fn contest_layout(election: &Election, b: &Ballot, contest: usize) -> Res<Layout> {
    let c = &b.contests[contest];
    let def = election.manifest().contest(&c.id)?;
    let sum = Ciphertext::sum(c.selections.iter().map(|s| &s.ciphertext));
    let mut t = Layout::new("contest-proof");
    t.bytes(&b.election.0)
        .point(b.credential.point())
        .str(&c.id);
    t.point(election.key().public().point())
        .u32(def.min_selections)
        .u32(def.max_selections);
    t.ciphertext(&sum);
    for m in &c.proof.commitments {
        t.point(&m.a).point(&m.b);
    }
    Ok(t)
}

fn nonce_layout(base: &Digest, seed: &[u8; 32], contest: &str, option: &str) -> Layout {
    let mut t = Layout::new("nonce");
    t.bytes(&base.0)
        .bytes(seed)
        .str("encryption")
        .str(contest)
        .str(option);
    t
}

/// The 16 payload bytes of a credential code: its first 26 Crockford base32 symbols as a
/// 130-bit big-endian number whose top two bits are zero.
fn code_payload(code: &str) -> Res<[u8; 16]> {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut n = 0u128;
    for c in code.chars().filter(|c| *c != '-').take(26) {
        let v = ALPHABET
            .iter()
            .position(|&a| a as char == c)
            .ok_or("code symbol outside the alphabet")?;
        n = (n << 5) | v as u128;
    }
    Ok(n.to_be_bytes())
}

fn credential_layout(election_id: &str, payload: &[u8; 16]) -> Layout {
    let mut t = Layout::new("credential-key");
    t.str(election_id).bytes(payload);
    t
}

// ---------------------------------------------------------------------------------------------

fn selections(na: &str, pp: &str) -> Selections {
    [
        ("NA-1".to_string(), vec![na.to_string()]),
        ("PP-1".to_string(), vec![pp.to_string()]),
    ]
    .into()
}

fn seed_from(rng: &mut ChaCha20Rng) -> [u8; 32] {
    let mut s = [0u8; 32];
    rng.fill_bytes(&mut s);
    s
}

fn check_status(c: CodeCheck) -> (&'static str, Option<usize>, Option<usize>) {
    match c {
        CodeCheck::Valid => ("valid", None, None),
        CodeCheck::Typo => ("typo", None, None),
        CodeCheck::TooLong => ("too_long", None, None),
        CodeCheck::Incomplete { typed } => ("incomplete", Some(typed), None),
        CodeCheck::InvalidCharacter { position } => ("invalid_character", None, Some(position)),
    }
}

/// What a case's ballot gives when parsed and checked at `stage`: `Ok` or the error code.
pub fn outcome(
    stage: &str,
    json: &str,
    election: &Election,
    list: &CredentialList,
) -> Result<(), &'static str> {
    let ballot = Ballot::from_json(json).map_err(|e| e.code())?;
    match stage {
        "parse" => Ok(()),
        "verify" => ballot.verify(election).map_err(|e| e.code()),
        "verify_listed" => ballot.verify_listed(election, list).map_err(|e| e.code()),
        _ => Err("UNKNOWN_STAGE"),
    }
}

/// Builds every file: `(name, contents)` in the order of [`FILES`].
///
/// # Errors
/// A crate error, or a disagreement between the crate and the independent recomputation.
pub fn generate() -> Res<Vec<(&'static str, String)>> {
    let mut rng = ChaCha20Rng::from_seed(RNG_SEED);
    let manifest: Manifest = amanat::encoding::from_json(MANIFEST)?;
    let election_id = manifest.election_id.clone();

    // Draw 1: the joint secret (64 bytes, reduced modulo ℓ).
    let joint_secret = Scalar::random(&mut rng);
    let joint_key = PublicKey::new(wrap(G * joint_secret), "joint public key")?;

    // Draws 2-6: four listed credentials and one that is never listed.
    let mut codes = Vec::new();
    let mut entries = Vec::new();
    for _ in 0..LISTED {
        let (code, cred) = Credential::generate(&election_id, 0, &mut rng)?;
        entries.push(CredentialEntry {
            key: *cred.public_key(),
            style: STYLE.to_string(),
        });
        codes.push(code.expose().to_string());
    }
    let (unlisted_code, _) = Credential::generate(&election_id, 0, &mut rng)?;
    let unlisted_code = unlisted_code.expose().to_string();
    let list = CredentialList::new(entries)?;

    // Draw 7: the ballot box's receipt key (64 bytes, reduced modulo ℓ).
    let box_secret = SecretScalar::from_scalar(Scalar::random(&mut rng));
    let box_key = PublicKey::new(wrap(G * box_secret.expose()), "ballot box key")?;
    let election = Election::new(
        manifest,
        TRUSTEES,
        THRESHOLD,
        joint_key,
        list.summary(),
        box_key,
    )?;
    let base = *election.base_hash();

    agree(
        "credentials digest",
        credentials_layout(&list).digest(),
        list.digest().0,
    )?;
    agree(
        "election base hash",
        election_layout(&election).digest(),
        base.0,
    )?;

    // Draws 8-11: one ballot seed per case, in this order.
    let plan: [(&'static str, usize, &str, &str); 4] = [
        ("first-options", 0, "na-1-01", "pp-1-01"),
        ("last-options", 1, "na-1-15", "pp-1-20"),
        ("revote-before", 2, "na-1-07", "pp-1-11"),
        ("revote-after", 2, "na-1-02", "pp-1-05"),
    ];
    let mut cases = Vec::new();
    for (name, who, na, pp) in plan {
        let seed = seed_from(&mut rng);
        let credential = Credential::from_code(&election, &codes[who])?;
        let chosen = selections(na, pp);
        let sealed = SealedBallot::seal_with_seed(
            &election,
            &credential,
            &chosen,
            amanat::BallotSeed::from_bytes(seed),
        )?;
        let ballot = sealed.ballot().clone();
        ballot.verify_listed(&election, &list)?;
        let tracking = sealed.tracking();
        agree(
            "body digest",
            body_layout(&ballot).digest(),
            ballot.body_digest().0,
        )?;
        agree("tracking", tracking_layout(&ballot).digest(), tracking.0 .0)?;
        agree("tracking of the ballot", tracking, ballot.tracking())?;
        let challenge = sealed.challenge();
        agree(
            "challenge reveal",
            challenge.check(&election, &ballot)?,
            chosen.clone(),
        )?;
        cases.push(BallotCase {
            name,
            code: codes[who].clone(),
            seed: to_hex(&seed),
            selections: chosen,
            body_digest: ballot.body_digest().to_hex(),
            tracking: TrackingJson {
                full: tracking.full(),
                short: tracking.short(),
            },
            ballot,
            challenge,
        });
    }

    // Draw 12: the seed of the unlisted credential's (otherwise valid) ballot.
    let unlisted_seed = seed_from(&mut rng);
    let unlisted = Credential::from_code(&election, &unlisted_code)?;
    let unlisted_ballot = SealedBallot::seal_with_seed(
        &election,
        &unlisted,
        &selections("na-1-04", "pp-1-09"),
        amanat::BallotSeed::from_bytes(unlisted_seed),
    )?
    .cast();

    // The tally: the latest ballot of each credential.
    let counted: Vec<&'static str> = vec!["first-options", "last-options", "revote-after"];
    let mut tally = BTreeMap::new();
    let mut encrypted_tally = BTreeMap::new();
    for c in &election.manifest().contests {
        let mut counts = BTreeMap::new();
        let mut sums = BTreeMap::new();
        for o in &c.options {
            let mut n = 0;
            let mut cts = Vec::new();
            for case in cases.iter().filter(|k| counted.contains(&k.name)) {
                if case.selections[&c.id].contains(&o.id) {
                    n += 1;
                }
                let enc = case
                    .ballot
                    .contests
                    .iter()
                    .find(|k| k.id == c.id)
                    .ok_or("contest missing from a ballot")?;
                let s = enc
                    .selections
                    .iter()
                    .find(|s| s.id == o.id)
                    .ok_or("option missing from a ballot")?;
                cts.push(s.ciphertext);
            }
            let sum = Ciphertext::sum(cts.iter());
            agree(
                "decrypted tally",
                point_of(&sum.b)? - point_of(&sum.a)? * joint_secret,
                G * Scalar::from(n),
            )?;
            counts.insert(o.id.clone(), n);
            sums.insert(o.id.clone(), sum);
        }
        tally.insert(c.id.clone(), counts);
        encrypted_tally.insert(c.id.clone(), sums);
    }

    // The small board the box's statements are about: entry 0 casts ballots.json[0], entry 1
    // challenges ballots.json[CHALLENGED] (with that case's reveal), then the polls close.
    // Each entry's hash is recomputed from the §8.1 layout before the crate's is used.
    let genesis = amanat::board::genesis(&election);
    agree("board genesis", genesis_layout(&base).digest(), genesis.0)?;
    let mut entries = Vec::new();
    for (index, kind, received, case) in [
        (0u64, EntryKind::Cast, RECEIPT_TIME, 0usize),
        (1, EntryKind::Challenge, CHALLENGE_TIME, CHALLENGED),
    ] {
        let prev = entries
            .last()
            .map_or(genesis, |e: &amanat::BoardEntry| e.hash);
        let challenge = (kind == EntryKind::Challenge).then(|| cases[case].challenge.clone());
        let layout = entry_layout(
            &prev,
            index,
            kind,
            received,
            &cases[case].ballot.tracking().0,
            challenge.as_ref(),
        );
        let entry = amanat::BoardEntry::new(
            prev,
            index,
            kind,
            received.to_string(),
            cases[case].ballot.clone(),
            challenge,
        )?;
        agree("board entry hash", layout.digest(), entry.hash.0)?;
        entries.push(entry);
    }
    let head = amanat::board::check_chain(&election, &entries)?;

    // Draws 13 and 14: the nonces of the box's receipts for entry 0 (cast) and entry 1
    // (challenge), each signed over `kind|tracking|index|received|head` (§8.3).
    let mut receipts = Vec::new();
    for entry in &entries {
        let message = Receipt::message(
            entry.kind,
            &entry.tracking,
            entry.index,
            &entry.received,
            &entry.hash,
        );
        let receipt = Receipt {
            election: base,
            kind: entry.kind,
            tracking: entry.tracking,
            short: entry.short.clone(),
            index: entry.index,
            received: entry.received.clone(),
            head: entry.hash,
            signature: amanat::proofs::schnorr::sign(
                &base,
                amanat::receipt::RECEIPT_LABEL,
                message.as_bytes(),
                &box_secret,
                &box_key,
                &mut rng,
            ),
        };
        receipt.verify(&election)?;
        if !receipt.is_entry(entry) {
            return Err(format!("receipt {}: not its entry", entry.index).into());
        }
        agree(
            "receipt signature equation",
            G * receipt.signature.response,
            point_of(&receipt.signature.commitment)?
                + point_of(box_key.point())? * receipt_layout(&election, &receipt).scalar_out(),
        )?;
        receipts.push(receipt);
    }
    let challenge_receipt = receipts.pop().ok_or("no challenge receipt")?;
    let receipt = receipts.pop().ok_or("no cast receipt")?;

    // Draw 15: the nonce of the box's closing statement of the small board (§8.4).
    let closed_entries = entries.len() as u64;
    let closing = SignedHead {
        election: base,
        entries: closed_entries,
        head,
        closed: true,
        time: CLOSING_TIME.to_string(),
        signature: amanat::proofs::schnorr::sign(
            &base,
            amanat::receipt::HEAD_LABEL,
            SignedHead::message(closed_entries, &head, true, CLOSING_TIME).as_bytes(),
            &box_secret,
            &box_key,
            &mut rng,
        ),
    };
    closing.verify(&election)?;
    agree(
        "closing statement signature equation",
        G * closing.signature.response,
        point_of(&closing.signature.commitment)?
            + point_of(box_key.point())? * head_layout(&election, &closing).scalar_out(),
    )?;
    agree("closing head", closing.head, challenge_receipt.head)?;
    let board_transcripts = board_transcripts(
        &election,
        &entries,
        (&receipt, &challenge_receipt, &closing),
    )?;

    let expected = Expected {
        protocol: PROTOCOL,
        rng_seed: to_hex(&RNG_SEED),
        election_id: election_id.clone(),
        trustees: TRUSTEES,
        threshold: THRESHOLD,
        joint_secret: to_hex(joint_secret.as_bytes()),
        joint_public_key: joint_key,
        credentials_count: list.entries().len() as u64,
        credentials_digest: list.digest(),
        ballot_box_secret: to_hex(box_secret.expose().as_bytes()),
        ballot_box_key: box_key,
        base_hash: base,
        receipt,
        challenge_receipt,
        closing,
        unlisted_credential: UnlistedJson {
            code: unlisted_code.clone(),
            key: *unlisted.public_key(),
        },
        counted,
        tally,
        encrypted_tally,
    };

    let invalid = invalid_cases(&election, &list, &cases[0].ballot, &unlisted_ballot)?;
    let mut primitives = primitives(&election, &list, &cases, &codes, &joint_key)?;
    primitives.transcripts.extend(board_transcripts);

    Ok(vec![
        ("election.json", election.to_json() + "\n"),
        ("credentials.json", pretty(&list)?),
        ("expected.json", pretty(&expected)?),
        ("ballots.json", pretty(&cases)?),
        ("invalid.json", one_per_line(&invalid)?),
        ("primitives.json", pretty(&primitives)?),
    ])
}

fn invalid_cases(
    election: &Election,
    list: &CredentialList,
    good: &Ballot,
    unlisted: &Ballot,
) -> Res<Vec<InvalidCase>> {
    let g = |p: &Point| -> Res<Point> { Ok(wrap(point_of(p)? + G)) };
    let mut out = Vec::new();
    let mut tampered = |name: &'static str, stage: &'static str, error: &'static str, b: Ballot| {
        out.push(InvalidCase {
            name,
            stage,
            ballot: Some(b),
            ballot_json: None,
            error,
        });
    };
    const VF: &str = "VERIFICATION_FAILED";

    let mut b = good.clone();
    b.contests[0].selections[2].ciphertext.a = g(&b.contests[0].selections[2].ciphertext.a)?;
    tampered("ciphertext-a-plus-g", "verify", VF, b);
    let mut b = good.clone();
    b.contests[1].selections[7].ciphertext.b = g(&b.contests[1].selections[7].ciphertext.b)?;
    tampered("ciphertext-b-plus-g", "verify", VF, b);
    let mut b = good.clone();
    b.contests[0].selections[0].ciphertext = b.contests[0].selections[1].ciphertext;
    tampered("ciphertexts-swapped", "verify", VF, b);
    let mut b = good.clone();
    b.contests[1].selections[0].ciphertext.a = wrap(curve25519_dalek::RistrettoPoint::default());
    tampered("ciphertext-a-identity", "verify", VF, b);
    let mut b = good.clone();
    b.contests[0].selections[4].proof.responses[1] += Scalar::ONE;
    tampered("selection-proof-response-plus-one", "verify", VF, b);
    let mut b = good.clone();
    b.contests[0].selections[4].proof.challenges[0] += Scalar::ONE;
    tampered("selection-proof-challenge-plus-one", "verify", VF, b);
    let mut b = good.clone();
    b.contests[1].selections[3].proof.commitments[1].b =
        g(&b.contests[1].selections[3].proof.commitments[1].b)?;
    tampered("selection-proof-commitment-plus-g", "verify", VF, b);
    let mut b = good.clone();
    b.contests[1].proof.responses[0] += Scalar::ONE;
    tampered("contest-proof-response-plus-one", "verify", VF, b);
    let mut b = good.clone();
    b.contests[0].proof.commitments[0].a = g(&b.contests[0].proof.commitments[0].a)?;
    tampered("contest-proof-commitment-plus-g", "verify", VF, b);
    let mut b = good.clone();
    b.signature.response += Scalar::ONE;
    tampered("signature-response-plus-one", "verify", VF, b);
    let mut b = good.clone();
    b.signature.commitment = g(&b.signature.commitment)?;
    tampered("signature-commitment-plus-g", "verify", VF, b);
    let mut b = good.clone();
    b.election.0[0] ^= 1;
    tampered("wrong-election-hash", "verify", "WRONG_ELECTION", b);
    let mut b = good.clone();
    b.style = "NA-1".into();
    tampered("unknown-style", "verify", "UNKNOWN_STYLE", b);
    let mut b = good.clone();
    b.style = "NA-1".into();
    tampered(
        "style-not-the-credentials",
        "verify_listed",
        "CREDENTIAL_STYLE",
        b,
    );
    let mut b = good.clone();
    b.contests[1].selections.pop();
    tampered("missing-option", "verify", VF, b);
    let mut b = good.clone();
    b.contests[0].selections[0].id = "na-1-99".into();
    tampered("renamed-option", "verify", VF, b);
    let mut b = good.clone();
    b.contests.swap(0, 1);
    tampered("contests-swapped", "verify", VF, b);
    let mut b = good.clone();
    b.contests.pop();
    tampered("missing-contest", "verify", VF, b);
    let mut b = good.clone();
    b.credential = list
        .entries()
        .iter()
        .map(|e| e.key)
        .find(|k| *k != good.credential)
        .ok_or("no second credential")?;
    tampered("other-listed-credential", "verify_listed", VF, b);
    tampered(
        "unlisted-credential",
        "verify_listed",
        "UNKNOWN_CREDENTIAL",
        unlisted.clone(),
    );

    // Encoding errors: the raw JSON of the good ballot with one value replaced.
    let json = good.to_json();
    let a0 = good.contests[0].selections[0].ciphertext.a.to_hex();
    let r0 = to_hex(good.contests[0].selections[0].proof.responses[0].as_bytes());
    let cred = good.credential.to_hex();
    let base = good.election.to_hex();
    let raw: [(&'static str, String, &'static str); 10] = [
        (
            "non-canonical-point-field-prime",
            json.replacen(&a0, FIELD_PRIME_HEX, 1),
            "NON_CANONICAL",
        ),
        (
            "non-canonical-point-negative",
            json.replacen(&a0, NEGATIVE_POINT_HEX, 1),
            "NON_CANONICAL",
        ),
        (
            "non-canonical-scalar-group-order",
            json.replacen(&r0, GROUP_ORDER_HEX, 1),
            "NON_CANONICAL",
        ),
        (
            "identity-credential-key",
            json.replacen(&cred, IDENTITY_HEX, 1),
            "IDENTITY_POINT",
        ),
        (
            "uppercase-hex",
            json.replacen(&a0, &a0.to_uppercase(), 1),
            "BAD_ENCODING",
        ),
        (
            "short-election-hash",
            json.replacen(&base, &base[..126], 1),
            "BAD_ENCODING",
        ),
        (
            "wrong-protocol",
            json.replacen("\"amanat/2\"", "\"amanat/1\"", 1),
            "UNSUPPORTED_VERSION",
        ),
        (
            "unknown-field",
            json.replacen('{', "{\"extra\":1,", 1),
            "MALFORMED_JSON",
        ),
        (
            "missing-signature",
            match json.find(",\"signature\":") {
                Some(at) => format!("{}}}", &json[..at]),
                None => return Err("no signature in the ballot JSON".into()),
            },
            "MALFORMED_JSON",
        ),
        (
            "truncated",
            json[..json.len() / 2].to_string(),
            "MALFORMED_JSON",
        ),
    ];
    for (name, ballot_json, error) in raw {
        if ballot_json == json {
            return Err(format!("{name}: replacement did not apply").into());
        }
        out.push(InvalidCase {
            name,
            stage: "parse",
            ballot: None,
            ballot_json: Some(ballot_json),
            error,
        });
    }

    for case in &out {
        let json = match (&case.ballot, &case.ballot_json) {
            (Some(b), _) => b.to_json(),
            (None, Some(j)) => j.clone(),
            (None, None) => return Err("case without a ballot".into()),
        };
        let got = outcome(case.stage, &json, election, list);
        if got != Err(case.error) {
            return Err(format!("{}: expected {}, got {got:?}", case.name, case.error).into());
        }
    }
    if unlisted.verify(election).is_err() {
        return Err("the unlisted credential's ballot should be otherwise valid".into());
    }
    Ok(out)
}

fn primitives(
    election: &Election,
    list: &CredentialList,
    cases: &[BallotCase],
    codes: &[String],
    joint_key: &PublicKey,
) -> Res<Primitives> {
    let base = election.base_hash();
    let first = &cases[0];
    let b = &first.ballot;
    let mut transcripts = Vec::new();

    let mut t = Layout::new("vectors");
    transcripts.push(t.case("domain tag only", "-"));
    t.u32(7).str("").str("ab");
    transcripts.push(t.case("a u32, an empty item and a string", "-"));

    transcripts.push(
        credentials_layout(list).case("credential list digest", "expected.json credentials_digest"),
    );
    transcripts
        .push(election_layout(election).case("election base hash", "expected.json base_hash"));
    transcripts.push(body_layout(b).case(
        "ballot body digest of ballots.json[0]",
        "ballots.json[0].body_digest",
    ));
    let tr = tracking_layout(b);
    agree(
        "tracking",
        to_hex(&tr.digest()),
        first.tracking.full.clone(),
    )?;
    transcripts.push(tr.case(
        "tracking hash of ballots.json[0]",
        "ballots.json[0].tracking.full",
    ));

    // Signature challenge: s·G = R + c·K.
    let sig = signature_layout(b);
    agree(
        "signature equation",
        G * b.signature.response,
        point_of(&b.signature.commitment)? + point_of(b.credential.point())? * sig.scalar_out(),
    )?;
    transcripts.push(sig.case(
        "signature challenge of ballots.json[0] (scalar c: response·G = commitment + c·credential)",
        "scalar",
    ));

    // Selection and contest proof challenges: the sum of the proof's challenges.
    let sel = selection_layout(election, b, 0, 0);
    agree(
        "selection challenge",
        sel.scalar_out(),
        b.contests[0].selections[0].proof.challenges.iter().sum(),
    )?;
    transcripts.push(sel.case(
        "selection proof challenge of ballots.json[0] NA-1/na-1-01",
        "sum of ballots.json[0].ballot.contests[0].selections[0].proof.challenges",
    ));
    let con = contest_layout(election, b, 1)?;
    agree(
        "contest challenge",
        con.scalar_out(),
        b.contests[1].proof.challenges.iter().sum(),
    )?;
    transcripts.push(con.case(
        "contest proof challenge of ballots.json[0] PP-1",
        "sum of ballots.json[0].ballot.contests[1].proof.challenges",
    ));

    // Encryption nonces and ElGamal: r from the seed, (rG, vG + rK) is the ballot's ciphertext.
    let seed: [u8; 32] = amanat::encoding::from_hex::<32>(&first.seed, "seed")?;
    let mut elgamal = Vec::new();
    for (contest, option) in [(0usize, 0usize), (0, 1), (1, 0), (1, 19)] {
        let c = &b.contests[contest];
        let s = &c.selections[option];
        let n = nonce_layout(base, &seed, &c.id, &s.id);
        let r = n.scalar_out();
        let v = u32::from(first.selections[&c.id].contains(&s.id));
        let a = wrap(G * r);
        let bb = wrap(G * Scalar::from(v) + point_of(joint_key.point())? * r);
        agree("ciphertext", Ciphertext { a, b: bb }, s.ciphertext)?;
        let name = format!("encryption nonce of ballots.json[0] {}/{}", c.id, s.id);
        transcripts.push(n.case(&name, "scalar r of the elgamal case of the same option"));
        elgamal.push(ElGamalCase {
            name: format!("ballots.json[0] {}/{}", c.id, s.id),
            public_key: *joint_key,
            r: to_hex(r.as_bytes()),
            v,
            a,
            b: bb,
        });
    }

    // Credentials: code → payload → secret → public key.
    let mut credentials = Vec::new();
    for code in codes.iter().take(2) {
        let payload = code_payload(code)?;
        let layout = credential_layout(&election.manifest().election_id, &payload);
        let secret = layout.scalar_out();
        let derived = PublicKey::new(wrap(G * secret), "credential")?;
        agree(
            "credential key",
            derived,
            *Credential::from_code(election, code)?.public_key(),
        )?;
        credentials.push(CredentialCase {
            code: code.clone(),
            election_id: election.manifest().election_id.clone(),
            payload: to_hex(&payload),
            style_index: u16::from_be_bytes([payload[0], payload[1]]),
            secret: to_hex(secret.as_bytes()),
            public_key: derived,
        });
        transcripts.push(layout.case(
            &format!("credential key of {code}"),
            "scalar is the credential secret",
        ));
    }

    let mut hash_to_scalar = Vec::new();
    for d in [[0u8; 64], [0xff; 64], layout_digest("vectors", &[])] {
        hash_to_scalar.push(HashToScalar {
            digest: to_hex(&d),
            scalar: to_hex(Scalar::from_bytes_mod_order_wide(&d).as_bytes()),
        });
    }

    let code = &codes[0];
    let symbols: Vec<char> = code.chars().filter(|c| *c != '-').collect();
    let mut typo = symbols.clone();
    typo[5] = if typo[5] == 'A' { 'B' } else { 'A' };
    let mut swapped = symbols.clone();
    let i = (0..symbols.len() - 1)
        .find(|&i| symbols[i] != symbols[i + 1])
        .ok_or("no neighbours to swap")?;
    swapped.swap(i, i + 1);
    let inputs: Vec<String> = vec![
        code.clone(),
        code.to_lowercase(),
        code.replace('-', " "),
        code.replace('0', "O").replace('1', "l"),
        typo.iter().collect(),
        swapped.iter().collect(),
        code[..9].to_string(),
        String::new(),
        format!("{}U", &code[..4]),
        format!("{code}-0"),
    ];
    let code_checks = inputs
        .into_iter()
        .map(|input| {
            let (status, typed, position) = check_status(check_code(&input));
            CodeCheckCase {
                input,
                status,
                typed,
                position,
            }
        })
        .collect();

    let mut tracking_short = Vec::new();
    let mut counting = [0u8; 64];
    for (i, x) in counting.iter_mut().enumerate() {
        *x = i as u8;
    }
    for d in [[0u8; 64], [0xff; 64], counting] {
        let t = Tracking(Digest(d));
        tracking_short.push(ShortCodeCase {
            full: t.full(),
            short: t.short(),
        });
    }
    for c in cases {
        tracking_short.push(ShortCodeCase {
            full: c.tracking.full.clone(),
            short: c.tracking.short.clone(),
        });
    }

    let short = cases[0].tracking.short.clone();
    let normalize_inputs: [&'static str; 6] = [
        "abcd-efgh-jkmn",
        "ABCD EFGH JKMN",
        "oilo-0000-zzzz",
        "ABCD-EFGH-JKM",
        "ABCD-EFGH-JKMU",
        "ABCD-EFGH-JKMN-P",
    ];
    let mut normalize_short = Vec::new();
    for input in normalize_inputs {
        let r = normalize_short_code(input);
        normalize_short.push(NormalizeCase {
            input,
            output: r.as_ref().ok().cloned(),
            error: r.err().map(|e| e.code()),
        });
    }
    if normalize_short_code(&short.to_lowercase())? != short {
        return Err("a lowercase tracking code should normalise to itself".into());
    }

    Ok(Primitives {
        transcripts,
        hash_to_scalar,
        elgamal,
        credentials,
        code_checks,
        tracking_short,
        normalize_short,
    })
}

fn main() {
    let check = std::env::args().any(|a| a == "--check");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let files = match generate() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("vectors: {e}");
            std::process::exit(2);
        }
    };
    let mut differ = false;
    for (name, contents) in files {
        let path = dir.join(name);
        if check {
            let same = std::fs::read_to_string(&path).is_ok_and(|old| old == contents);
            println!(
                "{} {}",
                if same { "same   " } else { "DIFFERS" },
                path.display()
            );
            differ |= !same;
        } else if let Err(e) = std::fs::write(&path, contents) {
            eprintln!("vectors: cannot write {}: {e}", path.display());
            std::process::exit(2);
        } else {
            println!("wrote {}", path.display());
        }
    }
    if differ {
        std::process::exit(1);
    }
}
