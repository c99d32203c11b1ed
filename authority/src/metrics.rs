//! What the people who run the ballot box watch (docs/ballot-box.md, "Operating the box"):
//! Prometheus metrics at `GET /metrics` and a structured request log.
//!
//! Nothing here names a voter: the metrics count submissions by outcome and error code, and
//! the request log records method, route (the route's pattern, so `/api/board/{code}` and
//! never the code), status and duration. No ballot contents, no credential codes, no client
//! addresses (the reverse proxy in front has them, under its own retention rules).

use std::io::{LineWriter, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Labels of a submission: a cast ballot or a challenge, and what became of it.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct Submission {
    /// `cast` or `challenge`.
    pub(crate) kind: &'static str,
    /// `accepted` (appended now), `repeat` (already on the board: answered with the stored
    /// entry) or `refused`.
    pub(crate) outcome: &'static str,
    /// The error code of a refusal; empty otherwise.
    pub(crate) code: &'static str,
}

/// Labels of an answered request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Answered {
    /// The route's pattern (`/api/board/{code}`), `static` for files, `other` otherwise.
    route: String,
    /// The status code.
    status: u16,
}

/// The box's metrics.
pub(crate) struct Metrics {
    registry: Registry,
    /// Submissions by kind, outcome and code.
    pub(crate) submissions: Family<Submission, Counter>,
    /// Time to verify one ballot (proofs, signature, listed credential), on a verifier.
    pub(crate) verify_seconds: Histogram,
    /// Time from handing an entry to the writer to its commit (queueing included).
    pub(crate) append_seconds: Histogram,
    /// Entries handed to the writer and not yet committed.
    pub(crate) write_queue: Gauge,
    /// Appends or reads the database failed (answered 503 `STORAGE`).
    pub(crate) storage_errors: Counter,
    /// Answered requests by route and status.
    answered: Family<Answered, Counter>,
}

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let mut registry = Registry::with_prefix("amanat");
        let submissions = Family::<Submission, Counter>::default();
        registry.register(
            "submissions",
            "Ballots and challenges submitted, by kind, outcome and error code",
            submissions.clone(),
        );
        // 0.5 ms to about 8 s.
        let verify_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 15));
        registry.register(
            "verify_seconds",
            "Time to verify one ballot",
            verify_seconds.clone(),
        );
        let append_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 15));
        registry.register(
            "append_seconds",
            "Time from handing an entry to the writer until its commit returned",
            append_seconds.clone(),
        );
        let write_queue = Gauge::default();
        registry.register(
            "write_queue",
            "Entries waiting for the writer or its commit",
            write_queue.clone(),
        );
        let storage_errors = Counter::default();
        registry.register(
            "storage_errors",
            "Database failures seen by appends and reads",
            storage_errors.clone(),
        );
        let answered = Family::<Answered, Counter>::default();
        registry.register(
            "http_answers",
            "Requests answered, by route and status",
            answered.clone(),
        );
        Metrics {
            registry,
            submissions,
            verify_seconds,
            append_seconds,
            write_queue,
            storage_errors,
            answered,
        }
    }

    /// Counts a submission.
    pub(crate) fn submitted(&self, kind: &'static str, outcome: &'static str, code: &'static str) {
        self.submissions
            .get_or_create(&Submission {
                kind,
                outcome,
                code,
            })
            .inc();
    }

    /// The metrics in the OpenMetrics text format.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// `GET /metrics`.
pub(crate) fn answer(metrics: &Metrics) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.render(),
    )
        .into_response()
}

/// Where the request log goes: one JSON object per line.
pub(crate) struct RequestLog(Mutex<LineWriter<Box<dyn Write + Send>>>);

impl RequestLog {
    /// A log appended to `path`, or standard error for `-`.
    ///
    /// # Errors
    /// The file cannot be opened.
    pub(crate) fn open(path: &Path) -> std::io::Result<RequestLog> {
        let out: Box<dyn Write + Send> = if path == Path::new("-") {
            Box::new(std::io::stderr())
        } else {
            Box::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?,
            )
        };
        Ok(RequestLog(Mutex::new(LineWriter::new(out))))
    }

    fn write(&self, line: &str) {
        let mut out = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // A log that cannot be written must not stop the box from answering.
        let _ = writeln!(out, "{line}");
    }
}

/// What the middleware needs: the metrics, and the log if there is one.
pub(crate) struct Watch {
    pub(crate) metrics: Metrics,
    pub(crate) log: Option<RequestLog>,
}

/// Counts every answer by route and status, and logs it when a request log is set.
pub(crate) async fn watch(
    State(watch): State<std::sync::Arc<Watch>>,
    req: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = match req.extensions().get::<MatchedPath>() {
        Some(p) => p.as_str().to_string(),
        None if req.uri().path().starts_with("/api") => "other".to_string(),
        None => "static".to_string(),
    };
    let res = next.run(req).await;
    let status = res.status().as_u16();
    watch
        .metrics
        .answered
        .get_or_create(&Answered {
            route: route.clone(),
            status,
        })
        .inc();
    if let Some(log) = &watch.log {
        let line = serde_json::json!({
            "time": crate::server::rfc3339(std::time::SystemTime::now()),
            "method": method.as_str(),
            "route": route,
            "status": status,
            "ms": millis(start.elapsed()),
        });
        log.write(&line.to_string());
    }
    res
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_render_as_openmetrics() {
        let m = Metrics::new();
        m.submitted("cast", "accepted", "");
        m.submitted("cast", "refused", "VERIFICATION_FAILED");
        m.verify_seconds.observe(0.003);
        m.write_queue.inc();
        let text = m.render();
        assert!(text.contains(
            "amanat_submissions_total{kind=\"cast\",outcome=\"refused\",code=\"VERIFICATION_FAILED\"} 1"
        ), "{text}");
        assert!(text.contains("amanat_verify_seconds_count 1"), "{text}");
        assert!(text.contains("amanat_write_queue 1"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
