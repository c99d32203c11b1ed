// The benchmark page's driver. On load it measures the time from navigation start to a
// ready module (fetch + compile + instantiate the wasm, fetch and load the election JSON);
// `window.bench.run()` then times sealing the reference ballot with the module and with
// plain JavaScript on @noble/curves (bench/noble-seal.mjs), interleaved run by run so that
// both see the same machine load.
//
// Only same-origin URLs: /pkg/ (wasm-pack's web build), /node_modules/@noble/ and the
// election JSON named by ?election= (default /bench/election.json).

import init, * as amanat from '/pkg/amanat.js';

const params = new URLSearchParams(location.search);
const electionUrl = params.get('election') ?? '/bench/election.json';
const credentialUrl = params.get('credential') ?? '/bench/credential.txt';

// The reference choice: one candidate in each contest.
const SELECTIONS = { 'NA-1': ['na-1-03'], 'PP-1': ['pp-1-17'] };

const status = document.getElementById('status');

async function load() {
  const [, electionJson] = await Promise.all([
    init().then(() => {
      timings.moduleMs = performance.now();
    }),
    fetch(electionUrl).then((r) => {
      if (!r.ok) throw new Error(`${electionUrl}: HTTP ${r.status}`);
      return r.text();
    }),
  ]);
  const election = amanat.Election.fromJson(electionJson);
  // performance.now() counts from the navigation start.
  timings.readyMs = performance.now();
  return { election, electionJson };
}

const timings = { moduleMs: null, readyMs: null };
const loaded = load();

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function summary(xs) {
  return { runs: xs.length, medianMs: median(xs), minMs: Math.min(...xs), maxMs: Math.max(...xs) };
}

/** Seals once with every variant and checks that what the timed code makes verifies. */
function selfCheck(v) {
  const sealed = amanat.seal(v.election, v.code, SELECTIONS);
  const info = amanat.verifyBallot(v.election, sealed.ballotJson);
  if (info.trackingCode !== sealed.trackingCode) throw new Error('wasm: tracking code mismatch');
  sealed.free();
  const { ballot } = v.noble.seal(v.nobleElection, v.nobleCode, SELECTIONS, 'ct');
  if (!v.noble.verify(v.nobleElection, ballot)) throw new Error('noble: the ballot does not verify');
  const r = ballot.contests[0].selections[0].proof.responses;
  r[0] = (r[0] + 1n) % v.noble.ORDER;
  if (v.noble.verify(v.nobleElection, ballot)) throw new Error('noble: a tampered ballot verifies');
  const u = v.noble.seal(v.nobleElection, v.nobleCode, SELECTIONS, 'unsafe');
  if (!v.noble.verify(v.nobleElection, u.ballot)) throw new Error('noble (unsafe): the ballot does not verify');
}

/**
 * Times sealing: `warmup` untimed rounds, then `runs` timed rounds; each round seals once
 * with every variant, starting from a different one each round.
 */
async function run({ runs = 40, warmup = 10, windowSize = 8 } = {}) {
  const { election, electionJson } = await loaded;
  const noble = await import('./noble-seal.mjs');
  const code = (await (await fetch(credentialUrl)).text()).trim();
  noble.setBaseWindow(windowSize);
  const manifest = JSON.parse(electionJson).manifest;
  const v = {
    election,
    code,
    noble,
    nobleElection: noble.makeElection(manifest, { windowK: windowSize }),
    nobleCode: noble.makeCredential(),
  };
  selfCheck(v);
  const variants = {
    wasm: () => {
      const t = performance.now();
      const s = amanat.seal(v.election, v.code, SELECTIONS);
      const dt = performance.now() - t;
      s.free();
      return dt;
    },
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
  };
  const names = Object.keys(variants);
  for (let i = 0; i < warmup; i++) for (const n of names) variants[n]();
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(i + j) % names.length];
      times[n].push(variants[n]());
    }
    // Let the page breathe (and the status update) between rounds.
    await new Promise((ok) => setTimeout(ok, 0));
    status.textContent = `Run ${i + 1} of ${runs}…`;
  }
  const result = {
    userAgent: navigator.userAgent,
    crossOriginIsolated: self.crossOriginIsolated,
    load: { ...timings },
    seal: Object.fromEntries(names.map((n) => [n, summary(times[n])])),
  };
  show(result);
  return result;
}

function show(result) {
  const rows = Object.entries(result.seal)
    .map(([n, s]) => `<tr><td>${n}</td><td>${s.runs}</td><td>${s.medianMs.toFixed(2)}</td>` +
      `<td>${s.minMs.toFixed(2)}</td><td>${s.maxMs.toFixed(2)}</td></tr>`)
    .join('');
  document.getElementById('out').innerHTML =
    `<table><thead><tr><th>variant</th><th>runs</th><th>median ms</th><th>min</th><th>max</th></tr></thead>` +
    `<tbody>${rows}</tbody></table>`;
  status.textContent = `Done. Page load to ready module: ${result.load.readyMs.toFixed(1)} ms.`;
}

const button = document.getElementById('run');
button.addEventListener('click', async () => {
  button.disabled = true;
  try {
    await run();
  } catch (e) {
    status.textContent = `Failed: ${e.message}`;
  } finally {
    button.disabled = false;
  }
});

window.bench = {
  /** Resolves with the load timings once the module and election are ready. */
  ready: loaded.then(() => ({ ...timings })),
  run,
};
loaded.then(
  () => {
    status.textContent = `Ready in ${timings.readyMs.toFixed(1)} ms.`;
    button.disabled = false;
  },
  (e) => {
    status.textContent = `Failed to load: ${e.message}`;
  },
);
