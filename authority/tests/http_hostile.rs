//! The ballot box against an attacker with a socket and no credentials: one table of hostile
//! requests over every route — wrong methods, bodies that are not ballots or are ballots
//! that lie, framing that lies, parameters and paths that try to escape, request heads that
//! are not HTTP, bodies that hide a second request — each sent on its own connection to the
//! real `amanat serve` on loopback.
//!
//! Every answer must be prompt (within [`PROMPT`]), carry the security headers, and, when it
//! refuses, be a 4xx with the JSON error body of docs/ballot-box.md ("Error codes and
//! statuses"). Afterwards the box is alive, never panicked, stored nothing of the sweep, and
//! still takes an honest voter's ballot.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amanat::board::BoardEntry;
use amanat::{Ballot, Credential, CredentialList, Election, PublicKey, Receipt, SealedBallot};
use amanat::{Manifest, Selections};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::Scalar;
use rand_core::{OsRng, RngCore};
use serde_json::Value;

use common::Answer;

const BIN: &str = env!("CARGO_BIN_EXE_amanat");

/// How long any answer may take.
const PROMPT: Duration = Duration::from_secs(5);

/// An election in a temporary directory with its voters and the box key, and a voter page
/// (`www/`, `pkg/`) beside a file no request may reach (`secret.txt`).
struct Fixture {
    dir: tempfile::TempDir,
    election: Election,
    voters: Vec<Credential>,
}

impl Fixture {
    fn new(voters: usize) -> Fixture {
        let (dir, election, _, voters) = common::box_election(voters);
        let www = dir.path().join("www");
        let pkg = dir.path().join("pkg");
        std::fs::create_dir_all(&www).unwrap();
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(www.join("index.html"), "<!doctype html><title>A</title>").unwrap();
        std::fs::write(pkg.join("amanat.js"), "export {};").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "TOP-SECRET").unwrap();
        Fixture {
            dir,
            election,
            voters,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn sealed(&self, election: &Election, voter: &Credential) -> SealedBallot {
        let na = OsRng.next_u32() % 15 + 1;
        let pp = OsRng.next_u32() % 20 + 1;
        let choice: Selections = [
            ("NA-1".to_string(), vec![format!("na-1-{na:02}")]),
            ("PP-1".to_string(), vec![format!("pp-1-{pp:02}")]),
        ]
        .into();
        SealedBallot::seal(election, voter, &choice, &mut OsRng).unwrap()
    }

    fn ballot(&self, voter: usize) -> Ballot {
        self.sealed(&self.election, &self.voters[voter]).cast()
    }
}

/// A running `amanat serve`, killed when dropped; what it writes to stderr is kept.
struct Server {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(f: &Fixture) -> Server {
        let mut child = Command::new(BIN)
            .arg("serve")
            .arg("--election")
            .arg(f.path())
            .args(["--listen", "127.0.0.1:0"])
            .arg("--www")
            .arg(f.path().join("www"))
            .arg("--pkg")
            .arg(f.path().join("pkg"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let err = BufReader::new(child.stderr.take().unwrap());
        let kept = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in err.lines().map_while(Result::ok) {
                eprintln!("server: {line}");
                let mut k = kept.lock().unwrap();
                k.push_str(&line);
                k.push('\n');
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the server exited before listening")
                .unwrap();
            if let Some(rest) = line.strip_prefix("Listening on http://") {
                break rest.trim_end_matches('/').parse().unwrap();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            addr,
            stderr,
        }
    }

    /// Sends `case` on a new connection and reads one answer; for a case followed by an
    /// honest request, also what is wrong with the answer after it.
    fn ask(&self, case: &Case) -> std::io::Result<(Answer, Option<String>)> {
        let mut s = TcpStream::connect_timeout(&self.addr, PROMPT)?;
        s.set_read_timeout(Some(PROMPT))?;
        s.set_write_timeout(Some(PROMPT))?;
        // The box may refuse before the whole request is sent (a head it will not take, a
        // body it will not read): the answer is what counts, not the write.
        let _ = s.write_all(&case.request);
        if case.half_close {
            s.shutdown(Shutdown::Write)?;
        }
        let mut r = BufReader::new(s);
        let answer = read_answer(&mut r, case.request.starts_with(b"HEAD "))?;
        let then = case.then_status.then(|| smuggled_answer(&mut r)).flatten();
        Ok((answer, then))
    }

    fn get(&self, path: &str) -> Answer {
        self.ask(&Case::new(
            "get",
            request("GET", path, &[], None),
            Want::Ok(&[200]),
        ))
        .unwrap()
        .0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP/1.1 request on a connection the client closes after it; `Content-Length` is
/// added for a body unless `headers` frame it themselves.
fn request(method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: box\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    let framed = headers.iter().any(|(n, _)| {
        n.eq_ignore_ascii_case("content-length") || n.eq_ignore_ascii_case("transfer-encoding")
    });
    if let (Some(b), false) = (body, framed) {
        out.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body.unwrap_or_default());
    out
}

/// A JSON `POST`.
fn post(path: &str, body: &[u8]) -> Vec<u8> {
    request(
        "POST",
        path,
        &[("Content-Type", "application/json")],
        Some(body),
    )
}

/// Reads one answer: the head, then a body framed by `Content-Length` or chunks (none for
/// `HEAD`, 1xx, 204 and 304), or to the end of the stream.
fn read_answer(r: &mut impl BufRead, head_only: bool) -> std::io::Result<Answer> {
    let mut head = Vec::new();
    // An interim `100 Continue` comes before the answer.
    while !head.ends_with(b"\r\n\r\n") || head.starts_with(b"HTTP/1.1 100 ") {
        if head.ends_with(b"\r\n\r\n") {
            head.clear();
        }
        let mut line = Vec::new();
        if r.read_until(b'\n', &mut line)? == 0 {
            return Err(std::io::Error::new(
                ErrorKind::UnexpectedEof,
                format!("closed after {} bytes of the answer", head.len()),
            ));
        }
        head.extend_from_slice(&line);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line: {head:?}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if head_only || status < 200 || status == 204 || status == 304 {
    } else if let Some(length) = find("content-length") {
        body.resize(length.parse().map_err(std::io::Error::other)?, 0);
        r.read_exact(&mut body)?;
    } else if find("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        loop {
            let mut size = String::new();
            r.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim(), 16).map_err(std::io::Error::other)?;
            let mut chunk = vec![0u8; n + 2];
            r.read_exact(&mut chunk)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else {
        r.read_to_end(&mut body)?;
    }
    Ok(Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// What a case must get.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// This refusal: status and code.
    Error(u16, &'static str),
    /// Some refusal (a 4xx with a JSON error, unless the answer is to `HEAD`).
    Refused,
    /// One of these statuses: a request the box may legitimately answer.
    Ok(&'static [u16]),
}

/// One hostile request.
struct Case {
    name: String,
    request: Vec<u8>,
    want: Want,
    /// Shut the write side after sending (the client says it is done).
    half_close: bool,
    /// The request is followed by an honest `GET /api/status` on the same connection: see
    /// [`smuggled_answer`].
    then_status: bool,
}

impl Case {
    fn new(name: impl Into<String>, request: Vec<u8>, want: Want) -> Case {
        Case {
            name: name.into(),
            request,
            want,
            half_close: false,
            then_status: false,
        }
    }
}

/// What is wrong with `answer` to `case`, if anything.
fn judge(case: &Case, answer: &Answer) -> Vec<String> {
    let mut wrong = Vec::new();
    let head_only = case.request.starts_with(b"HEAD ");
    match case.want {
        Want::Error(status, _) if answer.status != status => {
            wrong.push(format!("status {} instead of {status}", answer.status))
        }
        Want::Refused if !(400..=499).contains(&answer.status) => {
            wrong.push(format!("status {} instead of a 4xx", answer.status))
        }
        Want::Ok(statuses) if !statuses.contains(&answer.status) => {
            wrong.push(format!("status {} instead of {statuses:?}", answer.status))
        }
        _ => {}
    }
    if answer.header("content-security-policy") != Some(amanat_authority::server::CSP) {
        wrong.push("no Content-Security-Policy".into());
    }
    if answer.header("x-content-type-options") != Some("nosniff") {
        wrong.push("no X-Content-Type-Options".into());
    }
    if (400..=599).contains(&answer.status) && !head_only {
        if answer.header("content-type") != Some("application/json") {
            wrong.push(format!(
                "error with Content-Type {:?}",
                answer.header("content-type")
            ));
        }
        let v: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        let code = v["error"]["code"].as_str().unwrap_or("");
        let message = v["error"]["message"].as_str().unwrap_or("");
        if code.is_empty() || message.is_empty() {
            wrong.push("error body is not {\"error\": {\"code\", \"message\"}}".into());
        }
        if let Want::Error(_, want) = case.want {
            if code != want {
                wrong.push(format!("code {code:?} instead of {want:?}"));
            }
        }
        // A refusal names what was wrong; it does not carry back what it was sent.
        if answer.body.len() > 2048 {
            wrong.push(format!("an error of {} bytes", answer.body.len()));
        }
    }
    if answer.body.contains("TOP-SECRET") {
        wrong.push("served the file outside www".into());
    }
    wrong
}

/// A ballot's JSON as a value to break.
fn value(b: &Ballot) -> Value {
    serde_json::from_str(&b.to_json()).unwrap()
}

/// 64 hex digits of all-0xff: neither a canonical point nor a canonical scalar.
fn ff() -> Value {
    Value::String("ff".repeat(32))
}

/// The hostile requests to the two `POST` routes that read a body.
fn body_cases(f: &Fixture, cases: &mut Vec<Case>) {
    const BAD_JSON: Want = Want::Error(400, "MALFORMED_JSON");
    let good = f.ballot(1);
    let sealed = f.sealed(&f.election, &f.voters[1]);
    let reveal = sealed.ballot().clone();
    let challenge = serde_json::from_str::<Value>(&sealed.challenge().to_json()).unwrap();
    let challenge_of = |ballot: &Value, challenge: &Value| serde_json::json!({ "ballot": ballot, "challenge": challenge });

    // Bodies that are not a ballot at all, sent to both routes.
    let nested_arrays = "[".repeat(100_000);
    let nested_objects = "{\"a\":".repeat(50_000);
    let long_number = "1".repeat(200_000);
    let shapeless: Vec<(&str, Vec<u8>, Want)> = vec![
        ("empty body", Vec::new(), BAD_JSON),
        ("not JSON", b"ballot, please".to_vec(), BAD_JSON),
        ("unfinished JSON", b"{\"protocol\": ".to_vec(), BAD_JSON),
        ("an array", b"[1, 2, 3]".to_vec(), BAD_JSON),
        ("a number", b"42".to_vec(), BAD_JSON),
        ("a string", b"\"ballot\"".to_vec(), BAD_JSON),
        ("null", b"null".to_vec(), BAD_JSON),
        ("true", b"true".to_vec(), BAD_JSON),
        ("an empty object", b"{}".to_vec(), BAD_JSON),
        ("two objects", b"{}{}".to_vec(), BAD_JSON),
        ("100,000 [", nested_arrays.into_bytes(), BAD_JSON),
        (
            "50,000 nested objects",
            nested_objects.into_bytes(),
            BAD_JSON,
        ),
        ("a 200,000-digit number", long_number.into_bytes(), BAD_JSON),
        ("1e999999", b"1e999999".to_vec(), BAD_JSON),
        ("-0", b"-0".to_vec(), BAD_JSON),
        ("invalid UTF-8", b"{\"a\": \"\xff\xfe\"}".to_vec(), BAD_JSON),
        (
            "a lone surrogate",
            b"{\"a\": \"\\ud800\"}".to_vec(),
            BAD_JSON,
        ),
        ("a NUL byte", b"{\"a\": \"\0\"}".to_vec(), BAD_JSON),
    ];
    for path in ["/api/ballots", "/api/challenges"] {
        for (name, body, want) in &shapeless {
            cases.push(Case::new(
                format!("POST {path}: {name}"),
                post(path, body),
                *want,
            ));
        }
        let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(300 * 1024));
        cases.push(Case::new(
            format!("POST {path}: a body over the limit"),
            post(path, huge.as_bytes()),
            Want::Error(413, "BODY_TOO_LARGE"),
        ));
        cases.push(Case::new(
            format!("POST {path}: a Content-Length of a terabyte"),
            request("POST", path, &[("Content-Length", "1000000000000")], None),
            Want::Error(413, "BODY_TOO_LARGE"),
        ));
        cases.push(Case::new(
            format!("POST {path}: a Content-Length past u64"),
            request(
                "POST",
                path,
                &[("Content-Length", "99999999999999999999999")],
                None,
            ),
            Want::Refused,
        ));
        for length in ["-1", "abc", "0x10", "1e3", "5, 6", " "] {
            cases.push(Case::new(
                format!("POST {path}: Content-Length {length:?}"),
                request("POST", path, &[("Content-Length", length)], Some(b"{}")),
                Want::Error(400, "MALFORMED_REQUEST"),
            ));
        }
        cases.push(Case::new(
            format!("POST {path}: two different Content-Lengths"),
            request(
                "POST",
                path,
                &[("Content-Length", "2"), ("Content-Length", "3")],
                Some(b"{}x"),
            ),
            Want::Error(400, "MALFORMED_REQUEST"),
        ));
        let mut lie = Case::new(
            format!("POST {path}: a Content-Length longer than the body, then close"),
            request("POST", path, &[("Content-Length", "1000")], Some(b"{}")),
            Want::Refused,
        );
        lie.half_close = true;
        cases.push(lie);
        cases.push(Case::new(
            format!("POST {path}: a Content-Length shorter than the body"),
            request("POST", path, &[("Content-Length", "1")], Some(b"{}")),
            BAD_JSON,
        ));
        for (name, chunks) in [
            ("garbage chunk size", "zz\r\n{}\r\n0\r\n\r\n"),
            ("negative chunk size", "-5\r\n{}\r\n0\r\n\r\n"),
            ("huge chunk size", "ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n"),
            ("an honest-looking chunk", "2\r\n{}\r\n0\r\n\r\n"),
        ] {
            cases.push(Case::new(
                format!("POST {path}: chunked, {name}"),
                request(
                    "POST",
                    path,
                    &[("Transfer-Encoding", "chunked")],
                    Some(chunks.as_bytes()),
                ),
                Want::Error(411, "LENGTH_REQUIRED"),
            ));
        }
        cases.push(Case::new(
            format!("POST {path}: chunked and a Content-Length (smuggling)"),
            request(
                "POST",
                path,
                &[("Content-Length", "6"), ("Transfer-Encoding", "chunked")],
                Some(b"0\r\n\r\nGET /api/ballots HTTP/1.1\r\n\r\n"),
            ),
            Want::Refused,
        ));
        cases.push(Case::new(
            format!("POST {path}: Transfer-Encoding gzip"),
            request(
                "POST",
                path,
                &[("Transfer-Encoding", "gzip")],
                Some(b"\x1f\x8b"),
            ),
            Want::Refused,
        ));
    }

    // Bodies of the ballot's shape that are not a valid ballot, sent to /api/ballots and,
    // wrapped with a genuine reveal, to /api/challenges.
    let mut wrong: Vec<(String, Vec<u8>, Want)> = Vec::new();
    let mut push = |name: &str, v: Value, want: Want| {
        wrong.push((name.to_string(), v.to_string().into_bytes(), want));
    };
    let mut v = value(&good);
    v["extra"] = Value::from(1);
    push("an unknown member", v, BAD_JSON);
    for member in [
        "protocol",
        "election",
        "style",
        "credential",
        "contests",
        "signature",
    ] {
        let mut v = value(&good);
        v.as_object_mut().unwrap().remove(member);
        push(&format!("no {member}"), v, BAD_JSON);
    }
    for (member, wrong_type) in [
        ("protocol", Value::from(2)),
        ("election", Value::from(1)),
        ("style", Value::Null),
        ("credential", serde_json::json!([1, 2])),
        ("contests", serde_json::json!({})),
        ("signature", Value::from("sig")),
    ] {
        let mut v = value(&good);
        v[member] = wrong_type;
        push(&format!("{member} of the wrong type"), v, BAD_JSON);
    }
    let mut v = value(&good);
    v["credential"] = Value::String(good.credential.to_hex().to_uppercase());
    push("uppercase hex", v, Want::Error(400, "BAD_ENCODING"));
    let mut v = value(&good);
    v["credential"] = Value::String(good.credential.to_hex()[..62].to_string());
    push("hex two digits short", v, Want::Error(400, "BAD_ENCODING"));
    let mut v = value(&good);
    v["credential"] = Value::String(format!("{}00", good.credential.to_hex()));
    push("hex two digits long", v, Want::Error(400, "BAD_ENCODING"));
    let mut v = value(&good);
    v["credential"] = Value::String(format!("0x{}", &good.credential.to_hex()[2..]));
    push("hex with 0x", v, Want::Error(400, "BAD_ENCODING"));
    let mut v = value(&good);
    v["credential"] = ff();
    push("credential all 0xff", v, Want::Error(400, "NON_CANONICAL"));
    let mut v = value(&good);
    v["credential"] = Value::String("00".repeat(32));
    push(
        "credential the identity",
        v,
        Want::Error(400, "IDENTITY_POINT"),
    );
    let mut v = value(&good);
    v["signature"]["response"] = ff();
    push(
        "signature scalar all 0xff",
        v,
        Want::Error(400, "NON_CANONICAL"),
    );
    let mut v = value(&good);
    v["contests"][0]["selections"][0]["ciphertext"]["a"] = ff();
    push(
        "ciphertext point all 0xff",
        v,
        Want::Error(400, "NON_CANONICAL"),
    );
    let mut v = value(&good);
    v["election"] = Value::String("ab".repeat(64));
    push(
        "another election's hash",
        v,
        Want::Error(422, "WRONG_ELECTION"),
    );
    let mut v = value(&good);
    v["protocol"] = Value::from("amanat/1");
    push(
        "protocol amanat/1",
        v,
        Want::Error(400, "UNSUPPORTED_VERSION"),
    );
    let mut v = value(&good);
    v["style"] = Value::from("NA-9.PP-9");
    push("an unknown style", v, Want::Refused);
    let mut v = value(&good);
    v["contests"] = serde_json::json!([]);
    push("an empty list of contests", v, Want::Refused);
    // As much work as fits in the body: the contests repeated up to the size limit.
    let mut v = value(&good);
    let contests = v["contests"].as_array().unwrap().clone();
    let each = serde_json::to_string(&contests).unwrap().len();
    v["contests"] = Value::Array(
        contests
            .iter()
            .cycle()
            .take(contests.len() * (200 * 1024 / each))
            .cloned()
            .collect(),
    );
    push("the contests repeated to fill the body", v, Want::Refused);
    let mut v = value(&good);
    v["style"] = Value::String("S".repeat(200 * 1024));
    push("a 200 KiB style", v, Want::Refused);
    let mut v = value(&good);
    v["signature"] =
        serde_json::from_str(&format!("{}{}", "[".repeat(120), "]".repeat(120))).unwrap();
    push("a signature nested 120 deep", v, BAD_JSON);
    let mut forged = good.clone();
    forged.signature.response += Scalar::ONE;
    push(
        "a forged signature",
        value(&forged),
        Want::Error(422, "VERIFICATION_FAILED"),
    );
    let list: CredentialList =
        serde_json::from_str(&std::fs::read_to_string(f.path().join("credentials.json")).unwrap())
            .unwrap();
    let manifest: Manifest =
        serde_json::from_str(include_str!("../../tests/vectors/manifest.json")).unwrap();
    let other_key = PublicKey::from_bytes(
        &(G * Scalar::random(&mut OsRng)).compress().to_bytes(),
        "joint key",
    )
    .unwrap();
    let other = Election::new(
        manifest,
        3,
        2,
        other_key,
        list.summary(),
        *f.election.ballot_box_key(),
    )
    .unwrap();
    push(
        "a ballot sealed for another election",
        value(&f.sealed(&other, &f.voters[1]).cast()),
        Want::Error(422, "WRONG_ELECTION"),
    );
    let stranger = Credential::generate(&f.election.manifest().election_id, 0, &mut OsRng)
        .unwrap()
        .1;
    push(
        "an unlisted credential",
        value(&f.sealed(&f.election, &stranger).cast()),
        Want::Error(403, "UNKNOWN_CREDENTIAL"),
    );
    let bom = [b"\xef\xbb\xbf".as_slice(), good.to_json().as_bytes()].concat();
    wrong.push(("a UTF-8 BOM before a good ballot".into(), bom, BAD_JSON));
    for (name, body, want) in &wrong {
        cases.push(Case::new(
            format!("POST /api/ballots: {name}"),
            post("/api/ballots", body),
            *want,
        ));
        // The same broken ballot beside a genuine reveal (of another ballot: the ballot is
        // checked first).
        if let Ok(ballot) = serde_json::from_slice::<Value>(body) {
            cases.push(Case::new(
                format!("POST /api/challenges: {name}"),
                post(
                    "/api/challenges",
                    challenge_of(&ballot, &challenge).to_string().as_bytes(),
                ),
                *want,
            ));
        }
    }
    for (name, content_type) in [
        ("no Content-Type", None),
        ("Content-Type text/plain", Some("text/plain")),
        (
            "Content-Type form",
            Some("application/x-www-form-urlencoded"),
        ),
        (
            "Content-Type multipart",
            Some("multipart/form-data; boundary=x"),
        ),
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|t| vec![("Content-Type", t)])
            .unwrap_or_default();
        cases.push(Case::new(
            format!("POST /api/ballots: a forged ballot with {name}"),
            request(
                "POST",
                "/api/ballots",
                &headers,
                Some(forged.to_json().as_bytes()),
            ),
            Want::Error(422, "VERIFICATION_FAILED"),
        ));
    }

    // Challenges whose reveal is broken, beside the genuine ballot it belongs to.
    let reveal = value(&reveal);
    let mut broken: Vec<(&str, Value, Want)> = Vec::new();
    let mut c = challenge.clone();
    c["seed"] = Value::from("zz");
    broken.push(("a seed that is not hex", c, Want::Refused));
    let mut c = challenge.clone();
    c["tracking"] = Value::String("00".repeat(64));
    broken.push(("another ballot's tracking hash", c, Want::Refused));
    let mut c = challenge.clone();
    c["selections"] = serde_json::json!({ "NA-1": ["nobody"] });
    broken.push(("an unknown option", c, Want::Refused));
    let mut c = challenge.clone();
    c.as_object_mut().unwrap().remove("seed");
    broken.push(("no seed", c, BAD_JSON));
    broken.push(("a challenge that is null", Value::Null, BAD_JSON));
    for (name, c, want) in broken {
        cases.push(Case::new(
            format!("POST /api/challenges: {name}"),
            post(
                "/api/challenges",
                challenge_of(&reveal, &c).to_string().as_bytes(),
            ),
            want,
        ));
    }
    let mut extra = challenge_of(&reveal, &challenge);
    extra["also"] = Value::from(true);
    cases.push(Case::new(
        "POST /api/challenges: an unknown member beside ballot and challenge",
        post("/api/challenges", extra.to_string().as_bytes()),
        BAD_JSON,
    ));
}

/// Every route with a method it does not take, and `HEAD` and `OPTIONS`.
fn method_cases(f: &Fixture, cases: &mut Vec<Case>) {
    const NOT_ALLOWED: Want = Want::Error(405, "METHOD_NOT_ALLOWED");
    let key = f.voters[0].public_key().to_hex();
    let credential = format!("/api/credentials/{key}");
    let reads = [
        "/api/election",
        "/api/status",
        "/api/head",
        "/api/box-key",
        credential.as_str(),
        "/api/board",
        "/api/board/7K2M-9QXD-4HRT",
        "/api/served-files",
        "/metrics",
        "/api/ready",
        "/api/sms?code=7K2M-9QXD-4HRT",
    ];
    for path in reads {
        for method in ["POST", "PUT", "DELETE", "PATCH", "TRACE", "BREW", "get"] {
            cases.push(Case::new(
                format!("{method} {path}"),
                request(method, path, &[], Some(b"{}")),
                NOT_ALLOWED,
            ));
        }
        // A HEAD gets the GET's status (404 for a code that is not on the board, or the
        // list of served files the box was not started with).
        cases.push(Case::new(
            format!("HEAD {path}"),
            request("HEAD", path, &[], None),
            Want::Ok(&[200, 404]),
        ));
        // Any OPTIONS is a CORS preflight to the public reads, which any origin may read
        // (docs/ballot-box.md, "Reading from another origin"); the other routes refuse it.
        let public = !["/metrics", "/api/ready", "/api/sms"]
            .iter()
            .any(|p| path.starts_with(p));
        let options = if public {
            Want::Ok(&[200])
        } else {
            NOT_ALLOWED
        };
        cases.push(Case::new(
            format!("OPTIONS {path}"),
            request("OPTIONS", path, &[], None),
            options,
        ));
        cases.push(Case::new(
            format!("OPTIONS {path} (preflight)"),
            request(
                "OPTIONS",
                path,
                &[
                    ("Origin", "https://evil.example"),
                    ("Access-Control-Request-Method", "DELETE"),
                    ("Access-Control-Request-Headers", &"x-a,".repeat(2000)),
                ],
                None,
            ),
            options,
        ));
    }
    for path in ["/api/ballots", "/api/challenges"] {
        for method in ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "post"] {
            cases.push(Case::new(
                format!("{method} {path}"),
                request(method, path, &[], None),
                NOT_ALLOWED,
            ));
        }
        cases.push(Case::new(
            format!("PUT {path} with a body"),
            request("PUT", path, &[], Some(b"{}")),
            NOT_ALLOWED,
        ));
        cases.push(Case::new(
            format!("HEAD {path}"),
            request("HEAD", path, &[], None),
            Want::Ok(&[405]),
        ));
        cases.push(Case::new(
            format!("OPTIONS {path} (preflight)"),
            request(
                "OPTIONS",
                path,
                &[
                    ("Origin", "https://evil.example"),
                    ("Access-Control-Request-Method", "POST"),
                ],
                None,
            ),
            NOT_ALLOWED,
        ));
    }
    for path in ["/", "/index.html", "/pkg/amanat.js"] {
        for method in ["POST", "PUT", "DELETE"] {
            cases.push(Case::new(
                format!("{method} {path}"),
                request(method, path, &[], Some(b"{}")),
                NOT_ALLOWED,
            ));
        }
    }
}

/// Path parameters, query strings and static paths that are not what the box takes.
fn path_cases(f: &Fixture, cases: &mut Vec<Case>) {
    let get = |path: &str| request("GET", path, &[], None);
    let key = f.voters[0].public_key().to_hex();
    let long = "a".repeat(4000);
    let mut push = |path: String, want: Want| {
        let name = if path.len() > 120 {
            format!("GET {}… ({} bytes)", &path[..120], path.len())
        } else {
            format!("GET {path}")
        };
        cases.push(Case::new(name, get(&path), want));
    };

    // /api/credentials/{key}: 64 lowercase hex digits of a canonical point.
    for (param, want) in [
        (long.clone(), Want::Error(400, "BAD_ENCODING")),
        (key.to_uppercase(), Want::Error(400, "BAD_ENCODING")),
        (key[..63].to_string(), Want::Error(400, "BAD_ENCODING")),
        ("ff".repeat(32), Want::Error(400, "NON_CANONICAL")),
        ("00".repeat(32), Want::Error(400, "IDENTITY_POINT")),
        ("%FF%FE".into(), Want::Error(400, "BAD_ENCODING")),
        ("%00".into(), Want::Error(400, "BAD_ENCODING")),
        ("%2e%2e".into(), Want::Error(400, "BAD_ENCODING")),
        ("..".into(), Want::Refused),
        ("%C3%A9t%C3%A9".into(), Want::Error(400, "BAD_ENCODING")),
        ("%".into(), Want::Refused),
        ("%zz".into(), Want::Refused),
        (format!("{key}%2f.."), Want::Error(400, "BAD_ENCODING")),
        (format!("{key}/x"), Want::Error(404, "NOT_FOUND")),
        (String::new(), Want::Error(404, "NOT_FOUND")),
    ] {
        push(format!("/api/credentials/{param}"), want);
    }

    // /api/board/{code}: a 128-hex tracking hash or a 12-symbol short code.
    for (param, want) in [
        (long.clone(), Want::Error(400, "BAD_ENCODING")),
        ("g".repeat(128), Want::Error(400, "BAD_ENCODING")),
        ("a".repeat(127), Want::Error(400, "BAD_ENCODING")),
        ("a".repeat(129), Want::Error(400, "BAD_ENCODING")),
        ("7K2M-9QXD-4HR".into(), Want::Error(400, "BAD_ENCODING")),
        ("7K2M-9QXD-4HRTX".into(), Want::Error(400, "BAD_ENCODING")),
        ("!!!!-$$$$-****".into(), Want::Error(400, "BAD_ENCODING")),
        ("%FF%FE".into(), Want::Error(400, "BAD_ENCODING")),
        ("%00".into(), Want::Error(400, "BAD_ENCODING")),
        ("%00%00%00%00%00%00%00%00%00%00%00%00".into(), Want::Refused),
        ("..".into(), Want::Refused),
        ("%2e%2e%2f%2e%2e%2fsecret.txt".into(), Want::Refused),
        ("%D9%A7%D9%A8%D9%A9".into(), Want::Refused),
        ("%EF%BC%97K2M9QXD4HRT".into(), Want::Refused),
        ("7K2M-9QXD-4HRT".into(), Want::Error(404, "NOT_FOUND")),
        ("a".repeat(128), Want::Error(404, "NOT_FOUND")),
        ("%20%20%20".into(), Want::Error(400, "BAD_ENCODING")),
    ] {
        push(format!("/api/board/{param}"), want);
    }

    // /api/board?from=N&limit=M: whole numbers (limit clamped to 1..=500).
    for (query, want) in [
        ("from=-1", Want::Error(400, "BAD_ENCODING")),
        ("from=abc", Want::Error(400, "BAD_ENCODING")),
        ("from=1.5", Want::Error(400, "BAD_ENCODING")),
        (
            "from=99999999999999999999999",
            Want::Error(400, "BAD_ENCODING"),
        ),
        ("from=18446744073709551615", Want::Ok(&[200])),
        (
            "from=18446744073709551615&limit=18446744073709551615",
            Want::Ok(&[200]),
        ),
        ("from=9223372036854775808", Want::Ok(&[200])),
        ("limit=-5", Want::Error(400, "BAD_ENCODING")),
        ("limit=0", Want::Ok(&[200])),
        ("limit=1e9", Want::Error(400, "BAD_ENCODING")),
        ("from=1&from=2", Want::Error(400, "BAD_ENCODING")),
        ("from=%FF", Want::Error(400, "BAD_ENCODING")),
        ("from=%00", Want::Error(400, "BAD_ENCODING")),
        ("from=", Want::Refused),
        ("from[]=1", Want::Ok(&[200])),
        ("unknown=1", Want::Ok(&[200])),
        ("&&&==&", Want::Ok(&[200])),
    ] {
        push(format!("/api/board?{query}"), want);
    }
    push(
        format!("/api/board?from={}", "9".repeat(4000)),
        Want::Error(400, "BAD_ENCODING"),
    );

    // /api/sms?code=…: any query is a question; what is not a code gets the SMS saying so.
    for query in [
        "code=%FF%FE",
        "code=%00",
        "code[]=1",
        "code=1&code=2",
        "lang=xx",
        "code=7K2M-9QXD-4HRT&lang=%FF",
        "%%%",
    ] {
        push(format!("/api/sms?{query}"), Want::Ok(&[200]));
    }
    push(format!("/api/sms?code={long}"), Want::Ok(&[200]));

    // Static files: nothing outside www and pkg, however the path is spelled.
    for path in [
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/..%5csecret.txt",
        "/pkg/../secret.txt",
        "/pkg/%2e%2e/secret.txt",
        "/pkg/..%2fsecret.txt",
        "/pkg/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/%2fetc%2fpasswd",
        "//etc/passwd",
        "/index.html%00.js",
        "/%00",
        "/%FF%FE",
        "/%C3%A9",
        "/%",
        "/pkg/",
        "/pkg",
        "/api",
        "/api/",
        "/api/../secret.txt",
        "/api/%2e%2e/secret.txt",
        "*",
    ] {
        push(path.to_string(), Want::Refused);
    }
    push(format!("/{}", "a".repeat(8000)), Want::Refused);
    push("/a".repeat(3000), Want::Refused);
    push(format!("/{}", "../".repeat(2000)), Want::Refused);
    push(format!("/{}", "%2e%2e%2f".repeat(800)), Want::Refused);
    push(
        format!("/{}", "a".repeat(9000)),
        Want::Error(414, "URI_TOO_LONG"),
    );
}

/// Request heads that are not HTTP/1.1 as the box takes it.
fn head_cases(cases: &mut Vec<Case>) {
    const MALFORMED: Want = Want::Error(400, "MALFORMED_REQUEST");
    let many: String = (0..100).map(|i| format!("X-{i}: 1\r\n")).collect();
    for (name, request, want) in [
        ("a garbage request line", b"HELLO\r\n\r\n".to_vec(), MALFORMED),
        ("binary noise", b"\x00\x01\x02\x03\xff\xfe\r\n\r\n".to_vec(), MALFORMED),
        ("a TLS hello", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(), MALFORMED),
        ("an HTTP/0.9 request", b"GET /\r\n\r\n".to_vec(), MALFORMED),
        ("HTTP/2.0 in an HTTP/1 head", b"GET / HTTP/2.0\r\n\r\n".to_vec(), MALFORMED),
        ("an HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(), Want::Refused),
        ("HTTP/9.9", b"GET / HTTP/9.9\r\n\r\n".to_vec(), MALFORMED),
        ("no path", b"GET HTTP/1.1\r\n\r\n".to_vec(), MALFORMED),
        ("two spaces", b"GET  /api/status  HTTP/1.1\r\n\r\n".to_vec(), Want::Ok(&[200, 400])),
        ("a tab in the request line", b"GET\t/api/status\tHTTP/1.1\r\n\r\n".to_vec(), MALFORMED),
        ("a NUL in the path", b"GET /api/\0status HTTP/1.1\r\n\r\n".to_vec(), MALFORMED),
        ("raw non-ASCII in the path", "GET /api/board/ووٹ HTTP/1.1\r\n\r\n".as_bytes().to_vec(), Want::Refused),
        ("a control byte in Content-Type", b"POST /api/ballots HTTP/1.1\r\nContent-Type: \x7f\r\nContent-Length: 2\r\n\r\n{}".to_vec(), MALFORMED),
        ("Content-Length +2", b"POST /api/ballots HTTP/1.1\r\nContent-Length: +2\r\n\r\n{}".to_vec(), MALFORMED),
        ("Content-Length 0002", b"POST /api/ballots HTTP/1.1\r\nContent-Length: 0002\r\nConnection: close\r\n\r\n{}".to_vec(), Want::Refused),
        ("a GET with a chunked body", b"GET /api/status HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec(), Want::Error(411, "LENGTH_REQUIRED")),
        ("a GET with a body", b"GET /api/status HTTP/1.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".to_vec(), Want::Ok(&[200])),
        ("HTTP/1.0", b"GET /api/status HTTP/1.0\r\n\r\n".to_vec(), Want::Ok(&[200])),
        ("an HTTP/1.0 POST without a length", b"POST /api/ballots HTTP/1.0\r\nContent-Type: application/json\r\n\r\n{}".to_vec(), Want::Error(400, "MALFORMED_JSON")),
        ("a bare-LF head", b"GET /api/status HTTP/1.1\nConnection: close\n\n".to_vec(), Want::Ok(&[200, 400])),
        ("a header without a colon", b"GET /api/status HTTP/1.1\r\nNo colon\r\n\r\n".to_vec(), MALFORMED),
        ("a header name with a space", b"GET /api/status HTTP/1.1\r\nBad Name: 1\r\n\r\n".to_vec(), MALFORMED),
        ("a NUL in a header value", b"GET /api/status HTTP/1.1\r\nX-A: a\0b\r\n\r\n".to_vec(), MALFORMED),
        ("a control byte in a header value", b"GET /api/status HTTP/1.1\r\nX-A: \x01\x7f\r\n\r\n".to_vec(), MALFORMED),
        ("a bare CR in a header", b"GET /api/status HTTP/1.1\r\nX-A: a\rb\r\n\r\n".to_vec(), MALFORMED),
        ("a folded header", b"GET /api/status HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n".to_vec(), Want::Ok(&[200, 400])),
        ("obs-text in a header value", b"GET /api/status HTTP/1.1\r\nX-A: \xff\xfe\r\n\r\n".to_vec(), Want::Ok(&[200, 400])),
        ("a huge header", format!("GET /api/status HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(20_000)).into_bytes(), Want::Error(431, "HEADERS_TOO_LARGE")),
        ("a huge header name", format!("GET /api/status HTTP/1.1\r\n{}: 1\r\n\r\n", "X".repeat(20_000)).into_bytes(), Want::Error(431, "HEADERS_TOO_LARGE")),
        ("100 headers", format!("GET /api/status HTTP/1.1\r\n{many}\r\n").into_bytes(), Want::Error(431, "HEADERS_TOO_LARGE")),
        // Long, but within the head's 16 KiB: an answer like any other.
        ("a huge Host", format!("GET /api/status HTTP/1.1\r\nHost: {}\r\n\r\n", "h".repeat(10_000)).into_bytes(), Want::Ok(&[200])),
        ("a huge Accept-Encoding", format!("GET /api/status HTTP/1.1\r\nAccept-Encoding: {}\r\n\r\n", "br;q=NaN, gzip;q=-1, ".repeat(500)).into_bytes(), Want::Ok(&[200])),
        ("a garbage If-None-Match on the board", b"GET /api/board?from=18446744073709551614 HTTP/1.1\r\nIf-None-Match: \"board-18446744073709551614-100-18446744073709551615-x-identity\", *, \"\r\n\r\n".to_vec(), Want::Ok(&[200])),
        ("a garbage Range on a file", b"GET /index.html HTTP/1.1\r\nRange: bytes=99999999999999999999-\r\nIf-Modified-Since: yesterday\r\n\r\n".to_vec(), Want::Ok(&[200, 206, 416])),
        ("two Hosts", b"GET /api/status HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".to_vec(), Want::Ok(&[200, 400])),
        ("an absolute-form target", b"GET http://evil.example/api/status HTTP/1.1\r\n\r\n".to_vec(), Want::Ok(&[200])),
        ("CONNECT", b"CONNECT example:443 HTTP/1.1\r\n\r\n".to_vec(), Want::Error(405, "METHOD_NOT_ALLOWED")),
        ("a 10,000-byte method", format!("{} / HTTP/1.1\r\n\r\n", "A".repeat(10_000)).into_bytes(), Want::Refused),
        ("Expect: 100-continue, the body sent at once", b"POST /api/ballots HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".to_vec(), Want::Error(400, "MALFORMED_JSON")),
        ("an Upgrade to websocket", b"GET /api/status HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n".to_vec(), Want::Ok(&[200])),
    ] {
        cases.push(Case::new(format!("head: {name}"), request, want));
    }
}

/// The request smuggled in a body: its answer would hold the box key.
const SMUGGLED: &str = "GET /api/box-key HTTP/1.1\r\nHost: box\r\n\r\n";

/// Requests on a kept-alive connection whose body holds [`SMUGGLED`], followed by an honest
/// `GET /api/status`: whatever the box makes of the first, the bytes of its body are never
/// read as a request (behind a proxy that pools connections, they would be another
/// client's). Each is a case whose second answer, if any, is checked in
/// [`smuggled_answer`].
fn smuggling_cases(cases: &mut Vec<Case>) {
    let follow = "GET /api/status HTTP/1.1\r\nHost: box\r\nConnection: close\r\n\r\n";
    let framed = |head: &str, length: usize, body: &str| {
        let mut r = format!("{head}\r\nHost: box\r\nContent-Length: {length}\r\n\r\n");
        r.push_str(body);
        r.into_bytes()
    };
    let padded = |n: usize| format!("{SMUGGLED}{}", " ".repeat(n - SMUGGLED.len()));
    for (name, first, want) in [
        (
            "a body over the limit that is drained",
            framed(
                "POST /api/ballots HTTP/1.1",
                300 * 1024,
                &padded(300 * 1024),
            ),
            Want::Error(413, "BODY_TOO_LARGE"),
        ),
        (
            "a body too large to drain",
            framed("POST /api/ballots HTTP/1.1", 2 * 1024 * 1024, SMUGGLED),
            Want::Error(413, "BODY_TOO_LARGE"),
        ),
        (
            "a body that is not JSON",
            framed("POST /api/ballots HTTP/1.1", SMUGGLED.len(), SMUGGLED),
            Want::Error(400, "MALFORMED_JSON"),
        ),
        (
            "a body to a GET route",
            framed("GET /api/status HTTP/1.1", SMUGGLED.len(), SMUGGLED),
            Want::Ok(&[200]),
        ),
        (
            "a body with the wrong method",
            framed("PUT /api/ballots HTTP/1.1", SMUGGLED.len(), SMUGGLED),
            Want::Error(405, "METHOD_NOT_ALLOWED"),
        ),
        (
            "a body to no endpoint",
            framed("POST /api/nothing HTTP/1.1", SMUGGLED.len(), SMUGGLED),
            Want::Error(404, "NOT_FOUND"),
        ),
        (
            "a body to a static file",
            framed("GET /index.html HTTP/1.1", SMUGGLED.len(), SMUGGLED),
            Want::Ok(&[200]),
        ),
        (
            "a body beside Transfer-Encoding",
            format!(
                "POST /api/ballots HTTP/1.1\r\nHost: box\r\nContent-Length: 5\r\n\
                 Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n{SMUGGLED}"
            )
            .into_bytes(),
            Want::Error(411, "LENGTH_REQUIRED"),
        ),
    ] {
        let mut request = first;
        request.extend_from_slice(follow.as_bytes());
        let mut case = Case::new(format!("smuggling: {name}"), request, want);
        case.then_status = true;
        cases.push(case);
    }
}

/// What is wrong with the answer after the first on a connection of [`smuggling_cases`]:
/// none (the box closed it), or the honest follow-up's, never the smuggled request's.
fn smuggled_answer(r: &mut impl BufRead) -> Option<String> {
    match read_answer(r, false) {
        Err(_) => None,
        Ok(a) if a.body.contains("\"key\"") => {
            Some(format!("answered the smuggled request: {a:?}"))
        }
        Ok(a) if a.status == 200 && a.body.contains("\"ballots\"") => None,
        Ok(a) => Some(format!("an unexpected second answer: {a:?}")),
    }
}

#[test]
fn hostile_requests_are_refused_promptly_and_store_nothing() {
    let f = Fixture::new(2);
    let server = Server::start(&f);

    let mut cases = Vec::new();
    method_cases(&f, &mut cases);
    body_cases(&f, &mut cases);
    path_cases(&f, &mut cases);
    head_cases(&mut cases);
    smuggling_cases(&mut cases);

    let started = Instant::now();
    let mut failures = Vec::new();
    for case in &cases {
        let asked = Instant::now();
        let answer = server.ask(case);
        let took = asked.elapsed();
        let mut wrong = match &answer {
            Ok((a, then)) => judge(case, a).into_iter().chain(then.clone()).collect(),
            Err(e) => vec![format!("no answer: {e}")],
        };
        if took > PROMPT {
            wrong.push(format!("answered after {took:?}"));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {} — {:?}",
                case.name,
                wrong.join("; "),
                answer.map(|(a, _)| (a.status, a.body.chars().take(200).collect::<String>()))
            ));
        }
    }
    eprintln!(
        "{} hostile requests in {:.1} s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );

    // The box is alive and stored nothing of it; an honest voter is served as before.
    let mut server = server;
    assert!(server.child.try_wait().unwrap().is_none(), "the box exited");
    let status = server.get("/api/status");
    assert_eq!(status.status, 200, "{status:?}");
    assert_eq!(status.json()["ballots"], 0, "the sweep stored something");
    let honest = f.ballot(0);
    let (answer, _) = server
        .ask(&Case::new(
            "an honest ballot",
            post("/api/ballots", honest.to_json().as_bytes()),
            Want::Ok(&[200]),
        ))
        .unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");
    let receipt = Receipt::from_json(&answer.json()["receipt"].to_string()).unwrap();
    receipt.verify(&f.election).unwrap();
    let board = server.get("/api/board");
    assert_eq!(board.status, 200, "{board:?}");
    let entries: Vec<BoardEntry> = serde_json::from_value(board.json()["entries"].clone()).unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        entries[0].ballot.tracking().full(),
        honest.tracking().full()
    );
    assert!(server.child.try_wait().unwrap().is_none(), "the box exited");
    let stderr = server.stderr.lock().unwrap().clone();
    assert!(!stderr.contains("panicked"), "the box panicked:\n{stderr}");

    assert!(
        failures.is_empty(),
        "{} of {} hostile requests were mishandled:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
