// Shared pieces of the observer page's tests (tests/e2e/observer-verify.test.mjs,
// bench/observer.mjs): observer-site/ served by a small static server on loopback with the
// page's Content-Security-Policy as a header, record directories served from another
// loopback origin with CORS, and simulated records made and verified with the CLI.

import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { ROOT, amanatBinary } from './harness.mjs';

export const SITE = join(ROOT, 'observer-site');
export const RECORD_FILES = ['election.json', 'ceremony.json', 'credentials.json', 'tally.json', 'decryption.json', 'results.json', 'board.jsonl'];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/** The page's own policy (observer/index.html's meta), sent as a header on every file. */
export function sitePolicy() {
  const html = readFileSync(join(SITE, 'index.html'), 'utf8');
  const match = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/);
  if (!match) throw new Error('observer-site/index.html has no Content-Security-Policy meta');
  return match[1];
}

/**
 * Serves the files under `root` on 127.0.0.1 (a free port); `headers` are added to every
 * answer. Resolves to {url, requests, close}; `requests` lists the paths asked for.
 */
export function serveDirectory(root, headers = {}) {
  const base = resolve(root);
  const requests = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    requests.push(path);
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(file)] || 'application/octet-stream',
      'content-length': statSync(file).size,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok) => {
    server.listen(0, '127.0.0.1', () => {
      ok({
        url: `http://127.0.0.1:${server.address().port}`,
        requests,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(done);
        }),
      });
    });
  });
}

/** The observer site with its CSP as a header. */
export function serveSite() {
  if (!existsSync(join(SITE, 'verifier', 'amanat_observer_bg.wasm'))) throw new Error('no observer-site/: run `make observer`');
  return serveDirectory(SITE, { 'content-security-policy': sitePolicy() });
}

/** Record directories, readable from any origin (as a results server would publish them). */
export function serveRecords(root) {
  return serveDirectory(root, { 'access-control-allow-origin': '*' });
}

/** `amanat simulate` into `out` (record in out/record); throws on failure. */
export function simulate(out, voters, seed = 11, bin = amanatBinary()) {
  const run = spawnSync(bin, ['simulate', '--voters', String(voters), '--seed', String(seed), '--out', out], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`amanat simulate failed:\n${run.stdout}\n${run.stderr}`);
  return join(out, 'record');
}

/** `amanat verify --json RECORD`: the report (whatever the exit status). */
export function cliReport(record, bin = amanatBinary()) {
  const run = spawnSync(bin, ['verify', '--json', record], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (!run.stdout.trim()) throw new Error(`amanat verify printed nothing:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}
