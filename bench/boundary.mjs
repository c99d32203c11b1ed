#!/usr/bin/env node
// How results cross the wasm boundary, measured side by side in one run: two builds that
// differ only in `to_js` in src/wasm.rs, loaded together, taking turns call by call.
//
//   node bench/boundary.mjs <json-build-dir> <other-build-dir> [turns]             # Node
//   node bench/boundary.mjs --chromium <json-build-dir> <other-build-dir> [turns] # Chromium
//
// The build directories are wasm-pack output: `--target nodejs` for Node, `--target web` for
// Chromium (headless /usr/bin/chromium, the page served from 127.0.0.1). Times, per build,
// `election.ballotStyle(id)` (the ballot-style view: two contests, 35 options with names and
// parties in two languages), `verifyBallot` (a full verification plus its small result) and
// `checkCredentialCode` (nearly nothing but the result), the same ballot for both. Prints the
// medians in microseconds. docs/wasm-builds.md has the figures and what was kept.

import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const chromium = args[0] === '--chromium';
const [a, b, roundsArg] = chromium ? args.slice(1) : args;
if (!a || !b) {
  console.error('usage: node bench/boundary.mjs [--chromium] <json-build-dir> <other-build-dir> [turns]');
  process.exit(1);
}
const rounds = Number(roundsArg ?? 200);
const electionJson = readFileSync(join(root, 'tests/vectors/election.json'), 'utf8');
const { code } = JSON.parse(readFileSync(join(root, 'tests/vectors/ballots.json'), 'utf8'))[0];
const choice = { 'NA-1': ['na-1-03'], 'PP-1': ['pp-1-17'] };

/** The measurement, given the two builds; runs in Node or, as source, in the page. */
function measure(builds, electionJson, code, choice, rounds, now) {
  const ballot = builds.json.seal(builds.json.Election.fromJson(electionJson), code, choice).ballotJson;
  const cases = {};
  for (const [name, m] of Object.entries(builds)) {
    const election = m.Election.fromJson(electionJson);
    const style = election.styleIds[0];
    cases[name] = {
      ballotStyle: () => election.ballotStyle(style),
      verifyBallot: () => m.verifyBallot(election, ballot),
      checkCredentialCode: () => m.checkCredentialCode(code),
    };
  }
  for (const op of Object.keys(cases.json)) {
    if (JSON.stringify(cases.json[op]()) !== JSON.stringify(cases.other[op]())) throw new Error(`${op}: the builds disagree`);
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  // Calls per timed turn, so that a browser's coarse clock (100 µs without cross-origin
  // isolation) still measures: each sample is a turn's time divided by its calls.
  const batch = { ballotStyle: 50, verifyBallot: 1, checkCredentialCode: 500 };
  const results = {};
  for (const op of Object.keys(cases.json)) {
    const n = op === 'verifyBallot' ? Math.max(20, Math.floor(rounds / 20)) : rounds;
    const warm = Math.ceil(n / 10);
    const times = { json: [], other: [] };
    for (let i = 0; i < n + warm; i += 1) {
      for (const name of i % 2 ? ['json', 'other'] : ['other', 'json']) {
        const call = cases[name][op];
        const t = now();
        for (let k = 0; k < batch[op]; k += 1) call();
        const dt = (now() - t) / batch[op];
        if (i >= warm) times[name].push(dt);
      }
    }
    results[op] = { runs: times.json.length, calls: times.json.length * batch[op], json: median(times.json), other: median(times.other) };
  }
  return results;
}

async function inChromium() {
  const { chromium: browserType } = await import('playwright-core');
  const dirs = { '/json/': resolve(a), '/other/': resolve(b) };
  const page = `<!doctype html><script type="module">
    import initJson, * as json from '/json/amanat.js';
    import initOther, * as other from '/other/amanat.js';
    await initJson(); await initOther();
    const measure = ${measure.toString()};
    window.result = measure({ json, other }, ${JSON.stringify(electionJson)}, ${JSON.stringify(code)},
      ${JSON.stringify(choice)}, ${rounds}, () => performance.now() * 1000);
  </script>`;
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    for (const [prefix, dir] of Object.entries(dirs)) {
      const file = join(dir, path.slice(prefix.length));
      if (path.startsWith(prefix) && /^[\w.]+$/.test(path.slice(prefix.length)) && existsSync(file)) {
        return res.writeHead(200, { 'content-type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' }).end(readFileSync(file));
      }
    }
    return res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const browser = await browserType.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const tab = await browser.newPage();
    tab.on('pageerror', (e) => console.error(e));
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => window.result !== undefined, null, { timeout: 600_000 });
    return await tab.evaluate(() => window.result);
  } finally {
    await browser.close();
    server.close();
  }
}

const results = chromium
  ? await inChromium()
  : measure(
    { json: createRequire(import.meta.url)(join(resolve(a), 'amanat.js')), other: createRequire(import.meta.url)(join(resolve(b), 'amanat.js')) },
    electionJson, code, choice, rounds, () => Number(process.hrtime.bigint()) / 1000,
  );
console.log(chromium ? 'Chromium (headless)' : `Node ${process.version}`);
console.table(Object.fromEntries(Object.entries(results).map(([op, r]) => [op, {
  turns: r.runs, calls: r.calls, 'JSON text µs': r.json.toFixed(1), 'other µs': r.other.toFixed(1), 'other / JSON': (r.other / r.json).toFixed(2),
}])));
