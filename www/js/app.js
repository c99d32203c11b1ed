// The voter's path: code → ballot → review → seal → cast or check → receipt, plus the outbox
// that carries a sealed ballot to the box when the network allows, and the board lookup.
// A receipt, for a cast ballot or a challenged one, is shown as a receipt only after the
// module has checked it against the election this page holds (signed by the ballot box key
// the election names, for this ballot, of this kind); one that does not check is shown as a
// warning, with its error code, and kept as evidence (a cast ballot also stays in the outbox).
//
// What the page holds, and for how long: the voting code and the choices live only in memory
// and in the (hidden) form, until the ballot is cast; then both are wiped. A challenged
// ballot's reveal is shown once and dropped. Only sealed ballots and receipts are stored.

import * as i18n from './i18n.js';
import * as api from './api.js';
import * as outbox from './outbox.js';
import * as ballot from './ballot.js';
import * as lookup from './lookup.js';
import { boardNumber, hideReceiptQr, renderReceipt, refreshDownload, refreshTimes, toggleReceiptQr } from './receipt.js';

const $ = (id) => document.getElementById(id);

/** Which of the five visible steps each screen belongs to. */
const STEP_OF = {
  code: 'code',
  ballot: 'ballot',
  review: 'review',
  sealing: 'seal',
  tracking: 'seal',
  challenge: 'seal',
  sending: 'seal',
  outbox: 'seal',
  unverified: 'seal',
  refused: 'seal',
  receipt: 'receipt',
};
const STEPS = ['code', 'ballot', 'review', 'seal', 'receipt'];
const MIN_PROGRESS_MS = 500;

const state = {
  amanat: null,
  election: null,
  title: null,
  code: null,
  style: null,
  selections: null,
  sealed: null,
  awaiting: null,
  receipt: null,
  challengeReceipt: null,
  backgroundReceipt: null,
  screen: 'loading',
  beforeLookup: 'code',
  lookup: null,
  // Where each kept receipt's ballot stands on the board (lookup.boardStateOf), fetched
  // each time the look-up screen opens; `visit` counts the openings so a late answer from
  // an earlier one is dropped.
  kept: { boards: new Map(), visit: 0 },
  codeStatus: null,
  // What the box said about each credential key asked this visit (listStanding).
  listed: new Map(),
};

const sender = new outbox.Sender();

/** Screens that only pass (a progress bar): they take no place in the browser's history. */
const PASSING = new Set(['loading', 'sealing', 'sending']);

// ---------------------------------------------------------------------------------------
// Screens, focus and announcements

function show(name, { focus = true, history: how = 'push' } = {}) {
  for (const screen of document.querySelectorAll('.screen')) screen.hidden = screen.id !== `screen-${name}`;
  state.screen = name;
  remember(name, how);
  const step = STEP_OF[name];
  $('steps').hidden = !step;
  const at = STEPS.indexOf(step);
  if (step) i18n.bind($('steps-compact'), 'steps.progress', { n: at + 1, total: STEPS.length, name: `@steps.${step}` });
  document.querySelectorAll('#steps li').forEach((li, i) => {
    li.classList.toggle('done', i < at);
    if (i === at) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  });
  updateBanner();
  window.scrollTo(0, 0);
  if (focus) $(`${name}-title`).focus();
}

// ---------------------------------------------------------------------------------------
// The browser's Back and Forward move between the page's own steps

/**
 * Gives each screen the voter reaches its own entry in the browser's history, so Android's
 * Back button (and Forward) moves between steps instead of leaving the page mid-vote.
 * `how`: 'push' a new entry, 'replace' the current one, or 'none' (the entry already says it).
 */
function remember(name, how) {
  if (PASSING.has(name) || how === 'none') return;
  const at = history.state && history.state.amanat;
  if (at === name) return;
  const url = name === 'lookup' ? '#lookup' : window.location.pathname + window.location.search;
  if (how === 'replace' || !at) history.replaceState({ amanat: name }, '', url);
  else history.pushState({ amanat: name }, '', url);
}

/**
 * The screen a history entry may show now: a step whose content is gone (choices wiped after
 * casting, a receipt from an earlier visit) falls back to the nearest one that still makes
 * sense, and a sealed ballot not yet cast keeps the voter at the cast-or-discard decision.
 */
function screenFor(wanted) {
  const sealedWaiting = Boolean(state.sealed || outbox.held());
  const beforeSeal = ['code', 'ballot', 'review', 'challenge'];
  if (sealedWaiting && (beforeSeal.includes(wanted) || !wanted)) return 'tracking';
  switch (wanted) {
    case 'code':
    case 'lookup':
      return wanted;
    case 'ballot':
      return state.code && state.style ? 'ballot' : 'code';
    case 'review':
      return state.code && state.selections ? 'review' : screenFor('ballot');
    case 'tracking':
      return sealedWaiting ? 'tracking' : screenFor('review');
    case 'receipt':
      return state.receipt ? 'receipt' : 'code';
    case 'outbox':
    case 'unverified':
    case 'refused': {
      const entry = outbox.pending().find((e) => e.trackingHash === state.awaiting);
      if (!entry) return 'code';
      if (entry.unverified) return 'unverified';
      return entry.refused ? 'refused' : 'outbox';
    }
    default:
      return 'code';
  }
}

/** Shows screen `name` with what it needs (a screen drawn from stored state has its own). */
function goTo(name, options = {}) {
  const entry = outbox.pending().find((e) => e.trackingHash === state.awaiting);
  if (name === 'tracking') showTracking(options);
  else if (name === 'refused' && entry) showRefused(entry, options);
  else if (name === 'unverified' && entry) showUnverified(entry, options);
  else show(name, options);
}

function onPopState(event) {
  if (!state.amanat) return;
  const wanted = event.state && event.state.amanat;
  const from = state.screen;
  const target = screenFor(wanted);
  if (target === 'lookup') {
    openLookup(undefined, { history: 'none' });
    return;
  }
  // Back from the decision itself: the sealed ballot must be cast or discarded first.
  const held = target === 'tracking' && wanted !== 'tracking';
  goTo(target, { history: held || target === wanted ? 'none' : 'replace' });
  if (held) {
    // Stay on this entry's place in history by putting the decision back on top of it.
    history.pushState({ amanat: 'tracking' }, '', window.location.pathname + window.location.search);
    if (from === 'tracking') {
      $('tracking-leave-first').hidden = false;
      announce(i18n.t('tracking.leaveFirst'));
    }
  }
}

function announce(text) {
  const region = $('announcer');
  region.textContent = '';
  // A fresh node makes screen readers read the same text again if it repeats.
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

function errorKey(err) {
  const code = err && typeof err.code === 'string' ? err.code : 'INTERNAL';
  return i18n.has(`errors.${code}`) ? `errors.${code}` : 'errors.INTERNAL';
}

function showError(boxId, key, args) {
  const box = $(boxId);
  box.hidden = false;
  i18n.bind(box, key, args);
}

function hideError(boxId) {
  const box = $(boxId);
  box.hidden = true;
  box.textContent = '';
  box.removeAttribute('data-t');
}

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------
// Banners: the network, and a ballot still on its way

function updateOnline() {
  $('offline-banner').hidden = navigator.onLine;
}

/** A waiting ballot whose receipt did not check, other than the one on screen, if any. */
function otherUnverified() {
  const shown = state.screen === 'unverified' ? state.awaiting : null;
  return outbox.unverified().find((e) => e.trackingHash !== shown) || null;
}

function updateBanner() {
  const banner = $('outbox-banner');
  const text = $('outbox-banner-text');
  const receiptButton = $('outbox-banner-receipt');
  const detailsButton = $('outbox-banner-details');
  const bad = otherUnverified();
  const refusedOther = outbox.refused().filter((e) => !(state.screen === 'refused' && e.trackingHash === state.awaiting)).pop();
  const waiting = outbox.pending().filter((e) => !e.unverified && !e.refused);
  const onOwnScreen = ['sending', 'outbox', 'unverified', 'refused'].includes(state.screen);
  receiptButton.hidden = true;
  detailsButton.hidden = true;
  banner.hidden = false;
  if (bad) {
    i18n.bind(text, 'unverified.banner', { code: bad.trackingCode });
    banner.className = 'banner banner-bad';
    detailsButton.hidden = false;
  } else if (refusedOther && state.screen !== 'refused') {
    i18n.bind(text, 'refused.banner', { code: refusedOther.trackingCode });
    banner.className = 'banner banner-bad';
    detailsButton.hidden = false;
  } else if (sealedNotCast() && !['tracking', 'sealing', 'challenge'].includes(state.screen)) {
    i18n.bind(text, 'tracking.leaveWarning');
    banner.className = 'banner banner-waiting';
  } else if (waiting.length > 0 && !onOwnScreen) {
    i18n.bind(text, 'outbox.pendingBanner', { code: waiting[0].trackingCode });
    banner.className = 'banner banner-waiting';
  } else if (state.backgroundReceipt && state.screen !== 'receipt') {
    i18n.bind(text, 'outbox.sentBanner', { code: state.backgroundReceipt.short });
    banner.className = 'banner banner-ok';
    receiptButton.hidden = false;
  } else {
    banner.hidden = true;
  }
}

// ---------------------------------------------------------------------------------------
// Step 1: the voting code, checked as it is typed

/**
 * The value (0–9) of a Unicode decimal digit (general category Nd), or -1. Unicode encodes
 * every decimal digit set as a run of ten from 0 to 9, and neighbouring sets back to back
 * (the mathematical digits), so the distance from the start of the run, modulo 10, is the value.
 */
function digitValue(ch) {
  if (!/^\p{Nd}$/u.test(ch)) return -1;
  let start = ch.codePointAt(0);
  while (/^\p{Nd}$/u.test(String.fromCodePoint(start - 1))) start -= 1;
  return (ch.codePointAt(0) - start) % 10;
}

// A voting code inside other text (a whole pasted SMS): seven groups of four letters and
// digits, the groups apart by a dash, a space or nothing, standing as a word of its own.
const CODE_IN_TEXT = /(?<![0-9A-Z\u2010-\u2015\u2212-])[0-9A-Z]{4}(?:[-\s\u2010-\u2015\u2212]?[0-9A-Z]{4}){6}(?![0-9A-Z]|[-\u2010-\u2015\u2212][0-9A-Z])/iy;

/** The first voting code inside `text` that `isValid` accepts (its check symbols match), or
 *  null: every place a code could start is tried, so a word before it ("code ABCD ...") is
 *  not taken for its first group. */
function findCode(text, isValid) {
  for (let at = 0; at < text.length; at += 1) {
    CODE_IN_TEXT.lastIndex = at;
    const match = CODE_IN_TEXT.exec(text);
    if (match && isValid(match[0])) return match[0];
  }
  return null;
}

/**
 * Reads a code as the voter typed or pasted it, before the module sees it: full-width and
 * other compatibility forms as their plain letters (NFKC), every Unicode decimal digit (Urdu
 * and Arabic-Indic digits from an Urdu keyboard, say) as its ASCII digit, and, in a longer
 * text such as a pasted SMS, just the code found in it (the first one `isValid` accepts).
 * Returns {text, digits, found}. The module then reads the code as the protocol says (§1.3).
 */
function readTypedCode(raw, isValid) {
  const digits = /(?![0-9])\p{Nd}/u.test(raw);
  let text = '';
  for (const ch of raw.normalize('NFKC')) {
    const value = /[0-9]/.test(ch) ? -1 : digitValue(ch);
    text += value >= 0 ? String(value) : ch;
  }
  let found = false;
  if (text.replace(/[-\s\u2010-\u2015\u2212]/g, '').length > 28) {
    const code = findCode(text, isValid);
    if (code) {
      text = code;
      found = true;
    }
  }
  // Dashes of every kind a phone may put in a pasted code.
  text = text.replace(/[\u2010-\u2015\u2212]/g, '-');
  return { text, digits, found };
}

/** Shows what the page did to a typed or pasted code, in plain words, until the box empties. */
function noteTypedCode({ digits, found }) {
  const note = $('code-note');
  if (found) i18n.bind(note, 'code.foundInMessage');
  else if (digits) i18n.bind(note, 'code.digitsRead');
  if (found || digits) {
    note.hidden = false;
    if (found) announce(note.textContent);
  }
}

/** Upper-cases and groups the code in fours, keeping the caret after the same symbol. */
function formatCodeInput(input) {
  const before = input.value;
  const caret = input.selectionStart ?? before.length;
  const symbolsBeforeCaret = before.slice(0, caret).replace(/[-\s]/g, '').length;
  const symbols = before.replace(/[-\s]/g, '').toUpperCase();
  const formatted = (symbols.match(/.{1,4}/g) || []).join('-');
  if (formatted !== before) {
    input.value = formatted;
    let position = 0;
    let seen = 0;
    while (position < formatted.length && seen < symbolsBeforeCaret) {
      if (formatted[position] !== '-') seen += 1;
      position += 1;
    }
    input.setSelectionRange(position, position);
  }
}

/** Grows the code box to as many lines as the code needs, so no group is ever hidden. */
function fitRows(area) {
  area.rows = 2;
  while (area.scrollHeight > area.clientHeight && area.rows < 6) area.rows += 1;
}

function renderCodeStatus(announceChange) {
  const input = $('code-input');
  const status = $('code-status');
  if (!state.amanat || input.value.trim() === '') {
    status.textContent = '';
    status.className = 'field-status';
    input.setAttribute('aria-invalid', 'false');
    state.codeStatus = null;
    return;
  }
  const check = state.amanat.checkCredentialCode(input.value);
  let key;
  let args = {};
  let kind = 'info';
  switch (check.status) {
    case 'incomplete':
      key = 'code.progress';
      args = { typed: check.typed };
      break;
    case 'invalid-character':
      key = 'code.invalidChar';
      args = { position: check.position + 1 };
      kind = 'error';
      break;
    case 'too-long':
      key = 'code.tooLong';
      kind = 'error';
      break;
    case 'typo':
      key = 'code.typo';
      kind = 'error';
      break;
    default:
      key = 'code.valid';
      kind = 'ok';
  }
  i18n.bind(status, key, args);
  status.className = `field-status status-${kind}`;
  input.setAttribute('aria-invalid', kind === 'error' ? 'true' : 'false');
  // Speak only when the verdict changes (an error appears, or the code becomes right),
  // not at every keystroke.
  const verdict = `${check.status}:${check.position ?? ''}`;
  if (announceChange && kind !== 'info' && verdict !== state.codeStatus) announce(status.textContent);
  state.codeStatus = kind === 'info' ? null : verdict;
}

/**
 * Asks the box whether the code's credential is on this election's list, by its public key
 * (the list is public: the question reveals nothing secret). 'listed', 'not-listed',
 * 'other-style' (listed for another ballot than the code names), or 'unknown' when the box
 * cannot be asked (offline, no answer in time, an older box): the voter then goes on, and a
 * code not on the list is refused when the ballot is cast. Answers are remembered for the
 * visit, so going back and forth asks once.
 */
async function listStanding(code, styleId) {
  let key;
  try {
    key = state.amanat.credentialPublicKey(state.election.electionId, code);
  } catch {
    return 'unknown';
  }
  if (!state.listed.has(key)) {
    try {
      state.listed.set(key, await api.credentialOnList(key));
    } catch {
      return 'unknown';
    }
  }
  const answer = state.listed.get(key);
  if (!answer.listed) return 'not-listed';
  return answer.style === styleId ? 'listed' : 'other-style';
}

async function submitCode(event) {
  event.preventDefault();
  const input = $('code-input');
  const status = $('code-status');
  if ($('code-submit').getAttribute('aria-disabled') === 'true') return;
  const check = state.amanat.checkCredentialCode(input.value);
  const fail = (key, args) => {
    i18n.bind(status, key, args);
    status.className = 'field-status status-error';
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    announce(status.textContent);
  };
  if (input.value.trim() === '') return fail('code.empty');
  if (check.status === 'incomplete') return fail('code.incomplete', { typed: check.typed });
  if (check.status !== 'valid') {
    renderCodeStatus(false);
    input.focus();
    announce(status.textContent);
    return;
  }
  let view;
  try {
    const styleId = state.election.styleForCode(input.value);
    view = state.election.ballotStyle(styleId);
  } catch (err) {
    return fail(err.code === 'UNKNOWN_STYLE' ? 'code.wrongElection' : errorKey(err));
  }
  // Before the ballot is shown: is this code on the election's list at all?
  const code = input.value;
  i18n.bind(status, 'code.checking');
  status.className = 'field-status status-info';
  $('code-submit').setAttribute('aria-disabled', 'true');
  announce(status.textContent);
  let standing;
  try {
    standing = await listStanding(code, view.id);
  } finally {
    $('code-submit').removeAttribute('aria-disabled');
  }
  // Changed while the box was asked: this answer is not for what the box now holds.
  if (input.value !== code || state.screen !== 'code') return;
  if (standing === 'not-listed') return fail('code.notOnList');
  if (standing === 'other-style') return fail('code.otherStyle');
  renderCodeStatus(false);
  $('ballot-not-checked').hidden = standing !== 'unknown';
  state.code = input.value;
  if (!state.style || state.style.id !== view.id) {
    state.style = view;
    ballot.renderBallot($('contests'), view);
  }
  i18n.bindLocal($('ballot-style'), view.name);
  hideError('ballot-error');
  show('ballot');
}

// ---------------------------------------------------------------------------------------
// Steps 2 and 3: choose, then review

function submitBallot(event) {
  event.preventDefault();
  const selections = ballot.readSelections($('contests'));
  const problem = ballot.firstProblem($('contests'), state.style, selections);
  ballot.markProblem($('contests'), problem);
  if (problem) {
    showError('ballot-error', problem.key, problem.args);
    const first = problem.fieldset && problem.fieldset.querySelector('input');
    if (first) first.focus();
    return;
  }
  hideError('ballot-error');
  state.selections = selections;
  ballot.renderSummary($('review-list'), state.style, selections);
  hideError('review-error');
  show('review');
}

// ---------------------------------------------------------------------------------------
// Step 4: seal, then cast or check

async function seal() {
  show('sealing');
  // Let the progress screen paint first (sealing runs in a worker, or on this thread where
  // no worker can start: module.js).
  await nextFrame();
  await nextFrame();
  const started = performance.now();
  try {
    performance.mark('amanat-seal-start');
    const { sealOffThread } = await import('./module.js');
    state.sealed = await sealOffThread(state.election, state.code, state.selections);
    performance.measure('amanat-seal', 'amanat-seal-start');
  } catch (err) {
    state.sealed = null;
    show('review');
    showError('review-error', errorKey(err));
    return;
  }
  // Held on the device (the sealed ballot alone) until the voter casts or discards it, so
  // that leaving or reloading the page does not lose it silently.
  try {
    outbox.hold({ trackingHash: state.sealed.trackingHash, trackingCode: state.sealed.trackingCode, ballotJson: state.sealed.ballotJson });
  } catch {
    // Without storage the ballot still lives in memory for as long as the page is open.
  }
  const spent = performance.now() - started;
  if (spent < MIN_PROGRESS_MS) await sleep(MIN_PROGRESS_MS - spent);
  showTracking();
  announce(`${i18n.t('tracking.title')}. ${i18n.t('tracking.codeLabel')}: ${state.sealed.trackingCode.split('').join(' ')}`);
}

/**
 * The cast-or-discard decision for the sealed ballot not yet cast: the one just sealed (which
 * can also be checked, its seed still in memory), or, after the voter left or reloaded, the
 * one held on the device (cast it, or discard it and seal again: a check needs a fresh seal).
 */
function showTracking(options = {}) {
  const held = outbox.held();
  const live = Boolean(state.sealed);
  const code = live ? state.sealed.trackingCode : held && held.trackingCode;
  if (!code) return show('code', options);
  $('tracking-code').textContent = code;
  $('tracking-resumed').hidden = live;
  $('tracking-leave-first').hidden = true;
  $('tracking-challenge-card').hidden = !live;
  $('tracking-no-check').hidden = live;
  hideError('tracking-error');
  show('tracking', options);
}

/** Whether a sealed ballot is waiting for the voter's decision (cast or discard). */
function sealedNotCast() {
  return Boolean(state.sealed) || outbox.held() !== null;
}

/** Drops every trace of the code and the choices from the page. */
function forgetChoices() {
  state.code = null;
  state.selections = null;
  ballot.clearBallot($('contests'));
  $('review-list').replaceChildren();
  $('challenge-list').replaceChildren();
  forgetSealCode();
  const input = $('code-input');
  input.value = '';
  fitRows(input);
  renderCodeStatus(false);
}

function cast() {
  const sealed = state.sealed;
  let entry;
  if (sealed) {
    state.sealed = null;
    try {
      entry = { trackingHash: sealed.trackingHash, trackingCode: sealed.trackingCode, ballotJson: sealed.cast() };
    } catch (err) {
      showError('tracking-error', errorKey(err));
      return;
    } finally {
      sealed.free();
    }
    outbox.keep(entry);
    outbox.release();
  } else {
    entry = outbox.castHeld();
    if (!entry) return;
  }
  forgetChoices();
  state.awaiting = entry.trackingHash;
  $('outbox-code').textContent = entry.trackingCode;
  show('sending');
  sender.flush();
}

/** Discards the sealed ballot not yet cast (never sent), and goes back to seal again: to the
 *  review while the choices are still in memory, else to the start. */
function discardSealed() {
  if (state.sealed) {
    state.sealed.free();
    state.sealed = null;
  }
  outbox.release();
  if (state.code && state.selections) backToReview();
  else show('code');
}

async function challenge() {
  const sealed = state.sealed;
  if (!sealed) return;
  state.sealed = null;
  // Opened for checking: it can never be cast, so it is no longer held.
  outbox.release();
  let ballotJson;
  let challengeJson;
  let trackingCode;
  let trackingHash;
  try {
    ballotJson = sealed.ballotJson;
    trackingCode = sealed.trackingCode;
    trackingHash = sealed.trackingHash;
    // A promise where the seal was made in the worker (module.js), the reveal itself elsewhere.
    challengeJson = await sealed.challenge();
  } catch (err) {
    showError('tracking-error', errorKey(err));
    return;
  } finally {
    sealed.free();
  }
  let revealed = null;
  try {
    revealed = state.amanat.checkChallenge(state.election, ballotJson, challengeJson);
  } catch {
    revealed = null;
  }
  const matches = revealed !== null && sameSelections(revealed, state.selections, state.style);
  $('challenge-ok').hidden = !matches;
  $('challenge-bad').hidden = matches;
  ballot.renderSummary($('challenge-list'), state.style, revealed || {});
  $('challenge-tracking').textContent = trackingCode;
  const board = $('challenge-board');
  board.textContent = '';
  board.removeAttribute('data-t');
  state.challengeReceipt = null;
  $('challenge-receipt').hidden = true;
  hideReceiptQr($('challenge-receipt-qr-show'), $('challenge-receipt-qr'));
  $('challenge-receipt-bad').hidden = true;
  show('challenge');
  announce(i18n.t(matches ? 'challenge.matched' : 'challenge.failed'));
  offerSecondDevice(trackingCode, challengeJson);
  // The box's answer is kept whenever it comes; it is shown only if this challenge is still
  // the one on the screen.
  const shown = () => $('challenge-tracking').textContent === trackingCode;
  let answer;
  try {
    answer = await api.postChallenge(ballotJson, challengeJson);
  } catch {
    if (shown()) i18n.bind(board, 'challenge.notPosted');
    return;
  }
  const { receipt } = answer;
  const problem = receiptProblem(receipt, { trackingHash, kind: 'challenge' });
  if (problem) {
    // Not what the box must sign for this challenge: a warning, and the answer kept as
    // evidence (the receipt alone: the reveal is on the board, or should be).
    outbox.keepEvidence({ kind: 'challenge', trackingHash, trackingCode, code: problem, receipt: receipt ?? null });
    if (!shown()) return;
    $('challenge-receipt-code').textContent = problem;
    $('challenge-receipt-bad').hidden = false;
    if (state.screen === 'challenge') announce(i18n.t('challenge.receiptBad'));
    return;
  }
  outbox.keepReceipt(receipt);
  if (!shown()) return;
  state.challengeReceipt = receipt;
  i18n.bind(board, 'challenge.posted', { index: boardNumber(receipt.index) });
  renderReceipt($('challenge-receipt'), receipt, state.title);
  refreshDownload($('challenge-receipt-download'), receipt, state.title);
  $('challenge-receipt').hidden = false;
}

/**
 * Shows the seal code of the ballot just opened, as a QR code and as text, for a second device
 * to check it on the board (js/seal-code.js, docs/observer.md). The code is what the
 * reveal posted to the board holds (seed and choices) and the box's address: published anyway,
 * and never counted. The QR library is fetched only now. Kept in memory while this screen
 * shows, dropped with the choices.
 */
async function offerSecondDevice(trackingCode, challengeJson) {
  const box = $('challenge-second');
  box.hidden = true;
  $('challenge-second-qr').replaceChildren();
  $('challenge-second-text').textContent = '';
  $('challenge-second-copied').textContent = '';
  $('challenge-second-copied').removeAttribute('data-t');
  let text;
  let svg;
  try {
    const [{ makeSealCode }, { qrSvg }] = await Promise.all([import('./seal-code.js'), import('./qr.js')]);
    text = makeSealCode(window.location.origin, trackingCode, challengeJson, state.style);
    svg = qrSvg(text, i18n.t('challenge.second.qrLabel'));
  } catch (err) {
    // Offline before the QR library came, or a code that cannot be written: the check on
    // this phone stands; the second-device offer is simply not shown.
    console.warn('seal code not available', err);
    return;
  }
  if ($('challenge-tracking').textContent !== trackingCode || state.screen !== 'challenge') return;
  svg.setAttribute('data-t-aria-label', 'challenge.second.qrLabel');
  $('challenge-second-qr').replaceChildren(svg);
  $('challenge-second-text').textContent = text;
  box.hidden = false;
}

async function copySealCode() {
  const text = $('challenge-second-text').textContent;
  const said = $('challenge-second-copied');
  try {
    await navigator.clipboard.writeText(text);
    i18n.bind(said, 'challenge.second.copied');
  } catch {
    // No clipboard (an older browser, or permission refused): select the text instead.
    const range = document.createRange();
    range.selectNodeContents($('challenge-second-text'));
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    i18n.bind(said, 'challenge.second.copyFailed');
  }
}

function forgetSealCode() {
  $('challenge-second').hidden = true;
  $('challenge-second-qr').replaceChildren();
  $('challenge-second-text').textContent = '';
}

function sameSelections(a, b, style) {
  return style.contests.every((contest) => {
    const x = [...(a[contest.id] || [])].sort();
    const y = [...(b[contest.id] || [])].sort();
    return x.length === y.length && x.every((v, i) => v === y[i]);
  });
}

function backToReview() {
  $('challenge-list').replaceChildren();
  forgetSealCode();
  ballot.renderSummary($('review-list'), state.style, state.selections);
  hideError('review-error');
  show('review');
}

// ---------------------------------------------------------------------------------------
// Sending: the outbox reports, the page shows where the ballot is

/**
 * Checks a receipt from the box with the module, against the election this page holds: for
 * this election, signed by the ballot box key it names, and, as far as `expected` says, for
 * that ballot (`trackingHash`, else WRONG_BALLOT) and that act (`kind`, 'cast' or
 * 'challenge', else WRONG_KIND). Null when it checks, else the error code.
 */
function receiptProblem(receipt, expected = {}) {
  if (!state.amanat || !state.election) return 'INTERNAL';
  if (receipt === null || typeof receipt !== 'object') return 'MALFORMED_JSON';
  let verified;
  try {
    verified = state.amanat.verifyReceipt(state.election, JSON.stringify(receipt));
  } catch (err) {
    return err && typeof err.code === 'string' ? err.code : 'INTERNAL';
  }
  if (expected.trackingHash && verified.trackingHash !== expected.trackingHash) return 'WRONG_BALLOT';
  if (expected.kind && verified.kind !== expected.kind) return 'WRONG_KIND';
  return null;
}

/** The warning for a ballot the box answered with a receipt that does not check. */
function showUnverified(entry, options = {}) {
  state.awaiting = entry.trackingHash;
  $('unverified-tracking').textContent = entry.trackingCode;
  $('unverified-code').textContent = entry.unverified.code;
  const detail = $('unverified-detail');
  detail.textContent = '';
  detail.removeAttribute('data-t');
  // Refused since: nothing left to send, and the warning says why it stays.
  if (entry.refused) i18n.bind(detail, 'unverified.refused', { code: entry.refused.code });
  $('unverified-retry').hidden = Boolean(entry.refused);
  $('unverified-kept').hidden = Boolean(entry.refused);
  show('unverified', options);
}

/** A ballot the box refused for good: why, what to do, and that it is kept as evidence. Not
 *  "waiting", not "will be sent": it will not be sent again. */
function showRefused(entry, options = {}) {
  state.awaiting = entry.trackingHash;
  const code = entry.refused.code;
  $('refused-tracking').textContent = entry.trackingCode;
  $('refused-code').textContent = code;
  i18n.bind($('refused-reason'), errorKey({ code }));
  i18n.bind($('refused-todo'), i18n.has(`refused.todo.${code}`) ? `refused.todo.${code}` : 'refused.todo.other');
  show('refused', options);
}

function onSenderEvent(event) {
  const ours = event.entry && event.entry.trackingHash === state.awaiting;
  switch (event.type) {
    case 'sending':
      if (ours && state.screen === 'outbox') i18n.bind($('outbox-detail'), 'cast.title');
      if (ours && state.screen === 'unverified') i18n.bind($('unverified-detail'), 'cast.title');
      break;
    case 'unverified':
      if (ours) {
        showUnverified(event.entry);
        announce(i18n.t('unverified.title'));
      } else {
        announce(i18n.t('unverified.banner', { code: event.entry.trackingCode }));
      }
      break;
    case 'sent':
      if (ours) {
        state.awaiting = null;
        showReceipt(event.receipt);
        announce(i18n.t('receipt.reached'));
      } else {
        state.backgroundReceipt = event.receipt;
        announce(i18n.t('outbox.sentBanner', { code: event.receipt.short }));
      }
      break;
    case 'waiting':
      if (ours && event.entry.unverified) {
        // The warning stands: the box's last answer did not check, and now it cannot be
        // reached at all.
        if (state.screen === 'unverified') i18n.bind($('unverified-detail'), 'outbox.retrying');
      } else if (ours) {
        $('outbox-code').textContent = event.entry.trackingCode;
        i18n.bind($('outbox-detail'), 'outbox.retrying');
        if (state.screen !== 'outbox') {
          show('outbox');
          announce(i18n.t('outbox.title'));
        }
      }
      break;
    case 'refused':
      if (ours && event.entry.unverified) {
        showUnverified(event.entry);
      } else if (ours) {
        showRefused(event.entry);
        announce(`${i18n.t('refused.title')}. ${$('refused-reason').textContent}`);
      } else {
        announce(i18n.t('refused.banner', { code: event.entry.trackingCode }));
      }
      break;
    default:
      break;
  }
  updateBanner();
}

/** Shows a cast ballot's receipt that has been checked (the outbox reports only those as
 *  sent), and then, if it replaced a ballot whose receipt this device keeps, says so. */
function showReceipt(receipt) {
  state.receipt = receipt;
  renderReceipt($('receipt'), receipt, state.title);
  hideReceiptQr($('receipt-qr-show'), $('receipt-qr'));
  refreshDownload($('receipt-download'), receipt, state.title);
  const replaces = $('receipt-replaces');
  replaces.hidden = true;
  show('receipt');
  noteReplaced(receipt, replaces);
}

/**
 * A revote: among the cast receipts kept here (newest first, a few), the one the box now says
 * this ballot replaced. Only the box knows which voting code a ballot came from, so the page
 * asks it, and says nothing when it cannot tell (the earlier ballot was cast on another phone,
 * or by someone else sharing this one, or the board cannot be reached).
 */
async function noteReplaced(receipt, note) {
  const earlier = outbox
    .receipts()
    .filter((r) => r.kind === 'cast' && r.tracking !== receipt.tracking && r.index < receipt.index)
    .filter((r) => receiptProblem(r) === null)
    .slice(0, 3);
  let replaced = null;
  await lookup.fetchBoardStates(
    earlier,
    (r, board) => {
      if (!replaced && board.state === 'replaced' && board.by === receipt.index) replaced = r;
    },
    () => !replaced && state.receipt === receipt,
  );
  if (!replaced || state.receipt !== receipt) return;
  i18n.bind(note, 'receipt.replaces', { index: boardNumber(replaced.index) });
  note.hidden = false;
  if (state.screen === 'receipt') announce(note.textContent);
}

// ---------------------------------------------------------------------------------------
// Looking up a tracking code on the board

function openLookup(prefill, options = {}) {
  if (state.screen !== 'lookup') state.beforeLookup = state.screen === 'loading' ? 'code' : state.screen;
  $('lookup-result').replaceChildren();
  state.lookup = null;
  renderSaved();
  show('lookup', options);
  fetchKeptStates();
  if (prefill) {
    $('lookup-input').value = prefill;
    runLookup();
  }
}

function normalizeTracking(text) {
  if (state.amanat) return state.amanat.normalizeTrackingCode(text);
  throw Object.assign(new Error('module not loaded'), { code: 'BAD_ENCODING' });
}

async function runLookup(event) {
  if (event) event.preventDefault();
  const result = $('lookup-result');
  let code;
  try {
    code = normalizeTracking($('lookup-input').value);
  } catch {
    state.lookup = { key: 'lookup.badCode' };
    renderLookup();
    $('lookup-input').focus();
    return;
  }
  $('lookup-input').value = code;
  result.replaceChildren(i18n.bind(document.createElement('p'), 'lookup.searching'));
  try {
    state.lookup = await api.lookUp(code);
  } catch {
    state.lookup = { key: 'lookup.failed' };
  }
  renderLookup();
}

function renderLookup() {
  lookup.renderResult($('lookup-result'), state.lookup);
}

const keptKey = (receipt) => `${receipt.kind}:${receipt.tracking}`;

/** The kept receipts that check, and so are worth comparing with the board. */
function checkedKept() {
  return outbox.receipts().filter((r) => receiptProblem(r) === null);
}

/**
 * The receipts kept on this device, each checked again here (so one kept by an older page,
 * or changed on the device, is judged too), with where the board says its ballot stands;
 * then the challenge receipts kept as evidence, with the code they failed with.
 */
function renderSaved() {
  const receipts = outbox.receipts();
  const evidence = outbox.evidence();
  $('lookup-saved').hidden = receipts.length === 0 && evidence.length === 0;
  if (!state.amanat) return;
  const items = [
    ...receipts.map((r) => ({
      key: keptKey(r),
      short: r.short,
      kind: r.kind,
      problem: receiptProblem(r),
      board: state.kept.boards.get(keptKey(r)),
    })),
    ...evidence.map((e) => ({ key: `evidence:${e.trackingHash}`, short: e.trackingCode, kind: e.kind, problem: e.code })),
  ];
  lookup.renderKept($('lookup-saved-list'), items, (short) => {
    $('lookup-input').value = short;
    runLookup();
  });
}

/** Asks the board where each kept receipt's ballot stands, and redraws as answers come. */
function fetchKeptStates() {
  state.kept.visit += 1;
  const visit = state.kept.visit;
  state.kept.boards.clear();
  lookup.fetchBoardStates(
    checkedKept(),
    (receipt, board) => {
      state.kept.boards.set(keptKey(receipt), board);
      lookup.updateKept($('lookup-saved-list'), keptKey(receipt), receipt.kind, board);
    },
    () => state.kept.visit === visit && state.screen === 'lookup',
  );
}

function closeLookup() {
  if (!state.amanat) return show('loading');
  goTo(screenFor(state.beforeLookup));
}

// ---------------------------------------------------------------------------------------
// Language

/** The switch is labelled in the language it leads to, and says so to screen readers. */
function markSwitch() {
  $('lang-switch').lang = i18n.language() === 'ur' ? 'en' : 'ur';
  $('lang-switch').hidden = false;
}

function switchLanguage() {
  i18n.setLanguage(i18n.language() === 'ur' ? 'en' : 'ur');
  markSwitch();
  if (state.codeStatus !== null || $('code-input').value) renderCodeStatus(false);
  refreshTimes();
  if (state.receipt) refreshDownload($('receipt-download'), state.receipt, state.title);
  if (state.challengeReceipt) refreshDownload($('challenge-receipt-download'), state.challengeReceipt, state.title);
  if (state.screen === 'lookup') renderLookup();
  updateBanner();
}

// ---------------------------------------------------------------------------------------
// Start

/**
 * Loads the election and the module, side by side: `early` holds the two fetches main()
 * started before the translations arrived (the module is the largest file the page needs);
 * a retry starts them afresh.
 */
async function loadElection(early = null) {
  show('loading', { focus: false });
  $('loading-error').hidden = true;
  $('loading-retry').hidden = true;
  const progress = document.querySelector('#screen-loading .progress');
  progress.hidden = false;
  const fail = (key) => {
    progress.hidden = true;
    showError('loading-error', key);
    $('loading-retry').hidden = false;
  };
  const { election, module } = early || startLoading();
  let json;
  try {
    json = await election;
  } catch {
    return fail('loading.failed');
  }
  // The module is imported by startLoading, not at the top, so that a module the browser
  // refuses (its SHA-384 differs from the one in index.html) is explained instead of leaving
  // a blank page. The election arrived, so the network is not what failed.
  try {
    state.amanat = await module;
  } catch {
    return fail(navigator.onLine ? 'errors.SRI' : 'loading.failed');
  }
  try {
    state.election = state.amanat.Election.fromJson(json);
  } catch (err) {
    return fail(errorKey(err));
  }
  state.title = state.election.title;
  sender.checkWith((entry, receipt) => receiptProblem(receipt, { trackingHash: entry.trackingHash, kind: 'cast' }));
  i18n.bindLocal($('election-title'), state.title);
  useWebFonts();
  if (window.location.hash === '#lookup') openLookup(undefined, { history: 'replace' });
  else if (outbox.held()) {
    // Left or reloaded before casting: back to the decision, cast or discard.
    history.replaceState({ amanat: 'code' }, '', window.location.pathname + window.location.search);
    showTracking();
  } else show('code', { focus: false, history: 'replace' });
  if (outbox.pending().length > 0) sender.flush();
}

function wire() {
  $('lang-switch').addEventListener('click', switchLanguage);
  $('loading-retry').addEventListener('click', loadElection);
  $('code-input').addEventListener('input', (event) => {
    const input = event.target;
    if (input.value.trim() === '') {
      $('code-note').hidden = true;
    } else {
      const read = readTypedCode(input.value, (code) => state.amanat !== null && state.amanat.checkCredentialCode(code).status === 'valid');
      if (read.text !== input.value) {
        const caretAtEnd = (input.selectionStart ?? input.value.length) === input.value.length;
        input.value = read.text;
        if (caretAtEnd || read.found) input.setSelectionRange(read.text.length, read.text.length);
      }
      noteTypedCode(read);
    }
    formatCodeInput(event.target);
    fitRows(event.target);
    renderCodeStatus(true);
  });
  // On a phone the on-screen keyboard takes the lower half of the screen: keep the label, the
  // typing feedback (above the box) and the box itself in the half that stays visible.
  const keepCodeInView = () => {
    if (document.activeElement === $('code-input')) $('code-label').scrollIntoView({ block: 'start' });
  };
  $('code-input').addEventListener('focus', () => setTimeout(keepCodeInView, 300));
  if (window.visualViewport) window.visualViewport.addEventListener('resize', keepCodeInView);
  // The code box is a two-line text area so the whole code stays in view on a phone; Enter
  // still means "continue", as in a one-line field.
  $('code-input').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $('code-form').requestSubmit();
    }
  });
  $('code-form').addEventListener('submit', submitCode);
  $('ballot-form').addEventListener('submit', submitBallot);
  $('contests').addEventListener('change', (event) => {
    ballot.limitChoices($('contests'), state.style, event.target, announce);
    if (!$('ballot-error').hidden) {
      hideError('ballot-error');
      ballot.markProblem($('contests'), null);
    }
  });
  $('ballot-back').addEventListener('click', () => show('code'));
  $('review-change').addEventListener('click', () => show('ballot'));
  $('review-seal').addEventListener('click', seal);
  $('tracking-cast').addEventListener('click', cast);
  $('tracking-challenge').addEventListener('click', challenge);
  $('challenge-back').addEventListener('click', backToReview);
  $('challenge-second-copy').addEventListener('click', copySealCode);
  $('outbox-retry').addEventListener('click', () => {
    i18n.bind($('outbox-detail'), 'cast.title');
    sender.flush();
  });
  $('outbox-banner-details').addEventListener('click', () => {
    const entry = otherUnverified();
    if (entry) return showUnverified(entry);
    const refused = outbox.refused().pop();
    if (refused) showRefused(refused);
  });
  $('refused-again').addEventListener('click', () => show('code'));
  $('refused-lookup').addEventListener('click', () => openLookup($('refused-tracking').textContent));
  $('tracking-discard').addEventListener('click', discardSealed);
  // A sealed ballot not yet cast is kept, but leaving still deserves a word: it is not a vote.
  window.addEventListener('beforeunload', (event) => {
    if (!sealedNotCast()) return;
    event.preventDefault();
    event.returnValue = i18n.t('tracking.leaveWarning');
  });
  window.addEventListener('popstate', onPopState);
  $('unverified-retry').addEventListener('click', () => {
    i18n.bind($('unverified-detail'), 'cast.title');
    sender.flush();
  });
  $('unverified-lookup').addEventListener('click', () => openLookup($('unverified-tracking').textContent));
  $('outbox-banner-receipt').addEventListener('click', () => {
    const receipt = state.backgroundReceipt;
    state.backgroundReceipt = null;
    if (receipt) showReceipt(receipt);
  });
  $('receipt-print').addEventListener('click', () => window.print());
  $('receipt-qr-show').addEventListener('click', () => toggleReceiptQr($('receipt-qr-show'), $('receipt-qr'), state.receipt));
  $('challenge-receipt-qr-show').addEventListener('click', () => {
    toggleReceiptQr($('challenge-receipt-qr-show'), $('challenge-receipt-qr'), state.challengeReceipt);
  });
  $('receipt-lookup').addEventListener('click', () => openLookup(state.receipt && state.receipt.short));
  $('receipt-revote').addEventListener('click', () => {
    state.receipt = null;
    show('code');
  });
  $('lookup-form').addEventListener('submit', runLookup);
  $('lookup-back').addEventListener('click', closeLookup);
  $('lookup-forget').addEventListener('click', () => {
    outbox.forgetReceipts();
    renderSaved();
    $('lookup-title').focus();
  });
  $('footer-lookup').addEventListener('click', (event) => {
    event.preventDefault();
    openLookup();
  });
  window.addEventListener('hashchange', () => {
    if (window.location.hash === '#lookup' && state.amanat) openLookup();
  });
  window.addEventListener('online', updateOnline);
  window.addEventListener('offline', updateOnline);
  sender.on(onSenderEvent);
}

/** Starts fetching the election and the module (with its .wasm); rejections are read later. */
function startLoading() {
  const election = api.electionJson();
  const module = import('./module.js').then(({ loadModule }) => loadModule());
  election.catch(() => {});
  module.catch(() => {});
  return { election, module };
}

/**
 * The page's own fonts (Noto Nastaliq Urdu for Urdu, Noto Sans for Latin text), which the
 * stylesheet uses only under html.webfonts. On a first visit they are asked for once the
 * module is ready, so on a slow link they do not share it with the module and the code field
 * is usable sooner (until then the phone's own fonts show the same text); on a later visit,
 * from the service worker's cache, at once. The browser fetches only the fonts the shown
 * language uses: an English page never fetches the Urdu ones.
 */
function useWebFonts() {
  document.documentElement.classList.add('webfonts');
}

/**
 * Registers the service worker once the page has what it needs (the module, the election, the
 * fonts of its language): its install then copies those files from the browser's HTTP cache
 * instead of downloading them a second time (sw.js).
 */
async function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  await nextFrame();
  await nextFrame();
  await document.fonts.ready;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
    // Without a service worker the page still works; it just cannot reopen offline.
  });
}

async function main() {
  const early = startLoading();
  // A page the service worker answers (a later visit) has its fonts on the device already.
  if ('serviceWorker' in navigator && navigator.serviceWorker.controller) useWebFonts();
  await i18n.loadLanguages();
  i18n.setLanguage(i18n.preferredLanguage());
  markSwitch();
  wire();
  updateOnline();
  await loadElection(early);
  await registerWorker();
}

main();
