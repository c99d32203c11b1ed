//! `amanat demo-election`: the demonstration election (a fictional overseas by-election,
//! authority/demo/manifest.json) set up in one step: ceremony, credentials, ballot box key
//! and definition.

use std::path::{Path, PathBuf};

use amanat::{Election, Manifest};
use clap::Args;
use rand_chacha::ChaCha20Rng;
use rand_core::{OsRng, SeedableRng};

use crate::box_key::BoxKey;
use crate::ceremony::save_share;
use crate::credentials::{self, Issued};
use crate::election_dir;
use crate::error::{ToolError, ToolResult};
use crate::files;
use crate::simulate::{seed_bytes, DEMO_MANIFEST};
use crate::threshold::{run_local_ceremony, CeremonyParams};

/// Trustees of the demo election.
pub const DEMO_TRUSTEES: u32 = 3;
/// Its decryption threshold.
pub const DEMO_THRESHOLD: u32 = 2;

/// `amanat demo-election`: create the demo election directory.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// The election directory to create.
    #[arg(long)]
    pub out: PathBuf,
    /// How many voter credentials, spread over the two constituencies.
    #[arg(long, default_value_t = 20)]
    pub voters: u64,
    /// Seed for a reproducible election (random otherwise).
    #[arg(long)]
    pub seed: Option<u64>,
    /// How many credential codes to print.
    #[arg(long, default_value_t = 4)]
    pub show: usize,
}

/// Creates the demo election in `out`: `manifest.json`, `ceremony.json`, `election.json`,
/// `credentials.json`, `codes.json` (0600), each trustee's `trustees/trustee-<i>/share.json`
/// (0600), and the ballot box's key `box.sqlite.key` (0600), where `amanat serve --election
/// OUT` looks for it by default. Returns the election and the issued credentials.
///
/// # Errors
/// An output error, or [`crate::box_key::BoxKeyError::Exists`] if `out` already holds a box
/// key (it may be another election's).
pub fn create(out: &Path, voters: u64, seed: [u8; 32]) -> ToolResult<(Election, Issued)> {
    let manifest: Manifest = amanat::encoding::from_json(DEMO_MANIFEST)?;
    let mut rng = ChaCha20Rng::from_seed(seed);
    let params = CeremonyParams::new(&manifest.election_id, DEMO_TRUSTEES, DEMO_THRESHOLD)?;
    let (ceremony, shares) = run_local_ceremony(&params, &mut rng)?;
    let issued =
        credentials::generate(&manifest, &credentials::spread(&manifest, voters), &mut rng)?;
    let box_key = BoxKey::generate(&mut rng);
    let election = election_dir::create(manifest, &ceremony, &issued.list, *box_key.public())?;

    box_key.save(&box_key_path(out))?;
    files::write_public(&out.join("manifest.json"), DEMO_MANIFEST)?;
    files::write_public(&out.join("ceremony.json"), &ceremony.to_json())?;
    files::write_public(&out.join("election.json"), &(election.to_json() + "\n"))?;
    credentials::write(
        &issued,
        &out.join("codes.json"),
        &out.join("credentials.json"),
    )?;
    for share in &shares {
        let dir = out
            .join("trustees")
            .join(format!("trustee-{}", share.index()));
        std::fs::create_dir_all(&dir).map_err(|e| ToolError::io(&dir, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| ToolError::io(&dir, e))?;
        }
        save_share(&dir, share)?;
    }
    Ok((election, issued))
}

/// Where [`create`] puts the box key: beside the default database `OUT/box.sqlite`.
pub fn box_key_path(out: &Path) -> PathBuf {
    BoxKey::path_for(&out.join("box.sqlite"))
}

/// Runs `amanat demo-election`.
///
/// # Errors
/// An output error.
pub fn run(args: DemoArgs) -> ToolResult<()> {
    let seed = seed_bytes(args.seed, &mut OsRng);
    let (election, issued) = create(&args.out, args.voters, seed)?;
    let m = election.manifest();
    println!("{} / {}", m.title.en, m.title.ur);
    println!(
        "election directory {}: {} trustees (threshold {}), {} credentials",
        args.out.display(),
        election.trustees(),
        election.threshold(),
        issued.codes.len()
    );
    println!(
        "ballot box key {} (secret in {})",
        election.ballot_box_key().to_hex(),
        box_key_path(&args.out).display()
    );
    println!(
        "demo credential codes (all in {}):",
        args.out.join("codes.json").display()
    );
    // Show codes from every constituency in turn.
    let mut shown = 0;
    for round in 0.. {
        let mut any = false;
        for style in &m.ballot_styles {
            if let Some(c) = issued
                .codes
                .iter()
                .filter(|c| c.style == style.id)
                .nth(round)
            {
                any = true;
                if shown < args.show {
                    println!(
                        "  {}  {} ({})",
                        &*c.code,
                        style.name.en,
                        style.contests.join(", ")
                    );
                    shown += 1;
                }
            }
        }
        if !any || shown >= args.show {
            break;
        }
    }
    Ok(())
}
