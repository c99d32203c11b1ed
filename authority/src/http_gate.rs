//! One connection's gate: the socket as hyper sees it, with the per-connection limits of
//! [`crate::http_limits`] applied before a byte reaches hyper.
//!
//! Each request head is read and checked here first (httparse, the parser hyper itself
//! uses, with the same rules, and the box's own limits on its size, its target and its
//! framing). A head that passes goes to hyper whole, followed by exactly the body its
//! `Content-Length` declares. A head that does not pass never reaches hyper: the gate tells
//! hyper the client has gone, lets it finish the answers it owes, and then writes the
//! refusal itself as a JSON error with the security headers ([`ApiError::to_http1`]). So
//! hyper never writes its own bodiless `400`, `414` or `431`. Bodies must be framed by
//! `Content-Length`: a `Transfer-Encoding` is refused with `411`, which keeps the gate's
//! framing and hyper's the same by construction.
//!
//! Time is bounded on both sides: a head must arrive within [`HEAD_TIMEOUT`], a connection
//! with nothing in progress is closed after [`IDLE_TIMEOUT`], and a write that makes no
//! progress for [`WRITE_TIMEOUT`] fails, so a client that stops reading its answer is
//! disconnected and the answer freed. (A body's own deadline, [`crate::http_limits::BODY_TIMEOUT`],
//! is kept by the handler that reads it, which answers `408`.)

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use axum::http::{StatusCode, Uri};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Sleep;

use crate::http_answer::ApiError;
use crate::http_limits::{
    HEAD_TIMEOUT, IDLE_TIMEOUT, MAX_HEAD, MAX_HEADERS, MAX_URI, WRITE_TIMEOUT,
};

/// After writing a refusal, how long the gate goes on reading (and discarding) what the
/// client is still sending, so that closing does not reset the connection before the
/// client has read the answer.
const LINGER: Duration = Duration::from_secs(2);
/// The most bytes discarded while lingering.
const LINGER_BYTES: usize = 1024 * 1024;
/// How much of a head is read from the socket at a time.
const HEAD_CHUNK: usize = 4096;

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Milliseconds on one clock shared by every connection (so the listener can compare
/// their deadlines).
fn now_ms() -> u64 {
    u64::try_from(epoch().elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn instant_at(ms: u64) -> tokio::time::Instant {
    tokio::time::Instant::from_std(epoch() + Duration::from_millis(ms))
}

/// What a connection shares with the listener (which may ask it to close) and with the
/// requests it carries (which say when they are answered).
#[derive(Debug)]
pub(crate) struct ConnState {
    /// Requests handed to the router whose answer has not yet been sent.
    in_flight: AtomicUsize,
    /// When the connection, if it stays with nothing in progress, is closed (on
    /// [`now_ms`]'s clock).
    idle_deadline: AtomicU64,
    /// Whether part of a request head is waiting in the gate.
    mid_head: AtomicBool,
    /// Set by the listener: close as soon as nothing is in progress.
    closing: AtomicBool,
    /// The gate's reader, woken when the last answer is sent or when asked to close.
    reader: Mutex<Option<Waker>>,
    /// Wakes the connection's task, which then starts hyper's graceful shutdown.
    pub(crate) close_requested: Notify,
}

impl ConnState {
    /// A new connection: its first request must start within [`HEAD_TIMEOUT`].
    pub(crate) fn new() -> Arc<ConnState> {
        Arc::new(ConnState {
            in_flight: AtomicUsize::new(0),
            idle_deadline: AtomicU64::new(now_ms().saturating_add(millis(HEAD_TIMEOUT))),
            mid_head: AtomicBool::new(false),
            closing: AtomicBool::new(false),
            reader: Mutex::new(None),
            close_requested: Notify::new(),
        })
    }

    /// Whether the listener may close this connection to make room for another: no request
    /// in progress, not even part of a head. If so, when it would be closed anyway.
    pub(crate) fn idle_until(&self) -> Option<u64> {
        (self.in_flight.load(Ordering::Acquire) == 0 && !self.mid_head.load(Ordering::Acquire))
            .then(|| self.idle_deadline.load(Ordering::Acquire))
    }

    /// Asks the connection to close as soon as no request is in progress: at once if it is
    /// idle, after the answers it owes otherwise.
    pub(crate) fn close(&self) {
        self.closing.store(true, Ordering::Release);
        self.wake_reader();
        self.close_requested.notify_one();
    }

    /// Counts a request as in progress until the returned guard is dropped, which the
    /// service does with the answer's body (once hyper has sent it or given up).
    pub(crate) fn request(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(Arc::clone(self))
    }

    fn idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }

    fn wake_reader(&self) {
        let waker = self.reader.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(w) = waker {
            w.wake();
        }
    }

    fn set_reader(&self, waker: &Waker) {
        let mut slot = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            Some(w) if w.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }
}

/// A request in progress on a connection (see [`ConnState::request`]).
#[derive(Debug)]
pub(crate) struct InFlight(Arc<ConnState>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle_deadline.store(
                now_ms().saturating_add(millis(IDLE_TIMEOUT)),
                Ordering::Release,
            );
            self.0.wake_reader();
        }
    }
}

/// The socket hyper reads and writes, with the checks and timeouts described above.
#[derive(Debug)]
pub(crate) struct Gate {
    io: TcpStream,
    state: Arc<ConnState>,
    /// Bytes read from the socket and not yet given to hyper: `buf[..ready]` has been
    /// checked (a whole head and what came with it of its body); the rest is the next
    /// head so far.
    buf: Vec<u8>,
    ready: usize,
    /// Whether the bytes after `ready` have been parsed since they last grew.
    parsed: bool,
    /// Body bytes of the current request still to pass straight through.
    body_left: u64,
    /// When the head now arriving must be complete.
    head_deadline: Option<tokio::time::Instant>,
    /// The read side's timer and the deadline it is set to.
    read_timer: Pin<Box<Sleep>>,
    read_timer_at: Option<tokio::time::Instant>,
    /// Armed while a write is blocked; reset by any progress.
    write_timer: Option<Pin<Box<Sleep>>>,
    /// The answer the gate owes the client, written once hyper is done.
    refusal: Option<ApiError>,
    /// Nothing more goes to hyper: it reads end-of-stream once no request is in progress
    /// (hyper drops a request in progress when its stream ends, and the gate's own ending
    /// must not cost the client the answers it is owed).
    shut: bool,
    /// The client's own stream ended: hyper is told at once, as if there were no gate.
    client_gone: bool,
}

impl Gate {
    pub(crate) fn new(io: TcpStream, state: Arc<ConnState>) -> Gate {
        Gate {
            io,
            state,
            buf: Vec::new(),
            ready: 0,
            parsed: true,
            body_left: 0,
            head_deadline: None,
            read_timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
            read_timer_at: None,
            write_timer: None,
            refusal: None,
            shut: false,
            client_gone: false,
        }
    }

    /// Ends the connection once hyper is done with it: writes the refusal the gate owes,
    /// if any, then closes the socket.
    pub(crate) async fn finish(self) {
        close_with(self.io, self.refusal).await;
    }

    /// A head passed: `head` bytes of head and a body of `body` bytes.
    fn pass(&mut self, head: usize, body: u64) {
        let after = self.buf.len() - head;
        let with_head = usize::try_from(body).map_or(after, |b| b.min(after));
        self.ready = head + with_head;
        self.body_left = body - with_head as u64;
        let more = self.buf.len() > self.ready;
        self.parsed = !more;
        self.head_deadline = more.then(|| tokio::time::Instant::now() + HEAD_TIMEOUT);
        self.state.mid_head.store(more, Ordering::Release);
    }

    fn refuse(&mut self, answer: ApiError) {
        self.refusal = Some(answer);
        self.end();
    }

    /// The client closed its side (or reset the connection).
    fn client_ended(&mut self) {
        self.client_gone = true;
        self.end();
    }

    fn end(&mut self) {
        self.shut = true;
        self.buf = Vec::new();
        self.ready = 0;
        self.state.mid_head.store(false, Ordering::Release);
    }

    /// Reads the next part of a body straight into hyper's buffer, never past its end.
    fn poll_body(&mut self, cx: &mut Context<'_>, out: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let max = usize::try_from(self.body_left)
            .map_or(out.remaining(), |left| left.min(out.remaining()));
        let mut part = ReadBuf::new(out.initialize_unfilled_to(max));
        match Pin::new(&mut self.io).poll_read(cx, &mut part) {
            Poll::Ready(Ok(())) => {
                let n = part.filled().len();
                if n == 0 {
                    // The client went away in the middle of its body.
                    self.client_ended();
                }
                out.advance(n);
                self.body_left -= n as u64;
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }

    /// Reads more of a head into `buf`, never past [`MAX_HEAD`] + 1 bytes.
    fn poll_head(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let room = (MAX_HEAD + 1)
            .saturating_sub(self.buf.len())
            .min(HEAD_CHUNK);
        let mut chunk = [0u8; HEAD_CHUNK];
        let mut part = ReadBuf::new(&mut chunk[..room]);
        match Pin::new(&mut self.io).poll_read(cx, &mut part) {
            Poll::Ready(Ok(())) => {
                let n = part.filled().len();
                self.buf.extend_from_slice(part.filled());
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Nothing to read: whether a deadline has passed. Registers the waker for it.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.state.set_reader(cx.waker());
        let deadline = match self.head_deadline {
            Some(d) => Some(d),
            None if self.state.idle() => {
                Some(instant_at(self.state.idle_deadline.load(Ordering::Acquire)))
            }
            // A request is being handled or answered: the client may wait in silence.
            None => None,
        };
        let Some(deadline) = deadline else {
            return Poll::Pending;
        };
        if self.read_timer_at != Some(deadline) {
            self.read_timer.as_mut().reset(deadline);
            self.read_timer_at = Some(deadline);
        }
        self.read_timer.as_mut().poll(cx)
    }

    fn poll_guarded<T>(
        &mut self,
        cx: &mut Context<'_>,
        f: impl FnOnce(Pin<&mut TcpStream>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match f(Pin::new(&mut self.io), cx) {
            Poll::Ready(r) => {
                self.write_timer = None;
                Poll::Ready(r)
            }
            Poll::Pending => {
                let timer = self
                    .write_timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(WRITE_TIMEOUT)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        self.write_timer = None;
                        Poll::Ready(Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the client stopped reading its answer",
                        )))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncRead for Gate {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        loop {
            if me.shut {
                if !me.client_gone && !me.state.idle() {
                    me.state.set_reader(cx.waker());
                    if !me.state.idle() {
                        return Poll::Pending;
                    }
                }
                return Poll::Ready(Ok(()));
            }
            if me.ready > 0 {
                let n = me.ready.min(out.remaining());
                out.put_slice(&me.buf[..n]);
                me.buf.drain(..n);
                me.ready -= n;
                return Poll::Ready(Ok(()));
            }
            if me.body_left > 0 {
                return me.poll_body(cx, out);
            }
            if !me.parsed {
                me.parsed = true;
                match check_head(&me.buf) {
                    Ok(Some((head, body))) => me.pass(head, body),
                    Ok(None) => {}
                    Err(answer) => me.refuse(answer),
                }
                continue;
            }
            if me.buf.is_empty() && me.state.closing.load(Ordering::Acquire) && me.state.idle() {
                // Asked to close (full box, or shutting down) with nothing in progress.
                me.end();
                continue;
            }
            match me.poll_head(cx) {
                Poll::Ready(Ok(0)) => me.client_ended(),
                Poll::Ready(Ok(_)) => {
                    if me.head_deadline.is_none() {
                        me.head_deadline = Some(tokio::time::Instant::now() + HEAD_TIMEOUT);
                        me.state.mid_head.store(true, Ordering::Release);
                    }
                    me.parsed = false;
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => {
                    if me.poll_deadline(cx).is_pending() {
                        // Asked to close while the reader was registered above?
                        if me.buf.is_empty()
                            && me.state.closing.load(Ordering::Acquire)
                            && me.state.idle()
                        {
                            me.end();
                            continue;
                        }
                        return Poll::Pending;
                    }
                    if me.buf.is_empty() {
                        // Idle too long: close quietly.
                        me.end();
                    } else {
                        me.refuse(ApiError::timeout(format!(
                            "the request head did not arrive within {} seconds",
                            HEAD_TIMEOUT.as_secs()
                        )));
                    }
                }
            }
        }
    }
}

impl AsyncWrite for Gate {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .poll_guarded(cx, |io, cx| io.poll_write(cx, data))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .poll_guarded(cx, |io, cx| io.poll_write_vectored(cx, data))
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_guarded(cx, |io, cx| io.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut()
            .poll_guarded(cx, |io, cx| io.poll_shutdown(cx))
    }
}

/// Closes a socket hyper is done with (or never saw): first writes `answer`, if any, and
/// then reads and discards for a moment what the client is still sending, so that the
/// close does not reset the connection before the client has read the answer.
pub(crate) async fn close_with(mut io: TcpStream, answer: Option<ApiError>) {
    let Some(answer) = answer else {
        let _ = tokio::time::timeout(WRITE_TIMEOUT, io.shutdown()).await;
        return;
    };
    let bytes = answer.to_http1();
    let written = tokio::time::timeout(WRITE_TIMEOUT, async {
        io.write_all(&bytes).await?;
        io.shutdown().await
    })
    .await;
    if !matches!(written, Ok(Ok(()))) {
        return;
    }
    let _ = tokio::time::timeout(LINGER, async {
        let mut sink = [0u8; 4096];
        let mut total = 0;
        while total < LINGER_BYTES {
            match io.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    })
    .await;
}

fn malformed(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "MALFORMED_REQUEST", message)
}

/// A head over [`MAX_HEAD`] bytes: `414` if its request line alone is that long, `431`
/// otherwise.
fn too_long(head: &[u8]) -> ApiError {
    if head.iter().take(MAX_HEAD).any(|&b| b == b'\n') {
        ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "HEADERS_TOO_LARGE",
            format!("the request head is longer than {MAX_HEAD} bytes"),
        )
    } else {
        uri_too_long()
    }
}

fn uri_too_long() -> ApiError {
    ApiError::new(
        StatusCode::URI_TOO_LONG,
        "URI_TOO_LONG",
        format!("the request target is longer than {MAX_URI} bytes"),
    )
}

/// A `Content-Length` value: 1 to 19 ASCII digits, nothing else (no sign, no spaces, no
/// list), so that it cannot be read two ways.
fn content_length(value: &[u8]) -> Result<u64, ApiError> {
    let invalid = || malformed("Content-Length must be a decimal number of bytes");
    if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    std::str::from_utf8(value)
        .ok()
        .and_then(|v| v.parse().ok())
        .ok_or_else(invalid)
}

/// Checks the request head at the start of `buf`: `Ok(None)` while it is incomplete,
/// `Ok(Some((head length, body length)))` once it is complete and acceptable, or the
/// refusal.
fn check_head(buf: &[u8]) -> Result<Option<(usize, u64)>, ApiError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => return Err(too_long(buf)),
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(ApiError::new(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "HEADERS_TOO_LARGE",
                format!("the request has more than {MAX_HEADERS} header lines"),
            ))
        }
        Err(e) => return Err(malformed(format!("the request is not HTTP/1.1: {e}"))),
    };
    if len > MAX_HEAD {
        return Err(too_long(&buf[..len]));
    }
    let (Some(method), Some(path)) = (req.method, req.path) else {
        return Err(malformed("the request line is incomplete"));
    };
    if path.len() > MAX_URI {
        return Err(uri_too_long());
    }
    if method == "CONNECT" {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "the ballot box is not a proxy",
        ));
    }
    if Uri::try_from(path.as_bytes()).is_err() {
        return Err(malformed(
            "the request target is not a valid URI (bytes that are not UTF-8 must be \
             percent-encoded)",
        ));
    }
    let mut length = None;
    for h in req.headers.iter() {
        if h.name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(ApiError::new(
                StatusCode::LENGTH_REQUIRED,
                "LENGTH_REQUIRED",
                "send the body with a Content-Length; Transfer-Encoding is not accepted",
            ));
        }
        if h.name.eq_ignore_ascii_case("content-length") {
            if length.is_some() {
                return Err(malformed("more than one Content-Length"));
            }
            length = Some(content_length(h.value)?);
        }
    }
    Ok(Some((len, length.unwrap_or(0))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(buf: &[u8]) -> (u16, &'static str) {
        let e = check_head(buf).unwrap_err();
        (e.status.as_u16(), e.code)
    }

    #[test]
    fn heads_are_checked_before_hyper_sees_them() {
        assert_eq!(check_head(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap(), None);
        assert_eq!(
            check_head(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nrest").unwrap(),
            Some((27, 0))
        );
        assert_eq!(
            check_head(b"POST /api/ballots HTTP/1.1\r\nContent-Length: 12\r\n\r\n").unwrap(),
            Some((50, 12))
        );
        assert_eq!(
            code(b"GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
            (400, "MALFORMED_REQUEST")
        );
        assert_eq!(code(b"GET / HTTP/3.0\r\n\r\n"), (400, "MALFORMED_REQUEST"));
        assert_eq!(
            code(b"GET /\xff\xfe HTTP/1.1\r\n\r\n"),
            (400, "MALFORMED_REQUEST")
        );
        assert_eq!(
            code(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            (411, "LENGTH_REQUIRED")
        );
        for bad in ["-1", "+1", "1,1", "", "99999999999999999999", "0x10"] {
            let head = format!("POST / HTTP/1.1\r\nContent-Length: {bad}\r\n\r\n");
            assert_eq!(code(head.as_bytes()), (400, "MALFORMED_REQUEST"), "{bad:?}");
        }
        assert_eq!(
            code(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n"),
            (400, "MALFORMED_REQUEST")
        );
        assert_eq!(
            code(b"CONNECT a:443 HTTP/1.1\r\n\r\n"),
            (405, "METHOD_NOT_ALLOWED")
        );

        let long_target = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_URI));
        assert_eq!(code(long_target.as_bytes()), (414, "URI_TOO_LONG"));
        let endless_line = format!("GET /{}", "a".repeat(MAX_HEAD));
        assert_eq!(code(endless_line.as_bytes()), (414, "URI_TOO_LONG"));
        let big = format!("GET / HTTP/1.1\r\nX: {}\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(code(big.as_bytes()), (431, "HEADERS_TOO_LARGE"));
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X-{i}: 1\r\n")).collect();
        let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(code(many.as_bytes()), (431, "HEADERS_TOO_LARGE"));
    }
}
