// The ballot box's HTTP API (same origin only). Every failure becomes an ApiError with a
// stable code: the box's own error code, or NETWORK when the box could not be reached.

const ELECTION_KEY = 'amanat.election';

export class ApiError extends Error {
  constructor(code, status, message) {
    super(message || code);
    this.code = code;
    this.status = status;
  }

  /** The box may accept this later: no connection, or a fault on its side. */
  get retryable() {
    return this.code === 'NETWORK' || this.status >= 500 || this.status === 408 || this.status === 429;
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
    let code = response.status >= 500 ? 'STORAGE' : 'INTERNAL';
    let message = text;
    try {
      const body = JSON.parse(text);
      if (body && body.error && typeof body.error.code === 'string') {
        code = body.error.code;
        message = body.error.message;
      }
    } catch {
      // Not JSON (a proxy's error page, say): keep the status-derived code.
      if (response.status === 404) code = 'NOT_FOUND';
    }
    throw new ApiError(code, response.status, message);
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

/** Casts a sealed ballot (JSON text); resolves to the box's signed receipt. */
export async function castBallot(ballotJson) {
  const body = JSON.parse(await postJson('/api/ballots', ballotJson));
  if (!body || !body.receipt) throw new ApiError('INTERNAL', 200, 'no receipt in the answer');
  return body.receipt;
}

/** Posts a challenged ballot and its reveal to the board; resolves to {index, selections}. */
export async function postChallenge(ballotJson, challengeJson) {
  const body = `{"ballot":${ballotJson},"challenge":${challengeJson}}`;
  return JSON.parse(await postJson('/api/challenges', body));
}

/** Board entries for a tracking code (short or full); [] when none. */
export async function boardEntries(code) {
  try {
    const body = JSON.parse(await request(`/api/board/${encodeURIComponent(code)}`));
    return Array.isArray(body.entries) ? body.entries : [];
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return [];
    throw err;
  }
}
