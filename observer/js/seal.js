// "Check a seal" (#seal): the second-device check of a challenged ballot (docs/observer.md).
// The voter's page shows a seal code (js/seal-code.js: the board's address, the tracking code,
// the revealed seed and choices) as a QR code and as text. Here it is scanned with the camera
// (js/qr-scan.js: the browser's BarcodeDetector where it reads QR codes, else jsQR) or typed;
// after the observer agrees to ask that board (its address came from the code, so it is shown
// first), the ballot is fetched from the board and checked with the module:
//   1. the board holds a challenged (opened) ballot with this tracking code;
//   2. that ballot verifies against the election (proofs, signature, tracking code);
//   3. the seal code opens it: every ciphertext encrypts exactly the choices the code names
//      (checkChallenge), which are then shown with names, parties and symbols;
//   4. the board's own opening of it (the reveal the voter's phone posted) says the same.
// Any failure is evidence: what to report, and a file to download.

import { PREFIX, SealCodeError, parseSealCode, revealFor } from './seal-code.js';
import { cameraScanner } from './qr-scan.js';
import { RemoteError, codeOf, el, evidenceLink, fetchJson, isolated, loadModule, local, useStyles, say as sayIn, translateMarked } from './remote.js';

const SYMBOLS = new Set([
  'crescent', 'lantern', 'river', 'wheat', 'kite', 'book', 'tree', 'bicycle', 'key', 'scales',
  'clock', 'boat', 'star', 'camel', 'jug', 'pen', 'umbrella', 'chair', 'bell', 'ladder',
]);

export async function mount(section, ctx) {
  const { t } = ctx;
  useStyles();
  const state = { parsed: null, text: '', outcome: null, busy: false };

  section.replaceChildren();
  section.classList.add('check-section');
  // The shell's heading of this section (index.html) stays; the rest is this module's.
  const title = section.querySelector('h1') || el('h1', null, { id: 'seal-title', tabindex: '-1' });
  title.setAttribute('data-k', 'title');
  const intro = el('p', null, { 'data-k': 'intro' });

  // Camera: a seal code read is read as if typed.
  const scanner = cameraScanner('seal', {
    say: (node, key) => say(node, key),
    quiet: (node) => quiet(node),
    accept: (found) => {
      if (!found.trim().toUpperCase().startsWith('AMANAT-SEAL')) return false;
      input.value = found.trim();
      read(found);
      return true;
    },
  });

  // Typed or pasted.
  const form = el('form', 'seal-form', { id: 'seal-form', novalidate: '' });
  const label = el('label', null, { for: 'seal-input', 'data-k': 'inputLabel' });
  const hint = el('p', 'note', { id: 'seal-input-hint', 'data-k': 'inputHint', 'data-k-args': JSON.stringify({ prefix: PREFIX }) });
  const input = el('textarea', 'seal-input', {
    id: 'seal-input', rows: '3', dir: 'ltr', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off',
    'aria-describedby': 'seal-input-hint seal-input-error',
  });
  const inputError = el('p', 'field-error', { id: 'seal-input-error', role: 'alert' });
  const submit = el('button', 'button primary', { type: 'submit', id: 'seal-read', 'data-k': 'read' });
  form.append(label, hint, input, inputError, submit);

  // The board's address, shown before anything is fetched from it.
  const confirmBox = el('div', 'confirm', { id: 'seal-confirm', hidden: '', role: 'group', 'aria-labelledby': 'seal-confirm-heading' });
  const confirmHeading = el('h2', null, { id: 'seal-confirm-heading', tabindex: '-1', 'data-k': 'confirmHeading' });
  const confirmOrigin = el('p', 'origin');
  const confirmCode = el('p');
  const confirmNote = el('p', 'note', { 'data-k': 'confirmNote' });
  const confirmActions = el('div', 'actions');
  const goButton = el('button', 'button primary', { type: 'button', id: 'seal-fetch', 'data-k': 'fetch' });
  const cancelButton = el('button', 'button secondary', { type: 'button', id: 'seal-cancel', 'data-k': 'cancel' });
  confirmActions.append(goButton, cancelButton);
  confirmBox.append(confirmHeading, confirmOrigin, confirmCode, confirmNote, confirmActions);

  const progress = el('p', 'note', { id: 'seal-progress', 'aria-live': 'polite' });
  const result = el('div', 'seal-result', { id: 'seal-result', hidden: '' });

  section.append(title, intro, scanner.box, form, confirmBox, progress, result);

  // ---------------------------------------------------------------------------------------
  // Text in the page's language

  function apply() {
    translateMarked(t, section);
    if (state.parsed) {
      confirmOrigin.replaceChildren(t('confirmOrigin'), ' ', isolated(state.parsed.board, 'origin-value'));
      confirmCode.replaceChildren(t('confirmCode'), ' ', isolated(state.parsed.trackingCode));
    }
    if (state.outcome) renderOutcome();
  }

  const say = (node, key, args) => sayIn(t, node, key, args);

  function quiet(node) {
    node.removeAttribute('data-k');
    node.removeAttribute('data-k-args');
    node.textContent = '';
  }

  // ---------------------------------------------------------------------------------------
  // Reading the code

  function read(text) {
    quiet(inputError);
    input.removeAttribute('aria-invalid');
    try {
      state.parsed = parseSealCode(text);
    } catch (err) {
      state.parsed = null;
      const code = err instanceof SealCodeError ? err.code : 'NOT_A_SEAL_CODE';
      say(inputError, `error.${code}`);
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    state.text = String(text).trim().split(/\s+/).join(' ');
    state.outcome = null;
    result.hidden = true;
    confirmBox.hidden = false;
    apply();
    confirmHeading.focus();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    read(input.value);
  });

  cancelButton.addEventListener('click', () => {
    state.parsed = null;
    confirmBox.hidden = true;
    input.focus();
  });

  goButton.addEventListener('click', () => check());

  // ---------------------------------------------------------------------------------------
  // The check

  async function check() {
    if (!state.parsed || state.busy) return;
    state.busy = true;
    goButton.disabled = true;
    confirmBox.hidden = true;
    result.hidden = true;
    say(progress, 'checking');
    try {
      state.outcome = await checkOnBoard(state.parsed, state.text);
    } finally {
      state.busy = false;
      goButton.disabled = false;
      quiet(progress);
    }
    renderOutcome();
    result.hidden = false;
    const heading = result.querySelector('h2');
    if (heading) heading.focus();
  }

  function renderOutcome() {
    const o = state.outcome;
    result.replaceChildren();
    const heading = el('h2', null, { id: 'seal-result-heading', tabindex: '-1' });
    result.append(heading);
    if (o.unreachable) {
      heading.textContent = t('unreachable.heading');
      const box = el('div', 'error-box', { role: 'alert' });
      box.append(el('p'), el('p'));
      box.firstChild.textContent = t('unreachable.explain');
      box.lastChild.append(t('codeLabel'), ' ', isolated(o.unreachable));
      result.append(box);
      return;
    }
    const problem = o.checks.find((c) => !c.ok);
    heading.textContent = t(problem ? 'result.problemHeading' : 'result.okHeading');
    const where = el('p');
    where.append(t('result.where'), ' ', isolated(o.board, 'origin-value'), ' · ', t('confirmCode'), ' ', isolated(o.trackingCode));
    result.append(where);
    const named = el('p', null, { id: 'seal-election' });
    named.append(t('result.election'), ' ', local(o.title, ctx.lang));
    result.append(named);

    const list = el('ol', 'checks', { id: 'seal-checks' });
    for (const c of o.checks) {
      const item = el('li', c.ok ? 'check-ok' : 'check-bad', { 'data-check': c.id, 'data-ok': String(c.ok) });
      const name = el('span', 'check-name');
      name.textContent = t(`checks.${c.id}`);
      const verdict = el('span', 'check-verdict');
      verdict.textContent = c.ok ? t('pass') : t('fail');
      item.append(verdict, ' ', name);
      if (!c.ok && c.code) item.append(' ', isolated(c.code, 'code check-code'));
      list.append(item);
    }
    result.append(list);

    if (o.selections) {
      const held = el('h3');
      held.textContent = t('result.held');
      result.append(held, renderChoices(o.style, o.selections));
      const opened = el('p', 'note');
      opened.textContent = t('result.neverCounted');
      result.append(opened);
    }
    if (problem) {
      const box = el('div', 'error-box', { role: 'alert', id: 'seal-evidence' });
      const what = el('p');
      what.textContent = t(`problems.${problem.id}`);
      const report = el('p');
      report.textContent = t('result.report');
      box.append(what, report, evidenceLink(t('result.download'), `amanat-seal-evidence-${o.trackingCode}.json`, o.evidence));
      result.append(box);
    } else {
      const compare = el('p', 'result-ok', { id: 'seal-compare' });
      compare.textContent = t('result.compare');
      result.append(compare);
    }
  }

  function renderChoices(style, selections) {
    const box = el('div', 'choices', { id: 'seal-choices' });
    for (const contest of style.contests) {
      const block = el('section', 'choice-contest');
      const name = el('h4');
      name.textContent = local(contest.name, ctx.lang);
      block.append(name);
      const chosen = (selections[contest.id] || []).map((id) => contest.options.find((o) => o.id === id)).filter(Boolean);
      if (chosen.length === 0) {
        const none = el('p', 'choice-none');
        none.textContent = t('result.none');
        block.append(none);
      } else {
        const ul = el('ul', 'choice-list');
        for (const option of chosen) {
          const li = el('li', 'choice', { 'data-option': option.id });
          if (SYMBOLS.has(option.symbol)) {
            li.append(el('img', 'symbol', { src: `symbols/${option.symbol}.svg`, alt: '', width: '48', height: '48' }));
          }
          const text = el('span', 'choice-text');
          const optionName = el('span', 'choice-name');
          optionName.textContent = local(option.name, ctx.lang);
          const party = el('span', 'choice-party');
          party.textContent = option.partyName ? local(option.partyName, ctx.lang) : t('result.independent');
          text.append(optionName, party);
          if (SYMBOLS.has(option.symbol)) {
            const symbol = el('span', 'choice-symbol');
            symbol.textContent = t('result.symbol', { symbol: t(`symbols.${option.symbol}`) });
            text.append(symbol);
          }
          li.append(text);
          ul.append(li);
        }
        block.append(ul);
      }
      box.append(block);
    }
    return box;
  }

  apply();
  ctx.onLanguageChange(() => apply());
}

/**
 * Fetches the ballot from the board the code names and runs the four checks. Resolves to
 * `{board, trackingCode, checks: [{id, ok, code?}], style?, selections?, evidence}` or
 * `{unreachable: code}` when the board could not be asked at all (no evidence either way).
 */
export async function checkOnBoard(parsed, sealText) {
  const amanat = await loadModule();
  const board = parsed.board;
  let trackingCode;
  try {
    trackingCode = amanat.normalizeTrackingCode(parsed.trackingCode);
  } catch (err) {
    return { unreachable: codeOf(err) };
  }
  let electionText;
  let election;
  try {
    ({ text: electionText } = await fetchJson(`${board}/api/election`));
    election = amanat.Election.fromJson(electionText);
  } catch (err) {
    return { unreachable: codeOf(err) };
  }
  const checks = [];
  const evidence = {
    kind: 'amanat-seal-check',
    checked: new Date().toISOString(),
    board,
    sealCode: sealText,
    trackingCode,
    election: election.baseHash,
    ballotBoxKey: election.ballotBoxKey,
    checks,
    boardAnswer: null,
  };
  const title = election.title;
  const done = (extra = {}) => ({ board, trackingCode, title, checks, evidence, ...extra });

  // 1. On the board, as an opened ballot.
  let answer;
  try {
    ({ body: answer } = await fetchJson(`${board}/api/board/${encodeURIComponent(trackingCode)}`));
  } catch (err) {
    if (err instanceof RemoteError && err.status === 404) {
      checks.push({ id: 'onBoard', ok: false, code: 'NOT_ON_BOARD' });
      return done();
    }
    return { unreachable: codeOf(err) };
  }
  evidence.boardAnswer = answer;
  const entries = Array.isArray(answer && answer.entries) ? answer.entries : [];
  const opened = entries.find((e) => e && e.kind === 'challenge' && e.short === trackingCode);
  if (!opened) {
    const cast = entries.some((e) => e && e.kind === 'cast');
    checks.push({ id: 'onBoard', ok: false, code: cast ? 'CAST_NOT_OPENED' : 'NOT_ON_BOARD' });
    return done();
  }
  const alsoCast = entries.some((e) => e && e.kind === 'cast');
  checks.push(alsoCast ? { id: 'onBoard', ok: false, code: 'ALSO_CAST' } : { id: 'onBoard', ok: true });

  // 2. The ballot itself.
  const ballotJson = JSON.stringify(opened.ballot);
  let verified;
  try {
    verified = amanat.verifyBallot(election, ballotJson);
    if (verified.trackingCode !== trackingCode || verified.trackingHash !== opened.tracking) {
      throw Object.assign(new Error('tracking code'), { code: 'WRONG_BALLOT' });
    }
    checks.push({ id: 'ballot', ok: true });
  } catch (err) {
    checks.push({ id: 'ballot', ok: false, code: codeOf(err) });
    return done();
  }

  // 3. The seal code opens it.
  let style;
  let selections = null;
  try {
    style = election.ballotStyle(verified.style);
    const reveal = revealFor(parsed, style, verified.trackingHash, amanat.protocolVersion());
    selections = amanat.checkChallenge(election, ballotJson, JSON.stringify(reveal));
    checks.push({ id: 'opens', ok: true });
  } catch (err) {
    checks.push({ id: 'opens', ok: false, code: codeOf(err) });
  }

  // 4. The board's own opening says the same.
  try {
    const boardSelections = amanat.checkChallenge(election, ballotJson, JSON.stringify(opened.challenge));
    const same = opened.challenge.seed === parsed.seed && sameSelections(boardSelections, selections, style);
    checks.push(same ? { id: 'boardAgrees', ok: true } : { id: 'boardAgrees', ok: false, code: 'BOARD_DISAGREES' });
  } catch (err) {
    checks.push({ id: 'boardAgrees', ok: false, code: codeOf(err) });
  }
  return done({ style, selections });
}

function sameSelections(a, b, style) {
  if (!a || !b || !style) return false;
  return style.contests.every((contest) => {
    const x = [...(a[contest.id] || [])].sort();
    const y = [...(b[contest.id] || [])].sort();
    return x.length === y.length && x.every((v, i) => v === y[i]);
  });
}
