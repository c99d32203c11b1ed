#!/usr/bin/env node
// How results cross the wasm boundary, measured side by side in one Node process: two builds
// of the Node glue (wasm-pack --target nodejs) that differ only in `to_js` in src/wasm.rs,
// loaded together, taking turns call by call.
//
//   node bench/boundary.mjs <json-build-dir> <other-build-dir> [rounds]
//
// Times, per build, `election.ballotStyle(id)` (the ballot-style view: two contests, 35
// options with names and parties in two languages), `verifyBallot` (a full verification plus
// its small result) and `checkCredentialCode` (nearly nothing but the result). Prints the
// medians in microseconds. docs/wasm-builds.md has the figures and what was kept.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [a, b, roundsArg] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: node bench/boundary.mjs <json-build-dir> <other-build-dir> [rounds]');
  process.exit(1);
}
const rounds = Number(roundsArg ?? 2000);
const require = createRequire(import.meta.url);
const builds = { json: require(join(resolve(a), 'amanat.js')), other: require(join(resolve(b), 'amanat.js')) };

const electionJson = readFileSync(join(root, 'tests/vectors/election.json'), 'utf8');
const { code } = JSON.parse(readFileSync(join(root, 'tests/vectors/ballots.json'), 'utf8'))[0];
const choice = { 'NA-1': ['na-1-03'], 'PP-1': ['pp-1-17'] };

// One ballot, sealed once, verified by both.
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
// Same answers from both.
for (const op of Object.keys(cases.json)) {
  if (JSON.stringify(cases.json[op]()) !== JSON.stringify(cases.other[op]())) throw new Error(`${op}: the builds disagree`);
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
const results = {};
for (const op of Object.keys(cases.json)) {
  const n = op === 'verifyBallot' ? Math.max(20, Math.floor(rounds / 20)) : rounds;
  const times = { json: [], other: [] };
  for (let i = 0; i < n + n / 10; i += 1) {
    for (const name of i % 2 ? ['json', 'other'] : ['other', 'json']) {
      const t = process.hrtime.bigint();
      cases[name][op]();
      const dt = Number(process.hrtime.bigint() - t) / 1000;
      if (i >= n / 10) times[name].push(dt);
    }
  }
  results[op] = { runs: times.json.length, json: median(times.json), other: median(times.other) };
  results[op].ratio = results[op].other / results[op].json;
}
console.table(Object.fromEntries(Object.entries(results).map(([op, r]) => [op, {
  runs: r.runs, 'JSON text µs': r.json.toFixed(1), 'other µs': r.other.toFixed(1), 'other / JSON': r.ratio.toFixed(2),
}])));
