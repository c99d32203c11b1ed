// Shared pieces of the observer page's tests (tests/e2e/observer-verify.test.mjs,
// bench/observer.mjs): observer-site/ served by a small static server on loopback with the
// page's Content-Security-Policy as a header, record directories served from another
// loopback origin with CORS, and simulated records made and verified with the CLI.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pagePolicy, serveDirectory as serve } from '../../scripts/serve-static.mjs';
import { ROOT, amanatBinary } from './harness.mjs';

export const SITE = join(ROOT, 'observer-site');
export const RECORD_FILES = ['election.json', 'ceremony.json', 'credentials.json', 'tally.json', 'decryption.json', 'results.json', 'board.jsonl'];

/** The page's own policy (observer/index.html's meta), sent as a header on every file. */
export function sitePolicy() {
  const policy = pagePolicy(SITE);
  if (!policy) throw new Error('observer-site/index.html has no Content-Security-Policy meta');
  return policy;
}

/**
 * Serves the files under `root` on 127.0.0.1 (a free port) with scripts/serve-static.mjs, the
 * server `make demo` hosts the page with; `headers` are added to every answer. Resolves to
 * {url, requests, close}; `requests` lists the paths asked for. A path under /slow/ is the
 * same file sent 32 KB every 100 ms (a slow link).
 */
export async function serveDirectory(root, headers = {}) {
  const requests = [];
  const server = await serve(root, { headers, onRequest: (path) => requests.push(path), slowPrefix: '/slow/' });
  return { ...server, requests };
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
