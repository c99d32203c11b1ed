// @ts-check
// Node, ES module: `node seal.mjs election.json CODE`. The same instance as require('amanat').
import { readFileSync } from 'node:fs';
import init, { Election, seal, verifyBallot, isAmanatError, wasmFileName } from 'amanat';

const [electionFile, code] = process.argv.slice(2);
await init();
const election = Election.fromJson(readFileSync(electionFile, 'utf8'));
const style = election.ballotStyle(election.styleForCode(code));
/** @type {import('amanat').Selections} */
const choices = Object.fromEntries(style.contests.map((c) => [c.id, [c.options[0].id]]));
const verified = verifyBallot(election, seal(election, code, choices).cast());
try {
  Election.fromJson('{');
} catch (err) {
  if (!isAmanatError(err)) throw err;
  console.log(JSON.stringify({ module: 'esm', wasm: wasmFileName(), tracking: verified.trackingCode, error: err.code }));
}
