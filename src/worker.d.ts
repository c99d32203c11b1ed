
// The worker API (browser build only; src/facade.js and src/worker.js). scripts/facade.mjs
// appends these declarations to amanat.d.ts.

/** How `worker()` gets the module: what `init` takes, of what postMessage can copy. */
export interface WorkerOptions {
  /** The module to instantiate in the worker: a compiled module (say one the page fetched
   *  with its integrity checked), its bytes, a Response or a URL. By default the worker's own
   *  `init()` fetches the file `wasmFileName()` names, beside the worker script. */
  module?: WebAssembly.Module | BufferSource | Response | URL | string | Promise<WebAssembly.Module | BufferSource | Response>;
}

/** A ballot sealed in the worker: its public parts, and its seed kept in the worker. */
export interface WorkerSealedBallot {
  /** Short tracking code, e.g. '7K2M-9QXD-4HRT' */
  readonly trackingCode: string;
  /** 128 hex digits */
  readonly trackingHash: string;
  /** The sealed ballot as JSON: no secrets, safe to store and send. */
  readonly ballotJson: string;
  /** Wipes the seed in the worker and resolves to the ballot JSON to submit. Rejects with
   *  `BALLOT_SPENT` once cast or challenged, `FREED_OBJECT` once freed. */
  cast(): Promise<string>;
  /** Resolves to the challenge JSON (the seed and choices). The ballot must never be cast. */
  challenge(): Promise<string>;
  /** Wipes the seed in the worker without casting. */
  free(): Promise<void>;
}

/** One election's module, running in a module worker. Every call resolves or rejects as the
 *  same call on the main thread would return or throw, rejected errors included (`code`,
 *  `isAmanatError`). */
export interface AmanatWorker {
  readonly electionId: string;
  /** The election base hash, 128 hex digits. */
  readonly baseHash: string;
  seal(code: string, selections: Selections): Promise<WorkerSealedBallot>;
  checkChallenge(ballotJson: string, challengeJson: string): Promise<Selections>;
  verifyBallot(ballotJson: string): Promise<VerifiedBallot>;
  verifyReceipt(receiptJson: string): Promise<VerifiedReceipt>;
  /** Stops the worker; calls still waiting reject. */
  terminate(): void;
}

/**
 * Starts a module worker with this election (parsed once, there). Rejects with the module's
 * error for an invalid election, or with the engine's error if the worker or its module cannot
 * load (a Content-Security-Policy without `worker-src 'self'` or `'wasm-unsafe-eval'`).
 */
export function worker(electionJson: string, options?: WorkerOptions): Promise<AmanatWorker>;
