// What the look-up screen shows: the board's entries for a tracking code, each with where it
// stands in the box's word (counted; replaced by a later ballot of the same voting code;
// opened for checking and never counted), and the receipts kept on this device, each checked
// again by the module and compared with the board.
//
// A challenged ballot is never shown as counted, whatever the box says, and never with a
// green tick: voters read the colour and the tick before the words.

import * as i18n from './i18n.js';
import * as api from './api.js';
import { boardNumber } from './receipt.js';

/**
 * Where a board entry stands, from the box's `states` (docs/ballot-box.md, "Looking up a
 * ballot"): {state: 'counted'} | {state: 'replaced', by} | {state: 'challenged'} |
 * {state: 'unknown'} (no state, or one that cannot be true of this entry).
 */
export function stateOf(entry, states) {
  if (entry.kind === 'challenge') return { state: 'challenged' };
  const said = (states || []).find((s) => s && s.index === entry.index);
  if (entry.kind === 'cast' && said) {
    if (said.state === 'counted') return { state: 'counted' };
    if (said.state === 'replaced' && Number.isSafeInteger(said.by) && said.by > entry.index) {
      return { state: 'replaced', by: said.by };
    }
  }
  return { state: 'unknown' };
}

/**
 * Where the ballot a checked receipt acknowledges stands on the board: as stateOf, or
 * {state: 'missing'} when the board shows no entry with the receipt's tracking hash, kind,
 * number and hash (the head the box signed): the box dropped or changed what it acknowledged.
 */
export function boardStateOf(receipt, found) {
  const entry = found.entries.find(
    (e) => e.tracking === receipt.tracking && e.kind === receipt.kind && e.index === receipt.index && e.hash === receipt.head,
  );
  return entry ? stateOf(entry, found.states) : { state: 'missing' };
}

/** The headline for an entry's state: [translation key, result class]. */
const HEADLINE = {
  counted: ['lookup.counted', 'result-ok'],
  replaced: ['lookup.replaced', 'result-bad'],
  challenged: ['lookup.challenged', 'result-opened'],
  unknown: ['lookup.found', 'result-opened'],
};

function entryItem(entry, where) {
  const item = document.createElement('li');
  item.className = `board-entry entry-${where.state}`;
  const [key, kind] = HEADLINE[where.state];
  const headline = i18n.bind(document.createElement('p'), key, where.by !== undefined ? { by: boardNumber(where.by) } : undefined);
  headline.className = `result ${kind}`;
  item.append(headline);
  if (where.state === 'replaced') {
    const report = i18n.bind(document.createElement('p'), 'lookup.replacedReport');
    report.className = 'entry-report';
    item.append(report);
  }
  const code = document.createElement('p');
  code.className = 'code entry-code';
  code.dir = 'ltr';
  code.textContent = entry.short;
  const details = i18n.bind(document.createElement('p'), 'lookup.entry', {
    index: boardNumber(entry.index),
    received: i18n.formatTime(entry.received),
  });
  details.className = 'entry-details';
  item.append(code, details);
  return item;
}

/** Draws a look-up's outcome: {key} (a message), or {entries, states} from the box. */
export function renderResult(container, found) {
  container.replaceChildren();
  if (!found) return;
  const message = (key) => {
    const p = i18n.bind(document.createElement('p'), key);
    p.className = 'result result-bad';
    container.append(p);
  };
  if (found.key) return message(found.key);
  if (found.entries.length === 0) return message('lookup.notFound');
  const list = document.createElement('ul');
  list.className = 'board-entries';
  for (const entry of found.entries) list.append(entryItem(entry, stateOf(entry, found.states)));
  container.append(list);
}

/** What a kept item's board state says: [translation key, class, args]. */
function keptState(kind, board) {
  if (board && board.state === 'missing') return ['lookup.keptMissing', 'state-bad', { code: 'NOT_ON_BOARD' }];
  if (kind === 'challenge') return ['challenge.receiptStatus', 'state-opened'];
  if (!board) return null;
  if (board.state === 'counted') return ['lookup.keptCounted', 'state-ok'];
  if (board.state === 'replaced') return ['lookup.keptReplaced', 'state-bad', { by: boardNumber(board.by) }];
  return null;
}

/** Sets (or, given no state, removes) a kept item's line saying where its ballot stands. */
function setKeptState(item, kind, board) {
  const old = item.querySelector('.saved-state');
  if (old) old.remove();
  const state = keptState(kind, board);
  if (!state) return;
  const [key, cls, args] = state;
  const line = i18n.bind(document.createElement('span'), key, args);
  line.className = `saved-state ${cls}`;
  item.append(line);
}

/**
 * Draws the kept receipts: `items` are {key, short, kind, problem (null when the receipt
 * checks), board (its boardStateOf, once known)}; `onPick(short)` looks one up.
 */
export function renderKept(list, items, onPick) {
  list.replaceChildren();
  for (const { key, short, kind, problem, board } of items) {
    const item = document.createElement('li');
    item.dataset.key = key;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button secondary code';
    button.dir = 'ltr';
    button.textContent = short;
    button.addEventListener('click', () => onPick(short));
    item.append(button);
    const check = document.createElement('span');
    // A challenge receipt that checks gets no green tick: it is not a vote.
    check.className = `saved-check ${problem ? 'saved-bad' : kind === 'challenge' ? 'saved-signed' : 'saved-ok'}`;
    if (problem) i18n.bind(check, 'lookup.savedUnverified', { code: problem });
    else i18n.bind(check, 'lookup.savedVerified');
    item.append(check);
    setKeptState(item, kind, problem ? null : board);
    list.append(item);
  }
}

/** Says where a kept receipt's ballot stands once the board has answered, in place (so a
 *  button the voter is on keeps its focus). */
export function updateKept(list, key, kind, board) {
  const item = [...list.children].find((li) => li.dataset.key === key);
  if (item) setKeptState(item, kind, board);
}

/**
 * Fetches where each receipt's ballot stands on the board, one at a time, newest first,
 * calling `onEach(receipt, board)` as each arrives; stops quietly when the board cannot be
 * reached (the list then shows the signature checks alone). `isCurrent()` going false stops it.
 */
export async function fetchBoardStates(receipts, onEach, isCurrent = () => true) {
  for (const receipt of receipts) {
    if (!isCurrent()) return;
    let found;
    try {
      found = await api.lookUp(receipt.tracking);
    } catch {
      return;
    }
    if (!isCurrent()) return;
    onEach(receipt, boardStateOf(receipt, found));
  }
}
