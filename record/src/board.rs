//! The exported bulletin board, `board.jsonl` (docs/record.md §2): JSON Lines, a header
//! line `{"election", "closed", "head", "entries", "closing"?}` (the box's signed closing
//! statement once the polls are closed), then one line per entry in board order; and the
//! chain check of V4 (§5), entry by entry.

use amanat::board::genesis;
use amanat::{BoardEntry, Digest, Election, EntryKind, PublicKey, SignedHead};
use serde::{Deserialize, Serialize};

use crate::error::{RecordError, RecordResult};

/// The board as exported, entries and all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardFile {
    /// The election base hash.
    pub election: Digest,
    /// Whether the polls were closed when it was exported.
    pub closed: bool,
    /// The last entry's hash (the genesis hash of an empty board).
    pub head: Digest,
    /// The box's signed statement of the final board, present exactly when `closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closing: Option<SignedHead>,
    /// The entries in board order.
    pub entries: Vec<BoardEntry>,
}

/// What the board says about itself, without its entries: the first line of
/// `board.jsonl`, `{"election", "closed", "head", "entries", "closing"?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardHeader {
    /// The election base hash.
    pub election: Digest,
    /// Whether the polls were closed when it was exported.
    pub closed: bool,
    /// The last entry's hash (the genesis hash of an empty board).
    pub head: Digest,
    /// How many entries follow.
    pub entries: u64,
    /// The box's signed statement of the final board, present exactly when `closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closing: Option<SignedHead>,
}

impl BoardHeader {
    /// Parses the first line of `board.jsonl` (without its newline).
    ///
    /// # Errors
    /// The core's [`amanat::Error`] for malformed JSON, an unknown member or a bad encoding.
    pub fn parse(line: &str) -> amanat::Result<BoardHeader> {
        amanat::encoding::from_json(line)
    }

    /// The header's line of `board.jsonl`, compact JSON ending with a newline.
    pub fn to_line(&self) -> String {
        line(self)
    }
}

fn line<T: Serialize>(value: &T) -> String {
    // Serializing our own types to a string does not fail (no maps with non-string keys, no
    // I/O); an empty line would be refused by every reader.
    serde_json::to_string(value).map_or_else(|_| "\n".to_string(), |s| s + "\n")
}

/// An entry's line of `board.jsonl`, compact JSON ending with a newline.
pub fn entry_line(entry: &BoardEntry) -> String {
    line(entry)
}

/// Parses one entry's line of `board.jsonl` (without its newline).
///
/// # Errors
/// The core's [`amanat::Error`] for malformed JSON or a bad encoding.
pub fn parse_entry(json: &str) -> amanat::Result<BoardEntry> {
    amanat::encoding::from_json(json)
}

impl BoardFile {
    /// Builds a board file from entries, computing the head; closed exactly when a closing
    /// statement is given.
    pub fn new(
        election: &Election,
        entries: Vec<BoardEntry>,
        closing: Option<SignedHead>,
    ) -> BoardFile {
        let head = entries.last().map_or_else(|| genesis(election), |e| e.hash);
        BoardFile {
            election: *election.base_hash(),
            closed: closing.is_some(),
            head,
            closing,
            entries,
        }
    }

    /// Parses the whole text of a `board.jsonl`: a header line, then one line per entry,
    /// every line ending with a newline. (The tools read large boards line by line instead.)
    ///
    /// # Errors
    /// The core's [`amanat::Error`] for malformed JSON, a bad encoding, or text that is not
    /// lines ending with a newline.
    pub fn parse(text: &str) -> amanat::Result<BoardFile> {
        let Some(body) = text.strip_suffix('\n') else {
            return Err(amanat::Error::MalformedJson(
                "a board is lines, each ending with a newline".into(),
            ));
        };
        let mut lines = body.split('\n');
        let header = BoardHeader::parse(lines.next().unwrap_or(""))?;
        let entries = lines.map(parse_entry).collect::<amanat::Result<Vec<_>>>()?;
        Ok(BoardFile::from_parts(header, entries))
    }

    /// The board as the text of a `board.jsonl`.
    pub fn to_jsonl(&self) -> String {
        let mut text = self.header().to_line();
        for e in &self.entries {
            text.push_str(&entry_line(e));
        }
        text
    }

    /// The board of a header and its entries.
    pub fn from_parts(header: BoardHeader, entries: Vec<BoardEntry>) -> BoardFile {
        BoardFile {
            election: header.election,
            closed: header.closed,
            head: header.head,
            closing: header.closing,
            entries,
        }
    }

    /// The board's own statements.
    pub fn header(&self) -> BoardHeader {
        BoardHeader {
            election: self.election,
            closed: self.closed,
            head: self.head,
            entries: self.entries.len() as u64,
            closing: self.closing.clone(),
        }
    }

    /// Checks that the board is for `election`, that its chain links from the genesis hash
    /// and ends at the recorded head.
    ///
    /// # Errors
    /// [`RecordError::Invalid`] or the core's link error.
    pub fn check(&self, election: &Election) -> RecordResult<()> {
        let mut chain = Chain::new(election, &self.header())?;
        for e in &self.entries {
            chain.push(e);
        }
        chain.finish().map(|_| ())
    }

    /// Checks the closing statement (docs/protocol.md §8.4), see [`check_closing`].
    ///
    /// # Errors
    /// [`RecordError::Invalid`] saying what does not hold.
    pub fn check_closing(&self, election: &Election) -> RecordResult<&SignedHead> {
        check_closing(
            election,
            self.closing.as_ref(),
            self.entries.len() as u64,
            &self.head,
        )
    }
}

/// What the verifier needs of one entry in board order once its ballot has been checked
/// elsewhere (docs/observer.md: a browser's worker parses and checks the entry, the verifier
/// keeps this): everything but the ballot, and whether the entry's own link holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntrySummary {
    /// The board index.
    pub index: u64,
    /// Cast or challenge.
    pub kind: EntryKind,
    /// When the box received it.
    pub received: String,
    /// The tracking hash, as recorded.
    pub tracking: Digest,
    /// The short code, as recorded.
    pub short: String,
    /// The previous entry's hash, as recorded.
    pub prev: Digest,
    /// The entry's hash, as recorded.
    pub hash: Digest,
    /// The ballot's credential.
    pub credential: PublicKey,
    /// Whether `BoardEntry::check_link` holds with the entry's own index and previous hash:
    /// its tracking hash, short code and hash are its own. [`Chain::push_summary`] checks
    /// the rest, that it follows the entry before it.
    pub own_link: bool,
}

impl EntrySummary {
    /// The summary of a parsed entry.
    pub fn of(e: &BoardEntry) -> EntrySummary {
        EntrySummary {
            index: e.index,
            kind: e.kind,
            received: e.received.clone(),
            tracking: e.tracking,
            short: e.short.clone(),
            prev: e.prev,
            hash: e.hash,
            credential: e.ballot.credential,
            own_link: e.check_link(&e.prev, e.index).is_ok(),
        }
    }
}

/// The chain of a board, checked entry by entry as they come (docs/record.md §5, V4): the
/// board is this election's, entry `i` has index `i` and links to the previous entry's
/// recorded hash (the genesis hash for entry 0), its tracking hash, short code and hash are
/// its own (`BoardEntry::check_link`), and the last hash is the recorded head. Remembers the
/// previous hash, the count and the first break only.
pub struct Chain {
    header: BoardHeader,
    prev: Digest,
    entries: u64,
    broken: Option<RecordError>,
}

impl Chain {
    /// Starts the check of a board whose header is `header`.
    ///
    /// # Errors
    /// [`RecordError::Invalid`] when the board is for another election.
    pub fn new(election: &Election, header: &BoardHeader) -> RecordResult<Chain> {
        if header.election != *election.base_hash() {
            return Err(RecordError::Invalid(
                "the board is for another election (base hash differs)".into(),
            ));
        }
        Ok(Chain {
            header: header.clone(),
            prev: genesis(election),
            entries: 0,
            broken: None,
        })
    }

    /// Checks the next entry's link.
    pub fn push(&mut self, entry: &BoardEntry) {
        self.link(entry.index, &entry.prev, entry.hash, || {
            entry.check_link(&entry.prev, entry.index).is_ok()
        });
    }

    /// Checks the next entry's link from its summary: the same as [`Chain::push`] on the
    /// entry it summarizes.
    pub fn push_summary(&mut self, s: &EntrySummary) {
        self.link(s.index, &s.prev, s.hash, || s.own_link);
    }

    /// `BoardEntry::check_link(prev, entries)`, which fails with the entry's
    /// `Verification(Board(index))` whatever does not hold, split in two: the entry follows
    /// the one before it (index and previous hash), and its own link (`own`).
    fn link(&mut self, index: u64, prev: &Digest, hash: Digest, own: impl FnOnce() -> bool) {
        if self.broken.is_none() && !(index == self.entries && *prev == self.prev && own()) {
            self.broken = Some(amanat::Error::Verification(amanat::Check::Board(index)).into());
        }
        self.prev = hash;
        self.entries += 1;
    }

    /// How many entries were pushed.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// [`Chain::finish`] taking the number of entries pushed as the board's own, as
    /// [`BoardFile::check`] does (its header counts the entries it holds): for a tool that
    /// streams the board and must answer as the in-memory check did.
    ///
    /// # Errors
    /// As [`Chain::finish`], without the count's.
    pub fn finish_as_read(mut self) -> RecordResult<u64> {
        self.header.entries = self.entries;
        self.finish()
    }

    /// The first broken link, or the head and closing flag that do not agree with the
    /// entries; otherwise the number of entries.
    ///
    /// # Errors
    /// The first link error, or [`RecordError::Invalid`].
    pub fn finish(self) -> RecordResult<u64> {
        if let Some(e) = self.broken {
            return Err(e);
        }
        if self.entries != self.header.entries {
            return Err(RecordError::Invalid(format!(
                "the board has {} entries, its first line says {}",
                self.entries, self.header.entries
            )));
        }
        if self.prev != self.header.head {
            return Err(RecordError::Invalid(
                "the board's recorded head is not its last entry's hash".into(),
            ));
        }
        if self.header.closing.is_some() != self.header.closed {
            return Err(RecordError::Invalid(if self.header.closed {
                "the board is marked closed but carries no closing statement".into()
            } else {
                "the board carries a closing statement but is not marked closed".into()
            }));
        }
        Ok(self.entries)
    }
}

/// Checks the closing statement (docs/protocol.md §8.4; docs/record.md §5, V4): present,
/// signed by the election's ballot box key, for this election, stating the polls closed,
/// and naming exactly a board of `entries` entries with head `head`. Returns the statement.
///
/// # Errors
/// [`RecordError::Invalid`] saying what does not hold.
pub fn check_closing<'a>(
    election: &Election,
    closing: Option<&'a SignedHead>,
    entries: u64,
    head: &Digest,
) -> RecordResult<&'a SignedHead> {
    let Some(c) = closing else {
        return Err(RecordError::Invalid(
            "no closing statement: the board was exported before the polls closed".into(),
        ));
    };
    c.verify(election)
        .map_err(|e| RecordError::Invalid(format!("the closing statement does not verify: {e}")))?;
    if !c.closed {
        return Err(RecordError::Invalid(
            "the closing statement says the polls are open".into(),
        ));
    }
    if c.entries != entries || c.head != *head {
        return Err(RecordError::Invalid(format!(
            "the box signed a closed board of {} entries with head {}…, this board has {} \
             entries with head {}…",
            c.entries,
            &c.head.to_hex()[..16],
            entries,
            &head.to_hex()[..16]
        )));
    }
    Ok(c)
}
