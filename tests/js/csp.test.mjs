// The Content-Security-Policy an embedding page needs (docs/embedding.md): pkg/ served from
// loopback to headless Chromium, imported by a module script and initialised with `init()`,
// under `script-src 'self' 'wasm-unsafe-eval'` (it works) and under `script-src 'self'`
// (init rejects with a catchable WebAssembly.CompileError, the page carries on, and any call
// throws NOT_INITIALISED). Also as a module worker under the worker's own CSP.
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

// What the page and the worker run: init, then one call; the outcome as JSON.
const PROBE = `
import init, { protocolVersion, isAmanatError } from '/pkg/amanat.js';
export async function probe() {
  const out = {};
  try {
    await init();
    out.init = 'ok';
  } catch (e) {
    out.init = { name: e.name, message: e.message };
  }
  try {
    out.version = protocolVersion();
  } catch (e) {
    out.version = { code: e.code, ours: isAmanatError(e) };
  }
  return out;
}`;

// No inline script: 'self' does not allow one.
const PAGE = '<!doctype html><script type="module" src="/page.js"></script>';
const PAGE_JS = "import { probe } from '/probe.js'; window.result = probe();";
const WORKER_PAGE = '<!doctype html><script type="module" src="/worker-page.js"></script>';
const WORKER_PAGE_JS = `const worker = new Worker('/worker.js', { type: 'module' });
window.result = new Promise((resolve) => { worker.onmessage = (m) => resolve(m.data); });`;

const WORKER = `import { probe } from '/probe.js'; probe().then((r) => postMessage(r));`;

function serve(csp) {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const send = (type, body) => {
      res.writeHead(200, { 'content-type': type, 'content-security-policy': csp });
      res.end(body);
    };
    if (path === '/') return send('text/html', PAGE);
    if (path === '/worker-page') return send('text/html', WORKER_PAGE);
    if (path === '/page.js') return send('text/javascript', PAGE_JS);
    if (path === '/worker-page.js') return send('text/javascript', WORKER_PAGE_JS);
    if (path === '/worker.js') return send('text/javascript', WORKER);
    if (path === '/probe.js') return send('text/javascript', PROBE);
    const file = join(root, 'pkg', path.replace(/^\/pkg\//, ''));
    if (path.startsWith('/pkg/') && /^[\w.]+$/.test(path.slice(5)) && existsSync(file)) {
      return send(path.endsWith('.wasm') ? 'application/wasm' : 'text/javascript', readFileSync(file));
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function outcome(browser, csp, path) {
  const server = await serve(csp);
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}${path}`);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 10_000 });
    const result = await page.evaluate(() => window.result);
    await page.close();
    return result;
  } finally {
    server.close();
  }
}

test('CSP: with wasm-unsafe-eval the module loads; without it init rejects with a catchable CompileError and calls throw NOT_INITIALISED', { skip: !existsSync(CHROMIUM) && 'no /usr/bin/chromium' }, async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    for (const path of ['/', '/worker-page']) {
      const good = await outcome(browser, "script-src 'self' 'wasm-unsafe-eval'", path);
      assert.deepEqual(good, { init: 'ok', version: 'amanat/2' }, path);
      const bad = await outcome(browser, "script-src 'self'", path);
      assert.equal(bad.init.name, 'CompileError', `${path}: ${JSON.stringify(bad)}`);
      assert.match(bad.init.message, /wasm-unsafe-eval|unsafe-eval/, path);
      assert.deepEqual(bad.version, { code: 'NOT_INITIALISED', ours: true }, path);
    }
  } finally {
    await browser.close();
  }
});
