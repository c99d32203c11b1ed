//! Reading and writing the election's files: public documents, and secret ones created
//! readable by their owner only.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{ToolError, ToolResult};

/// Reads a whole text file.
///
/// # Errors
/// [`ToolError::Io`].
pub fn read_text(path: &Path) -> ToolResult<String> {
    fs::read_to_string(path).map_err(|e| ToolError::io(path, e))
}

/// Reads and parses a JSON document through the core's typed error mapping.
///
/// # Errors
/// [`ToolError::Io`] or [`ToolError::Document`].
pub fn read_json<T: DeserializeOwned>(path: &Path) -> ToolResult<T> {
    let text = read_text(path)?;
    amanat::encoding::from_json(&text).map_err(|e| ToolError::document(path, e))
}

/// Writes a public file, creating its parent directories.
///
/// # Errors
/// [`ToolError::Io`].
pub fn write_public(path: &Path, text: &str) -> ToolResult<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| ToolError::io(dir, e))?;
    }
    fs::write(path, text).map_err(|e| ToolError::io(path, e))
}

/// Writes a value as pretty JSON to a public file.
///
/// # Errors
/// [`ToolError::Io`], or [`ToolError::Invalid`] if the value does not serialize.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> ToolResult<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| ToolError::Invalid(format!("cannot serialize {}: {e}", path.display())))?;
    write_public(path, &(text + "\n"))
}

/// Writes a value as compact JSON (for large documents such as the board).
///
/// # Errors
/// [`ToolError::Io`], or [`ToolError::Invalid`] if the value does not serialize.
pub fn write_json_compact<T: Serialize>(path: &Path, value: &T) -> ToolResult<()> {
    let text = serde_json::to_string(value)
        .map_err(|e| ToolError::Invalid(format!("cannot serialize {}: {e}", path.display())))?;
    write_public(path, &(text + "\n"))
}

/// Writes a secret file, readable and writable by its owner only (mode 0600 on Unix). The
/// file is created with that mode, so the secret is never readable by others, not even
/// briefly. An existing file is replaced.
///
/// # Errors
/// [`ToolError::Io`].
pub fn write_secret(path: &Path, bytes: &[u8]) -> ToolResult<()> {
    let _ = fs::remove_file(path);
    create_secret(path, bytes).map_err(|e| ToolError::io(path, e))
}

/// Creates a new secret file as [`write_secret`] does, creating its parent directories, but
/// never replaces one: if anything is at `path` already, fails with
/// [`std::io::ErrorKind::AlreadyExists`] and leaves it as it was.
///
/// # Errors
/// What the operating system said.
pub fn create_secret(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes).and_then(|()| file.sync_all())
}
