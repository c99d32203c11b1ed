// The coordinating worker of the record's verification (docs/observer.md). It reads the
// record's small documents whole and the board as a stream, a batch of lines at a time;
// plans each batch without parsing its ballots (the part of the credential list its ballots
// need, which of them go into the sums), sends the lines with the plan to the least busy
// checking worker (checker.js: parsing, every proof and reveal, the entries' summaries and
// the batch's sums: all the work that grows with a ballot), and pushes each batch's outcome
// into the verifier in board order (the chain, the counting and board rules, the sums). At
// most two batches per worker are read and not yet pushed: the board is read no faster than
// the workers verify it, and no worker ever holds the whole credential list. A record whose
// ballots cannot be checked (V1 or V3 failed) is gone through here, without workers.
//
// Messages in: {type: 'start', source: {files: File[]} | {url: string}, workers: number}.
// Out: {type: 'documents', election}, {type: 'progress', done, total},
// {type: 'report', report, entries, seconds, boardSeconds, coordinatorSeconds} (the last: time
// this worker was busy on the board), {type: 'error', code, message}.

import init, { RecordVerifier } from '../../verifier/amanat_observer.js';
import { BoardReadError, LineReader } from './lines.js';

/** Entries per batch: the library's VERIFY_BATCH, one multiscalar check per batch. */
const BATCH = 64;
/** Batches read ahead per worker. */
const AHEAD = 2;
const DOCUMENTS = ['election', 'ceremony', 'credentials', 'tally', 'decryption', 'results'];
const BOARD = 'board.jsonl';
/** The largest small document taken whole (the credential list of ~10 million voters). */
const DOCUMENT_MAX = 1024 * 1024 * 1024;

class TypedError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** A board line that does not parse (found by a checking worker): the board fails with it. */
class BoardLineError extends TypedError {}

/** Where the record's files come from: picked files (by name) or a base URL. */
function recordSource(source) {
  if (source.files) {
    const byName = new Map();
    for (const file of source.files) {
      const path = file.webkitRelativePath || file.name;
      const depth = path.split('/').length;
      const had = byName.get(file.name);
      // A directory holding the record deeper down (e.g. a simulation's record/): the
      // shallowest file of each name is the record's.
      if (!had || depth < had.depth) byName.set(file.name, { file, depth });
    }
    return {
      async text(name) {
        const entry = byName.get(name);
        if (!entry) return { error: `${name}: not among the files given` };
        if (entry.file.size > DOCUMENT_MAX) return { error: `${name}: larger than ${DOCUMENT_MAX} bytes` };
        try {
          return await entry.file.text();
        } catch (e) {
          return { error: `${name}: ${e.message}` };
        }
      },
      async stream(name) {
        const entry = byName.get(name);
        if (!entry) throw new BoardReadError('IO', `${name}: not among the files given`);
        return entry.file.stream();
      },
    };
  }
  let base;
  try {
    base = new URL(source.url.endsWith('/') ? source.url : `${source.url}/`);
  } catch {
    throw new TypedError('BAD_URL', `not a URL: ${source.url}`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new TypedError('BAD_URL', `not an http(s) URL: ${source.url}`);
  }
  const get = async (name) => {
    let response;
    try {
      response = await fetch(new URL(name, base), { credentials: 'omit', cache: 'no-store' });
    } catch (e) {
      throw new BoardReadError('NETWORK', `${name}: could not be fetched (${e.message})`);
    }
    if (!response.ok) throw new BoardReadError('NETWORK', `${name}: HTTP ${response.status}`);
    return response;
  };
  return {
    async text(name) {
      try {
        const response = await get(name);
        const length = Number(response.headers.get('content-length'));
        if (length > DOCUMENT_MAX) return { error: `${name}: larger than ${DOCUMENT_MAX} bytes` };
        return await response.text();
      } catch (e) {
        return { error: e.message };
      }
    },
    async stream(name) {
      return (await get(name)).body;
    },
  };
}

/** Time this worker spent working on the board (parsing, pushing), not waiting: its share
 *  of the work, which no number of checking workers makes faster. */
let busy = 0;
function timed(f) {
  const t = performance.now();
  try {
    return f();
  } finally {
    busy += performance.now() - t;
  }
}

/** The checking workers, each given one batch at a time in turn of who is least busy. */
class Pool {
  constructor(size, module, election) {
    this.jobs = new Map();
    this.next = 0;
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./checker.js', import.meta.url), { type: 'module' });
      const slot = { worker, busy: 0 };
      worker.onmessage = ({ data }) => {
        const job = this.jobs.get(data.id);
        this.jobs.delete(data.id);
        slot.busy -= 1;
        if (data.error) job.reject(new TypedError(data.error.code, data.error.message));
        else if (data.boardError) job.reject(new BoardLineError(data.boardError.code, data.boardError.message));
        else job.resolve(data.outcome);
      };
      worker.onerror = (event) => {
        event.preventDefault();
        for (const job of this.jobs.values()) job.reject(new TypedError('INTERNAL', `a checking worker failed: ${event.message}`));
        this.jobs.clear();
      };
      worker.postMessage({ type: 'init', module, election });
      return slot;
    });
  }

  check(lines, firstLine, credentials, sum) {
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    slot.busy += 1;
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { resolve, reject });
      slot.worker.postMessage({ type: 'check', id, lines, firstLine, credentials, sum }, [sum.buffer]);
    });
  }

  close() {
    for (const { worker } of this.workers) worker.terminate();
  }
}

/** The verifier's module, compiled once here and given to every checking worker. */
async function compileVerifier() {
  const url = new URL('../../verifier/amanat_observer_bg.wasm', import.meta.url);
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    // A server that does not send application/wasm cannot be compiled as it streams.
    if ((response.headers.get('content-type') || '').startsWith('application/wasm')) {
      return await WebAssembly.compileStreaming(response);
    }
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch (e) {
    throw new TypedError('MODULE_NOT_FOUND', `the verifier's module ${url.pathname} could not be loaded: ${e.message}`);
  }
}

async function verify({ source, workers }) {
  const started = performance.now();
  const from = recordSource(source);
  const module = await compileVerifier();
  await init({ module_or_path: module });
  const texts = await Promise.all(DOCUMENTS.map((d) => from.text(`${d}.json`)));
  const election = typeof texts[0] === 'string' ? texts[0] : null;
  postMessage({ type: 'documents', election });
  const verifier = new RecordVerifier(...texts);
  texts.length = 0; // the credential list's text is not kept
  let pool = null;
  let entries = 0;
  let boardSeconds = 0;
  try {
    const total = await readHeader(verifier, from);
    if (total !== null) {
      const boardStart = performance.now();
      if (verifier.checksBallots()) pool = new Pool(Math.max(1, workers), module, election);
      entries = await board(verifier, total.reader, total.entries, pool, workers);
      boardSeconds = (performance.now() - boardStart) / 1000;
    }
  } finally {
    pool?.close();
  }
  const report = JSON.parse(verifier.finish());
  postMessage({
    type: 'report',
    report,
    entries,
    seconds: (performance.now() - started) / 1000,
    boardSeconds,
    coordinatorSeconds: busy / 1000,
  });
}

/** Opens the board and gives its first line to the verifier; null when it cannot be read. */
async function readHeader(verifier, from) {
  let reader;
  try {
    reader = new LineReader(await from.stream(BOARD));
    const line = await reader.next();
    if (line === null) {
      verifier.boardFailed(`${BOARD}: an empty file, not a board [MALFORMED_JSON]`);
      return null;
    }
    return { reader, entries: verifier.beginBoard(line) };
  } catch (e) {
    reader?.cancel();
    // A header that does not parse was recorded by beginBoard itself.
    if (e instanceof BoardReadError) verifier.boardFailed(e.message);
    return null;
  }
}

/** The board's entries, batch after batch, checked by the pool (or here) and pushed in order. */
async function board(verifier, reader, total, pool, workers) {
  const inFlight = [];
  const limit = AHEAD * Math.max(1, workers);
  let done = 0;
  let lineNumber = 2;
  let lastProgress = 0;
  const pushOldest = async () => {
    const { batch, work, size } = inFlight.shift();
    const result = await work;
    timed(() => (batch ? verifier.push(batch, result) : verifier.pushOutcome(result, size)));
    done += size;
    const now = performance.now();
    if (now - lastProgress > 200) {
      lastProgress = now;
      postMessage({ type: 'progress', done, total });
    }
  };
  const stop = () => {
    reader.cancel();
    for (const { batch, work } of inFlight) {
      work.catch(() => {});
      batch?.free();
    }
    return done;
  };
  for (;;) {
    let lines;
    try {
      lines = await reader.take(BATCH);
    } catch (e) {
      if (!(e instanceof BoardReadError)) throw e;
      verifier.boardFailed(e.message);
      return stop();
    }
    if (lines.length === 0) break;
    if (pool) {
      const plan = timed(() => verifier.planBatch(lines));
      const work = pool.check(lines, lineNumber, plan.credentials(), plan.sum());
      plan.free();
      inFlight.push({ batch: null, work, size: lines.length });
    } else {
      let batch;
      try {
        batch = timed(() => verifier.parseBatch(lines, lineNumber));
      } catch (e) {
        // The line that does not parse, with its number and code, is recorded by parseBatch.
        if (!e.code) throw e;
        return stop();
      }
      inFlight.push({ batch, work: Promise.resolve(timed(() => verifier.checkHere(batch))), size: lines.length });
    }
    lineNumber += lines.length;
    if (inFlight.length >= limit) {
      try {
        await pushOldest();
      } catch (e) {
        if (!(e instanceof BoardLineError)) throw e;
        verifier.boardFailed(e.message);
        return stop();
      }
    }
  }
  try {
    while (inFlight.length) await pushOldest();
  } catch (e) {
    if (!(e instanceof BoardLineError)) throw e;
    verifier.boardFailed(e.message);
    return stop();
  }
  postMessage({ type: 'progress', done, total });
  return done;
}

onmessage = ({ data }) => {
  if (data?.type !== 'start') return;
  verify(data).catch((e) => {
    postMessage({ type: 'error', code: e.code || 'INTERNAL', message: e.message || String(e) });
  });
};
