//! The verifier's memory does not grow with the board: a simulated record is verified by
//! `amanat verify` in a process whose address space is limited below the size of the
//! record's board (docs/record.md §6), and passes: it could not hold the board.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::os::unix::process::CommandExt;
use std::process::{Command, Output};

/// 64 MiB of address space: what `amanat verify` needs with one thread is about 56 MiB
/// (the program, its tables, a window of 128 entries and one batch of 64 ballots in flight).
const LIMIT: u64 = 64 << 20;

fn amanat_limited(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_amanat"));
    cmd.args(args)
        .env("RAYON_NUM_THREADS", "1")
        .env("MALLOC_ARENA_MAX", "1");
    // SAFETY: setrlimit is async-signal-safe; the closure touches nothing else.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: LIMIT,
                rlim_max: LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.output().unwrap()
}

#[test]
fn a_record_verifies_in_less_address_space_than_its_board() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = dir.path().to_str().unwrap();
    let sim = Command::new(env!("CARGO_BIN_EXE_amanat"))
        .args(["simulate", "--voters", "2400", "--seed", "5", "--out", out])
        .output()
        .unwrap();
    assert!(
        sim.status.success(),
        "{}",
        String::from_utf8_lossy(&sim.stderr)
    );
    let record = dir.path().join("record");
    let board = std::fs::metadata(record.join("board.jsonl")).unwrap().len();
    assert!(
        board > LIMIT,
        "the board ({board} bytes) must be larger than the limit ({LIMIT} bytes)"
    );

    let v = amanat_limited(&["verify", record.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&v.stdout);
    assert!(
        v.status.success() && text.contains("all 13 checks pass"),
        "{text}\n{}",
        String::from_utf8_lossy(&v.stderr)
    );
}
