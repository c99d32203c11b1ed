// @ts-check
// Node, CommonJS: `node seal.cjs election.json CODE`. require('amanat') is the Node build,
// instantiated as it loads; init() does nothing here and is called so the same code runs in
// a browser.
const { readFileSync } = require('node:fs');
const amanat = require('amanat');

async function main() {
  const [electionFile, code] = process.argv.slice(2);
  await amanat.init();
  const election = amanat.Election.fromJson(readFileSync(electionFile, 'utf8'));
  const style = election.ballotStyle(election.styleForCode(code));
  /** @type {import('amanat').Selections} */
  const choices = Object.fromEntries(style.contests.map((c) => [c.id, [c.options[0].id]]));
  const sealed = amanat.seal(election, code, choices);
  const verified = amanat.verifyBallot(election, sealed.cast());
  try {
    amanat.Election.fromJson('{');
  } catch (err) {
    if (!amanat.isAmanatError(err)) throw err;
    console.log(JSON.stringify({ module: 'cjs', wasm: amanat.wasmFileName(), tracking: verified.trackingCode, error: err.code }));
  }
}

main();
