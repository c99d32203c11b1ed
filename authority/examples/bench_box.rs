//! `make bench-box`: the ballot box under load, side by side in one run (docs/deployment.md).
//!
//! For SQLite in one process, PostgreSQL behind one replica and PostgreSQL behind two
//! replicas, each on a fresh board: accepted ballots per second and p50/p99 latency of
//! `POST /api/ballots` at 4, 16 and 64 concurrent clients, on ballots sealed before the
//! clock starts (one per voter, so every one is appended, none a replay). Then the CPU time
//! the box's processes (and PostgreSQL's) spent per accepted ballot, read from
//! `/proc/PID/stat`, against the ballot's pure verification time (parse and
//! `Ballot::verify_listed`, one thread) measured in the same run. Last, `GET /api/status`
//! latency while 8 observers page through the board (uncompressed, the heaviest for the
//! box) during a cast burst of 16 clients.
//!
//! The box is the release binary beside this example (`target/release/amanat`, or
//! `--amanat PATH`); PostgreSQL is a throwaway cluster of the bench's own (the tests'
//! `pg_cluster`). Client threads run on the same machine, so on a small machine they take
//! part of its cores: the figures are the box *and* its clients on these cores.
//!
//! `--ballots N` (default 600) ballots per run; `--clients 4,16,64`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/pg_cluster/mod.rs"]
mod pg_cluster;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amanat::{
    Ballot, Credential, CredentialEntry, CredentialList, Election, Manifest, PublicKey, Selections,
};
use amanat_authority::box_key::BoxKey;
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::Scalar;
use rand_core::OsRng;
use rayon::prelude::*;

const STYLE: &str = "NA-1.PP-1";

/// A running `amanat serve`, stopped when dropped.
struct BoxProcess {
    child: Child,
    url: String,
}

impl BoxProcess {
    fn start(bin: &Path, dir: &Path, extra: &[&str]) -> BoxProcess {
        let mut child = Command::new(bin)
            .arg("serve")
            .arg("--election")
            .arg(dir)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines.next().expect("the box exited").unwrap();
            if let Some(rest) = line.strip_prefix("Listening on ") {
                break rest.trim_end_matches('/').to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        BoxProcess { child, url }
    }

    fn cpu(&self) -> Duration {
        cpu_of(self.child.id())
    }
}

impl Drop for BoxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// User and system CPU time of a process so far (`/proc/PID/stat`, fields 14 and 15).
fn cpu_of(pid: u32) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Duration::ZERO;
    };
    // The command name (field 2) is in parentheses and may hold spaces.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let hz = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).unwrap_or(100);
    Duration::from_micros(ticks * 1_000_000 / hz.max(1))
}

/// CPU time of the calling thread so far: verification is timed in CPU time, like the box,
/// so that other processes on a shared machine do not inflate it.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// CPU time of PostgreSQL: the postmaster and its children (the box's sessions among them).
fn postgres_cpu(cluster: &pg_cluster::Cluster) -> Duration {
    let Some(master) = cluster.postmaster() else {
        return Duration::ZERO;
    };
    let mut total = cpu_of(master);
    for d in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = d.file_name().to_str().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        if after.split_whitespace().nth(1) == Some(&master.to_string()) {
            total += cpu_of(pid);
        }
    }
    total
}

/// The reference election with `voters` credentials, written where `amanat serve` reads it.
fn election(voters: usize) -> (tempfile::TempDir, Election, CredentialList, Vec<Credential>) {
    let manifest: Manifest =
        serde_json::from_str(include_str!("../../tests/vectors/manifest.json")).unwrap();
    let creds: Vec<Credential> = (0..voters)
        .map(|_| {
            Credential::generate(&manifest.election_id, 0, &mut OsRng)
                .unwrap()
                .1
        })
        .collect();
    let list = CredentialList::new(
        creds
            .iter()
            .map(|c| CredentialEntry {
                key: *c.public_key(),
                style: STYLE.into(),
            })
            .collect(),
    )
    .unwrap();
    let joint = PublicKey::from_bytes(
        &(G * Scalar::random(&mut OsRng)).compress().to_bytes(),
        "joint key",
    )
    .unwrap();
    let box_key = BoxKey::generate(&mut OsRng);
    let election = Election::new(manifest, 3, 2, joint, list.summary(), *box_key.public()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    box_key
        .save(&BoxKey::path_for(&dir.path().join("box.sqlite")))
        .unwrap();
    std::fs::write(dir.path().join("election.json"), election.to_json()).unwrap();
    std::fs::write(
        dir.path().join("credentials.json"),
        serde_json::to_string(&list).unwrap(),
    )
    .unwrap();
    (dir, election, list, creds)
}

/// The first option of each contest of the style.
fn choice(election: &Election) -> Selections {
    election
        .manifest()
        .style_contests(STYLE)
        .unwrap()
        .iter()
        .map(|c| (c.id.clone(), vec![c.options[0].id.clone()]))
        .collect()
}

/// What one timed burst gave.
struct Run {
    accepted: usize,
    other: usize,
    wall: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.accepted as f64 / self.wall.as_secs_f64()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Posts every ballot of `ballots` once, from `clients` threads, spread over `urls` (client
/// `i` uses `urls[i % n]`), and times each request.
fn burst(urls: &[String], ballots: &Arc<Vec<String>>, clients: usize) -> Run {
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(ballots.len())));
    let (accepted, other) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let start = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let url = format!("{}/api/ballots", urls[c % urls.len()]);
            let (next, ballots, latencies, accepted, other) = (
                Arc::clone(&next),
                Arc::clone(ballots),
                Arc::clone(&latencies),
                Arc::clone(&accepted),
                Arc::clone(&other),
            );
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(120))
                    .build();
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = ballots.get(i) else { break };
                    let t = Instant::now();
                    let res = agent
                        .post(&url)
                        .set("Content-Type", "application/json")
                        .send_string(body);
                    let ok = match res {
                        Ok(r) => {
                            let _ = r.into_string();
                            true
                        }
                        Err(ureq::Error::Status(_, r)) => {
                            eprintln!("refused: {}", r.into_string().unwrap_or_default());
                            false
                        }
                        Err(e) => {
                            eprintln!("no answer: {e}");
                            false
                        }
                    };
                    mine.push(t.elapsed());
                    if ok {
                        accepted.fetch_add(1, Ordering::Relaxed);
                    } else {
                        other.fetch_add(1, Ordering::Relaxed);
                    }
                }
                latencies.lock().unwrap().extend(mine);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let wall = start.elapsed();
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap());
    latencies.sort();
    Run {
        accepted: accepted.load(Ordering::Relaxed),
        other: other.load(Ordering::Relaxed),
        wall,
        latencies,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Setup {
    Sqlite,
    Postgres(usize),
}

impl Setup {
    fn name(self) -> &'static str {
        match self {
            Setup::Sqlite => "SQLite, 1 process",
            Setup::Postgres(1) => "PostgreSQL, 1 replica",
            Setup::Postgres(_) => "PostgreSQL, 2 replicas",
        }
    }
}

/// Fresh boxes of `setup` on a fresh board.
fn boxes(
    bin: &Path,
    dir: &Path,
    setup: Setup,
    cluster: &pg_cluster::Cluster,
    run: usize,
) -> Vec<BoxProcess> {
    match setup {
        Setup::Sqlite => {
            let db = dir.join(format!("bench-{run}.sqlite"));
            let key = dir.join("box.sqlite.key");
            vec![BoxProcess::start(
                bin,
                dir,
                &[
                    "--db",
                    db.to_str().unwrap(),
                    "--box-key",
                    key.to_str().unwrap(),
                ],
            )]
        }
        Setup::Postgres(n) => {
            let database = cluster.database();
            (0..n)
                .map(|_| BoxProcess::start(bin, dir, &["--database", &database]))
                .collect()
        }
    }
}

fn args() -> (PathBuf, usize, Vec<usize>) {
    let mut bin = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("amanat");
    let (mut ballots, mut clients) = (600, vec![4, 16, 64]);
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--amanat" => bin = PathBuf::from(v),
            "--ballots" => ballots = v.parse().unwrap(),
            "--clients" => clients = v.split(',').map(|c| c.parse().unwrap()).collect(),
            _ => panic!("unknown argument {a} (--amanat PATH, --ballots N, --clients 4,16,64)"),
        }
    }
    assert!(bin.is_file(), "no box binary at {}", bin.display());
    (bin, ballots, clients)
}

fn main() {
    let (bin, count, client_counts) = args();
    let observers_extra = 300;
    let (dir, election, list, creds) = election(count + observers_extra);
    let dir_path = dir.path();
    let selections = choice(&election);
    let t = Instant::now();
    let sealed: Vec<Ballot> = creds
        .par_iter()
        .map(|c| {
            amanat::SealedBallot::seal(&election, c, &selections, &mut OsRng)
                .unwrap()
                .cast()
        })
        .collect();
    let json: Vec<String> = sealed.iter().map(Ballot::to_json).collect();
    eprintln!(
        "sealed {} ballots ({} bytes each) in {:.1} s",
        json.len(),
        json[0].len(),
        t.elapsed().as_secs_f64()
    );
    let (timed, extra) = json.split_at(count);
    let timed = Arc::new(timed.to_vec());
    let extra = Arc::new(extra.to_vec());

    // Pure verification: parse and verify, one thread, as the box does per ballot.
    let mut verify: Vec<Duration> = timed
        .iter()
        .take(200)
        .map(|j| {
            let t = thread_cpu();
            let b = Ballot::from_json(j).unwrap();
            b.verify_listed(&election, &list).unwrap();
            thread_cpu() - t
        })
        .collect();
    verify.sort();
    let verify_mean = verify.iter().sum::<Duration>() / verify.len() as u32;
    let verify_p50 = percentile(&verify, 0.5);
    // What the box's verifier threads do under load: parse 16 and verify them together.
    let t = thread_cpu();
    let mut batched = 0u32;
    for chunk in timed.chunks(16).take(12) {
        let ballots: Vec<Ballot> = chunk
            .iter()
            .map(|j| Ballot::from_json(j).unwrap())
            .collect();
        let refs: Vec<&Ballot> = ballots.iter().collect();
        for r in Ballot::verify_many(&refs, &election, &list) {
            r.unwrap();
        }
        batched += u32::try_from(chunk.len()).unwrap();
    }
    let batch_each = (thread_cpu() - t) / batched.max(1);

    let cluster = pg_cluster::Cluster::start().unwrap();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!(
        "make bench-box: {count} ballots per run, {cores} cores (clients on the same machine)"
    );
    println!(
        "verification alone (parse + verify_listed, CPU time of 1 thread): median {:.2} ms, \
         mean {:.2} ms; \
         parse + verify_many in batches of 16: {:.2} ms per ballot",
        ms(verify_p50),
        ms(verify_mean),
        ms(batch_each)
    );
    println!();
    println!(
        "| store | clients | accepted/s | p50 ms | p99 ms | box CPU/ballot ms | x verify | PostgreSQL CPU/ballot ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut run_no = 0;
    for setup in [Setup::Sqlite, Setup::Postgres(1), Setup::Postgres(2)] {
        for &clients in &client_counts {
            run_no += 1;
            let boxes = boxes(&bin, dir_path, setup, &cluster, run_no);
            let urls: Vec<String> = boxes.iter().map(|b| b.url.clone()).collect();
            // A short warm-up of the connections and the box's threads (replays of nothing:
            // status reads).
            for u in &urls {
                let _ = ureq::get(&format!("{u}/api/status")).call();
            }
            let box_before: Duration = boxes.iter().map(BoxProcess::cpu).sum();
            let pg_before = postgres_cpu(&cluster);
            let run = burst(&urls, &timed, clients);
            let box_cpu = boxes.iter().map(BoxProcess::cpu).sum::<Duration>() - box_before;
            let pg_cpu = postgres_cpu(&cluster).saturating_sub(pg_before);
            let per = |d: Duration| ms(d) / run.accepted.max(1) as f64;
            println!(
                "| {} | {clients} | {:.0} | {:.0} | {:.0} | {:.2} | {:.2} | {} |{}",
                setup.name(),
                run.rate(),
                ms(percentile(&run.latencies, 0.5)),
                ms(percentile(&run.latencies, 0.99)),
                per(box_cpu),
                per(box_cpu) / ms(verify_mean),
                match setup {
                    Setup::Sqlite => "–".to_string(),
                    Setup::Postgres(_) => format!("{:.2}", per(pg_cpu)),
                },
                if run.other > 0 {
                    format!(" {} not accepted", run.other)
                } else {
                    String::new()
                }
            );
        }
    }

    // Observers: 8 clients page the whole board (uncompressed) again and again while 16
    // clients cast `extra` ballots into it and one client asks for the status every 20 ms.
    let server = boxes(&bin, dir_path, Setup::Sqlite, &cluster, 0);
    let url = server[0].url.clone();
    let fill = burst(std::slice::from_ref(&url), &timed, 16);
    assert_eq!(fill.other, 0, "the board was not filled");
    let stop = Arc::new(AtomicBool::new(false));
    let pages = Arc::new(AtomicUsize::new(0));
    let page_bytes = Arc::new(AtomicUsize::new(0));
    let observers: Vec<_> = (0..8)
        .map(|_| {
            let (url, stop, pages, bytes) = (
                url.clone(),
                Arc::clone(&stop),
                Arc::clone(&pages),
                Arc::clone(&page_bytes),
            );
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(120))
                    .build();
                while !stop.load(Ordering::Relaxed) {
                    let mut from = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let r = agent
                            .get(&format!("{url}/api/board?from={from}&limit=500"))
                            .call();
                        let Ok(r) = r else { continue };
                        let mut body = Vec::new();
                        r.into_reader().read_to_end(&mut body).unwrap();
                        pages.fetch_add(1, Ordering::Relaxed);
                        bytes.fetch_add(body.len(), Ordering::Relaxed);
                        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                        match v["next"].as_u64() {
                            Some(n) => from = n,
                            None => break,
                        }
                    }
                }
            })
        })
        .collect();
    let prober = {
        let (url, stop) = (url.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let agent = ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(120))
                .build();
            let mut times = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let r = agent.get(&format!("{url}/api/status")).call();
                assert!(r.is_ok());
                let _ = r.map(ureq::Response::into_string);
                times.push(t.elapsed());
                std::thread::sleep(Duration::from_millis(20));
            }
            times.sort();
            times
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let cast = burst(std::slice::from_ref(&url), &extra, 16);
    stop.store(true, Ordering::Relaxed);
    let status = prober.join().unwrap();
    for o in observers {
        o.join().unwrap();
    }
    println!();
    println!(
        "8 observers paging the board ({} entries and more, uncompressed) during a cast burst of \
         16 clients (SQLite): {} pages ({:.0} MB) read; casts {:.0} accepted/s, p99 {:.0} ms; \
         /api/status p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} requests",
        count,
        pages.load(Ordering::Relaxed),
        page_bytes.load(Ordering::Relaxed) as f64 / 1e6,
        cast.rate(),
        ms(percentile(&cast.latencies, 0.99)),
        ms(percentile(&status, 0.5)),
        ms(percentile(&status, 0.99)),
        ms(status.last().copied().unwrap_or_default()),
        status.len()
    );
    println!(
        "targets (issue 11): box CPU per ballot within 1.3x of verification; p99 under 250 ms \
         at 64 clients; status p99 under 50 ms with 8 observers"
    );
    drop(server);
    drop(cluster);
    drop(dir);
}
