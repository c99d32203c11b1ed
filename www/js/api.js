// The ballot box's HTTP API (same origin only). Every failure becomes an ApiError with a
// stable code: the box's own error code, or NETWORK when the box could not be reached.

const ELECTION_KEY = 'amanat.election';

export class ApiError extends Error {
  constructor(code, status, message, fromBox = false) {
    super(message || code);
    this.code = code;
    this.status = status;
    this.fromBox = fromBox;
  }

  /**
   * The box may accept this later: no connection, a fault on its side, or an answer that did
   * not come from the box at all (a proxy's or captive portal's page). Only the box's own
   * refusal, in its JSON error format, is final.
   */
  get retryable() {
    return !this.fromBox || this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/**
 * How long to wait for the box before treating the attempt as lost. On a patchy connection a
 * request can hang for minutes; giving up and retrying is safe because a re-sent ballot is
 * answered with the receipt it already has.
 */
const TIMEOUT_MS = 30_000;

async function request(path, options = {}) {
  let response;
  let text;
  try {
    response = await fetch(path, { cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS), ...options });
    text = await response.text();
  } catch (err) {
    throw new ApiError('NETWORK', 0, String(err && err.message));
  }
  if (!response.ok) {
    let code = response.status === 404 ? 'NOT_FOUND' : 'NETWORK';
    let message = text;
    let fromBox = false;
    try {
      const body = JSON.parse(text);
      if (body && body.error && typeof body.error.code === 'string') {
        code = body.error.code;
        message = body.error.message;
        fromBox = true;
      }
    } catch {
      // Not JSON (a proxy's error page, say): not the box's answer.
    }
    throw new ApiError(code, response.status, message, fromBox);
  }
  return text;
}

function postJson(path, body) {
  return request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
}

/**
 * The election document. Fetched fresh when possible and kept in localStorage (and by the
 * service worker), so a voter who loaded the page once can still seal without a network.
 */
export async function electionJson() {
  try {
    const text = await request('/api/election');
    try {
      localStorage.setItem(ELECTION_KEY, text);
    } catch {
      // A full or disabled storage only costs offline sealing.
    }
    return text;
  } catch (err) {
    let kept = null;
    try {
      kept = localStorage.getItem(ELECTION_KEY);
    } catch {
      kept = null;
    }
    if (kept) return kept;
    throw err;
  }
}

/**
 * Casts a sealed ballot (JSON text); resolves to the box's signed receipt. An answer that is
 * not a receipt (a captive portal's page, a proxy's error) counts as not having reached the
 * box, so the ballot stays in the outbox and is sent again.
 */
export async function castBallot(ballotJson) {
  const text = await postJson('/api/ballots', ballotJson);
  let receipt = null;
  try {
    receipt = JSON.parse(text).receipt;
  } catch {
    receipt = null;
  }
  if (!receipt || typeof receipt.short !== 'string' || typeof receipt.tracking !== 'string') {
    throw new ApiError('NETWORK', 0, 'the answer was not a receipt');
  }
  return receipt;
}

/**
 * Posts a challenged ballot and its reveal to the board; resolves to the box's answer,
 * {index, selections, receipt}, unchecked (the caller checks the receipt with the module).
 * The reveal is what the protocol publishes for a challenge; nothing else is sent.
 */
export async function postChallenge(ballotJson, challengeJson) {
  const body = `{"ballot":${ballotJson},"challenge":${challengeJson}}`;
  const text = await postJson('/api/challenges', body);
  try {
    const answer = JSON.parse(text);
    if (answer && typeof answer === 'object') return answer;
  } catch {
    // Not the box's answer (a captive portal's page, say).
  }
  throw new ApiError('NETWORK', 0, 'the answer was not the box\'s');
}

/**
 * The board entries for a tracking code (short or full) and where each stands, in the box's
 * word: {entries, states} (docs/ballot-box.md, "Looking up a ballot"); both [] when none.
 */
export async function lookUp(code) {
  let body;
  try {
    body = JSON.parse(await request(`/api/board/${encodeURIComponent(code)}`));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return { entries: [], states: [] };
    throw err;
  }
  return {
    entries: body && Array.isArray(body.entries) ? body.entries : [],
    states: body && Array.isArray(body.states) ? body.states : [],
  };
}

/** How long the code step waits for the list look-up before going on without it. */
const LIST_TIMEOUT_MS = 10_000;

/**
 * Whether a credential's public key (64 hex digits, from the module's credentialPublicKey) is
 * on the election's published list: {listed, style} ({listed: false} when it is not). The
 * list is public, so this asks nothing secret (docs/ballot-box.md, "Is a code on the list?").
 * Throws an ApiError when the box cannot be asked or its answer is not one (the caller then
 * goes on without the answer).
 */
export async function credentialOnList(key) {
  const text = await request(`/api/credentials/${encodeURIComponent(key)}`, { signal: AbortSignal.timeout(LIST_TIMEOUT_MS) });
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  const answered = body && body.key === key && typeof body.listed === 'boolean'
    && (body.listed ? typeof body.style === 'string' : !('style' in body));
  if (!answered) throw new ApiError('NETWORK', 0, 'the answer was not the box\'s');
  return body.listed ? { listed: true, style: body.style } : { listed: false };
}
