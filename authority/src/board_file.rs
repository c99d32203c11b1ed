//! Reading and writing the exported bulletin board, `board.jsonl` (docs/record.md §2), as a
//! stream: a header line, then one line per entry, read a window of lines at a time whose
//! entries are parsed (every point of every ballot decoded) in parallel. The board's format
//! and checks are the record library's ([`amanat_record::board`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use amanat::BoardEntry;
pub use amanat_record::board::{
    check_closing, empty_board, entry_line, parse_entry, BoardFile, BoardHeader, Chain,
};
use amanat_record::counting::VERIFY_BATCH;
use rayon::prelude::*;

use crate::error::{ToolError, ToolResult};
use crate::files::Lines;

/// Entries read and worked on in parallel before they are used in order: a few batches of
/// [`VERIFY_BATCH`] per thread. What a tool holds of the board at once.
pub fn window() -> usize {
    VERIFY_BATCH * 2 * rayon::current_num_threads().max(1)
}

/// A board being read: its header, then its entries' lines, a window at a time.
pub struct BoardReader {
    path: PathBuf,
    lines: Lines,
    /// The board's first line.
    pub header: BoardHeader,
}

impl BoardReader {
    /// Opens a board and reads its header line.
    ///
    /// # Errors
    /// [`ToolError::Io`] (not a regular file, unreadable, a line too long or not UTF-8) or
    /// [`ToolError::Document`] for an empty file or a header that does not parse (a
    /// `board.json` of the earlier format among them).
    pub fn open(path: &Path) -> ToolResult<BoardReader> {
        let mut lines = Lines::open(path).map_err(|e| ToolError::io(path, e))?;
        let mut line = String::new();
        if !lines
            .next_into(&mut line)
            .map_err(|e| ToolError::io(path, e))?
        {
            return Err(ToolError::document(path, empty_board()));
        }
        let header = BoardHeader::parse(&line).map_err(|e| ToolError::document(path, e))?;
        Ok(BoardReader {
            path: path.to_path_buf(),
            lines,
            header,
        })
    }

    /// Up to `max` more lines (none at the end of the board).
    ///
    /// # Errors
    /// [`ToolError::Io`] as [`BoardReader::open`].
    pub fn next_lines(&mut self, max: usize) -> ToolResult<Vec<String>> {
        let mut out = Vec::new();
        let mut line = String::new();
        while out.len() < max {
            if !self
                .lines
                .next_into(&mut line)
                .map_err(|e| ToolError::io(&self.path, e))?
            {
                break;
            }
            out.push(std::mem::take(&mut line));
        }
        Ok(out)
    }

    /// Parses a window of lines (from [`BoardReader::next_lines`]) in batches of
    /// [`VERIFY_BATCH`] entries in parallel, running `work` on each batch; the batches in
    /// board order. `first` is the number of entry lines read before this window.
    ///
    /// # Errors
    /// [`ToolError::Document`] for the first entry line that does not parse, with its line
    /// number.
    pub fn parse<T: Send>(
        &self,
        lines: &[String],
        first: u64,
        work: impl Fn(&[BoardEntry]) -> T + Sync,
    ) -> ToolResult<Vec<(Vec<BoardEntry>, T)>> {
        lines
            .par_chunks(VERIFY_BATCH)
            .enumerate()
            .map(|(b, chunk)| {
                let entries = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        parse_entry(l).map_err(|e| {
                            let line = first + (b * VERIFY_BATCH + i) as u64 + 2;
                            ToolError::Invalid(format!(
                                "{}: line {line}: {e} [{}]",
                                self.path.display(),
                                e.code()
                            ))
                        })
                    })
                    .collect::<ToolResult<Vec<_>>>()?;
                let t = work(&entries);
                Ok((entries, t))
            })
            .collect()
    }
}

/// Reads a whole board into memory (for small boards and tests; every command streams).
///
/// # Errors
/// As [`BoardReader`].
pub fn read(path: &Path) -> ToolResult<BoardFile> {
    let mut reader = BoardReader::open(path)?;
    let mut entries = Vec::new();
    loop {
        let lines = reader.next_lines(window())?;
        if lines.is_empty() {
            break;
        }
        let first = entries.len() as u64;
        for (batch, ()) in reader.parse(&lines, first, |_| ())? {
            entries.extend(batch);
        }
    }
    Ok(BoardFile::from_parts(reader.header, entries))
}

/// A board being written: to `PATH.tmp`, renamed into place by [`BoardWriter::finish`], so
/// no reader ever sees half a board.
pub struct BoardWriter {
    path: PathBuf,
    tmp: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
}

impl BoardWriter {
    /// Creates the file (and its directory) and writes the header line.
    ///
    /// # Errors
    /// [`ToolError::Io`].
    pub fn create(path: &Path, header: &BoardHeader) -> ToolResult<BoardWriter> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| ToolError::io(dir, e))?;
        }
        let tmp = {
            let mut name = path.as_os_str().to_owned();
            name.push(".tmp");
            PathBuf::from(name)
        };
        let file = std::fs::File::create(&tmp).map_err(|e| ToolError::io(&tmp, e))?;
        let mut w = BoardWriter {
            path: path.to_path_buf(),
            tmp,
            out: std::io::BufWriter::with_capacity(1 << 16, file),
        };
        w.line(&header.to_line())?;
        Ok(w)
    }

    /// Writes one line (ending with its newline).
    ///
    /// # Errors
    /// [`ToolError::Io`].
    pub fn line(&mut self, line: &str) -> ToolResult<()> {
        self.out
            .write_all(line.as_bytes())
            .map_err(|e| ToolError::io(&self.tmp, e))
    }

    /// Copies the lines of a file as they are (entries already written one per line).
    ///
    /// # Errors
    /// [`ToolError::Io`].
    pub fn copy_from(&mut self, path: &Path) -> ToolResult<()> {
        let mut file = std::fs::File::open(path).map_err(|e| ToolError::io(path, e))?;
        std::io::copy(&mut file, &mut self.out).map_err(|e| ToolError::io(&self.tmp, e))?;
        Ok(())
    }

    /// Writes an entry's line.
    ///
    /// # Errors
    /// [`ToolError::Io`].
    pub fn entry(&mut self, entry: &BoardEntry) -> ToolResult<()> {
        self.line(&entry_line(entry))
    }

    /// Flushes, syncs and renames the file into place.
    ///
    /// # Errors
    /// [`ToolError::Io`].
    pub fn finish(self) -> ToolResult<()> {
        let file = self
            .out
            .into_inner()
            .map_err(|e| ToolError::io(&self.tmp, e.into_error()))?;
        file.sync_all().map_err(|e| ToolError::io(&self.tmp, e))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| ToolError::io(&self.path, e))
    }
}

/// Writes a board held in memory.
///
/// # Errors
/// [`ToolError::Io`].
pub fn write(path: &Path, board: &BoardFile) -> ToolResult<()> {
    let mut w = BoardWriter::create(path, &board.header())?;
    for e in &board.entries {
        w.entry(e)?;
    }
    w.finish()
}
