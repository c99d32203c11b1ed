//! The counting rules (docs/record.md §3) and the board's rules (§5.3, check V13), applied
//! to the board's entries as they come, remembering only what later entries need: per
//! entry its tracking hash, index, credential and whether its ballot verified (88 bytes);
//! per option a running sum of ciphertexts. No ballot is kept.

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

/// What the rules made of an entry: a challenge, or what became of a cast entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    /// A challenge entry.
    Challenge,
    /// A cast entry not decided yet (until [`BoardScan::finish`]).
    Pending,
    /// Counted: the latest eligible cast entry of its credential.
    Counted,
    /// Eligible, but replaced by a later eligible entry of the same credential.
    Superseded,
    /// Rejected: an earlier cast entry carries the same tracking hash ([`REPLAYED`]).
    Replayed,
    /// Rejected: a challenge entry carries its tracking hash ([`CHALLENGED`]).
    Challenged,
    /// Rejected: its ballot does not verify (the core's code, in [`Rec::error`]).
    Failed,
    /// Rejected: its ballot verified but its credential is not on the list.
    Unknown,
}

const NO_CREDENTIAL: u32 = u32::MAX;

/// One board entry as the rules remember it: 88 bytes, whatever the ballot.
#[derive(Clone, Copy, Debug)]
struct Rec {
    tracking: Digest,
    index: u64,
    /// Its position in push (board) order.
    seq: u64,
    /// Its credential's position in the list, or [`NO_CREDENTIAL`].
    credential: u32,
    /// Its ballot's error code as 1 + its position in [`BoardScan::codes`], 0 if it verified.
    error: u16,
    kind: EntryKind,
    fate: Fate,
}

impl Rec {
    fn listed(&self) -> Listed {
        Listed {
            index: self.index,
            tracking: self.tracking,
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
/// what the rules made of it (88 bytes an entry; the lists are read from it).
pub struct Selection {
    recs: Vec<Rec>,
    codes: Vec<String>,
}

impl Selection {
    fn with(&self, fate: Fate) -> impl Iterator<Item = Listed> + '_ {
        self.recs
            .iter()
            .filter(move |r| r.fate == fate)
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

    /// Cast entries not counted, in board order, with why.
    pub fn rejected(&self) -> impl Iterator<Item = Rejected> + '_ {
        self.recs.iter().filter_map(|r| {
            let code = match r.fate {
                Fate::Replayed => REPLAYED,
                Fate::Challenged => CHALLENGED,
                Fate::Unknown => "UNKNOWN_CREDENTIAL",
                Fate::Failed => usize::from(r.error)
                    .checked_sub(1)
                    .and_then(|i| self.codes.get(i))
                    .map(String::as_str)
                    .unwrap_or("VERIFICATION_FAILED"),
                Fate::Challenge | Fate::Pending | Fate::Counted | Fate::Superseded => return None,
            };
            Some(Rejected {
                index: r.index,
                tracking: r.tracking,
                code: code.to_string(),
            })
        })
    }

    /// The tracking hashes of a list (e.g. `selection.counted()`), as `tally.json` lists them.
    pub fn tracking(list: impl Iterator<Item = Listed>) -> Vec<Digest> {
        list.map(|l| l.tracking).collect()
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
/// Memory: 88 bytes per entry (its tracking hash, index, credential and what became of it),
/// in one array that grows in place; nothing per ballot beyond that. The rules that compare
/// entries with the same tracking hash (a repeat, a ballot both cast and challenged) are
/// applied at [`BoardScan::finish`], on that array sorted by tracking hash, then put back
/// in board order: no map, and the same results and messages as applying them entry by
/// entry.
pub struct BoardScan {
    credentials: usize,
    recs: Vec<Rec>,
    codes: Vec<String>,
    breaks: Breaks,
    previous_time: Option<String>,
    entries: u64,
}

impl BoardScan {
    /// The most entries [`BoardScan::expect`] reserves room for: a six-million-voter election
    /// has about 7.6 million (docs/record.md §6). 134 million natively (11.8 GB of address
    /// space, untouched until used); 16.7 million in 32-bit WebAssembly (1.5 GB), whose
    /// memory never shrinks and stops at 4 GiB.
    pub const MOST_RESERVED: u64 = if cfg!(target_pointer_width = "32") {
        1 << 24
    } else {
        1 << 27
    };

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
            recs: Vec::new(),
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
        let error = match failed {
            None => 0,
            Some(code) => self.code(code),
        };
        self.record(e, credential(list, e.credential), error);
    }

    /// The next entry in board order when its ballot is not verified (the credential list
    /// or the election failed to load): the board rules (V13) only; the selection of
    /// [`BoardScan::finish`] is then not the board's.
    pub fn push_unverified(&mut self, e: &BoardEntry) {
        self.push_unverified_scan(ScanEntry::from(e));
    }

    /// [`BoardScan::push_unverified`] of a [`ScanEntry`].
    pub fn push_unverified_scan(&mut self, e: ScanEntry<'_>) {
        self.record(e, NO_CREDENTIAL, 0);
    }

    /// `code`'s number in [`BoardScan::codes`] (the core's codes are a few dozen; a code
    /// sent by a worker is one of them or names a failure all the same).
    fn code(&mut self, code: &str) -> u16 {
        let at = match self.codes.iter().position(|c| c == code) {
            Some(at) => at,
            None => {
                self.codes.push(code.to_string());
                self.codes.len() - 1
            }
        };
        u16::try_from(at + 1).unwrap_or(u16::MAX)
    }

    fn record(&mut self, e: ScanEntry<'_>, credential: u32, error: u16) {
        let seq = self.entries;
        self.entries += 1;
        self.check_time(seq, e);
        self.recs.push(Rec {
            tracking: *e.tracking,
            index: e.index,
            seq,
            credential,
            error,
            kind: e.kind,
            fate: match e.kind {
                EntryKind::Cast => Fate::Pending,
                EntryKind::Challenge => Fate::Challenge,
            },
        });
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
    /// others are rejected for their ballot's error or unlisted credential, or are eligible.
    fn same_tracking(group: &mut [Rec], breaks: &mut Breaks) {
        let challenged = group.iter().any(|r| r.kind == EntryKind::Challenge);
        let (mut first_cast, mut first_challenge) = (NONE, NONE);
        for r in group.iter_mut() {
            let (same, other) = match r.kind {
                EntryKind::Cast => (&mut first_cast, first_challenge),
                EntryKind::Challenge => (&mut first_challenge, first_cast),
            };
            let repeated = *same;
            if repeated == NONE {
                *same = r.index;
            } else {
                breaks.add((r.seq, 0), || {
                    format!(
                        "entry {} repeats the {} at entry {repeated} (same tracking hash {})",
                        r.index,
                        r.kind.as_str(),
                        amanat::Tracking(r.tracking).short()
                    )
                });
            }
            if other != NONE && other < r.index {
                let other_kind = match r.kind {
                    EntryKind::Cast => EntryKind::Challenge,
                    EntryKind::Challenge => EntryKind::Cast,
                };
                breaks.add((r.seq, 1), || {
                    format!(
                        "entry {} is a {} of the ballot {} at entry {other} ({}): a ballot is \
                         never both cast and challenged",
                        r.index,
                        r.kind.as_str(),
                        other_kind.as_str(),
                        amanat::Tracking(r.tracking).short()
                    )
                });
            }
            if r.kind == EntryKind::Cast {
                r.fate = if repeated != NONE {
                    Fate::Replayed
                } else if challenged {
                    Fate::Challenged
                } else if r.error != 0 {
                    Fate::Failed
                } else if r.credential == NO_CREDENTIAL {
                    Fate::Unknown
                } else {
                    Fate::Pending
                };
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
            .sort_unstable_by(|a, b| a.tracking.cmp(&b.tracking).then(a.seq.cmp(&b.seq)));
        for group in self.recs.chunk_by_mut(|a, b| a.tracking == b.tracking) {
            BoardScan::same_tracking(group, &mut self.breaks);
        }
        self.recs.sort_unstable_by_key(|r| r.seq);
        // The latest eligible entry of each credential counts.
        let mut taken = vec![0u64; self.credentials.div_ceil(64)];
        for r in self.recs.iter_mut().rev() {
            if r.fate != Fate::Pending {
                continue;
            }
            let (word, bit) = ((r.credential / 64) as usize, 1u64 << (r.credential % 64));
            r.fate = match taken.get_mut(word) {
                Some(w) if *w & bit == 0 => {
                    *w |= bit;
                    Fate::Counted
                }
                _ => Fate::Superseded,
            };
        }
        (
            Selection {
                recs: self.recs,
                codes: self.codes,
            },
            self.breaks.into_problems(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
