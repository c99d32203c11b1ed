// Loads the ballot module. Its JavaScript (/pkg/amanat.js, the package's entry point, and the
// wasm-bindgen glue it imports, /pkg/amanat_bindgen.js) is checked by the browser against the
// SHA-384 values in index.html's modulepreload links; the .wasm is fetched here with the
// SHA-384 from index.html's meta tags, so a changed binary never runs. The package has two
// builds of the module (docs/wasm-builds.md): the glue's wasmFileName() names the one this
// browser can run, amanat_simd_bg.wasm (amanat-wasm-simd-integrity) where it has WebAssembly
// SIMD, amanat_bg.wasm (amanat-wasm-integrity) elsewhere.
//
// Sealing runs in the package's module worker (/pkg/amanat_worker.js, started by the
// package's worker()), so that a cheap phone's page never freezes for the 100-200 ms a seal
// takes there. The worker gets the very module compiled here from the checked bytes: it
// fetches no .wasm of its own. (Browsers have no integrity attribute for a worker's scripts;
// those come from the same origin, under the page's CSP, and are in integrity.json and the
// service worker's cache like every other file.) Where no module worker can start (Firefox
// before 114), the page seals on its own thread as before.

import init, * as amanat from '/pkg/amanat.js';

const INTEGRITY_META = { 'amanat_simd_bg.wasm': 'amanat-wasm-simd-integrity', 'amanat_bg.wasm': 'amanat-wasm-integrity' };

let loaded = null;
/** The checked, compiled module, once loaded: what the worker instantiates. */
let compiled = null;

async function compile(response) {
  if (typeof WebAssembly.compileStreaming === 'function') return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await (await response).arrayBuffer());
}

export function loadModule() {
  if (!loaded) {
    const file = amanat.wasmFileName();
    const meta = INTEGRITY_META[file] && document.querySelector(`meta[name="${INTEGRITY_META[file]}"]`);
    const integrity = meta ? meta.content : '';
    if (!integrity.startsWith('sha384-')) {
      return Promise.reject(Object.assign(new Error('no integrity value for the module'), { code: 'SRI' }));
    }
    loaded = compile(fetch(`/pkg/${file}`, { integrity }))
      .then(async (module) => {
        await init({ module_or_path: module });
        compiled = module;
        return amanat;
      })
      .catch((err) => {
        loaded = null;
        throw err;
      });
  }
  return loaded;
}

/** The worker for one election, once started; null where none can start. */
let thread = null;
let threadElection = null;

async function workerFor(election) {
  if (threadElection !== election) {
    if (thread) thread.then((t) => t && t.terminate(), () => {});
    threadElection = election;
    thread = amanat.worker(election.toJson(), { module: compiled }).catch((err) => {
      // The module's own error (an invalid election) is the module's answer on this thread
      // too; anything else means no worker here: seal on the page's thread.
      if (amanat.isAmanatError(err)) throw err;
      return null;
    });
  }
  return thread;
}

function spent() {
  return Object.assign(new Error('this sealed ballot has already been cast or challenged'), { code: 'BALLOT_SPENT' });
}

/**
 * Seals in the worker. Resolves to what the page uses of a SealedBallot: the tracking code and
 * hash, the ballot JSON, and cast(), challenge() and free(). The seed stays in the worker until
 * the voter decides: cast() answers the ballot JSON at once and has the worker wipe its copy;
 * challenge() is a promise of the reveal, asked of the worker only when the voter checks the
 * seal (app.js awaits it); free() has the worker wipe it. Where no worker runs, the module's
 * own SealedBallot, sealed on this thread (its challenge() answers at once; awaiting it is the
 * same).
 */
export async function sealOffThread(election, code, selections) {
  const worker = compiled && (await workerFor(election));
  if (!worker) return amanat.seal(election, code, selections);
  const sealed = await worker.seal(code, selections);
  let used = false;
  const use = () => {
    if (used) throw spent();
    used = true;
  };
  // What the worker answers to a wipe is of no use here: the ballot JSON is already known, and
  // a worker that is gone has taken the seed with it.
  const wipe = (request) => request.then(() => {}, () => {});
  return {
    trackingCode: sealed.trackingCode,
    trackingHash: sealed.trackingHash,
    ballotJson: sealed.ballotJson,
    cast() {
      use();
      wipe(sealed.cast());
      return sealed.ballotJson;
    },
    challenge() {
      use();
      return sealed.challenge();
    },
    free() {
      if (used) return;
      used = true;
      wipe(sealed.free());
    },
  };
}
