//! What one client may hold of the ballot box, in time, connections and memory
//! (docs/ballot-box.md, "Limits"). The numbers live here; `http_gate.rs` enforces the
//! per-connection ones, `http_listener.rs` the connection cap, and the handlers in
//! [`crate::server`] the request-body budget and the board-page semaphore.

use std::time::Duration;

/// A request head (request line and headers) must be complete this long after its first
/// byte, and a new connection's first head this long after the connection opened
/// (`408 REQUEST_TIMEOUT`). Cuts off a slowloris trickle.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// A kept-alive connection with no request in progress is closed after this long.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// A request body must be complete this long after the handler starts reading it
/// (`408 REQUEST_TIMEOUT`); a 256 KiB body needs 13 KiB/s.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(20);
/// An answer whose writing makes no progress for this long (the client stopped reading)
/// is abandoned and the connection closed.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(20);
/// The largest request head, request line and headers together (`431 HEADERS_TOO_LARGE`).
pub const MAX_HEAD: usize = 16 * 1024;
/// The longest request target (`414 URI_TOO_LONG`).
pub const MAX_URI: usize = 8 * 1024;
/// The most header lines in one request (`431 HEADERS_TOO_LARGE`).
pub const MAX_HEADERS: usize = 64;
/// Request bodies held in memory at once, in bytes, across all connections: a body is
/// charged its declared length before it is read, and a request that does not fit is
/// answered `503 BUSY` at once. 256 bodies of the largest size, or some 2,000 ballots.
pub const BODY_BUDGET: usize = 64 * 1024 * 1024;
/// The least a body is charged, so many tiny bodies cannot hold many read buffers.
pub const BODY_MIN_CHARGE: usize = 16 * 1024;
/// Board pages being built or sent at once; the others wait up to [`HEAVY_WAIT`].
pub const HEAVY_READS: usize = 16;
/// How long a board page request waits for its turn before `503 BUSY`.
pub const HEAVY_WAIT: Duration = Duration::from_secs(5);
/// A board page stops taking entries once its JSON is this long (`next` says where to go
/// on); a page always holds at least one entry.
pub const PAGE_BYTES: usize = 1024 * 1024;
/// Open files kept out of the connection cap: the database (three connections, WAL and
/// shared memory), static files being read, standard streams, the runtime's own, and the
/// sockets that are being answered `503 BUSY` when the box is full ([`OVERFLOW_ANSWERS`]).
pub const FD_RESERVE: usize = 128;
/// Sockets being answered `503 BUSY` at once when the box is full; past that, new
/// connections are closed without an answer.
pub const OVERFLOW_ANSWERS: usize = 32;
/// The connection cap never exceeds this, whatever the file limit (about 20 KiB each when
/// idle, so some 330 MB at most).
pub const MAX_CONNECTIONS: usize = 16 * 1024;
/// Threads of the blocking pool (store reads, verification, static files); further tasks
/// queue.
pub const BLOCKING_THREADS: usize = 64;
/// After SIGTERM or SIGINT, connections still busy after this long are dropped.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// How often the box checks whether to give memory back after a burst of reads (see
/// `give_back_memory` in server.rs).
pub const TRIM_EVERY: Duration = Duration::from_secs(1);
/// hyper's per-connection read and write buffer (its default is ~400 KiB).
pub const CONN_BUFFER: usize = 64 * 1024;

/// The open-file limit found at start and what the box made of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileLimit {
    /// The soft limit the process was started with.
    pub was: u64,
    /// The soft limit now (raised to the hard limit where it could be).
    pub soft: u64,
    /// The hard limit.
    pub hard: u64,
}

impl FileLimit {
    /// Raises the soft open-file limit to the hard limit and reports both. Where the limit
    /// cannot be read, assumes the usual 1,024.
    pub fn raise() -> FileLimit {
        let (was, hard) = rlimit::Resource::NOFILE.get().unwrap_or((1024, 1024));
        let soft = rlimit::increase_nofile_limit(hard).unwrap_or(was);
        FileLimit { was, soft, hard }
    }

    /// The connection cap: the soft limit less [`FD_RESERVE`] (half the limit when that is
    /// small), at most [`MAX_CONNECTIONS`], and at most `wanted` when the operator asks for
    /// fewer.
    pub fn max_connections(&self, wanted: Option<usize>) -> usize {
        let soft = usize::try_from(self.soft).unwrap_or(usize::MAX);
        let cap = if soft > 2 * FD_RESERVE {
            soft - FD_RESERVE
        } else {
            (soft / 2).max(1)
        };
        let cap = cap.min(MAX_CONNECTIONS);
        wanted.map_or(cap, |w| w.clamp(1, cap))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_keeps_files_in_reserve() {
        let limit = |soft| FileLimit {
            was: 1024,
            soft,
            hard: soft,
        };
        assert_eq!(limit(1024).max_connections(None), 1024 - FD_RESERVE);
        assert_eq!(limit(4096).max_connections(None), 4096 - FD_RESERVE);
        assert_eq!(limit(200).max_connections(None), 100);
        assert_eq!(limit(1 << 20).max_connections(None), MAX_CONNECTIONS);
        assert_eq!(limit(4096).max_connections(Some(50)), 50);
        assert_eq!(limit(1024).max_connections(Some(5000)), 1024 - FD_RESERVE);
    }
}
