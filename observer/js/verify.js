// The "Verify the election record" section (docs/observer.md): the record from files picked
// on this device or from an address, verified by the record library in wasm in Web Workers
// (verify/coordinator.js), a progress bar, and the report: the numbered checks V1–V13 and the
// results per contest with the candidates' names, parties and symbols, and the report as JSON
// (the document `amanat verify --json` prints) to download.

/** The party symbols the site ships (symbols/<id>.svg, copied from the voter page's). */
const SYMBOLS = new Set([
  'crescent', 'lantern', 'river', 'wheat', 'kite', 'book', 'tree', 'bicycle', 'key', 'scales',
  'clock', 'boat', 'star', 'camel', 'jug', 'pen', 'umbrella', 'chair', 'bell', 'ladder',
]);
/** Screen readers hear progress at most this often (ms); the bar itself moves more often. */
const LIVE_EVERY = 5000;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** How many checking workers: ?workers=N in the page's address, else one per core. */
function workerCount() {
  const asked = Number(new URLSearchParams(location.search).get('workers'));
  if (Number.isInteger(asked) && asked >= 1 && asked <= 64) return asked;
  return Math.max(1, Math.min(64, navigator.hardwareConcurrency || 2));
}

function duration(seconds, ctx) {
  if (!Number.isFinite(seconds)) return '…';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = h ? [`${h} h`, `${m} min`] : m ? [`${m} min`, `${s % 60} s`] : [`${s} s`];
  return ctx.lang === 'ur' ? `\u2066${parts.join(' ')}\u2069` : parts.join(' ');
}

function number(n, ctx) {
  return new Intl.NumberFormat(ctx.lang === 'ur' ? 'ur-PK-u-nu-latn' : 'en-GB').format(n);
}

export async function mount(section, ctx) {
  const heading = section.querySelector('h1');
  const texts = []; // [element, key, vars?] re-rendered on a language change
  const text = (node, key, vars) => {
    texts.push([node, key, vars]);
    node.textContent = ctx.t(key, vars);
    return node;
  };

  // The two ways in.
  const folder = el('input', { type: 'file', id: 'verify-folder', multiple: '', webkitdirectory: '' });
  const files = el('input', { type: 'file', id: 'verify-files', multiple: '' });
  const filesForm = el('form', { class: 'card', id: 'verify-files-form', novalidate: '' },
    el('fieldset', {},
      text(el('legend'), 'files.legend'),
      el('p', { class: 'field' }, text(el('label', { for: 'verify-folder' }), 'files.folder'), folder),
      el('p', { class: 'field' }, text(el('label', { for: 'verify-files' }), 'files.pick'), files),
      text(el('button', { type: 'submit', class: 'primary' }), 'files.start')));
  const url = el('input', { type: 'url', id: 'verify-url', dir: 'ltr', autocomplete: 'url', inputmode: 'url', spellcheck: 'false', 'aria-describedby': 'verify-url-hint' });
  const urlForm = el('form', { class: 'card', id: 'verify-url-form', novalidate: '' },
    el('fieldset', {},
      text(el('legend'), 'url.legend'),
      el('p', { class: 'field' }, text(el('label', { for: 'verify-url' }), 'url.label'), url,
        text(el('span', { class: 'hint', id: 'verify-url-hint' }), 'url.hint')),
      text(el('button', { type: 'submit', class: 'primary' }), 'url.start')));
  const intro = text(el('p', { class: 'intro' }), 'intro');
  const start = el('div', { id: 'verify-start' }, intro, filesForm, urlForm);

  // Progress.
  const bar = el('progress', { id: 'verify-bar', max: '1', value: '0', 'aria-labelledby': 'verify-bar-label' });
  const status = el('p', { id: 'verify-status', 'aria-hidden': 'true' });
  const live = el('p', { class: 'visually-hidden', 'aria-live': 'polite', id: 'verify-live' });
  const progress = el('div', { class: 'card', id: 'verify-progress', hidden: '' },
    text(el('p', { id: 'verify-bar-label', class: 'bar-label' }), 'progress.label'), bar, status, live);

  const error = el('p', { class: 'banner banner-bad', id: 'verify-error', role: 'alert', hidden: '' });
  const report = el('div', { id: 'verify-report', hidden: '' });
  section.append(start, progress, error, report);

  let state = { phase: 'start' };
  let election = null;
  let lastLive = 0;

  const showStatus = () => {
    if (state.phase !== 'running') return;
    const { done, total, since } = state;
    if (total === undefined) {
      status.textContent = ctx.t('progress.starting');
      return;
    }
    const seconds = (performance.now() - since) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    bar.max = Math.max(1, total);
    bar.value = Math.min(done, total);
    status.textContent = ctx.t('progress.status', {
      done: number(done, ctx),
      total: number(total, ctx),
      rate: number(Math.round(rate), ctx),
      left: rate > 0 ? duration((total - done) / rate, ctx) : '…',
    });
    const now = performance.now();
    if (now - lastLive >= LIVE_EVERY || done === total) {
      lastLive = now;
      live.textContent = ctx.t('progress.live', { percent: Math.floor((100 * done) / Math.max(1, total)) });
    }
  };

  const run = (source) => {
    const workers = workerCount();
    state = { phase: 'running', since: performance.now(), workers };
    section.dataset.state = 'running';
    start.hidden = true;
    error.hidden = true;
    report.hidden = true;
    progress.hidden = false;
    bar.removeAttribute('value');
    lastLive = 0;
    showStatus();
    const coordinator = new Worker(new URL('./verify/coordinator.js', import.meta.url), { type: 'module' });
    coordinator.onmessage = ({ data }) => {
      if (data.type === 'documents') {
        election = parseElection(data.election);
      } else if (data.type === 'progress') {
        if (state.total === undefined) state.since = performance.now();
        Object.assign(state, { done: data.done, total: data.total });
        showStatus();
      } else if (data.type === 'report') {
        coordinator.terminate();
        state = { phase: 'report', report: data.report, entries: data.entries, seconds: data.boardSeconds, coordinator: data.coordinatorSeconds, workers };
        renderReport(true);
      } else if (data.type === 'error') {
        coordinator.terminate();
        state = { phase: 'error', code: data.code, message: data.message };
        renderError();
      }
    };
    coordinator.onerror = (event) => {
      event.preventDefault();
      coordinator.terminate();
      state = { phase: 'error', code: 'INTERNAL', message: event.message || 'the verifier stopped' };
      renderError();
    };
    coordinator.postMessage({ type: 'start', source, workers });
  };

  const renderError = () => {
    progress.hidden = true;
    start.hidden = false;
    error.textContent = ctx.t('error', { message: state.message, code: state.code });
    error.hidden = false;
    section.dataset.state = 'error';
  };

  const renderReport = (focus = false) => {
    progress.hidden = true;
    const r = state.report;
    const failed = r.checks.filter((c) => !c.ok).map((c) => c.id);
    const summary = el('p', { class: `banner ${r.ok ? 'banner-ok' : 'banner-bad'}`, id: 'verify-summary', role: 'status' });
    summary.textContent = r.ok
      ? ctx.t('report.allPass', { count: r.checks.length })
      : ctx.t('report.failed', { failed: failed.length, count: r.checks.length, ids: failed.join(', ') });
    const list = el('ol', { class: 'checks', id: 'verify-checks' },
      ...r.checks.map((c) => el('li', { class: c.ok ? 'check ok' : 'check bad', 'data-check': c.id },
        el('span', { class: 'check-head' },
          el('span', { class: 'check-id', dir: 'ltr', text: c.id }),
          el('span', { class: 'check-name', text: ctx.t(`checks.${c.id}`) }),
          el('span', { class: `badge ${c.ok ? 'badge-ok' : 'badge-bad'}`, text: ctx.t(c.ok ? 'report.pass' : 'report.fail') })),
        el('span', { class: 'check-detail', lang: 'en', dir: 'ltr', text: c.detail }))));
    const download = el('button', { type: 'button', class: 'primary', id: 'verify-download', text: ctx.t('report.download') });
    download.addEventListener('click', () => {
      const blob = new Blob([`${JSON.stringify(r, null, 2)}\n`], { type: 'application/json' });
      const link = el('a', { href: URL.createObjectURL(blob), download: 'verify-report.json' });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    });
    const again = el('button', { type: 'button', class: 'secondary', id: 'verify-again', text: ctx.t('report.again') });
    again.addEventListener('click', () => {
      state = { phase: 'start' };
      report.hidden = true;
      start.hidden = false;
      section.dataset.state = 'start';
      heading.focus();
    });
    const rate = state.seconds > 0 ? Math.round(state.entries / state.seconds) : 0;
    const timing = el('p', { class: 'timing', id: 'verify-timing', text: ctx.t('report.timing', {
      entries: number(state.entries, ctx),
      seconds: (Math.round(state.seconds * 10) / 10).toString(),
      rate: number(rate, ctx),
      workers: state.workers,
    }) });
    timing.dataset.entriesPerSecond = String(state.seconds > 0 ? state.entries / state.seconds : 0);
    timing.dataset.coordinatorSeconds = String(state.coordinator);
    report.replaceChildren(
      el('h2', { id: 'verify-report-heading', tabindex: '-1', text: ctx.t('report.heading') }),
      summary, list, timing,
      el('p', { class: 'actions' }, download, again),
      ...results(r));
    report.hidden = false;
    section.dataset.state = 'report';
    if (focus) report.querySelector('h2').focus();
  };

  /** The results per contest, in the manifest's order, with names, parties and symbols. */
  const results = (r) => {
    const out = [el('h2', { id: 'verify-results-heading', text: ctx.t('results.heading') })];
    if (!r.ok) out.push(el('p', { class: 'banner banner-bad', text: ctx.t('results.unproven') }));
    const local = (text) => (text && typeof text === 'object' ? text[ctx.lang] || text.en || '' : String(text ?? ''));
    const contests = election?.contests ?? Object.keys(r.results).map((id) => ({ id, name: id, options: [] }));
    for (const contest of contests) {
      const counts = r.results[contest.id];
      if (!counts) continue;
      const known = new Set(contest.options.map((o) => o.id));
      const options = [
        ...contest.options.filter((o) => o.id in counts),
        ...Object.keys(counts).filter((id) => !known.has(id)).map((id) => ({ id, name: id })),
      ];
      const headId = `verify-contest-${contest.id}`;
      const rows = options.map((o) => {
        const party = o.party ? election?.parties.get(o.party) : null;
        const symbol = SYMBOLS.has(o.symbol)
          ? el('img', { class: 'symbol', src: `symbols/${o.symbol}.svg`, width: '36', height: '36',
            alt: ctx.t('results.symbol', { symbol: ctx.t(`symbols.${o.symbol}`) }) })
          : null;
        return el('tr', { 'data-option': o.id },
          el('td', { class: 'symbol-cell' }, symbol),
          el('th', { scope: 'row', text: local(o.name) }),
          el('td', { text: party ? local(party) : o.party ?? ctx.t('results.independent') }),
          el('td', { class: 'votes', text: number(counts[o.id], ctx) }));
      });
      out.push(el('h3', { id: headId, text: local(contest.name) }),
        // A narrow screen scrolls a wide table: the region takes focus, so a keyboard can too.
        el('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': headId },
          el('table', { class: 'results', 'aria-labelledby': headId },
            el('thead', {}, el('tr', {},
              el('td', {}),
              el('th', { scope: 'col', text: ctx.t('results.candidate') }),
              el('th', { scope: 'col', text: ctx.t('results.party') }),
              el('th', { scope: 'col', text: ctx.t('results.votes') }))),
            el('tbody', {}, ...rows))));
    }
    return out;
  };

  filesForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const picked = [...folder.files, ...files.files];
    if (picked.length === 0) {
      state = { phase: 'error', code: 'NO_FILES', message: ctx.t('files.none') };
      renderError();
      return;
    }
    run({ files: picked });
  });
  urlForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const address = url.value.trim();
    if (!address) {
      state = { phase: 'error', code: 'NO_URL', message: ctx.t('url.none') };
      renderError();
      return;
    }
    run({ url: new URL(address, location.href).href });
  });

  ctx.onLanguageChange(() => {
    for (const [node, key, vars] of texts) node.textContent = ctx.t(key, vars);
    if (state.phase === 'running') showStatus();
    else if (state.phase === 'report') renderReport();
    else if (state.phase === 'error') renderError();
  });
  section.dataset.state = 'start';
}

/** The names the report shows, from election.json's manifest; null if it does not parse. */
function parseElection(text) {
  if (typeof text !== 'string') return null;
  try {
    const { manifest } = JSON.parse(text);
    return {
      contests: manifest.contests.map((c) => ({ id: c.id, name: c.name, options: c.options })),
      parties: new Map((manifest.parties || []).map((p) => [p.id, p.name])),
    };
  } catch {
    return null;
  }
}
