// The lines of board.jsonl from a stream of bytes (File.stream() or a fetch body), read as
// they are needed: nothing is read ahead of what the caller asks for (back-pressure), and
// at most one line is held partly read. The same bounds and messages as the command line's
// reader (authority/src/files.rs, docs/record.md §2): a line of at most LINE_MAX bytes of
// UTF-8, every line ending with a newline; the header is line 1.

export const LINE_MAX = 16 * 1024 * 1024;

/** A failure to read the board: `message` is what the report says, `code` a stable code. */
export class BoardReadError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export class LineReader {
  /** `stream`: a ReadableStream of Uint8Array. */
  constructor(stream) {
    this.reader = stream.getReader();
    this.decoder = new TextDecoder('utf-8', { fatal: true });
    this.chunk = new Uint8Array(0); // bytes read, not yet returned
    this.offset = 0;
    this.parts = []; // the current line's earlier bytes, when it spans chunks
    this.partLength = 0;
    this.number = 0; // lines returned
    this.bytes = 0; // bytes consumed
    this.done = false;
  }

  /** The next line without its newline, or null at the end of the stream. */
  async next() {
    for (;;) {
      const at = this.chunk.indexOf(10, this.offset);
      if (at >= 0) {
        const tail = this.chunk.subarray(this.offset, at);
        this.offset = at + 1;
        return this.finishLine(tail);
      }
      const rest = this.chunk.subarray(this.offset);
      if (rest.length) {
        this.parts.push(rest);
        this.partLength += rest.length;
      }
      this.chunk = new Uint8Array(0);
      this.offset = 0;
      if (this.partLength > LINE_MAX) {
        throw this.fail('INPUT_TOO_LARGE', `line ${this.number + 1} is longer than ${LINE_MAX} bytes`);
      }
      if (this.done) {
        if (this.partLength === 0) return null;
        throw this.fail('MALFORMED_JSON', `line ${this.number + 1} does not end with a newline`);
      }
      const { value, done } = await this.reader.read();
      if (done) this.done = true;
      else this.chunk = value instanceof Uint8Array ? value : new Uint8Array(value);
    }
  }

  /** Up to `max` more lines (fewer only at the end). */
  async take(max) {
    const out = [];
    while (out.length < max) {
      const line = await this.next();
      if (line === null) break;
      out.push(line);
    }
    return out;
  }

  finishLine(tail) {
    const length = this.partLength + tail.length;
    this.number += 1;
    this.bytes += length + 1;
    if (length > LINE_MAX) {
      throw this.fail('INPUT_TOO_LARGE', `line ${this.number} is longer than ${LINE_MAX} bytes`, true);
    }
    let bytes = tail;
    if (this.parts.length) {
      bytes = new Uint8Array(length);
      let at = 0;
      for (const p of this.parts) {
        bytes.set(p, at);
        at += p.length;
      }
      bytes.set(tail, at);
      this.parts = [];
      this.partLength = 0;
    }
    try {
      return this.decoder.decode(bytes);
    } catch {
      throw this.fail('MALFORMED_JSON', `line ${this.number} is not UTF-8 text`, true);
    }
  }

  fail(code, what) {
    this.cancel();
    return new BoardReadError(code, `board.jsonl: ${what}`);
  }

  /** Stops reading (the rest of the stream is not fetched). */
  cancel() {
    this.reader.cancel().catch(() => {});
  }
}
