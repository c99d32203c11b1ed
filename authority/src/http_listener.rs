//! The ballot box's accept loop: HTTP/1.1 connections served by hyper through a
//! [`Gate`] each, at most a fixed number at once, with room made for new clients.
//!
//! When the cap is reached, the connection that has been idle longest (no request in
//! progress, not even part of a head) is closed to make room, so idle sockets cannot keep
//! a voter out. When every connection is busy, the new one is answered `503 BUSY` (JSON,
//! security headers) at once and closed, instead of waiting unanswered in the kernel's
//! backlog. On shutdown the loop stops accepting, lets every request in progress finish
//! and be answered (a ballot being verified is appended and its receipt sent), closes
//! idle connections at once, and gives up on the rest after [`SHUTDOWN_GRACE`].

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, Semaphore};
use tower_service::Service;

use crate::http_answer::ApiError;
use crate::http_gate::{close_with, ConnState, Gate};
use crate::http_limits::{CONN_BUFFER, OVERFLOW_ANSWERS, SHUTDOWN_GRACE};

/// A response body that keeps something (a permit, a request guard) until hyper has sent
/// the body or dropped it.
pub(crate) struct Holding<B, T> {
    body: B,
    _held: T,
}

impl<B, T> Holding<B, T> {
    pub(crate) fn new(body: B, held: T) -> Holding<B, T> {
        Holding { body, _held: held }
    }
}

impl<B: HttpBody + Unpin, T: Unpin> HttpBody for Holding<B, T> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The open connections, by number.
#[derive(Default)]
struct Registry {
    conns: Mutex<HashMap<u64, Arc<ConnState>>>,
    next: AtomicU64,
    /// Notified whenever a connection ends.
    ended: Notify,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<ConnState>>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a connection if there is room, making room by closing the connection idle
    /// longest if need be; `None` if every connection is busy.
    fn admit(&self, cap: usize) -> Option<(u64, Arc<ConnState>)> {
        let mut conns = self.lock();
        if conns.len() >= cap {
            let oldest = conns
                .iter()
                .filter_map(|(id, c)| c.idle_until().map(|t| (t, *id)))
                .min()?;
            if let Some(c) = conns.remove(&oldest.1) {
                c.close();
            }
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let state = ConnState::new();
        conns.insert(id, Arc::clone(&state));
        Some((id, state))
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
        self.ended.notify_waiters();
    }

    fn close_all(&self) {
        for c in self.lock().values() {
            c.close();
        }
    }

    fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

/// Serves `router` on `listener`, at most `cap` connections at once, until `shutdown`
/// completes; then drains as described in the module documentation.
///
/// # Errors
/// None in practice: accept errors (a full file table, a connection reset before it was
/// accepted) are waited out, not returned.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    cap: usize,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let registry = Arc::new(Registry::default());
    let overflow = Arc::new(Semaphore::new(OVERFLOW_ANSWERS));
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of files (or a connection reset while queued): wait for room
                    // rather than spin.
                    if !matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
                    ) {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            },
        };
        let Some((id, state)) = registry.admit(cap) else {
            if let Ok(permit) = Arc::clone(&overflow).try_acquire_owned() {
                tokio::spawn(async move {
                    let busy = ApiError::busy(
                        "the ballot box is at its connection limit; try again",
                        Duration::from_secs(1),
                    );
                    close_with(stream, Some(busy)).await;
                    drop(permit);
                });
            }
            continue;
        };
        let (router, registry, stop) = (router.clone(), Arc::clone(&registry), stop_rx.clone());
        tokio::spawn(async move {
            connection(stream, Arc::clone(&state), router, stop).await;
            registry.remove(id);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    registry.close_all();
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        loop {
            let ended = registry.ended.notified();
            if registry.is_empty() {
                return;
            }
            ended.await;
        }
    })
    .await;
    if drained.is_err() {
        eprintln!(
            "amanat serve: connections still busy {} s after the shutdown signal were dropped",
            SHUTDOWN_GRACE.as_secs()
        );
    }
    Ok(())
}

type ServiceFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// Serves one connection until it ends, then closes it (writing the gate's refusal, if
/// any).
async fn connection(
    stream: TcpStream,
    state: Arc<ConnState>,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let requests = Arc::clone(&state);
    let service = hyper::service::service_fn(move |req: Request<Incoming>| -> ServiceFuture {
        let guard = requests.request();
        let mut router = router.clone();
        Box::pin(async move {
            let res = router.call(req).await?;
            Ok(res.map(|body| Body::new(Holding::new(body, guard))))
        })
    });
    let mut conn = hyper::server::conn::http1::Builder::new()
        // The gate keeps the head deadline (and answers 408); hyper's own would close
        // without an answer.
        .header_read_timeout(None)
        .max_buf_size(CONN_BUFFER)
        .serve_connection(TokioIo::new(Gate::new(stream, Arc::clone(&state))), service);
    let mut closing = false;
    loop {
        tokio::select! {
            _ = std::future::poll_fn(|cx| conn.poll_without_shutdown(cx)) => break,
            () = state.close_requested.notified(), if !closing => {}
            _ = stop.changed(), if !closing => {}
        }
        Pin::new(&mut conn).graceful_shutdown();
        state.close();
        closing = true;
    }
    conn.into_parts().io.into_inner().finish().await;
}
