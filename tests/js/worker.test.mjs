// The worker API (`worker()` in src/facade.js, src/worker.js) in headless Chromium, pkg/
// served from 127.0.0.1 under `script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'`: what
// a sealed ballot in the worker allows once used or freed, errors arriving as the module's
// own with their codes, an invalid election refused by worker() itself, a module handed over
// (the worker then fetches none), and terminate().
// Skipped where /usr/bin/chromium is missing. Run: make test-js (or node --test tests/js/).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; worker-src 'self'";
const electionJson = readFileSync(join(root, 'tests', 'vectors', 'election.json'), 'utf8');
const { code } = JSON.parse(readFileSync(join(root, 'tests', 'vectors', 'ballots.json'), 'utf8'))[0];
const choice = { 'NA-1': ['na-1-03'], 'PP-1': ['pp-1-17'] };

const PAGE = '<!doctype html><script type="module" src="/page.js"></script>';
// Each step's outcome: a value, or the error's name, code and whether isAmanatError knows it.
const PAGE_JS = `
import init, { worker, wasmFileName, isAmanatError } from '/pkg/amanat.js';
const settle = (p) => p.then((value) => ({ value }), (e) => ({ error: { name: e.name, code: e.code ?? null, ours: isAmanatError(e), message: e.message } }));
window.result = (async () => {
  const election = await (await fetch('/election.json')).text();
  const code = location.hash.slice(1);
  const choice = ${JSON.stringify(choice)};
  const out = {};
  out.badElection = await settle(worker('{'));
  const w = await worker(election);
  out.facts = { electionId: w.electionId, baseHash: w.baseHash.length };
  const sealed = await w.seal(code, choice);
  out.sealed = Object.keys(sealed).sort();
  const ballotJson = await sealed.cast();
  out.castIsBallot = ballotJson === sealed.ballotJson;
  out.castAgain = await settle(sealed.cast());
  out.challengeAfterCast = await settle(sealed.challenge());
  const other = await w.seal(code, choice);
  await other.free();
  out.castAfterFree = await settle(other.cast());
  out.verified = (await w.verifyBallot(ballotJson)).trackingCode === sealed.trackingCode;
  out.overvote = await settle(w.seal(code, { 'NA-1': ['na-1-01', 'na-1-02'], 'PP-1': ['pp-1-17'] }));
  out.badBallot = await settle(w.verifyBallot('{}'));
  out.uncloneable = await settle(w.seal(code, { 'NA-1': [() => 'na-1-03'] }));
  const opened = await w.seal(code, choice);
  out.revealed = await w.checkChallenge(opened.ballotJson, await opened.challenge());
  const pending = w.seal(code, choice);
  w.terminate();
  out.pendingAtTerminate = await settle(pending);
  out.afterTerminate = await settle(w.verifyBallot(ballotJson));
  // A module handed over: compiled here, so the worker fetches none.
  const before = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length;
  const module = await WebAssembly.compileStreaming(fetch('/pkg/' + wasmFileName()));
  const handed = await worker(election, { module });
  out.handedSeal = /^[0-9A-Z]{4}-/.test((await handed.seal(code, choice)).trackingCode);
  handed.terminate();
  out.wasmFetchedByPage = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length - before;
  return out;
})();`;

function serve() {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const send = (type, body) => {
      res.writeHead(200, { 'content-type': type, 'content-security-policy': CSP });
      res.end(body);
    };
    if (path === '/') return send('text/html', PAGE);
    if (path === '/page.js') return send('text/javascript', PAGE_JS);
    if (path === '/election.json') return send('application/json', electionJson);
    const file = join(root, 'pkg', path.replace(/^\/pkg\//, ''));
    if (path.startsWith('/pkg/') && /^[\w.]+$/.test(path.slice(5)) && existsSync(file)) {
      return send(path.endsWith('.wasm') ? 'application/wasm' : 'text/javascript', readFileSync(file));
    }
    return res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('worker(): a sealed ballot used once, errors with their codes, an invalid election refused, terminate(), a module handed over', { skip: !existsSync(CHROMIUM) && 'no /usr/bin/chromium' }, async () => {
  const server = await serve();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const workers = [];
    page.on('worker', (w) => workers.push(w));
    // Every fetch of a module file, the page's and the workers'.
    const wasm = [];
    context.on('request', (r) => {
      if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname);
    });
    await page.goto(`http://127.0.0.1:${server.address().port}/#${code}`);
    await page.waitForFunction(() => window.result !== undefined);
    const out = await page.evaluate(() => window.result);
    const coded = (c) => ({ name: 'Error', code: c, ours: true });
    const pick = (r) => r.error && { name: r.error.name, code: r.error.code, ours: r.error.ours };
    assert.deepEqual(pick(out.badElection), coded('MALFORMED_JSON'), JSON.stringify(out.badElection));
    assert.deepEqual(out.facts, { electionId: 'reference-2026', baseHash: 128 });
    assert.deepEqual(out.sealed, ['ballotJson', 'cast', 'challenge', 'free', 'trackingCode', 'trackingHash']);
    assert.equal(out.castIsBallot, true);
    assert.deepEqual(pick(out.castAgain), coded('BALLOT_SPENT'));
    assert.deepEqual(pick(out.challengeAfterCast), coded('BALLOT_SPENT'));
    assert.deepEqual(pick(out.castAfterFree), coded('FREED_OBJECT'));
    assert.equal(out.verified, true);
    assert.deepEqual(pick(out.overvote), coded('OVERVOTE'));
    assert.equal(out.badBallot.error.ours, true);
    assert.equal(out.badBallot.error.code, 'MALFORMED_JSON');
    assert.deepEqual(pick(out.uncloneable), coded('MALFORMED_JSON'), JSON.stringify(out.uncloneable));
    assert.deepEqual(out.revealed, choice);
    assert.equal(out.pendingAtTerminate.error?.ours, false, JSON.stringify(out.pendingAtTerminate));
    assert.match(out.pendingAtTerminate.error.message, /terminated/);
    assert.equal(out.afterTerminate.error?.ours, false);
    assert.equal(out.handedSeal, true);
    assert.equal(out.wasmFetchedByPage, 1);
    assert.equal(workers.length, 3, 'each worker() started a worker');
    // The worker refusing the invalid election and the default one each fetched the SIMD
    // build themselves; the page once, to compile it; the worker handed that module, none.
    assert.deepEqual(wasm, Array(3).fill('/pkg/amanat_simd_bg.wasm'));
  } finally {
    await browser.close();
    server.close();
  }
});
