// The benchmark page's driver. On load it measures the time from navigation start to a
// ready module (fetch + compile + instantiate the wasm, fetch and load the election JSON);
// `window.bench.run()` then times sealing the reference ballot with the module and with
// plain JavaScript on @noble/curves (bench/noble-seal.mjs), interleaved run by run so that
// both see the same machine load.
//
// Only same-origin URLs: /pkg/ (wasm-pack's web build, both the SIMD build init() picks here
// and the baseline), /node_modules/@noble/ and the election JSON named by ?election= (default
// /bench/election.json).

import init, * as amanat from '/pkg/amanat.js';
import { timeSeal } from './seal-runs.mjs';

const params = new URLSearchParams(location.search);
const electionUrl = params.get('election') ?? '/bench/election.json';
const credentialUrl = params.get('credential') ?? '/bench/credential.txt';

const status = document.getElementById('status');
// All from navigation start: the page, the glue script and the wasm fully fetched, the module
// instantiated, the election loaded (ready).
const timings = { htmlFetchedMs: null, glueFetchedMs: null, wasmFetchedMs: null, moduleMs: null, readyMs: null };

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
  timings.htmlFetchedMs = performance.getEntriesByType('navigation')[0]?.responseEnd ?? null;
  timings.wasmFile = amanat.wasmFileName();
  for (const e of performance.getEntriesByType('resource')) {
    if (e.name.endsWith(`/pkg/${timings.wasmFile}`)) timings.wasmFetchedMs = e.responseEnd;
    // The module's JavaScript: the entry point and the wasm-bindgen glue it imports.
    if (e.name.endsWith('/pkg/amanat.js') || e.name.endsWith('/pkg/amanat_bindgen.js')) {
      timings.glueFetchedMs = Math.max(timings.glueFetchedMs ?? 0, e.responseEnd);
    }
  }
  return { election, electionJson };
}

/**
 * A second instance of the module from the baseline build (no SIMD), which browsers without
 * WebAssembly SIMD load: the glue imported again under another URL is a separate module with
 * its own wasm instance. (The wasm-bindgen glue itself: /pkg/amanat.js?baseline would import
 * the same /pkg/amanat_bindgen.js, and so the same instance, as the SIMD build's.)
 */
async function loadBaseline(electionJson) {
  const glue = await import('/pkg/amanat_bindgen.js?baseline');
  await glue.default({ module_or_path: '/pkg/amanat_bg.wasm' });
  return { amanat: glue, election: glue.Election.fromJson(electionJson) };
}

const loaded = load();

/** Times sealing with the module and with @noble/curves (bench/seal-runs.mjs). */
async function run({ runs = 40, warmup = 10, windowSize = 8 } = {}) {
  const { election, electionJson } = await loaded;
  const noble = await import('./noble-seal.mjs');
  const response = await fetch(credentialUrl);
  if (!response.ok) throw new Error(`${credentialUrl}: HTTP ${response.status}`);
  const code = (await response.text()).trim();
  const seal = await timeSeal({
    amanat,
    election,
    baseline: await loadBaseline(electionJson),
    manifest: JSON.parse(electionJson).manifest,
    code,
    noble,
    runs,
    warmup,
    windowSize,
    // bench/run.mjs exposes the native seal to interleave it with ours.
    extra: typeof window.benchNativeSeal === 'function' ? { native: () => window.benchNativeSeal() } : {},
    onRound: (i) => {
      status.textContent = `Run ${i} of ${runs}…`;
    },
  });
  const result = {
    userAgent: navigator.userAgent,
    crossOriginIsolated: self.crossOriginIsolated,
    load: { ...timings },
    seal,
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
