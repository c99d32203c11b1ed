//! The verifier's numbered checks V1–V13 (docs/record.md §5), one function each, and
//! [`Verifier`], which runs them on a record whose board arrives entry by entry.
//!
//! A [`Verifier`] is made from the record's small documents (V1–V3 run then), is given the
//! board's header and then its entries in board order, batch after batch (V4, V5, V6, V13
//! advance with each batch), and finishes with V7–V12. [`Verifier::entry_checks`] is the
//! expensive part (every ballot's proofs, every reveal) and takes `&self`: a caller with
//! threads runs it on several batches at once and pushes the results in order.
//! [`verify_record`] does it all in one thread, calling back with progress.

use std::collections::BTreeSet;

use amanat::{BoardEntry, CredentialList, Digest, Election, EntryKind};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::Scalar;
use serde::{Deserialize, Serialize};

use crate::board::{check_closing, BoardHeader, Chain, EntrySummary};
use crate::counting::{
    tracking_key, verify_batch, BoardScan, Listed, ScanEntry, Selection, Sums, SumsWire,
    TrackingKey, VERIFY_BATCH,
};
use crate::decryption::{check_trustee, combine_all};
use crate::documents::{names, Counts, Decryption, ResultsFile, Tally};
use crate::error::{bounded, Problems, RecordError};
use crate::threshold::Ceremony;

/// The numbered checks: id and name.
pub const CHECKS: [(&str, &str); 13] = [
    ("V1", "election definition and base hash"),
    ("V2", "key ceremony transcript"),
    ("V3", "credential list"),
    ("V4", "board chain"),
    ("V5", "every ballot on the board"),
    ("V6", "challenged ballots"),
    ("V7", "counted ballots"),
    ("V8", "aggregates"),
    ("V9", "decryption shares"),
    ("V10", "combined decryptions"),
    ("V11", "results"),
    ("V12", "results within bounds"),
    ("V13", "board rules"),
];

/// The outcome of one numbered check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckOutcome {
    /// `"V1"` … `"V13"`.
    pub id: &'static str,
    /// What is checked.
    pub name: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// Counts on success, the first problems on failure.
    pub detail: String,
}

/// The verifier's report (`amanat verify --json` prints it).
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Whether every check passed.
    pub ok: bool,
    /// The checks in order.
    pub checks: Vec<CheckOutcome>,
    /// The record's results (as published; trustworthy only when `ok`).
    pub results: Counts,
}

impl Report {
    /// The check with this id.
    pub fn check(&self, id: &str) -> Option<&CheckOutcome> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The ids of the failed checks.
    pub fn failed(&self) -> Vec<&'static str> {
        self.checks.iter().filter(|c| !c.ok).map(|c| c.id).collect()
    }
}

/// A check's result: its detail on success, what fails on failure.
pub type Outcome = Result<String, String>;

fn needs(what: &str) -> String {
    format!("not checked: {what}")
}

/// The record's documents other than the board, each as its text or why it could not be
/// read (e.g. `"tally.json: No such file or directory"`).
#[derive(Clone, Debug)]
pub struct RecordDocs {
    /// `election.json`.
    pub election: Result<String, String>,
    /// `ceremony.json`.
    pub ceremony: Result<String, String>,
    /// `credentials.json`.
    pub credentials: Result<String, String>,
    /// `tally.json`.
    pub tally: Result<String, String>,
    /// `decryption.json`.
    pub decryption: Result<String, String>,
    /// `results.json`.
    pub results: Result<String, String>,
}

fn parse<T>(
    doc: &Result<String, String>,
    name: &str,
    f: impl FnOnce(&str) -> Result<T, RecordError>,
) -> Result<T, String> {
    match doc {
        Err(e) => Err(e.clone()),
        Ok(text) => f(text).map_err(|e| format!("{name}: {e}")),
    }
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, RecordError> {
    Ok(amanat::encoding::from_json(text)?)
}

/// V1 (docs/record.md §5): `election.json` parses as protocol `amanat/2`, its manifest
/// validates, `1 ≤ k ≤ n ≤ 255`, the ballot box key is a canonical, non-identity public key,
/// and the base hash is recomputed (protocol.md §3.2). Parsing does all of it.
pub fn check_election_definition(election: &Result<Election, String>) -> Outcome {
    election
        .as_ref()
        .map(|e| {
            format!(
                "election {}, {} contests, {} ballot styles, ballot box key {}, base hash {}",
                e.manifest().election_id,
                e.manifest().contests.len(),
                e.manifest().ballot_styles.len(),
                &e.ballot_box_key().to_hex()[..16],
                &e.base_hash().to_hex()[..16]
            )
        })
        .map_err(Clone::clone)
}

/// V2 (docs/record.md §5; ceremony.md §6): the ceremony transcript verifies (every proof of
/// knowledge, share signature, complaint and verdict, the qualified set, the joint key and
/// public shares), and the election's id, `n`, `k` and joint key are the ceremony's.
pub fn check_ceremony_transcript(
    ceremony: &Result<Ceremony, String>,
    election: Option<&Election>,
) -> Outcome {
    match (ceremony, election) {
        (Err(e), _) => Err(e.clone()),
        (_, None) => Err(needs("V1")),
        (Ok(c), Some(e)) => c
            .verify()
            .and_then(|()| c.check_election(e))
            .map(|()| {
                format!(
                    "{} trustees, threshold {}, qualified {:?}, {} complaints; joint key and public shares recomputed",
                    c.params().trustees,
                    c.params().threshold,
                    c.qualified(),
                    c.complaints().len()
                )
            })
            .map_err(|e| e.to_string()),
    }
}

/// V3 (docs/record.md §5; protocol.md §3.3): `credentials.json` parses (sorted, no
/// duplicate key), its count and digest equal the election's summary.
pub fn check_credential_list(
    list: &Result<CredentialList, String>,
    election: Option<&Election>,
) -> Outcome {
    match (list, election) {
        (Err(e), _) => Err(e.clone()),
        (_, None) => Err(needs("V1")),
        (Ok(l), Some(e)) => l
            .check_against(e)
            .map(|()| format!("{} credentials, digest matches the election", l.len()))
            .map_err(|e| RecordError::from(e).to_string()),
    }
}

/// V4's end (docs/record.md §5; protocol.md §8.2, §8.4): the chain checked entry by entry
/// ([`Chain`]) linked and ends at the recorded head, and the closing statement verifies
/// under the election's ballot box key, says closed and names exactly this board.
pub fn check_board_chain(
    chain: Result<Chain, String>,
    header: &BoardHeader,
    election: &Election,
) -> Outcome {
    let entries = chain?.finish().map_err(|e| e.to_string())?;
    let c = check_closing(election, header.closing.as_ref(), entries, &header.head)
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "{entries} entries link from the genesis hash to head {}; the box's closing \
         statement ({}) names this board",
        &header.head.to_hex()[..16],
        c.time
    ))
}

/// V5 (docs/record.md §5): every ballot on the board, cast or challenged, verifies
/// (`Ballot::verify_listed`, batched with `Ballot::verify_many`): election binding, style,
/// every 0/1 and range proof, the signature, the credential listed for the style.
///
/// The detail holds counts only, never the time it took: the report is the same document
/// on every machine (the tools print their speed beside it).
pub fn check_every_ballot(bad: &Problems, cast: u64, challenged: u64) -> Outcome {
    if !bad.is_empty() {
        return Err(bad.text());
    }
    Ok(format!(
        "{} ballots verified ({cast} cast, {challenged} challenged)",
        cast + challenged
    ))
}

/// V6 for one challenge entry (docs/record.md §5; protocol.md §7.6): its reveal re-encrypts
/// to exactly its ballot's ciphertexts (`Challenge::check`). The other half of V6, that it
/// is not counted, is [`Verifier::push`]'s.
pub fn check_reveal(election: &Election, entry: &BoardEntry) -> Result<(), String> {
    match &entry.challenge {
        Some(c) => c
            .check(election, &entry.ballot)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        None => Err("no reveal".into()),
    }
}

/// V6 (docs/record.md §5): each challenge entry's reveal matches its ballot, and its
/// tracking hash is not in the tally's `counted`.
pub fn check_challenged_ballots(bad: &Problems, challenged: u64) -> Outcome {
    if bad.is_empty() {
        Ok(format!(
            "{challenged} reveals match their ballots; none counted"
        ))
    } else {
        Err(bad.text())
    }
}

/// A list as V7 compares it (docs/record.md §6): its length and a SHA-512 transcript of its
/// items in order, each the key of its tracking hash ([`tracking_key`]) and, for
/// `rejected`, its index and code. Two lists with the same digest are the same list (up to a
/// collision of SHA-512 or of the keys, about 2^128 work), and the tally's lists are kept so
/// instead of 64 bytes and more per listed ballot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListDigest {
    len: usize,
    digest: [u8; 64],
}

impl ListDigest {
    fn of<'a>(
        name: &str,
        items: impl Iterator<Item = (u64, TrackingKey, Option<&'a str>)>,
    ) -> ListDigest {
        let mut t = amanat::Transcript::new(&format!("tally-list/{name}"));
        let mut len = 0usize;
        for (index, key, code) in items {
            if let Some(code) = code {
                t.bytes(&index.to_be_bytes());
                t.bytes(&key);
                t.str(code);
            } else {
                t.bytes(&key);
            }
            len += 1;
        }
        t.bytes(&(len as u64).to_be_bytes());
        ListDigest {
            len,
            digest: t.digest(),
        }
    }

    /// A list of tracking hashes (`counted`, `superseded`, `challenged`) as written.
    fn of_hashes(name: &str, list: &[Digest]) -> ListDigest {
        ListDigest::of(name, list.iter().map(|d| (0, tracking_key(d), None)))
    }

    /// A list of the selection (its tracking hashes' keys).
    fn of_listed(name: &str, list: impl Iterator<Item = Listed>) -> ListDigest {
        ListDigest::of(name, list.map(|l| (0, l.key, None)))
    }

    /// How many items the list has.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The tally's `counted` list as the verifier keeps it across the board (docs/record.md §6):
/// its [`ListDigest`] (what V7 compares) and the keys of its tracking hashes, sorted, with
/// whether that ballot was summed yet (what V6 and V8 look up): 33 bytes per counted ballot
/// instead of the list's 64 and a hash map's.
///
/// Looking up keys is sound: V8 is reported only when V7 shows the list is exactly the
/// board's counted tracking hashes, and two tracking hashes sharing a key would take about
/// 2^128 work.
#[derive(Clone, Debug)]
pub struct CountedList {
    listed: ListDigest,
    sorted: Vec<TrackingKey>,
    summed: Vec<bool>,
}

impl CountedList {
    /// The compact form of a tally's `counted`.
    pub fn new(counted: &[amanat::Digest]) -> CountedList {
        let mut sorted: Vec<TrackingKey> = counted.iter().map(tracking_key).collect();
        sorted.sort_unstable();
        let summed = vec![false; sorted.len()];
        CountedList {
            listed: ListDigest::of_hashes("counted", counted),
            sorted,
            summed,
        }
    }

    /// How many tracking hashes the tally lists as counted.
    pub fn len(&self) -> usize {
        self.listed.len
    }

    /// Whether the tally counts no ballot.
    pub fn is_empty(&self) -> bool {
        self.listed.len == 0
    }

    /// Whether the list is exactly these entries' tracking hashes, in this order.
    pub fn is(&self, listed: impl Iterator<Item = Listed>) -> bool {
        ListDigest::of_listed("counted", listed) == self.listed
    }

    fn position(&self, tracking: &amanat::Digest) -> Option<usize> {
        self.sorted.binary_search(&tracking_key(tracking)).ok()
    }

    /// Whether a tracking hash is listed.
    pub fn contains(&self, tracking: &amanat::Digest) -> bool {
        self.position(tracking).is_some()
    }

    /// Whether a tracking hash is listed and not yet marked summed; marks it.
    fn first_sum(&mut self, tracking: &amanat::Digest) -> bool {
        match self.position(tracking).and_then(|i| self.summed.get_mut(i)) {
            Some(s) if !*s => {
                *s = true;
                true
            }
            _ => false,
        }
    }
}

/// The tally's four lists of board entries as the verifier keeps them while it reads the
/// board: `counted` for V6 and V8's lookups, the others as digests; all that V7 compares.
#[derive(Clone, Debug)]
pub struct TallyLists {
    /// `counted`.
    pub counted: CountedList,
    superseded: ListDigest,
    challenged: ListDigest,
    rejected: ListDigest,
}

impl TallyLists {
    /// Takes the lists out of `tally` (left empty): the rest of the tally is small.
    pub fn take(tally: &mut Tally) -> TallyLists {
        let counted = CountedList::new(&std::mem::take(&mut tally.counted));
        let superseded =
            ListDigest::of_hashes("superseded", &std::mem::take(&mut tally.superseded));
        let challenged =
            ListDigest::of_hashes("challenged", &std::mem::take(&mut tally.challenged));
        let rejected = std::mem::take(&mut tally.rejected);
        let rejected = ListDigest::of(
            "rejected",
            rejected
                .iter()
                .map(|r| (r.index, tracking_key(&r.tracking), Some(r.code.as_str()))),
        );
        TallyLists {
            counted,
            superseded,
            challenged,
            rejected,
        }
    }
}

/// V7 (docs/record.md §3, §5): the selection recomputed from V5's results (eligible, latest
/// per credential) equals `counted` (kept as a [`CountedList`]), `superseded`, `challenged`
/// and `rejected` of the tally, and the tally names this election and this board (head and
/// entry count).
pub fn check_counted_ballots(
    selection: &Selection,
    tally: &Tally,
    lists: &TallyLists,
    election: &Election,
    header: &BoardHeader,
    entries: u64,
) -> Outcome {
    let mut bad = Problems::new();
    if tally.election != *election.base_hash() {
        bad.push("the tally is for another election".to_string());
    }
    if tally.board_head != header.head || tally.board_entries != entries {
        bad.push("the tally was made from another board".to_string());
    }
    let counts = (
        selection.counted().count(),
        selection.superseded().count(),
        selection.challenged().count(),
        selection.rejected().count(),
    );
    let counted = &lists.counted;
    if !counted.is(selection.counted()) {
        bad.push(format!(
            "the tally counts {} ballots, the board gives {}{}",
            counted.len(),
            counts.0,
            if counted.len() == counts.0 {
                " (different ones)"
            } else {
                ""
            }
        ));
    }
    if ListDigest::of_listed("superseded", selection.superseded()) != lists.superseded {
        bad.push("the replaced ballots differ".to_string());
    }
    if ListDigest::of_listed("challenged", selection.challenged()) != lists.challenged {
        bad.push("the challenged ballots differ".to_string());
    }
    let rejected = ListDigest::of(
        "rejected",
        selection
            .rejected()
            .map(|(l, code)| (l.index, l.key, Some(code))),
    );
    if rejected != lists.rejected {
        bad.push("the rejected ballots differ".to_string());
    }
    if bad.is_empty() {
        Ok(format!(
            "{} counted (latest per credential), {} replaced by a later ballot, {} challenged, {} rejected",
            counts.0, counts.1, counts.2, counts.3
        ))
    } else {
        Err(bad.text())
    }
}

/// V8 (docs/record.md §3, §5): every option's aggregate and every contest's `ballots`,
/// recomputed as the homomorphic sums over the counted ballots, equal the tally's. The sums
/// are taken in the same pass over the board as the other checks, over the ballots the tally
/// lists as counted; V7 shows those are the ones §3 counts (if V7 fails, this is not
/// checked).
pub fn check_aggregates(sums: &Sums, tally: &Tally, election: &Election) -> Outcome {
    let again = sums.finish(election);
    let mut bad = Problems::new();
    if again.len() != tally.contests.len() {
        bad.push("the tally's contests differ from the manifest's".into());
    } else {
        for (a, r) in again.iter().zip(&tally.contests) {
            if a != r {
                bad.push(format!("contest {}", a.id));
            }
        }
    }
    if bad.is_empty() {
        let n: usize = again.iter().map(|c| c.options.len()).sum();
        Ok(format!(
            "{n} option sums over {} contests recomputed",
            again.len()
        ))
    } else {
        Err(format!("aggregates differ: {}", bad.text()))
    }
}

/// V9 (docs/record.md §5; ceremony.md §7): `decryption.json` names this election, its
/// trustees are in strictly ascending index order and at least `k`, and each trustee's
/// document has one share per aggregate with the tally's labels in order, every
/// Chaum–Pedersen proof verifying against the transcript's public share.
pub fn check_decryption_shares(
    decryption: &Decryption,
    election: &Election,
    ceremony: &Ceremony,
    tally: &Tally,
) -> Outcome {
    let items = tally.items();
    let mut bad = Problems::new();
    if decryption.election != *election.base_hash() {
        bad.push("the decryption is for another election".to_string());
    }
    let distinct: BTreeSet<u32> = decryption.trustees.iter().map(|x| x.trustee).collect();
    // docs/documents.md: the trustees in strictly ascending index order (which also rules out
    // a trustee appearing twice).
    if !decryption
        .trustees
        .windows(2)
        .all(|w| w[0].trustee < w[1].trustee)
    {
        bad.push(if distinct.len() != decryption.trustees.len() {
            "a trustee appears twice".into()
        } else {
            "the trustees are not in ascending index order".into()
        });
    }
    if (distinct.len() as u32) < election.threshold() {
        bad.push(format!(
            "{} trustees, the threshold is {}",
            distinct.len(),
            election.threshold()
        ));
    }
    for doc in &decryption.trustees {
        if let Err(err) = check_trustee(election, ceremony, &items, doc) {
            bad.push(format!("trustee {}: {err}", doc.trustee));
        }
    }
    if bad.is_empty() {
        Ok(format!(
            "{} shares from trustees {:?} verified (threshold {})",
            items.len() * decryption.trustees.len(),
            distinct,
            election.threshold()
        ))
    } else {
        Err(bad.text())
    }
}

/// V10 (docs/record.md §5): `b − Σ λ_j·D_j` over the participating trustees equals each
/// recorded combined value.
pub fn check_combined_decryptions(
    decryption: &Decryption,
    ceremony: &Ceremony,
    tally: &Tally,
) -> Outcome {
    let items = tally.items();
    match combine_all(ceremony, &items, &decryption.trustees) {
        Err(e) => Err(e.to_string()),
        Ok(again) if again.len() != decryption.combined.len() => {
            Err("the number of combined values differs".into())
        }
        Ok(again) => {
            let mut bad = Problems::new();
            for (a, r) in again.iter().zip(&decryption.combined) {
                if a != r {
                    bad.push(a.label.clone());
                }
            }
            if bad.is_empty() {
                Ok(format!("{} combined values recomputed", again.len()))
            } else {
                Err(format!("combined values differ: {}", bad.text()))
            }
        }
    }
}

/// V11 (docs/record.md §5): `results.json` has exactly the tally's contests and options,
/// and each count `v` satisfies `v·G` = the combined value.
pub fn check_results(results: &ResultsFile, decryption: &Decryption, tally: &Tally) -> Outcome {
    let mut bad = Problems::new();
    let mut values = decryption.combined.iter();
    let mut n = 0usize;
    for c in &tally.contests {
        let row = results.results.get(&c.id);
        if row.map(|row| row.len()) != Some(c.options.len()) {
            bad.push(format!("contest {}: options differ", c.id));
        }
        for o in &c.options {
            n += 1;
            let count = row.and_then(|row| row.get(&o.id));
            match (count, values.next()) {
                (Some(&v), Some(value)) if G * Scalar::from(v) == *value.value.point() => {}
                (_, _) => bad.push(format!("{}/{}", c.id, o.id)),
            }
        }
    }
    if results.results.len() != tally.contests.len() {
        bad.push("the results' contests differ from the tally's".into());
    }
    if bad.is_empty() {
        Ok(format!("{n} counts match their decryptions"))
    } else {
        Err(format!("counts that do not match: {}", bad.text()))
    }
}

/// V12 (docs/record.md §5): per contest, each option's count is at most the ballots holding
/// it, and the total lies between `ballots × min_selections` and `ballots × max_selections`.
pub fn check_results_within_bounds(
    results: &ResultsFile,
    tally: &Tally,
    election: &Election,
) -> Outcome {
    let mut bad = Problems::new();
    for c in &tally.contests {
        let Ok(def) = election.manifest().contest(&c.id) else {
            bad.push(format!("unknown contest {}", c.id));
            continue;
        };
        let row = results.results.get(&c.id);
        let total: u64 = row.map_or(0, |row| row.values().sum());
        let (lo, hi) = (
            c.ballots.saturating_mul(u64::from(def.min_selections)),
            c.ballots.saturating_mul(u64::from(def.max_selections)),
        );
        if total < lo || total > hi {
            bad.push(format!(
                "{}: {total} votes from {} ballots (allowed {lo}..={hi})",
                c.id, c.ballots
            ));
        }
        if row.is_some_and(|row| row.values().any(|&v| v > c.ballots)) {
            bad.push(format!("{}: an option has more votes than ballots", c.id));
        }
    }
    if bad.is_empty() {
        Ok(format!(
            "{} contests within their selection limits",
            tally.contests.len()
        ))
    } else {
        Err(bad.text())
    }
}

/// V13 (docs/record.md §5.3): the board's rules the chain alone does not show, as the
/// [`BoardScan`] found them: each tracking hash at most once per kind, none both cast and
/// challenged, every time of the board's form and none earlier than the one before it.
pub fn check_board_rules(breaks: &Problems, entries: u64) -> Outcome {
    if breaks.is_empty() {
        Ok(format!(
            "{entries} entries: each tracking hash at most once per kind, none both cast and \
             challenged, times in order"
        ))
    } else {
        Err(breaks.text())
    }
}

/// Why a ballot did not verify: the core error's stable code and its message. Unlike
/// [`amanat::Error`] it serializes, so a check made in another thread or a browser's Web
/// Worker can be sent back to the [`Verifier`] as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BallotFailure {
    /// The core error's code ([`amanat::Error::code`]), e.g. `VERIFICATION_FAILED`.
    pub code: String,
    /// The core error's message.
    pub message: String,
}

impl From<amanat::Error> for BallotFailure {
    fn from(e: amanat::Error) -> BallotFailure {
        BallotFailure {
            code: e.code().to_string(),
            message: e.to_string(),
        }
    }
}

/// What the expensive part of the checks found for one entry: its ballot's verification
/// (V5) and, for a challenge entry, its reveal's (V6). `None` when the inputs needed
/// (V1 and V3) are missing. Serializes, to cross a worker boundary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryCheck {
    /// The ballot's verification.
    pub ballot: Option<Result<(), BallotFailure>>,
    /// The reveal's check, for a challenge entry.
    pub reveal: Option<Result<(), String>>,
}

/// The expensive part of V5 and V6 for consecutive entries (what [`Verifier::entry_checks`]
/// runs): every ballot verified against `election` and `list`, in batches of
/// [`VERIFY_BATCH`], and every reveal. Without the election or the list (V1 or V3 failed)
/// the ballots are not checked; without the election neither are the reveals.
///
/// `list` may be the whole credential list or only the part that lists these entries'
/// credentials ([`Verifier::plan_batch`]): a ballot's check looks up its own
/// credential alone, so the outcome is the same, and a worker verifying one batch needs
/// neither the memory nor the copy of a list of millions.
pub fn check_entries(
    election: Option<&Election>,
    list: Option<&CredentialList>,
    entries: &[BoardEntry],
) -> Vec<EntryCheck> {
    let reveal = |e: &BoardEntry| match election {
        Some(election) if e.kind == EntryKind::Challenge => Some(check_reveal(election, e)),
        _ => None,
    };
    let (Some(election), Some(list)) = (election, list) else {
        return entries
            .iter()
            .map(|e| EntryCheck {
                ballot: None,
                reveal: reveal(e),
            })
            .collect();
    };
    let mut out = Vec::with_capacity(entries.len());
    for chunk in entries.chunks(VERIFY_BATCH) {
        for (e, ballot) in chunk.iter().zip(verify_batch(election, list, chunk)) {
            out.push(EntryCheck {
                ballot: Some(ballot.map_err(BallotFailure::from)),
                reveal: reveal(e),
            });
        }
    }
    out
}

/// The board as the verifier goes through it.
struct Pass {
    header: BoardHeader,
    chain: Result<Chain, String>,
    scan: BoardScan,
    bad_ballots: Problems,
    bad_reveals: Problems,
    cast: u64,
    challenged: u64,
    /// The tally's lists, compact.
    lists: Option<TallyLists>,
    sums: Option<Sums>,
}

impl Pass {
    /// Whether a cast entry goes into V8's sums: its tracking hash is in the tally's counted
    /// list and was not summed before (marks it).
    fn sums_next(&mut self, kind: EntryKind, tracking: &Digest) -> bool {
        kind == EntryKind::Cast
            && self.sums.is_some()
            && self
                .lists
                .as_mut()
                .is_some_and(|l| l.counted.first_sum(tracking))
    }

    /// V5, V6 and V13's part of one entry, and the counting rules.
    fn record(&mut self, list: Option<&CredentialList>, e: ScanEntry<'_>, check: EntryCheck) {
        match e.kind {
            EntryKind::Cast => self.cast += 1,
            EntryKind::Challenge => self.challenged += 1,
        }
        if let Some(Err(err)) = &check.ballot {
            self.bad_ballots
                .push(format!("entry {}: {}", e.index, err.message));
        }
        if e.kind == EntryKind::Challenge {
            let reveal = check
                .reveal
                .as_ref()
                .and_then(|r| r.as_ref().err().cloned());
            let counted = self
                .lists
                .as_ref()
                .is_some_and(|l| l.counted.contains(e.tracking))
                .then(|| "counted although challenged".to_string());
            if let Some(why) = reveal.or(counted) {
                self.bad_reveals
                    .push(format!("entry {} ({}): {why}", e.index, e.short));
            }
        }
        match (list, &check.ballot) {
            (Some(list), Some(ballot)) => {
                let code = ballot.as_ref().err().map(|f| f.code.as_str());
                self.scan.push_code(list, e, code);
            }
            _ => self.scan.push_unverified_scan(e),
        }
    }
}

/// The listed ones of distinct `keys`, with their styles, as a list of their own.
fn part_of(list: &CredentialList, keys: Vec<&amanat::PublicKey>) -> CredentialList {
    let listed = keys
        .into_iter()
        .filter_map(|key| {
            list.style_of(key).map(|style| amanat::CredentialEntry {
                key: *key,
                style: style.to_string(),
            })
        })
        .collect();
    // The keys are distinct and come from a valid list: building cannot fail; if it somehow
    // did, an empty part makes every ballot UNKNOWN_CREDENTIAL, never a pass.
    CredentialList::new(listed).unwrap_or_default()
}

/// What a worker needs for a batch besides its lines ([`Verifier::plan_batch`]).
#[derive(Clone, Debug)]
pub struct BatchPlan {
    /// The part of the credential list the batch's ballots need; `None` when V3 failed.
    pub credentials: Option<CredentialList>,
    /// Per line, whether its ballot goes into V8's sums.
    pub sum: Vec<bool>,
}

/// What a worker sends back for a batch of entries ([`check_batch`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchOutcome {
    /// Each entry's checks.
    pub checks: Vec<EntryCheck>,
    /// Each entry's summary.
    pub summaries: Vec<EntrySummary>,
    /// The sums of the entries chosen by [`Verifier::plan_sums`].
    pub sums: SumsWire,
}

/// A worker's whole share of a batch: [`check_entries`] (with the batch's part of the
/// credential list), each entry's [`EntrySummary`], and the sums of the entries `sum`
/// marks (from [`Verifier::plan_sums`]). The verifier then needs no ballot of the batch.
pub fn check_batch(
    election: &Election,
    list: &CredentialList,
    entries: &[BoardEntry],
    sum: &[bool],
) -> BatchOutcome {
    let mut sums = Sums::new(election);
    for (e, _) in entries.iter().zip(sum).filter(|(_, &s)| s) {
        sums.add(&e.ballot);
    }
    BatchOutcome {
        checks: check_entries(Some(election), Some(list), entries),
        summaries: entries.iter().map(EntrySummary::of).collect(),
        sums: sums.to_wire(),
    }
}

/// The verifier of one record, its board given entry by entry (see the module's doc).
pub struct Verifier {
    election: Option<Election>,
    list: Option<CredentialList>,
    ceremony: Option<Ceremony>,
    tally: Result<Tally, String>,
    lists: Option<TallyLists>,
    decryption: Result<Decryption, String>,
    results: Result<ResultsFile, String>,
    outcomes: Vec<Outcome>,
    board: Result<Pass, String>,
}

impl Verifier {
    /// Parses the record's documents and runs V1, V2 and V3.
    pub fn new(docs: &RecordDocs) -> Verifier {
        Verifier::read(|name| match name {
            names::ELECTION => &docs.election,
            names::CEREMONY => &docs.ceremony,
            names::CREDENTIALS => &docs.credentials,
            names::TALLY => &docs.tally,
            names::DECRYPTION => &docs.decryption,
            _ => &docs.results,
        })
    }

    /// [`Verifier::new`] with the documents asked for one at a time, by file name, in the
    /// order `election.json`, `ceremony.json`, `credentials.json`, `tally.json`,
    /// `decryption.json`, `results.json`: each is parsed and its text let go before the next
    /// is asked for, so a caller that reads files need never hold two large ones (the
    /// credential list and the tally grow with the voters) at once.
    pub fn read<D: std::borrow::Borrow<Result<String, String>>>(
        mut load: impl FnMut(&'static str) -> D,
    ) -> Verifier {
        let election = parse(load(names::ELECTION).borrow(), names::ELECTION, |t| {
            Ok(Election::from_json(t)?)
        });
        let v1 = check_election_definition(&election);
        let election = election.ok();
        let ceremony = parse(load(names::CEREMONY).borrow(), names::CEREMONY, |t| {
            Ok(Ceremony::from_json(t)?)
        });
        let v2 = check_ceremony_transcript(&ceremony, election.as_ref());
        let ceremony = ceremony.ok().filter(|_| v2.is_ok());
        let list = parse(load(names::CREDENTIALS).borrow(), names::CREDENTIALS, |t| {
            Ok(CredentialList::from_json(t)?)
        });
        let v3 = check_credential_list(&list, election.as_ref());
        let list = list.ok().filter(|_| v3.is_ok());
        let mut tally = parse(load(names::TALLY).borrow(), names::TALLY, json::<Tally>);
        // The lists are kept compact; the rest of the tally is small.
        let lists = tally.as_mut().ok().map(TallyLists::take);
        Verifier {
            election,
            list,
            ceremony,
            tally,
            lists,
            decryption: parse(
                load(names::DECRYPTION).borrow(),
                names::DECRYPTION,
                json::<Decryption>,
            ),
            results: parse(
                load(names::RESULTS).borrow(),
                names::RESULTS,
                json::<ResultsFile>,
            ),
            outcomes: vec![v1, v2, v3],
            board: Err(needs(names::BOARD)),
        }
    }

    /// The board's header, or why the board could not be read; before any entry.
    pub fn begin_board(&mut self, header: Result<BoardHeader, String>) {
        self.board = header.map(|header| {
            let chain = match &self.election {
                None => Err(needs("V1")),
                Some(e) => Chain::new(e, &header).map_err(|e| e.to_string()),
            };
            let lists = self.lists.take();
            let mut scan = match &self.list {
                Some(list) => BoardScan::new(list),
                None => BoardScan::rules_only(),
            };
            scan.expect(header.entries);
            Pass {
                header,
                chain,
                scan,
                bad_ballots: Problems::new(),
                bad_reveals: Problems::new(),
                cast: 0,
                challenged: 0,
                lists,
                sums: self.election.as_ref().map(Sums::new),
            }
        });
    }

    /// The board could not be read to its end (an unreadable or malformed entry): the
    /// checks that need the board report `why`.
    pub fn board_failed(&mut self, why: String) {
        self.board = Err(why);
    }

    /// Whether the verifier has what it needs to verify ballots (V1 and V3 passed).
    pub fn checks_ballots(&self) -> bool {
        self.election.is_some() && self.list.is_some()
    }

    /// The expensive part of V5 and V6 for consecutive entries: every ballot verified, in
    /// batches of [`VERIFY_BATCH`], and every reveal ([`check_entries`] with the record's
    /// election and credential list). Pure: a caller with threads runs it on several slices
    /// at once, then gives each result to [`Verifier::push`] in board order.
    pub fn entry_checks(&self, entries: &[BoardEntry]) -> Vec<EntryCheck> {
        check_entries(self.election.as_ref(), self.list.as_ref(), entries)
    }

    /// The election, when V1 passed: what a worker running [`check_batch`] needs besides
    /// the lines and [`Verifier::plan_batch`]'s plan.
    pub fn election(&self) -> Option<&Election> {
        self.election.as_ref()
    }

    /// The next entries in board order with their [`Verifier::entry_checks`].
    pub fn push(&mut self, entries: &[BoardEntry], checks: Vec<EntryCheck>) {
        let Ok(pass) = &mut self.board else {
            return;
        };
        for (e, check) in entries.iter().zip(checks) {
            if let Ok(chain) = &mut pass.chain {
                chain.push(e);
            }
            if pass.sums_next(e.kind, &e.tracking) {
                if let Some(sums) = &mut pass.sums {
                    sums.add(&e.ballot);
                }
            }
            pass.record(self.list.as_ref(), ScanEntry::from(e), check);
        }
    }

    /// What a worker needs to check the next batch of entry lines in board order with
    /// [`check_batch`], read from the lines without parsing their ballots (each line's kind,
    /// recorded tracking hash and credential only): the part of the credential list that
    /// lists their credentials and which go into V8's sums ([`Verifier::plan_sums`]). A line that cannot be read so is planned as not summed: the
    /// worker's full parse fails on it, and the board with it.
    pub fn plan_batch(&mut self, lines: &[String]) -> BatchPlan {
        #[derive(Deserialize)]
        struct Ballot {
            credential: amanat::PublicKey,
        }
        #[derive(Deserialize)]
        struct Line {
            kind: EntryKind,
            tracking: Digest,
            ballot: Ballot,
        }
        let read: Vec<Option<Line>> = lines
            .iter()
            .map(|l| serde_json::from_str::<Line>(l).ok())
            .collect();
        let kinds: Vec<(EntryKind, Digest)> = read
            .iter()
            .map(|l| match l {
                Some(l) => (l.kind, l.tracking),
                None => (EntryKind::Challenge, Digest([0; 64])),
            })
            .collect();
        let credentials = self.list.as_ref().map(|list| {
            let mut keys: Vec<&amanat::PublicKey> = read
                .iter()
                .flatten()
                .map(|l| &l.ballot.credential)
                .collect();
            keys.sort_by_key(|k| k.to_bytes());
            keys.dedup_by_key(|k| k.to_bytes());
            part_of(list, keys)
        });
        BatchPlan {
            credentials,
            sum: self.plan_sums(&kinds),
        }
    }

    /// Which of the next entries in board order go into V8's sums, from the entries' kind
    /// and recorded tracking hash alone (what [`Verifier::push`] decides as it goes): for a
    /// caller that has the sums taken elsewhere, before it pushes the entries with
    /// [`Verifier::push_summaries`]. Call it once per entry, in board order.
    pub fn plan_sums(&mut self, entries: &[(EntryKind, Digest)]) -> Vec<bool> {
        match &mut self.board {
            Ok(pass) => entries.iter().map(|(k, t)| pass.sums_next(*k, t)).collect(),
            Err(_) => vec![false; entries.len()],
        }
    }

    /// The next entries in board order as a worker reported them ([`check_batch`]): their
    /// summaries, their checks, and the sums of those [`Verifier::plan_sums`] chose. Gives
    /// the same report as [`Verifier::push`] of the entries themselves.
    ///
    /// # Errors
    /// [`RecordError::Invalid`] when the sums are not of this election's manifest.
    pub fn push_summaries(
        &mut self,
        summaries: &[EntrySummary],
        checks: Vec<EntryCheck>,
        sums: &SumsWire,
    ) -> Result<(), RecordError> {
        let Ok(pass) = &mut self.board else {
            return Ok(());
        };
        if let Some(total) = &mut pass.sums {
            total.merge_wire(sums)?;
        }
        for (s, check) in summaries.iter().zip(checks) {
            if let Ok(chain) = &mut pass.chain {
                chain.push_summary(s);
            }
            pass.record(self.list.as_ref(), ScanEntry::from(s), check);
        }
        Ok(())
    }

    /// Finishes V4, V5, V6 and V13 with the whole board pushed, and runs V7–V12.
    pub fn finish(self) -> Report {
        let mut outcomes = self.outcomes;
        let election = self.election.as_ref();
        let tally = self.tally.as_ref();
        let (v4, v5, v6, v13, selection, entries, header) = match self.board {
            Err(why) => {
                let needs_board = Err(needs(names::BOARD));
                (
                    Err(why),
                    needs_board.clone(),
                    needs_board.clone(),
                    needs_board,
                    None,
                    0,
                    None,
                )
            }
            Ok(pass) => {
                let entries = pass.cast + pass.challenged;
                let v4 = match election {
                    None => Err(needs("V1")),
                    Some(e) => check_board_chain(pass.chain, &pass.header, e),
                };
                let verified = self.list.is_some() && election.is_some();
                let v5 = if verified {
                    check_every_ballot(&pass.bad_ballots, pass.cast, pass.challenged)
                } else {
                    Err(needs("V1 and V3"))
                };
                let v6 = match (election, tally) {
                    (None, _) => Err(needs("V1")),
                    (_, Err(e)) => Err(e.clone()),
                    (Some(_), Ok(_)) => {
                        check_challenged_ballots(&pass.bad_reveals, pass.challenged)
                    }
                };
                let (selection, breaks) = pass.scan.finish();
                let v13 = check_board_rules(&breaks, entries);
                let selection = verified.then_some((selection, pass.sums, pass.lists));
                (v4, v5, v6, v13, selection, entries, Some(pass.header))
            }
        };
        outcomes.extend([v4, v5, v6]);

        // V7, V8: the counted set recomputed, and the sums over it.
        let (v7, v8) = match (&selection, tally, election, &header) {
            (_, Err(e), _, _) => (Err(e.clone()), Err(e.clone())),
            (Some((s, sums, Some(lists))), Ok(t), Some(e), Some(h)) => {
                let v7 = check_counted_ballots(s, t, lists, e, h, entries);
                let v8 = match sums {
                    Some(sums) if v7.is_ok() => check_aggregates(sums, t, e),
                    _ => Err(needs("V7")),
                };
                (v7, v8)
            }
            _ => (
                Err(needs("V1, V3 and board.jsonl")),
                Err(needs("V1, V3 and board.jsonl")),
            ),
        };
        outcomes.extend([v7, v8]);

        // V9, V10: the decryption shares and their combination.
        let tally = tally.ok();
        let v9 = match (&self.decryption, election, &self.ceremony, tally) {
            (Err(e), _, _, _) => Err(e.clone()),
            (Ok(d), Some(e), Some(c), Some(t)) => check_decryption_shares(d, e, c, t),
            _ => Err(needs("V1, V2 and tally.json")),
        };
        let v10 = match (&self.decryption, &self.ceremony, tally) {
            (Ok(d), Some(c), Some(t)) if v9.is_ok() => check_combined_decryptions(d, c, t),
            _ => Err(needs("V9")),
        };
        outcomes.extend([v9, v10]);

        // V11, V12: the published counts.
        let v11 = match (&self.results, &self.decryption, tally) {
            (Err(e), _, _) => Err(e.clone()),
            (Ok(r), Ok(d), Some(t)) => check_results(r, d, t),
            _ => Err(needs("decryption.json and tally.json")),
        };
        let v12 = match (&self.results, tally, election) {
            (Ok(r), Some(t), Some(e)) => check_results_within_bounds(r, t, e),
            (Err(e), _, _) => Err(e.clone()),
            _ => Err(needs("V1 and tally.json")),
        };
        outcomes.extend([v11, v12, v13]);

        let checks: Vec<CheckOutcome> = outcomes
            .into_iter()
            .zip(CHECKS)
            .map(|(result, (id, name))| {
                let (ok, detail) = match result {
                    Ok(d) => (true, bounded(&d)),
                    Err(d) => (false, bounded(&d)),
                };
                CheckOutcome {
                    id,
                    name,
                    ok,
                    detail,
                }
            })
            .collect();
        Report {
            ok: checks.iter().all(|c| c.ok),
            checks,
            results: self.results.map(|r| r.results).unwrap_or_default(),
        }
    }
}

/// Verifies a record in one thread: V1–V3 on `docs`, then the board's `header` and its
/// `entries` in board order (an `Err` item stops the board: the checks that need it report
/// it), then V7–V12. `progress` is called after each batch with the number of entries done.
pub fn verify_record(
    docs: &RecordDocs,
    header: Result<BoardHeader, String>,
    entries: impl IntoIterator<Item = Result<BoardEntry, String>>,
    progress: &mut dyn FnMut(u64),
) -> Report {
    let mut v = Verifier::new(docs);
    let ok = header.is_ok();
    v.begin_board(header);
    if ok {
        let mut done = 0u64;
        let mut batch = Vec::with_capacity(VERIFY_BATCH);
        let mut failed = None;
        for e in entries {
            match e {
                Ok(e) => batch.push(e),
                Err(why) => {
                    failed = Some(why);
                    break;
                }
            }
            if batch.len() == VERIFY_BATCH {
                let checks = v.entry_checks(&batch);
                v.push(&batch, checks);
                done += batch.len() as u64;
                progress(done);
                batch.clear();
            }
        }
        match failed {
            Some(why) => v.board_failed(why),
            None => {
                let checks = v.entry_checks(&batch);
                v.push(&batch, checks);
                done += batch.len() as u64;
                progress(done);
            }
        }
    }
    v.finish()
}
