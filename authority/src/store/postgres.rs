//! [`PgStore`]: the board in a PostgreSQL database, so that several ballot box replicas (in
//! several processes, on several machines) serve one board (docs/ballot-box.md "PostgreSQL").
//!
//! The board's rules (the parent module's docs) are applied inside the database transaction
//! of each append, exactly as [`SqliteStore`](super::SqliteStore) applies them, so they hold
//! for every writer of the database. Writers are serialised by one row lock taken first in
//! every writing transaction (see [`LOCK`]); unique constraints on the chain are a second
//! line of defence should that ever be bypassed.
//!
//! The client is the synchronous `postgres` crate: the store is used from the server's
//! writer thread and from the blocking pool, never from async code, so an async client would
//! only add a runtime inside the store.

use std::cell::{RefCell, RefMut};

use amanat::board::{genesis, BoardEntry};
use amanat::{Digest, Election, PublicKey, SignedHead};
use postgres::types::ToSql;
use postgres::{Client, Config, GenericClient, IsolationLevel, NoTls};

use super::{
    is_rule, next_received, parse_entry, repeat_or_refusal, Appended, BallotStore, NewEntry,
    StoreError, StoreResult,
};

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        // The driver's own text for a server error is only "db error": add the server's.
        StoreError::Storage(match e.as_db_error() {
            Some(db) => format!("{e}: {} ({})", db.message(), db.code().code()),
            None => e.to_string(),
        })
    }
}

/// The tables, created at open when missing. The same layout as the SQLite store's, with the
/// chain's own invariants as constraints: one entry per index, one per `(kind, tracking)`,
/// one successor per `prev` (no fork) and one entry per hash.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS amanat_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS amanat_board (
    idx        BIGINT PRIMARY KEY CHECK (idx >= 0),
    kind       TEXT NOT NULL CHECK (kind IN ('cast', 'challenge')),
    tracking   TEXT NOT NULL,
    short      TEXT NOT NULL,
    credential TEXT NOT NULL,
    received   TEXT NOT NULL,
    prev       TEXT NOT NULL UNIQUE,
    hash       TEXT NOT NULL UNIQUE,
    entry      TEXT NOT NULL,
    UNIQUE (kind, tracking)
);
CREATE INDEX IF NOT EXISTS amanat_board_tracking ON amanat_board (tracking);
CREATE INDEX IF NOT EXISTS amanat_board_short ON amanat_board (short);
CREATE INDEX IF NOT EXISTS amanat_board_credential ON amanat_board (credential, idx);
";

/// An entry's JSON (about 30 KB for the reference ballot) is kept out of line and not
/// compressed. By default PostgreSQL compresses such a value with pglz before storing it,
/// which cost the database about as much CPU per ballot again as the rest of the append
/// (`make bench-box`), for a board that is mostly hex digits and halves at best; disk is
/// cheaper than CPU at the peak. Set when the board is created (PostgreSQL 15 has no
/// `STORAGE` clause in `CREATE TABLE`); it applies to rows written after it.
const ENTRY_STORAGE: &str = "ALTER TABLE amanat_board ALTER COLUMN entry SET STORAGE EXTERNAL";

/// The lock every writing transaction (append, batch, close, closing statement) takes first.
///
/// It is the row of the `closed` flag, locked `FOR UPDATE`: every append must read that flag
/// anyway and `close` writes it, so one lock orders appends with each other and with the
/// close, across every process using the database. Once granted, the transaction (READ
/// COMMITTED, where each statement sees everything committed before it started) reads the
/// head that is still the head at its commit, so `prev` and `index` cannot race. A row lock
/// rather than an advisory lock because it lives in the board's own tables (no lock number
/// shared with other users of the server) and, like every lock, is released by commit,
/// rollback or a dropped connection.
const LOCK: &str = "SELECT value FROM amanat_meta WHERE name = 'closed' FOR UPDATE";

/// Creating the tables is serialised too (two replicas starting at once would otherwise race
/// in `CREATE TABLE IF NOT EXISTS`): this transaction-scoped advisory lock, taken before the
/// tables exist, is the only one that can be.
const INIT_LOCK: &str = "SELECT pg_advisory_xact_lock(7468435218002)";

/// The board in PostgreSQL. Commits are synchronous (`synchronous_commit = on`): an entry is
/// durable on the server (and its synchronous standbys, if configured) when
/// [`BallotStore::append`] returns.
///
/// A connection that broke (the server restarted, the network failed) is reopened on the
/// next call; the call that met the failure returns [`StoreError::Storage`].
pub struct PgStore {
    config: Config,
    client: RefCell<Client>,
    genesis: Digest,
}

impl core::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The URL may carry a password: only the database's name is shown.
        f.debug_struct("PgStore")
            .field("dbname", &self.config.get_dbname())
            .finish_non_exhaustive()
    }
}

fn connect(config: &Config) -> StoreResult<Client> {
    let mut client = config.connect(NoTls)?;
    client.batch_execute("SET synchronous_commit = on")?;
    Ok(client)
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`, or a libpq
    /// `key=value` string) and opens the board of `election` there, creating its tables if
    /// needed. A new database is bound to the election's base hash; an existing one must
    /// carry the same.
    ///
    /// # Errors
    /// [`StoreError::OtherElection`], a URL that does not parse, or a storage failure.
    pub fn open(url: &str, election: &Election) -> StoreResult<PgStore> {
        let mut config: Config = url
            .parse()
            .map_err(|e: postgres::Error| StoreError::Storage(format!("database URL: {e}")))?;
        config.application_name("amanat");
        let client = connect(&config)?;
        let store = PgStore {
            config,
            client: RefCell::new(client),
            genesis: genesis(election),
        };
        store.init(&election.base_hash().to_hex())?;
        Ok(store)
    }

    fn init(&self, base: &str) -> StoreResult<()> {
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        tx.batch_execute(INIT_LOCK)?;
        tx.batch_execute(SCHEMA)?;
        let stored: Option<String> = tx
            .query_opt("SELECT value FROM amanat_meta WHERE name = 'election'", &[])?
            .map(|r| r.get(0));
        match stored {
            Some(s) if s != base => return Err(StoreError::OtherElection(s)),
            Some(_) => {}
            None => {
                tx.execute(
                    "INSERT INTO amanat_meta (name, value) VALUES ('election', $1), ('closed', '0')",
                    &[&base],
                )?;
                // A new board: see [`ENTRY_STORAGE`].
                tx.batch_execute(ENTRY_STORAGE)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The connection, reopened first if the last one broke.
    fn client(&self) -> StoreResult<RefMut<'_, Client>> {
        let mut client = self.client.borrow_mut();
        if client.is_closed() {
            *client = connect(&self.config)?;
        }
        Ok(client)
    }

    /// Runs `f` on the connection and, if it failed because the connection broke, once more
    /// on a new one. A connection that sat idle while the server restarted (or failed over)
    /// only finds out at its next statement; without the second try, the first read or
    /// append of each connection after every database restart would fail. Running `f` twice
    /// is safe: a read is a read, and a batch whose first transaction did commit (its answer
    /// lost with the connection) finds its entries on the board the second time and gets
    /// them as repeats, with the same entries and receipts.
    fn with_client<T>(&self, f: impl Fn(&mut Client) -> StoreResult<T>) -> StoreResult<T> {
        let mut client = self.client()?;
        match f(&mut client) {
            Err(StoreError::Storage(_)) if client.is_closed() => {
                *client = connect(&self.config)?;
                f(&mut client)
            }
            r => r,
        }
    }

    fn entries(&self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> StoreResult<Vec<BoardEntry>> {
        let rows = self.with_client(|c| Ok(c.query(sql, args)?))?;
        rows.iter()
            .map(|r| parse_entry(r.get::<_, &str>(0)))
            .collect()
    }

    /// The whole batch in one transaction, after [`LOCK`]; a storage failure aborts all of it.
    fn try_batch(
        client: &mut Client,
        genesis: &Digest,
        batch: &[NewEntry],
    ) -> StoreResult<Vec<StoreResult<Appended>>> {
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()?;
        let closed = closed_flag(tx.query_one(LOCK, &[])?.get(0));
        let mut out = Vec::with_capacity(batch.len());
        for new in batch {
            match append_in(&mut tx, genesis, closed, new.clone()) {
                Err(e) if !is_rule(&e) => return Err(e),
                r => out.push(r),
            }
        }
        tx.commit()?;
        Ok(out)
    }
}

fn closed_flag(value: &str) -> bool {
    value == "1"
}

fn head_in(conn: &mut impl GenericClient, genesis: &Digest) -> StoreResult<(u64, Digest)> {
    let last = conn.query_opt(
        "SELECT idx, hash FROM amanat_board ORDER BY idx DESC LIMIT 1",
        &[],
    )?;
    match last {
        None => Ok((0, *genesis)),
        Some(row) => {
            let idx: i64 = row.get(0);
            let hash = Digest::from_hex(row.get(1))
                .map_err(|e| StoreError::Corrupt(format!("head: {e}")))?;
            Ok((idx as u64 + 1, hash))
        }
    }
}

fn closing_in(conn: &mut impl GenericClient) -> StoreResult<Option<SignedHead>> {
    let row = conn.query_opt("SELECT value FROM amanat_meta WHERE name = 'closing'", &[])?;
    row.map(|r| {
        SignedHead::from_json(r.get(0))
            .map_err(|e| StoreError::Corrupt(format!("closing statement: {e}")))
    })
    .transpose()
}

/// One append inside the caller's transaction, which holds [`LOCK`] and read `closed` under
/// it. The rules and their order are those of the SQLite store's `append_in`.
fn append_in(
    tx: &mut postgres::Transaction<'_>,
    genesis: &Digest,
    closed: bool,
    new: NewEntry,
) -> StoreResult<Appended> {
    let tracking_hex = new.ballot.tracking().full();
    let existing = tx.query_opt(
        "SELECT kind, entry FROM amanat_board WHERE tracking = $1 ORDER BY idx LIMIT 1",
        &[&tracking_hex],
    )?;
    let stored = existing
        .as_ref()
        .map(|row| (row.get::<_, &str>(0), row.get::<_, &str>(1)));
    if let Some(repeat) = repeat_or_refusal(stored, new.kind, closed)? {
        return Ok(repeat);
    }
    let (index, prev) = head_in(tx, genesis)?;
    let last = tx.query_opt(
        "SELECT received FROM amanat_board ORDER BY idx DESC LIMIT 1",
        &[],
    )?;
    let received = next_received(last.map(|r| r.get::<_, String>(0)), new.received);
    let credential = new.ballot.credential.to_hex();
    let entry = BoardEntry::new(prev, index, new.kind, received, new.ballot, new.challenge)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let json = serde_json::to_string(&entry).map_err(|e| StoreError::Storage(e.to_string()))?;
    let idx = i64::try_from(index).map_err(|_| StoreError::Corrupt("index overflow".into()))?;
    tx.execute(
        "INSERT INTO amanat_board
             (idx, kind, tracking, short, credential, received, prev, hash, entry)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &idx,
            &entry.kind.as_str(),
            &tracking_hex,
            &entry.short,
            &credential,
            &entry.received,
            &prev.to_hex(),
            &entry.hash.to_hex(),
            &json,
        ],
    )?;
    Ok(Appended::New(entry))
}

impl BallotStore for PgStore {
    fn append_batch(&mut self, batch: Vec<NewEntry>) -> Vec<StoreResult<Appended>> {
        let n = batch.len();
        match self.with_client(|c| PgStore::try_batch(c, &self.genesis, &batch)) {
            Ok(results) => results,
            Err(e) => vec![Err(e); n],
        }
    }

    fn by_tracking(&self, tracking: &Digest) -> StoreResult<Vec<BoardEntry>> {
        self.entries(
            "SELECT entry FROM amanat_board WHERE tracking = $1 ORDER BY idx",
            &[&tracking.to_hex()],
        )
    }

    fn by_short(&self, short: &str) -> StoreResult<Vec<BoardEntry>> {
        self.entries(
            "SELECT entry FROM amanat_board WHERE short = $1 ORDER BY idx",
            &[&short],
        )
    }

    fn latest_cast(&self, credential: &PublicKey) -> StoreResult<Option<BoardEntry>> {
        Ok(self
            .entries(
                "SELECT entry FROM amanat_board WHERE credential = $1 AND kind = 'cast'
                 ORDER BY idx DESC LIMIT 1",
                &[&credential.to_hex()],
            )?
            .pop())
    }

    fn page(&self, from: u64, limit: u64) -> StoreResult<Vec<BoardEntry>> {
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.entries(
            "SELECT entry FROM amanat_board WHERE idx >= $1 ORDER BY idx LIMIT $2",
            &[&from, &limit],
        )
    }

    fn head(&self) -> StoreResult<(u64, Digest)> {
        self.with_client(|c| head_in(c, &self.genesis))
    }

    fn is_closed(&self) -> StoreResult<bool> {
        let row = self.with_client(|c| {
            Ok(c.query_opt("SELECT value FROM amanat_meta WHERE name = 'closed'", &[])?)
        })?;
        Ok(row.is_some_and(|r| closed_flag(r.get(0))))
    }

    fn close(&mut self) -> StoreResult<(u64, Digest)> {
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        tx.query_one(LOCK, &[])?;
        tx.execute(
            "UPDATE amanat_meta SET value = '1' WHERE name = 'closed'",
            &[],
        )?;
        let head = head_in(&mut tx, &self.genesis)?;
        tx.commit()?;
        Ok(head)
    }

    fn closing(&self) -> StoreResult<Option<SignedHead>> {
        self.with_client(closing_in)
    }

    fn set_closing(&mut self, statement: &SignedHead) -> StoreResult<SignedHead> {
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        let closed = closed_flag(tx.query_one(LOCK, &[])?.get(0));
        if let Some(stored) = closing_in(&mut tx)? {
            return Ok(stored);
        }
        let (count, head) = head_in(&mut tx, &self.genesis)?;
        if !closed || !statement.closed || statement.entries != count || statement.head != head {
            return Err(StoreError::Corrupt(
                "the closing statement does not name the closed board".into(),
            ));
        }
        tx.execute(
            "INSERT INTO amanat_meta (name, value) VALUES ('closing', $1)",
            &[&statement.to_json()],
        )?;
        tx.commit()?;
        Ok(statement.clone())
    }
}
