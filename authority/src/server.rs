//! The ballot box (`amanat serve`): the HTTP API of docs/ballot-box.md over a
//! [`BallotStore`], and the voter page's static files; plus `amanat close` and
//! `amanat export-board`, which work on the same database beside a running server.
//!
//! A cast ballot is parsed and verified on one verifier thread per core (a few milliseconds
//! of curve arithmetic each; ballots that queued together are verified together), then
//! appended by the single writer; the answer goes out only after the store has committed it
//! to disk.
//!
//! The connections themselves (accepting, the cap, timeouts, the checks on request heads)
//! are `http_listener.rs` and `http_gate.rs`; the limits are in [`crate::http_limits`];
//! this module keeps the two that belong to requests: the budget of request bodies in
//! memory and the board-page semaphore.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use amanat::board::{BoardEntry, EntryKind};
use amanat::{normalize_short_code, Ballot, Challenge, CredentialList, Digest, Election, Receipt};
use axum::body::{Body, Bytes};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::{BodyExt, Full};
use serde::{Deserialize, Serialize};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};

use crate::box_key::{BoxKey, BoxKeyError};
use crate::error::ToolError;
pub use crate::http_answer::CSP;
use crate::http_answer::{security_headers, ApiError};
use crate::http_limits::{
    FileLimit, BLOCKING_THREADS, BODY_BUDGET, BODY_MIN_CHARGE, BODY_TIMEOUT, HEAVY_READS,
    HEAVY_WAIT, PAGE_BYTES, TRIM_EVERY,
};
use crate::http_listener::Holding;
use crate::metrics::{Metrics, RequestLog, Watch};
use crate::served_files;
use crate::store::{self, Appended, BallotStore, NewEntry, StoreError};

/// The largest request body the box reads.
pub const MAX_BODY: usize = 256 * 1024;
/// How much of an oversized body the box reads and discards before answering 413.
pub const DRAIN_MAX: u64 = 4 * MAX_BODY as u64;
/// The most board entries one page returns (a page also stops growing past
/// [`PAGE_BYTES`]).
pub const MAX_PAGE: u64 = 500;
/// The board page size when the request names none.
pub const DEFAULT_PAGE: u64 = 100;
/// The longest SMS reply, in (GSM-7) characters.
pub const SMS_MAX: usize = 160;
/// The longest Urdu SMS reply, in UCS-2 characters (one SMS).
pub const SMS_MAX_UCS2: usize = 70;

/// `amanat serve`: run the ballot box.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The election directory (election.json, credentials.json).
    #[arg(long)]
    pub election: PathBuf,
    /// The board database [default: ELECTION/box.sqlite].
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Keep the board in PostgreSQL instead of SQLite: a `postgres://user@host/db` URL or a
    /// libpq `key=value` string. Several boxes may serve one database
    /// (docs/ballot-box.md "PostgreSQL").
    #[arg(long, value_name = "URL", conflicts_with = "db")]
    pub database: Option<String>,
    /// The ballot box's receipt key, made by `amanat box-key` before the election was
    /// defined [default: DB.key]. The box does not start without it, nor with a key that is
    /// not the election's ballot_box_key.
    #[arg(long, value_name = "FILE")]
    pub box_key: Option<PathBuf>,
    /// The voter page's files, served at `/`.
    #[arg(long, default_value = "www")]
    pub www: PathBuf,
    /// The WebAssembly package, served at `/pkg/`.
    #[arg(long, default_value = "pkg")]
    pub pkg: PathBuf,
    /// The published list of the files to serve, with their SHA-256 (`amanat served-files
    /// make`) [default: ELECTION/served-files.json where it exists]. With a list, the box
    /// refuses to start when a file differs from it, and never serves a file that is not
    /// the published one.
    #[arg(long, value_name = "FILE")]
    pub served_files: Option<PathBuf>,
    /// Address and port to listen on (port 0 picks a free port; the URL is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// At most this many connections at once [default: the open-file limit, raised to its
    /// hard limit, less 128 kept for the database and files; at most 16384].
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
    /// Write a request log here, one JSON object per answered request (time, method, route,
    /// status, milliseconds; never a ballot, a code or an address); `-` for standard error.
    #[arg(long, value_name = "FILE")]
    pub request_log: Option<PathBuf>,
}

/// `amanat close`: close the polls (works while the server runs) and sign the closing
/// statement.
#[derive(Debug, clap::Args)]
pub struct CloseArgs {
    /// The election directory.
    #[arg(long)]
    pub election: PathBuf,
    /// The board database [default: ELECTION/box.sqlite].
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Keep the board in PostgreSQL instead of SQLite: a `postgres://user@host/db` URL or a
    /// libpq `key=value` string. Several boxes may serve one database
    /// (docs/ballot-box.md "PostgreSQL").
    #[arg(long, value_name = "URL", conflicts_with = "db")]
    pub database: Option<String>,
    /// The ballot box's key, which signs the closing statement [default: DB.key].
    #[arg(long, value_name = "FILE")]
    pub box_key: Option<PathBuf>,
}

/// `amanat export-board`: write the board as JSON, the tally's input.
#[derive(Debug, clap::Args)]
pub struct ExportBoardArgs {
    /// The election directory.
    #[arg(long)]
    pub election: PathBuf,
    /// The board database [default: ELECTION/box.sqlite].
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Keep the board in PostgreSQL instead of SQLite: a `postgres://user@host/db` URL or a
    /// libpq `key=value` string. Several boxes may serve one database
    /// (docs/ballot-box.md "PostgreSQL").
    #[arg(long, value_name = "URL", conflicts_with = "db")]
    pub database: Option<String>,
    /// Where to write the board (JSON Lines, docs/record.md §2: `board.jsonl`).
    #[arg(long)]
    pub out: PathBuf,
}

/// What can stop the ballot box commands.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// Reading the election files failed.
    #[error(transparent)]
    Tool(#[from] ToolError),
    /// The store failed.
    #[error("{err} [{code}]", err = .0, code = .0.code())]
    Store(#[from] StoreError),
    /// The box key is missing, unreadable, or not the election's.
    #[error("{err} [{code}]", err = .0, code = .0.code())]
    BoxKey(#[from] BoxKeyError),
    /// Network or file I/O failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// What the operating system said.
        source: std::io::Error,
    },
}

impl ServerError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ServerError::Tool(e) => e.code(),
            ServerError::Store(e) => e.code(),
            ServerError::BoxKey(e) => e.code(),
            ServerError::Io { .. } => "IO",
        }
    }

    fn io(what: impl Into<String>, source: std::io::Error) -> ServerError {
        ServerError::Io {
            what: what.into(),
            source,
        }
    }
}

/// Loads `DIR/election.json` and `DIR/credentials.json` and checks that the list is the one
/// the election commits to.
///
/// # Errors
/// [`ServerError::Tool`] naming the file.
pub fn load_election(dir: &Path) -> Result<(Election, CredentialList), ServerError> {
    let path = dir.join("election.json");
    let text = crate::files::read_text(&path)?;
    let election = Election::from_json(&text).map_err(|e| ToolError::document(&path, e))?;
    let path = dir.join("credentials.json");
    let text = crate::files::read_text(&path)?;
    let list = CredentialList::from_json(&text).map_err(|e| ToolError::document(&path, e))?;
    list.check_against(&election)
        .map_err(|e| ToolError::document(&path, e))?;
    Ok((election, list))
}

fn db_path(election: &Path, db: &Option<PathBuf>) -> PathBuf {
    db.clone().unwrap_or_else(|| election.join("box.sqlite"))
}

/// The database of a box that has run: `close` and `export-board` must not create an empty
/// one by mistake (a mistyped path would otherwise "close" or export nothing). A PostgreSQL
/// database is not looked for here: it is named by URL, and its tables carry the election.
fn existing_db(
    election: &Path,
    db: &Option<PathBuf>,
    database: Option<&str>,
) -> Result<PathBuf, ServerError> {
    let path = db_path(election, db);
    if database.is_none() && !path.is_file() {
        return Err(ServerError::io(
            format!("opening {}", path.display()),
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no ballot box database here (has `amanat serve` run?)",
            ),
        ));
    }
    Ok(path)
}

/// A time as RFC 3339 UTC with whole seconds, `2026-11-22T10:41:07Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

// ---------------------------------------------------------------------------------------
// Errors on the wire

impl ApiError {
    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    fn too_large() -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BODY_TOO_LARGE",
            format!("the request body is larger than {MAX_BODY} bytes"),
        )
    }

    /// `503 STORAGE`: the database failed (or the writer is gone); nothing was acknowledged,
    /// and the client may try again — on this replica once it recovers, or on another.
    fn internal(what: &str) -> ApiError {
        ApiError {
            retry_after: Some(std::time::Duration::from_secs(1)),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "STORAGE",
                format!("the ballot box could not {what}; try again"),
            )
        }
    }
}

impl From<amanat::Error> for ApiError {
    fn from(e: amanat::Error) -> ApiError {
        let code = e.code();
        let status = match code {
            "MALFORMED_JSON"
            | "BAD_ENCODING"
            | "NON_CANONICAL"
            | "IDENTITY_POINT"
            | "UNSUPPORTED_VERSION"
            | "OUT_OF_RANGE" => StatusCode::BAD_REQUEST,
            "UNKNOWN_CREDENTIAL" | "CREDENTIAL_STYLE" => StatusCode::FORBIDDEN,
            "BALLOT_SPENT" => StatusCode::CONFLICT,
            // WRONG_ELECTION, VERIFICATION_FAILED, UNKNOWN_STYLE and any other well-formed
            // ballot that does not fit this election.
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError::new(status, code, e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let status = match e {
            StoreError::Closed | StoreError::AlreadyCast | StoreError::AlreadyChallenged => {
                StatusCode::CONFLICT
            }
            _ => {
                eprintln!("amanat serve: {e}");
                return ApiError::internal("store the ballot");
            }
        };
        ApiError::new(status, e.code(), e.to_string())
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// A request body read into memory, with its share of [`BODY_BUDGET`], given back when the
/// text is dropped (after parsing and verification).
struct BodyText {
    text: String,
    _budget: OwnedSemaphorePermit,
}

fn unreadable() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "MALFORMED_JSON",
        "the request body could not be read",
    )
}

/// Reads a request body of at most [`MAX_BODY`] bytes as UTF-8, within [`BODY_TIMEOUT`]
/// (`408 REQUEST_TIMEOUT`). The connection layer has checked that any body is framed by a
/// valid `Content-Length`; the body is charged that length (at least [`BODY_MIN_CHARGE`])
/// against [`BODY_BUDGET`] before a byte is read, and refused with `503 BUSY` if it does
/// not fit. A larger body is refused with `413 BODY_TOO_LARGE`, but first read and
/// discarded (never held) up to [`DRAIN_MAX`] bytes, so that a client still sending it gets
/// the answer instead of a reset connection.
async fn body_text(
    budget: &Arc<Semaphore>,
    headers: &HeaderMap,
    body: Body,
) -> ApiResult<BodyText> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    if declared > DRAIN_MAX {
        return Err(ApiError::too_large());
    }
    if declared > MAX_BODY as u64 {
        let drained = tokio::time::timeout(BODY_TIMEOUT, drain(body)).await;
        return Err(match drained {
            Err(_) => body_timeout(),
            Ok(()) => ApiError::too_large(),
        });
    }
    // At most MAX_BODY: fits in usize and in the budget's permits.
    let size = declared as usize;
    let charge = u32::try_from(size.max(BODY_MIN_CHARGE)).unwrap_or(u32::MAX);
    let permit = Arc::clone(budget)
        .try_acquire_many_owned(charge)
        .map_err(|_| {
            ApiError::busy(
                "the ballot box is receiving too many requests at once; try again",
                std::time::Duration::from_secs(2),
            )
        })?;
    let text = tokio::time::timeout(BODY_TIMEOUT, read_exact(body, size))
        .await
        .map_err(|_| body_timeout())??;
    Ok(BodyText {
        text,
        _budget: permit,
    })
}

fn body_timeout() -> ApiError {
    ApiError::timeout(format!(
        "the request body did not arrive within {} seconds",
        BODY_TIMEOUT.as_secs()
    ))
}

/// Reads a body of exactly `size` bytes (its `Content-Length`) as UTF-8.
async fn read_exact(mut body: Body, size: usize) -> ApiResult<String> {
    let mut buf = Vec::with_capacity(size);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| unreadable())?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > size {
                return Err(unreadable());
            }
            buf.extend_from_slice(&data);
        }
    }
    String::from_utf8(buf).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "MALFORMED_JSON",
            "the body is not UTF-8",
        )
    })
}

/// Reads and discards a body (hyper stops at its `Content-Length`, at most [`DRAIN_MAX`]).
async fn drain(mut body: Body) {
    while let Some(Ok(_)) = body.frame().await {}
}

// ---------------------------------------------------------------------------------------
// The box

struct BallotBox {
    election: Election,
    election_json: String,
    credentials: CredentialList,
    key: BoxKey,
    /// The single writer (see [`spawn_writer`]).
    writer: std::sync::mpsc::Sender<WriteRequest>,
    /// Reads use their own connection and never wait for a commit.
    reader: Mutex<Box<dyn BallotStore>>,
    /// Status, signed head and readiness have a connection of their own: they never wait
    /// behind board pages or look-ups on `reader`.
    glance: Mutex<Box<dyn BallotStore>>,
    /// Cast ballots waiting for a verifier thread (see [`spawn_verifiers`]).
    verify_queue: std::sync::mpsc::Sender<VerifyJob>,
    /// Bounds concurrent verifications of challenges to the number of cores.
    verifiers: Semaphore,
    /// Request bodies in memory, in bytes ([`BODY_BUDGET`]).
    bodies: Arc<Semaphore>,
    /// Board pages being built or sent ([`HEAVY_READS`]).
    heavy: Arc<Semaphore>,
    /// Board pages and request bodies read so far: [`give_back_memory`] trims the heap
    /// after a burst of them.
    reads: AtomicU64,
    /// Metrics and the request log (docs/ballot-box.md, "Operating the box").
    watch: Arc<Watch>,
    /// The last signed head served, reused while the board and the second are the same.
    last_head: Mutex<Option<amanat::SignedHead>>,
    www: PathBuf,
    pkg: PathBuf,
    /// The published files' digests, when the election publishes them: nothing else is
    /// served.
    published: Option<served_files::Published>,
    /// The published list itself (`served-files.json`), answered by `GET /api/served-files`
    /// so that an observer page can compare the box's files without the election directory.
    served_list: Option<served_files::ServedFiles>,
}

type Shared = Arc<BallotBox>;

type WriteRequest = (
    NewEntry,
    tokio::sync::oneshot::Sender<Result<Appended, StoreError>>,
);

/// The most appends committed together.
const MAX_BATCH: usize = 256;

/// Starts the single writer: a thread that owns the store and appends what the handlers
/// send it. Whatever arrived while the previous commit was syncing goes into the next one
/// ([`BallotStore::append_batch`]): one disk sync for many ballots, each answered only after
/// the commit that holds it. The thread ends when the box is dropped.
fn spawn_writer(mut store: Box<dyn BallotStore>) -> std::sync::mpsc::Sender<WriteRequest> {
    let (send, recv) = std::sync::mpsc::channel::<WriteRequest>();
    std::thread::spawn(move || {
        while let Ok(first) = recv.recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match recv.try_recv() {
                    Ok(more) => batch.push(more),
                    Err(_) => break,
                }
            }
            let (entries, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
            for (result, reply) in store.append_batch(entries).into_iter().zip(replies) {
                // The client may have gone; the entry stays on the board either way.
                let _ = reply.send(result);
            }
        }
    });
    send
}

/// A cast ballot's body waiting to be parsed and verified, and where its outcome goes. The
/// body keeps its share of the body budget until it has been verified.
type VerifyJob = (BodyText, tokio::sync::oneshot::Sender<ApiResult<Ballot>>);

/// The most cast ballots verified together.
const MAX_VERIFY_BATCH: usize = 16;

/// Starts one verifier thread per core. Each takes the cast ballots that are waiting (at
/// least one, at most [`MAX_VERIFY_BATCH`]), parses them and verifies them together with
/// [`Ballot::verify_many`]: every equation of every ballot in one multiscalar
/// multiplication, which costs less per ballot the more it holds, with each ballot's outcome
/// exactly that of `verify_listed` (a failed combined check is redone ballot by ballot).
/// Like the writer's group commit, a batch is whatever queued while the thread was busy: one
/// ballot when the box is quiet, more under load, when it saves the most. A ballot whose
/// request was dropped while it waited (its handler is gone) is not verified.
fn spawn_verifiers(
    cores: usize,
    me: std::sync::Weak<BallotBox>,
    queue: std::sync::mpsc::Receiver<VerifyJob>,
) {
    let queue = Arc::new(Mutex::new(queue));
    for _ in 0..cores {
        let (me, queue) = (me.clone(), Arc::clone(&queue));
        std::thread::spawn(move || {
            lower_priority(VERIFY_NICE);
            loop {
                let jobs = {
                    let q = queue.lock().unwrap_or_else(|p| p.into_inner());
                    let Ok(first) = q.recv() else { return };
                    let mut jobs = vec![first];
                    while jobs.len() < MAX_VERIFY_BATCH {
                        match q.try_recv() {
                            Ok(more) => jobs.push(more),
                            Err(_) => break,
                        }
                    }
                    jobs
                };
                let Some(b) = me.upgrade() else { return };
                verify_batch(&b, jobs);
            }
        });
    }
}

/// How much lower than the threads that answer requests the verifier threads run (a nice
/// value): accepting connections, reading requests, status, head and look-ups come first, so
/// a box busy verifying still answers them at once, and verification takes what is left
/// (under load, nearly all of it: they are light).
const VERIFY_NICE: i32 = 5;
/// Lowers the calling thread's scheduling priority to `nice` (Linux gives each thread its
/// own nice value). Raising it back would need a privilege, so only threads that keep it
/// for their whole life call this.
#[cfg(target_os = "linux")]
fn lower_priority(nice: i32) {
    // SAFETY: setpriority has no memory preconditions; `0` is the calling thread on Linux.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, nice);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority(_nice: i32) {}

fn verify_batch(b: &BallotBox, jobs: Vec<VerifyJob>) {
    let start = Instant::now();
    let mut parsed = Vec::with_capacity(jobs.len());
    for (body, reply) in jobs {
        if reply.is_closed() {
            continue;
        }
        match Ballot::from_json(&body.text) {
            Ok(ballot) => parsed.push((ballot, reply, body)),
            Err(e) => {
                let _ = reply.send(Err(e.into()));
            }
        }
    }
    if parsed.is_empty() {
        return;
    }
    let ballots: Vec<&Ballot> = parsed.iter().map(|(ballot, _, _)| ballot).collect();
    let results = Ballot::verify_many(&ballots, &b.election, &b.credentials);
    drop(ballots);
    let each = start.elapsed().as_secs_f64() / parsed.len() as f64;
    for ((ballot, reply, _body), result) in parsed.into_iter().zip(results) {
        b.watch.metrics.verify_seconds.observe(each);
        let _ = reply.send(result.map(|()| ballot).map_err(ApiError::from));
    }
}

fn lock(m: &Mutex<Box<dyn BallotStore>>) -> MutexGuard<'_, Box<dyn BallotStore>> {
    // A panic while holding the lock leaves the store consistent (an unfinished transaction
    // rolls back when dropped), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl BallotBox {
    /// Runs `f` on the blocking pool.
    async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&BallotBox) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let me = Arc::clone(self);
        tokio::task::spawn_blocking(move || f(&me))
            .await
            .map_err(|_| ApiError::internal("finish the request"))?
    }

    /// Parses and verifies a cast ballot on the verifier threads ([`spawn_verifiers`]).
    async fn verify_cast(self: &Arc<Self>, body: BodyText) -> ApiResult<Ballot> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.verify_queue
            .send((body, reply))
            .map_err(|_| ApiError::internal("verify the ballot"))?;
        answer
            .await
            .map_err(|_| ApiError::internal("verify the ballot"))?
    }

    /// Verifies off the async threads, at most one verification per core at a time.
    async fn verify<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&BallotBox) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let _permit = self
            .verifiers
            .acquire()
            .await
            .map_err(|_| ApiError::internal("verify the ballot"))?;
        self.blocking(move |b| {
            let start = Instant::now();
            let result = f(b);
            b.watch
                .metrics
                .verify_seconds
                .observe(start.elapsed().as_secs_f64());
            result
        })
        .await
    }

    async fn append(self: &Arc<Self>, new: NewEntry) -> ApiResult<Appended> {
        let metrics = &self.watch.metrics;
        let start = Instant::now();
        let (reply, answer) = tokio::sync::oneshot::channel();
        metrics.write_queue.inc();
        let sent = self.writer.send((new, reply));
        let result = match sent {
            Ok(()) => answer.await.ok(),
            Err(_) => None,
        };
        metrics.write_queue.dec();
        metrics
            .append_seconds
            .observe(start.elapsed().as_secs_f64());
        match result {
            None => {
                metrics.storage_errors.inc();
                Err(ApiError::internal("store the ballot"))
            }
            Some(Err(e @ (StoreError::Storage(_) | StoreError::Corrupt(_)))) => {
                metrics.storage_errors.inc();
                Err(e.into())
            }
            Some(r) => Ok(r?),
        }
    }

    /// Counts a submission's outcome (metrics) and passes it on.
    fn count(
        &self,
        kind: &'static str,
        result: ApiResult<(Appended, Response)>,
    ) -> ApiResult<Response> {
        let metrics = &self.watch.metrics;
        match result {
            Ok((Appended::New(_), r)) => {
                metrics.submitted(kind, "accepted", "");
                Ok(r)
            }
            Ok((Appended::Existing(_), r)) => {
                metrics.submitted(kind, "repeat", "");
                Ok(r)
            }
            Err(e) => {
                metrics.submitted(kind, "refused", e.code);
                Err(e)
            }
        }
    }

    /// The receipt for an entry, cast or challenged, signed with the key the election fixes.
    fn receipt(&self, entry: &BoardEntry) -> Receipt {
        self.key.receipt(&self.election, entry)
    }
}

// ---------------------------------------------------------------------------------------
// Handlers

async fn get_election(State(b): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        b.election_json.clone(),
    )
        .into_response()
}

/// The election's `ballot_box_key`, which the box checked its key against at start. A
/// convenience: the authoritative copy is election.json.
async fn get_box_key(State(b): State<Shared>) -> Response {
    Json(serde_json::json!({ "key": b.election.ballot_box_key().to_hex() })).into_response()
}

/// The list of files the box was started with and serves nothing but (`served-files.json`,
/// docs/ballot-box.md, "Published files"), or `404 NOT_PUBLISHED` when it was started without
/// one. What counts is the list the election published: an observer compares this answer with
/// it, then the files with this answer.
async fn get_served_files(State(b): State<Shared>) -> Response {
    match &b.served_list {
        Some(list) => Json(list).into_response(),
        None => ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_PUBLISHED",
            "this box was started without a published list of the files it serves",
        )
        .into_response(),
    }
}

/// Whether a credential's public key is on the election's published list, and for which
/// ballot style (docs/ballot-box.md, "Is a code on the list?"). The list is public (it is
/// `credentials.json`), so the answer reveals nothing secret; the voter page asks before it
/// shows the ballot, so that a code of another election is refused at once. A key that is
/// not lowercase hex of a canonical, non-identity point is `400` with its code.
async fn get_credential(
    State(b): State<Shared>,
    key: Result<UrlPath<String>, PathRejection>,
) -> ApiResult<Response> {
    let UrlPath(key) = key.map_err(|r| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "BAD_ENCODING",
            format!("the key in the path is not readable: {}", r.body_text()),
        )
    })?;
    let key = amanat::PublicKey::from_hex(&key, "credential key")?;
    let answer = match b.credentials.style_of(&key) {
        Some(style) => serde_json::json!({ "key": key.to_hex(), "listed": true, "style": style }),
        None => serde_json::json!({ "key": key.to_hex(), "listed": false }),
    };
    Ok(Json(answer).into_response())
}

async fn get_status(State(b): State<Shared>) -> ApiResult<Response> {
    let (count, head, closed) = b
        .blocking(|b| {
            let r = lock(&b.glance);
            let (count, head) = r.head()?;
            Ok((count, head, r.is_closed()?))
        })
        .await?;
    Ok(Json(serde_json::json!({
        "open": !closed,
        "ballots": count,
        "head": head.to_hex(),
    }))
    .into_response())
}

/// The box's signed statement of its board now (docs/protocol.md §8.4), for observers and
/// pages to archive; once the polls are closed, the stored closing statement.
async fn get_head(State(b): State<Shared>) -> ApiResult<Response> {
    let statement = b
        .blocking(|b| {
            let r = lock(&b.glance);
            if let Some(closing) = r.closing()? {
                return Ok(closing);
            }
            // The flag first: once it is set nothing more is appended, so the head read after
            // it is final; a head read first could be followed by appends and a close.
            let closed = r.is_closed()?;
            let (count, head) = r.head()?;
            let time = rfc3339(SystemTime::now());
            // The signature is deterministic, so the same board in the same second is the
            // same statement: signed once, however many observers ask.
            let mut last = b.last_head.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(h) = last.as_ref().filter(|h| {
                (h.entries, h.head, h.closed, h.time.as_str()) == (count, head, closed, &*time)
            }) {
                return Ok(h.clone());
            }
            let statement = b.key.signed_head(&b.election, count, head, closed, time);
            *last = Some(statement.clone());
            Ok(statement)
        })
        .await?;
    Ok(Json(statement).into_response())
}

async fn post_ballot(
    State(b): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let result = cast(&b, &headers, body).await;
    b.count("cast", result)
}

async fn cast(b: &Shared, headers: &HeaderMap, body: Body) -> ApiResult<(Appended, Response)> {
    let body = body_text(&b.bodies, headers, body).await?;
    b.reads.fetch_add(1, Ordering::Relaxed);
    let ballot = b.verify_cast(body).await?;
    let appended = b
        .append(NewEntry {
            kind: EntryKind::Cast,
            received: rfc3339(SystemTime::now()),
            ballot,
            challenge: None,
        })
        .await?;
    let receipt = b.receipt(appended.entry());
    let answer = Json(serde_json::json!({ "receipt": receipt })).into_response();
    Ok((appended, answer))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChallengeRequest {
    ballot: Ballot,
    challenge: Challenge,
}

async fn post_challenge(
    State(b): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let result = challenge(&b, &headers, body).await;
    b.count("challenge", result)
}

async fn challenge(b: &Shared, headers: &HeaderMap, body: Body) -> ApiResult<(Appended, Response)> {
    let body = body_text(&b.bodies, headers, body).await?;
    b.reads.fetch_add(1, Ordering::Relaxed);
    let (req, selections) = b
        .verify(move |b| {
            let req: ChallengeRequest = amanat::encoding::from_json(&body.text)?;
            req.ballot.verify_listed(&b.election, &b.credentials)?;
            let selections = req.challenge.check(&b.election, &req.ballot)?;
            Ok((req, selections))
        })
        .await?;
    let appended = b
        .append(NewEntry {
            kind: EntryKind::Challenge,
            received: rfc3339(SystemTime::now()),
            ballot: req.ballot,
            challenge: Some(req.challenge),
        })
        .await?;
    let receipt = b.receipt(appended.entry());
    let answer = Json(serde_json::json!({
        "index": appended.entry().index,
        "selections": selections,
        "receipt": receipt,
    }))
    .into_response();
    Ok((appended, answer))
}

/// `GET /api/ready`: whether this box can take ballots now — its database answers. For a
/// load balancer's readiness check (`503 STORAGE` otherwise).
async fn get_ready(State(b): State<Shared>) -> ApiResult<Response> {
    let entries = b
        .blocking(|b| {
            let r = lock(&b.glance);
            r.head().map(|(n, _)| n).map_err(|e| {
                b.watch.metrics.storage_errors.inc();
                ApiError::from(e)
            })
        })
        .await?;
    Ok(Json(serde_json::json!({ "ready": true, "entries": entries })).into_response())
}

async fn get_metrics(State(b): State<Shared>) -> Response {
    crate::metrics::answer(&b.watch.metrics)
}

#[derive(Deserialize)]
struct PageQuery {
    from: Option<u64>,
    limit: Option<u64>,
}

async fn get_board(
    State(b): State<Shared>,
    headers: HeaderMap,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = query.map_err(|r| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "BAD_ENCODING",
            format!("from and limit must be whole numbers: {}", r.body_text()),
        )
    })?;
    let from = q.from.unwrap_or(0);
    let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let encoding = PageEncoding::for_request(accept);
    let held = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let permit = tokio::time::timeout(HEAVY_WAIT, Arc::clone(&b.heavy).acquire_owned())
        .await
        .map_err(|_| {
            ApiError::busy(
                "too many board pages are being read at once; try again",
                std::time::Duration::from_secs(2),
            )
        })?
        .map_err(|_| ApiError::internal("read the board"))?;
    let page = b
        .blocking(move |b| {
            if let Some(tag) = held.and_then(|h| still_held(b, &h, from, limit, encoding)) {
                return Ok(PageAnswer::Unchanged(tag));
            }
            let page = board_page(b, from, limit)?;
            let body = encoding.compress(page.json).map_err(|e| {
                eprintln!("amanat serve: compressing a board page: {e}");
                ApiError::internal("read the board")
            })?;
            let tag = page
                .last
                .map(|(end, hash)| page_tag(from, limit, end, &hash, encoding));
            Ok(PageAnswer::Page { body, tag })
        })
        .await?;
    b.reads.fetch_add(1, Ordering::Relaxed);
    let mut response = match page {
        PageAnswer::Unchanged(tag) => {
            let mut r = StatusCode::NOT_MODIFIED.into_response();
            set_page_headers(r.headers_mut(), Some(&tag));
            return Ok(r);
        }
        PageAnswer::Page { body, tag } => {
            // The permit is held until hyper has sent the page (or given up on the client).
            let body = Body::new(Holding::new(Full::new(Bytes::from(body)), permit));
            let mut r = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
            set_page_headers(r.headers_mut(), tag.as_deref());
            r
        }
    };
    if let Some(token) = encoding.token() {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(token));
    }
    Ok(response)
}

/// A board page's answer: the page (compressed as the client accepts; with its tag if it is
/// complete), or `304` for a complete page the client already holds.
enum PageAnswer {
    Page { body: Vec<u8>, tag: Option<String> },
    Unchanged(String),
}

/// How a board page is sent: compressed on the blocking pool, where its CPU time does not
/// hold up the runtime's threads (the other JSON answers are small and go through the
/// router's compression layer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PageEncoding {
    Brotli,
    Gzip,
    Identity,
}

/// Brotli's quality for board pages. A page is mostly hex digits, which every level codes in
/// about half their size; higher levels cost far more CPU for a few percent.
const PAGE_BROTLI_QUALITY: u32 = 4;
/// gzip's level for board pages (see [`PAGE_BROTLI_QUALITY`]).
const PAGE_GZIP_LEVEL: u32 = 4;

impl PageEncoding {
    fn for_request(accept: &str) -> PageEncoding {
        if crate::static_files::accepts(accept, "br") {
            PageEncoding::Brotli
        } else if crate::static_files::accepts(accept, "gzip") {
            PageEncoding::Gzip
        } else {
            PageEncoding::Identity
        }
    }

    fn token(self) -> Option<&'static str> {
        match self {
            PageEncoding::Brotli => Some("br"),
            PageEncoding::Gzip => Some("gzip"),
            PageEncoding::Identity => None,
        }
    }

    fn compress(self, json: Vec<u8>) -> std::io::Result<Vec<u8>> {
        match self {
            PageEncoding::Identity => Ok(json),
            PageEncoding::Gzip => {
                let mut out = flate2::write::GzEncoder::new(
                    Vec::with_capacity(json.len() / 2),
                    flate2::Compression::new(PAGE_GZIP_LEVEL),
                );
                out.write_all(&json)?;
                out.finish()
            }
            PageEncoding::Brotli => {
                let mut out = Vec::with_capacity(json.len() / 2);
                let params = brotli::enc::BrotliEncoderParams {
                    quality: PAGE_BROTLI_QUALITY as i32,
                    ..Default::default()
                };
                brotli::BrotliCompress(&mut json.as_slice(), &mut out, &params)?;
                Ok(out)
            }
        }
    }
}

/// The strong validator of a complete page: its request (`from`, `limit`), where it ends, the
/// hash of its last entry (which fixes every entry of the page through the chain) and the
/// encoding sent.
fn page_tag(from: u64, limit: u64, end: u64, last: &Digest, encoding: PageEncoding) -> String {
    format!(
        "\"board-{from}-{limit}-{end}-{}-{}\"",
        &last.to_hex()[..32],
        encoding.token().unwrap_or("identity")
    )
}

/// The tag in `If-None-Match` that names this complete page as it would be sent now, if
/// any: `(from, limit, encoding)` as requested, and the board's entry `end - 1` with that
/// hash. Costs one entry read instead of building the page.
fn still_held(
    b: &BallotBox,
    if_none_match: &str,
    from: u64,
    limit: u64,
    encoding: PageEncoding,
) -> Option<String> {
    let prefix = format!("\"board-{from}-{limit}-");
    for tag in if_none_match.split(',').map(str::trim) {
        let Some(rest) = tag.strip_prefix(&prefix) else {
            continue;
        };
        let Some(end) = rest.split('-').next().and_then(|e| e.parse::<u64>().ok()) else {
            continue;
        };
        if end <= from || end - from > limit {
            continue;
        }
        let Ok(last) = lock(&b.reader).page(end - 1, 1) else {
            return None;
        };
        if let Some(entry) = last.first() {
            if page_tag(from, limit, end, &entry.hash, encoding) == tag {
                return Some(tag.to_string());
            }
        }
    }
    None
}

/// `Vary`, and for a complete page its tag and a `Cache-Control` that lets any cache keep it
/// (the router's middleware gives every other API answer `no-store`).
fn set_page_headers(headers: &mut HeaderMap, tag: Option<&str>) {
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Some(tag) = tag.and_then(|t| HeaderValue::from_str(t).ok()) {
        headers.insert(header::ETAG, tag);
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
}

/// Board entries read from the store at a time while building a page.
const PAGE_BATCH: u64 = 8;

/// A board page's JSON and, for a complete page, where it ends and its last entry's hash.
struct Page {
    json: Vec<u8>,
    last: Option<(u64, Digest)>,
}

/// The JSON of a board page, `{"entries": [...], "head": hex, "next": N or null}`: entries
/// from `from` on, at most `limit` of them, and no more once the JSON passes
/// [`PAGE_BYTES`] (at least one, so paging always moves on).
///
/// A page is **complete** when it holds `limit` entries or stopped at [`PAGE_BYTES`], and
/// more entries follow (`next` is set): such a page never changes. Its `head` is its own last
/// entry's hash (the head of the board just after it), so that the whole answer is fixed;
/// every other page carries the board's head now.
fn board_page(b: &BallotBox, from: u64, limit: u64) -> ApiResult<Page> {
    let json = |e: serde_json::Error| {
        eprintln!("amanat serve: writing a board page: {e}");
        ApiError::internal("read the board")
    };
    let mut out = b"{\"entries\":[".to_vec();
    let mut end = from;
    let mut taken = 0u64;
    let mut last = None;
    'fill: while taken < limit {
        let batch = lock(&b.reader).page(end, PAGE_BATCH.min(limit - taken))?;
        if batch.is_empty() {
            break;
        }
        for entry in &batch {
            if taken > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, entry).map_err(json)?;
            taken += 1;
            end += 1;
            last = Some(entry.hash);
            if out.len() >= PAGE_BYTES {
                break 'fill;
            }
        }
    }
    let cut = taken == limit || out.len() >= PAGE_BYTES;
    // Read after the entries: the board only grows, so it holds at least these.
    let (count, head) = lock(&b.reader).head()?;
    let next = (end < count).then_some(end);
    let complete = match (cut, next, last) {
        (true, Some(_), Some(hash)) => Some((end, hash)),
        _ => None,
    };
    out.extend_from_slice(b"],\"head\":");
    let shown = complete.map_or(head, |(_, hash)| hash);
    serde_json::to_writer(&mut out, &shown.to_hex()).map_err(json)?;
    out.extend_from_slice(b",\"next\":");
    serde_json::to_writer(&mut out, &next).map_err(json)?;
    out.push(b'}');
    Ok(Page {
        json: out,
        last: complete,
    })
}

/// What a typed tracking code names: a full hash or a canonical short code.
enum Code {
    Full(Digest),
    Short(String),
}

fn parse_code(code: &str) -> ApiResult<Code> {
    let trimmed = code.trim();
    if trimmed.len() == 128 {
        return Ok(Code::Full(Digest::from_hex(&trimmed.to_ascii_lowercase())?));
    }
    Ok(Code::Short(normalize_short_code(trimmed)?))
}

fn lookup(b: &BallotBox, code: &Code) -> ApiResult<Vec<BoardEntry>> {
    let r = lock(&b.reader);
    Ok(match code {
        Code::Full(d) => r.by_tracking(d)?,
        Code::Short(s) => r.by_short(s)?,
    })
}

async fn get_board_entry(
    State(b): State<Shared>,
    code: Result<UrlPath<String>, PathRejection>,
) -> ApiResult<Response> {
    let UrlPath(code) = code.map_err(|r| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "BAD_ENCODING",
            format!(
                "the tracking code in the path is not readable: {}",
                r.body_text()
            ),
        )
    })?;
    let code = parse_code(&code)?;
    let (entries, states) = b
        .blocking(move |b| {
            let entries = lookup(b, &code)?;
            let states = entries
                .iter()
                .map(|e| entry_state(b, e))
                .collect::<ApiResult<Vec<_>>>()?;
            Ok((entries, states))
        })
        .await?;
    if entries.is_empty() {
        return Err(ApiError::not_found("no ballot with this tracking code"));
    }
    Ok(Json(serde_json::json!({ "entries": entries, "states": states })).into_response())
}

/// Where a board entry stands now (docs/ballot-box.md, "Looking up a ballot").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
enum EntryState {
    /// A cast ballot that is its credential's latest cast entry: it counts (while the polls
    /// are open, a later ballot of the same credential would replace it).
    Counted {
        /// The entry's index.
        index: u64,
    },
    /// A cast ballot replaced by a later ballot of the same credential.
    Replaced {
        /// The entry's index.
        index: u64,
        /// The index of the ballot that counts instead.
        by: u64,
    },
    /// A challenged (opened) ballot: never counted.
    Challenged {
        /// The entry's index.
        index: u64,
    },
}

fn entry_state(b: &BallotBox, e: &BoardEntry) -> ApiResult<EntryState> {
    Ok(match e.kind {
        EntryKind::Challenge => EntryState::Challenged { index: e.index },
        EntryKind::Cast => match lock(&b.reader).latest_cast(&e.ballot.credential)? {
            Some(l) if l.index != e.index => EntryState::Replaced {
                index: e.index,
                by: l.index,
            },
            _ => EntryState::Counted { index: e.index },
        },
    })
}

#[derive(Deserialize)]
struct SmsQuery {
    code: Option<String>,
    lang: Option<String>,
}

/// The language of an SMS reply: English in GSM-7 (one SMS is 160 characters), or Urdu, which
/// needs UCS-2 (one SMS is 70 characters), so its replies say less.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SmsLang {
    En,
    Ur,
}

impl SmsLang {
    fn max(self) -> usize {
        match self {
            SmsLang::En => SMS_MAX,
            SmsLang::Ur => SMS_MAX_UCS2,
        }
    }
}

/// The one-SMS answer about a tracking code (docs/ballot-box.md, "The SMS reply").
fn sms_reply(b: &BallotBox, code: Option<&str>, lang: SmsLang) -> ApiResult<String> {
    let Some(short) = code.and_then(|c| normalize_short_code(c).ok()) else {
        return Ok(match lang {
            SmsLang::En => "Amanat: that is not a tracking code. Send the 12 letters and digits \
                            shown on your receipt, like 7K2M-9QXD-4HRT."
                .into(),
            SmsLang::Ur => {
                "امانت: یہ ٹریکنگ کوڈ نہیں۔ رسید کے 12 حروف بھیجیں، جیسے 7K2M-9QXD-4HRT".into()
            }
        });
    };
    let entries = lookup(b, &Code::Short(short.clone()))?;
    let text = match (entries.as_slice(), lang) {
        ([], SmsLang::En) => {
            format!("Amanat: no ballot with code {short}. Check the code and try again.")
        }
        ([], SmsLang::Ur) => {
            format!("امانت: کوڈ {short} کا کوئی ووٹ بورڈ پر نہیں۔ کوڈ دوبارہ دیکھیں۔")
        }
        ([e], SmsLang::En) => {
            // "2026-11-22T10:41:07Z" -> "2026-11-22 10:41 UTC"
            let when = match (e.received.get(..10), e.received.get(11..16)) {
                (Some(d), Some(t)) => format!("{d} {t} UTC"),
                _ => e.received.clone(),
            };
            // Voters count from 1: board entry `i` is ballot number `i + 1`, as on the page.
            let (index, what) = (
                e.index + 1,
                match entry_state(b, e)? {
                    EntryState::Challenged { .. } => format!("challenged {when}, not counted)."),
                    EntryState::Counted { .. } => format!("cast {when}, counted)."),
                    EntryState::Replaced { by, .. } => format!(
                        "cast {when}, replaced by ballot #{}). Not you? Report it.",
                        by + 1
                    ),
                },
            );
            format!("Amanat: ballot {short} is on the board (#{index}, {what}")
        }
        ([e], SmsLang::Ur) => {
            let index = e.index + 1;
            match entry_state(b, e)? {
                EntryState::Challenged { .. } => {
                    format!("امانت: ووٹ {short} (#{index}) کھولا گیا، گنا نہیں جائے گا۔")
                }
                EntryState::Counted { .. } => {
                    format!("امانت: ووٹ {short} (#{index}) بورڈ پر ہے اور گنا جائے گا۔")
                }
                EntryState::Replaced { by, .. } => format!(
                    "امانت:{short} کی جگہ #{} گنا جائے گا۔ آپ نہیں؟ شکایت کریں",
                    by + 1
                ),
            }
        }
        (many, SmsLang::En) => format!(
            "Amanat: {} ballots have code {short}. Look up your full tracking code on the \
             website.",
            many.len()
        ),
        (many, SmsLang::Ur) => format!(
            "امانت: کوڈ {short} کے {} ووٹ ہیں۔ ویب سائٹ پر پورا کوڈ دیکھیں۔",
            many.len()
        ),
    };
    Ok(text.chars().take(lang.max()).collect())
}

async fn get_sms(
    State(b): State<Shared>,
    query: Result<Query<SmsQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let (code, lang) = match query {
        Ok(Query(q)) => (
            q.code,
            match q.lang.as_deref() {
                Some("ur") => SmsLang::Ur,
                _ => SmsLang::En,
            },
        ),
        Err(_) => (None, SmsLang::En),
    };
    let text = b
        .blocking(move |b| sms_reply(b, code.as_deref(), lang))
        .await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

async fn api_not_found() -> ApiError {
    ApiError::not_found("no such API endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "this endpoint does not take that method",
    )
}

// ---------------------------------------------------------------------------------------
// Static files

async fn static_file(State(b): State<Shared>, method: Method, req: Request) -> Response {
    let uri_path = req.uri().path().to_string();
    if uri_path == "/api" || uri_path.starts_with("/api/") {
        return api_not_found().await.into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed().await.into_response();
    }
    let (root, rel) = match uri_path.strip_prefix("/pkg/") {
        Some(rest) => (&b.pkg, rest),
        None => (&b.www, uri_path.as_str()),
    };
    let mut response =
        crate::static_files::serve(root, rel, req.headers(), b.published.as_ref()).await;
    // Any origin may read the published files, as it may the board: an observer page hosted
    // elsewhere compares them with served-files.json (docs/ballot-box.md, "Reading from
    // another origin"). Only GET and HEAD reach here; no credentials, so no preflight is needed.
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("etag"),
    );
    response
}

// ---------------------------------------------------------------------------------------
// The router

fn router(state: Shared) -> Router {
    let watch = Arc::clone(&state.watch);
    // The public, read-only answers (the election, the board, signed heads, look-ups) may be
    // read by a page of any origin, such as an observer page hosted elsewhere
    // (docs/ballot-box.md, "Reading from another origin"): nothing in them is secret and the box
    // uses no cookies, so any origin may read them, without credentials. Casting, challenging,
    // metrics and readiness are not shared.
    let public_reads = Router::new()
        .route("/api/election", get(get_election))
        .route("/api/status", get(get_status))
        .route("/api/head", get(get_head))
        .route("/api/box-key", get(get_box_key))
        .route("/api/credentials/{key}", get(get_credential))
        .route("/api/board", get(get_board))
        .route("/api/board/{code}", get(get_board_entry))
        .route("/api/served-files", get(get_served_files))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::HEAD])
                .allow_headers([header::IF_NONE_MATCH])
                .expose_headers([header::ETAG, header::RETRY_AFTER])
                .max_age(Duration::from_secs(86_400)),
        );
    let api = Router::new()
        .route("/metrics", get(get_metrics))
        .route("/api/ready", get(get_ready))
        .route("/api/ballots", post(post_ballot))
        .route("/api/challenges", post(post_challenge))
        .route("/api/sms", get(get_sms))
        .merge(public_reads)
        .method_not_allowed_fallback(method_not_allowed)
        // JSON (and SMS, metrics) answers compressed as the client accepts; only for the
        // routes, so never for static files (precompressed, static_files.rs), and never
        // twice: a board page is compressed by its handler and carries Content-Encoding.
        .route_layer(CompressionLayer::new().no_deflate().no_zstd());
    api.fallback(static_file)
        // The ballot endpoints read their bodies themselves (body_text, with the JSON 413);
        // this bounds any other extractor that would read one.
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(watch, crate::metrics::watch))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Gives the memory of a burst of board pages or request bodies back to the system once the
/// box is quiet again (none in progress): glibc keeps what one thread frees in that thread's
/// arena for reuse, so after 100 clients had read board pages the box stayed some 35 MB
/// larger. Checked every [`TRIM_EVERY`], and only after new reads.
async fn give_back_memory(b: Shared) {
    let mut seen = 0;
    let mut tick = tokio::time::interval(TRIM_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let reads = b.reads.load(Ordering::Relaxed);
        let quiet = b.heavy.available_permits() == HEAVY_READS
            && b.bodies.available_permits() == BODY_BUDGET;
        if reads != seen && quiet {
            seen = reads;
            let _ = tokio::task::spawn_blocking(crate::memory::trim_heap).await;
        }
    }
}

/// Caps glibc's malloc arenas at two per core (its default is eight per core): the box's
/// threads (the runtime's and up to [`BLOCKING_THREADS`] blocking ones) then share a few
/// arenas, and a burst leaves less memory scattered over arenas that trimming cannot give
/// back. After 100 clients had read board pages it stayed some 20 MB larger without this.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_arenas(cores: usize) {
    let arenas = libc::c_int::try_from(2 * cores).unwrap_or(libc::c_int::MAX);
    // SAFETY: mallopt only sets a tuning parameter; called before the runtime's threads.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_arenas(_cores: usize) {}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

/// Runs the ballot box until SIGINT or SIGTERM.
///
/// # Errors
/// The election files do not load, the box key is missing or not the election's, the store
/// does not open, or the address cannot be bound.
pub fn serve(args: ServeArgs) -> Result<(), ServerError> {
    let (election, credentials) = load_election(&args.election)?;
    let db = db_path(&args.election, &args.db);
    // Before the database is opened: a box that cannot sign the election's receipts must
    // not create an empty board either.
    let key_path = args.box_key.unwrap_or_else(|| BoxKey::path_for(&db));
    let key = BoxKey::load_for(&key_path, &election)?;
    let listed = args
        .served_files
        .clone()
        .or_else(|| Some(args.election.join(served_files::FILE_NAME)).filter(|p| p.exists()));
    let served_list = match &listed {
        Some(path) => Some(served_files::ServedFiles::read(path)?),
        None => None,
    };
    let published = match &served_list {
        Some(list) => Some(list.check_roots(&args.www, &args.pkg)?),
        None => None,
    };
    let writer = store::open(args.database.as_deref(), &db, &election)?;
    let reader = store::open(args.database.as_deref(), &db, &election)?;
    let glance = store::open(args.database.as_deref(), &db, &election)?;
    // Never the URL, which may carry a password.
    let location = match args.database {
        Some(_) => "PostgreSQL".to_string(),
        None => db.display().to_string(),
    };
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (verify_queue, verify_jobs) = std::sync::mpsc::channel();
    let state = Arc::new(BallotBox {
        election_json: election.to_json(),
        election,
        credentials,
        key,
        writer: spawn_writer(writer),
        reader: Mutex::new(reader),
        glance: Mutex::new(glance),
        verify_queue,
        verifiers: Semaphore::new(cores),
        bodies: Arc::new(Semaphore::new(BODY_BUDGET)),
        heavy: Arc::new(Semaphore::new(HEAVY_READS)),
        reads: AtomicU64::new(0),
        watch: Arc::new(Watch {
            metrics: Metrics::new(),
            log: match &args.request_log {
                None => None,
                Some(path) => Some(RequestLog::open(path).map_err(|e| {
                    ServerError::io(format!("opening the request log {}", path.display()), e)
                })?),
            },
        }),
        last_head: Mutex::new(None),
        www: args.www,
        pkg: args.pkg,
        published,
        served_list,
    });
    limit_arenas(cores);
    spawn_verifiers(cores, Arc::downgrade(&state), verify_jobs);
    let files = FileLimit::raise();
    let max_connections = files.max_connections(args.max_connections);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()
        .map_err(|e| ServerError::io("starting the runtime", e))?;
    // Outside the runtime: a synchronous store (the PostgreSQL client) may not block inside
    // it; the handlers reach the store through the blocking pool.
    let (count, _) = lock(&state.reader).head()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| ServerError::io(format!("listening on {}", args.listen), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServerError::io("reading the bound address", e))?;
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "Amanat ballot box for {} ({} board entries, database {})",
                state.election.manifest().election_id,
                count,
                location
            );
            let _ = writeln!(
                out,
                "Open files: soft limit {} (was {}, hard limit {}); at most {max_connections} \
                 connections, {HEAVY_READS} board pages and {} MiB of request bodies at once",
                files.soft,
                files.was,
                files.hard,
                BODY_BUDGET >> 20
            );
            let _ = match &listed {
                Some(path) => writeln!(
                    out,
                    "Serving only the published files of {} (checked)",
                    path.display()
                ),
                None => writeln!(
                    out,
                    "Note: no published list of the files to serve (amanat served-files make)"
                ),
            };
            let _ = writeln!(out, "Listening on http://{addr}/");
            if !addr.ip().is_loopback() {
                let _ = writeln!(
                    out,
                    "Note: plain HTTP on a public address; put a TLS-terminating proxy in front."
                );
            }
            let _ = out.flush();
        }
        tokio::spawn(give_back_memory(Arc::clone(&state)));
        crate::http_listener::serve(listener, router(state), max_connections, shutdown_signal())
            .await
            .map_err(|e| ServerError::io("serving", e))
    })
}

/// Closes the polls of the board at `--db` (a running server refuses ballots from then on)
/// and stores the box's signed closing statement, which `export-board` puts in the record.
/// Closing again is harmless: it signs the statement if an interrupted close did not.
///
/// # Errors
/// The election files do not load, the box key is missing or not the election's, or the
/// store fails.
pub fn close(args: CloseArgs) -> Result<(), ServerError> {
    let (election, _) = load_election(&args.election)?;
    let db = existing_db(&args.election, &args.db, args.database.as_deref())?;
    // The key first: a close that could not sign its statement would leave a board no
    // record can be made of until it is signed.
    let key_path = args.box_key.unwrap_or_else(|| BoxKey::path_for(&db));
    let key = BoxKey::load_for(&key_path, &election)?;
    let mut store = store::open(args.database.as_deref(), &db, &election)?;
    let (count, head) = store.close()?;
    let statement = key.signed_head(&election, count, head, true, rfc3339(SystemTime::now()));
    let statement = store.set_closing(&statement)?;
    println!(
        "Polls closed: {count} board entries, head {}, closing statement signed at {}",
        head.to_hex(),
        statement.time
    );
    Ok(())
}

/// Writes `{"election", "closed", "head", "closing"?, "entries"}` to `--out`, after checking
/// the chain (docs/record.md §2).
///
/// # Errors
/// The election files do not load, the store fails, the chain does not check, or the file
/// cannot be written.
pub fn export_board(args: ExportBoardArgs) -> Result<(), ServerError> {
    let (election, _) = load_election(&args.election)?;
    let db = existing_db(&args.election, &args.db, args.database.as_deref())?;
    let store = store::open(args.database.as_deref(), &db, &election)?;
    let closed = store.is_closed()?;
    // A snapshot: the entries up to the head read now, even if the box is still taking
    // ballots. Read after the flag: once it is set, nothing more is appended.
    let (count, head) = store.head()?;
    let closing = match (closed, store.closing()?) {
        (false, _) => None,
        (true, Some(c)) if c.entries == count && c.head == head => Some(c),
        (true, Some(_)) => {
            return Err(StoreError::Corrupt(
                "the stored closing statement does not name the closed board".into(),
            )
            .into())
        }
        (true, None) => {
            return Err(StoreError::Corrupt(
                "the polls are closed but the closing statement was never signed: run \
                 `amanat close` again"
                    .into(),
            )
            .into())
        }
    };
    let tmp = {
        let mut name = args.out.as_os_str().to_owned();
        name.push(".tmp");
        PathBuf::from(name)
    };
    let io = |e| ServerError::io(format!("writing {}", tmp.display()), e);
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let mut out = std::io::BufWriter::new(file);
    let header = amanat_record::board::BoardHeader {
        election: *election.base_hash(),
        closed,
        head,
        entries: count,
        closing,
    };
    out.write_all(header.to_line().as_bytes()).map_err(io)?;
    let mut prev = amanat::board::genesis(&election);
    let mut index = 0u64;
    let mut write_error = None;
    let streamed = store.for_each_entry(0, count, &mut |e| {
        e.check_link(&prev, index)
            .map_err(|err| StoreError::Corrupt(err.to_string()))?;
        if let Err(err) = out.write_all(amanat_record::board::entry_line(&e).as_bytes()) {
            write_error = Some(err);
            return Err(StoreError::Corrupt("the export stopped".into()));
        }
        prev = e.hash;
        index += 1;
        Ok(())
    });
    if let Some(err) = write_error {
        return Err(io(err));
    }
    streamed?;
    if prev != head {
        return Err(StoreError::Corrupt("the chain does not end at the head".into()).into());
    }
    let file = out.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, &args.out)
        .map_err(|e| ServerError::io(format!("writing {}", args.out.display()), e))?;
    println!(
        "Board exported: {count} entries{} to {}",
        if closed {
            ", polls closed"
        } else {
            ", polls still open"
        },
        args.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_utc() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_795_344_067);
        assert_eq!(rfc3339(t), "2026-11-22T10:41:07Z");
        let leap = UNIX_EPOCH + std::time::Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }
}
