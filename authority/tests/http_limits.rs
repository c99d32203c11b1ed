//! The ballot box against a client that tries to stall it (docs/ballot-box.md, "Limits"):
//! the real `amanat serve` on loopback, started as systemd would start it (open files: soft
//! limit 1,024, hard 4,096) where the file limit matters, facing idle sockets, unfinished
//! bodies, board pages nobody reads, a slowloris head, malformed heads, and SIGTERM in the
//! middle of a ballot. Memory is the server's resident set (`VmRSS` of /proc/PID/status).
//! Every loop is bounded in count and time, and all traffic goes to 127.0.0.1.
//!
//! `AMANAT_BIN=/path/to/amanat` runs them against another build (one from before these
//! limits, say) to measure it: each attack prints its figures before asserting.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use amanat::{Ballot, Credential, Election};
use amanat::{Receipt, SealedBallot, Selections};
use rand_core::{OsRng, RngCore};
use serde_json::Value;

use common::Answer;

const BIN: &str = env!("CARGO_BIN_EXE_amanat");

/// The binary under test: this build's, unless `AMANAT_BIN` names another.
fn bin() -> String {
    std::env::var("AMANAT_BIN").unwrap_or_else(|_| BIN.to_string())
}
/// How the tests start the box where the open-file limit matters: as systemd would.
const SYSTEMD_FILES: &str = "--nofile=1024:4096";

/// An election in a temporary directory with its voters and the box key.
struct Fixture {
    dir: tempfile::TempDir,
    election: Election,
    voters: Vec<Credential>,
}

impl Fixture {
    fn new(voters: usize) -> Fixture {
        let (dir, election, _, voters) = common::box_election(voters);
        Fixture {
            dir,
            election,
            voters,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn ballot(&self, voter: usize) -> Ballot {
        let na = OsRng.next_u32() % 15 + 1;
        let pp = OsRng.next_u32() % 20 + 1;
        let choice: Selections = [
            ("NA-1".to_string(), vec![format!("na-1-{na:02}")]),
            ("PP-1".to_string(), vec![format!("pp-1-{pp:02}")]),
        ]
        .into();
        SealedBallot::seal(&self.election, &self.voters[voter], &choice, &mut OsRng)
            .unwrap()
            .cast()
    }
}

/// A running `amanat serve`, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    /// What it printed before listening (the file limit and the caps).
    banner: String,
}

impl Server {
    /// Starts the box, under `prlimit` with these limits if given.
    fn start(f: &Fixture, prlimit: Option<&str>, extra: &[&str]) -> Server {
        let mut cmd = match prlimit {
            Some(limits) => {
                let mut c = Command::new("prlimit");
                c.args([limits, "--"]).arg(bin());
                c
            }
            None => Command::new(bin()),
        };
        let mut child = cmd
            .arg("serve")
            .arg("--election")
            .arg(f.path())
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut banner = String::new();
        let addr = loop {
            let line = lines
                .next()
                .expect("the server exited before listening")
                .unwrap();
            if let Some(rest) = line.strip_prefix("Listening on http://") {
                break rest.trim_end_matches('/').parse().unwrap();
            }
            banner.push_str(&line);
            banner.push('\n');
        };
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            addr,
            banner,
        }
    }

    /// The server's resident memory in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// The largest resident memory seen in `samples` readings 100 ms apart.
    fn peak_rss_kib(&self, samples: usize) -> u64 {
        (0..samples)
            .map(|_| {
                std::thread::sleep(Duration::from_millis(100));
                self.rss_kib()
            })
            .max()
            .unwrap()
    }

    /// The resident memory once it is below `target`, or the least seen in 20 seconds.
    fn settled_rss_kib(&self, target: u64) -> u64 {
        let mut least = u64::MAX;
        for _ in 0..200 {
            least = least.min(self.rss_kib());
            if least < target {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        least
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    /// One request on a new connection, answered within 10 seconds.
    fn ask(&self, request: &[u8]) -> Answer {
        self.try_ask(request).unwrap()
    }

    fn try_ask(&self, request: &[u8]) -> std::io::Result<Answer> {
        let mut s = TcpStream::connect_timeout(&self.addr, Duration::from_secs(10))?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        s.write_all(request)?;
        read_answer(&mut s)
    }

    fn get(&self, path: &str) -> Answer {
        self.ask(
            format!("GET {path} HTTP/1.1\r\nHost: box\r\nConnection: close\r\n\r\n").as_bytes(),
        )
    }

    fn cast(&self, ballot: &Ballot) -> Answer {
        self.ask(&post("/api/ballots", &ballot.to_json()))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn post(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: box\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// What these tests check of an answer ([`Answer`], shared with `http_hostile.rs`).
trait Checked {
    fn assert_error(&self, status: u16, code: &str);
}

impl Checked for Answer {
    /// Asserts a JSON error answer with this status and code, carrying every security
    /// header (docs/ballot-box.md, "Security headers") and `Cache-Control: no-store`.
    fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{self:?}"
        );
        let v = self.json();
        assert_eq!(v["error"]["code"], code, "{self:?}");
        assert!(v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        for name in [
            "content-security-policy",
            "x-content-type-options",
            "referrer-policy",
            "x-frame-options",
            "cross-origin-opener-policy",
            "cross-origin-resource-policy",
            "permissions-policy",
        ] {
            assert!(self.header(name).is_some(), "{name} missing: {self:?}");
        }
        assert_eq!(
            self.header("content-security-policy"),
            Some(amanat_authority::server::CSP)
        );
        assert_eq!(self.header("cache-control"), Some("no-store"), "{self:?}");
    }
}

/// Reads one answer and nothing more: the head byte by byte, then a body of its
/// `Content-Length` (or to the end of the stream).
fn read_answer(s: &mut TcpStream) -> std::io::Result<Answer> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte)? == 0 {
            return Err(std::io::Error::new(
                ErrorKind::UnexpectedEof,
                format!("closed after {} bytes", head.len()),
            ));
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse::<usize>().unwrap());
    let body = match length {
        Some(l) => {
            let mut body = vec![0u8; l];
            s.read_exact(&mut body)?;
            body
        }
        None => {
            let mut body = Vec::new();
            s.read_to_end(&mut body)?;
            body
        }
    };
    Ok(Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// Whether the server has closed this socket (without blocking).
fn closed_by_server(s: &TcpStream) -> bool {
    s.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let mut reader = s;
    let closed = loop {
        match reader.read(&mut byte) {
            Ok(0) => break true,
            Ok(_) => continue,
            Err(e) if e.kind() == ErrorKind::WouldBlock => break false,
            Err(_) => break true,
        }
    };
    s.set_nonblocking(false).unwrap();
    closed
}

/// Raises this test process's own open-file limit, so it can hold its side of the sockets.
fn files_for_the_test(n: u64) {
    let soft = rlimit::increase_nofile_limit(n + 256).unwrap();
    assert!(soft >= n + 64, "the test needs {n} open files, has {soft}");
}

fn check_receipt(f: &Fixture, answer: &Answer) {
    assert_eq!(answer.status, 200, "{answer:?}");
    let r = Receipt::from_json(&answer.json()["receipt"].to_string()).unwrap();
    r.verify(&f.election).unwrap();
}

#[test]
fn idle_sockets_do_not_keep_voters_out() {
    files_for_the_test(1_200);
    let f = Fixture::new(2);
    let ballot = f.ballot(0);
    let server = Server::start(&f, Some(SYSTEMD_FILES), &[]);
    let before = server.rss_kib();
    // 1,100 sockets that connect and never send a byte: more than the soft limit the box
    // was started with.
    let idle: Vec<TcpStream> = (0..1_100).map(|_| server.connect()).collect();
    std::thread::sleep(Duration::from_millis(500));
    let held = server.rss_kib();
    // Voters still get through, at once.
    let cast = server.try_ask(&post("/api/ballots", &ballot.to_json()));
    let status = server.try_ask(b"GET /api/status HTTP/1.1\r\nConnection: close\r\n\r\n");
    eprintln!(
        "1,100 idle sockets: resident memory {before} KiB before, {held} KiB with them open; \
         cast: {:?}, status: {:?}",
        cast.as_ref().map(|a| a.status),
        status.as_ref().map(|a| a.status)
    );
    check_receipt(&f, &cast.unwrap());
    assert_eq!(status.unwrap().json()["ballots"], 1);
    assert!(
        server
            .banner
            .contains("soft limit 4096 (was 1024, hard limit 4096); at most 3968 connections"),
        "{}",
        server.banner
    );
    drop(idle);
}

#[test]
fn a_full_box_closes_idle_sockets_to_make_room() {
    files_for_the_test(400);
    let f = Fixture::new(2);
    let ballot = f.ballot(0);
    // A hard limit of 256 files: the box can hold at most 128 connections.
    let server = Server::start(&f, Some("--nofile=256:256"), &[]);
    assert!(
        server.banner.contains("at most 128 connections"),
        "{}",
        server.banner
    );
    let idle: Vec<TcpStream> = (0..300).map(|_| server.connect()).collect();
    check_receipt(&f, &server.cast(&ballot));
    assert_eq!(server.get("/api/status").json()["ballots"], 1);
    // The oldest idle sockets were closed to make room for the newer ones.
    std::thread::sleep(Duration::from_millis(300));
    let closed = idle.iter().filter(|s| closed_by_server(s)).count();
    assert!(
        closed >= 300 - 128,
        "only {closed} of 300 idle sockets were closed"
    );
    assert!(
        !closed_by_server(idle.last().unwrap()),
        "the newest was closed"
    );

    // When every connection is busy (here: each in the middle of a request head), a new
    // one is answered 503 at once, in JSON, instead of waiting in the backlog.
    let server = Server::start(&f, None, &["--max-connections", "4"]);
    let busy: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(b"GET /api/status HTTP/1.1\r\n").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let answer = server.get("/api/status");
    answer.assert_error(503, "BUSY");
    assert_eq!(answer.header("retry-after"), Some("1"));
    drop(busy);
}

#[test]
fn unfinished_bodies_hold_bounded_memory() {
    const CLIENTS: usize = 1_000;
    const DECLARED: usize = 255 * 1024;
    files_for_the_test(CLIENTS as u64 + 50);
    let f = Fixture::new(2);
    let ballots = [f.ballot(0), f.ballot(1)];
    let server = Server::start(&f, Some(SYSTEMD_FILES), &[]);
    let before = server.rss_kib();
    let head = format!(
        "POST /api/ballots HTTP/1.1\r\nHost: box\r\nContent-Type: application/json\r\n\
         Content-Length: {DECLARED}\r\n\r\n"
    );
    let body = vec![b' '; DECLARED - 1];
    // Each client sends all of its body but the last byte, and stops.
    let mut clients = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        let mut s = server.connect();
        s.set_write_timeout(Some(Duration::from_secs(2))).unwrap();
        let _ = s
            .write_all(head.as_bytes())
            .and_then(|()| s.write_all(&body));
        clients.push(s);
    }
    let peak = server.peak_rss_kib(20);
    let during = server.try_ask(&post("/api/ballots", &ballots[0].to_json()));
    let refused = clients.iter().filter(|s| closed_by_server(s)).count();
    drop(clients);
    std::thread::sleep(Duration::from_millis(500));
    let later = server.try_ask(&post("/api/ballots", &ballots[1].to_json()));
    let after = server.settled_rss_kib(before + 16 * 1024);
    eprintln!(
        "{CLIENTS} unfinished {DECLARED}-byte bodies: resident memory {before} KiB before, \
         peak {peak} KiB, {after} KiB after they left; {refused} refused at once; a cast \
         during the attack: {:?}, after: {:?}",
        during.as_ref().map(|a| a.status),
        later.as_ref().map(|a| a.status)
    );
    // The body budget (64 MiB), hyper's buffers and the connections' own state.
    assert!(peak < 160 * 1024, "peak resident memory {peak} KiB");
    // A voter during the attack: the body budget is full, so the answer is a quick
    // `503 BUSY` (the page retries), or, if some room is left, the receipt. After it, the
    // receipt.
    let during = during.unwrap();
    assert!(during.status == 200 || during.status == 503, "{during:?}");
    check_receipt(&f, &later.unwrap());
    assert!(
        after < before + 16 * 1024,
        "after {after} KiB, before {before} KiB"
    );
}

/// A socket whose receive buffer is a few KiB, so that an answer it does not read stays
/// with the server instead of in the kernel.
#[cfg(target_os = "linux")]
fn connect_small_window(addr: SocketAddr) -> TcpStream {
    use std::os::fd::FromRawFd;
    let SocketAddr::V4(v4) = addr else {
        panic!("IPv4 only")
    };
    // SAFETY: plain socket calls on a descriptor this function owns until it is handed to
    // TcpStream; the address structure is fully initialised.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0);
        let size: libc::c_int = 4096;
        let r = libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            std::ptr::addr_of!(size).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
        assert_eq!(r, 0);
        let sin = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: v4.port().to_be(),
            sin_addr: libc::in_addr {
                s_addr: u32::from(*v4.ip()).to_be(),
            },
            sin_zero: [0; 8],
        };
        let r = libc::connect(
            fd,
            std::ptr::addr_of!(sin).cast(),
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        );
        assert_eq!(r, 0);
        TcpStream::from_raw_fd(fd)
    }
}

#[cfg(target_os = "linux")]
#[test]
fn board_pages_nobody_reads_are_bounded_and_given_back() {
    const ENTRIES: usize = 48;
    const CLIENTS: usize = 100;
    files_for_the_test(CLIENTS as u64 + 50);
    let f = Fixture::new(ENTRIES);
    let ballots: Vec<String> = (0..ENTRIES).map(|v| f.ballot(v).to_json()).collect();
    let server = Server::start(&f, Some(SYSTEMD_FILES), &[]);
    for b in &ballots {
        assert_eq!(server.ask(&post("/api/ballots", b)).status, 200);
    }

    let before = server.rss_kib();
    // 100 clients ask for the biggest page and never read it.
    let clients: Vec<TcpStream> = (0..CLIENTS)
        .map(|_| {
            let mut s = connect_small_window(server.addr);
            s.write_all(b"GET /api/board?limit=500 HTTP/1.1\r\nHost: box\r\n\r\n")
                .unwrap();
            s
        })
        .collect();
    let peak = server.peak_rss_kib(40);
    // Voters are not kept waiting by them.
    let cast = server.try_ask(&post("/api/ballots", &f.ballot(0).to_json()));
    drop(clients);
    let closed = Instant::now();
    let after = server.settled_rss_kib(before + 16 * 1024);
    eprintln!(
        "{CLIENTS} unread board pages of {ENTRIES} entries: resident memory {before} KiB \
         before, peak {peak} KiB, {after} KiB {:.1} s after they closed; a cast among them: \
         {:?}",
        closed.elapsed().as_secs_f64(),
        cast.as_ref().map(|a| a.status)
    );
    check_receipt(&f, &cast.unwrap());
    assert!(
        peak < before + 64 * 1024,
        "peak {peak} KiB, before {before} KiB"
    );
    assert!(
        after < before + 16 * 1024,
        "after {after} KiB, before {before} KiB"
    );

    // A page stops growing once it passes 1 MiB, and says where to go on.
    let page = server.get("/api/board?limit=500");
    assert_eq!(page.status, 200);
    let v = page.json();
    let n = v["entries"].as_array().unwrap().len();
    assert!(n < ENTRIES, "{n} entries in one page");
    assert_eq!(v["next"], n);
    assert!(
        page.body.len() < 1024 * 1024 + 64 * 1024,
        "{}",
        page.body.len()
    );
    let rest = server.get(&format!("/api/board?from={n}&limit=500")).json();
    assert_eq!(rest["entries"].as_array().unwrap().len(), ENTRIES + 1 - n);
    assert_eq!(rest["next"], Value::Null);
    // The cut page never changes, so its head is that of the board just after it (its last
    // entry's hash); the last page gives the board's head now.
    assert_eq!(v["head"], v["entries"][n - 1]["hash"]);
    assert_eq!(rest["head"], rest["entries"][ENTRIES - n]["hash"]);
}

#[test]
fn http_layer_errors_are_json_with_security_headers() {
    let f = Fixture::new(1);
    let server = Server::start(&f, None, &[]);
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (
            b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n".to_vec(),
            400,
            "MALFORMED_REQUEST",
        ),
        (b"GET / HTTP/9.9\r\n\r\n".to_vec(), 400, "MALFORMED_REQUEST"),
        (
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(),
            400,
            "MALFORMED_REQUEST",
        ),
        (
            b"GET /caf\xe9 HTTP/1.1\r\n\r\n".to_vec(),
            400,
            "MALFORMED_REQUEST",
        ),
        (
            format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(9000)).into_bytes(),
            414,
            "URI_TOO_LONG",
        ),
        (
            format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(20_000)).into_bytes(),
            431,
            "HEADERS_TOO_LARGE",
        ),
        (
            format!(
                "GET / HTTP/1.1\r\n{}\r\n",
                (0..100)
                    .map(|i| format!("X-{i}: 1\r\n"))
                    .collect::<String>()
            )
            .into_bytes(),
            431,
            "HEADERS_TOO_LARGE",
        ),
        (
            b"POST /api/ballots HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec(),
            411,
            "LENGTH_REQUIRED",
        ),
        (
            b"POST /api/ballots HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n".to_vec(),
            400,
            "MALFORMED_REQUEST",
        ),
        (
            b"CONNECT example:443 HTTP/1.1\r\n\r\n".to_vec(),
            405,
            "METHOD_NOT_ALLOWED",
        ),
        // A percent-escape that is not UTF-8 reaches the router, which answers in JSON too.
        (
            b"GET /api/board/%FF%FE HTTP/1.1\r\n\r\n".to_vec(),
            400,
            "BAD_ENCODING",
        ),
    ];
    for (request, status, code) in cases {
        let answer = server.ask(&request);
        answer.assert_error(status, code);
    }

    // A good request followed by a bad one on the same connection: the first is answered,
    // then the refusal.
    let mut s = server.connect();
    s.write_all(b"GET /api/status HTTP/1.1\r\nHost: box\r\n\r\nGET / HTTP/1.1\r\nBad\r\n\r\n")
        .unwrap();
    let first = read_answer(&mut s).unwrap();
    assert_eq!(first.status, 200);
    assert_eq!(first.json()["ballots"], 0);
    read_answer(&mut s)
        .unwrap()
        .assert_error(400, "MALFORMED_REQUEST");
}

#[test]
fn a_slowloris_head_is_cut_off_and_idle_connections_closed() {
    let f = Fixture::new(1);
    let server = Server::start(&f, None, &[]);
    let started = Instant::now();

    // Keep-alive: one request answered, then silence.
    let mut idle = server.connect();
    idle.write_all(b"GET /api/status HTTP/1.1\r\nHost: box\r\n\r\n")
        .unwrap();
    assert_eq!(read_answer(&mut idle).unwrap().status, 200);

    // Slowloris: a head trickled one byte every 500 ms, never finished.
    let mut slow = server.connect();
    slow.write_all(b"GET /api/status HTTP/1.1\r\nX-Slow: ")
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let mut reader = slow.try_clone().unwrap();
    reader
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    std::thread::spawn(move || {
        let _ = tx.send(read_answer(&mut reader));
    });
    let answer = (0..60)
        .find_map(|_| {
            std::thread::sleep(Duration::from_millis(500));
            let _ = slow.write_all(b"a");
            rx.try_recv().ok()
        })
        .expect("the trickled head was never cut off")
        .unwrap();
    answer.assert_error(408, "REQUEST_TIMEOUT");
    let cut_after = started.elapsed();

    // Meanwhile a voter is served as usual.
    check_receipt(&f, &server.cast(&f.ballot(0)));

    // The idle keep-alive connection is closed by the server.
    idle.set_read_timeout(Some(Duration::from_secs(40)))
        .unwrap();
    let mut rest = Vec::new();
    let end = idle.read_to_end(&mut rest);
    assert!(
        matches!(end, Ok(0)) || end.is_err() && rest.is_empty(),
        "{end:?} {rest:?}"
    );
    eprintln!(
        "slowloris head answered 408 after {:.1} s; idle keep-alive closed after {:.1} s",
        cut_after.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let _ = slow.shutdown(Shutdown::Both);
}

#[test]
fn sigterm_finishes_a_ballot_in_flight() {
    let f = Fixture::new(1);
    let ballot = f.ballot(0);
    let mut server = Server::start(&f, None, &[]);

    let idle = server.connect();
    let mut voter = server.connect();
    let request = post("/api/ballots", &ballot.to_json());
    let (most, last) = request.split_at(request.len() - 1);
    voter.write_all(most).unwrap();
    std::thread::sleep(Duration::from_millis(300));

    let pid = i32::try_from(server.child.id()).unwrap();
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    std::thread::sleep(Duration::from_millis(300));
    // The idle connection is closed at once; the ballot in progress is finished.
    assert!(closed_by_server(&idle));
    voter.write_all(last).unwrap();
    let answer = read_answer(&mut voter).unwrap();
    check_receipt(&f, &answer);
    assert_eq!(answer.header("connection"), Some("close"));

    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the box did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let board = f.path().join("board.jsonl");
    let out = Command::new(bin())
        .args(["export-board", "--election"])
        .arg(f.path())
        .arg("--out")
        .arg(&board)
        .output()
        .unwrap();
    assert!(out.status.success());
    let exported = common::board_text::read_board(&board);
    assert_eq!(exported["entries"].as_array().unwrap().len(), 1);
}
