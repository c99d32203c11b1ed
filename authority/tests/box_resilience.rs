//! The ballot box through failures and load (docs/ballot-box.md "PostgreSQL" and "Reads",
//! docs/deployment.md): a replica killed with SIGKILL in the middle of a burst, PostgreSQL
//! stopped and restarted under a burst, SIGTERM during a burst, and observers paging the
//! board while voters cast. In each, every acknowledged ballot (a `200` with a receipt) must
//! be on the board afterwards, at its receipt's index, on an intact chain.
//!
//! Latencies are checked against generous bounds only (the machine is shared and loaded);
//! `make bench-box` measures them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod pg_cluster;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amanat::board::BoardEntry;
use amanat::{Ballot, Election, Receipt};
use rand_core::OsRng;
use serde_json::Value;

use common::{box_election, choose, s};

/// A running `amanat serve`, killed when dropped.
struct BoxProcess {
    child: Child,
    url: String,
}

impl BoxProcess {
    fn start(dir: &Path, extra: &[&str]) -> BoxProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_amanat"))
            .args(["serve", "--election", s(dir), "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the box exited before listening")
                .unwrap();
            if let Some(rest) = line.strip_prefix("Listening on ") {
                break rest.trim_end_matches('/').to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        BoxProcess { child, url }
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill has no memory preconditions; the pid is our own child's.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }
}

impl Drop for BoxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer: status, `Retry-After`, `Content-Encoding`, `ETag`, `Cache-Control`, body.
#[derive(Debug)]
struct Answer {
    status: u16,
    retry_after: Option<String>,
    encoding: Option<String>,
    etag: Option<String>,
    cache: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The error code of a JSON error answer.
    fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("not a JSON error: {}", self.text()))
            .to_string()
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build()
}

/// A request; `Err` when no answer came (connection refused or cut).
fn request(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> Result<Answer, String> {
    let mut req = agent.request(method, url);
    for (name, value) in headers {
        req = req.set(name, value);
    }
    let res = match body {
        Some(b) => req.set("Content-Type", "application/json").send_string(b),
        None => req.call(),
    };
    let res = match res {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(e.to_string()),
    };
    let header = |name: &str| res.header(name).map(str::to_string);
    let (status, retry_after, encoding, etag, cache) = (
        res.status(),
        header("retry-after"),
        header("content-encoding"),
        header("etag"),
        header("cache-control"),
    );
    let mut bytes = Vec::new();
    res.into_reader()
        .take(64 << 20)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(Answer {
        status,
        retry_after,
        encoding,
        etag,
        cache,
        body: bytes,
    })
}

fn get(url: &str) -> Answer {
    request(&agent(), "GET", url, None, &[]).unwrap()
}

/// The whole board through `GET /api/board`.
fn board(url: &str) -> Vec<BoardEntry> {
    let mut out = Vec::new();
    let mut from = 0u64;
    loop {
        let a = get(&format!("{url}/api/board?from={from}&limit=500"));
        assert_eq!(a.status, 200, "{}", a.text());
        let v = a.json();
        for e in v["entries"].as_array().unwrap() {
            out.push(serde_json::from_value(e.clone()).unwrap());
        }
        match v["next"].as_u64() {
            Some(n) => from = n,
            None => return out,
        }
    }
}

/// `count` sealed ballots, `per_voter` of them for each voter in turn.
fn seal_pool(election: &Election, voters: &[amanat::Credential], count: usize) -> Vec<Ballot> {
    (0..count)
        .map(|i| {
            amanat::SealedBallot::seal(
                election,
                &voters[i % voters.len()],
                &choose(election, "NA-1.PP-1", (i / voters.len()) % 2 == 1),
                &mut OsRng,
            )
            .unwrap()
            .cast()
        })
        .collect()
}

/// Checks that the board's chain is intact and that every acknowledged ballot is on it at
/// its receipt's index, as its receipt says.
fn check_acknowledged(election: &Election, board: &[BoardEntry], acknowledged: &[(Ballot, Value)]) {
    amanat::board::check_chain(election, board).unwrap();
    for (ballot, answer) in acknowledged {
        let receipt = Receipt::from_json(&answer["receipt"].to_string()).unwrap();
        receipt.verify(election).unwrap();
        let entry = board
            .get(usize::try_from(receipt.index).unwrap())
            .unwrap_or_else(|| panic!("acknowledged entry {} is missing", receipt.index));
        assert!(receipt.is_entry(entry), "receipt {}", receipt.index);
        assert_eq!(&entry.ballot, ballot);
    }
}

/// What the casting clients of a burst saw.
#[derive(Default)]
struct Burst {
    /// Ballots answered `200`, with the answer.
    acknowledged: Mutex<Vec<(Ballot, Value)>>,
    /// `503 STORAGE` answers (each with `Retry-After`).
    storage_refusals: AtomicUsize,
    stop: AtomicBool,
}

impl Burst {
    fn acknowledged(&self) -> usize {
        self.acknowledged.lock().unwrap().len()
    }

    /// Waits until `done` holds, failing after `secs` seconds.
    fn wait(&self, secs: u64, what: &str, done: impl Fn(&Burst) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !done(self) {
            assert!(Instant::now() < deadline, "waited {secs} s for {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// A client casting `ballots` in turn (again from the start when through) at `url` until
/// the burst stops. A `503 STORAGE` is retried after a moment; with `until_cut`, the client
/// ends quietly when its box stops answering (killed, or shutting down), and otherwise that
/// fails the test. Any other answer but `200` fails the test.
fn caster(
    burst: Arc<Burst>,
    url: String,
    ballots: Vec<Ballot>,
    until_cut: bool,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let agent = agent();
        for ballot in ballots.iter().cycle() {
            loop {
                if burst.stop.load(Ordering::SeqCst) {
                    return;
                }
                let sent = request(
                    &agent,
                    "POST",
                    &format!("{url}/api/ballots"),
                    Some(&ballot.to_json()),
                    &[],
                );
                match sent {
                    Ok(a) if a.status == 200 => {
                        burst
                            .acknowledged
                            .lock()
                            .unwrap()
                            .push((ballot.clone(), a.json()));
                        break;
                    }
                    Ok(a) if a.status == 503 && a.code() == "STORAGE" => {
                        assert!(a.retry_after.is_some(), "503 without Retry-After");
                        burst.storage_refusals.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    Ok(a) => panic!("unexpected answer {}: {}", a.status, a.text()),
                    Err(_) if until_cut => return,
                    Err(e) => panic!("{url} did not answer: {e}"),
                }
            }
        }
    })
}

#[test]
fn a_replica_killed_mid_burst_loses_nothing_and_the_other_keeps_accepting() {
    let database = pg_cluster::fresh_database();
    let (dir, election, _, voters) = box_election(8);
    let pool = seal_pool(&election, &voters, 32);
    let mut a = BoxProcess::start(dir.path(), &["--database", &database]);
    let b = BoxProcess::start(dir.path(), &["--database", &database]);

    let (on_a, on_b) = (Arc::new(Burst::default()), Arc::new(Burst::default()));
    let mut clients = Vec::new();
    for c in 0..4 {
        // Each client its own voters' ballots (8 each), two clients per replica.
        let mine: Vec<Ballot> = pool.iter().skip(c).step_by(4).cloned().collect();
        clients.push(if c < 2 {
            caster(Arc::clone(&on_a), a.url.clone(), mine, true)
        } else {
            caster(Arc::clone(&on_b), b.url.clone(), mine, false)
        });
    }
    on_a.wait(120, "casts through the first replica", |x| {
        x.acknowledged() >= 6
    });
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let before = on_b.acknowledged();
    on_b.wait(120, "casts through the other replica after the kill", |x| {
        x.acknowledged() >= before + 6
    });
    on_a.stop.store(true, Ordering::SeqCst);
    on_b.stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }

    let board = board(&b.url);
    let mut acknowledged = on_a.acknowledged.lock().unwrap().clone();
    acknowledged.extend(on_b.acknowledged.lock().unwrap().iter().cloned());
    check_acknowledged(&election, &board, &acknowledged);
    // A replay through the survivor of a ballot the killed replica acknowledged: the same
    // receipt.
    let (ballot, answer) = &on_a.acknowledged.lock().unwrap()[0];
    let again = request(
        &agent(),
        "POST",
        &format!("{}/api/ballots", b.url),
        Some(&ballot.to_json()),
        &[],
    )
    .unwrap();
    assert_eq!(&again.json(), answer);
    assert_eq!(on_b.storage_refusals.load(Ordering::SeqCst), 0);
}

#[test]
fn postgres_restarted_mid_burst_is_503_storage_then_recovered_with_nothing_lost() {
    let cluster = pg_cluster::Cluster::start().unwrap();
    let database = cluster.database();
    let (dir, election, _, voters) = box_election(6);
    let pool = seal_pool(&election, &voters, 24);
    let server = BoxProcess::start(dir.path(), &["--database", &database]);

    let burst = Arc::new(Burst::default());
    let clients: Vec<_> = (0..3)
        .map(|c| {
            let mine: Vec<Ballot> = pool.iter().skip(c).step_by(3).cloned().collect();
            caster(Arc::clone(&burst), server.url.clone(), mine, false)
        })
        .collect();
    burst.wait(120, "casts before the outage", |x| x.acknowledged() >= 6);
    cluster.stop().unwrap();
    burst.wait(60, "503 STORAGE answers during the outage", |x| {
        x.storage_refusals.load(Ordering::SeqCst) >= 3
    });
    let ready = get(&format!("{}/api/ready", server.url));
    assert_eq!((ready.status, ready.code()), (503, "STORAGE".to_string()));
    assert!(ready.retry_after.is_some());
    // The status, too, says the database is gone rather than answering from memory.
    assert_eq!(get(&format!("{}/api/status", server.url)).status, 503);
    let during = burst.acknowledged();
    cluster.resume().unwrap();
    // No restart of the box: it reconnects by itself.
    burst.wait(120, "casts after the database came back", |x| {
        x.acknowledged() >= during + 6
    });
    burst.stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }
    let ready = get(&format!("{}/api/ready", server.url));
    assert_eq!(ready.status, 200, "{}", ready.text());
    let acknowledged = burst.acknowledged.lock().unwrap().clone();
    check_acknowledged(&election, &board(&server.url), &acknowledged);
}

#[test]
fn sigterm_mid_burst_answers_what_is_in_flight_and_loses_nothing() {
    let (dir, election, _, voters) = box_election(8);
    let pool = seal_pool(&election, &voters, 32);
    let mut server = BoxProcess::start(dir.path(), &[]);
    let burst = Arc::new(Burst::default());
    let clients: Vec<_> = (0..4)
        .map(|c| {
            let mine: Vec<Ballot> = pool.iter().skip(c).step_by(4).cloned().collect();
            caster(Arc::clone(&burst), server.url.clone(), mine, true)
        })
        .collect();
    burst.wait(120, "casts before the signal", |x| x.acknowledged() >= 8);
    server.signal(libc::SIGTERM);
    // Each client ends when the box stops answering; an answer it did get before that was
    // a receipt (anything else fails the caster).
    for c in clients {
        c.join().unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the box did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "the box exited with {status}");
    let acknowledged = burst.acknowledged.lock().unwrap().clone();
    let again = BoxProcess::start(dir.path(), &[]);
    check_acknowledged(&election, &board(&again.url), &acknowledged);
}

#[test]
fn status_and_head_stay_quick_while_observers_page_the_board_during_casting() {
    let (dir, election, _, voters) = box_election(12);
    let pool = seal_pool(&election, &voters, 60);
    let server = BoxProcess::start(dir.path(), &[]);
    // A board of some 2 MiB first: every observer's walk reads several full pages.
    let (first, rest) = pool.split_at(48);
    let filling = Arc::new(Burst::default());
    let fillers: Vec<_> = (0..4)
        .map(|c| {
            let mine: Vec<Ballot> = first.iter().skip(c).step_by(4).cloned().collect();
            let n = mine.len();
            let burst = Arc::clone(&filling);
            let url = server.url.clone();
            std::thread::spawn(move || {
                let agent = agent();
                for b in &mine[..n] {
                    let a = request(
                        &agent,
                        "POST",
                        &format!("{url}/api/ballots"),
                        Some(&b.to_json()),
                        &[],
                    )
                    .unwrap();
                    assert_eq!(a.status, 200, "{}", a.text());
                    burst
                        .acknowledged
                        .lock()
                        .unwrap()
                        .push((b.clone(), a.json()));
                }
            })
        })
        .collect();
    for f in fillers {
        f.join().unwrap();
    }

    let stop = Arc::new(AtomicBool::new(false));
    let pages = Arc::new(AtomicUsize::new(0));
    let observers: Vec<_> = (0..8)
        .map(|_| {
            let (url, stop, pages) = (server.url.clone(), Arc::clone(&stop), Arc::clone(&pages));
            std::thread::spawn(move || {
                let agent = agent();
                while !stop.load(Ordering::SeqCst) {
                    let mut from = 0u64;
                    loop {
                        // Uncompressed: the heaviest a page can be for the box.
                        let a = request(
                            &agent,
                            "GET",
                            &format!("{url}/api/board?from={from}&limit=500"),
                            None,
                            &[],
                        )
                        .unwrap();
                        assert_eq!(a.status, 200, "{}", a.text());
                        pages.fetch_add(1, Ordering::SeqCst);
                        match a.json()["next"].as_u64() {
                            Some(n) => from = n,
                            None => break,
                        }
                    }
                }
            })
        })
        .collect();
    let casting = Arc::new(Burst::default());
    let casters: Vec<_> = (0..2)
        .map(|c| {
            let mine: Vec<Ballot> = rest.iter().skip(c).step_by(2).cloned().collect();
            caster(Arc::clone(&casting), server.url.clone(), mine, false)
        })
        .collect();

    let agent = agent();
    let mut slowest = Duration::ZERO;
    for i in 0..40 {
        let path = if i % 2 == 0 {
            "/api/status"
        } else {
            "/api/head"
        };
        let start = Instant::now();
        let a = request(&agent, "GET", &format!("{}{path}", server.url), None, &[]).unwrap();
        slowest = slowest.max(start.elapsed());
        assert_eq!(a.status, 200, "{}", a.text());
        std::thread::sleep(Duration::from_millis(25));
    }
    casting.wait(120, "casts among the observers", |x| x.acknowledged() >= 6);
    stop.store(true, Ordering::SeqCst);
    casting.stop.store(true, Ordering::SeqCst);
    for t in observers.into_iter().chain(casters) {
        t.join().unwrap();
    }
    eprintln!(
        "slowest status/head among 8 observers ({} pages) and casting: {} ms",
        pages.load(Ordering::SeqCst),
        slowest.as_millis()
    );
    // Generous: before status and head had a connection of their own, a status took
    // seconds behind 8 observers' pages.
    assert!(
        slowest < Duration::from_secs(2),
        "a status or head took {} ms",
        slowest.as_millis()
    );
    assert!(pages.load(Ordering::SeqCst) >= 8);
    let mut acknowledged = filling.acknowledged.lock().unwrap().clone();
    acknowledged.extend(casting.acknowledged.lock().unwrap().iter().cloned());
    check_acknowledged(&election, &board(&server.url), &acknowledged);
}

#[test]
fn complete_board_pages_are_immutable_compressed_and_revalidated() {
    let (dir, election, _, voters) = box_election(5);
    let pool = seal_pool(&election, &voters, 5);
    // A page file with no precompressed copy: the box sends static files as they are.
    let www = dir.path().join("www");
    std::fs::create_dir(&www).unwrap();
    std::fs::write(www.join("app.js"), "console.log('amanat');\n".repeat(100)).unwrap();
    let server = BoxProcess::start(dir.path(), &["--www", s(&www)]);
    let agent = agent();
    for b in &pool {
        let url = format!("{}/api/ballots", server.url);
        let a = request(&agent, "POST", &url, Some(&b.to_json()), &[]).unwrap();
        assert_eq!(a.status, 200, "{}", a.text());
    }
    let entries = board(&server.url);
    let page = |path: &str, headers: &[(&str, &str)]| {
        request(
            &agent,
            "GET",
            &format!("{}{path}", server.url),
            None,
            headers,
        )
        .unwrap()
    };

    // A complete page (2 of 2 entries, more follow): a strong tag, cacheable for good, and
    // its head is its last entry's hash, so the answer never changes.
    let full = page("/api/board?from=0&limit=2", &[]);
    assert_eq!(full.status, 200);
    let tag = full.etag.clone().expect("a complete page has an ETag");
    assert!(tag.starts_with('"') && !tag.starts_with("W/"), "{tag}");
    assert_eq!(
        full.cache.as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let v = full.json();
    assert_eq!(v["next"], 2);
    assert_eq!(v["head"], entries[1].hash.to_hex());
    // Unchanged by a later cast.
    let more = seal_pool(&election, &voters, 1);
    let url = format!("{}/api/ballots", server.url);
    let a = request(&agent, "POST", &url, Some(&more[0].to_json()), &[]).unwrap();
    assert_eq!(a.status, 200);
    assert_eq!(page("/api/board?from=0&limit=2", &[]).body, full.body);
    let unchanged = page("/api/board?from=0&limit=2", &[("If-None-Match", &tag)]);
    assert_eq!(unchanged.status, 304);
    assert!(unchanged.body.is_empty());
    assert_eq!(unchanged.etag.as_deref(), Some(tag.as_str()));
    // Another request's tag, or a made-up hash, is not a match.
    assert_eq!(
        page("/api/board?from=0&limit=3", &[("If-None-Match", &tag)]).status,
        200
    );
    let forged = tag.replace("board-0-2-2-", "board-0-2-2-0");
    assert_eq!(
        page("/api/board?from=0&limit=2", &[("If-None-Match", &forged)]).status,
        200
    );

    // The last page (nothing follows yet) may still change: never cached, the head now.
    let last = page("/api/board?from=4&limit=2", &[]);
    assert_eq!(last.etag, None);
    assert_eq!(last.cache.as_deref(), Some("no-store"));
    assert_eq!(last.json()["head"], board(&server.url)[5].hash.to_hex());

    // Compressed as accepted, each encoding with its own tag; the same JSON decoded.
    let br = page(
        "/api/board?from=0&limit=2",
        &[("Accept-Encoding", "gzip, br")],
    );
    assert_eq!(br.encoding.as_deref(), Some("br"));
    assert!(br.body.len() < full.body.len() * 3 / 4);
    let mut decoded = Vec::new();
    brotli::Decompressor::new(br.body.as_slice(), 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, full.body);
    assert_ne!(br.etag, full.etag);
    let gz = page("/api/board?from=0&limit=2", &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.encoding.as_deref(), Some("gzip"));
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(gz.body.as_slice())
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, full.body);
    let tag_gz = gz.etag.unwrap();
    let a = page(
        "/api/board?from=0&limit=2",
        &[("Accept-Encoding", "gzip"), ("If-None-Match", &tag_gz)],
    );
    assert_eq!(a.status, 304);
    // The identity tag does not stand for the gzip copy.
    assert_eq!(
        page(
            "/api/board?from=0&limit=2",
            &[("Accept-Encoding", "gzip"), ("If-None-Match", &tag)]
        )
        .status,
        200
    );

    // Other JSON answers are compressed too, by the router; errors stay readable JSON.
    let election_doc = page("/api/election", &[("Accept-Encoding", "gzip")]);
    assert_eq!(election_doc.encoding.as_deref(), Some("gzip"));
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(election_doc.body.as_slice())
        .read_to_string(&mut decoded)
        .unwrap();
    assert_eq!(decoded, election.to_json());
    let lookup = page(
        &format!("/api/board/{}", pool[0].tracking().short()),
        &[("Accept-Encoding", "br")],
    );
    assert_eq!(
        (lookup.status, lookup.encoding.as_deref()),
        (200, Some("br"))
    );
    // Static files are never compressed on the fly (only their precompressed copies are
    // sent compressed, docs/ballot-box.md "Static files").
    let file = page("/app.js", &[("Accept-Encoding", "gzip, br")]);
    assert_eq!((file.status, file.encoding), (200, None));
    assert_eq!(file.body.len(), 2300);
}
