// `make bench`: one run, one table. Starts the release-built examples/bench_native.rs as a
// sealing server, serves the repository on 127.0.0.1 and drives headless Chromium through
// bench/index.html, where the wasm module (both builds: the SIMD one the browser loads and the
// baseline one for browsers without SIMD), plain JavaScript on @noble/curves and (through an
// exposed function) the native seal take turns round by round, so that every variant sees the
// same machine load. Does the same in this Node process on pkg/'s Node build (amanat.cjs), and measures page load
// to a ready module on fresh browser profiles.
//
//   node bench/run.mjs [--runs 40] [--warmup 10] [--loads 20] [--json FILE]
//
// Needs pkg/ (make pkg). Every request the page makes must stay on the local origin; any
// other request fails the run.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import * as noble from './noble-seal.mjs';
import { median, timeSeal } from './seal-runs.mjs';
import { startServer } from './serve.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function options(argv) {
  const o = { runs: 40, warmup: 10, loads: 20, json: null };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in o) || argv[i + 1] === undefined) throw new Error(`unknown or incomplete argument ${argv[i]}`);
    o[key] = key === 'json' ? argv[i + 1] : Number(argv[i + 1]);
  }
  if (o.runs < 1 || o.loads < 1) throw new Error('--runs and --loads must be at least 1');
  return o;
}

/**
 * Starts examples/bench_native.rs in its --serve mode (writing the election and code to
 * `dir`): `seal()` has it seal once and resolves to the time it took, in ms.
 */
async function startNative(dir) {
  // Build first, then run the binary itself: cargo's build lock, which other builds on the
  // machine may hold, is then never waited on during the timing.
  await new Promise((ok, fail) => {
    const build = spawn('cargo', ['build', '--release', '--example', 'bench_native'], { cwd: ROOT, stdio: 'inherit' });
    build.on('error', fail);
    build.on('close', (code) => (code === 0 ? ok() : fail(new Error(`cargo build exited with ${code}`))));
  });
  const target = process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target');
  const binary = join(target, 'release', 'examples', 'bench_native');
  const child = spawn(binary, ['--emit', dir, '--serve'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((ok) => child.on('close', ok));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`bench_native exited with ${await exited}`);
    return value;
  };
  if ((await next()) !== 'ready') throw new Error('bench_native did not start');
  return {
    async seal() {
      child.stdin.write('seal\n');
      const ms = Number(await next());
      if (!Number.isFinite(ms)) throw new Error('bench_native printed no time');
      return ms;
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}

const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
};

/** A fresh profile (empty cache); requests to anything but `origin` are collected in `foreign`. */
async function freshPage(browser, origin, foreign) {
  const context = await browser.newContext();
  // Watched, not intercepted: routing every request through Playwright would slow the loads
  // being timed.
  context.on('request', (req) => {
    const url = req.url();
    if (new URL(url).origin !== origin && !url.startsWith('data:')) foreign.push(url);
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

/** The same side-by-side timing as the page, in this Node process, on pkg/'s Node build (amanat.cjs). */
async function runNode(opts, dir, native) {
  const amanat = createRequire(import.meta.url)(join(ROOT, 'pkg', 'amanat.cjs'));
  const electionJson = await readFile(join(dir, 'election.json'), 'utf8');
  // The baseline build through the web glue, a separate instance.
  const web = await import(pathToFileURL(join(ROOT, 'pkg', 'amanat.js')).href);
  web.initSync({ module: await readFile(join(ROOT, 'pkg', 'amanat_bg.wasm')) });
  return timeSeal({
    amanat,
    election: amanat.Election.fromJson(electionJson),
    baseline: { amanat: web, election: web.Election.fromJson(electionJson) },
    manifest: JSON.parse(electionJson).manifest,
    code: (await readFile(join(dir, 'credential.txt'), 'utf8')).trim(),
    noble,
    runs: opts.runs,
    warmup: opts.warmup,
    extra: { native: () => native.seal() },
  });
}

async function runBrowser(opts, url, native) {
  const browser = await chromium.launch(LAUNCH);
  const foreign = [];
  try {
    const origin = new URL(url).origin;
    // Page load to ready module, each on a fresh profile: nothing cached.
    const ready = [];
    const module = [];
    const wasmFetched = [];
    let wasmFile = null;
    const htmlFetched = [];
    const glueFetched = [];
    for (let i = 0; i < opts.loads; i++) {
      const { context, page, errors } = await freshPage(browser, origin, foreign);
      await page.goto(`${url}/bench/`);
      const t = await page.evaluate(() => window.bench.ready).catch((e) => {
        throw new Error(`the page did not get ready: ${e.message} ${errors.join('; ')}`);
      });
      ready.push(t.readyMs);
      wasmFile = t.wasmFile;
      module.push(t.moduleMs);
      wasmFetched.push(t.wasmFetchedMs);
      htmlFetched.push(t.htmlFetchedMs);
      glueFetched.push(t.glueFetchedMs);
      await context.close();
    }
    const { context, page, errors } = await freshPage(browser, origin, foreign);
    await page.exposeFunction('benchNativeSeal', () => native.seal());
    await page.goto(`${url}/bench/`);
    const result = await page
      .evaluate((o) => window.bench.run(o), { runs: opts.runs, warmup: opts.warmup })
      .catch((e) => {
        throw new Error(`the benchmark page failed: ${e.message} ${errors.join('; ')}`);
      });
    await context.close();
    if (foreign.length) throw new Error(`the page requested other origins: ${foreign.join(', ')}`);
    result.load = {
      loads: opts.loads,
      readyMedianMs: median(ready),
      readyMinMs: Math.min(...ready),
      readyMaxMs: Math.max(...ready),
      moduleMedianMs: median(module),
      htmlFetchedMedianMs: median(htmlFetched),
      glueFetchedMedianMs: median(glueFetched),
      glueToReadyMedianMs: median(ready.map((r, i) => r - glueFetched[i])),
      wasmFetchedMedianMs: median(wasmFetched),
      wasmFile,
    };
    result.browserVersion = browser.version();
    return result;
  } finally {
    await browser.close();
  }
}

async function moduleSize() {
  const sizes = {};
  for (const [name, files] of [['simd', ['amanat_simd_bg.wasm']], ['baseline', ['amanat_bg.wasm']], ['js', ['amanat.js', 'amanat_bindgen.js']]]) {
    const bytes = Buffer.concat(await Promise.all(files.map((f) => readFile(join(ROOT, 'pkg', f)))));
    sizes[name] = { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  }
  return sizes;
}

function table(node, browser, size, load) {
  const s = browser.seal;
  const native = s.native;
  const ms = (x) => x.toFixed(2).padStart(9);
  const row = (name, r) => `  ${name.padEnd(44)}${String(r.runs).padStart(5)}${ms(r.medianMs)}${ms(r.minMs)}${ms(r.maxMs)}`;
  const wasmNative = s.wasm.medianMs / native.medianMs;
  const jsWasm = s.nobleCt.medianMs / s.wasm.medianMs;
  const jsUnsafeWasm = s.nobleUnsafe.medianMs / s.wasm.medianMs;
  const yes = (b) => (b ? 'yes' : 'NO');
  const kib = (f) => `${(f.bytes / 1024).toFixed(0)} KiB (${(f.gzip / 1024).toFixed(0)} KiB gzipped)`;
  const base = s.wasmBaseline;
  return [
    'Sealing the reference ballot (NA-1: 15 options, PP-1: 20 options, one choice each, signed)',
    `  ${'variant'.padEnd(44)}${'runs'.padStart(5)}${'median'.padStart(9)}${'min'.padStart(9)}${'max'.padStart(9)}   (ms)`,
    row('native (release build)', native),
    row(`wasm in headless Chromium ${browser.browserVersion.split('.')[0]}, SIMD build`, s.wasm),
    row('  the same, baseline build (no SIMD)', base),
    row('plain JS, @noble/curves, multiply (const.)', s.nobleCt),
    row('plain JS, @noble/curves, multiplyUnsafe', s.nobleUnsafe),
    row(`wasm in Node ${process.versions.node}, SIMD build`, node.wasm),
    row('  the same, baseline build (no SIMD)', node.wasmBaseline),
    row(`plain JS in Node, multiply (const.)`, node.nobleCt),
    row(`plain JS in Node, multiplyUnsafe`, node.nobleUnsafe),
    '',
    `Page load to ready module (fetch + compile + instantiate + election JSON), fresh profile, ${browser.load.loads} loads:`,
    `  median ${browser.load.readyMedianMs.toFixed(1)} ms (min ${browser.load.readyMinMs.toFixed(1)}, max ${browser.load.readyMaxMs.toFixed(1)}); module alone ready at ${browser.load.moduleMedianMs.toFixed(1)} ms`,
    `  (medians from navigation start: page fetched ${browser.load.htmlFetchedMedianMs.toFixed(1)} ms, glue script fetched ${browser.load.glueFetchedMedianMs.toFixed(1)} ms, wasm fetched ${browser.load.wasmFetchedMedianMs.toFixed(1)} ms, compiled and instantiated ${browser.load.moduleMedianMs.toFixed(1)} ms, election loaded ${browser.load.readyMedianMs.toFixed(1)} ms;`,
    `   from the glue script's arrival to ready: median ${browser.load.glueToReadyMedianMs.toFixed(1)} ms)`,
    `  (the page loaded ${browser.load.wasmFile})`,
    `Module size: ${kib(size.simd)} (SIMD build) or ${kib(size.baseline)} (baseline build) wasm, one of which a browser fetches, + ${kib(size.js)} JS glue`,
    '',
    'Targets:',
    `  wasm / native      ${wasmNative.toFixed(2)}x   (target within 3x: ${yes(wasmNative <= 3)})`,
    `  JS / wasm          ${jsWasm.toFixed(1)}x    (in Chromium; target at least 5x: ${yes(jsWasm >= 5)}; with multiplyUnsafe ${jsUnsafeWasm.toFixed(1)}x)`,
    `  JS / wasm baseline ${(s.nobleCt.medianMs / base.medianMs).toFixed(1)}x    (in Chromium, the build for browsers without SIMD; SIMD build ${(base.medianMs / s.wasm.medianMs).toFixed(2)}x faster)`,
    `  JS / wasm in Node  ${(node.nobleCt.medianMs / node.wasm.medianMs).toFixed(1)}x    (with multiplyUnsafe ${(node.nobleUnsafe.medianMs / node.wasm.medianMs).toFixed(1)}x)`,
    `  wasm seal < 25 ms  ${s.wasm.medianMs.toFixed(2)} ms (${yes(s.wasm.medianMs < 25)})`,
    `  the same ratios from the fastest runs (least disturbed by other processes): wasm / native ${(s.wasm.minMs / native.minMs).toFixed(2)}x, JS / wasm ${(s.nobleCt.minMs / s.wasm.minMs).toFixed(1)}x (multiplyUnsafe ${(s.nobleUnsafe.minMs / s.wasm.minMs).toFixed(1)}x), in Node ${(node.nobleCt.minMs / node.wasm.minMs).toFixed(1)}x`,
    `  (page timer resolution: ${browser.crossOriginIsolated ? 'cross-origin isolated, fine-grained' : 'coarse, not cross-origin isolated'})`,
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; 1-minute load average ${load.start.toFixed(1)} at start, ${load.end.toFixed(1)} at end`,
  ].join('\n');
}

const opts = options(process.argv.slice(2));
const load = { start: loadavg()[0], end: null };
const dir = await mkdtemp(join(tmpdir(), 'amanat-bench-'));
let server;
let native;
try {
  await stat(join(ROOT, 'pkg', 'amanat.js')).catch(() => {
    throw new Error('pkg/ is missing: run make pkg first');
  });
  console.error('bench: building and starting the native sealer (cargo, release profile)…');
  native = await startNative(dir);
  await stat(join(ROOT, 'pkg', 'amanat.cjs')).catch(() => {
    throw new Error('pkg/amanat.cjs is missing: run make pkg first');
  });
  console.error(`bench: Node ${process.versions.node}: ${opts.warmup} warm-up and ${opts.runs} timed rounds…`);
  const node = await runNode(opts, dir, native);
  server = await startServer({
    routes: {
      '/bench/election.json': { body: await readFile(join(dir, 'election.json')) },
      '/bench/credential.txt': { body: await readFile(join(dir, 'credential.txt')) },
    },
  });
  console.error(`bench: headless Chromium on ${server.url}: ${opts.loads} page loads, then ${opts.warmup} warm-up and ${opts.runs} timed rounds…`);
  const browser = await runBrowser(opts, server.url, native);
  const size = await moduleSize();
  load.end = loadavg()[0];
  console.log(table(node, browser, size, load));
  if (opts.json) await writeFile(opts.json, JSON.stringify({ node, browser, size, load }, null, 2) + '\n');
} catch (e) {
  console.error(`bench: ${e.message}`);
  process.exitCode = 1;
} finally {
  await server?.close();
  await native?.close();
  await rm(dir, { recursive: true, force: true });
}
