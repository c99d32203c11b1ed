//! What every answer of the ballot box carries, whoever writes it: the JSON error body
//! `{"error": {"code", "message"}}` with a fitting status, and the security headers
//! (docs/ballot-box.md, "Security headers"). The router's answers get them from
//! [`ApiError`]'s `IntoResponse` and the [`security_headers`] middleware; the answers the
//! connection layer writes itself, before a request reaches the router (a malformed head,
//! a timeout, a full box), are rendered by [`ApiError::to_http1`] from the same pieces.

use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The Content-Security-Policy of every response.
pub const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; manifest-src 'self'; \
worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS: [(&str, &str); 7] = [
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
];

/// Puts the security headers on `headers`, and `Cache-Control: no-store` for an API answer
/// that does not say otherwise (a complete board page may be kept by any cache).
fn add_security_headers(headers: &mut HeaderMap, api: bool) {
    for (name, value) in SECURITY_HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    if api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// The middleware that gives every answer of the router the security headers.
pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let api = req.uri().path() == "/api" || req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    add_security_headers(res.headers_mut(), api);
    res
}

/// A JSON error answer: `{"error": {"code", "message"}}` with a fitting status.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    /// `Retry-After`, in whole seconds, for an answer that says "not now".
    pub(crate) retry_after: Option<Duration>,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// `503 BUSY`: a limit of the box is reached; the client may try again after `after`.
    pub(crate) fn busy(message: impl Into<String>, after: Duration) -> ApiError {
        ApiError {
            retry_after: Some(after),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "BUSY", message)
        }
    }

    /// `408 REQUEST_TIMEOUT`: the request did not arrive in time.
    pub(crate) fn timeout(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::REQUEST_TIMEOUT, "REQUEST_TIMEOUT", message)
    }

    fn body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Inner<'a> {
            code: &'a str,
            message: &'a str,
        }
        #[derive(Serialize)]
        struct Outer<'a> {
            error: Inner<'a>,
        }
        let body = Outer {
            error: Inner {
                code: self.code,
                message: &self.message,
            },
        };
        // Serializing two strings into a Vec cannot fail.
        serde_json::to_vec(&body).unwrap_or_default()
    }

    fn retry_after_value(&self) -> Option<HeaderValue> {
        self.retry_after
            .map(|d| HeaderValue::from(d.as_secs().max(1)))
    }

    /// The whole HTTP/1.1 answer as bytes, for the connection layer to write on a socket
    /// that never reached the router: the same status, JSON body and security headers as
    /// the router's answers (as for an API path: `Cache-Control: no-store`), and
    /// `Connection: close`, since the connection ends after it.
    pub(crate) fn to_http1(&self) -> Vec<u8> {
        let body = self.body();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        if let Some(v) = self.retry_after_value() {
            headers.insert(header::RETRY_AFTER, v);
        }
        add_security_headers(&mut headers, true);
        let mut out = format!(
            "HTTP/1.1 {} {}\r\n",
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or("")
        )
        .into_bytes();
        for (name, value) in &headers {
            out.extend_from_slice(name.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&body);
        out
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            self.body(),
        )
            .into_response();
        if let Some(v) = self.retry_after_value() {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_answer_has_the_json_body_and_every_header() {
        let raw = ApiError::busy("full", Duration::from_secs(2)).to_http1();
        let text = String::from_utf8(raw).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
            "{head}"
        );
        let lines: Vec<&str> = head.lines().collect();
        for (name, value) in SECURITY_HEADERS {
            assert!(
                lines.contains(&format!("{name}: {value}").as_str()),
                "{name}"
            );
        }
        assert!(lines.contains(&"cache-control: no-store"));
        assert!(lines.contains(&"connection: close"));
        assert!(lines.contains(&"retry-after: 2"));
        assert!(lines.contains(&format!("content-length: {}", body.len()).as_str()));
        assert_eq!(body, r#"{"error":{"code":"BUSY","message":"full"}}"#);
    }
}
