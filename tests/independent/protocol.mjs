// An independent implementation of the amanat/2 verifier side, written from docs/protocol.md
// alone (section numbers below refer to it; "record.md" is docs/record.md, for the exported
// board and its checks). Uses only @noble/curves' ristretto255 and Node's SHA-512; it shares
// no code with the Rust crate.

import { createHash } from 'node:crypto';
import { ristretto255 } from '@noble/curves/ed25519.js';

const Point = ristretto255.Point;
/** The protocol version (§ Versions): the first part of every domain tag (§2.1). */
export const PROTOCOL = 'amanat/2';
/** The group order ℓ (§ Notation). */
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;
export const G = Point.BASE;
export const O = Point.ZERO;

/** A protocol error with its stable code (§9) and, for VERIFICATION_FAILED, the check. */
export class ProtocolError extends Error {
  constructor(code, detail) {
    super(`${code}: ${detail}`);
    this.code = code;
    this.detail = detail;
  }
}
const fail = (code, detail) => {
  throw new ProtocolError(code, detail);
};
export const verificationFailed = (check) => fail('VERIFICATION_FAILED', check);

// ---------------------------------------------------------------- §1.2 hexadecimal

export function toHex(bytes) {
  return Buffer.from(bytes).toString('hex');
}

/** Exactly `n` bytes of lowercase hex (§1.2); anything else is BAD_ENCODING. */
export function fromHex(s, n, what) {
  if (typeof s !== 'string') fail('MALFORMED_JSON', `${what}: expected a string`);
  if (s.length !== 2 * n || !/^[0-9a-f]*$/.test(s)) {
    fail('BAD_ENCODING', `${what}: expected ${2 * n} lowercase hex digits`);
  }
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export function concat(...parts) {
  return new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p))));
}

export const utf8 = (s) => new Uint8Array(Buffer.from(s, 'utf8'));

export function be32(n) {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, Number(n), false);
  return b;
}

export function be64(n) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), false);
  return b;
}

export function bytesEqual(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---------------------------------------------------------------- §1.1 points and scalars

/** A decoded group element that keeps the bytes it was read from (hashed as received). */
export class Elem {
  constructor(point, bytes) {
    this.p = point;
    this.bytes = bytes ?? point.toBytes();
  }
  static of(point) {
    return new Elem(point);
  }
  get hex() {
    return toHex(this.bytes);
  }
}

/** RFC 9496 DECODE of 32 bytes; NON_CANONICAL when it is not a valid encoding. */
export function decodePoint(bytes, what) {
  let p;
  try {
    p = Point.fromBytes(bytes);
  } catch {
    fail('NON_CANONICAL', `${what} is not a ristretto255 point`);
  }
  // Belt and braces: a canonical encoding re-encodes to itself.
  if (!bytesEqual(p.toBytes(), bytes)) fail('NON_CANONICAL', `${what} re-encodes differently`);
  return new Elem(p, bytes);
}

export function pointFromHex(s, what) {
  return decodePoint(fromHex(s, 32, what), what);
}

/** A public key: a point that is not the identity (§1.1). */
export function keyFromHex(s, what) {
  const e = pointFromHex(s, what);
  if (e.p.is0()) fail('IDENTITY_POINT', what);
  return e;
}

export function scalarFromLE(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

export function le32(s) {
  const b = new Uint8Array(32);
  let n = s;
  for (let i = 0; i < 32; i++) {
    b[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return b;
}

/** A reduced scalar, 32 bytes little-endian (§1.1). */
export function scalarFromHex(s, what) {
  const n = scalarFromLE(fromHex(s, 32, what));
  if (n >= L) fail('NON_CANONICAL', `${what} is not a reduced scalar`);
  return n;
}

export const mod = (n) => ((n % L) + L) % L;

/** s·P for public data; s may be 0. */
export function mul(P, s) {
  const k = mod(s);
  return k === 0n ? O : P.multiplyUnsafe(k);
}

// ---------------------------------------------------------------- §1.3 Crockford base32

export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Unicode White_Space (what §1.3 and §3.1 mean by white space). */
const WHITE_SPACE = /[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/u;
export const isWhiteSpace = (c) => WHITE_SPACE.test(c);

/** The top 5n bits of `bytes`, big-endian, as n symbols (§1.3). */
export function encodeBits(bytes, n) {
  let out = '';
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < 5; j++) {
      const bit = 5 * i + j;
      const byte = bit >> 3 < bytes.length ? bytes[bit >> 3] : 0;
      v = (v << 1) | ((byte >> (7 - (bit % 8))) & 1);
    }
    out += ALPHABET[v];
  }
  return out;
}

/** The value of a typed character, or null (§1.3). */
export function symbolValue(c) {
  let u = /^[a-z]$/.test(c) ? c.toUpperCase() : c;
  if (u === 'O') u = '0';
  if (u === 'I' || u === 'L') u = '1';
  const i = ALPHABET.indexOf(u);
  return u.length === 1 && i >= 0 ? i : null;
}

/** Characters of a typed code with hyphens and white space removed (§1.3). */
export function typedSymbols(s) {
  return [...s].filter((c) => c !== '-' && !isWhiteSpace(c));
}

export function group4(s) {
  return s.match(/.{1,4}/gu)?.join('-') ?? '';
}

// ---------------------------------------------------------------- §2 hashing

export function item(bytes) {
  return concat(be32(bytes.length), bytes);
}

/**
 * A transcript (§2.1). Items are added with typed helpers; `digest()` is SHA-512 of the
 * encoding, `scalar()` its little-endian reduction modulo ℓ (§2.2). `fork()` copies a
 * context so several hashes can extend it.
 */
export class Transcript {
  constructor(domain) {
    this.domain = domain;
    /** The items after the domain tag, as raw bytes (for comparing with published items). */
    this.items = [];
  }
  fork() {
    const t = Object.create(Transcript.prototype);
    t.domain = this.domain;
    t.items = [...this.items];
    return t;
  }
  bytes(b) {
    this.items.push(Uint8Array.from(b));
    return this;
  }
  str(s) {
    return this.bytes(utf8(s));
  }
  u32(n) {
    return this.bytes(be32(n));
  }
  u64(n) {
    return this.bytes(be64(n));
  }
  point(e) {
    if (!(e instanceof Elem)) throw new TypeError('point item must be an Elem');
    return this.bytes(e.bytes);
  }
  scalar(s) {
    return this.bytes(le32(s));
  }
  encoding() {
    return concat(item(utf8(`${PROTOCOL}/${this.domain}`)), ...this.items.map(item));
  }
  digest() {
    return new Uint8Array(createHash('sha512').update(this.encoding()).digest());
  }
  scalarOut() {
    return scalarFromLE(this.digest()) % L;
  }
}

// ---------------------------------------------------------------- strict JSON (§1.2)

/**
 * A JSON parser that keeps what JSON.parse loses: it refuses members given twice (in every
 * object, maps included) and null anywhere, and keeps numbers as their source text, so
 * integers can be checked exactly.
 */
export function parseJson(text) {
  let i = 0;
  const err = (m) => fail('MALFORMED_JSON', `${m} at offset ${i}`);
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === 't' && text.startsWith('true', i)) return (i += 4), true;
    if (c === 'f' && text.startsWith('false', i)) return (i += 5), false;
    if (c === 'n' && text.startsWith('null', i)) err('null (a member the protocol calls absent is left out)');
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!m) err('unexpected character');
    i += m[0].length;
    return new JsonNumber(m[0]);
  };
  const object = () => {
    i++;
    const o = {};
    ws();
    if (text[i] === '}') return i++, o;
    for (;;) {
      ws();
      if (text[i] !== '"') err('expected a member name');
      const k = string();
      ws();
      if (text[i++] !== ':') err('expected ":"');
      if (Object.hasOwn(o, k)) err(`member ${JSON.stringify(k.slice(0, 100))} given twice`);
      const v = value();
      Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        break;
      }
      err('expected "," or "}"');
    }
    return o;
  };
  const array = () => {
    i++;
    const a = [];
    ws();
    if (text[i] === ']') return i++, a;
    for (;;) {
      a.push(value());
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return a;
      }
      err('expected "," or "]"');
    }
  };
  const string = () => {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(text.slice(i));
    if (!m) err('bad string');
    i += m[0].length;
    return JSON.parse(m[0]);
  };
  const v = value();
  ws();
  if (i !== text.length) err('trailing characters');
  return v;
}

export class JsonNumber {
  constructor(raw) {
    this.raw = raw;
  }
}

/** Checks that `o` is an object with exactly the required and optional members (§1.2). */
export function shape(o, what, required, optional = []) {
  if (o === null || typeof o !== 'object' || Array.isArray(o) || o instanceof JsonNumber) {
    fail('MALFORMED_JSON', `${what}: expected an object`);
  }
  for (const k of Object.keys(o)) {
    if (!required.includes(k) && !optional.includes(k)) fail('MALFORMED_JSON', `${what}: unknown member ${k}`);
  }
  for (const k of required) {
    if (!Object.hasOwn(o, k)) fail('MALFORMED_JSON', `${what}: missing member ${k}`);
  }
  return o;
}

export function str(v, what) {
  if (typeof v !== 'string') fail('MALFORMED_JSON', `${what}: expected a string`);
  return v;
}

export function arr(v, what) {
  if (!Array.isArray(v)) fail('MALFORMED_JSON', `${what}: expected an array`);
  return v;
}

/** An unsigned integer of `bits` bits written without fraction or exponent (§1.2). */
export function uint(v, bits, what) {
  if (!(v instanceof JsonNumber) || !/^(0|[1-9][0-9]*)$/.test(v.raw)) {
    fail('MALFORMED_JSON', `${what}: expected an unsigned integer`);
  }
  const n = BigInt(v.raw);
  if (n >= 2n ** BigInt(bits)) fail('MALFORMED_JSON', `${what}: out of range`);
  return bits <= 32 ? Number(n) : n;
}

function protocol(v, what) {
  if (str(v, what) !== PROTOCOL) fail('UNSUPPORTED_VERSION', `${what}: ${v.slice(0, 32)}`);
}

/** Converts JsonNumbers to numbers and drops the parser's bookkeeping (for display). */
export function plain(v) {
  return JSON.parse(JSON.stringify(v, (_k, x) => (x instanceof JsonNumber ? Number(x.raw) : x)));
}

// ---------------------------------------------------------------- §3.1 manifest

const ID = /^[A-Za-z0-9._-]{1,64}$/;

function checkId(kind, id) {
  str(id, `${kind} id`);
  if (!ID.test(id)) fail('INVALID_ELECTION', `${kind} id ${JSON.stringify(id)} is not a valid id`);
  return id;
}

function checkText(what, t) {
  shape(t, what, ['en', 'ur']);
  for (const lang of ['en', 'ur']) {
    const s = str(t[lang], `${what}.${lang}`);
    const len = utf8(s).length;
    if (len < 1 || len > 256 || [...s].every(isWhiteSpace)) {
      fail('INVALID_ELECTION', `${what}: name.${lang} must be 1 to 256 bytes, not only white space`);
    }
  }
  return t;
}

function unique(kind, ids) {
  const seen = new Set();
  for (const id of ids) {
    if (seen.has(id)) fail('INVALID_ELECTION', `duplicate ${kind} id ${id}`);
    seen.add(id);
  }
}

/** Parses and validates a manifest (§3.1); returns a plain validated object. */
export function parseManifest(m) {
  shape(m, 'manifest', ['election_id', 'title', 'contests', 'ballot_styles'], ['parties']);
  const parties = m.parties === undefined ? [] : arr(m.parties, 'parties');
  const contests = arr(m.contests, 'contests');
  const styles = arr(m.ballot_styles, 'ballot_styles');
  // Shape first (as a JSON decoder would), then the rules.
  for (const p of parties) shape(p, 'party', ['id', 'name']);
  for (const c of contests) {
    shape(c, 'contest', ['id', 'name', 'min_selections', 'max_selections', 'options']);
    c.min = uint(c.min_selections, 32, 'min_selections');
    c.max = uint(c.max_selections, 32, 'max_selections');
    for (const o of arr(c.options, 'options')) {
      shape(o, 'option', ['id', 'name', 'symbol'], ['party']);
    }
  }
  for (const s of styles) {
    shape(s, 'ballot style', ['id', 'name', 'contests']);
    arr(s.contests, 'ballot style contests').forEach((c) => str(c, 'contest id'));
  }
  checkId('election', m.election_id);
  checkText('election title', m.title);
  for (const p of parties) {
    checkId('party', p.id);
    checkText(`party ${p.id}`, p.name);
  }
  unique('party', parties.map((p) => p.id));
  if (contests.length < 1 || contests.length > 65535) fail('INVALID_ELECTION', 'need 1 to 65535 contests');
  for (const c of contests) {
    checkId('contest', c.id);
    checkText(`contest ${c.id}`, c.name);
    const n = c.options.length;
    if (n < 1 || n > 255) fail('INVALID_ELECTION', `contest ${c.id} must have 1 to 255 options`);
    if (c.max < 1 || c.max > n || c.min > c.max) fail('INVALID_ELECTION', `contest ${c.id}: bad limits`);
    for (const o of c.options) {
      checkId('option', o.id);
      checkId('symbol', o.symbol);
      checkText(`option ${c.id}/${o.id}`, o.name);
      if (o.party !== undefined) {
        str(o.party, 'party');
        if (!parties.some((p) => p.id === o.party)) fail('INVALID_ELECTION', `option ${o.id} names unknown party`);
      }
    }
    unique(`option (in contest ${c.id})`, c.options.map((o) => o.id));
  }
  unique('contest', contests.map((c) => c.id));
  if (styles.length < 1 || styles.length > 65535) fail('INVALID_ELECTION', 'need 1 to 65535 ballot styles');
  for (const s of styles) {
    checkId('ballot style', s.id);
    checkText(`ballot style ${s.id}`, s.name);
    if (s.contests.length === 0) fail('INVALID_ELECTION', `ballot style ${s.id} has no contests`);
    for (const c of s.contests) {
      if (!contests.some((k) => k.id === c)) fail('INVALID_ELECTION', `ballot style ${s.id} names unknown contest ${c}`);
    }
    unique(`contest (in ballot style ${s.id})`, s.contests);
  }
  unique('ballot style', styles.map((s) => s.id));
  return { election_id: m.election_id, title: m.title, parties, contests, ballot_styles: styles };
}

/** The manifest's items in the base hash (§3.1 "Absorption"). */
export function absorbManifest(t, m) {
  const text = (x) => t.str(x.en).str(x.ur);
  t.str(m.election_id);
  text(m.title);
  t.u32(m.parties.length);
  for (const p of m.parties) {
    t.str(p.id);
    text(p.name);
  }
  t.u32(m.contests.length);
  for (const c of m.contests) {
    t.str(c.id);
    text(c.name);
    t.u32(c.min).u32(c.max).u32(c.options.length);
    for (const o of c.options) {
      t.str(o.id);
      text(o.name);
      t.str(o.party ?? '');
      t.str(o.symbol);
    }
  }
  t.u32(m.ballot_styles.length);
  for (const s of m.ballot_styles) {
    t.str(s.id);
    text(s.name);
    t.u32(s.contests.length);
    for (const c of s.contests) t.str(c);
  }
}

// ---------------------------------------------------------------- §3.2 election

/** Parses an election document (§3.2) and computes its base hash. */
export function parseElection(json) {
  const e = typeof json === 'string' ? parseJson(json) : json;
  shape(e, 'election', ['protocol', 'manifest', 'trustees', 'threshold', 'joint_public_key', 'credentials', 'ballot_box_key']);
  protocol(e.protocol, 'protocol');
  const manifest = parseManifest(e.manifest);
  const trustees = uint(e.trustees, 32, 'trustees');
  const threshold = uint(e.threshold, 32, 'threshold');
  const K = keyFromHex(e.joint_public_key, 'joint public key');
  shape(e.credentials, 'credentials', ['count', 'digest']);
  const count = uint(e.credentials.count, 64, 'credentials.count');
  const digest = fromHex(e.credentials.digest, 64, 'credentials.digest');
  const B = keyFromHex(e.ballot_box_key, 'ballot box key');
  if (threshold < 1 || threshold > trustees || trustees > 255) {
    fail('INVALID_ELECTION', 'need 1 <= threshold <= trustees <= 255');
  }
  const t = new Transcript('election');
  absorbManifest(t, manifest);
  t.u32(trustees).u32(threshold).point(K).u64(count).bytes(digest).point(B);
  return { manifest, trustees, threshold, K, credentials: { count, digest }, B, base: t.digest(), transcript: t };
}

// ---------------------------------------------------------------- §3.3 credential list

export function parseCredentialList(json) {
  const list = arr(typeof json === 'string' ? parseJson(json) : json, 'credential list');
  const entries = list.map((e) => {
    shape(e, 'credential entry', ['key', 'style']);
    return { key: keyFromHex(e.key, 'credential key'), style: str(e.style, 'style') };
  });
  for (let i = 1; i < entries.length; i++) {
    const order = Buffer.compare(Buffer.from(entries[i - 1].key.bytes), Buffer.from(entries[i].key.bytes));
    if (order === 0) fail('INVALID_ELECTION', `credential ${entries[i].key.hex} listed twice`);
    if (order > 0) fail('INVALID_ELECTION', `credential list not sorted by key at entry ${i}`);
  }
  return entries;
}

export function credentialTranscript(entries) {
  const t = new Transcript('credentials');
  t.u64(entries.length);
  for (const e of entries) t.point(e.key).str(e.style);
  return t;
}

export function credentialDigest(entries) {
  return credentialTranscript(entries).digest();
}

/** A list matches an election (§3.3): same count and digest, only known styles. */
export function checkListAgainst(entries, election) {
  if (BigInt(entries.length) !== BigInt(election.credentials.count) || !bytesEqual(credentialDigest(entries), election.credentials.digest)) {
    fail('INVALID_ELECTION', "credential list does not match the election's digest");
  }
  for (const e of entries) {
    if (!election.manifest.ballot_styles.some((s) => s.id === e.style)) fail('INVALID_ELECTION', `unknown style ${e.style}`);
  }
}

// ---------------------------------------------------------------- §4 ElGamal

export function encrypt(K, v, r) {
  return { a: Elem.of(mul(G, r)), b: Elem.of(mul(G, BigInt(v)).add(mul(K.p, r))) };
}

export function sumCiphertexts(cts) {
  let a = O;
  let b = O;
  for (const c of cts) {
    a = a.add(c.a.p);
    b = b.add(c.b.p);
  }
  return { a: Elem.of(a), b: Elem.of(b) };
}

// ---------------------------------------------------------------- §5 proofs

function parseCiphertext(c, what) {
  shape(c, what, ['a', 'b']);
  return { a: pointFromHex(c.a, `${what}.a`), b: pointFromHex(c.b, `${what}.b`) };
}

export function parseDisjunctive(p, what) {
  shape(p, what, ['commitments', 'challenges', 'responses']);
  return {
    commitments: arr(p.commitments, 'commitments').map((c) => parseCiphertext(c, 'commitment')),
    challenges: arr(p.challenges, 'challenges').map((s) => scalarFromHex(s, 'challenge')),
    responses: arr(p.responses, 'responses').map((s) => scalarFromHex(s, 'response')),
  };
}

export function parseSchnorr(p, what) {
  shape(p, what, ['commitment', 'response']);
  return { R: pointFromHex(p.commitment, 'commitment'), s: scalarFromHex(p.response, 'response') };
}

/** §5.1: the challenge transcript of a disjunctive proof. */
export function disjunctiveTranscript(C, K, lo, hi, ct, commitments) {
  const t = C.fork();
  t.point(K).u32(lo).u32(hi).point(ct.a).point(ct.b);
  for (const c of commitments) t.point(c.a).point(c.b);
  return t;
}

/** §5.1: the disjunctive proof that ct encrypts a value in [lo, hi] under K in context C. */
export function verifyDisjunctive(C, K, lo, hi, ct, proof) {
  const n = hi - lo + 1;
  const { commitments, challenges, responses } = proof;
  if (commitments.length !== n || challenges.length !== n || responses.length !== n) return false;
  const c = disjunctiveTranscript(C, K, lo, hi, ct, commitments).scalarOut();
  if (mod(challenges.reduce((x, y) => x + y, 0n)) !== c) return false;
  for (let i = 0; i < n; i++) {
    const m = BigInt(lo + i);
    const [cm, s] = [challenges[i], responses[i]];
    // s·G = a + c·A
    if (!mul(G, s).equals(commitments[i].a.p.add(mul(ct.a.p, cm)))) return false;
    // s·K = b + c·(B − m·G)
    if (!mul(K.p, s).equals(commitments[i].b.p.add(mul(ct.b.p.subtract(mul(G, m)), cm)))) return false;
  }
  return true;
}

export function schnorrTranscript(C, X, R) {
  return C.fork().point(X).point(R);
}

/** §5.2: s·G = R + c·X with c = Hs(C; X, R). */
export function verifySchnorr(C, X, sig) {
  const c = schnorrTranscript(C, X, sig.R).scalarOut();
  return mul(G, sig.s).equals(sig.R.p.add(mul(X.p, c)));
}

export function knowledgeContext(base, what) {
  return new Transcript('knowledge').bytes(base).str(what);
}

export function messageContext(base, what, message) {
  return new Transcript('message-signature').bytes(base).str(what).bytes(message);
}

/** §5.3: s·G = T1 + c·X and s·H = T2 + c·Y. */
export function verifyEquality(base, what, X, H, Y, proof) {
  const c = new Transcript('equality').bytes(base).str(what).point(X).point(H).point(Y).point(proof.t1).point(proof.t2).scalarOut();
  return mul(G, proof.s).equals(proof.t1.p.add(mul(X.p, c))) && mul(H.p, proof.s).equals(proof.t2.p.add(mul(Y.p, c)));
}

// ---------------------------------------------------------------- §6 credentials

export function luhn32(values) {
  let sum = 0;
  let factor = 2;
  for (let i = values.length - 1; i >= 0; i--) {
    const t = factor * values[i];
    sum += Math.floor(t / 32) + (t % 32);
    factor = 3 - factor;
  }
  return (32 - (sum % 32)) % 32;
}

export function hashCheck(values27) {
  return new Transcript('credential-check').bytes(Uint8Array.from(values27)).digest()[0] >> 3;
}

/** Reads a typed code (§6.5); returns {outcome, position?, payload?}. */
export function readCode(code) {
  const values = [];
  for (const c of typedSymbols(code)) {
    const v = symbolValue(c);
    if (v === null) return { outcome: 'invalid-character', position: values.length };
    values.push(v);
    if (values.length > 28) return { outcome: 'too-long' };
  }
  if (values.length < 28) return { outcome: 'incomplete', typed: values.length };
  const d = values.slice(0, 26);
  if (d[0] >= 8 || values[26] !== luhn32(d) || values[27] !== hashCheck(values.slice(0, 27))) return { outcome: 'typo' };
  let P = 0n;
  for (const v of d) P = (P << 5n) | BigInt(v);
  const payload = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    payload[i] = Number(P & 0xffn);
    P >>= 8n;
  }
  return { outcome: 'valid', payload };
}

/** Writes a 16-byte payload as a code (§6.2–§6.4). */
export function codeOfPayload(payload) {
  let P = 0n;
  for (const b of payload) P = (P << 8n) | BigInt(b);
  const d = [];
  for (let i = 0; i < 26; i++) d.push(Number((P >> BigInt(5 * (25 - i))) & 31n));
  d.push(luhn32(d));
  d.push(hashCheck(d));
  return group4(d.map((v) => ALPHABET[v]).join(''));
}

export function credentialKeyTranscript(electionId, payload) {
  return new Transcript('credential-key').str(electionId).bytes(payload);
}

/** The credential behind a code for an election (§6.6). */
export function credentialFromCode(manifest, code) {
  const r = readCode(code);
  if (r.outcome !== 'valid') fail('BAD_CREDENTIAL', r.outcome);
  const x = credentialKeyTranscript(manifest.election_id, r.payload).scalarOut();
  const X = mul(G, x);
  if (X.is0()) fail('BAD_CREDENTIAL', 'identity key');
  const styleIndex = (r.payload[0] << 8) | r.payload[1];
  if (styleIndex >= manifest.ballot_styles.length) fail('BAD_CREDENTIAL', 'the code is not for this election');
  return { x, X: Elem.of(X), styleIndex, style: manifest.ballot_styles[styleIndex].id, payload: r.payload };
}

// ---------------------------------------------------------------- §7 ballots

/** Parses a ballot (§7.1) with every §1 rule. */
export function parseBallot(json) {
  const b = typeof json === 'string' ? parseJson(json) : json;
  shape(b, 'ballot', ['protocol', 'election', 'style', 'credential', 'contests', 'signature']);
  protocol(b.protocol, 'protocol');
  const out = {
    election: fromHex(b.election, 64, 'election'),
    style: str(b.style, 'style'),
    credential: keyFromHex(b.credential, 'credential'),
    contests: arr(b.contests, 'contests').map((c) => {
      shape(c, 'contest', ['id', 'selections', 'proof']);
      return {
        id: str(c.id, 'contest id'),
        selections: arr(c.selections, 'selections').map((s) => {
          shape(s, 'selection', ['id', 'ciphertext', 'proof']);
          return { id: str(s.id, 'option id'), ct: parseCiphertext(s.ciphertext, 'ciphertext'), proof: parseDisjunctive(s.proof, 'selection proof') };
        }),
        proof: parseDisjunctive(c.proof, 'contest proof'),
      };
    }),
    signature: parseSchnorr(b.signature, 'signature'),
  };
  return out;
}

/** §7.3 PROOF(p): each of the three arrays after its own u32 length. */
export function absorbProof(t, p) {
  t.u32(p.commitments.length);
  for (const c of p.commitments) t.point(c.a).point(c.b);
  t.u32(p.challenges.length);
  for (const c of p.challenges) t.scalar(c);
  t.u32(p.responses.length);
  for (const s of p.responses) t.scalar(s);
}

/** §7.3 body digest. */
export function bodyDigest(b) {
  return bodyTranscript(b).digest();
}

export function bodyTranscript(b) {
  const t = new Transcript('ballot');
  t.bytes(b.election).str(b.style).point(b.credential).u32(b.contests.length);
  for (const c of b.contests) {
    t.str(c.id).u32(c.selections.length);
    for (const s of c.selections) {
      t.str(s.id).point(s.ct.a).point(s.ct.b);
      absorbProof(t, s.proof);
    }
    absorbProof(t, c.proof);
  }
  return t;
}

export function trackingTranscript(body, sig) {
  return new Transcript('tracking').bytes(body).point(sig.R).scalar(sig.s);
}

/** §7.4 tracking hash, full and short codes. */
export function tracking(b) {
  const body = bodyDigest(b);
  const full = trackingTranscript(body, b.signature).digest();
  return { body, full, fullHex: toHex(full), short: group4(encodeBits(full, 12)) };
}

/** §7.4: normalises a typed short code; BAD_ENCODING unless 12 symbols. */
export function normalizeShort(code) {
  const out = [];
  for (const c of typedSymbols(code)) {
    const v = symbolValue(c);
    if (v === null) fail('BAD_ENCODING', 'tracking code: character outside the alphabet');
    out.push(ALPHABET[v]);
  }
  if (out.length !== 12) fail('BAD_ENCODING', 'tracking code: expected 12 symbols');
  return group4(out.join(''));
}

export const selectionContext = (base, X, contest, option) => new Transcript('selection-proof').bytes(base).point(X).str(contest).str(option);
export const contestContext = (base, X, contest) => new Transcript('contest-proof').bytes(base).point(X).str(contest);
export const signatureContext = (base, body) => new Transcript('signature').bytes(base).bytes(body);

/**
 * Verifies a ballot (§7.5) in the order of the specification. With `list`, first checks that
 * the credential is listed for the ballot's style. Throws a ProtocolError; returns the
 * checks performed (names) on success.
 */
export function verifyBallot(election, b, list = null) {
  const checks = [];
  if (list) {
    const e = list.find((x) => bytesEqual(x.key.bytes, b.credential.bytes));
    if (!e) fail('UNKNOWN_CREDENTIAL', b.credential.hex);
    if (e.style !== b.style) fail('CREDENTIAL_STYLE', b.style);
    checks.push('credential listed for its style');
  }
  const base = election.base;
  if (!bytesEqual(b.election, base)) fail('WRONG_ELECTION', 'ballot is for another election');
  const m = election.manifest;
  const style = m.ballot_styles.find((s) => s.id === b.style);
  if (!style) fail('UNKNOWN_STYLE', b.style);
  const defs = style.contests.map((id) => m.contests.find((c) => c.id === id));
  if (defs.length !== b.contests.length) verificationFailed('ballot style');
  defs.forEach((def, i) => {
    const enc = b.contests[i];
    if (def.id !== enc.id || def.options.length !== enc.selections.length || def.options.some((o, j) => o.id !== enc.selections[j].id)) {
      verificationFailed('ballot style');
    }
  });
  checks.push('ballot style');
  defs.forEach((def, i) => {
    const enc = b.contests[i];
    for (const s of enc.selections) {
      if (!verifyDisjunctive(selectionContext(base, b.credential, def.id, s.id), election.K, 0, 1, s.ct, s.proof)) {
        verificationFailed(`selection proof ${def.id}/${s.id}`);
      }
    }
    checks.push(`${enc.selections.length} selection proofs of ${def.id}`);
    const sum = sumCiphertexts(enc.selections.map((s) => s.ct));
    if (!verifyDisjunctive(contestContext(base, b.credential, def.id), election.K, def.min, def.max, sum, enc.proof)) {
      verificationFailed(`contest proof ${def.id}`);
    }
    checks.push(`contest proof ${def.id} [${def.min}, ${def.max}]`);
  });
  const body = bodyDigest(b);
  if (!verifySchnorr(signatureContext(base, body), b.credential, b.signature)) verificationFailed('credential signature');
  checks.push('credential signature');
  return checks;
}

// ---------------------------------------------------------------- §7.2 nonces

export class Nonces {
  constructor(base, seed) {
    this.t = new Transcript('nonce').bytes(base).bytes(seed);
  }
  encryptionTranscript(contest, option) {
    return this.t.fork().str('encryption').str(contest).str(option);
  }
  encryption(contest, option) {
    return this.encryptionTranscript(contest, option).scalarOut();
  }
  branch(contest, option, m) {
    const t = this.t.fork().str('proof').str(contest).str(option).u32(m);
    return { u: t.fork().u32(0).scalarOut(), e: t.fork().u32(1).scalarOut() };
  }
}

/**
 * §7.2 and §5.1: recomputes, from the seed and the revealed choices, every commitment and
 * every simulated challenge and response of the ballot's proofs, and compares them with the
 * ballot. Returns the number of proof branches reproduced.
 */
export function reproduceProofs(election, b, seed, choices) {
  const nonces = new Nonces(election.base, seed);
  const K = election.K;
  let count = 0;
  const branches = (proof, lo, hi, v, r, contest, option, what) => {
    for (let m = lo; m <= hi; m++) {
      const { u, e } = nonces.branch(contest, option, m);
      const i = m - lo;
      const gamma = m === v ? 0n : e;
      const a = mul(G, u - gamma * r);
      const bb = mul(K.p, u - gamma * r).subtract(mul(G, gamma * BigInt(v - m)));
      if (!a.equals(proof.commitments[i].a.p) || !bb.equals(proof.commitments[i].b.p)) verificationFailed(`${what} commitment ${m}`);
      if (m !== v && (proof.challenges[i] !== e || proof.responses[i] !== u)) verificationFailed(`${what} simulated branch ${m}`);
      count++;
    }
  };
  for (const c of b.contests) {
    const def = election.manifest.contests.find((k) => k.id === c.id);
    const chosen = choices[c.id] ?? [];
    let rSum = 0n;
    for (const s of c.selections) {
      const r = nonces.encryption(c.id, s.id);
      rSum += r;
      branches(s.proof, 0, 1, chosen.includes(s.id) ? 1 : 0, r, c.id, s.id, `selection proof ${c.id}/${s.id}`);
    }
    branches(c.proof, def.min, def.max, chosen.length, mod(rSum), c.id, '', `contest proof ${c.id}`);
  }
  return count;
}

/** §7.2 signature nonce, from the credential secret and the body digest. */
export function signatureNonce(x, body) {
  return new Transcript('signature-nonce').scalar(x).bytes(body).scalarOut();
}

// ---------------------------------------------------------------- §7.6 challenges

export function parseChallenge(json) {
  const c = typeof json === 'string' ? parseJson(json) : json;
  shape(c, 'challenge', ['protocol', 'tracking', 'seed', 'selections']);
  protocol(c.protocol, 'protocol');
  const tr = fromHex(c.tracking, 64, 'tracking');
  str(c.seed, 'seed');
  const sel = c.selections;
  if (sel === null || typeof sel !== 'object' || Array.isArray(sel) || sel instanceof JsonNumber) fail('MALFORMED_JSON', 'selections: expected an object');
  const selections = new Map();
  for (const [k, v] of Object.entries(sel)) selections.set(k, arr(v, 'selections').map((o) => str(o, 'option id')));
  const seed = fromHex(c.seed, 32, 'seed');
  return { tracking: tr, seedHex: c.seed, seed, selections };
}

/** §7.6: checks a reveal against a ballot; returns the revealed choices. */
export function checkChallenge(election, b, ch) {
  if (!bytesEqual(b.election, election.base)) fail('WRONG_ELECTION', 'ballot is for another election');
  if (!bytesEqual(tracking(b).full, ch.tracking)) verificationFailed('revealed ballot tracking hash');
  const nonces = new Nonces(election.base, ch.seed);
  for (const id of ch.selections.keys()) {
    if (!b.contests.some((c) => c.id === id)) verificationFailed(`revealed ballot ${id}`);
  }
  const out = {};
  for (const c of b.contests) {
    const claimed = ch.selections.get(c.id) ?? [];
    claimed.forEach((o, i) => {
      if (!c.selections.some((s) => s.id === o)) verificationFailed(`revealed ballot ${c.id}/${o}`);
      if (claimed.indexOf(o) < i) fail('DUPLICATE_SELECTION', `option ${o} selected twice in contest ${c.id}`);
    });
    out[c.id] = [];
    for (const s of c.selections) {
      const v = claimed.includes(s.id) ? 1 : 0;
      const e = encrypt(election.K, v, nonces.encryption(c.id, s.id));
      if (!bytesEqual(e.a.bytes, s.ct.a.bytes) || !bytesEqual(e.b.bytes, s.ct.b.bytes)) verificationFailed(`revealed ballot ${c.id}/${s.id}`);
      if (v) out[c.id].push(s.id);
    }
  }
  return out;
}

// ---------------------------------------------------------------- §8 bulletin board

export function genesis(election) {
  return new Transcript('board-genesis').bytes(election.base).digest();
}

export function parseEntry(json) {
  const e = typeof json === 'string' ? parseJson(json) : json;
  shape(e, 'board entry', ['index', 'kind', 'received', 'tracking', 'short', 'ballot', 'prev', 'hash'], ['challenge']);
  return {
    index: uint(e.index, 64, 'index'),
    kind: entryKind(e.kind, 'kind'),
    received: str(e.received, 'received'),
    tracking: fromHex(e.tracking, 64, 'tracking'),
    short: str(e.short, 'short'),
    ballot: parseBallot(e.ballot),
    challenge: e.challenge === undefined ? null : parseChallenge(e.challenge),
    prev: fromHex(e.prev, 64, 'prev'),
    hash: fromHex(e.hash, 64, 'hash'),
  };
}

/** §8.1: the items of an entry's hash. */
export function entryTranscript(e) {
  const t = new Transcript('board-entry');
  t.bytes(e.prev).u64(e.index).str(e.kind).str(e.received).bytes(e.tracking);
  if (!e.challenge) {
    t.u32(0);
  } else {
    const ids = [...e.challenge.selections.keys()].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    t.u32(1).str(e.challenge.seedHex).u32(ids.length);
    for (const id of ids) {
      const opts = e.challenge.selections.get(id);
      t.str(id).u32(opts.length);
      for (const o of opts) t.str(o);
    }
  }
  return t;
}

export function entryHash(e) {
  return entryTranscript(e).digest();
}

/** §8: checks the chain; returns the head. */
export function checkChain(election, entries) {
  let prev = genesis(election);
  entries.forEach((e, i) => {
    const bad = () => verificationFailed(`board entry ${e.index}`);
    if (BigInt(e.index) !== BigInt(i) || !bytesEqual(e.prev, prev) || (e.kind === 'challenge') !== (e.challenge !== null)) bad();
    const tr = tracking(e.ballot);
    if (!bytesEqual(tr.full, e.tracking) || tr.short !== e.short) bad();
    if (!bytesEqual(entryHash(e), e.hash)) bad();
    if (e.challenge && !bytesEqual(e.challenge.tracking, e.tracking)) bad();
    prev = e.hash;
  });
  return prev;
}

// ---------------------------------------------------------------- §8.3 receipts

/**
 * `YYYY-MM-DDTHH:MM:SSZ` with month 01–12, day 01–31, hour 00–23, minute 00–59 and second
 * 00–60 (§8.3).
 */
export function isBoardTimestamp(s) {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$/.exec(s);
  if (!m) return false;
  const [mo, d, h, mi, se] = m.slice(2).map(Number);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && se <= 60;
}

/** `cast` or `challenge` (§8.1); anything else is not a member of the right type (§1.2). */
function entryKind(v, what) {
  const kind = str(v, what);
  if (kind !== 'cast' && kind !== 'challenge') fail('MALFORMED_JSON', `${what}: unknown kind ${JSON.stringify(kind).slice(0, 32)}`);
  return kind;
}

/** Parses a receipt (§8.3, §1.2): shape and encodings only. */
export function parseReceipt(json) {
  const r = typeof json === 'string' ? parseJson(json) : json;
  shape(r, 'receipt', ['election', 'kind', 'tracking', 'short', 'index', 'received', 'head', 'signature']);
  return {
    election: fromHex(r.election, 64, 'election'),
    kind: entryKind(r.kind, 'kind'),
    tracking: fromHex(r.tracking, 64, 'tracking'),
    short: str(r.short, 'short'),
    index: uint(r.index, 64, 'index'),
    received: str(r.received, 'received'),
    head: fromHex(r.head, 64, 'head'),
    signature: parseSchnorr(r.signature, 'signature'),
  };
}

/** The signed message of a receipt (§8.3): `kind | tracking_hex | index | received | head_hex`. */
export function receiptMessage(r) {
  return utf8(`${r.kind}|${toHex(r.tracking)}|${BigInt(r.index)}|${r.received}|${toHex(r.head)}`);
}

/** The §5.2 context of a receipt's signature: label "receipt" and the message. */
export function receiptContext(election, r) {
  return messageContext(election.base, 'receipt', receiptMessage(r));
}

const TIME_FORM = 'the time is not of the form YYYY-MM-DDTHH:MM:SSZ';

/**
 * Checks a receipt against an election (§8.3), in the order of the specification: the
 * election, the short code, the timestamp's form, then the signature under the election's
 * ballot box key B. `r` is a parsed receipt (parseReceipt).
 */
export function verifyReceipt(election, r) {
  if (!bytesEqual(r.election, election.base)) fail('WRONG_ELECTION', 'receipt is for another election');
  if (r.short !== group4(encodeBits(r.tracking, 12))) verificationFailed('receipt: the short code is not the tracking hash\'s');
  if (!isBoardTimestamp(r.received)) verificationFailed(`receipt: ${TIME_FORM}`);
  if (!verifySchnorr(receiptContext(election, r), election.B, r.signature)) verificationFailed('signature on receipt');
  return r;
}

/**
 * The holder's look-up (§8.3): the entry at the receipt's index exists and has the receipt's
 * kind, tracking hash, time, and hash equal to the receipt's head. Says which differs.
 */
export function receiptOnBoard(r, entries) {
  const e = entries.find((x) => BigInt(x.index) === BigInt(r.index));
  if (!e) verificationFailed(`receipt: no board entry ${r.index}`);
  const differs = [];
  if (e.kind !== r.kind) differs.push('kind');
  if (!bytesEqual(e.tracking, r.tracking)) differs.push('tracking hash');
  if (e.received !== r.received) differs.push('time');
  if (!bytesEqual(e.hash, r.head)) differs.push('hash (the board before it differs from the one the box signed)');
  if (differs.length) verificationFailed(`receipt: board entry ${r.index} differs: ${differs.join(', ')}`);
  return e;
}

// ---------------------------------------------------------------- §8.4 signed heads

/** Parses a signed board-head statement (§8.4, §1.2): shape and encodings only. */
export function parseSignedHead(json) {
  const h = typeof json === 'string' ? parseJson(json) : json;
  shape(h, 'signed head', ['election', 'entries', 'head', 'closed', 'time', 'signature']);
  if (h.closed !== true && h.closed !== false) fail('MALFORMED_JSON', 'closed: expected a boolean');
  return {
    election: fromHex(h.election, 64, 'election'),
    entries: uint(h.entries, 64, 'entries'),
    head: fromHex(h.head, 64, 'head'),
    closed: h.closed,
    time: str(h.time, 'time'),
    signature: parseSchnorr(h.signature, 'signature'),
  };
}

/** The signed message of a head (§8.4): `decimal(entries) | head_hex | open-or-closed | time`. */
export function signedHeadMessage(h) {
  return utf8(`${BigInt(h.entries)}|${toHex(h.head)}|${h.closed ? 'closed' : 'open'}|${h.time}`);
}

/** The §5.2 context of a signed head's signature: label "board-head" and the message. */
export function signedHeadContext(election, h) {
  return messageContext(election.base, 'board-head', signedHeadMessage(h));
}

/** Checks a signed head against an election (§8.4): election, time form, signature under B. */
export function verifySignedHead(election, h) {
  if (!bytesEqual(h.election, election.base)) fail('WRONG_ELECTION', 'signed head is for another election');
  if (!isBoardTimestamp(h.time)) verificationFailed(`receipt: ${TIME_FORM}`);
  if (!verifySchnorr(signedHeadContext(election, h), election.B, h.signature)) verificationFailed('signature on board-head');
  return h;
}

/**
 * §8.4 "against a board": a statement of n entries holds when the board has at least n
 * entries and entry n − 1's hash (the genesis hash for n = 0) is its head; a closed one only
 * when the board has exactly n entries.
 */
export function headHoldsOnBoard(election, h, entries) {
  const n = BigInt(h.entries);
  const have = BigInt(entries.length);
  if (n > have) verificationFailed(`board-head: names ${n} entries, the board has ${have}`);
  const head = n === 0n ? genesis(election) : entries[Number(n - 1n)].hash;
  if (!bytesEqual(head, h.head)) verificationFailed(`board-head: the head of the first ${n} entries is not the statement's`);
  if (h.closed && n !== have) verificationFailed(`board-head: closed with ${n} entries, the board has ${have}`);
  return h;
}

// ---------------------------------------------------------------- the exported board (record.md §2)

/**
 * Parses an exported board, `{"election", "closed", "head", "closing"?, "entries"}`
 * (record.md §2): shape and encodings only.
 */
export function parseBoardFile(json) {
  const b = typeof json === 'string' ? parseJson(json) : json;
  shape(b, 'board', ['election', 'closed', 'head', 'entries'], ['closing']);
  if (b.closed !== true && b.closed !== false) fail('MALFORMED_JSON', 'closed: expected a boolean');
  return {
    election: fromHex(b.election, 64, 'election'),
    closed: b.closed,
    head: fromHex(b.head, 64, 'head'),
    closing: b.closing === undefined ? null : parseSignedHead(b.closing),
    entries: arr(b.entries, 'entries').map(parseEntry),
  };
}

/**
 * `board.jsonl` (record.md §2): JSON Lines, every line ending with a newline: a header line
 * `{"election", "closed", "head", "entries": count, "closing"?}`, then one entry per line in
 * board order, as many as the header's count (V4). Returns the board as parseBoardFile does.
 */
export function parseBoardLines(text) {
  if (typeof text !== 'string' || !text.endsWith('\n')) fail('MALFORMED_JSON', 'board.jsonl: a board is lines, each ending with a newline');
  const lines = text.slice(0, -1).split('\n');
  const h = parseJson(lines[0]);
  shape(h, 'board header', ['election', 'closed', 'head', 'entries'], ['closing']);
  if (h.closed !== true && h.closed !== false) fail('MALFORMED_JSON', 'closed: expected a boolean');
  const count = uint(h.entries, 64, 'entries');
  const entries = lines.slice(1).map((l) => parseEntry(parseJson(l)));
  if (count !== BigInt(entries.length)) verificationFailed(`board: ${entries.length} entries, the header line says ${count}`);
  return {
    election: fromHex(h.election, 64, 'election'),
    closed: h.closed,
    head: fromHex(h.head, 64, 'head'),
    closing: h.closing === undefined ? null : parseSignedHead(h.closing),
    entries,
  };
}

/**
 * The chain part of check V4 (record.md §5): the board names this election, its entries
 * chain from the genesis hash (§8.2) and `head` is the last hash. Returns the head.
 */
export function checkBoardChain(election, board) {
  if (!bytesEqual(board.election, election.base)) fail('WRONG_ELECTION', 'the board is for another election');
  const head = checkChain(election, board.entries);
  if (!bytesEqual(head, board.head)) verificationFailed("board: the recorded head is not the last entry's hash");
  return head;
}

/**
 * The closing part of check V4 (record.md §2, §5; §8.4): `closing` is present exactly when
 * `closed`; the statement verifies under the election's B, says closed, and names exactly
 * this board's number of entries and head.
 */
export function checkClosing(election, board) {
  if (board.closed && !board.closing) verificationFailed('closing statement: the board is closed but carries none');
  if (!board.closed && board.closing) verificationFailed('closing statement: present on a board that is not closed');
  if (!board.closing) return null;
  const c = verifySignedHead(election, board.closing);
  if (!c.closed) verificationFailed('closing statement: says the polls are open');
  if (BigInt(c.entries) !== BigInt(board.entries.length) || !bytesEqual(c.head, board.head)) {
    verificationFailed(`closing statement: names ${c.entries} entries with head ${toHex(c.head).slice(0, 16)}…, the board has ${board.entries.length} with head ${toHex(board.head).slice(0, 16)}…`);
  }
  return c;
}

/**
 * Check V13 (record.md §5, §5.3): each tracking hash at most once per kind; never both cast
 * and challenged; every `received` of the form YYYY-MM-DDTHH:MM:SSZ and none earlier than the
 * entry before it. Returns the breaks, in board order, each `{index, rule}`; none is a pass.
 */
export function boardRuleBreaks(entries) {
  const seen = new Map(); // `${kind} ${tracking hex}` → first index
  const breaks = [];
  let previous = null;
  for (const e of entries) {
    const tr = toHex(e.tracking);
    const other = e.kind === 'cast' ? 'challenge' : 'cast';
    const key = `${e.kind} ${tr}`;
    if (seen.has(key)) breaks.push({ index: e.index, rule: `repeats the ${e.kind} of entry ${seen.get(key)}` });
    else seen.set(key, e.index);
    if (seen.has(`${other} ${tr}`)) breaks.push({ index: e.index, rule: `a ${e.kind} of the ballot that is a ${other} at entry ${seen.get(`${other} ${tr}`)}` });
    if (!isBoardTimestamp(e.received)) {
      breaks.push({ index: e.index, rule: TIME_FORM });
    } else {
      // The form is fixed-width with the most significant field first, so comparing the
      // strings compares the times.
      if (previous !== null && e.received < previous) breaks.push({ index: e.index, rule: `received ${e.received}, earlier than the entry before it` });
      previous = e.received;
    }
  }
  return breaks;
}
