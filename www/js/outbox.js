// The outbox: sealed ballots waiting to reach the box, and the receipts that came back, for
// cast ballots and for challenged (opened, never counted) ones alike.
//
// Only what the box may see is ever stored: the sealed ballot JSON (ciphertexts, proofs,
// signature), its tracking code, and the receipts. Never the choices, the seed or the code
// (a challenge's reveal goes to the board once and is not kept).
// Sending is safe to repeat: the box answers a ballot it already holds (same tracking hash)
// with the same receipt and does not append it again, so a retry can never double-cast.
// Ballots are sent one at a time in the order they were sealed, so a revote stays the later.
//
// A receipt is kept as a receipt only once it checks: signed by the ballot box key the
// election names, for this very ballot. One that does not check leaves the ballot in the
// outbox, marked with the receipt and its error code (the evidence to report); it is sent
// again only when asked (a retry, a reload, the network coming back), never in a loop. A
// ballot the box refuses for good (its own JSON error: UNKNOWN_CREDENTIAL, POLLS_CLOSED, ...)
// is kept too, marked `refused` with the box's code, and never sent again: it is the voter's
// evidence and must not vanish.
//
// Between sealing and casting, the sealed ballot (alone) is held under its own key, so that
// leaving or reloading the page brings the voter back to cast it or discard it.

import { ApiError, castBallot } from './api.js';

const OUTBOX_KEY = 'amanat.outbox';
const SEALED_KEY = 'amanat.sealed';
const RECEIPTS_KEY = 'amanat.receipts';
const EVIDENCE_KEY = 'amanat.evidence';
const KEEP = 20;
const MAX_DELAY_MS = 60_000;

// If the browser refuses storage (private mode, full disk) the lists live in memory for as
// long as the page is open: the ballot is still sent, only not kept across a reload.
const memory = new Map();

function read(key) {
  if (memory.has(key)) return memory.get(key);
  try {
    const value = JSON.parse(localStorage.getItem(key) || '[]');
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

function write(key, list) {
  try {
    localStorage.setItem(key, JSON.stringify(list));
    memory.delete(key);
  } catch {
    memory.set(key, list);
  }
}

/** Sealed ballots not yet acknowledged by the box with a receipt that checks, oldest first.
 *  An entry whose receipt did not check carries `unverified: {code, receipt}`, and, once the
 *  box has refused it for good, `refused: {code}` (kept as evidence, never sent again). */
export function pending() {
  return read(OUTBOX_KEY);
}

/** The waiting ballots whose receipt from the box did not check. */
export function unverified() {
  return pending().filter((e) => e.unverified);
}

/** Receipts kept on this device (each checked when it arrived; `kind` says cast or
 *  challenge), newest first. */
export function receipts() {
  return read(RECEIPTS_KEY);
}

/** Keeps a receipt that checked (a cast ballot's or a challenge's), newest first. */
export function keepReceipt(receipt) {
  const rest = receipts().filter((r) => !(r.tracking === receipt.tracking && r.kind === receipt.kind));
  write(RECEIPTS_KEY, [receipt, ...rest].slice(0, KEEP));
}

/** Challenge receipts that did not check, newest first:
 *  {kind: 'challenge', trackingHash, trackingCode, code, receipt, keptAt}. (A cast ballot's
 *  receipt that did not check stays with its sealed ballot in the outbox instead.) */
export function evidence() {
  return read(EVIDENCE_KEY);
}

/** Keeps the box's answer to a challenge whose receipt did not check, as evidence. */
export function keepEvidence({ kind, trackingHash, trackingCode, code, receipt }) {
  const rest = evidence().filter((e) => !(e.trackingHash === trackingHash && e.kind === kind));
  const item = { kind, trackingHash, trackingCode, code, receipt, keptAt: new Date().toISOString() };
  write(EVIDENCE_KEY, [item, ...rest].slice(0, KEEP));
}

/** Removes every kept receipt, and the challenge receipts kept as evidence, from this device
 *  (the voter's choice: a phone someone else may hold should not show that its owner voted
 *  again). A waiting ballot and its evidence stay in the outbox. */
export function forgetReceipts() {
  write(RECEIPTS_KEY, []);
  write(EVIDENCE_KEY, []);
}

/** The sealed ballot the voter has not yet cast or discarded, or null: {trackingHash,
 *  trackingCode, ballotJson, sealedAt}. Kept from sealing until the voter casts it (then it
 *  moves to the outbox) or discards it, so leaving or reloading the page cannot lose it. Only
 *  the sealed ballot: never the choices, the seed or the code (so it can be cast, not checked:
 *  a check of the seal needs the seed, and so a fresh seal). */
export function held() {
  const list = read(SEALED_KEY);
  const entry = list[list.length - 1];
  return entry && typeof entry.ballotJson === 'string' ? entry : null;
}

/** Holds a sealed ballot the voter has not decided on yet (one at a time). */
export function hold({ trackingHash, trackingCode, ballotJson }) {
  write(SEALED_KEY, [{ trackingHash, trackingCode, ballotJson, sealedAt: new Date().toISOString() }]);
}

/** Lets go of the held sealed ballot: cast (already in the outbox), checked, or discarded. */
export function release() {
  write(SEALED_KEY, []);
}

/** Moves the held sealed ballot to the outbox (kept there before it is let go of, so there is
 *  no moment when it is in neither). Returns the outbox entry, or null if none was held. */
export function castHeld() {
  const entry = held();
  if (!entry) return null;
  keep(entry);
  release();
  return entry;
}

/** The ballots the box refused for good (kept as evidence, never sent again), newest last. */
export function refused() {
  return pending().filter((e) => e.refused && !e.unverified);
}

/** Keeps a sealed ballot until the box has it. */
export function keep({ trackingHash, trackingCode, ballotJson }) {
  const list = pending().filter((e) => e.trackingHash !== trackingHash);
  list.push({ trackingHash, trackingCode, ballotJson, sealedAt: new Date().toISOString() });
  write(OUTBOX_KEY, list);
}

/** Marks a waiting ballot as refused for good by the box (kept as evidence, never sent again). */
function markRefused(trackingHash, code) {
  write(OUTBOX_KEY, pending().map((e) => (e.trackingHash === trackingHash ? { ...e, refused: { code } } : e)));
}

/** Marks a waiting ballot as answered with a receipt that does not check. */
function markUnverified(trackingHash, receipt, code) {
  write(OUTBOX_KEY, pending().map((e) => (e.trackingHash === trackingHash ? { ...e, unverified: { code, receipt } } : e)));
}

function settle(trackingHash, receipt) {
  write(OUTBOX_KEY, pending().filter((e) => e.trackingHash !== trackingHash));
  if (receipt) keepReceipt(receipt);
}

/**
 * Sends each waiting ballot once per run, oldest first, until all were tried or the network
 * fails (then it tries again later, backing off up to a minute, and at once when the browser
 * reports it is back online). Each receipt is checked with the function given to
 * `checkWith` (nothing is sent before there is one); it returns null for a receipt that
 * checks, else the error code. Listeners hear:
 *   {type: 'sending', entry} | {type: 'sent', entry, receipt} |
 *   {type: 'unverified', entry, receipt, code} |
 *   {type: 'refused', entry, error} | {type: 'waiting', entry, error, delay}
 */
export class Sender {
  constructor() {
    this.listeners = new Set();
    this.running = null;
    this.timer = null;
    this.delay = 2000;
    this.check = null;
    window.addEventListener('online', () => this.flush());
  }

  on(listener) {
    this.listeners.add(listener);
  }

  /** Sets how receipts are checked: `check(entry, receipt)` → null, or an error code. */
  checkWith(check) {
    this.check = check;
  }

  emit(event) {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        // A fault in the display must not stop the sending; report it as an uncaught error.
        setTimeout(() => {
          throw err;
        });
      }
    }
  }

  /** Starts sending now (or joins the send already running). */
  flush() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  async run() {
    if (!this.check) return;
    const tried = new Set();
    for (;;) {
      const entry = pending().find((e) => !tried.has(e.trackingHash) && !e.refused);
      if (!entry) {
        this.delay = 2000;
        return;
      }
      tried.add(entry.trackingHash);
      this.emit({ type: 'sending', entry });
      let receipt;
      try {
        receipt = await castBallot(entry.ballotJson);
      } catch (error) {
        // Only a definite "no" from the box drops a ballot; anything else is tried again.
        if (!(error instanceof ApiError) || error.retryable) {
          const delay = this.delay;
          this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
          this.timer = setTimeout(() => this.flush(), delay);
          this.emit({ type: 'waiting', entry, error, delay });
          return;
        }
        // Keep the evidence, never sent again: the ballot the box refused (and, if it had
        // answered it before with a receipt that did not check, that receipt too).
        markRefused(entry.trackingHash, error.code);
        this.emit({ type: 'refused', entry: { ...entry, refused: { code: error.code } }, error });
        continue;
      }
      this.delay = 2000;
      let code;
      try {
        code = this.check(entry, receipt);
      } catch {
        code = 'INTERNAL';
      }
      if (code) {
        markUnverified(entry.trackingHash, receipt, code);
        this.emit({ type: 'unverified', entry: { ...entry, unverified: { code, receipt } }, receipt, code });
        continue;
      }
      settle(entry.trackingHash, receipt);
      this.emit({ type: 'sent', entry, receipt });
    }
  }
}
