// The seal code: what a second device needs to check a challenged ("opened") ballot on the
// board, as one short line of text that is also the QR code's content (docs/observer.md).
//
//   AMANAT-SEAL1 <board> <tracking code> <seed> <choices>
//
// * <board>: the ballot box's origin, e.g. https://vote.example.org (http or https, no path).
// * <tracking code>: the ballot's short tracking code, XXXX-XXXX-XXXX (§7.4).
// * <seed>: the revealed seed (§7.6), its 32 bytes in Crockford base32 (§1.3), 52 symbols.
// * <choices>: for each contest of the ballot's style, in the style's order, the positions
//   (from 1, in the contest's option order) of the chosen options joined by ".", or "-" for
//   none; contests joined by "/". E.g. "3/1.4" or "-/2".
//
// Fields are separated by white space (so a line broken when copied still reads). Every part
// is what the reveal posted to the board already publishes: a challenged ballot is never
// counted, so it tells a coercer nothing about the vote that counts.
//
// Pure functions, no DOM: the voter page writes the code, the observer page reads it (a copy of
// this file is built into observer-site/js/ by `make observer`).

export const PREFIX = 'AMANAT-SEAL1';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SEED_SYMBOLS = 52;

/** A seal code that cannot be read, with a stable code saying why. */
export class SealCodeError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'SealCodeError';
    this.code = code;
  }
}

/** 64 lowercase hex digits → 52 Crockford base32 symbols (the top 260 bits, last 4 zero). */
export function seedToBase32(hex) {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new SealCodeError('BAD_SEED', 'the seed is not 64 lowercase hex digits');
  let bits = '';
  for (let i = 0; i < 64; i += 2) bits += parseInt(hex.slice(i, i + 2), 16).toString(2).padStart(8, '0');
  bits = bits.padEnd(SEED_SYMBOLS * 5, '0');
  let out = '';
  for (let i = 0; i < SEED_SYMBOLS; i += 1) out += ALPHABET[parseInt(bits.slice(5 * i, 5 * i + 5), 2)];
  return out;
}

/** The inverse of seedToBase32; refuses anything but the canonical 52 symbols. */
export function seedFromBase32(text) {
  const symbols = String(text).toUpperCase();
  if (symbols.length !== SEED_SYMBOLS) throw new SealCodeError('BAD_SEED', `the seed is not ${SEED_SYMBOLS} symbols long`);
  let bits = '';
  for (const c of symbols) {
    const v = ALPHABET.indexOf(c);
    if (v < 0) throw new SealCodeError('BAD_SEED', `the seed holds a symbol that is not base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  if (/1/.test(bits.slice(256))) throw new SealCodeError('BAD_SEED', 'the seed is not in its canonical form');
  let hex = '';
  for (let i = 0; i < 256; i += 8) hex += parseInt(bits.slice(i, i + 8), 2).toString(16).padStart(2, '0');
  return hex;
}

/** The origin of an http(s) address with nothing else in it, or a SealCodeError. */
export function boardOrigin(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new SealCodeError('BAD_BOARD', 'the board address is not an address');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SealCodeError('BAD_BOARD', 'the board address is not http:// or https://');
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new SealCodeError('BAD_BOARD', 'the board address must be an origin alone (no path, user, query or fragment)');
  }
  return url.origin;
}

/**
 * The seal code for a challenged ballot: `origin` the box's, `trackingCode` its short code,
 * `reveal` the challenge JSON (§7.6) as the module wrote it, `style` the ballot style
 * (election.ballotStyle) whose contests and options give the positions.
 */
export function makeSealCode(origin, trackingCode, reveal, style) {
  const { seed, selections } = typeof reveal === 'string' ? JSON.parse(reveal) : reveal;
  const choices = style.contests.map((contest) => {
    const chosen = selections[contest.id] || [];
    if (chosen.length === 0) return '-';
    return chosen.map((id) => {
      const at = contest.options.findIndex((o) => o.id === id);
      if (at < 0) throw new SealCodeError('BAD_CHOICES', `option ${id} is not in contest ${contest.id}`);
      return String(at + 1);
    }).join('.');
  });
  return [PREFIX, boardOrigin(origin), trackingCode, seedToBase32(seed), choices.join('/')].join(' ');
}

/**
 * Reads a seal code (typed, pasted or scanned): `{ board, trackingCode, seed, choices }` with
 * `seed` in hex and `choices` an array (one per contest) of arrays of positions. The tracking
 * code is returned as written (the caller normalises it with the module). Throws
 * SealCodeError: NOT_A_SEAL_CODE, UNSUPPORTED_VERSION, BAD_BOARD, BAD_SEED, BAD_CHOICES.
 */
export function parseSealCode(text) {
  const fields = String(text).trim().split(/\s+/);
  if (!/^AMANAT-SEAL\d+$/i.test(fields[0] || '')) {
    throw new SealCodeError('NOT_A_SEAL_CODE', `a seal code starts with ${PREFIX}`);
  }
  if (fields[0].toUpperCase() !== PREFIX) {
    throw new SealCodeError('UNSUPPORTED_VERSION', `this page reads ${PREFIX}, not ${fields[0]}`);
  }
  if (fields.length !== 5) {
    throw new SealCodeError('NOT_A_SEAL_CODE', `a seal code has 5 parts separated by spaces, not ${fields.length}`);
  }
  const [, board, trackingCode, seed, choicesText] = fields;
  if (!/^(-|[1-9]\d{0,3}(\.[1-9]\d{0,3})*)(\/(-|[1-9]\d{0,3}(\.[1-9]\d{0,3})*))*$/.test(choicesText)) {
    throw new SealCodeError('BAD_CHOICES', 'the choices are not positions like 3/1.4 (or - for none)');
  }
  const choices = choicesText.split('/').map((c) => (c === '-' ? [] : c.split('.').map(Number)));
  return { board: boardOrigin(board), trackingCode, seed: seedFromBase32(seed), choices };
}

/**
 * The reveal (§7.6) that a parsed seal code stands for, against the ballot style the board's
 * ballot names: `{protocol, tracking, seed, selections}`. BAD_CHOICES when the positions do
 * not fit the style (another number of contests, a position past the end, one named twice).
 */
export function revealFor(code, style, trackingHash, protocol) {
  if (code.choices.length !== style.contests.length) {
    throw new SealCodeError('BAD_CHOICES', `the code names ${code.choices.length} contests, the ballot has ${style.contests.length}`);
  }
  const selections = {};
  style.contests.forEach((contest, i) => {
    const positions = code.choices[i];
    if (new Set(positions).size !== positions.length) {
      throw new SealCodeError('BAD_CHOICES', `a choice is named twice in contest ${contest.id}`);
    }
    selections[contest.id] = positions.map((p) => {
      const option = contest.options[p - 1];
      if (!option) throw new SealCodeError('BAD_CHOICES', `contest ${contest.id} has no option ${p}`);
      return option.id;
    });
    // Manifest order, as the module writes a reveal.
    selections[contest.id].sort((a, b) => contest.options.findIndex((o) => o.id === a) - contest.options.findIndex((o) => o.id === b));
  });
  return { protocol, tracking: trackingHash, seed: code.seed, selections };
}
