// The package's entry points (`amanat.js` for browsers, workers and bundlers, `amanat.cjs` for
// Node): the classes and functions of amanat.d.ts, in front of wasm-bindgen's generated glue
// (`amanat_bindgen.js`, `amanat_bindgen.cjs`), which is internal. scripts/facade.mjs puts this
// file in place (rewritten to CommonJS for Node, with the `// node {` part instead of the
// `// web {` one) and re-exports the glue's other functions.
//
// Why it exists. The generated glue names a Rust object by a public property, `__wbg_ptr`,
// holding its address in wasm memory, and checks an argument's class with `instanceof`. Both
// are forgeable: `Object.create(Election.prototype)` with a made-up `__wbg_ptr` passes, and
// `Election.prototype.toJson.call(sealedBallot)` hands Rust a SealedBallot's address as an
// Election's. Rust turns the address into a reference before any of our code runs, then reads
// whatever is there (and writes its borrow flag): a trap, an object left unusable by a borrow
// flag the trap never reset, or an answer computed from the wrong bytes. Nothing in src/wasm.rs
// can check this; it has to be stopped before the call.
//
// So each object handed out here is a plain JavaScript object, and the glue object behind it
// is kept in a WeakMap that only this file can read or write. `elections.get(value)` finds a
// glue object only for an Election this file made: no property, prototype, Proxy or copy can
// put one there. Every method and every argument that must be an Election or a SealedBallot
// is looked up first; anything else throws WRONG_OBJECT, one whose free() was called throws
// FREED_OBJECT, before any call into wasm. The glue, and so Rust, only ever receives live
// objects it made, so no other object is disturbed by a bad one.
//
// A WeakMap rather than a `#private` field: both are unforgeable brands enforced by the
// engine, but the free functions (seal, verifyBallot, ...) must check their arguments too,
// and a private field can be read only inside its class body (reaching it from outside needs
// a public accessor or a static block, which Safari has only since 16.4, while the baseline
// build exists for engines older than that). Considered and not chosen: a registry of live objects in Rust, keyed by
// generation-checked ids. JavaScript would still need these classes (for `election.toJson()`,
// getters, finalizers), and Rust would gain a second owner of every object with its own id
// tables, reuse and leak bugs; the WeakMap is one lookup with nothing to get wrong in Rust.
//
// Nothing else is here: no cryptography and no parsing. Argument types and lengths are checked
// in src/wasm.rs (a too-long string is refused there before it is copied into wasm memory).
// The glue itself stays reachable to code that imports `amanat_bindgen.js` or holds the
// instance's exports (what `init()` returns), and so does all of wasm memory: that is not a
// boundary, and such code is as trusted as the page. This file makes the public API total.
//
// Two more things only this file can know. Whether the module is ready: the browser glue has
// no instance until `await init()` (or `initSync`) completes, and any call before that would
// read an undefined instance, so every call here throws NOT_INITIALISED first; the Node glue
// instantiates the module when it is loaded. And which errors
// are the module's: every error it throws passes through `fail` or `enter` below and is
// remembered in a WeakSet, which `isAmanatError` reads, so an Error that merely has a `code`
// is not mistaken for one. Messages name no class by its runtime name, so a minifier that
// renames classes leaves them as they are.

import * as bindgen from './amanat_bindgen.js';

/** Every error this module has thrown: those of `fail`, and those the wasm code threw. */
const thrown = new WeakSet();

/** An Error with a stable `code`, like those the module throws. */
function fail(code, message) {
  const err = new Error(message);
  err.code = code;
  thrown.add(err);
  return err;
}

/** True for an error this module threw, whatever its code; false for anything else. */
export function isAmanatError(value) {
  return typeof value === 'object' && value !== null && thrown.has(value);
}

// Only the browser glue has `initSync`: its module is instantiated by `init()` or
// `initSync()`, the Node glue's when it is loaded.
let initialised = !('initSync' in bindgen);

function ready() {
  if (!initialised) {
    throw fail('NOT_INITIALISED', 'the module is not initialised: call and await init() before using it');
  }
}

/** Passed by this file to the constructors, so that `new Election()` elsewhere makes nothing. */
const MADE_HERE = Symbol('amanat');

/** Election → its glue object, or null once freed. Only this file holds the maps. */
const elections = new WeakMap();
/** SealedBallot → its glue object, or null once freed. */
const sealedBallots = new WeakMap();

/** The live glue object behind `value`, which must be a `kind` made here and not freed. */
function open(map, value, kind, what) {
  ready();
  const glue = map.get(value);
  if (glue === undefined) throw fail('WRONG_OBJECT', `${what} is not ${kind} (one made by this module)`);
  if (glue === null) throw fail('FREED_OBJECT', `${what} is ${kind} that has been freed`);
  return glue;
}

const electionOf = (value, what) => open(elections, value, 'an Election', what);
const sealedBallotOf = (value, what) => open(sealedBallots, value, 'a SealedBallot', what);

// A call into the module can call back into JavaScript (seal's JSON.stringify of the
// selections runs their toJSON and getters), and that code may free the very Election the
// call is using, which the glue would refuse with an uncoded Error, leaking the object. So a
// free() during a call marks the object freed at once and releases its memory when the
// outermost call returns.
let depth = 0;
const deferred = [];

function enter(call) {
  ready();
  depth += 1;
  try {
    return call();
  } catch (err) {
    // The wasm code throws only Errors with a `code` (src/wasm.rs); the glue's own errors
    // and traps have none and are not the module's coded errors.
    if (err instanceof Error && typeof err.code === 'string') thrown.add(err);
    throw err;
  } finally {
    depth -= 1;
    if (depth === 0) while (deferred.length > 0) deferred.pop().free();
  }
}

/** free(): idempotent, as a disposer should be. */
function release(map, value, kind, what) {
  if (map.get(value) === null) return;
  const glue = open(map, value, kind, what);
  map.set(value, null);
  if (depth > 0) deferred.push(glue);
  else glue.free();
}

export class Election {
  /** Elections come from `Election.fromJson`. */
  constructor(token, glue) {
    if (token !== MADE_HERE) {
      throw fail('WRONG_OBJECT', 'new Election() makes nothing: use Election.fromJson(json)');
    }
    elections.set(this, glue);
  }

  static fromJson(json) {
    return new Election(MADE_HERE, enter(() => bindgen.Election.fromJson(json)));
  }

  toJson() {
    const glue = electionOf(this, 'toJson: this');
    return enter(() => glue.toJson());
  }

  get baseHash() {
    const glue = electionOf(this, 'baseHash: this');
    return enter(() => glue.baseHash);
  }

  get ballotBoxKey() {
    const glue = electionOf(this, 'ballotBoxKey: this');
    return enter(() => glue.ballotBoxKey);
  }

  get electionId() {
    const glue = electionOf(this, 'electionId: this');
    return enter(() => glue.electionId);
  }

  get title() {
    const glue = electionOf(this, 'title: this');
    return enter(() => glue.title);
  }

  get styleIds() {
    const glue = electionOf(this, 'styleIds: this');
    return enter(() => glue.styleIds);
  }

  ballotStyle(id) {
    const glue = electionOf(this, 'ballotStyle: this');
    return enter(() => glue.ballotStyle(id));
  }

  styleForCode(code) {
    const glue = electionOf(this, 'styleForCode: this');
    return enter(() => glue.styleForCode(code));
  }

  free() {
    release(elections, this, 'an Election', 'free: this');
  }
}

export class SealedBallot {
  /** Sealed ballots come from `seal`. */
  constructor(token, glue) {
    if (token !== MADE_HERE) {
      throw fail('WRONG_OBJECT', 'new SealedBallot() makes nothing: use seal(election, code, selections)');
    }
    sealedBallots.set(this, glue);
  }

  get trackingCode() {
    const glue = sealedBallotOf(this, 'trackingCode: this');
    return enter(() => glue.trackingCode);
  }

  get trackingHash() {
    const glue = sealedBallotOf(this, 'trackingHash: this');
    return enter(() => glue.trackingHash);
  }

  get ballotJson() {
    const glue = sealedBallotOf(this, 'ballotJson: this');
    return enter(() => glue.ballotJson);
  }

  cast() {
    const glue = sealedBallotOf(this, 'cast: this');
    return enter(() => glue.cast());
  }

  challenge() {
    const glue = sealedBallotOf(this, 'challenge: this');
    return enter(() => glue.challenge());
  }

  free() {
    release(sealedBallots, this, 'a SealedBallot', 'free: this');
  }
}

// As the glue does: `using` (explicit resource management) frees, where the engine has it.
if (typeof Symbol.dispose === 'symbol') {
  for (const cls of [Election, SealedBallot]) cls.prototype[Symbol.dispose] = cls.prototype.free;
}

export function seal(election, code, selections) {
  const glue = electionOf(election, 'seal: the election');
  return new SealedBallot(MADE_HERE, enter(() => bindgen.seal(glue, code, selections)));
}

export function checkChallenge(election, ballot, challenge) {
  const glue = electionOf(election, 'checkChallenge: the election');
  return enter(() => bindgen.checkChallenge(glue, ballot, challenge));
}

export function verifyBallot(election, ballot) {
  const glue = electionOf(election, 'verifyBallot: the election');
  return enter(() => bindgen.verifyBallot(glue, ballot));
}

export function verifyReceipt(election, receipt) {
  const glue = electionOf(election, 'verifyReceipt: the election');
  return enter(() => bindgen.verifyReceipt(glue, receipt));
}

export function verifySignedHead(election, head) {
  const glue = electionOf(election, 'verifySignedHead: the election');
  return enter(() => bindgen.verifySignedHead(glue, head));
}

// web {
// Only in the browser build, amanat.js (scripts/facade.mjs keeps this part there, and puts
// the `// node {` part below in amanat.cjs): the glue's `init` and `initSync`, noting when the
// module is ready. A failed `init` (the wasm file not found, or a Content-Security-Policy
// without 'wasm-unsafe-eval') rejects with the engine's error and leaves the module
// uninitialised, so it may be called again.
export default async function init(module_or_path) {
  let instance;
  try {
    instance = await bindgen.default(module_or_path);
  } catch (err) {
    throw notWasm(err, module_or_path) ?? err;
  }
  initialised = true;
  return instance;
}

/**
 * The engine's error for bytes that are not WebAssembly at all ("expected magic word 00 61 73
 * 6d, found 3c 21 64 6f": usually a server's HTML page answered in place of a missing .wasm
 * file) becomes MODULE_NOT_FOUND, saying where the file was looked for and what usually
 * causes it; any other failure (a Content-Security-Policy without 'wasm-unsafe-eval', a
 * network error) is left as the engine raised it.
 */
function notWasm(err, given) {
  if (!(err instanceof Error) || !/magic word/.test(err.message)) return null;
  let where = 'what was given to init()';
  if (given === undefined || (typeof given === 'object' && given !== null && given.module_or_path === undefined)) {
    try {
      where = `looked for ${new URL(`./${bindgen.wasmFileName()}`, import.meta.url).href}`;
    } catch {
      where = `looked for ${bindgen.wasmFileName()} beside amanat.js`;
    }
  }
  const found = fail(
    'MODULE_NOT_FOUND',
    `init: what was fetched for the module is not WebAssembly (${err.message}; ${where}). ` +
      `The package's .wasm files must be served beside amanat.js; a server that answers a ` +
      `missing file with a page gives this. Under the Vite 5-7 dev server, add ` +
      `optimizeDeps: { exclude: ['amanat'] } to vite.config.js (docs/embedding.md).`,
  );
  found.cause = err;
  return found;
}

export function initSync(module) {
  const instance = bindgen.initSync(module);
  initialised = true;
  return instance;
}

// The worker API: seal, check and verify in a module worker (src/worker.js, which says what
// crosses postMessage), so the page's thread never runs the module's long calls. The worker
// URL is written literally beside `import.meta.url` so that bundlers find the worker script
// and emit it. Errors the module (or the worker) raises come back as this file's own coded
// errors, so `isAmanatError` and `code` work on them as on the main thread.

/** What may be handed to the worker to instantiate: what postMessage can copy. */
async function transferable(module) {
  if (module === undefined || module === null) return undefined;
  if (module instanceof WebAssembly.Module) return module;
  if (typeof module === 'string' || module instanceof URL) return String(module);
  if (typeof Response === 'function' && module instanceof Response) return module.arrayBuffer();
  if (ArrayBuffer.isView(module) || module instanceof ArrayBuffer) return module;
  if (typeof module.then === 'function') return transferable(await module);
  throw fail('MALFORMED_JSON', 'worker: options.module must be a WebAssembly.Module, bytes, a Response or a URL');
}

export async function worker(electionJson, options = {}) {
  if (typeof electionJson !== 'string') throw fail('MALFORMED_JSON', 'worker: the election JSON must be a string');
  const module = await transferable(options.module);
  const thread = new Worker(new URL('./amanat_worker.js', import.meta.url), { type: 'module' });
  const pending = new Map();
  let next = 1;
  /** Why the worker can no longer be used, once it cannot. */
  let failure = null;
  let started;
  let refused;
  const ready = new Promise((resolve, reject) => {
    started = resolve;
    refused = reject;
  });
  const stop = (err) => {
    if (failure) return;
    failure = err;
    thread.terminate();
    refused(err);
    for (const { reject } of pending.values()) reject(err);
    pending.clear();
  };
  thread.onmessage = ({ data }) => {
    if (data && data.ready === true) return started();
    const call = pending.get(data.id);
    if (call === undefined) return;
    pending.delete(data.id);
    if (data.ok) return call.resolve(data.value);
    const { amanat, code, name, message } = data.error;
    if (amanat) return call.reject(fail(code, message));
    const err = new Error(message);
    err.name = name;
    return call.reject(err);
  };
  thread.onerror = (event) => {
    event.preventDefault();
    stop(new Error(`the module worker failed: ${event.message || 'its script could not be loaded'}`));
  };
  thread.onmessageerror = () => stop(new Error('the module worker sent a message that could not be read'));
  const call = (op, ...args) => {
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      const id = next++;
      try {
        thread.postMessage({ id, op, args });
      } catch (err) {
        // Only what structured clone copies can cross: not a function or a symbol.
        reject(fail('MALFORMED_JSON', `${op}: an argument cannot be sent to the worker (${err.name})`));
        return;
      }
      pending.set(id, { resolve, reject });
    });
  };
  await ready;
  let facts;
  try {
    facts = await call('start', module, electionJson);
  } catch (err) {
    stop(err);
    throw err;
  }
  const sealedBallot = ({ handle, trackingCode, trackingHash, ballotJson }) => Object.freeze({
    trackingCode,
    trackingHash,
    ballotJson,
    cast: () => call('cast', handle),
    challenge: () => call('challenge', handle),
    free: () => call('free', handle),
  });
  return Object.freeze({
    electionId: facts.electionId,
    baseHash: facts.baseHash,
    seal: async (code, selections) => sealedBallot(await call('seal', code, selections)),
    checkChallenge: (ballotJson, challengeJson) => call('checkChallenge', ballotJson, challengeJson),
    verifyBallot: (ballotJson) => call('verifyBallot', ballotJson),
    verifyReceipt: (receiptJson) => call('verifyReceipt', receiptJson),
    terminate: () => stop(new Error('the module worker was terminated')),
  });
}
// } web

// node {
// Only in the Node build (amanat.cjs and amanat.node.mjs): the module was instantiated when
// the package was loaded, so `init` and `initSync` have nothing to do; they exist so that code
// written for the browser build (`await init()`) runs unchanged.
export default async function init() {}

export function initSync() {}
// } node
