//! The voter page's static files (`--www` at `/`, `--pkg` at `/pkg/`): paths that cannot leave
//! their root, the right types, precompressed copies where the client accepts them, and
//! answers a browser can revalidate cheaply (docs/ballot-box.md, "Static files").
//!
//! `make www-assets` writes next to each compressible file a brotli (`.br`) and a gzip
//! (`.gz`) copy (scripts/precompress.mjs): the module is 300 KB raw and about 125 KB
//! compressed, which on a 400 kbit/s link is the difference of several seconds. The box
//! compresses nothing itself (no CPU spent per request); it picks the smallest copy the
//! request's `Accept-Encoding` allows and that is no older than the file, and says so with
//! `Content-Encoding` and `Vary: Accept-Encoding`. Subresource integrity is unaffected: it
//! covers the decoded bytes, which are the same.
//!
//! Every answer carries an `ETag` (size, modification time and encoding) and `Cache-Control:
//! no-cache`: a browser keeps its copy and asks again, and an unchanged file costs a `304`
//! with no body. (The files have fixed names, pinned by hash in the page, so they cannot be
//! cached as immutable without revalidation.)

use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::http_answer::ApiError;
use crate::served_files::Published;

/// A precompressed copy's encoding: its `Content-Encoding` token and file suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gz",
        }
    }
}

/// Whether `Accept-Encoding` allows `token`: named (or `*`) with a quality above zero.
pub(crate) fn accepts(accept: &str, token: &str) -> bool {
    let mut named = None;
    let mut star = None;
    for part in accept.split(',') {
        let mut fields = part.split(';');
        let name = fields.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = fields
            .filter_map(|f| f.trim().strip_prefix("q="))
            .filter_map(|q| q.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        if name == token {
            named = Some(q > 0.0);
        } else if name == "*" {
            star = Some(q > 0.0);
        }
    }
    named.or(star).unwrap_or(false)
}

/// Answers a `GET` or `HEAD` of `rel` below `root`.
/// With a published list, the bytes read are checked against it before they are sent: a
/// file changed since the box started (or not on the list) is refused with 500
/// `FILE_NOT_PUBLISHED`, never served (crate::served_files).
pub(crate) async fn serve(
    root: &Path,
    rel: &str,
    request: &HeaderMap,
    published: Option<&Published>,
) -> Response {
    let Some(file) = resolve(root, rel).await else {
        return ApiError::not_found("no such file").into_response();
    };
    let Ok(meta) = tokio::fs::metadata(&file).await else {
        return ApiError::not_found("no such file").into_response();
    };
    let accept = request
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut chosen: Option<(Encoding, PathBuf, std::fs::Metadata)> = None;
    for encoding in [Encoding::Brotli, Encoding::Gzip] {
        if !accepts(accept, encoding.token()) {
            continue;
        }
        let mut name = file.as_os_str().to_owned();
        name.push(".");
        name.push(encoding.suffix());
        let copy = PathBuf::from(name);
        let Ok(m) = tokio::fs::symlink_metadata(&copy).await else {
            continue;
        };
        // A regular file beside the original, no older than it (a stale copy of an older
        // build is never served), and smaller than whatever was chosen so far.
        let fresh = matches!((m.modified(), meta.modified()), (Ok(c), Ok(o)) if c >= o);
        let smaller = chosen
            .as_ref()
            .map_or(m.len() < meta.len(), |c| m.len() < c.2.len());
        if m.is_file() && fresh && smaller {
            chosen = Some((encoding, copy, m));
        }
    }
    let (path, encoding, served) = match chosen {
        Some((e, p, m)) => (p, Some(e), m),
        None => (file.clone(), None, meta),
    };
    let etag = etag(&served, encoding);
    let mut headers = vec![
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(&file)),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (header::VARY, HeaderValue::from_static("Accept-Encoding")),
    ];
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.push((header::ETAG, v));
    }
    if let Some(e) = encoding {
        headers.push((
            header::CONTENT_ENCODING,
            HeaderValue::from_static(e.token()),
        ));
    }
    let unchanged = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match tokio::fs::read(&path).await {
            Ok(bytes) if published.map_or(true, |p| p.allows(&path, &bytes)) => {
                Body::from(bytes).into_response()
            }
            Ok(_) => {
                eprintln!(
                    "refused to serve {}: not the published file (served-files.json)",
                    path.display()
                );
                return ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "FILE_NOT_PUBLISHED",
                    "this file is not the one the election published; the box does not serve it",
                )
                .into_response();
            }
            Err(_) => return ApiError::not_found("no such file").into_response(),
        }
    };
    for (name, value) in headers {
        if unchanged && name == header::CONTENT_TYPE {
            continue;
        }
        response.headers_mut().insert(name, value);
    }
    response
}

/// A strong validator of one representation: size and modification time of the file
/// served, and its encoding.
fn etag(meta: &std::fs::Metadata, encoding: Option<Encoding>) -> String {
    let nanos = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!(
        "\"{:x}-{nanos:x}-{}\"",
        meta.len(),
        encoding.map_or("identity", Encoding::token)
    )
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Maps a URL path below `root` to a file, refusing anything that could leave `root`:
/// `..`, hidden names, percent-escapes, backslashes, and symbolic links pointing outside.
async fn resolve(root: &Path, rel: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for seg in rel.split('/').filter(|s| !s.is_empty()) {
        if seg.starts_with('.') || seg.contains(['\\', '%', '\0']) {
            return None;
        }
        if !matches!(
            Path::new(seg).components().next(),
            Some(Component::Normal(_))
        ) {
            return None;
        }
        path.push(seg);
    }
    let mut meta = tokio::fs::metadata(&path).await.ok()?;
    if meta.is_dir() {
        path.push("index.html");
        meta = tokio::fs::metadata(&path).await.ok()?;
    }
    if !meta.is_file() {
        return None;
    }
    let real = tokio::fs::canonicalize(&path).await.ok()?;
    let real_root = tokio::fs::canonicalize(root).await.ok()?;
    real.starts_with(&real_root).then_some(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_paths_stay_inside_their_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "x").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.js"), "x").unwrap();
        std::fs::write(dir.path().join(".secret"), "x").unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let root = dir.path();
            assert!(resolve(root, "/").await.unwrap().ends_with("index.html"));
            assert!(resolve(root, "/sub/a.js").await.is_some());
            assert!(resolve(root, "/sub/../index.html").await.is_none());
            assert!(resolve(root, "/.secret").await.is_none());
            assert!(resolve(root, "/%2e%2e/etc/passwd").await.is_none());
            assert!(resolve(root, "/missing").await.is_none());
        });
    }

    #[test]
    fn accept_encoding_is_read_with_its_qualities() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip, deflate, br, zstd", "gzip"));
        assert!(!accepts("gzip, deflate", "br"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(accepts("BR;q=0.5", "br"));
        assert!(accepts("*", "br"));
        assert!(!accepts("*;q=0", "gzip"));
        assert!(!accepts("gzip;q=0, *", "gzip"));
        assert!(!accepts("", "gzip"));
    }
}
