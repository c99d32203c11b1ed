//! The counting rules (docs/record.md §3) and the board's rules (§5.3, check V13), applied
//! to the board's entries as they come, remembering only what later entries need: per
//! entry a key of its tracking hash, its index, credential and whether its ballot verified
//! (56 bytes); per option a running sum of ciphertexts. No ballot is kept.

use std::collections::HashMap;

use amanat::board::is_board_timestamp;
use amanat::{
    Ballot, BoardEntry, Ciphertext, CredentialList, Digest, Election, EntryKind, Point, PublicKey,
};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::Identity;
use serde::{Deserialize, Serialize};

use crate::documents::{ContestTally, OptionTally, Rejected};
use crate::error::Problems;

/// How many ballots go into one combined check of [`verify_batch`]: enough for the
/// multiscalar multiplication to cost clearly less per point than one ballot's alone, few
/// enough that a failed batch is cheap to redo one by one.
pub const VERIFY_BATCH: usize = 64;

/// The code of a cast entry that repeats a tracking hash already cast earlier on the board
/// (a replay: the box stores a ballot once, so only a dishonest box posts one).
pub const REPLAYED: &str = "REPLAYED";
/// The code of a cast entry whose tracking hash is also challenged on the board (a ballot
/// both opened and cast: only a dishonest box posts one).
pub const CHALLENGED: &str = "ALREADY_CHALLENGED";

/// Verifies the ballots of `entries` (proofs, signature, listed credential and its style)
/// as one random linear combination (`Ballot::verify_many`, docs/protocol.md §5.4; a batch
/// that fails is redone ballot by ballot, so every bad ballot is still named). Returns, per
/// entry, `Ok` or the core error. Give it [`VERIFY_BATCH`] entries at a time.
pub fn verify_batch(
    election: &Election,
    list: &CredentialList,
    entries: &[BoardEntry],
) -> Vec<Result<(), amanat::Error>> {
    let ballots: Vec<&Ballot> = entries.iter().map(|e| &e.ballot).collect();
    Ballot::verify_many(&ballots, election, list)
}

/// Verifies the ballots of `entries` one at a time, each with its own combined check
/// (`Ballot::verify_listed`): the way it was done before batching across ballots, kept to
/// measure the two side by side.
pub fn verify_one_by_one(
    election: &Election,
    list: &CredentialList,
    entries: &[BoardEntry],
) -> Vec<Result<(), amanat::Error>> {
    entries
        .iter()
        .map(|e| e.ballot.verify_listed(election, list))
        .collect()
}

/// A tracking hash as the rules and the verifier keep it across the board
/// ([`tracking_key`]): 32 bytes instead of 64.
pub type TrackingKey = [u8; 32];

/// The key of a tracking hash: the first 32 bytes of the SHA-512 transcript
/// `amanat/2/tracking-key` of the whole hash (docs/record.md §6). Two tracking hashes share
/// a key only by a collision of SHA-512 cut to 256 bits (about 2^128 work), so sets and
/// lists of keys compare as the hashes would. Unlike the hash's own first 32 bytes, a key
/// binds all 64: a tally listing a forged hash that copies a ballot's first half does not
/// get that ballot's key.
pub fn tracking_key(tracking: &Digest) -> TrackingKey {
    let whole = amanat::Transcript::new("tracking-key")
        .bytes(&tracking.0)
        .digest();
    let mut key = [0u8; 32];
    key.copy_from_slice(&whole[..32]);
    key
}

/// A board entry of a [`Selection`]: its index and the key of its tracking hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listed {
    /// The board index.
    pub index: u64,
    /// The tracking hash's key ([`tracking_key`]).
    pub key: TrackingKey,
    /// Its position in board order.
    seq: u32,
}

/// What the rules made of an entry: a challenge, or what became of a cast entry. Kept in
/// the four low bits of [`Rec::head`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Fate {
    /// A challenge entry.
    Challenge = 0,
    /// A cast entry whose ballot verified with a listed credential, not decided yet (until
    /// [`BoardScan::finish`]).
    Pending = 1,
    /// Counted: the latest eligible cast entry of its credential.
    Counted = 2,
    /// Eligible, but replaced by a later eligible entry of the same credential.
    Superseded = 3,
    /// Rejected: an earlier cast entry carries the same tracking hash ([`REPLAYED`]).
    Replayed = 4,
    /// Rejected: a challenge entry carries its tracking hash ([`CHALLENGED`]).
    Challenged = 5,
    /// Rejected: its ballot does not verify (the core's code, in [`Rec::who`]).
    Failed = 6,
    /// Rejected: its ballot verified but its credential is not on the list.
    Unknown = 7,
}

impl Fate {
    const ALL: [Fate; 8] = [
        Fate::Challenge,
        Fate::Pending,
        Fate::Counted,
        Fate::Superseded,
        Fate::Replayed,
        Fate::Challenged,
        Fate::Failed,
        Fate::Unknown,
    ];
}

const NO_CREDENTIAL: u32 = u32::MAX;

/// The bits of [`Rec::head`] that hold the fate; the short code shows only the first 60
/// bits of the tracking hash.
const FATE_BITS: u64 = 0xF;

/// One board entry as the rules remember it: 56 bytes, whatever the ballot.
#[derive(Clone, Copy, Debug)]
struct Rec {
    /// The tracking hash's key ([`tracking_key`]): what entries are grouped and listed by.
    key: TrackingKey,
    index: u64,
    /// The tracking hash's first 64 bits, big-endian, whose first 60 are the short code
    /// the messages show; the last four hold the entry's [`Fate`].
    head: u64,
    /// Its position in push (board) order.
    seq: u32,
    /// For a [`Fate::Failed`] entry its ballot's error code as 1 + its position in
    /// [`BoardScan::codes`]; otherwise its credential's position in the list, or
    /// [`NO_CREDENTIAL`].
    who: u32,
}

impl Rec {
    fn fate(&self) -> Fate {
        Fate::ALL[(self.head & FATE_BITS) as usize]
    }

    fn set_fate(&mut self, fate: Fate) {
        self.head = (self.head & !FATE_BITS) | fate as u64;
    }

    fn kind(&self) -> EntryKind {
        match self.fate() {
            Fate::Challenge => EntryKind::Challenge,
            _ => EntryKind::Cast,
        }
    }

    /// The short code of its tracking hash (`7K2M-9QXD-4HRT`).
    fn short(&self) -> String {
        let mut d = Digest([0; 64]);
        d.0[..8].copy_from_slice(&(self.head & !FATE_BITS).to_be_bytes());
        amanat::Tracking(d).short()
    }

    fn listed(&self) -> Listed {
        Listed {
            index: self.index,
            key: self.key,
            seq: self.seq,
        }
    }
}

/// The rules broken, as [`Problems`] shows them (the first five in board order, and how
/// many), gathered out of board order: kept as the five smallest `(entry, order in the
/// entry)` seen so far, each message made only if it is kept.
#[derive(Default)]
struct Breaks {
    total: usize,
    first: Vec<((u64, u8), String)>,
}

impl Breaks {
    const SHOWN: usize = 5;

    fn add(&mut self, at: (u64, u8), message: impl FnOnce() -> String) {
        self.total += 1;
        if self.first.len() == Self::SHOWN && self.first.last().is_some_and(|(k, _)| *k < at) {
            return;
        }
        let i = self.first.partition_point(|(k, _)| *k < at);
        self.first.insert(i, (at, message()));
        self.first.truncate(Self::SHOWN);
    }

    fn into_problems(self) -> Problems {
        Problems::first_of(self.first.into_iter().map(|(_, m)| m), self.total)
    }
}

/// Which entries count: the outcome of a [`BoardScan`], every entry in board order with
/// what the rules made of it (56 bytes an entry; the lists are read from it), and the
/// entries' tracking hashes in full when the scan kept them ([`BoardScan::keeping_hashes`]).
pub struct Selection {
    recs: Vec<Rec>,
    codes: Vec<String>,
    hashes: Option<Vec<Digest>>,
}

impl Selection {
    fn with(&self, fate: Fate) -> impl Iterator<Item = Listed> + '_ {
        self.recs
            .iter()
            .filter(move |r| r.fate() == fate)
            .map(Rec::listed)
    }

    /// Counted entries, in board order.
    pub fn counted(&self) -> impl Iterator<Item = Listed> + '_ {
        self.with(Fate::Counted)
    }

    /// Valid cast entries replaced by a later one, in board order.
    pub fn superseded(&self) -> impl Iterator<Item = Listed> + '_ {
        self.with(Fate::Superseded)
    }

    /// Challenge entries, in board order.
    pub fn challenged(&self) -> impl Iterator<Item = Listed> + '_ {
        self.with(Fate::Challenge)
    }

    /// Cast entries not counted, in board order, with why (the code `tally.json` gives).
    pub fn rejected(&self) -> impl Iterator<Item = (Listed, &str)> + '_ {
        self.recs.iter().filter_map(|r| {
            let code = match r.fate() {
                Fate::Replayed => REPLAYED,
                Fate::Challenged => CHALLENGED,
                Fate::Unknown => "UNKNOWN_CREDENTIAL",
                Fate::Failed => usize::try_from(r.who)
                    .ok()
                    .and_then(|w| w.checked_sub(1))
                    .and_then(|i| self.codes.get(i))
                    .map(String::as_str)
                    .unwrap_or("VERIFICATION_FAILED"),
                Fate::Challenge | Fate::Pending | Fate::Counted | Fate::Superseded => return None,
            };
            Some((r.listed(), code))
        })
    }

    /// The tracking hashes of a list (e.g. `selection.counted()`), as `tally.json` lists
    /// them; `None` unless the scan kept them ([`BoardScan::keeping_hashes`]).
    pub fn tracking(&self, list: impl Iterator<Item = Listed>) -> Option<Vec<Digest>> {
        let hashes = self.hashes.as_ref()?;
        list.map(|l| hashes.get(l.seq as usize).copied()).collect()
    }

    /// The rejected entries as `tally.json` lists them; `None` unless the scan kept the
    /// tracking hashes ([`BoardScan::keeping_hashes`]).
    pub fn rejected_entries(&self) -> Option<Vec<Rejected>> {
        let hashes = self.hashes.as_ref()?;
        self.rejected()
            .map(|(l, code)| {
                Some(Rejected {
                    index: l.index,
                    tracking: *hashes.get(l.seq as usize)?,
                    code: code.to_string(),
                })
            })
            .collect()
    }
}

const NONE: u64 = u64::MAX;

/// The position of a credential in the (sorted) list, or [`NO_CREDENTIAL`].
fn credential(list: &CredentialList, key: &PublicKey) -> u32 {
    list.position(key)
        .and_then(|i| u32::try_from(i).ok())
        .filter(|&i| i != NO_CREDENTIAL)
        .unwrap_or(NO_CREDENTIAL)
}

/// What the counting and board rules read of an entry: a [`BoardEntry`] or an
/// [`crate::board::EntrySummary`] of one.
#[derive(Clone, Copy, Debug)]
pub struct ScanEntry<'a> {
    /// The board index.
    pub index: u64,
    /// Cast or challenge.
    pub kind: EntryKind,
    /// The tracking hash, as recorded.
    pub tracking: &'a Digest,
    /// The short code, as recorded.
    pub short: &'a str,
    /// When the box received it.
    pub received: &'a str,
    /// The ballot's credential.
    pub credential: &'a PublicKey,
}

impl<'a> From<&'a BoardEntry> for ScanEntry<'a> {
    fn from(e: &'a BoardEntry) -> ScanEntry<'a> {
        ScanEntry {
            index: e.index,
            kind: e.kind,
            tracking: &e.tracking,
            short: &e.short,
            received: &e.received,
            credential: &e.ballot.credential,
        }
    }
}

impl<'a> From<&'a crate::board::EntrySummary> for ScanEntry<'a> {
    fn from(e: &'a crate::board::EntrySummary) -> ScanEntry<'a> {
        ScanEntry {
            index: e.index,
            kind: e.kind,
            tracking: &e.tracking,
            short: &e.short,
            received: &e.received,
            credential: &e.credential,
        }
    }
}

/// The board's entries pushed in board order, each with the outcome of its ballot's
/// verification: applies the counting rules (§3) and the board rules (§5.3, V13).
///
/// Memory: 56 bytes per entry (its tracking hash's key and first 64 bits, its index,
/// credential and what became of it), in one array that grows in place; nothing per ballot
/// beyond that, and 64 bytes more per entry only for a scan that keeps the hashes to list
/// them ([`BoardScan::keeping_hashes`], the tally's). The rules that compare entries with
/// the same tracking hash (a repeat, a ballot both cast and challenged) are applied at
/// [`BoardScan::finish`], on that array sorted by key, then put back in board order: no
/// map, and the same results and messages as applying them entry by entry.
pub struct BoardScan {
    credentials: usize,
    recs: Vec<Rec>,
    hashes: Option<Vec<Digest>>,
    codes: Vec<String>,
    breaks: Breaks,
    previous_time: Option<String>,
    entries: u64,
}

const _: () = assert!(std::mem::size_of::<Rec>() == 56);

impl BoardScan {
    /// The most entries [`BoardScan::expect`] reserves room for: a six-million-voter election
    /// has about 7.6 million (docs/record.md §6). 134 million natively (7.5 GB of address
    /// space, untouched until used); 16.7 million in 32-bit WebAssembly (940 MB), whose
    /// memory never shrinks and stops at 4 GiB.
    pub const MOST_RESERVED: u64 = if cfg!(target_pointer_width = "32") {
        1 << 24
    } else {
        1 << 27
    };

    /// The most entries a scan holds: positions in board order are 32 bits. A board of
    /// more (about 100 TB of ballots) breaks a rule of V13 instead of being counted.
    pub const MOST_ENTRIES: u64 = u32::MAX as u64;

    /// A scan against the election's credential list (give the same list to every call).
    pub fn new(list: &CredentialList) -> BoardScan {
        BoardScan {
            credentials: list.len(),
            ..BoardScan::rules_only()
        }
    }

    /// [`BoardScan::new`] that also keeps every entry's tracking hash in full, for
    /// [`Selection::tracking`] and [`Selection::rejected_entries`]: what the tally writes.
    pub fn keeping_hashes(list: &CredentialList) -> BoardScan {
        BoardScan {
            hashes: Some(Vec::new()),
            ..BoardScan::new(list)
        }
    }

    /// A scan of the board rules alone, for [`BoardScan::push_unverified`].
    pub fn rules_only() -> BoardScan {
        BoardScan {
            credentials: 0,
            recs: Vec::new(),
            hashes: None,
            codes: Vec::new(),
            breaks: Breaks::default(),
            previous_time: None,
            entries: 0,
        }
    }

    /// Makes room for the `entries` a board's header announces, so the array of entries
    /// never grows by copying (which holds the old and the new array at once). Best effort:
    /// the header is the board's own word, so a count over [`BoardScan::MOST_RESERVED`] or
    /// one this process cannot hold (a hostile header) reserves nothing, and the array grows
    /// as entries come.
    pub fn expect(&mut self, entries: u64) {
        if entries > Self::MOST_RESERVED {
            return;
        }
        if let Ok(n) = usize::try_from(entries) {
            // An Err is what is documented above: nothing reserved.
            let _ = self
                .recs
                .try_reserve_exact(n.saturating_sub(self.recs.len()));
            if let Some(h) = &mut self.hashes {
                let _ = h.try_reserve_exact(n.saturating_sub(h.len()));
            }
        }
    }

    /// How many entries were pushed.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// The next entry in board order, and whether its ballot verified.
    pub fn push(
        &mut self,
        list: &CredentialList,
        e: &BoardEntry,
        verified: &Result<(), amanat::Error>,
    ) {
        self.push_code(
            list,
            ScanEntry::from(e),
            verified.as_ref().err().map(amanat::Error::code),
        );
    }

    /// [`BoardScan::push`] with the outcome of the entry's ballot as the code of its error
    /// (`None`: it verified), as a check made elsewhere reports it
    /// ([`crate::checks::BallotFailure`]).
    pub fn push_code(&mut self, list: &CredentialList, e: ScanEntry<'_>, failed: Option<&str>) {
        let (fate, who) = match (e.kind, failed) {
            (EntryKind::Challenge, _) => (Fate::Challenge, NO_CREDENTIAL),
            (EntryKind::Cast, Some(code)) => (Fate::Failed, self.code(code)),
            (EntryKind::Cast, None) => match credential(list, e.credential) {
                NO_CREDENTIAL => (Fate::Unknown, NO_CREDENTIAL),
                at => (Fate::Pending, at),
            },
        };
        self.record(e, fate, who);
    }

    /// The next entry in board order when its ballot is not verified (the credential list
    /// or the election failed to load): the board rules (V13) only; the selection of
    /// [`BoardScan::finish`] is then not the board's.
    pub fn push_unverified(&mut self, e: &BoardEntry) {
        self.push_unverified_scan(ScanEntry::from(e));
    }

    /// [`BoardScan::push_unverified`] of a [`ScanEntry`].
    pub fn push_unverified_scan(&mut self, e: ScanEntry<'_>) {
        let fate = match e.kind {
            EntryKind::Challenge => Fate::Challenge,
            EntryKind::Cast => Fate::Unknown,
        };
        self.record(e, fate, NO_CREDENTIAL);
    }

    /// `code`'s number in [`BoardScan::codes`], from 1 (the core's codes are a few dozen; a
    /// code sent by a worker is one of them or names a failure all the same).
    fn code(&mut self, code: &str) -> u32 {
        let at = match self.codes.iter().position(|c| c == code) {
            Some(at) => at,
            None => {
                self.codes.push(code.to_string());
                self.codes.len() - 1
            }
        };
        u32::try_from(at + 1).unwrap_or(u32::MAX)
    }

    fn record(&mut self, e: ScanEntry<'_>, fate: Fate, who: u32) {
        let at = self.entries;
        self.entries += 1;
        self.check_time(at, e);
        let seq = match u32::try_from(at) {
            Ok(seq) if u64::from(seq) < Self::MOST_ENTRIES => seq,
            _ => {
                if at == Self::MOST_ENTRIES {
                    self.breaks.add((at, 3), || {
                        format!(
                            "entry {}: the board has more than {} entries, more than this \
                             verifier holds; the entries from here on are not counted",
                            e.index,
                            Self::MOST_ENTRIES
                        )
                    });
                }
                return;
            }
        };
        let mut head = [0u8; 8];
        head.copy_from_slice(&e.tracking.0[..8]);
        let mut rec = Rec {
            key: tracking_key(e.tracking),
            index: e.index,
            head: u64::from_be_bytes(head),
            seq,
            who,
        };
        rec.set_fate(fate);
        self.recs.push(rec);
        if let Some(h) = &mut self.hashes {
            h.push(*e.tracking);
        }
    }

    /// The rule of the entries' times (V13), which needs only the entry before.
    fn check_time(&mut self, seq: u64, e: ScanEntry<'_>) {
        if !is_board_timestamp(e.received) {
            self.breaks.add((seq, 2), || {
                format!(
                    "entry {}: the time is not of the form YYYY-MM-DDTHH:MM:SSZ",
                    e.index
                )
            });
            return;
        }
        if self
            .previous_time
            .as_deref()
            .is_some_and(|p| p > e.received)
        {
            self.breaks.add((seq, 2), || {
                format!(
                    "entry {}: received {} is earlier than the entry before it",
                    e.index, e.received
                )
            });
        }
        match &mut self.previous_time {
            Some(p) => e.received.clone_into(p),
            None => self.previous_time = Some(e.received.to_string()),
        }
    }

    /// The rules among the entries of one tracking hash, in board order (V13), and what
    /// becomes of each cast entry: a cast entry after a cast of the same hash is a replay,
    /// one whose hash is challenged anywhere on the board is rejected as challenged; the
    /// others keep what they were pushed with (rejected for their ballot's error or
    /// unlisted credential, or eligible).
    fn same_tracking(group: &mut [Rec], breaks: &mut Breaks) {
        let challenged = group.iter().any(|r| r.kind() == EntryKind::Challenge);
        let (mut first_cast, mut first_challenge) = (NONE, NONE);
        for r in group.iter_mut() {
            let kind = r.kind();
            let (same, other) = match kind {
                EntryKind::Cast => (&mut first_cast, first_challenge),
                EntryKind::Challenge => (&mut first_challenge, first_cast),
            };
            let repeated = *same;
            if repeated == NONE {
                *same = r.index;
            } else {
                breaks.add((u64::from(r.seq), 0), || {
                    format!(
                        "entry {} repeats the {} at entry {repeated} (same tracking hash {})",
                        r.index,
                        kind.as_str(),
                        r.short()
                    )
                });
            }
            if other != NONE && other < r.index {
                let other_kind = match kind {
                    EntryKind::Cast => EntryKind::Challenge,
                    EntryKind::Challenge => EntryKind::Cast,
                };
                breaks.add((u64::from(r.seq), 1), || {
                    format!(
                        "entry {} is a {} of the ballot {} at entry {other} ({}): a ballot is \
                         never both cast and challenged",
                        r.index,
                        kind.as_str(),
                        other_kind.as_str(),
                        r.short()
                    )
                });
            }
            if kind == EntryKind::Cast {
                if repeated != NONE {
                    r.set_fate(Fate::Replayed);
                } else if challenged {
                    r.set_fate(Fate::Challenged);
                }
            }
        }
    }

    /// The selection (§3): a cast entry is *eligible* when its ballot verifies, no challenge
    /// entry carries its tracking hash and no earlier cast entry does; the latest eligible
    /// entry of each credential, in board order, is counted and earlier eligible ones are
    /// superseded. Cast entries that break a board rule (a replay, a challenged ballot cast)
    /// are rejected with [`REPLAYED`] or [`CHALLENGED`], in that order of precedence before
    /// the ballot's own error, so a dishonest box cannot count an earlier ballot again by
    /// re-posting it after a revote. Also returns the board rules broken (V13).
    pub fn finish(mut self) -> (Selection, Problems) {
        // Entries of one tracking hash side by side, in board order among themselves.
        self.recs
            .sort_unstable_by(|a, b| a.key.cmp(&b.key).then(a.seq.cmp(&b.seq)));
        for group in self.recs.chunk_by_mut(|a, b| a.key == b.key) {
            BoardScan::same_tracking(group, &mut self.breaks);
        }
        self.recs.sort_unstable_by_key(|r| r.seq);
        // The latest eligible entry of each credential counts.
        let mut taken = vec![0u64; self.credentials.div_ceil(64)];
        for r in self.recs.iter_mut().rev() {
            if r.fate() != Fate::Pending {
                continue;
            }
            let (word, bit) = ((r.who / 64) as usize, 1u64 << (r.who % 64));
            r.set_fate(match taken.get_mut(word) {
                Some(w) if *w & bit == 0 => {
                    *w |= bit;
                    Fate::Counted
                }
                _ => Fate::Superseded,
            });
        }
        (
            Selection {
                recs: self.recs,
                codes: self.codes,
                hashes: self.hashes,
            },
            self.breaks.into_problems(),
        )
    }
}

/// Chooses the counted ballots of a whole board in memory (docs/record.md §3): a
/// [`BoardScan`] over `entries` with `verified[i]` the outcome of entry `i`'s ballot, keeping
/// the tracking hashes.
pub fn select(
    list: &CredentialList,
    entries: &[BoardEntry],
    verified: &[Result<(), amanat::Error>],
) -> Selection {
    let mut scan = BoardScan::keeping_hashes(list);
    for (e, v) in entries.iter().zip(verified) {
        scan.push(list, e, v);
    }
    scan.finish().0
}

/// The board rules of a whole board in memory (V13): one line per entry that breaks one,
/// the first five, and how many.
pub fn rule_breaks(entries: &[BoardEntry]) -> Problems {
    let mut scan = BoardScan::rules_only();
    for e in entries {
        scan.push_unverified(e);
    }
    scan.finish().1
}

/// Running sums of each option's ciphertexts per contest of the manifest, and of the
/// ballots holding each contest (docs/record.md §3, point 4): one pair of points per option,
/// whatever the number of ballots added.
#[derive(Clone)]
pub struct Sums {
    /// Per contest id: its position, and per option id the option's slot in `sums`.
    slots: HashMap<String, (usize, HashMap<String, usize>)>,
    sums: Vec<(RistrettoPoint, RistrettoPoint)>,
    ballots: Vec<u64>,
}

impl Sums {
    /// All sums zero, for the contests and options of `election`'s manifest.
    pub fn new(election: &Election) -> Sums {
        let contests = &election.manifest().contests;
        let mut slots = HashMap::new();
        let mut n = 0;
        for (ci, c) in contests.iter().enumerate() {
            let mut options = HashMap::new();
            for o in &c.options {
                options.insert(o.id.clone(), n);
                n += 1;
            }
            slots.insert(c.id.clone(), (ci, options));
        }
        Sums {
            slots,
            sums: vec![(RistrettoPoint::identity(), RistrettoPoint::identity()); n],
            ballots: vec![0; contests.len()],
        }
    }

    /// Adds a counted ballot.
    pub fn add(&mut self, ballot: &Ballot) {
        for c in &ballot.contests {
            let Some((ci, options)) = self.slots.get(c.id.as_str()) else {
                continue;
            };
            self.ballots[*ci] += 1;
            for s in &c.selections {
                if let Some(&k) = options.get(s.id.as_str()) {
                    self.sums[k].0 += s.ciphertext.a.point();
                    self.sums[k].1 += s.ciphertext.b.point();
                }
            }
        }
    }

    /// The sums as they cross a worker boundary: each option's pair of points, encoded, and
    /// the ballots per contest.
    pub fn to_wire(&self) -> SumsWire {
        SumsWire {
            sums: self
                .sums
                .iter()
                .map(|(a, b)| (Point::from_point(*a), Point::from_point(*b)))
                .collect(),
            ballots: self.ballots.clone(),
        }
    }

    /// Adds sums sent by [`Sums::to_wire`] for the same election.
    ///
    /// # Errors
    /// [`crate::error::RecordError::Invalid`] when they are not the same shape as these.
    pub fn merge_wire(&mut self, wire: &SumsWire) -> crate::error::RecordResult<()> {
        if wire.sums.len() != self.sums.len() || wire.ballots.len() != self.ballots.len() {
            return Err(crate::error::RecordError::Invalid(
                "sums of another manifest".into(),
            ));
        }
        for (x, (a, b)) in self.sums.iter_mut().zip(&wire.sums) {
            x.0 += a.point();
            x.1 += b.point();
        }
        for (x, y) in self.ballots.iter_mut().zip(&wire.ballots) {
            *x += y;
        }
        Ok(())
    }

    /// Adds the sums of another (made for the same election).
    pub fn merge(&mut self, other: Sums) {
        for (x, y) in self.sums.iter_mut().zip(other.sums) {
            x.0 += y.0;
            x.1 += y.1;
        }
        for (x, y) in self.ballots.iter_mut().zip(other.ballots) {
            *x += y;
        }
    }

    /// The aggregates, contests and options in the manifest order of `election` (the one
    /// the sums were made for); an option no ballot held sums to the zero ciphertext
    /// `(identity, identity)`.
    pub fn finish(&self, election: &Election) -> Vec<ContestTally> {
        let zero = (RistrettoPoint::identity(), RistrettoPoint::identity());
        election
            .manifest()
            .contests
            .iter()
            .map(|c| {
                let (ci, options) = self
                    .slots
                    .get(c.id.as_str())
                    .map_or((None, None), |(ci, o)| (Some(*ci), Some(o)));
                ContestTally {
                    id: c.id.clone(),
                    ballots: ci.and_then(|ci| self.ballots.get(ci)).copied().unwrap_or(0),
                    options: c
                        .options
                        .iter()
                        .map(|o| {
                            let (a, b) = options
                                .and_then(|m| m.get(o.id.as_str()))
                                .and_then(|&k| self.sums.get(k))
                                .copied()
                                .unwrap_or(zero);
                            OptionTally {
                                id: o.id.clone(),
                                ciphertext: Ciphertext {
                                    a: Point::from_point(a),
                                    b: Point::from_point(b),
                                },
                            }
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

/// [`Sums`] as they cross a worker boundary ([`Sums::to_wire`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SumsWire {
    /// Per option, in the sums' order, the sum of its ciphertexts' two halves.
    pub sums: Vec<(Point, Point)>,
    /// Per contest, the ballots added.
    pub ballots: Vec<u64>,
}

/// Sums each option's ciphertexts over the entries at the board indices `counted`, per
/// contest of the manifest.
pub fn aggregate(
    election: &Election,
    entries: &[BoardEntry],
    counted: &[usize],
) -> Vec<ContestTally> {
    let mut sums = Sums::new(election);
    for &i in counted {
        if let Some(e) = entries.get(i) {
            sums.add(&e.ballot);
        }
    }
    sums.finish(election)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rec_keeps_its_fate_and_its_short_code_in_one_word() {
        let mut tracking = Digest([0; 64]);
        for (i, b) in tracking.0.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37).wrapping_add(0xA5);
        }
        let mut head = [0u8; 8];
        head.copy_from_slice(&tracking.0[..8]);
        let mut rec = Rec {
            key: tracking_key(&tracking),
            index: 7,
            head: u64::from_be_bytes(head),
            seq: 3,
            who: 9,
        };
        for fate in Fate::ALL {
            rec.set_fate(fate);
            assert_eq!(rec.fate(), fate);
            assert_eq!(rec.short(), amanat::Tracking(tracking).short());
            let kind = if fate == Fate::Challenge {
                EntryKind::Challenge
            } else {
                EntryKind::Cast
            };
            assert_eq!(rec.kind(), kind);
        }
    }

    #[test]
    fn a_key_binds_the_whole_tracking_hash() {
        let a = Digest([1; 64]);
        let mut b = a;
        b.0[63] ^= 1;
        assert_ne!(tracking_key(&a), tracking_key(&b));
        assert_eq!(tracking_key(&a), tracking_key(&Digest([1; 64])));
    }

    #[test]
    fn breaks_found_out_of_order_are_shown_in_board_order() {
        let mut b = Breaks::default();
        let mut made = 0;
        for at in [
            (9, 0),
            (3, 2),
            (3, 0),
            (12, 1),
            (1, 1),
            (7, 0),
            (2, 0),
            (30, 0),
        ] {
            b.add(at, || {
                made += 1;
                format!("{}.{}", at.0, at.1)
            });
        }
        // (30, 0) came when five smaller ones were kept: its message was never made.
        assert_eq!(made, 7);
        assert_eq!(
            b.into_problems().text(),
            "8 problems: 1.1; 2.0; 3.0; 3.2; 7.0; and 3 more"
        );
    }
}
