//! A PostgreSQL server for the tests of the PostgreSQL store (docs/ballot-box.md
//! "PostgreSQL"), shared by the unit tests (included by path) and the integration tests.
//!
//! With `PGHOST` set, the tests use that server (as under `pg_virtualenv`). Otherwise the
//! first test to ask starts a throwaway cluster with `initdb`/`pg_ctl` in a temporary
//! directory on a free port (through `runuser -u postgres` when run as root, since `initdb`
//! refuses root), and the test process stops it and removes it at exit. Without PostgreSQL
//! installed the tests fail, saying so: they never pass without having run.
//!
//! A test that stops and restarts PostgreSQL under the box starts a [`Cluster`] of its own,
//! whatever `PGHOST` says.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
/// The cluster shared by the tests of one process (a static is never dropped: removed at exit).
static SHARED: OnceLock<Cluster> = OnceLock::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// The connection string of a new, empty database of its own for one test.
pub fn fresh_database() -> String {
    let server = match SERVER.get_or_init(server) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let name = format!(
        "amanat_test_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::Relaxed)
    );
    create_database(server, &name)
}

fn create_database(server: &str, name: &str) -> String {
    let mut admin =
        postgres::Client::connect(&format!("{server} dbname=postgres"), postgres::NoTls)
            .unwrap_or_else(|e| panic!("connecting to the test PostgreSQL ({server}): {e}"));
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    format!("{server} dbname={name}")
}

fn server() -> Result<String, String> {
    if std::env::var_os("PGHOST").is_some() {
        let mut s = String::new();
        for (var, key) in [
            ("PGHOST", "host"),
            ("PGPORT", "port"),
            ("PGUSER", "user"),
            ("PGPASSWORD", "password"),
        ] {
            if let Ok(v) = std::env::var(var) {
                s.push_str(&format!(
                    "{key}='{}' ",
                    v.replace('\\', "\\\\").replace('\'', "\\'")
                ));
            }
        }
        return Ok(s.trim_end().to_string());
    }
    start_cluster()
}

/// The newest `/usr/lib/postgresql/N/bin` with `initdb`.
fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|d| {
            let d = d.ok()?;
            let v = d.file_name().to_str()?.parse().ok()?;
            let bin = d.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn as_postgres(program: &Path) -> Command {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn run(c: &mut Command, what: &str) -> Result<(), String> {
    let out = c.output().map_err(|e| format!("{what}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// A throwaway PostgreSQL cluster in a temporary directory, on a free port of 127.0.0.1:
/// started by [`Cluster::start`], stopped and removed when dropped.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    databases: AtomicUsize,
}

impl Cluster {
    /// Creates and starts a cluster.
    pub fn start() -> Result<Cluster, String> {
        let bin = bin_dir().ok_or(
            "PostgreSQL is not installed, and the PostgreSQL store's tests need it: run `make \
             setup` (apt-get install postgresql postgresql-common), or set PGHOST/PGPORT/PGUSER \
             to a server on which they may create databases (e.g. run them under `pg_virtualenv`)",
        )?;
        static CLUSTERS: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "amanat-pg-{}-{}",
            std::process::id(),
            CLUSTERS.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            run(
                Command::new("chown").arg("postgres:postgres").arg(&dir),
                "chown of the cluster directory",
            )?;
        }
        run(
            as_postgres(&bin.join("initdb"))
                .args([
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "-D",
                ])
                .arg(dir.join("data")),
            "initdb",
        )?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("finding a free port: {e}"))?
            .port();
        let cluster = Cluster {
            bin,
            dir,
            port,
            databases: AtomicUsize::new(0),
        };
        cluster.resume()?;
        Ok(cluster)
    }

    /// The process id of the server's postmaster, while it runs (its first line of
    /// `postmaster.pid`).
    pub fn postmaster(&self) -> Option<u32> {
        let pid = std::fs::read_to_string(self.dir.join("data/postmaster.pid")).ok()?;
        pid.lines().next()?.trim().parse().ok()
    }

    /// The connection string of the server (no database named).
    pub fn server(&self) -> String {
        format!("host=127.0.0.1 port={} user=postgres", self.port)
    }

    /// The connection string of a new, empty database of this cluster.
    pub fn database(&self) -> String {
        let name = format!(
            "amanat_own_{}",
            self.databases.fetch_add(1, Ordering::Relaxed)
        );
        create_database(&self.server(), &name)
    }

    /// Stops the server (`pg_ctl stop -m fast`: sessions are ended, nothing committed is
    /// lost), as an operator's restart or a crash of the database would.
    pub fn stop(&self) -> Result<(), String> {
        run(
            as_postgres(&self.bin.join("pg_ctl"))
                .arg("-D")
                .arg(self.dir.join("data"))
                .args(["-m", "fast", "-w", "stop"]),
            "pg_ctl stop",
        )
    }

    /// Starts the (stopped) server again on the same port.
    pub fn resume(&self) -> Result<(), String> {
        run(
            as_postgres(&self.bin.join("pg_ctl"))
                .arg("-D")
                .arg(self.dir.join("data"))
                .arg("-l")
                .arg(self.dir.join("log"))
                .arg("-o")
                .arg(format!(
                    "-F -p {} -k {} -c listen_addresses=127.0.0.1",
                    self.port,
                    self.dir.display()
                ))
                .args(["-w", "start"]),
            "pg_ctl start",
        )
    }

    fn remove(&self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.remove();
    }
}

fn start_cluster() -> Result<String, String> {
    let cluster = Cluster::start()?;
    let server = cluster.server();
    let _ = SHARED.set(cluster);
    // SAFETY: `stop_cluster` is an `extern "C" fn()` that does not unwind.
    unsafe { libc::atexit(stop_cluster) };
    Ok(server)
}

extern "C" fn stop_cluster() {
    if let Some(cluster) = SHARED.get() {
        cluster.remove();
    }
}
