//! The counting rules (docs/record.md §3) and the board's rules (§5.3, check V13), applied
//! to the board's entries as they come, remembering only what later entries need: per
//! tracking hash seen, the first index of each kind (a 32-byte prefix of the hash as the
//! key); per eligible cast entry its index, tracking hash and credential; per option a
//! running sum of ciphertexts. No ballot is kept.

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

/// A board entry named by its index and tracking hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listed {
    /// The board index.
    pub index: u64,
    /// The tracking hash.
    pub tracking: Digest,
}

/// Which entries count: the outcome of a [`BoardScan`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// Counted entries, in board order.
    pub counted: Vec<Listed>,
    /// Valid cast entries replaced by a later one, in board order.
    pub superseded: Vec<Listed>,
    /// Challenge entries, in board order.
    pub challenged: Vec<Listed>,
    /// Cast entries not counted, in board order, with why.
    pub rejected: Vec<Rejected>,
}

impl Selection {
    /// The tracking hashes of a list.
    pub fn tracking(list: &[Listed]) -> Vec<Digest> {
        list.iter().map(|l| l.tracking).collect()
    }
}

const NONE: u64 = u64::MAX;

/// The first index of each kind at which a tracking hash appeared ([`NONE`] for none).
#[derive(Clone, Copy)]
struct FirstSeen {
    cast: u64,
    challenge: u64,
}

impl FirstSeen {
    fn of(&self, kind: EntryKind) -> u64 {
        match kind {
            EntryKind::Cast => self.cast,
            EntryKind::Challenge => self.challenge,
        }
    }
    fn slot(&mut self, kind: EntryKind) -> &mut u64 {
        match kind {
            EntryKind::Cast => &mut self.cast,
            EntryKind::Challenge => &mut self.challenge,
        }
    }
}

fn key(tracking: &Digest) -> [u8; 32] {
    let mut k = [0u8; 32];
    k.copy_from_slice(&tracking.0[..32]);
    k
}

/// The position of a credential in the (sorted) list.
fn credential(list: &CredentialList, key: &PublicKey) -> Option<u32> {
    list.position(key).and_then(|i| u32::try_from(i).ok())
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

struct Eligible {
    listed: Listed,
    credential: u32,
}

struct Pending {
    rejected: Rejected,
    /// A ballot's own error, which a challenge later on the board turns into
    /// [`CHALLENGED`] (that code comes first).
    provisional: bool,
}

/// The board's entries pushed in board order, each with the outcome of its ballot's
/// verification: applies the counting rules (§3) and the board rules (§5.3, V13).
///
/// Memory: per distinct tracking hash about 60 bytes, per cast entry that verifies about
/// 80 bytes, per challenge entry 72 bytes; nothing per ballot beyond that.
pub struct BoardScan {
    credentials: usize,
    seen: HashMap<[u8; 32], FirstSeen>,
    eligible: Vec<Eligible>,
    challenged: Vec<Listed>,
    rejected: Vec<Pending>,
    rules: Problems,
    previous_time: Option<String>,
    entries: u64,
}

impl BoardScan {
    /// A scan against the election's credential list (give the same list to every call).
    pub fn new(list: &CredentialList) -> BoardScan {
        BoardScan {
            credentials: list.len(),
            ..BoardScan::rules_only()
        }
    }

    /// A scan of the board rules alone, for [`BoardScan::push_unverified`].
    pub fn rules_only() -> BoardScan {
        BoardScan {
            credentials: 0,
            seen: HashMap::new(),
            eligible: Vec::new(),
            challenged: Vec::new(),
            rejected: Vec::new(),
            rules: Problems::new(),
            previous_time: None,
            entries: 0,
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
        self.entries += 1;
        let seen = self.seen.get(&key(e.tracking)).copied();
        self.check_rules(e);
        match e.kind {
            EntryKind::Challenge => self.challenged.push(Listed {
                index: e.index,
                tracking: *e.tracking,
            }),
            EntryKind::Cast => {
                let listed = Listed {
                    index: e.index,
                    tracking: *e.tracking,
                };
                let earlier_cast = seen.is_some_and(|s| s.cast != NONE);
                let challenged = seen.is_some_and(|s| s.challenge != NONE);
                let (code, provisional) = if earlier_cast {
                    (Some(REPLAYED.to_string()), false)
                } else if challenged {
                    (Some(CHALLENGED.to_string()), false)
                } else {
                    (failed.map(str::to_string), true)
                };
                match (code, credential(list, e.credential)) {
                    (None, Some(credential)) => self.eligible.push(Eligible { listed, credential }),
                    (code, _) => self.rejected.push(Pending {
                        rejected: Rejected {
                            index: e.index,
                            tracking: *e.tracking,
                            code: code.unwrap_or_else(|| "UNKNOWN_CREDENTIAL".to_string()),
                        },
                        provisional,
                    }),
                }
            }
        }
    }

    /// The next entry in board order when its ballot is not verified (the credential list
    /// or the election failed to load): the board rules (V13) only; the selection of
    /// [`BoardScan::finish`] is then not the board's.
    pub fn push_unverified(&mut self, e: &BoardEntry) {
        self.push_unverified_scan(ScanEntry::from(e));
    }

    /// [`BoardScan::push_unverified`] of a [`ScanEntry`].
    pub fn push_unverified_scan(&mut self, e: ScanEntry<'_>) {
        self.entries += 1;
        self.check_rules(e);
    }

    /// The board rules of one entry (V13), and its first index per kind recorded.
    fn check_rules(&mut self, e: ScanEntry<'_>) {
        let slot = self.seen.entry(key(e.tracking)).or_insert(FirstSeen {
            cast: NONE,
            challenge: NONE,
        });
        let first = *slot.slot(e.kind);
        if first == NONE {
            *slot.slot(e.kind) = e.index;
        } else {
            self.rules.push(format!(
                "entry {} repeats the {} at entry {first} (same tracking hash {})",
                e.index,
                e.kind.as_str(),
                e.short
            ));
        }
        let other = match e.kind {
            EntryKind::Cast => EntryKind::Challenge,
            EntryKind::Challenge => EntryKind::Cast,
        };
        let o = slot.of(other);
        if o != NONE && o < e.index {
            self.rules.push(format!(
                "entry {} is a {} of the ballot {} at entry {o} ({}): a ballot is never \
                 both cast and challenged",
                e.index,
                e.kind.as_str(),
                other.as_str(),
                e.short
            ));
        }
        if !is_board_timestamp(e.received) {
            self.rules.push(format!(
                "entry {}: the time is not of the form YYYY-MM-DDTHH:MM:SSZ",
                e.index
            ));
        } else {
            if self
                .previous_time
                .as_deref()
                .is_some_and(|p| p > e.received)
            {
                self.rules.push(format!(
                    "entry {}: received {} is earlier than the entry before it",
                    e.index, e.received
                ));
            }
            self.previous_time = Some(e.received.to_string());
        }
    }

    /// Whether a challenge entry anywhere on the board (so far) carries `tracking`.
    fn is_challenged(&self, tracking: &Digest) -> bool {
        self.seen
            .get(&key(tracking))
            .is_some_and(|s| s.challenge != NONE)
    }

    /// The board rules broken (V13): the first five and how many.
    pub fn rule_breaks(&self) -> &Problems {
        &self.rules
    }

    /// The selection (§3): a cast entry is *eligible* when its ballot verifies, no challenge
    /// entry carries its tracking hash and no earlier cast entry does; the latest eligible
    /// entry of each credential, in board order, is counted and earlier eligible ones are
    /// superseded. Cast entries that break a board rule (a replay, a challenged ballot cast)
    /// are rejected with [`REPLAYED`] or [`CHALLENGED`], in that order of precedence before
    /// the ballot's own error, so a dishonest box cannot count an earlier ballot again by
    /// re-posting it after a revote.
    pub fn finish(self) -> (Selection, Problems) {
        let mut taken = vec![false; self.credentials];
        let mut counted = Vec::new();
        let mut superseded = Vec::new();
        let mut rejected: Vec<Rejected> = Vec::new();
        for e in self.eligible.iter().rev() {
            if self.is_challenged(&e.listed.tracking) {
                rejected.push(Rejected {
                    index: e.listed.index,
                    tracking: e.listed.tracking,
                    code: CHALLENGED.to_string(),
                });
                continue;
            }
            match taken.get_mut(e.credential as usize) {
                Some(t) if !*t => {
                    *t = true;
                    counted.push(e.listed);
                }
                _ => superseded.push(e.listed),
            }
        }
        counted.reverse();
        superseded.reverse();
        for p in &self.rejected {
            let mut r = p.rejected.clone();
            if p.provisional && self.is_challenged(&r.tracking) {
                r.code = CHALLENGED.to_string();
            }
            rejected.push(r);
        }
        rejected.sort_by_key(|r| r.index);
        (
            Selection {
                counted,
                superseded,
                challenged: self.challenged,
                rejected,
            },
            self.rules,
        )
    }
}

/// Chooses the counted ballots of a whole board in memory (docs/record.md §3): a
/// [`BoardScan`] over `entries` with `verified[i]` the outcome of entry `i`'s ballot.
pub fn select(
    list: &CredentialList,
    entries: &[BoardEntry],
    verified: &[Result<(), amanat::Error>],
) -> Selection {
    let mut scan = BoardScan::new(list);
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
