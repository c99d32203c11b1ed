// The package's module worker (`amanat_worker.js`), started by `worker()` in the entry point
// (src/facade.js, web build) with `new Worker(new URL('./amanat_worker.js', import.meta.url),
// { type: 'module' })`, which bundlers follow and emit as a worker of their own.
//
// It runs the same entry point as the page: one Election, parsed once, and the sealed ballots
// it has made, kept here by number. Nothing that holds wasm memory crosses postMessage: a
// sealed ballot leaves as its number and its public parts (tracking code and hash, ballot
// JSON); its seed stays here until `cast` wipes it or `challenge` reveals it.
//
// Messages in: { id, op, args }. Out: first { ready: true } (so the page never posts before
// this script listens), then for each request { id, ok: true, value } or
// { id, ok: false, error: { amanat, code, name, message } }, where `amanat` says whether the
// error is one of the module's (isAmanatError, or a coded error of this file), which the page
// side turns back into an error isAmanatError recognises, with the same code.

import init, { Election, seal, checkChallenge, verifyBallot, verifyReceipt, isAmanatError } from './amanat.js';

let election = null;
/** Sealed ballots by number; a number once cast or challenged is in `spent`. */
const sealed = new Map();
const spent = new Set();
let next = 1;

/** An error of this file, with a stable code. */
function coded(code, message) {
  return Object.assign(new Error(message), { code, coded: true });
}

function take(handle) {
  const ballot = sealed.get(handle);
  if (ballot !== undefined) {
    sealed.delete(handle);
    spent.add(handle);
    return ballot;
  }
  if (spent.has(handle)) throw coded('BALLOT_SPENT', 'this sealed ballot has already been cast or challenged');
  throw coded('FREED_OBJECT', 'this sealed ballot has been freed');
}

function loaded() {
  if (election === null) throw coded('NOT_INITIALISED', 'the worker has no election: it failed to start');
  return election;
}

const ops = {
  async start(module, electionJson) {
    await init(module === undefined ? undefined : { module_or_path: module });
    election = Election.fromJson(electionJson);
    return { electionId: election.electionId, baseHash: election.baseHash };
  },
  seal(code, selections) {
    const ballot = seal(loaded(), code, selections);
    const handle = next++;
    sealed.set(handle, ballot);
    return { handle, trackingCode: ballot.trackingCode, trackingHash: ballot.trackingHash, ballotJson: ballot.ballotJson };
  },
  cast(handle) {
    const ballot = take(handle);
    try {
      return ballot.cast();
    } finally {
      ballot.free();
    }
  },
  challenge(handle) {
    const ballot = take(handle);
    try {
      return ballot.challenge();
    } finally {
      ballot.free();
    }
  },
  free(handle) {
    const ballot = sealed.get(handle);
    sealed.delete(handle);
    if (ballot !== undefined) ballot.free();
  },
  checkChallenge: (ballotJson, challengeJson) => checkChallenge(loaded(), ballotJson, challengeJson),
  verifyBallot: (ballotJson) => verifyBallot(loaded(), ballotJson),
  verifyReceipt: (receiptJson) => verifyReceipt(loaded(), receiptJson),
};

self.onmessage = async ({ data }) => {
  const { id, op, args } = data;
  try {
    if (!Object.prototype.hasOwnProperty.call(ops, op)) throw new Error(`unknown request ${String(op)}`);
    const value = await ops[op](...args);
    self.postMessage({ id, ok: true, value });
  } catch (err) {
    const amanat = isAmanatError(err) || (err instanceof Error && err.coded === true);
    self.postMessage({
      id,
      ok: false,
      error: { amanat, code: amanat ? err.code : undefined, name: err?.name ?? 'Error', message: String(err?.message ?? err) },
    });
  }
};
self.postMessage({ ready: true });
