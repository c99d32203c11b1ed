//! The election directory (docs/record.md §1): `manifest.json`, `election.json`,
//! `credentials.json`, `ceremony.json`, and `amanat election create`, which binds them.

use std::path::{Path, PathBuf};

use amanat::{CredentialList, Election, Manifest};
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

/// Builds the election from its manifest, the verified ceremony and the credential list.
///
/// # Errors
/// The ceremony does not verify or is for another election, or the election is invalid.
pub fn create(
    manifest: Manifest,
    ceremony: &Ceremony,
    list: &CredentialList,
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
    )?;
    ceremony.check_election(&election)?;
    Ok(election)
}

/// `amanat election`: define the election.
#[derive(Subcommand, Debug)]
pub enum ElectionCmd {
    /// Bind the manifest, the ceremony's joint key and the credential list into election.json.
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
            let election = create(manifest, &ceremony, &list)?;
            files::write_public(&args.out, &(election.to_json() + "\n"))?;
            println!(
                "election {} ({} trustees, threshold {}, {} credentials)\nbase hash {}\nwritten to {}",
                election.manifest().election_id,
                election.trustees(),
                election.threshold(),
                election.credentials().count,
                election.base_hash(),
                args.out.display()
            );
            Ok(())
        }
    }
}
