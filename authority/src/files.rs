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
/// [`ToolError::Io`], also for anything that is not a regular file (see [`read_regular`]).
pub fn read_text(path: &Path) -> ToolResult<String> {
    read_regular(path).map_err(|e| ToolError::io(path, e))
}

/// Reads a whole UTF-8 file, refusing anything that is not a regular file before reading a
/// byte of it. The tools read files that others publish: a FIFO in its place would block a
/// reader for ever, and a link to `/dev/zero` or another device would be read until memory
/// runs out. The file is opened without blocking (so opening a FIFO does not wait for a
/// writer), checked with `fstat` on the open descriptor (so it cannot be swapped between the
/// check and the read), and read no further than the size it had then.
///
/// # Errors
/// What the operating system said, [`std::io::ErrorKind::InvalidInput`] for a FIFO, device,
/// socket or directory, [`std::io::ErrorKind::InvalidData`] for a file that grew while it
/// was read or is not UTF-8.
pub fn read_regular(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let (file, len) = open_regular(path)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(len.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > len {
        return Err(grew());
    }
    String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

fn grew() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "the file grew while it was read",
    )
}

/// Opens a file for reading as [`read_regular`] does (without blocking, refusing anything
/// that is not a regular file) and returns it with the size it has now.
///
/// # Errors
/// As [`read_regular`].
pub fn open_regular(path: &Path) -> std::io::Result<(fs::File, u64)> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, device, socket or directory is never read)",
        ));
    }
    Ok((file, meta.len()))
}

/// The longest line [`Lines`] reads: far more than any ballot of a real manifest (a ballot
/// of the demo's 56 options is about 24 KB), far less than memory.
pub const LINE_MAX: usize = 16 << 20;

/// The lines of a regular file (JSON Lines), read one at a time with a bounded buffer:
/// opened as [`read_regular`] opens, read no further than the size it had when opened,
/// every line at most [`LINE_MAX`] bytes of UTF-8 and ending with a newline.
pub struct Lines {
    reader: std::io::BufReader<std::io::Take<fs::File>>,
    left: u64,
    number: u64,
}

impl Lines {
    /// Opens `path`.
    ///
    /// # Errors
    /// As [`read_regular`].
    pub fn open(path: &Path) -> std::io::Result<Lines> {
        use std::io::Read;
        let (file, len) = open_regular(path)?;
        Ok(Lines {
            reader: std::io::BufReader::with_capacity(1 << 16, file.take(len)),
            left: len,
            number: 0,
        })
    }

    /// How many lines were read.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The next line into `line` (without its newline); `false` at the end of the file.
    ///
    /// # Errors
    /// [`std::io::ErrorKind::InvalidData`] for a line longer than [`LINE_MAX`], a last line
    /// without its newline, or bytes that are not UTF-8; what the operating system said.
    pub fn next_into(&mut self, line: &mut String) -> std::io::Result<bool> {
        use std::io::BufRead;
        line.clear();
        if self.left == 0 {
            return Ok(false);
        }
        let mut bytes = Vec::new();
        let limit = (LINE_MAX as u64 + 1).min(self.left);
        let n = std::io::Read::take(&mut self.reader, limit).read_until(b'\n', &mut bytes)?;
        self.left = self.left.saturating_sub(n as u64);
        self.number += 1;
        let invalid = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
        if bytes.last() != Some(&b'\n') {
            return Err(invalid(if n as u64 == limit && self.left > 0 {
                format!("line {} is longer than {LINE_MAX} bytes", self.number)
            } else {
                format!("line {} does not end with a newline", self.number)
            }));
        }
        bytes.pop();
        *line = String::from_utf8(bytes)
            .map_err(|_| invalid(format!("line {} is not UTF-8 text", self.number)))?;
        Ok(true)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read() {
        let tmp = tempfile::TempDir::new().unwrap();
        let file = tmp.path().join("a.json");
        fs::write(&file, "{}").unwrap();
        assert_eq!(read_regular(&file).unwrap(), "{}");
        assert_eq!(
            read_regular(tmp.path()).unwrap_err().kind(),
            std::io::ErrorKind::InvalidInput
        );
        #[cfg(unix)]
        {
            // A FIFO with no writer: refused at once, never waited on.
            let fifo = tmp.path().join("fifo");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: a valid NUL-terminated path and a plain mode.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            assert_eq!(
                read_regular(&fifo).unwrap_err().kind(),
                std::io::ErrorKind::InvalidInput
            );
            // A link to a device that never ends.
            let zero = tmp.path().join("zero.json");
            std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
            assert_eq!(
                read_regular(&zero).unwrap_err().kind(),
                std::io::ErrorKind::InvalidInput
            );
        }
        fs::write(&file, [0xffu8, 0xfe]).unwrap();
        assert_eq!(
            read_regular(&file).unwrap_err().kind(),
            std::io::ErrorKind::InvalidData
        );
    }
}
