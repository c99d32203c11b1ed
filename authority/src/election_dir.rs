//! The election directory (docs/record.md §1): `manifest.json`, `election.json`,
//! `credentials.json`, `ceremony.json`, and `amanat election create`, which binds them.

use std::path::{Path, PathBuf};

use amanat::{CredentialList, Election, Manifest, PublicKey};
use clap::{Args, Subcommand};

use crate::error::{ToolError, ToolResult};
use crate::files;
use crate::threshold::Ceremony;

/// An election directory on disk.
#[derive(Clone, Debug)]
pub struct ElectionDir {
    root: PathBuf,
}

impl ElectionDir {
    /// The directory at `root` (which must exist).
    ///
    /// # Errors
    /// [`ToolError::Io`] if it is not a directory.
    pub fn open(root: &Path) -> ToolResult<ElectionDir> {
        if !root.is_dir() {
            return Err(ToolError::io(
                root,
                std::io::Error::new(std::io::ErrorKind::NotFound, "not an election directory"),
            ));
        }
        Ok(ElectionDir {
            root: root.to_path_buf(),
        })
    }

    /// A path inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Reads and validates `election.json`.
    ///
    /// # Errors
    /// [`ToolError::Io`] or [`ToolError::Document`].
    pub fn election(&self) -> ToolResult<Election> {
        read_election(&self.path("election.json"))
    }

    /// Reads `credentials.json` and checks it against the election's digest.
    ///
    /// # Errors
    /// [`ToolError::Io`] or [`ToolError::Document`].
    pub fn credentials(&self, election: &Election) -> ToolResult<CredentialList> {
        read_credentials(&self.path("credentials.json"), election)
    }

    /// Reads `ceremony.json` (not verified: see [`Ceremony::verify`]).
    ///
    /// # Errors
    /// [`ToolError::Io`] or [`ToolError::Threshold`].
    pub fn ceremony(&self) -> ToolResult<Ceremony> {
        read_ceremony(&self.path("ceremony.json"))
    }
}

/// Reads and validates an election document.
///
/// # Errors
/// [`ToolError::Io`] or [`ToolError::Document`].
pub fn read_election(path: &Path) -> ToolResult<Election> {
    Election::from_json(&files::read_text(path)?).map_err(|e| ToolError::document(path, e))
}

/// Reads a credential list and checks it against the election.
///
/// # Errors
/// [`ToolError::Io`] or [`ToolError::Document`].
pub fn read_credentials(path: &Path, election: &Election) -> ToolResult<CredentialList> {
    let list = CredentialList::from_json(&files::read_text(path)?)
        .map_err(|e| ToolError::document(path, e))?;
    list.check_against(election)
        .map_err(|e| ToolError::document(path, e))?;
    Ok(list)
}

/// Reads a ceremony transcript.
///
/// # Errors
/// [`ToolError::Io`] or [`ToolError::Threshold`].
pub fn read_ceremony(path: &Path) -> ToolResult<Ceremony> {
    Ok(Ceremony::from_json(&files::read_text(path)?)?)
}

/// Builds the election from its manifest, the verified ceremony, the credential list and the
/// ballot box's receipt key (from `amanat box-key`).
///
/// # Errors
/// The ceremony does not verify or is for another election, or the election is invalid.
pub fn create(
    manifest: Manifest,
    ceremony: &Ceremony,
    list: &CredentialList,
    box_key: PublicKey,
) -> ToolResult<Election> {
    ceremony.verify()?;
    let params = ceremony.params();
    if params.election_id != manifest.election_id {
        return Err(ToolError::Invalid(format!(
            "the ceremony is for election {:?}, the manifest defines {:?}",
            params.election_id, manifest.election_id
        )));
    }
    for e in list.entries() {
        manifest.style(&e.style)?;
    }
    let election = Election::new(
        manifest,
        params.trustees,
        params.threshold,
        *ceremony.joint_key(),
        list.summary(),
        box_key,
    )?;
    ceremony.check_election(&election)?;
    Ok(election)
}

/// `amanat election`: define the election.
#[derive(Subcommand, Debug)]
pub enum ElectionCmd {
    /// Bind the manifest, the ceremony's joint key, the credential list and the ballot box's
    /// receipt key into election.json.
    Create(CreateArgs),
}

/// `amanat election create`.
#[derive(Args, Debug)]
pub struct CreateArgs {
    /// The manifest (JSON).
    #[arg(long)]
    pub manifest: PathBuf,
    /// The published ceremony transcript.
    #[arg(long)]
    pub ceremony: PathBuf,
    /// The public credential list from `amanat credentials`.
    #[arg(long)]
    pub credentials: PathBuf,
    /// The ballot box's receipt key: the 64 hex digits `amanat box-key --out FILE` printed
    /// (`amanat box-key --show FILE` prints them again). Receipts verify only under it.
    #[arg(long, value_name = "HEX")]
    pub box_key: String,
    /// Where to write election.json.
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `amanat election <command>`.
///
/// # Errors
/// Unreadable or inconsistent inputs.
pub fn run(cmd: ElectionCmd) -> ToolResult<()> {
    match cmd {
        ElectionCmd::Create(args) => {
            let manifest: Manifest = files::read_json(&args.manifest)?;
            let ceremony = read_ceremony(&args.ceremony)?;
            let list = CredentialList::from_json(&files::read_text(&args.credentials)?)
                .map_err(|e| ToolError::document(&args.credentials, e))?;
            let box_key = PublicKey::from_hex(args.box_key.trim(), "--box-key").map_err(|e| {
                ToolError::Invalid(format!(
                    "--box-key takes the public key `amanat box-key` printed, 64 lowercase hex \
                     digits: {e}"
                ))
            })?;
            let election = create(manifest, &ceremony, &list, box_key)?;
            files::write_public(&args.out, &(election.to_json() + "\n"))?;
            println!(
                "election {} ({} trustees, threshold {}, {} credentials)\nballot box key {}\nbase hash {}\nwritten to {}",
                election.manifest().election_id,
                election.trustees(),
                election.threshold(),
                election.credentials().count,
                election.ballot_box_key().to_hex(),
                election.base_hash(),
                args.out.display()
            );
            Ok(())
        }
    }
}
