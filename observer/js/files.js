// "The box's files" (#files): compares what a running ballot box serves with the published list
// of its files (served-files.json: URL path → SHA-256), as `amanat served-files check` does
// (authority/src/served_files.rs; docs/ballot-box.md, "Published files"). The list is the one
// the election published (picked as a file from the election directory or the record); the
// box's own copy (GET /api/served-files) can be used instead, and is then compared with the
// published one when both are given. Every file is fetched from the box and hashed here
// (crypto.subtle); each one that is not served exactly is named, with a file to download.

import { codeOf, el, evidenceLink, fetchBytes, fetchJson, isolated, sha256Hex, useStyles, say as sayIn, translateMarked } from './remote.js';
import { boardOrigin } from './seal-code.js';

const MAX_LIST = 4 << 20;
const MAX_FILES = 10_000;

/** A served-files.json document, checked as the CLI reads it; throws {code: 'BAD_LIST'}. */
export function readList(text) {
  const fail = (message) => Object.assign(new Error(message), { code: 'BAD_LIST' });
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    throw fail('not JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || Object.keys(doc).join() !== 'files') throw fail('not {"files": {...}}');
  const files = doc.files;
  if (!files || typeof files !== 'object' || Array.isArray(files)) throw fail('"files" is not an object');
  const entries = Object.entries(files);
  if (entries.length > MAX_FILES) throw fail(`more than ${MAX_FILES} files`);
  for (const [path, digest] of entries) {
    const wellFormed = path.startsWith('/') && path.slice(1).split('/').every((s) => s && !s.startsWith('.') && !/[\\%]/.test(s));
    if (!wellFormed) throw fail(`${path.slice(0, 100)} is not a path the box serves`);
    if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) throw fail(`the SHA-256 of ${path} is not 64 lowercase hex digits`);
  }
  return new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Fetches every listed file from `origin` and compares its SHA-256; `onResult` is called with
 * each `{path, verdict, got?}` (verdict 'same', 'DIFFERS', 'NOT_SERVED', 'UNREADABLE') as it
 * comes. Resolves to the list of results.
 */
export async function checkFiles(origin, list, onResult = () => {}) {
  const results = [];
  const paths = [...list.keys()];
  let next = 0;
  // A few at a time: quick on a good link, gentle on the box.
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next];
      next += 1;
      let result;
      try {
        const { ok, status, bytes } = await fetchBytes(`${origin}${path}`);
        if (!ok) result = { path, verdict: 'NOT_SERVED', status };
        else {
          const got = await sha256Hex(bytes);
          result = got === list.get(path) ? { path, verdict: 'same' } : { path, verdict: 'DIFFERS', got, want: list.get(path) };
        }
      } catch (err) {
        result = { path, verdict: 'UNREADABLE', code: codeOf(err) };
      }
      results.push(result);
      onResult(result);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return results.sort((a, b) => (a.path < b.path ? -1 : 1));
}

export async function mount(section, ctx) {
  const { t } = ctx;
  useStyles();
  const state = { outcome: null, busy: false };
  section.replaceChildren();
  section.classList.add('check-section');

  // The shell's heading of this section (index.html) stays; the rest is this module's.
  const title = section.querySelector('h1') || el('h1', null, { id: 'files-title', tabindex: '-1' });
  title.setAttribute('data-k', 'title');
  const intro = el('p', null, { 'data-k': 'intro' });
  const form = el('form', 'files-form', { id: 'files-form', novalidate: '' });
  const urlLabel = el('label', null, { for: 'files-url', 'data-k': 'urlLabel' });
  const url = el('input', null, { id: 'files-url', type: 'url', dir: 'ltr', inputmode: 'url', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://vote.example.org' });
  const listLabel = el('label', null, { for: 'files-list', 'data-k': 'listLabel' });
  const listHint = el('p', 'note', { id: 'files-list-hint', 'data-k': 'listHint' });
  const listFile = el('input', null, { id: 'files-list', type: 'file', accept: '.json,application/json', 'aria-describedby': 'files-list-hint' });
  const error = el('p', 'field-error', { id: 'files-error', role: 'alert' });
  const submit = el('button', 'button primary', { type: 'submit', id: 'files-check', 'data-k': 'check' });
  form.append(urlLabel, url, listLabel, listHint, listFile, error, submit);
  const progress = el('p', 'note', { id: 'files-progress', 'aria-live': 'polite' });
  const result = el('div', 'files-result', { id: 'files-result', hidden: '' });
  section.append(title, intro, form, progress, result);

  function apply() {
    translateMarked(t, section);
    if (state.outcome) render();
  }

  const say = (node, key, args) => sayIn(t, node, key, args);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (state.busy) return;
    error.removeAttribute('data-k');
    error.textContent = '';
    let origin;
    try {
      origin = boardOrigin(url.value.trim().replace(/\/+$/, ''));
    } catch {
      say(error, 'errors.BAD_URL');
      url.focus();
      return;
    }
    state.busy = true;
    submit.disabled = true;
    result.hidden = true;
    try {
      state.outcome = await run(origin, listFile.files && listFile.files[0]);
    } finally {
      state.busy = false;
      submit.disabled = false;
      progress.removeAttribute('data-k');
      progress.textContent = '';
    }
    if (state.outcome.error) {
      say(error, `errors.${state.outcome.error}`, { code: state.outcome.code || '' });
      state.outcome = null;
      return;
    }
    render();
    result.hidden = false;
    result.querySelector('h2').focus();
  });

  async function run(origin, file) {
    // The published list: the file picked, else the box's own copy.
    let published = null;
    let fromBox = null;
    if (file) {
      if (file.size > MAX_LIST) return { error: 'BAD_LIST' };
      try {
        published = readList(await file.text());
      } catch {
        return { error: 'BAD_LIST' };
      }
    }
    try {
      fromBox = readList((await fetchJson(`${origin}/api/served-files`)).text);
    } catch (err) {
      if (!published) return { error: err.code === 'BAD_LIST' ? 'BAD_LIST' : 'NO_LIST', code: codeOf(err) };
    }
    const list = published || fromBox;
    // The box's copy of the list differs from the published one: evidence in itself.
    const listDiffers = Boolean(published && fromBox) && !sameList(published, fromBox);
    let done = 0;
    say(progress, 'progress', { done, total: list.size });
    const results = await checkFiles(origin, list, () => {
      done += 1;
      say(progress, 'progress', { done, total: list.size });
    });
    return { origin, source: published ? 'file' : 'box', listDiffers, results, checked: new Date().toISOString() };
  }

  function render() {
    const o = state.outcome;
    const bad = o.results.filter((r) => r.verdict !== 'same');
    const ok = bad.length === 0 && !o.listDiffers;
    result.replaceChildren();
    const heading = el('h2', null, { id: 'files-result-heading', tabindex: '-1' });
    heading.textContent = t(ok ? 'okHeading' : 'badHeading');
    const summary = el('p', ok ? 'result-ok' : 'result-bad', { id: 'files-summary' });
    summary.textContent = t('summary', { same: o.results.length - bad.length, total: o.results.length, differ: bad.length });
    const source = el('p', 'note');
    source.append(t(o.source === 'file' ? 'sourceFile' : 'sourceBox'), ' ', isolated(o.origin, 'origin-value'));
    result.append(heading, summary, source);
    if (o.listDiffers) {
      const p = el('p', 'result-bad', { id: 'files-list-differs', role: 'alert' });
      p.textContent = t('listDiffers');
      result.append(p);
    }
    const table = el('table', 'files-table', { id: 'files-table' });
    const caption = el('caption');
    caption.textContent = t('tableCaption');
    const head = el('thead');
    const headRow = el('tr');
    for (const key of ['colFile', 'colResult']) {
      const th = el('th', null, { scope: 'col' });
      th.textContent = t(key);
      headRow.append(th);
    }
    head.append(headRow);
    const body = el('tbody');
    for (const r of [...bad, ...o.results.filter((x) => x.verdict === 'same')]) {
      const row = el('tr', r.verdict === 'same' ? 'file-same' : 'file-bad', { 'data-path': r.path, 'data-verdict': r.verdict });
      const path = el('td');
      path.append(isolated(r.path, 'file-path'));
      const verdict = el('td');
      verdict.textContent = t(`verdicts.${r.verdict}`, { status: r.status ?? '', code: r.code ?? '' });
      row.append(path, verdict);
      body.append(row);
    }
    table.append(caption, head, body);
    result.append(table);
    if (!ok) {
      const box = el('div', 'error-box', { id: 'files-evidence' });
      const report = el('p');
      report.textContent = t('report');
      const evidence = { kind: 'amanat-served-files-check', checked: o.checked, box: o.origin, listFrom: o.source, listDiffers: o.listDiffers, notServedExactly: bad };
      box.append(report, evidenceLink(t('download'), 'amanat-served-files-evidence.json', evidence));
      result.append(box);
    }
  }

  apply();
  ctx.onLanguageChange(() => apply());
}

function sameList(a, b) {
  return a.size === b.size && [...a].every(([path, digest]) => b.get(path) === digest);
}
