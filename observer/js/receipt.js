// "Check a receipt" (#receipt): a voter's receipt, and the signed heads an observer archived,
// checked against a running ballot box's board, as `amanat receipt check` and `amanat heads
// check` do against a record (authority/src/receipt.rs, authority/src/heads.rs; docs/record.md
// §5.1, §5.2). Three lines for the receipt:
//   1. receipt: signed by the ballot box key of the election (the module's verifyReceipt);
//   2. board: the entry at the receipt's index is exactly the one acknowledged — same ballot,
//      kind and time, and the same hash, which fixes the whole board before it (else MISSING,
//      OTHER_BALLOT, OTHER_KIND, OTHER_TIME or FORKED);
//   3. counts: a cast ballot is the one that counts for its credential (else REPLACED by a
//      later ballot of the same code, REPLAYED: an earlier ballot re-posted after it, or
//      CAST_AND_CHALLENGED); a challenged ballot was never cast.
// Then each archived head (and the receipt's own head, and the box's current one), once its
// signature verifies: the board's entry at that size must have that hash (FORKED), and two
// heads of the same size must agree (TWO_BOARDS).
// The receipt comes as a file, as pasted text, or as the QR code the voter page shows (scanned
// with the camera, or read from a screenshot or photo: js/qr-scan.js), whose text is then
// taken exactly as if pasted.

import { QrError, cameraScanner, readQrImage } from './qr-scan.js';
import { codeOf, el, evidenceLink, fetchJson, isolated, loadModule, useStyles, say as sayIn, translateMarked } from './remote.js';
import { boardOrigin } from './seal-code.js';

const MAX_TEXT = 4 << 20;

/** A receipt from what a voter holds: its JSON, the box's answer {receipt, ...}, or the page's receipt file (JSON at its end). */
export function parseReceipt(text) {
  const trimmed = String(text).trim();
  let json = trimmed;
  if (!trimmed.startsWith('{')) {
    const at = trimmed.indexOf('\n{');
    json = at >= 0 ? trimmed.slice(at).trim() : trimmed;
  }
  let value;
  try {
    value = JSON.parse(json);
  } catch {
    throw Object.assign(new Error('no receipt JSON in this text'), { code: 'MALFORMED_JSON' });
  }
  if (value && typeof value === 'object' && value.receipt && typeof value.receipt === 'object') value = value.receipt;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw Object.assign(new Error('not a receipt'), { code: 'MALFORMED_JSON' });
  }
  return value;
}

/** The receipt a QR code's text holds (as parseReceipt reads it, with a receipt's fields), or null. */
export function receiptOfQr(text) {
  let value;
  try {
    value = parseReceipt(text);
  } catch {
    return null;
  }
  const signed = value.signature && typeof value.signature === 'object';
  return typeof value.tracking === 'string' && typeof value.short === 'string' && signed ? value : null;
}

/** Signed heads and receipts from archived text: a JSON value, an array, or JSON Lines. */
export function parseHeads(text) {
  const out = [];
  const take = (v) => {
    if (Array.isArray(v)) return v.forEach(take);
    if (v && typeof v === 'object' && v.receipt) return take(v.receipt);
    if (v && typeof v === 'object' && typeof v.head === 'string') {
      // A signed head {entries, head, ...} or a receipt {index, head, ...} (its head is the
      // board just after its entry).
      if (Number.isSafeInteger(v.entries)) out.push({ entries: v.entries, head: v.head, closed: v.closed === true, from: 'head', time: v.time ?? null, signed: v });
      else if (Number.isSafeInteger(v.index)) out.push({ entries: v.index + 1, head: v.head, closed: false, from: 'receipt', time: v.received ?? null, signed: v });
    }
  };
  const trimmed = String(text).trim();
  if (!trimmed) return out;
  try {
    take(JSON.parse(trimmed));
  } catch {
    for (const line of trimmed.split('\n')) {
      if (!line.trim()) continue;
      try {
        take(JSON.parse(line));
      } catch {
        throw Object.assign(new Error('a line is not JSON'), { code: 'MALFORMED_JSON' });
      }
    }
  }
  return out;
}

/** The board's entry at `index` on the box, or null when the board is shorter. */
async function entryAt(origin, index) {
  const { body } = await fetchJson(`${origin}/api/board?from=${index}&limit=1`);
  const entry = Array.isArray(body.entries) ? body.entries[0] : undefined;
  return entry && entry.index === index ? entry : null;
}

/** Checks a receipt against the box at `origin`: resolves to {lines: [{id, ok, code, detail}], verified}. */
export async function checkReceipt(origin, receipt) {
  const amanat = await loadModule();
  const { text: electionText } = await fetchJson(`${origin}/api/election`);
  const election = amanat.Election.fromJson(electionText);
  const lines = [];

  // 1. The signature.
  let verified;
  try {
    verified = amanat.verifyReceipt(election, JSON.stringify(receipt));
    lines.push({ id: 'signature', ok: true, detail: `${verified.kind} ${verified.trackingCode} #${verified.index + 1}` });
  } catch (err) {
    lines.push({ id: 'signature', ok: false, code: codeOf(err) });
    return { lines, verified: null };
  }

  // 2. The entry exactly as acknowledged.
  const entry = await entryAt(origin, verified.index);
  if (!entry) {
    lines.push({ id: 'board', ok: false, code: 'MISSING' });
    return { lines, verified };
  }
  const differs = [];
  if (entry.tracking !== verified.trackingHash) differs.push('OTHER_BALLOT');
  if (entry.kind !== verified.kind) differs.push('OTHER_KIND');
  if (entry.received !== verified.received) differs.push('OTHER_TIME');
  if (differs.length === 0 && entry.hash !== verified.head) differs.push('FORKED');
  if (differs.length) {
    lines.push({ id: 'board', ok: false, code: differs.join(' '), detail: `${entry.kind} ${entry.short}` });
    return { lines, verified };
  }
  lines.push({ id: 'board', ok: true });

  // 3. What counts.
  let found;
  try {
    ({ body: found } = await fetchJson(`${origin}/api/board/${encodeURIComponent(verified.trackingCode)}`));
  } catch (err) {
    lines.push({ id: 'counts', ok: false, code: codeOf(err) });
    return { lines, verified };
  }
  const same = (found.entries || []).filter((e) => e.tracking === verified.trackingHash);
  const other = same.find((e) => e.kind !== verified.kind);
  if (other) {
    lines.push({ id: 'counts', ok: false, code: 'CAST_AND_CHALLENGED', detail: `#${other.index + 1}` });
    return { lines, verified };
  }
  if (verified.kind === 'challenge') {
    lines.push({ id: 'counts', ok: true, code: 'NEVER_COUNTED' });
    return { lines, verified };
  }
  const state = (found.states || []).find((s) => s.index === verified.index);
  if (state && state.state === 'counted') {
    lines.push({ id: 'counts', ok: true, code: 'COUNTED' });
  } else if (state && state.state === 'replaced') {
    // Replaced by a later ballot of the same credential: a revote, or the box re-posting a
    // ballot that was on the board before this one (a replay).
    const later = await entryAt(origin, state.by);
    let replay = false;
    if (later) {
      const { body: seen } = await fetchJson(`${origin}/api/board/${encodeURIComponent(later.short)}`);
      replay = (seen.entries || []).some((e) => e.tracking === later.tracking && e.kind === 'cast' && e.index < verified.index);
    }
    lines.push({ id: 'counts', ok: false, code: replay ? 'REPLAYED' : 'REPLACED', detail: `#${state.by + 1}` });
  } else {
    lines.push({ id: 'counts', ok: false, code: 'NOT_COUNTED' });
  }
  return { lines, verified };
}

/**
 * Checks heads (archived, from receipts, the box's current one) against the box's board and
 * against each other, as `amanat heads check` does against a record: resolves to
 * [{entries, head, from, ok, code}]. Each is first verified as signed by the election's ballot
 * box key (verifySignedHead, or verifyReceipt for a receipt): one that is not (`NOT_SIGNED`)
 * proves nothing and is compared with nothing. `election` is the module's Election.
 */
export async function checkHeads(origin, heads, election) {
  const amanat = await loadModule();
  const out = [];
  const bySize = new Map();
  for (const raw of heads) {
    const { signed, ...h } = raw;
    try {
      if (h.from === 'receipt') amanat.verifyReceipt(election, JSON.stringify(signed));
      else amanat.verifySignedHead(election, JSON.stringify(signed));
    } catch (err) {
      out.push({ ...h, ok: false, code: `NOT_SIGNED ${codeOf(err)}` });
      continue;
    }
    const seen = bySize.get(h.entries);
    if (seen && seen !== h.head) {
      out.push({ ...h, ok: false, code: 'TWO_BOARDS' });
      continue;
    }
    bySize.set(h.entries, h.head);
    if (h.entries === 0) {
      out.push({ ...h, ok: true });
      continue;
    }
    const entry = await entryAt(origin, h.entries - 1);
    if (!entry) out.push({ ...h, ok: false, code: 'MISSING' });
    else if (entry.hash !== h.head) out.push({ ...h, ok: false, code: 'FORKED' });
    else out.push({ ...h, ok: true });
  }
  return out;
}

/** The longest line read from a board file (a reference ballot's entry is ~24 KB). */
const MAX_LINE = 4 << 20;

/** The lines of a picked file, streamed: the file is never read whole. */
async function* linesOf(file) {
  const reader = file.stream().pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest += value;
    let at;
    while ((at = rest.indexOf('\n')) >= 0) {
      yield rest.slice(0, at);
      rest = rest.slice(at + 1);
    }
    if (rest.length > MAX_LINE) {
      reader.cancel();
      throw Object.assign(new Error('a line of the board is too long'), { code: 'INPUT_TOO_LARGE' });
    }
  }
  if (rest.trim()) yield rest;
}

const recordError = (message) => Object.assign(new Error(message), { code: 'BAD_RECORD' });

/**
 * Reads a record's board (board.jsonl: a header line, then one entry per line, docs/record.md
 * §2) as a stream, calling `visit(entry)` for each entry in order; resolves to the header.
 * The chain itself is checked by the verifier (the "verify a record" section, V4).
 */
async function readBoard(file, baseHash, visit) {
  let header = null;
  let next = 0;
  for await (const line of linesOf(file)) {
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      throw recordError(header ? `entry ${next} is not JSON` : 'the header is not JSON');
    }
    if (!header) {
      if (!value || typeof value.election !== 'string' || !Number.isSafeInteger(value.entries)) throw recordError('not a board.jsonl header');
      if (value.election !== baseHash) throw Object.assign(new Error('the board is of another election'), { code: 'WRONG_ELECTION' });
      header = value;
      continue;
    }
    if (!value || value.index !== next) throw recordError(`entry ${next} is not in its place`);
    visit(value);
    next += 1;
  }
  if (!header) throw recordError('the file is empty');
  if (next !== header.entries) throw recordError(`the header says ${header.entries} entries, the file holds ${next}`);
  return header;
}

/**
 * Checks a receipt, and heads, against a record: `election` (the module's Election, from the
 * record's election.json) and `boardFile` (its board.jsonl), read twice as a stream, never
 * whole: first up to the receipt's entry (whose credential the second pass follows), then to
 * the end. Resolves to {lines, heads} like the checks against a live box.
 */
export async function checkReceiptInRecord(election, boardFile, receipt, heads = []) {
  const amanat = await loadModule();
  const lines = [];
  const out = { lines, heads: [] };
  let verified = null;
  if (receipt) {
    try {
      verified = amanat.verifyReceipt(election, JSON.stringify(receipt));
      lines.push({ id: 'signature', ok: true, detail: `${verified.kind} ${verified.trackingCode} #${verified.index + 1}` });
    } catch (err) {
      lines.push({ id: 'signature', ok: false, code: codeOf(err) });
      verified = null;
    }
  }
  // What the second pass gathers: the receipt's entry, where its ballot appears, the casts of
  // its credential, and the hashes at the heads' sizes.
  const sizes = new Map(heads.filter((h) => h.entries > 0).map((h) => [h.entries - 1, null]));
  let credential = null;
  if (verified) {
    await readBoard(boardFile, election.baseHash, (e) => {
      if (e.index === verified.index && e.ballot) credential = e.ballot.credential;
    });
  }
  let mine = null;
  const appearances = [];
  const casts = [];
  const header = await readBoard(boardFile, election.baseHash, (e) => {
    if (sizes.has(e.index)) sizes.set(e.index, e.hash);
    if (!verified) return;
    if (e.index === verified.index) mine = e;
    if (e.tracking === verified.trackingHash) appearances.push({ kind: e.kind, index: e.index });
    if (credential && e.kind === 'cast' && e.ballot && e.ballot.credential === credential) {
      // Kept only for this credential: the casts of one voter.
      casts.push({ index: e.index, tracking: e.tracking, short: e.short, ballot: e.index > verified.index ? JSON.stringify(e.ballot) : null });
    }
  });
  if (verified) {
    if (!mine) lines.push({ id: 'board', ok: false, code: 'MISSING' });
    else {
      const differs = [];
      if (mine.tracking !== verified.trackingHash) differs.push('OTHER_BALLOT');
      if (mine.kind !== verified.kind) differs.push('OTHER_KIND');
      if (mine.received !== verified.received) differs.push('OTHER_TIME');
      if (differs.length === 0 && mine.hash !== verified.head) differs.push('FORKED');
      lines.push(differs.length ? { id: 'board', ok: false, code: differs.join(' ') } : { id: 'board', ok: true });
    }
    if (mine && lines.every((l) => l.ok)) lines.push(standing(amanat, election, verified, appearances, casts));
  }
  // Heads: each signed, and a prefix of this board.
  const bySize = new Map();
  for (const raw of heads) {
    const { signed, ...h } = raw;
    try {
      if (h.from === 'receipt') amanat.verifyReceipt(election, JSON.stringify(signed));
      else amanat.verifySignedHead(election, JSON.stringify(signed));
    } catch (err) {
      out.heads.push({ ...h, ok: false, code: `NOT_SIGNED ${codeOf(err)}` });
      continue;
    }
    const seen = bySize.get(h.entries);
    bySize.set(h.entries, h.head);
    if (seen && seen !== h.head) out.heads.push({ ...h, ok: false, code: 'TWO_BOARDS' });
    else if (h.entries > header.entries) out.heads.push({ ...h, ok: false, code: 'MISSING' });
    else if (h.entries > 0 && sizes.get(h.entries - 1) !== h.head) out.heads.push({ ...h, ok: false, code: 'FORKED' });
    else if (h.closed && h.entries !== header.entries) out.heads.push({ ...h, ok: false, code: 'FORKED' });
    else out.heads.push({ ...h, ok: true });
  }
  return out;
}

/** Line 3 against a record: what counts for the receipt's ballot (docs/record.md §3's rules for one voter). */
function standing(amanat, election, verified, appearances, casts) {
  const other = appearances.find((a) => a.kind !== verified.kind);
  if (other) return { id: 'counts', ok: false, code: 'CAST_AND_CHALLENGED', detail: `#${other.index + 1}` };
  if (verified.kind === 'challenge') return { id: 'counts', ok: true, code: 'NEVER_COUNTED' };
  // The latest later cast of the same credential whose ballot verifies replaces this one.
  const later = casts.filter((c) => c.index > verified.index).reverse().find((c) => {
    try {
      amanat.verifyBallot(election, c.ballot);
      return true;
    } catch {
      return false;
    }
  });
  if (!later) return { id: 'counts', ok: true, code: 'COUNTED' };
  const replay = casts.some((c) => c.tracking === later.tracking && c.index < verified.index);
  return { id: 'counts', ok: false, code: replay ? 'REPLAYED' : 'REPLACED', detail: `#${later.index + 1}` };
}

export async function mount(section, ctx) {
  const { t } = ctx;
  useStyles();
  const state = { outcome: null, busy: false };
  section.replaceChildren();
  section.classList.add('check-section');

  // The shell's heading of this section (index.html) stays; the rest is this module's.
  const title = section.querySelector('h1') || el('h1', null, { id: 'receipt-title', tabindex: '-1' });
  title.setAttribute('data-k', 'title');
  const intro = el('p', null, { 'data-k': 'intro' });
  const form = el('form', 'receipt-form', { id: 'receipt-form', novalidate: '' });
  const urlLabel = el('label', null, { for: 'receipt-url', 'data-k': 'urlLabel' });
  const url = el('input', null, { id: 'receipt-url', type: 'url', dir: 'ltr', inputmode: 'url', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://vote.example.org' });
  const fileLabel = el('label', null, { for: 'receipt-file', 'data-k': 'fileLabel' });
  const file = el('input', null, { id: 'receipt-file', type: 'file', accept: '.txt,.json,text/plain,application/json' });
  // Or the QR code the voter page shows: its text goes into the pasted text's box.
  const qr = el('fieldset', 'receipt-qr');
  const qrLegend = el('legend', null, { 'data-k': 'qrLegend' });
  const scanner = cameraScanner('receipt', {
    say: (node, key) => say(node, key),
    quiet: (node) => quiet(node),
    accept: (found) => takeQr(found),
  });
  const imageLabel = el('label', null, { for: 'receipt-image', 'data-k': 'imageLabel' });
  const image = el('input', null, { id: 'receipt-image', type: 'file', accept: 'image/*', 'aria-describedby': 'receipt-qr-error' });
  const qrRead = el('p', 'note', { id: 'receipt-qr-read', 'aria-live': 'polite' });
  const qrError = el('p', 'field-error', { id: 'receipt-qr-error', role: 'alert' });
  qr.append(qrLegend, scanner.box, imageLabel, image, qrRead, qrError);
  const textLabel = el('label', null, { for: 'receipt-text', 'data-k': 'textLabel' });
  const text = el('textarea', null, { id: 'receipt-text', rows: '4', dir: 'ltr', spellcheck: 'false' });
  const headsLabel = el('label', null, { for: 'receipt-heads', 'data-k': 'headsLabel' });
  const headsHint = el('p', 'note', { id: 'receipt-heads-hint', 'data-k': 'headsHint' });
  const heads = el('input', null, { id: 'receipt-heads', type: 'file', multiple: '', accept: '.json,.jsonl,.txt', 'aria-describedby': 'receipt-heads-hint' });
  // Or a record instead of a live box: its election.json and board.jsonl, streamed.
  const record = el('fieldset', 'record-files');
  const legend = el('legend', null, { 'data-k': 'recordLegend' });
  const recordHint = el('p', 'note', { id: 'receipt-record-hint', 'data-k': 'recordHint' });
  const electionLabel = el('label', null, { for: 'receipt-election', 'data-k': 'electionLabel' });
  const electionFile = el('input', null, { id: 'receipt-election', type: 'file', accept: '.json,application/json', 'aria-describedby': 'receipt-record-hint' });
  const boardLabel = el('label', null, { for: 'receipt-board', 'data-k': 'boardLabel' });
  const boardFile = el('input', null, { id: 'receipt-board', type: 'file', accept: '.jsonl,.json', 'aria-describedby': 'receipt-record-hint' });
  record.append(legend, recordHint, electionLabel, electionFile, boardLabel, boardFile);
  const error = el('p', 'field-error', { id: 'receipt-error', role: 'alert' });
  const submit = el('button', 'button primary', { type: 'submit', id: 'receipt-check', 'data-k': 'check' });
  form.append(urlLabel, url, fileLabel, file, qr, textLabel, text, headsLabel, headsHint, heads, record, error, submit);
  const progress = el('p', 'note', { id: 'receipt-progress', 'aria-live': 'polite' });
  const result = el('div', 'receipt-result', { id: 'receipt-result', hidden: '' });
  section.append(title, intro, form, progress, result);

  function apply() {
    translateMarked(t, section);
    if (state.outcome) render();
  }

  const say = (node, key, args) => sayIn(t, node, key, args);

  function quiet(node) {
    node.removeAttribute('data-k');
    node.removeAttribute('data-k-args');
    node.textContent = '';
  }

  /** A receipt's QR code read: its text in the pasted text's box (any picked file dropped). */
  function takeQr(found) {
    const receipt = receiptOfQr(found);
    if (!receipt) return false;
    quiet(qrError);
    file.value = '';
    text.value = found.trim();
    say(qrRead, 'qrRead', { code: receipt.short });
    return true;
  }

  image.addEventListener('change', async () => {
    quiet(qrRead);
    quiet(qrError);
    const picked = image.files && image.files[0];
    if (!picked) return;
    scanner.stop();
    let found;
    try {
      found = await readQrImage(picked);
    } catch (err) {
      say(qrError, `qrErrors.${err instanceof QrError ? err.code : 'UNAVAILABLE'}`);
      return;
    }
    if (!takeQr(found)) say(qrError, 'qrErrors.NOT_A_RECEIPT');
  });

  const readFile = async (f) => {
    if (f.size > MAX_TEXT) throw Object.assign(new Error('too large'), { code: 'INPUT_TOO_LARGE' });
    return f.text();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (state.busy) return;
    error.removeAttribute('data-k');
    error.textContent = '';
    // The last result goes at once: nothing on screen may pass for this check's.
    result.hidden = true;
    const fromRecord = Boolean(boardFile.files && boardFile.files[0]);
    if (fromRecord && !(electionFile.files && electionFile.files[0])) {
      say(error, 'errors.NO_ELECTION');
      electionFile.focus();
      return;
    }
    let origin = null;
    if (!fromRecord) {
      try {
        origin = boardOrigin(url.value.trim().replace(/\/+$/, ''));
      } catch {
        say(error, 'errors.BAD_URL');
        url.focus();
        return;
      }
    }
    let receipt = null;
    let archived = [];
    try {
      const receiptText = file.files && file.files[0] ? await readFile(file.files[0]) : text.value;
      if (receiptText.trim()) receipt = parseReceipt(receiptText);
      for (const f of heads.files || []) archived.push(...parseHeads(await readFile(f)));
    } catch (err) {
      say(error, 'errors.BAD_INPUT', { code: codeOf(err) });
      return;
    }
    if (!receipt && archived.length === 0) {
      say(error, 'errors.NOTHING');
      text.focus();
      return;
    }
    state.busy = true;
    submit.disabled = true;
    say(progress, 'checking');
    try {
      const outcome = { origin, record: fromRecord ? boardFile.files[0].name : null, checked: new Date().toISOString(), receipt, lines: null, heads: [] };
      if (fromRecord) {
        const amanat = await loadModule();
        const election = amanat.Election.fromJson(await readFile(electionFile.files[0]));
        const withOwn = receipt && typeof receipt.head === 'string' && Number.isSafeInteger(receipt.index) ? [...parseHeads(JSON.stringify(receipt)), ...archived] : archived;
        Object.assign(outcome, await checkReceiptInRecord(election, boardFile.files[0], receipt, withOwn));
      } else {
        if (receipt) Object.assign(outcome, await checkReceipt(origin, receipt));
        if (receipt && typeof receipt.head === 'string' && Number.isSafeInteger(receipt.index)) archived = [...parseHeads(JSON.stringify(receipt)), ...archived];
        if (archived.length) {
          const amanat = await loadModule();
          const election = amanat.Election.fromJson((await fetchJson(`${origin}/api/election`)).text);
          const { body: current } = await fetchJson(`${origin}/api/head`);
          outcome.heads = await checkHeads(origin, [...archived, ...parseHeads(JSON.stringify(current)).map((h) => ({ ...h, from: 'current' }))], election);
        }
      }
      delete outcome.verified;
      state.outcome = outcome;
    } catch (err) {
      say(error, fromRecord ? 'errors.RECORD' : 'errors.UNREACHABLE', { code: codeOf(err) });
      state.outcome = null;
      return;
    } finally {
      state.busy = false;
      submit.disabled = false;
      progress.removeAttribute('data-k');
      progress.textContent = '';
    }
    render();
    result.hidden = false;
    result.querySelector('h2').focus();
  });

  function line(id, ok, code, detail, label) {
    const item = el('li', ok ? 'check-ok' : 'check-bad', { 'data-check': id, 'data-ok': String(ok), 'data-code': code || '' });
    const verdict = el('span', 'check-verdict');
    verdict.textContent = ok ? t('pass') : t('fail');
    const name = el('span', 'check-name');
    name.textContent = label;
    item.append(verdict, ' ', name);
    if (code) item.append(' ', isolated(code, 'code'));
    if (code && t(`codes.${code.split(' ')[0]}`) !== `codes.${code.split(' ')[0]}`) {
      const explain = el('span', 'check-detail');
      explain.textContent = t(`codes.${code.split(' ')[0]}`, { at: detail || '' });
      item.append(explain);
    }
    return item;
  }

  function render() {
    const o = state.outcome;
    const lines = o.lines || [];
    const ok = lines.every((l) => l.ok) && o.heads.every((h) => h.ok);
    result.replaceChildren();
    const heading = el('h2', null, { id: 'receipt-result-heading', tabindex: '-1' });
    heading.textContent = t(ok ? 'okHeading' : 'badHeading');
    const where = el('p', 'note');
    if (o.record) where.append(t('whereRecord'), ' ', isolated(o.record, 'origin-value'));
    else where.append(t('where'), ' ', isolated(o.origin, 'origin-value'));
    result.append(heading, where);
    if (lines.length) {
      const list = el('ol', 'checks', { id: 'receipt-lines' });
      for (const l of lines) list.append(line(l.id, l.ok, l.code, l.detail, t(`lines.${l.id}`)));
      result.append(list);
    }
    if (o.heads.length) {
      const h = el('h3');
      h.textContent = t('headsHeading');
      const list = el('ul', 'checks', { id: 'receipt-heads-result' });
      for (const x of o.heads) {
        list.append(line(`head-${x.entries}`, x.ok, x.code, '', t(`headFrom.${x.from}`, { n: x.entries })));
      }
      const note = el('p', 'note');
      note.textContent = t('headsNote');
      result.append(h, list, note);
    }
    if (!ok) {
      const box = el('div', 'error-box', { id: 'receipt-evidence', role: 'alert' });
      const report = el('p');
      report.textContent = t('report');
      const evidence = { kind: 'amanat-receipt-check', checked: o.checked, box: o.origin, record: o.record, receipt: o.receipt, lines, heads: o.heads };
      box.append(report, evidenceLink(t('download'), 'amanat-receipt-evidence.json', evidence));
      result.append(box);
    }
  }

  apply();
  ctx.onLanguageChange(() => apply());
}
