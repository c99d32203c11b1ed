// @ts-check
// What every browser example does with the module, written once: seal → challenge → check →
// seal again → verify, on the page's thread and then in a worker, and an error that must
// arrive with its code. It takes the module as an argument so that each example imports it
// its own way (a bundler's bare 'amanat', or a path for a page without one).

/** @typedef {typeof import('amanat')} Amanat */
/** @typedef {import('amanat').Selections} Selections */

/**
 * The first option of each contest of the credential's ballot style, as many as the contest
 * requires (at least one).
 * @param {import('amanat').Election} election
 * @param {string} code
 * @returns {Selections}
 */
function someChoices(election, code) {
  /** @type {Selections} */
  const choices = {};
  for (const contest of election.ballotStyle(election.styleForCode(code)).contests) {
    const n = Math.min(Math.max(1, contest.minSelections), contest.maxSelections);
    choices[contest.id] = contest.options.slice(0, n).map((o) => o.id);
  }
  return choices;
}

/** @param {Selections} a @param {Selections} b */
const same = (a, b) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * Runs the whole flow; resolves to what happened, as plain data.
 * @param {Amanat} amanat
 * @param {string} electionJson
 * @param {string} code
 */
export async function run(amanat, electionJson, code) {
  await amanat.default();
  const election = amanat.Election.fromJson(electionJson);
  const choices = someChoices(election, code);

  // On the page's thread.
  const opened = amanat.seal(election, code, choices);
  const revealed = amanat.checkChallenge(election, opened.ballotJson, opened.challenge());
  opened.free();
  const sealed = amanat.seal(election, code, choices);
  const tracking = sealed.trackingCode;
  const verified = amanat.verifyBallot(election, sealed.cast());
  sealed.free();

  // In a worker: the same calls, as promises.
  const thread = await amanat.worker(electionJson);
  try {
    const wOpened = await thread.seal(code, choices);
    const wRevealed = await thread.checkChallenge(wOpened.ballotJson, await wOpened.challenge());
    const wSealed = await thread.seal(code, choices);
    const wVerified = await thread.verifyBallot(await wSealed.cast());
    /** @type {unknown} */
    let refused = null;
    try {
      await thread.seal('0000-0000-0000-0000-0000-0000-0000', choices);
    } catch (err) {
      refused = err;
    }
    return {
      wasm: amanat.wasmFileName(),
      page: { tracking, verified: verified.trackingCode === tracking, challengeMatches: same(revealed, choices) },
      worker: {
        verified: wVerified.trackingCode === wSealed.trackingCode,
        challengeMatches: same(wRevealed, choices),
        error: amanat.isAmanatError(refused) ? refused.code : String(refused),
      },
    };
  } finally {
    thread.terminate();
  }
}

/**
 * Seals `count` ballots in the worker, all at once, while a PerformanceObserver records the
 * page thread's long tasks; then seals on the page's thread for 150 ms in one task, to show
 * what the observer sees when the module does run there. Resolves to the longest task seen in
 * each phase, in milliseconds (0: none of 50 ms or more).
 * @param {Amanat} amanat
 * @param {string} electionJson
 * @param {string} code
 * @param {number} count
 */
export async function underLoad(amanat, electionJson, code, count) {
  await amanat.default();
  const election = amanat.Election.fromJson(electionJson);
  const choices = someChoices(election, code);
  const thread = await amanat.worker(electionJson);
  /** @type {number[]} */
  let tasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) tasks.push(entry.duration);
  });
  observer.observe({ type: 'longtask' });
  /** @param {number} ms */
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  try {
    await pause(100);
    tasks = [];
    const sealed = await Promise.all(Array.from({ length: count }, () => thread.seal(code, choices)));
    await Promise.all(sealed.map((s) => s.free()));
    await pause(100);
    const inWorker = Math.max(0, ...tasks);
    tasks = [];
    // At least 150 ms of sealing in one task, however fast the machine.
    let onPageSeals = 0;
    for (const until = performance.now() + 150; performance.now() < until; onPageSeals += 1) {
      amanat.seal(election, code, choices).free();
    }
    await pause(100);
    const onPage = Math.max(0, ...tasks);
    return { count, inWorker, onPageSeals, onPage };
  } finally {
    observer.disconnect();
    thread.terminate();
    election.free();
  }
}

/**
 * Shows `result` (or the error) in `<pre id="out">` as JSON, for a reader and for a test.
 * @param {() => Promise<unknown>} work
 */
export async function show(work) {
  const out = /** @type {HTMLElement} */ (document.getElementById('out'));
  try {
    out.textContent = JSON.stringify(await work());
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    out.textContent = JSON.stringify({ error: { name: e.name, message: e.message, code: /** @type {{ code?: string }} */ (e).code ?? null } });
  }
  out.dataset.done = 'true';
}

/**
 * The election (`election.json` beside the page) and the credential code (`#code=` in the
 * address), then `run` or, with `#load=N`, `underLoad`.
 * @param {Amanat} amanat
 */
export function start(amanat) {
  const params = new URLSearchParams(location.hash.slice(1));
  const code = params.get('code') ?? '';
  const load = Number(params.get('load') ?? 0);
  return show(async () => {
    const electionJson = await (await fetch(new URL('election.json', location.href))).text();
    return load > 0 ? underLoad(amanat, electionJson, code, load) : run(amanat, electionJson, code);
  });
}
