// `make bench-page`: the voter page's first and second load on a phone's slow link, for an
// Urdu voter and an English voter, as medians of several runs.
//
//   node bench/page.mjs [--runs 5] [--kbps 400] [--rtt 400] [--cpu 6] [--json FILE]
//
// A demo election is served by the real ballot box (`amanat serve`, the newest of
// target/{debug,release}/amanat, or $AMANAT_BIN) behind bench/throttle.mjs, a throttling proxy
// on loopback, so every request is slowed, the service worker's included. Headless Chromium
// opens the page at 360 × 740 with its CPU slowed (`Emulation.setCPUThrottlingRate` on the
// page), in a fresh profile each run (nothing cached, no service worker): the first load. The
// page is then left until the link has been quiet for 3 s (the service worker has installed),
// and opened again in the same profile: the second load.
//
// For each load it prints: the meaningful first paint (the first frame with a screen heading
// in the voter's language), when the code field is usable (the code screen is shown, and what
// is typed is checked as it is typed), the bytes on the wire (HTTP headers and bodies, both
// directions) and requests by then, the same for the whole visit until the link is quiet, and
// any file downloaded twice in one visit (a 200 with a body for the same path). The budget
// (issue 10): code field usable under 8 s and under 600 KB for the Urdu voter, nothing
// downloaded twice, meaningful paint within 2 s. Benchmarks report; nothing here asserts.

import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { chromium } from 'playwright-core';
import { demoElection, startServer } from '../tests/e2e/harness.mjs';
import { startThrottle } from './throttle.mjs';

function options(argv) {
  const o = { runs: 5, kbps: 400, rtt: 400, cpu: 6, json: null };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in o) || argv[i + 1] === undefined) throw new Error(`unknown or incomplete argument ${argv[i]}`);
    o[key] = key === 'json' ? argv[i + 1] : Number(argv[i + 1]);
  }
  if (!(o.runs >= 1 && o.kbps > 0 && o.rtt >= 0 && o.cpu >= 1)) throw new Error('--runs, --kbps, --rtt, --cpu out of range');
  return o;
}

const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
};

// In the page, before its own scripts: note the first frame that shows a screen heading with
// text, and the first that shows the code screen (shown once the module is ready).
function instrument() {
  const marks = {};
  window.__benchMarks = marks;
  const mark = (name) => {
    if (name in marks) return;
    marks[name] = performance.now();
    if (window.__benchMark) window.__benchMark(name);
  };
  const check = () => {
    if (!('paint' in marks)) {
      const heading = [...document.querySelectorAll('.screen:not([hidden]) h1')].find((h) => h.textContent.trim() !== '');
      if (heading) requestAnimationFrame(() => mark('paint'));
    }
    if (!('code' in marks)) {
      const screen = document.getElementById('screen-code');
      if (screen && !screen.hidden) {
        requestAnimationFrame(() => mark('code'));
      }
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Paths that came down with a body (status 200) more than once in `log`. */
function twice(log) {
  const seen = new Map();
  for (const r of log) if (r.status === 200) seen.set(r.path, (seen.get(r.path) || 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([path, n]) => `${path} ×${n}`);
}

async function load(page, proxy, url, snapshots) {
  proxy.reset();
  snapshots.clear();
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__benchMarks && 'code' in window.__benchMarks, null, { timeout: 180_000, polling: 100 });
  const marks = await page.evaluate(() => window.__benchMarks);
  const atCode = snapshots.get('code');
  await page.evaluate(() => navigator.serviceWorker && navigator.serviceWorker.ready);
  await proxy.quietFor(3000);
  const { down, up } = proxy.bytes();
  const log = [...proxy.log];
  return {
    paintMs: marks.paint,
    codeMs: marks.code,
    codeBytes: atCode.bytes,
    codeRequests: atCode.requests,
    visitBytes: down + up,
    visitRequests: log.length,
    twice: twice(log),
    requests: log.map((r) => ({ path: r.path, status: r.status, bytesDown: r.bytesDown })),
  };
}

async function run(browser, proxy, lang, opts) {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    locale: lang === 'ur' ? 'ur-PK' : 'en-GB',
  });
  const snapshots = new Map();
  await context.exposeBinding('__benchMark', (_source, name) => {
    const { down, up } = proxy.bytes();
    snapshots.set(name, { bytes: down + up, requests: proxy.log.length });
  });
  await context.addInitScript(instrument);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: opts.cpu });
  const url = `${proxy.url}/`;
  try {
    const first = await load(page, proxy, url, snapshots);
    const second = await load(page, proxy, url, snapshots);
    return { first, second };
  } finally {
    await context.close();
  }
}

const kb = (bytes) => `${(bytes / 1000).toFixed(0)} KB`;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

function summary(runs) {
  const pick = (f) => median(runs.map(f));
  return {
    paintMs: pick((r) => r.paintMs),
    codeMs: pick((r) => r.codeMs),
    codeBytes: pick((r) => r.codeBytes),
    codeRequests: pick((r) => r.codeRequests),
    visitBytes: pick((r) => r.visitBytes),
    visitRequests: pick((r) => r.visitRequests),
    twice: [...new Set(runs.flatMap((r) => r.twice))],
  };
}

function table(results, opts) {
  const rows = [['', 'first paint', 'code usable', 'wire by then', 'requests', 'whole visit', 'requests', 'downloaded twice']];
  const twiceLists = [];
  for (const [lang, name] of [['ur', 'Urdu'], ['en', 'English']]) {
    for (const which of ['first', 'second']) {
      const m = summary(results[lang].map((r) => r[which]));
      rows.push([`${name}, ${which} load`, s(m.paintMs), s(m.codeMs), kb(m.codeBytes), String(m.codeRequests),
        kb(m.visitBytes), String(m.visitRequests), m.twice.length ? `${m.twice.length} files` : 'none']);
      if (m.twice.length) twiceLists.push(`Downloaded twice, ${name}, ${which} load: ${m.twice.join(', ')}`);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  return [
    `Voter page on an emulated slow link: ${opts.kbps} kbit/s each way, ${opts.rtt} ms round trip, every request through`,
    `a throttling proxy (the service worker's too), CPU ${opts.cpu}x slower; 360 x 740; medians of ${opts.runs} runs each.`,
    `"wire by then": bytes both ways (HTTP headers and bodies) until the code field was usable; "whole visit": until the link`,
    'was quiet for 3 s (the service worker installed); KB = 1000 bytes.',
    '',
    ...lines,
    ...(twiceLists.length ? ['', ...twiceLists] : []),
    '',
    'Budget (issue 10), Urdu voter: code field usable under 8 s, under 600 KB on the wire; nothing downloaded twice;',
    'meaningful first paint within 2 s.',
    `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}; 1-minute load average ${loadavg()[0].toFixed(1)} at the end.`,
  ].join('\n');
}

const opts = options(process.argv.slice(2));
const election = demoElection(3);
const server = await startServer(election.dir);
const boxUrl = new URL(server.url);
const proxy = await startThrottle({
  target: { host: boxUrl.hostname, port: Number(boxUrl.port) },
  downKbps: opts.kbps,
  upKbps: opts.kbps,
  rttMs: opts.rtt,
});
const browser = await chromium.launch(LAUNCH);
const results = { ur: [], en: [] };
try {
  for (let i = 0; i < opts.runs; i += 1) {
    for (const lang of ['ur', 'en']) {
      const r = await run(browser, proxy, lang, opts);
      results[lang].push(r);
      for (const which of ['first', 'second']) {
        const x = r[which];
        console.error(`bench-page: ${lang} run ${i + 1} ${which}: paint ${s(x.paintMs)}, code ${s(x.codeMs)}, `
          + `${kb(x.codeBytes)} / ${x.codeRequests} req by then, visit ${kb(x.visitBytes)} / ${x.visitRequests} req`
          + `${x.twice.length ? `, twice: ${x.twice.join(', ')}` : ''}`);
      }
    }
  }
} finally {
  await browser.close();
  await proxy.close();
  await server.stop();
  election.cleanup();
}
console.log(table(results, opts));
if (opts.json) await writeFile(opts.json, `${JSON.stringify({ options: opts, results }, null, 2)}\n`);
