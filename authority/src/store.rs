//! The ballot box's storage: the hash-chained board behind the [`BallotStore`] interface,
//! and [`SqliteStore`], its embedded implementation (the default).
//!
//! The store, not the HTTP layer, enforces the board's rules, each inside the same atomic
//! step as the append, so that they hold across processes (the `amanat close` command runs
//! beside a live server) and so that a networked database can take the store's place:
//!
//! - no entry is appended once the polls are closed (a repeat of a stored one is still
//!   answered);
//! - an entry's `prev` is the current head and its `index` the current number of entries;
//! - the same ballot (same tracking hash and kind) is stored once: a repeat returns the
//!   entry already on the board;
//! - a tracking hash that was challenged is never cast, and one that was cast is never
//!   challenged;
//! - times never go back: an entry's `received` is at least its predecessor's.
//!
//! Once the polls are closed the store keeps the box's signed closing statement
//! ([`SignedHead`], docs/protocol.md §8.4), which names the final board.
//!
//! [`PgStore`] (`postgres.rs`) keeps the same board in PostgreSQL, for several replicas of
//! the box on one database; [`open`] picks the store a command was given.

use std::path::{Path, PathBuf};
use std::time::Duration;

use amanat::board::{genesis, BoardEntry, EntryKind};
use amanat::{Ballot, Challenge, Digest, Election, PublicKey, SignedHead};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

mod postgres;
pub use self::postgres::PgStore;

/// The tests' PostgreSQL server, shared with the integration tests.
#[cfg(test)]
#[path = "../tests/pg_cluster/mod.rs"]
mod pg_cluster;

/// Opens the board of `election` in PostgreSQL when `database` (a `postgres://` URL or a
/// libpq connection string) is given, and otherwise in the SQLite file `path`.
///
/// # Errors
/// As [`SqliteStore::open`] and [`PgStore::open`].
pub fn open(
    database: Option<&str>,
    path: &Path,
    election: &Election,
) -> StoreResult<Box<dyn BallotStore>> {
    Ok(match database {
        Some(url) => Box::new(PgStore::open(url, election)?),
        None => Box::new(SqliteStore::open(path, election)?),
    })
}

/// What can go wrong in the store. Each variant has a stable [`StoreError::code`].
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The polls are closed: nothing more is appended.
    #[error("the polls are closed")]
    Closed,
    /// A challenge for a tracking hash that was already cast.
    #[error("this ballot was already cast; a cast ballot cannot be challenged")]
    AlreadyCast,
    /// A cast of a tracking hash that was already challenged.
    #[error("this ballot was challenged; a challenged ballot can never be cast")]
    AlreadyChallenged,
    /// The database belongs to another election.
    #[error("the database belongs to another election (base hash {0})")]
    OtherElection(String),
    /// A stored entry does not parse or does not link to its predecessor.
    #[error("the stored board is damaged: {0}")]
    Corrupt(String),
    /// The database could not be read or written.
    #[error("storage failure: {0}")]
    Storage(String),
}

impl StoreError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Closed => "POLLS_CLOSED",
            StoreError::AlreadyCast => "ALREADY_CAST",
            StoreError::AlreadyChallenged => "ALREADY_CHALLENGED",
            StoreError::OtherElection(_) => "OTHER_ELECTION",
            StoreError::Corrupt(_) | StoreError::Storage(_) => "STORAGE",
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Storage(e.to_string())
    }
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// An entry to append; the store assigns its index and chain link.
#[derive(Clone, Debug)]
pub struct NewEntry {
    /// Cast or challenge.
    pub kind: EntryKind,
    /// Arrival time, RFC 3339 UTC.
    pub received: String,
    /// The (verified) ballot.
    pub ballot: Ballot,
    /// The (checked) reveal, for a challenge.
    pub challenge: Option<Challenge>,
}

/// The outcome of an append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Appended {
    /// The entry was appended and is durable.
    New(BoardEntry),
    /// The same ballot with the same kind was already on the board: nothing was appended;
    /// this is the entry already there.
    Existing(BoardEntry),
}

impl Appended {
    /// The board entry, new or existing.
    pub fn entry(&self) -> &BoardEntry {
        match self {
            Appended::New(e) | Appended::Existing(e) => e,
        }
    }
}

/// The storage a ballot box needs. One instance is used by one thread at a time (the server
/// keeps a writer and a reader behind locks); implementations must make [`append`] atomic
/// against every other writer of the same board, in this process or another.
///
/// [`append`]: BallotStore::append
pub trait BallotStore: Send {
    /// Appends an entry at the head of the chain, enforcing the board's rules (module docs),
    /// and returns only once the entry is durable: a batch of one.
    ///
    /// # Errors
    /// [`StoreError::Closed`], [`StoreError::AlreadyCast`], [`StoreError::AlreadyChallenged`]
    /// or a storage failure.
    fn append(&mut self, new: NewEntry) -> StoreResult<Appended> {
        self.append_batch(vec![new])
            .pop()
            .unwrap_or_else(|| Err(StoreError::Storage("empty batch".into())))
    }

    /// Appends several entries, in order, with one commit: each gets the outcome a lone
    /// [`append`](BallotStore::append) would have given it, and none is durable before all
    /// are; a storage failure fails the whole batch. This is how the server amortises one
    /// disk sync over the ballots that arrived while the previous commit was syncing.
    fn append_batch(&mut self, batch: Vec<NewEntry>) -> Vec<StoreResult<Appended>>;

    /// The entries with this full tracking hash (at most one cast or one challenge).
    ///
    /// # Errors
    /// A storage failure.
    fn by_tracking(&self, tracking: &Digest) -> StoreResult<Vec<BoardEntry>>;

    /// The entries with this canonical short code (`XXXX-XXXX-XXXX`), in board order.
    ///
    /// # Errors
    /// A storage failure.
    fn by_short(&self, short: &str) -> StoreResult<Vec<BoardEntry>>;

    /// The latest cast entry of a credential: the one that counts.
    ///
    /// # Errors
    /// A storage failure.
    fn latest_cast(&self, credential: &PublicKey) -> StoreResult<Option<BoardEntry>>;

    /// Up to `limit` entries from index `from`, in board order.
    ///
    /// # Errors
    /// A storage failure.
    fn page(&self, from: u64, limit: u64) -> StoreResult<Vec<BoardEntry>>;

    /// The number of entries and the chain head (the genesis hash of an empty board).
    ///
    /// # Errors
    /// A storage failure.
    fn head(&self) -> StoreResult<(u64, Digest)>;

    /// Whether the polls are closed.
    ///
    /// # Errors
    /// A storage failure.
    fn is_closed(&self) -> StoreResult<bool>;

    /// Closes the polls, durably, and returns the final number of entries and head, read in
    /// the same atomic step (nothing can be appended after it). Closing twice is harmless
    /// and returns the same.
    ///
    /// # Errors
    /// A storage failure.
    fn close(&mut self) -> StoreResult<(u64, Digest)>;

    /// The closing statement (docs/protocol.md §8.4), once one is stored.
    ///
    /// # Errors
    /// A storage failure, or a stored statement that does not parse.
    fn closing(&self) -> StoreResult<Option<SignedHead>>;

    /// Stores the box's signed closing statement, unless one is stored already, and returns
    /// the stored one (the first stays: everyone is shown the same). The polls must be
    /// closed and the statement must name the final board.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a statement that does not name the closed board, or a
    /// storage failure.
    fn set_closing(&mut self, statement: &SignedHead) -> StoreResult<SignedHead>;

    /// Calls `each` with the entries `from..to` in board order, read a page of at most
    /// [`STREAM_PAGE`] entries at a time, so a whole board goes by holding one page (the
    /// export of docs/record.md §2). Every store has it from [`BallotStore::page`].
    ///
    /// # Errors
    /// A storage failure, [`StoreError::Corrupt`] if an entry in the range is missing, or
    /// what `each` returns.
    fn for_each_entry(
        &self,
        from: u64,
        to: u64,
        each: &mut dyn FnMut(BoardEntry) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let mut index = from;
        while index < to {
            let page = self.page(index, STREAM_PAGE.min(to - index))?;
            if page.is_empty() {
                return Err(StoreError::Corrupt(format!("entry {index} is missing")));
            }
            for e in page {
                index += 1;
                each(e)?;
            }
        }
        Ok(())
    }
}

/// The entries [`BallotStore::for_each_entry`] reads at once.
pub const STREAM_PAGE: u64 = 500;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS board (
    idx        INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('cast', 'challenge')),
    tracking   TEXT NOT NULL,
    short      TEXT NOT NULL,
    credential TEXT NOT NULL,
    received   TEXT NOT NULL,
    hash       TEXT NOT NULL,
    entry      TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS board_kind_tracking ON board (kind, tracking);
CREATE INDEX IF NOT EXISTS board_tracking ON board (tracking);
CREATE INDEX IF NOT EXISTS board_short ON board (short);
CREATE INDEX IF NOT EXISTS board_credential ON board (credential, idx);
";

/// The board in one SQLite file, in WAL mode with `synchronous=FULL`: a commit is on disk
/// when [`BallotStore::append`] returns.
pub struct SqliteStore {
    conn: Connection,
    genesis: Digest,
    path: PathBuf,
}

impl core::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn parse_entry(json: &str) -> StoreResult<BoardEntry> {
    amanat::encoding::from_json(json).map_err(|e| StoreError::Corrupt(format!("entry: {e}")))
}

impl SqliteStore {
    /// Opens (creating if needed) the board of `election` at `path`. A new database is bound
    /// to the election's base hash; an existing one must carry the same.
    ///
    /// # Errors
    /// [`StoreError::OtherElection`] or a storage failure.
    pub fn open(path: &Path, election: &Election) -> StoreResult<SqliteStore> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = SqliteStore {
            conn,
            genesis: genesis(election),
            path: path.to_path_buf(),
        };
        store.init(&election.base_hash().to_hex())?;
        Ok(store)
    }

    fn init(&mut self, base: &str) -> StoreResult<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(SCHEMA)?;
        let stored: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE name = 'election'", [], |r| {
                r.get(0)
            })
            .optional()?;
        match stored {
            Some(s) if s != base => return Err(StoreError::OtherElection(s)),
            Some(_) => {}
            None => {
                tx.execute(
                    "INSERT INTO meta (name, value) VALUES ('election', ?1), ('closed', '0')",
                    params![base],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn entries(&self, sql: &str, args: impl rusqlite::Params) -> StoreResult<Vec<BoardEntry>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(args, |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            out.push(parse_entry(&json?)?);
        }
        Ok(out)
    }
}

fn head_in(conn: &Connection, genesis: &Digest) -> StoreResult<(u64, Digest)> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT idx, hash FROM board ORDER BY idx DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match last {
        None => Ok((0, *genesis)),
        Some((idx, hash)) => {
            let hash =
                Digest::from_hex(&hash).map_err(|e| StoreError::Corrupt(format!("head: {e}")))?;
            Ok((idx as u64 + 1, hash))
        }
    }
}

fn closed_in(conn: &Connection) -> StoreResult<bool> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE name = 'closed'", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(v.as_deref() == Some("1"))
}

/// The board's rules for a new entry of `kind`, decided from what the store read inside its
/// atomic step: `stored`, the kind and JSON of an entry with the same tracking hash (the unique
/// index allows at most one cast and one challenge; these rules allow only one of the two), and
/// whether the polls are `closed`. A repeat of the same ballot and kind is answered with the
/// stored entry (`Some`) — before the closed flag is looked at, so a client retrying a ballot
/// acknowledged just before the close still gets its receipt; `None` means append. Every store
/// calls this, so the rules and their order are written once.
///
/// # Errors
/// [`StoreError::AlreadyCast`], [`StoreError::AlreadyChallenged`], [`StoreError::Closed`], or
/// [`StoreError::Corrupt`] for a stored entry that does not parse.
pub(crate) fn repeat_or_refusal(
    stored: Option<(&str, &str)>,
    kind: EntryKind,
    closed: bool,
) -> StoreResult<Option<Appended>> {
    if let Some((stored_kind, json)) = stored {
        return match (stored_kind, kind) {
            ("cast", EntryKind::Cast) | ("challenge", EntryKind::Challenge) => {
                Ok(Some(Appended::Existing(parse_entry(json)?)))
            }
            ("cast", EntryKind::Challenge) => Err(StoreError::AlreadyCast),
            _ => Err(StoreError::AlreadyChallenged),
        };
    }
    if closed {
        return Err(StoreError::Closed);
    }
    Ok(None)
}

/// The new entry's time: times never go back along the board (a rule the verifier checks,
/// docs/record.md §5.3), so a clock stepped backwards gives the previous entry's time.
pub(crate) fn next_received(last: Option<String>, now: String) -> String {
    match last {
        Some(last) if last > now => last,
        _ => now,
    }
}

/// One append inside the caller's transaction, applying the board's rules. A rule error
/// leaves the transaction untouched.
fn append_in(conn: &Connection, genesis: &Digest, new: NewEntry) -> StoreResult<Appended> {
    let tracking_hex = new.ballot.tracking().full();
    let existing: Vec<(String, String)> = {
        let mut stmt = conn.prepare_cached("SELECT kind, entry FROM board WHERE tracking = ?1")?;
        let rows = stmt.query_map(params![tracking_hex], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let closed = closed_in(conn)?;
    if let Some(repeat) = repeat_or_refusal(
        existing.first().map(|(k, j)| (k.as_str(), j.as_str())),
        new.kind,
        closed,
    )? {
        return Ok(repeat);
    }
    let (index, prev) = head_in(conn, genesis)?;
    let credential = new.ballot.credential.to_hex();
    let last: Option<String> = conn
        .prepare_cached("SELECT received FROM board ORDER BY idx DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let received = next_received(last, new.received);
    let entry = BoardEntry::new(prev, index, new.kind, received, new.ballot, new.challenge)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let json = serde_json::to_string(&entry).map_err(|e| StoreError::Storage(e.to_string()))?;
    conn.prepare_cached(
        "INSERT INTO board (idx, kind, tracking, short, credential, received, hash, entry)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        index as i64,
        entry.kind.as_str(),
        tracking_hex,
        entry.short,
        credential,
        entry.received,
        entry.hash.to_hex(),
        json
    ])?;
    Ok(Appended::New(entry))
}

fn is_rule(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Closed | StoreError::AlreadyCast | StoreError::AlreadyChallenged
    )
}

impl SqliteStore {
    /// The whole batch in one transaction; a storage failure aborts all of it.
    fn try_batch(&mut self, batch: Vec<NewEntry>) -> StoreResult<Vec<StoreResult<Appended>>> {
        // IMMEDIATE takes the write lock first, so the head read inside is still the head at
        // commit, whoever else writes to the file.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut out = Vec::with_capacity(batch.len());
        for new in batch {
            match append_in(&tx, &self.genesis, new) {
                Err(e) if !is_rule(&e) => return Err(e),
                r => out.push(r),
            }
        }
        tx.commit()?;
        Ok(out)
    }
}

impl BallotStore for SqliteStore {
    fn append_batch(&mut self, batch: Vec<NewEntry>) -> Vec<StoreResult<Appended>> {
        let n = batch.len();
        match self.try_batch(batch) {
            Ok(results) => results,
            Err(e) => vec![Err(e); n],
        }
    }

    fn by_tracking(&self, tracking: &Digest) -> StoreResult<Vec<BoardEntry>> {
        self.entries(
            "SELECT entry FROM board WHERE tracking = ?1 ORDER BY idx",
            params![tracking.to_hex()],
        )
    }

    fn by_short(&self, short: &str) -> StoreResult<Vec<BoardEntry>> {
        self.entries(
            "SELECT entry FROM board WHERE short = ?1 ORDER BY idx",
            params![short],
        )
    }

    fn latest_cast(&self, credential: &PublicKey) -> StoreResult<Option<BoardEntry>> {
        Ok(self
            .entries(
                "SELECT entry FROM board WHERE credential = ?1 AND kind = 'cast'
                 ORDER BY idx DESC LIMIT 1",
                params![credential.to_hex()],
            )?
            .pop())
    }

    fn page(&self, from: u64, limit: u64) -> StoreResult<Vec<BoardEntry>> {
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.entries(
            "SELECT entry FROM board WHERE idx >= ?1 ORDER BY idx LIMIT ?2",
            params![from, limit],
        )
    }

    fn head(&self) -> StoreResult<(u64, Digest)> {
        head_in(&self.conn, &self.genesis)
    }

    fn is_closed(&self) -> StoreResult<bool> {
        closed_in(&self.conn)
    }

    fn close(&mut self) -> StoreResult<(u64, Digest)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("UPDATE meta SET value = '1' WHERE name = 'closed'", [])?;
        let head = head_in(&tx, &self.genesis)?;
        tx.commit()?;
        Ok(head)
    }

    fn closing(&self) -> StoreResult<Option<SignedHead>> {
        closing_in(&self.conn)
    }

    fn set_closing(&mut self, statement: &SignedHead) -> StoreResult<SignedHead> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(stored) = closing_in(&tx)? {
            return Ok(stored);
        }
        let (count, head) = head_in(&tx, &self.genesis)?;
        if !closed_in(&tx)?
            || !statement.closed
            || statement.entries != count
            || statement.head != head
        {
            return Err(StoreError::Corrupt(
                "the closing statement does not name the closed board".into(),
            ));
        }
        tx.execute(
            "INSERT INTO meta (name, value) VALUES ('closing', ?1)",
            params![statement.to_json()],
        )?;
        tx.commit()?;
        Ok(statement.clone())
    }
}

fn closing_in(conn: &Connection) -> StoreResult<Option<SignedHead>> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE name = 'closing'", [], |r| {
            r.get(0)
        })
        .optional()?;
    v.map(|json| {
        SignedHead::from_json(&json)
            .map_err(|e| StoreError::Corrupt(format!("closing statement: {e}")))
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use amanat::{Credential, CredentialEntry, CredentialList, Manifest, SealedBallot, Selections};
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
    use curve25519_dalek::Scalar;
    use rand_core::OsRng;

    fn election() -> (Election, Vec<Credential>) {
        let manifest: Manifest =
            serde_json::from_str(include_str!("../../tests/vectors/manifest.json")).unwrap();
        let key =
            PublicKey::from_bytes(&(G * Scalar::from(99u64)).compress().to_bytes(), "k").unwrap();
        let creds: Vec<Credential> = (0..2)
            .map(|_| {
                Credential::generate(&manifest.election_id, 0, &mut OsRng)
                    .unwrap()
                    .1
            })
            .collect();
        let list = CredentialList::new(
            creds
                .iter()
                .map(|c| CredentialEntry {
                    key: *c.public_key(),
                    style: "NA-1.PP-1".into(),
                })
                .collect(),
        )
        .unwrap();
        (
            Election::new(
                manifest,
                1,
                1,
                key,
                list.summary(),
                *crate::box_key::BoxKey::generate(&mut OsRng).public(),
            )
            .unwrap(),
            creds,
        )
    }

    fn sealed(e: &Election, c: &Credential) -> SealedBallot {
        let sel: Selections = [
            ("NA-1".to_string(), vec!["na-1-01".to_string()]),
            ("PP-1".to_string(), vec!["pp-1-02".to_string()]),
        ]
        .into();
        SealedBallot::seal(e, c, &sel, &mut OsRng).unwrap()
    }

    fn cast(b: &Ballot) -> NewEntry {
        NewEntry {
            kind: EntryKind::Cast,
            received: "2026-11-22T10:41:07Z".into(),
            ballot: b.clone(),
            challenge: None,
        }
    }

    /// Opens a second store (as another process would) on the same board.
    type Opener<'a> = &'a dyn Fn(&Election) -> StoreResult<Box<dyn BallotStore>>;

    fn sqlite(dir: &tempfile::TempDir) -> impl Fn(&Election) -> StoreResult<Box<dyn BallotStore>> {
        let path = dir.path().join("box.sqlite");
        move |e| open(None, &path, e)
    }

    fn pg(url: String) -> impl Fn(&Election) -> StoreResult<Box<dyn BallotStore>> {
        move |e| open(Some(&url), Path::new(""), e)
    }

    #[test]
    fn the_board_keeps_its_rules_and_its_chain_in_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        the_board_keeps_its_rules_and_its_chain(&sqlite(&dir));
    }

    #[test]
    fn the_board_keeps_its_rules_and_its_chain_in_postgres() {
        the_board_keeps_its_rules_and_its_chain(&pg(pg_cluster::fresh_database()));
    }

    fn the_board_keeps_its_rules_and_its_chain(open: Opener<'_>) {
        let (e, creds) = election();
        let mut s = open(&e).unwrap();
        assert_eq!(s.head().unwrap(), (0, genesis(&e)));

        let b1 = sealed(&e, &creds[0]).cast();
        let first = s.append(cast(&b1)).unwrap();
        assert!(matches!(first, Appended::New(_)));
        assert_eq!(
            s.append(cast(&b1)).unwrap(),
            Appended::Existing(first.entry().clone())
        );

        let b2 = sealed(&e, &creds[0]).cast();
        s.append(cast(&b2)).unwrap();
        assert_eq!(
            s.latest_cast(creds[0].public_key())
                .unwrap()
                .unwrap()
                .ballot,
            b2
        );
        assert!(s.latest_cast(creds[1].public_key()).unwrap().is_none());

        let ch = sealed(&e, &creds[1]);
        let cb = ch.ballot().clone();
        let reveal = ch.challenge();
        let challenge = NewEntry {
            kind: EntryKind::Challenge,
            challenge: Some(reveal),
            ..cast(&cb)
        };
        s.append(challenge.clone()).unwrap();
        assert!(matches!(
            s.append(cast(&cb)),
            Err(StoreError::AlreadyChallenged)
        ));
        assert!(matches!(
            s.append(NewEntry {
                ballot: b1.clone(),
                ..challenge
            }),
            Err(StoreError::AlreadyCast)
        ));

        // A batch gets each entry's own outcome, in order, with one commit.
        let b4 = sealed(&e, &creds[1]).cast();
        let out = s.append_batch(vec![
            cast(&b4),
            cast(&b4),
            NewEntry {
                kind: EntryKind::Challenge,
                received: "2026-11-22T10:41:08Z".into(),
                ballot: b4.clone(),
                challenge: Some(sealed(&e, &creds[1]).challenge()),
            },
        ]);
        assert!(matches!(&out[0], Ok(Appended::New(x)) if x.index == 3));
        assert!(matches!(&out[1], Ok(Appended::Existing(x)) if x.index == 3));
        assert!(matches!(&out[2], Err(StoreError::AlreadyCast)));

        let all = s.page(0, 100).unwrap();
        assert_eq!(all.len(), 4);
        let head = amanat::board::check_chain(&e, &all).unwrap();
        assert_eq!(s.head().unwrap(), (4, head));
        assert_eq!(s.page(1, 1).unwrap(), vec![all[1].clone()]);
        assert_eq!(s.by_short(&all[2].short).unwrap(), vec![all[2].clone()]);
        assert_eq!(
            s.by_tracking(&all[0].tracking).unwrap(),
            vec![all[0].clone()]
        );

        // A second connection (another process) sees the same board and can close it.
        let mut other = open(&e).unwrap();
        assert_eq!(other.head().unwrap(), (4, head));
        other.close().unwrap();
        assert!(s.is_closed().unwrap());
        let b3 = sealed(&e, &creds[1]).cast();
        assert!(matches!(s.append(cast(&b3)), Err(StoreError::Closed)));
        assert!(matches!(s.append(cast(&b2)), Ok(Appended::Existing(_))));
        assert_eq!(s.head().unwrap(), (4, head));
    }

    #[test]
    fn a_database_serves_one_election_only() {
        let dir = tempfile::tempdir().unwrap();
        for open in [
            &sqlite(&dir) as Opener<'_>,
            &pg(pg_cluster::fresh_database()),
        ] {
            let (e1, _) = election();
            let (e2, _) = election();
            open(&e1).unwrap();
            open(&e1).unwrap();
            assert!(matches!(open(&e2), Err(StoreError::OtherElection(_))));
        }
    }

    #[test]
    fn postgres_replicas_appending_at_once_keep_one_chain() {
        let url = pg_cluster::fresh_database();
        let (e, creds) = election();
        let creds = std::sync::Arc::new(creds);
        // Two stores opened at once also race to create the tables.
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let (url, e, creds) = (url.clone(), e.clone(), creds.clone());
                std::thread::spawn(move || {
                    let mut s = PgStore::open(&url, &e).unwrap();
                    for i in 0..10 {
                        let b = sealed(&e, &creds[w]).cast();
                        if i % 2 == 0 {
                            assert!(matches!(s.append(cast(&b)), Ok(Appended::New(_))));
                        } else {
                            let out = s.append_batch(vec![cast(&b), cast(&b)]);
                            assert!(matches!(out[0], Ok(Appended::New(_))));
                            assert!(matches!(out[1], Ok(Appended::Existing(_))));
                        }
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        let s = PgStore::open(&url, &e).unwrap();
        let all = s.page(0, 100).unwrap();
        assert_eq!(all.len(), 20);
        assert!(all.iter().enumerate().all(|(i, x)| x.index == i as u64));
        let head = amanat::board::check_chain(&e, &all).unwrap();
        assert_eq!(s.head().unwrap(), (20, head));
        for c in creds.iter() {
            assert_eq!(
                all.iter()
                    .filter(|x| x.ballot.credential == *c.public_key())
                    .count(),
                10
            );
        }
    }

    #[test]
    fn a_close_through_one_postgres_store_holds_for_the_other() {
        let url = pg_cluster::fresh_database();
        let (e, creds) = election();
        let mut a = PgStore::open(&url, &e).unwrap();
        let mut b = PgStore::open(&url, &e).unwrap();
        let b1 = sealed(&e, &creds[0]).cast();
        a.append(cast(&b1)).unwrap();
        let (count, head) = b.close().unwrap();
        assert_eq!(count, 1);
        assert!(matches!(
            a.append(cast(&sealed(&e, &creds[1]).cast())),
            Err(StoreError::Closed)
        ));
        assert!(matches!(a.append(cast(&b1)), Ok(Appended::Existing(_))));
        assert_eq!(a.close().unwrap(), (count, head));
        assert_eq!(a.closing().unwrap(), None);
    }

    #[test]
    fn a_postgres_store_reconnects_after_losing_its_connection() {
        let url = pg_cluster::fresh_database();
        let (e, creds) = election();
        let mut s = PgStore::open(&url, &e).unwrap();
        s.append(cast(&sealed(&e, &creds[0]).cast())).unwrap();
        // The server ends every other session on the database (as a restart or failover
        // would): the store finds its connection broken at the next call and makes that call
        // again on a new connection, so neither a read nor an append fails for it.
        let terminate = || {
            let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
            admin
                .batch_execute(
                    "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
                     WHERE datname = current_database() AND pid <> pg_backend_pid()",
                )
                .unwrap();
        };
        terminate();
        assert_eq!(s.head().unwrap().0, 1);
        terminate();
        let b = sealed(&e, &creds[1]).cast();
        assert!(matches!(s.append(cast(&b)), Ok(Appended::New(x)) if x.index == 1));
        assert_eq!(s.head().unwrap().0, 2);
    }
}
