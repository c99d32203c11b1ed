//! The files the ballot box serves, published before the election (docs/record.md §1,
//! docs/ballot-box.md "Published files").
//!
//! The voter page and the module are what every voter's browser runs; a box that served other
//! files than the published ones could seal ballots for another candidate or leak choices. So
//! the election directory holds `served-files.json`, the SHA-256 of every file the box may
//! serve (the page under `/`, the module package under `/pkg/`, the precompressed copies
//! included), made by `amanat served-files make` from the same build anyone can repeat
//! (docs/reproducible.md). `amanat serve` checks every file against it before it listens and
//! refuses to start on any difference, and checks each file again as it reads it to answer a
//! request (a file changed on disk afterwards is refused, never served). `amanat served-files
//! check` compares a running box's answers with the list, as an observer would.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ToolError, ToolResult};
use crate::files;

/// The file name of the list in an election directory.
pub const FILE_NAME: &str = "served-files.json";

/// The largest file the list may name (the module is ~330 KB): bounds what a check reads.
const MAX_FILE: u64 = 16 << 20;
/// The most files a list may name.
const MAX_FILES: usize = 10_000;

/// `served-files.json`: URL path (`/index.html`, `/pkg/amanat_bg.wasm`, ...) → SHA-256 of
/// the file's bytes as stored, in lowercase hex; sorted by path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServedFiles {
    /// Every file the box may serve.
    pub files: BTreeMap<String, String>,
}

/// `amanat served-files`.
#[derive(Subcommand)]
pub enum ServedFilesCmd {
    /// List the files the box will serve, with their SHA-256, into served-files.json.
    Make(MakeArgs),
    /// Compare a running box's files with the published list (observers).
    Check(CheckArgs),
}

/// `amanat served-files make`.
#[derive(Args)]
pub struct MakeArgs {
    /// The voter page, served at `/`.
    #[arg(long, default_value = "www")]
    pub www: PathBuf,
    /// The module package, served at `/pkg/`.
    #[arg(long, default_value = "pkg")]
    pub pkg: PathBuf,
    /// Where to write the list (the election directory's served-files.json).
    #[arg(long)]
    pub out: PathBuf,
}

/// `amanat served-files check`.
#[derive(Args)]
pub struct CheckArgs {
    /// The published list (an election directory's served-files.json).
    #[arg(long)]
    pub list: PathBuf,
    /// The ballot box's address, e.g. `https://vote.example.org`
    #[arg(long)]
    pub url: String,
}

/// Runs `amanat served-files`; `Ok(false)` when a box's files differ from the list.
///
/// # Errors
/// Unreadable directories or list, or a box that cannot be reached at all.
pub fn run(cmd: ServedFilesCmd) -> ToolResult<bool> {
    match cmd {
        ServedFilesCmd::Make(args) => {
            let list = ServedFiles::of_roots(&args.www, &args.pkg)?;
            files::write_json(&args.out, &list)?;
            println!(
                "{}: {} files the box may serve",
                args.out.display(),
                list.files.len()
            );
            Ok(true)
        }
        ServedFilesCmd::Check(args) => check_box(&ServedFiles::read(&args.list)?, &args.url),
    }
}

impl ServedFiles {
    /// Lists every file below the two roots that the box would serve.
    ///
    /// # Errors
    /// A root that cannot be read, or a file too large or too many files.
    pub fn of_roots(www: &Path, pkg: &Path) -> ToolResult<ServedFiles> {
        let files = scan(www, pkg)?
            .into_iter()
            .map(|(url, _, digest)| (url, hex(&digest)))
            .collect();
        Ok(ServedFiles { files })
    }

    /// Reads and checks a published list.
    ///
    /// # Errors
    /// An unreadable or malformed list: unknown members, paths not of the form `/a/b`, digests
    /// not 64 lowercase hex digits.
    pub fn read(path: &Path) -> ToolResult<ServedFiles> {
        let list: ServedFiles = files::read_json(path)?;
        let bad = |what: String| ToolError::Invalid(format!("{}: {what}", path.display()));
        if list.files.len() > MAX_FILES {
            return Err(bad(format!("more than {MAX_FILES} files")));
        }
        for (url, digest) in &list.files {
            let well_formed = url.starts_with('/')
                && url[1..]
                    .split('/')
                    .all(|s| !s.is_empty() && !s.starts_with('.') && !s.contains(['\\', '%']));
            if !well_formed {
                return Err(bad(format!(
                    "{} is not a path the box serves",
                    crate::error::bounded(url)
                )));
            }
            if digest.len() != 64
                || !digest
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            {
                return Err(bad(format!(
                    "the SHA-256 of {url} is not 64 lowercase hex digits"
                )));
            }
        }
        Ok(list)
    }

    /// Checks the files below the box's two roots against the list, before the box listens:
    /// every listed file present with its digest, no file the box would serve left out.
    /// Answers what the box checks again on each read: the canonical path of each file and
    /// its digest.
    ///
    /// # Errors
    /// [`ToolError::Invalid`] naming every file that differs, is missing or is not listed.
    pub fn check_roots(&self, www: &Path, pkg: &Path) -> ToolResult<Published> {
        let scanned = scan(www, pkg)?;
        let found: BTreeMap<&str, String> = scanned
            .iter()
            .map(|(url, _, digest)| (url.as_str(), hex(digest)))
            .collect();
        let mut problems = Vec::new();
        for (url, digest) in &self.files {
            match found.get(url.as_str()) {
                None => problems.push(format!("{url} is missing")),
                Some(d) if d != digest => problems.push(format!("{url} differs")),
                Some(_) => {}
            }
        }
        for url in found.keys() {
            if !self.files.contains_key(*url) {
                problems.push(format!("{url} is not in the published list"));
            }
        }
        if !problems.is_empty() {
            let shown: Vec<_> = problems.iter().take(10).cloned().collect();
            return Err(ToolError::Invalid(format!(
                "the files to serve are not the published ones ({} problems): {}{}",
                problems.len(),
                shown.join("; "),
                if problems.len() > shown.len() {
                    "; ..."
                } else {
                    ""
                }
            )));
        }
        let mut by_path = HashMap::new();
        for (_, path, digest) in scanned {
            let real = std::fs::canonicalize(&path).map_err(|e| ToolError::io(&path, e))?;
            by_path.insert(real, digest);
        }
        Ok(Published { by_path })
    }
}

/// What the box checks each file against as it reads it: canonical path → SHA-256.
#[derive(Debug)]
pub struct Published {
    by_path: HashMap<PathBuf, [u8; 32]>,
}

impl Published {
    /// Whether `bytes`, just read from the canonical path `path`, are the published file.
    pub fn allows(&self, path: &Path, bytes: &[u8]) -> bool {
        self.by_path
            .get(path)
            .is_some_and(|d| *d == <[u8; 32]>::from(Sha256::digest(bytes)))
    }
}

/// Every file the box would serve from its two roots, with its URL path, its path on disk and
/// its SHA-256, read once.
fn scan(www: &Path, pkg: &Path) -> ToolResult<Vec<(String, PathBuf, [u8; 32])>> {
    let mut out = Vec::new();
    for (root, prefix) in [(www, "/"), (pkg, "/pkg/")] {
        for (url, path) in walk(root, prefix)? {
            if url.starts_with("/pkg/") && prefix == "/" {
                // A `pkg` directory inside the page would be shadowed by the package.
                continue;
            }
            let digest = digest_file(&path)?;
            out.push((url, path, digest));
            if out.len() > MAX_FILES {
                return Err(ToolError::Invalid(format!(
                    "more than {MAX_FILES} files to serve"
                )));
            }
        }
    }
    Ok(out)
}

/// Every regular file below `root` that the box could serve (no hidden names, no symbolic
/// links), with its URL path.
fn walk(root: &Path, prefix: &str) -> ToolResult<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let mut todo = vec![(root.to_path_buf(), prefix.to_string())];
    while let Some((dir, url)) = todo.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| ToolError::io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| ToolError::io(&dir, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') || name.contains(['\\', '%']) {
                continue;
            }
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| ToolError::io(&path, e))?;
            if kind.is_dir() {
                todo.push((path, format!("{url}{name}/")));
            } else if kind.is_file() {
                out.push((format!("{url}{name}"), path));
            } else if kind.is_symlink() {
                // The box follows a link inside its root; the list names what it leads to.
                if let Ok(meta) = std::fs::metadata(&path) {
                    if meta.is_file() {
                        out.push((format!("{url}{name}"), path));
                    }
                }
            }
        }
    }
    Ok(out)
}

fn digest_file(path: &Path) -> ToolResult<[u8; 32]> {
    let file = std::fs::File::open(path).map_err(|e| ToolError::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ToolError::io(path, e))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(ToolError::Invalid(format!(
            "{}: larger than {MAX_FILE} bytes",
            path.display()
        )));
    }
    Ok(Sha256::digest(&bytes).into())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Fetches every listed file from a running box, as a browser would get it when it asks for
/// no compression (the precompressed copies by their own names), and compares digests.
fn check_box(list: &ServedFiles, url: &str) -> ToolResult<bool> {
    let base = url.trim_end_matches('/');
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        return Err(ToolError::Invalid(format!(
            "{}: not an http:// or https:// address",
            crate::error::bounded(url)
        )));
    }
    let agent = ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(60))
        .redirects(0)
        .build();
    let (mut same, mut differ) = (0usize, 0usize);
    for (path, digest) in &list.files {
        let got = agent
            .get(&format!("{base}{path}"))
            .set("Accept-Encoding", "identity")
            .call();
        let verdict = match got {
            Ok(res) => {
                let mut bytes = Vec::new();
                match res.into_reader().take(MAX_FILE + 1).read_to_end(&mut bytes) {
                    Ok(_) if bytes.len() as u64 > MAX_FILE => "TOO_LARGE".to_string(),
                    Ok(_) if hex(&Sha256::digest(&bytes)) == *digest => "same".to_string(),
                    Ok(_) => "DIFFERS".to_string(),
                    Err(e) => format!("UNREADABLE ({})", crate::error::bounded(&e.to_string())),
                }
            }
            Err(ureq::Error::Status(code, _)) => format!("NOT_SERVED (HTTP {code})"),
            Err(ureq::Error::Transport(t)) => {
                return Err(ToolError::Invalid(format!(
                    "{base}: {}",
                    crate::error::bounded(&t.to_string())
                )))
            }
        };
        if verdict == "same" {
            same += 1;
        } else {
            differ += 1;
            println!("{path}: {verdict}");
        }
    }
    println!(
        "{base}: {same} of {} published files served exactly, {differ} not",
        list.files.len()
    );
    Ok(differ == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_what_the_box_would_serve_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let (www, pkg) = (dir.path().join("www"), dir.path().join("pkg"));
        for d in [
            www.join("js"),
            www.join("pkg"),
            www.join(".git"),
            pkg.clone(),
        ] {
            std::fs::create_dir_all(d).unwrap_or_else(|e| unreachable!("{e}"));
        }
        for (file, text) in [
            (www.join("index.html"), "page"),
            (www.join("js/app.js"), "app"),
            (www.join(".hidden"), "never served"),
            (www.join(".git/config"), "never served"),
            (www.join("pkg/shadowed.js"), "the package's /pkg/ wins"),
            (pkg.join("amanat_bg.wasm"), "wasm"),
        ] {
            std::fs::write(file, text).unwrap_or_else(|e| unreachable!("{e}"));
        }
        let list = ServedFiles::of_roots(&www, &pkg).unwrap_or_else(|e| unreachable!("{e}"));
        let names: Vec<&str> = list.files.keys().map(String::as_str).collect();
        assert_eq!(names, ["/index.html", "/js/app.js", "/pkg/amanat_bg.wasm"]);
        assert_eq!(list.files["/js/app.js"], hex(&Sha256::digest(b"app")));
        let published = list
            .check_roots(&www, &pkg)
            .unwrap_or_else(|e| unreachable!("{e}"));
        let app =
            std::fs::canonicalize(www.join("js/app.js")).unwrap_or_else(|e| unreachable!("{e}"));
        assert!(published.allows(&app, b"app"));
        assert!(!published.allows(&app, b"app!"));
        let shadowed = std::fs::canonicalize(www.join("pkg/shadowed.js"))
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert!(!published.allows(&shadowed, "the package's /pkg/ wins".as_bytes()));
    }
}
