// `make bench-observer`: ballots verified per second by the observer page in headless
// Chromium (the record verifier in wasm, with 1 and with 2 checking workers) beside the
// native `amanat verify` (release build, rayon on one thread and on every core), on the same
// simulated record, in one run, medians of several runs.
//
//   node bench/observer.mjs [--voters 1000] [--runs 3] [--workers 1,2] [--json FILE]
//
// The record is simulated once with the release CLI into target/bench-observer/<voters>/ and
// kept. observer-site/ is served from loopback with its CSP, the record from another loopback
// origin (CORS), as an observer would fetch it. Each round verifies the record once per worker
// count and natively on 1 thread and on all, in turns, after one untimed warm-up in the
// browser. The figure is
// the board pass (reading, parsing, V4–V6, V8's sums, V13), entries per second, as `amanat
// verify` prints it. Peak memory: the resident memory of all of Chromium's processes during
// the run (sampled every 100 ms from /proc), and `amanat verify`'s peak (getrusage via
// /usr/bin/time). The coordinating worker's busy time gives the page's ceiling: the work no
// number of checking workers shares. Benchmarks report; nothing here asserts.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from '../tests/e2e/harness.mjs';
import { cliReport, serveRecords, serveSite, simulate } from '../tests/e2e/observer-harness.mjs';

function options(argv) {
  const o = { voters: 1000, runs: 3, workers: '1,2', json: null };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in o) || argv[i + 1] === undefined) throw new Error(`unknown or incomplete argument ${argv[i]}`);
    o[key] = key === 'json' || key === 'workers' ? argv[i + 1] : Number(argv[i + 1]);
  }
  o.workers = o.workers.split(',').map(Number);
  if (!(o.voters >= 1 && o.runs >= 1 && o.workers.every((n) => Number.isInteger(n) && n >= 1))) {
    throw new Error('--voters, --runs, --workers out of range');
  }
  return o;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Resident memory (bytes) of a process's descendants (Chromium's processes, for this one). */
function treeRss(root) {
  const children = new Map();
  const rss = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      rss.set(Number(name), Number(fields[21]) * 4096);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  const stack = [...(children.get(root) || [])];
  while (stack.length) {
    const pid = stack.pop();
    total += rss.get(pid) || 0;
    stack.push(...(children.get(pid) || []));
  }
  return total;
}

async function browserRun(browser, site, recordUrl, workers) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${site.url}/?workers=${workers}#verify`);
  await page.waitForSelector('#verify[data-state="start"]');
  const pid = process.pid;
  const base = pid ? treeRss(pid) : 0;
  let peak = base;
  const sampler = setInterval(() => {
    if (pid) peak = Math.max(peak, treeRss(pid));
  }, 100);
  await page.fill('#verify-url', recordUrl);
  await page.click('#verify-url-form button[type="submit"]');
  await page.waitForSelector('#verify[data-state="report"], #verify[data-state="error"]', { timeout: 3_600_000 });
  clearInterval(sampler);
  if ((await page.getAttribute('#verify', 'data-state')) !== 'report') {
    throw new Error(`the page failed: ${await page.textContent('#verify-error')}`);
  }
  const rate = Number(await page.getAttribute('#verify-timing', 'data-entries-per-second'));
  const coordinator = Number(await page.getAttribute('#verify-timing', 'data-coordinator-seconds'));
  const ok = (await page.getAttribute('#verify-summary', 'class')).includes('banner-ok');
  await context.close();
  return { rate, ok, peakMB: (peak - base) / 1e6, baseMB: base / 1e6, serialCeiling: entries / coordinator };
}

function nativeRun(bin, record, threads) {
  const env = { ...process.env, RAYON_NUM_THREADS: String(threads) };
  const run = spawnSync('/usr/bin/time', ['-v', bin, 'verify', record], { encoding: 'utf8', env });
  const match = run.stdout.match(/verified in [\d.]+ s \(the board in [\d.]+ s, (\d+) entries\/s\)/);
  if (!match) throw new Error(`amanat verify printed no timing:\n${run.stdout}\n${run.stderr}`);
  const rss = Number(run.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/)?.[1] || 0);
  return { rate: Number(match[1]), ok: run.status === 0, peakMB: rss / 1000 };
}

const o = options(process.argv.slice(2));
const bin = join(ROOT, 'target', 'release', 'amanat');
if (!existsSync(bin)) throw new Error('no target/release/amanat: run `make cli`');
const out = join(ROOT, 'target', 'bench-observer', String(o.voters));
const record = existsSync(join(out, 'record', 'board.jsonl')) ? join(out, 'record') : simulate(out, o.voters, 7, bin);
const entries = Number(JSON.parse(readFileSync(join(record, 'board.jsonl'), 'utf8').split('\n', 1)[0]).entries);
if (!cliReport(record, bin).ok) throw new Error('the simulated record does not verify natively');

console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`record: ${o.voters} voters, ${entries} board entries (${record})`);
const site = await serveSite();
const records = await serveRecords(join(out));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
});
const recordUrl = `${records.url}/record/`;
const results = { 'native-1': [], [`native-${cpus().length}`]: [] };
for (const n of o.workers) results[`chromium-${n}`] = [];
try {
  await browserRun(browser, site, recordUrl, Math.max(...o.workers)); // warm-up, untimed
  for (let round = 0; round < o.runs; round++) {
    const order = round % 2 ? [...o.workers].reverse() : o.workers;
    for (const n of order) {
      const r = await browserRun(browser, site, recordUrl, n);
      results[`chromium-${n}`].push(r);
      console.log(`round ${round + 1}: Chromium, ${n} worker(s): ${r.rate.toFixed(0)} entries/s, +${r.peakMB.toFixed(0)} MB resident at peak, ` +
        `coordinator busy ${(100 * r.rate / r.serialCeiling).toFixed(0)}% (ceiling ${r.serialCeiling.toFixed(0)} entries/s)${r.ok ? '' : ' (checks FAIL)'}`);
    }
    for (const threads of [1, cpus().length]) {
      const r = nativeRun(bin, record, threads);
      results[`native-${threads}`].push(r);
      console.log(`round ${round + 1}: native amanat verify (${threads} thread(s)): ${r.rate} entries/s, ${r.peakMB.toFixed(0)} MB peak resident`);
    }
  }
} finally {
  await browser.close();
  await site.close();
  await records.close();
}

console.log(`\nmedians of ${o.runs} runs, ${entries} entries:`);
console.log('where                              entries/s   peak memory');
const summary = {};
for (const [name, runs] of Object.entries(results)) {
  const rate = median(runs.map((r) => r.rate));
  const peak = median(runs.map((r) => r.peakMB));
  summary[name] = { rate, peakMB: peak, runs };
  const [kind, n] = name.split('-');
  const label = kind === 'native' ? `native amanat verify, ${n} thread(s)` : `Chromium, ${n} checking worker(s)`;
  console.log(`${label.padEnd(34)} ${rate.toFixed(0).padStart(9)}   ${kind === 'native' ? '' : '+'}${peak.toFixed(0)} MB`);
}
const perWorker = summary['chromium-1']?.rate;
const perThread = summary['native-1']?.rate;
if (perWorker && perThread) console.log(`\none checking worker in Chromium verifies ${(perWorker / perThread).toFixed(2)}x as many entries per second as one native thread`);
const ceiling = summary[`chromium-${o.workers[0]}`] && median(summary[`chromium-${o.workers[0]}`].runs.map((r) => r.serialCeiling));
if (ceiling) console.log(`the coordinating worker's own work (planning each batch, the chain, the rules, merging the sums) caps the page at ${ceiling.toFixed(0)} entries/s however many workers check`);
if (perWorker) {
  const aim = 6_000_000 * 1.25;
  console.log(`\nextrapolation: ${perWorker.toFixed(0)} entries/s per worker; 8 workers at that rate give ${(8 * perWorker).toFixed(0)} entries/s, ` +
    `${(aim / (8 * perWorker) / 3600).toFixed(1)} h for six million voters (~${(aim / 1e6).toFixed(1)} million entries; the aim is < 2 h, 830 ballots/s)`);
}
if (o.json) writeFileSync(o.json, `${JSON.stringify({ entries, voters: o.voters, summary }, null, 2)}\n`);
