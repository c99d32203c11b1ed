// The seal timing loop shared by the benchmark page (bench/bench.mjs, in Chromium) and
// bench/run.mjs (in Node): the wasm module and plain JavaScript on @noble/curves, interleaved
// run by run so that every variant sees the same machine load.

/** The reference choice: one candidate in each contest. */
export const SELECTIONS = { 'NA-1': ['na-1-03'], 'PP-1': ['pp-1-17'] };

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function summary(xs) {
  return { runs: xs.length, medianMs: median(xs), minMs: Math.min(...xs), maxMs: Math.max(...xs) };
}

/** Seals once with every variant and checks that what the timed code makes verifies. */
function selfCheck(v) {
  const { amanat, noble } = v;
  const sealed = amanat.seal(v.election, v.code, SELECTIONS);
  const info = amanat.verifyBallot(v.election, sealed.ballotJson);
  if (info.trackingCode !== sealed.trackingCode) throw new Error('wasm: tracking code mismatch');
  if (v.baseline) {
    // The two builds accept each other's ballots.
    const other = v.baseline.amanat.verifyBallot(v.baseline.election, sealed.ballotJson);
    if (other.trackingCode !== sealed.trackingCode) throw new Error('wasm baseline: tracking code mismatch');
    const back = v.baseline.amanat.seal(v.baseline.election, v.code, SELECTIONS);
    amanat.verifyBallot(v.election, back.ballotJson);
    back.free();
  }
  sealed.free();
  for (const mode of ['ct', 'unsafe']) {
    const { ballot } = noble.seal(v.nobleElection, v.nobleCode, SELECTIONS, mode);
    if (!noble.verify(v.nobleElection, ballot)) throw new Error(`noble (${mode}): the ballot does not verify`);
    const r = ballot.contests[0].selections[0].proof.responses;
    r[0] = (r[0] + 1n) % noble.ORDER;
    if (noble.verify(v.nobleElection, ballot)) throw new Error(`noble (${mode}): a tampered ballot verifies`);
  }
}

/** A variant timing one seal with a loaded module (`amanat`) and its Election. */
function wasmSeal(amanat, election, code) {
  return () => {
    const t = performance.now();
    const s = amanat.seal(election, code, SELECTIONS);
    const dt = performance.now() - t;
    s.free();
    return dt;
  };
}

/**
 * Times sealing the reference ballot: `warmup` untimed rounds, then `runs` timed rounds; each
 * round seals once with every variant, starting from a different one each round.
 *
 * `amanat` is the loaded module (the build its engine picks: SIMD in Chromium and Node),
 * `election` its Election, `code` the credential code; `baseline`, if given, is
 * `{ amanat, election }` for a second instance loaded from the baseline build (no SIMD).
 * `noble` is bench/noble-seal.mjs. Both fixed points get `windowSize`-bit noble tables.
 * `extra` adds variants timed elsewhere: name -> async function resolving to a time in ms
 * (bench/run.mjs's native seals).
 * Returns `{ wasm, wasmBaseline?, nobleCt, nobleUnsafe, ...extra }`, each
 * `{ runs, medianMs, minMs, maxMs }`.
 */
export async function timeSeal({ amanat, election, baseline, manifest, code, noble, runs, warmup, windowSize = 8, extra = {}, onRound }) {
  noble.setBaseWindow(windowSize);
  const v = {
    amanat,
    election,
    baseline,
    code,
    noble,
    nobleElection: noble.makeElection(manifest, { windowK: windowSize }),
    nobleCode: noble.makeCredential(),
  };
  selfCheck(v);
  const variants = {
    wasm: wasmSeal(amanat, election, code),
    ...(baseline ? { wasmBaseline: wasmSeal(baseline.amanat, baseline.election, code) } : {}),
    nobleCt: () => {
      const t = performance.now();
      noble.seal(v.nobleElection, v.nobleCode, SELECTIONS, 'ct');
      return performance.now() - t;
    },
    nobleUnsafe: () => {
      const t = performance.now();
      noble.seal(v.nobleElection, v.nobleCode, SELECTIONS, 'unsafe');
      return performance.now() - t;
    },
    ...extra,
  };
  const names = Object.keys(variants);
  for (let i = 0; i < warmup; i++) for (const n of names) await variants[n]();
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(i + j) % names.length];
      times[n].push(await variants[n]());
    }
    // Yield between rounds (a page repaints its status, timers run).
    await new Promise((ok) => setTimeout(ok, 0));
    onRound?.(i + 1);
  }
  return Object.fromEntries(names.map((n) => [n, summary(times[n])]));
}
