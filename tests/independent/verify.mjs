// Independent verifier of the amanat/2 known-answer vectors: node tests/independent/verify.mjs DIR
// Written from docs/protocol.md and, for the exported board, docs/record.md (see protocol.mjs);
// prints one line per check and exits 1 on any mismatch.

import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as P from './protocol.mjs';

const dir = process.argv[2] ?? 'tests/vectors';
let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
}

/** Runs `f`; a thrown error is a failed check. */
function attempt(name, f) {
  try {
    const r = f();
    check(name, r !== false, typeof r === 'string' ? r : '');
  } catch (e) {
    check(name, false, e instanceof P.ProtocolError ? `${e.code} ${e.detail}` : String(e?.stack ?? e));
  }
}

/**
 * Runs `f` and expects a ProtocolError with `code` and, when `because` is given, a detail it
 * matches (which check refused: so a case meant for one check is not passed by another).
 */
function rejects(name, code, f, because) {
  try {
    f();
    check(name, false, `accepted, expected ${code}`);
  } catch (e) {
    if (!(e instanceof P.ProtocolError)) check(name, false, `crashed: ${e?.stack ?? e}`);
    else {
      const why = because === undefined || because.test(e.detail);
      check(name, (code === undefined || e.code === code) && why,
        `${e.code}${code && e.code !== code ? ` (expected ${code})` : ''}: ${e.detail}${why ? '' : ` (expected ${because})`}`);
    }
  }
}

const read = (f) => readFileSync(join(dir, f), 'utf8');
const has = (f) => existsSync(join(dir, f));

// The worked examples printed in docs/protocol.md, so the document cannot drift from this
// implementation (and, through the vectors below, from the crate).
{
  const t = new P.Transcript('x').u32(7);
  // §2.1's example with the amanat/2 tag `amanat/2/x` (values written here, not read from
  // the document).
  check('spec §2.1 example: transcript bytes', P.toHex(t.encoding()) === '0000000a616d616e61742f322f780000000400000007');
  check('spec §2.1 example: H("x"; u32 7)', P.toHex(t.digest()) === '141cbbd58b5558e2bb9e972cede5d989239c0c74b1adc7ffc04e8687581573373f9c31fb95b05ef067b2a204af35e1f346b6842df732cfbe6a1fe552d5ea3a23');
  check('spec §2.2 example: Hs("x"; u32 7)', P.toHex(P.le32(t.scalarOut())) === 'bec53e7306e7c9c29c1eccbab2ca4fe0efdab4eea44f7c654598338b14582002');
  check('spec §1.3 examples: ff00 → ZW0, 0886 → 123, grouping', P.encodeBits([0xff, 0], 3) === 'ZW0' && P.encodeBits([0x08, 0x86], 3) === '123' && P.group4('ABCDEFGHJ') === 'ABCD-EFGH-J');
  check('spec §1.3: O, I, L, lowercase read; U rejected', P.symbolValue('o') === 0 && P.symbolValue('L') === 1 && P.symbolValue('i') === 1 && P.symbolValue('z') === 31 && P.symbolValue('U') === null);
  check('spec § Notation: G and ℓ', P.G.toHex() === 'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76' && P.L === 7237005577332262213973186563042994240857116359379907606001950938285454250989n);
  // §6.5 and §6.6's example under amanat/2: its hash check symbol and key come from hashes
  // with amanat/2 tags (values written here, not read from the document).
  const payload = Uint8Array.from([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  const code = P.codeOfPayload(payload);
  check('spec §6 example: payload → code', code === '0000-0G40-R40M-30E2-0918-5GR3-8EJD', code);
  const typed = P.readCode('oooo 0g4o r40m-30e2 0918 5gr3 8ejd');
  check('spec §6.5 example: typed code reads back', typed.outcome === 'valid' && P.bytesEqual(typed.payload, payload));
  const cred = P.credentialFromCode({ election_id: 'reference-2026', ballot_styles: [{ id: 's' }] }, code);
  check('spec §6.6 example: credential key', P.toHex(P.le32(cred.x)) === '027f89a285e01a8389fa38019978b4cd6e5e0b53d7d7fa0479fdcf0ad3305d0f' && cred.X.hex === '965cdb26d36defe2620a8e57d46843ee2382454db57e539c5c649cce8a9dbd47');
  check('spec §6.5: incomplete, invalid character, too long', P.readCode('ab-cd').outcome === 'incomplete' && P.readCode('abU').position === 2 && P.readCode('0'.repeat(29)).outcome === 'too-long');
  // §1.1: encodings every RFC 9496 decoder must reject — field elements ≥ p, and negative s.
  for (const [hex, why] of [
    ['00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', 's ≥ p'],
    ['ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 's = 2^255 − 1'],
    ['edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 's = p'],
    ['0100000000000000000000000000000000000000000000000000000000000000', 's = 1 is negative'],
  ]) {
    rejects(`spec §1.1: point ${hex.slice(0, 8)}… rejected (${why})`, 'NON_CANONICAL', () => P.pointFromHex(hex, 'point'));
  }
  rejects('spec §1.1: identity as a public key', 'IDENTITY_POINT', () => P.keyFromHex('00'.repeat(32), 'key'));
  check('spec §1.1: identity as a point', P.pointFromHex('00'.repeat(32), 'p').p.is0());
  rejects('spec §1.1: scalar ℓ rejected', 'NON_CANONICAL', () => P.scalarFromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 's'));
  check('spec §1.1: scalar ℓ − 1 accepted', P.scalarFromHex('ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 's') === P.L - 1n);
}

// ------------------------------------------------------------------ election and credentials

let election;
let expected;
try {
  election = P.parseElection(read('election.json'));
  expected = P.plain(P.parseJson(read('expected.json')));
} catch (e) {
  check(`read ${dir}/election.json and expected.json`, false, e instanceof P.ProtocolError ? `${e.code} ${e.detail}` : String(e));
  console.log(`${passed} checks passed, ${failed} failed`);
  process.exit(1);
}
const m = election.manifest;
console.log(`election ${m.election_id}: ${m.contests.length} contests, ${m.ballot_styles.length} styles`);

check('election: parameters as expected (§3.2)',
  m.election_id === expected.election_id && election.trustees === expected.trustees && election.threshold === expected.threshold &&
    election.K.hex === expected.joint_public_key && Number(election.credentials.count) === expected.credentials_count &&
    election.B.hex === expected.ballot_box_key);
if (expected.ballot_box_secret !== undefined) {
  attempt('election: ballot_box_key = ballot_box_secret·G (§3.2, test-only secret)', () =>
    P.mul(P.G, P.scalarFromHex(expected.ballot_box_secret, 'ballot box secret')).equals(election.B.p));
}
check('election: base hash recomputed from the document (§3.1, §3.2)', P.toHex(election.base) === expected.base_hash, P.toHex(election.base).slice(0, 16) + '…');

let list = null;
attempt('credential list: digest recomputed (§3.3)', () => {
  list = P.parseCredentialList(read('credentials.json'));
  const got = P.toHex(P.credentialDigest(list));
  if (got !== expected.credentials_digest) throw new Error(`got ${got}`);
  return `${list.length} keys, ${got.slice(0, 16)}…`;
});
attempt('credential list: matches the election (§3.3)', () => P.checkListAgainst(list, election));
{
  const raw = P.plain(P.parseJson(read('credentials.json')));
  if (raw.length >= 2) {
    rejects('credential list: entries out of key order (§3.3)', 'INVALID_ELECTION', () => P.parseCredentialList(JSON.stringify([...raw].reverse())));
    rejects('credential list: a key listed twice (§3.3)', 'INVALID_ELECTION', () => P.parseCredentialList(JSON.stringify([raw[0], ...raw])));
  }
}

// ------------------------------------------------------------------ ballots

const ballotVectors = P.plain(P.parseJson(read('ballots.json')));
const ballots = [];
ballotVectors.forEach((v, i) => {
  const name = `ballot ${i} "${v.name}"`;
  let b;
  attempt(`${name}: parses (§7.1)`, () => {
    b = P.parseBallot(JSON.stringify(v.ballot));
  });
  ballots.push(b);
  if (!b) return;
  const tr = P.tracking(b);
  check(`${name}: body digest (§7.3)`, P.toHex(tr.body) === v.body_digest, P.toHex(tr.body).slice(0, 16) + '…');
  check(`${name}: full tracking code (§7.4)`, tr.fullHex === v.tracking.full, tr.fullHex.slice(0, 16) + '…');
  check(`${name}: short tracking code (§7.4)`, tr.short === v.tracking.short, tr.short);
  attempt(`${name}: every proof and the signature, credential listed (§7.5)`, () => P.verifyBallot(election, b, list).join(', '));
  attempt(`${name}: credential code → key and style (§6)`, () => {
    const cred = P.credentialFromCode(m, v.code);
    if (!P.bytesEqual(cred.X.bytes, b.credential.bytes)) throw new Error('derived key differs from the ballot credential');
    if (cred.style !== b.style) throw new Error(`code style ${cred.style} ≠ ballot style ${b.style}`);
    if (P.codeOfPayload(cred.payload) !== v.code) throw new Error('re-encoding the payload gives another code');
    const k = P.signatureNonce(cred.x, tr.body);
    if (!P.mul(P.G, k).equals(b.signature.R.p)) throw new Error('the signature nonce of §7.2 does not reproduce R');
    return `${cred.style}; signature nonce reproduces R (§7.2)`;
  });
  attempt(`${name}: challenge reveal (§7.6)`, () => {
    const ch = P.parseChallenge(JSON.stringify(v.challenge));
    if (P.toHex(ch.tracking) !== v.tracking.full) throw new Error('the reveal names another tracking hash');
    const got = P.checkChallenge(election, b, ch);
    for (const c of m.ballot_styles.find((s) => s.id === b.style).contests) {
      if (JSON.stringify(got[c]) !== JSON.stringify(v.selections[c] ?? [])) throw new Error(`contest ${c}: revealed ${got[c]}`);
    }
    if (P.toHex(ch.seed) !== v.seed) throw new Error('seed differs from the vector');
    const n = P.reproduceProofs(election, b, ch.seed, got);
    return `${JSON.stringify(got)}; ${n} proof branches recomputed from the seed (§7.2)`;
  });
});

if (expected.unlisted_credential) attempt('unlisted credential: code → key (§6.6)', () => {
  const c = P.credentialFromCode(m, expected.unlisted_credential.code);
  if (c.X.hex !== expected.unlisted_credential.key) throw new Error(`got ${c.X.hex}`);
  if (list.some((e) => P.bytesEqual(e.key.bytes, c.X.bytes))) throw new Error('it is on the list');
  return c.X.hex.slice(0, 16) + '…';
});

// ------------------------------------------------------------------ tally (§7.5 revoting, §4)

if (expected.tally) {

attempt('tally: the latest ballot of each credential counts', () => {
  const last = new Map();
  ballots.forEach((b, i) => b && last.set(b.credential.hex, i));
  const counted = [...last.values()].sort((x, y) => x - y).map((i) => ballotVectors[i].name);
  if (JSON.stringify(counted) !== JSON.stringify(expected.counted)) throw new Error(`counted ${counted}`);
  return counted.join(', ');
});
attempt('tally: homomorphic sums equal the encrypted tally (§4)', () => {
  const countedBallots = ballots.filter((b, i) => expected.counted.includes(ballotVectors[i].name));
  let n = 0;
  for (const [cid, options] of Object.entries(expected.encrypted_tally)) {
    for (const [oid, ct] of Object.entries(options)) {
      const sum = P.sumCiphertexts(countedBallots.map((b) => b.contests.find((c) => c.id === cid).selections.find((s) => s.id === oid).ct));
      if (sum.a.hex !== ct.a || sum.b.hex !== ct.b) throw new Error(`${cid}/${oid}`);
      n++;
    }
  }
  return `${n} option sums`;
});
attempt('tally: decrypting the sums gives the tally and the revealed choices agree', () => {
  const x = P.scalarFromHex(expected.joint_secret, 'joint secret');
  if (P.mul(P.G, x).toHex() !== election.K.hex) throw new Error('joint secret does not match the key');
  for (const [cid, options] of Object.entries(expected.encrypted_tally)) {
    for (const [oid, ct] of Object.entries(options)) {
      const A = P.pointFromHex(ct.a, 'a').p;
      const B = P.pointFromHex(ct.b, 'b').p;
      const t = expected.tally[cid][oid];
      if (!B.subtract(P.mul(A, x)).equals(P.mul(P.G, BigInt(t)))) throw new Error(`${cid}/${oid} does not decrypt to ${t}`);
      const revealed = ballotVectors.filter((v) => expected.counted.includes(v.name) && (v.selections[cid] ?? []).includes(oid)).length;
      if (revealed !== t) throw new Error(`${cid}/${oid}: ${revealed} revealed ≠ ${t}`);
    }
  }
  return JSON.stringify(Object.fromEntries(Object.entries(expected.tally).map(([c, o]) => [c, Object.entries(o).filter(([, n]) => n).map(([k, n]) => `${k}:${n}`).join(' ')])));
});

}

// ------------------------------------------------------------------ the board (§8.1, record.md §2)

// The box's signature remade here (§5.2) with the test-only secrets: a changed statement then
// signs validly, so the failures below are the ones §8.3, §8.4 and record.md name, not a broken
// signer. (§5.2 lets the signer pick any unpredictable nonce; 'test-nonce' is this file's, not
// a domain of §2.3.)
const OTHER_KEY = 987654321n;
const boxSecret = expected.ballot_box_secret === undefined ? null : P.scalarFromHex(expected.ballot_box_secret, 'ballot box secret');
function signWith(secret, C) {
  const k = P.mod(P.scalarFromLE(new P.Transcript('test-nonce').scalar(secret).bytes(C.encoding()).digest()));
  const R = P.Elem.of(P.mul(P.G, k));
  const c = P.schnorrTranscript(C, P.Elem.of(P.mul(P.G, secret)), R).scalarOut();
  return { R, s: P.mod(k + c * secret) };
}
const signReceipt = (secret, r) => ({ ...r, signature: signWith(secret, P.receiptContext(election, r)) });
const signHead = (secret, h) => ({ ...h, signature: signWith(secret, P.signedHeadContext(election, h)) });

/**
 * Entries chained here from the genesis hash (§8.1): `items` are `{kind, received, ballot,
 * challenge}` with the ballot and reveal parsed.
 */
function chainEntries(items) {
  let prev = P.genesis(election);
  return items.map((x, i) => {
    const tr = P.tracking(x.ballot);
    const e = { index: BigInt(i), kind: x.kind, received: x.received, tracking: tr.full, short: tr.short, ballot: x.ballot, challenge: x.challenge ?? null, prev };
    e.hash = P.entryHash(e);
    prev = e.hash;
    return e;
  });
}

/** The ballots.json index of a tracking hash, or -1. */
const vectorOf = (tracking) => ballotVectors.findIndex((v) => v.tracking.full === P.toHex(tracking));

/**
 * The board the vectors' statements are about: board.jsonl (extra), or, in tests/vectors, the
 * small board the receipts describe (its README): each receipt's entry rebuilt from its kind,
 * time and the ballot of its tracking hash (with that ballot's reveal for a challenge), closed
 * by expected.json's closing statement.
 */
let board = null;
let boardJson = null;
if (has('board.jsonl')) {
  attempt('board: board.jsonl parses as an exported board (record.md §2, §8.1)', () => {
    const lines = read('board.jsonl').split('\n');
    boardJson = { ...P.plain(P.parseJson(lines[0])), entries: lines.slice(1, -1).map((l) => P.plain(P.parseJson(l))) };
    board = P.parseBoardLines(read('board.jsonl'));
    return `${board.entries.length} entries, ${board.closed ? 'closed' : 'open'}`;
  });
} else if (expected.receipt && expected.closing) {
  attempt('small board: rebuilt from the receipts and ballots.json (§8.1)', () => {
    const receipts = [expected.receipt, expected.challenge_receipt].filter(Boolean).map((r) => P.parseReceipt(JSON.stringify(r)));
    receipts.sort((a, b) => (a.index < b.index ? -1 : 1));
    const entries = chainEntries(receipts.map((r, i) => {
      if (BigInt(r.index) !== BigInt(i)) throw new Error(`no receipt for entry ${i}`);
      const k = vectorOf(r.tracking);
      if (k < 0) throw new Error(`no ballot with the tracking hash of receipt ${r.index}`);
      const challenge = r.kind === 'challenge' ? P.parseChallenge(JSON.stringify(ballotVectors[k].challenge)) : null;
      return { kind: r.kind, received: r.received, ballot: ballots[k], challenge };
    }));
    board = { election: election.base, closed: true, head: entries[entries.length - 1].hash, closing: P.parseSignedHead(JSON.stringify(expected.closing)), entries };
    return entries.map((e) => `${e.kind} of ballots.json[${vectorOf(e.tracking)}]`).join(', ');
  });
}

// ------------------------------------------------------------------ primitives

const prim = has('primitives.json') ? P.plain(P.parseJson(read('primitives.json'))) : {};

/** This implementation's own transcript for a named published transcript, or null. */
function ourTranscript(name) {
  let r;
  const ballot = (i) => ballots[Number(i)];
  if (name === 'credential list digest') return P.credentialTranscript(list);
  if (name === 'election base hash') return election.transcript;
  if ((r = /^ballot body digest of ballots\.json\[(\d+)\]$/.exec(name))) return P.bodyTranscript(ballot(r[1]));
  if ((r = /^tracking hash of ballots\.json\[(\d+)\]$/.exec(name))) return P.trackingTranscript(P.bodyDigest(ballot(r[1])), ballot(r[1]).signature);
  if ((r = /^signature challenge of ballots\.json\[(\d+)\]/.exec(name))) {
    const b = ballot(r[1]);
    return P.schnorrTranscript(P.signatureContext(election.base, P.bodyDigest(b)), b.credential, b.signature.R);
  }
  if ((r = /^selection proof challenge of ballots\.json\[(\d+)\] (\S+)\/(\S+)$/.exec(name))) {
    const b = ballot(r[1]);
    const s = b.contests.find((c) => c.id === r[2]).selections.find((x) => x.id === r[3]);
    return P.disjunctiveTranscript(P.selectionContext(election.base, b.credential, r[2], r[3]), election.K, 0, 1, s.ct, s.proof.commitments);
  }
  if ((r = /^contest proof challenge of ballots\.json\[(\d+)\] (\S+)$/.exec(name))) {
    const b = ballot(r[1]);
    const c = b.contests.find((x) => x.id === r[2]);
    const def = m.contests.find((x) => x.id === r[2]);
    const sum = P.sumCiphertexts(c.selections.map((s) => s.ct));
    return P.disjunctiveTranscript(P.contestContext(election.base, b.credential, r[2]), election.K, def.min, def.max, sum, c.proof.commitments);
  }
  if ((r = /^encryption nonce of ballots\.json\[(\d+)\] (\S+)\/(\S+)$/.exec(name))) {
    return new P.Nonces(election.base, P.fromHex(ballotVectors[Number(r[1])].seed, 32, 'seed')).encryptionTranscript(r[2], r[3]);
  }
  if ((r = /^credential key of (\S+)$/.exec(name))) return P.credentialKeyTranscript(m.election_id, P.readCode(r[1]).payload);
  if (name === 'board genesis hash') return new P.Transcript('board-genesis').bytes(election.base);
  if ((r = /^board entry (\d+) \((cast|challenge) of ballots\.json\[(\d+)\]\)$/.exec(name)) && board) {
    const e = board.entries[Number(r[1])];
    if (!e || e.kind !== r[2] || vectorOf(e.tracking) !== Number(r[3])) throw new Error(`the board's entry ${r[1]} is not the ${r[2]} of ballots.json[${r[3]}]`);
    return P.entryTranscript(e);
  }
  if ((r = /^signature challenge of expected\.json (receipt|challenge_receipt|closing) /.exec(name))) {
    const x = expected[r[1]];
    if (r[1] === 'closing') {
      const h = P.parseSignedHead(JSON.stringify(x));
      return P.schnorrTranscript(P.signedHeadContext(election, h), election.B, h.signature.R);
    }
    const rc = P.parseReceipt(JSON.stringify(x));
    return P.schnorrTranscript(P.receiptContext(election, rc), election.B, rc.signature.R);
  }
  return null;
}

for (const [i, t] of (prim.transcripts ?? []).entries()) {
  const name = `transcript ${i} "${t.name}"`;
  attempt(`${name}: digest and scalar from its items (§2)`, () => {
    const tr = new P.Transcript(t.domain);
    for (const x of t.items) tr.bytes(P.fromHex(x, x.length / 2, 'item'));
    if (P.toHex(tr.digest()) !== t.digest) throw new Error('digest differs');
    if (P.toHex(P.le32(tr.scalarOut())) !== t.scalar) throw new Error('scalar differs');
  });
  let ours = null;
  try {
    ours = ourTranscript(t.name);
  } catch (e) {
    check(`${name}: names what this implementation can rebuild`, false, String(e?.message ?? e));
  }
  if (ours) {
    attempt(`${name}: the specification gives the same ${t.items.length} items`, () => {
      if (ours.domain !== t.domain) throw new Error(`domain ${ours.domain}`);
      const mine = ours.items.map(P.toHex);
      const k = mine.findIndex((x, j) => x !== t.items[j]);
      if (k >= 0 || mine.length !== t.items.length) throw new Error(`first difference at item ${k >= 0 ? k : Math.min(mine.length, t.items.length)}: ours ${mine[k]} theirs ${t.items[k]}`);
    });
  }
}
for (const h of prim.hash_to_scalar ?? []) {
  check(`hash to scalar of ${h.digest.slice(0, 8)}… (§2.2)`, P.toHex(P.le32(P.scalarFromLE(P.fromHex(h.digest, 64, 'd')) % P.L)) === h.scalar, h.scalar.slice(0, 16) + '…');
}
for (const e of prim.elgamal ?? []) {
  attempt(`ElGamal ${e.name} (§4)`, () => {
    const c = P.encrypt(P.keyFromHex(e.public_key, 'key'), e.v, P.scalarFromHex(e.r, 'r'));
    return c.a.hex === e.a && c.b.hex === e.b;
  });
}
for (const c of prim.credentials ?? []) {
  attempt(`credential ${c.code} (§6)`, () => {
    const cred = P.credentialFromCode({ election_id: c.election_id, ballot_styles: m.ballot_styles }, c.code);
    return P.toHex(cred.payload) === c.payload && cred.styleIndex === c.style_index && P.toHex(P.le32(cred.x)) === c.secret && cred.X.hex === c.public_key &&
      P.codeOfPayload(P.fromHex(c.payload, 16, 'payload')) === c.code;
  });
}
for (const c of prim.code_checks ?? []) {
  const r = P.readCode(c.input);
  const status = r.outcome.replace('-', '_');
  check(`code check ${JSON.stringify(c.input)} → ${c.status} (§6.5)`,
    status === c.status && (c.typed === undefined || r.typed === c.typed) && (c.position === undefined || r.position === c.position),
    status);
}
for (const t of prim.tracking_short ?? []) {
  const got = P.group4(P.encodeBits(P.fromHex(t.full, 64, 'full'), 12));
  check(`short code of ${t.full.slice(0, 8)}… (§7.4)`, got === t.short, got);
}
for (const t of prim.normalize_short ?? []) {
  if (t.error) rejects(`normalise ${JSON.stringify(t.input)} (§7.4)`, t.error, () => P.normalizeShort(t.input));
  else attempt(`normalise ${JSON.stringify(t.input)} (§7.4)`, () => P.normalizeShort(t.input) === t.output);
}

// ------------------------------------------------------------------ invalid ballots

for (const v of has('invalid.json') ? P.parseJson(read('invalid.json')) : []) {
  const name = `invalid "${v.name}" (${v.stage})`;
  rejects(name, v.error, () => {
    if (v.stage === 'parse') return P.parseBallot(v.ballot_json);
    const b = P.parseBallot(v.ballot);
    if (v.stage === 'verify') return P.verifyBallot(election, b);
    if (v.stage === 'verify_listed') return P.verifyBallot(election, b, list);
    throw new Error(`unknown stage ${v.stage}`);
  });
}

// ------------------------------------------------------------------ the board's checks (§8.2, §8.4, record.md V4, V13)

if (board) {
  const entries = board.entries;
  attempt('board: hash chain from the genesis hash, the recorded head its last hash (§8.2, record.md V4)', () =>
    `${entries.length} entries, head ${P.toHex(P.checkBoardChain(election, board)).slice(0, 16)}…`);
  if (expected.board_head) check('board: head as expected', P.toHex(board.head) === expected.board_head);
  attempt('board: the closing statement verifies and names exactly this board (§8.4, record.md §2, V4)', () => {
    const c = P.checkClosing(election, board);
    if (!c) throw new Error('the board is not closed');
    return `${c.entries} entries, closed at ${c.time}`;
  });
  attempt('board: its rules — one entry per tracking hash and kind, never cast and challenged, times in order (record.md V13)', () => {
    const breaks = P.boardRuleBreaks(entries);
    if (breaks.length) throw new Error(breaks.map((b) => `entry ${b.index}: ${b.rule}`).join('; '));
    return `${entries.length} entries keep them`;
  });
  const challenged = entries.find((e) => e.challenge && e.challenge.selections.size > 1);
  if (challenged) {
    attempt(`board: entry ${challenged.index}'s reveal with its contests in another order hashes the same (§8.1 sorts them)`, () => {
      const reversed = new Map([...challenged.challenge.selections].reverse());
      const again = P.entryHash({ ...challenged, challenge: { ...challenged.challenge, selections: reversed } });
      if (!P.bytesEqual(again, challenged.hash)) throw new Error('another hash');
      return [...reversed.keys()].join(', ');
    });
  }
  if (has('board.jsonl')) {
    entries.forEach((e, i) => {
      attempt(`board entry ${i} (${e.kind}): ballot verifies (§7.5)`, () => P.verifyBallot(election, e.ballot, list).length > 0);
      if (e.challenge) attempt(`board entry ${i}: reveal checks (§7.6)`, () => JSON.stringify(P.checkChallenge(election, e.ballot, e.challenge)));
    });
    // The chain, tampered in the file's JSON and read again.
    const again = (f) => {
      const copy = JSON.parse(JSON.stringify(boardJson.entries));
      f(copy);
      return P.checkChain(election, copy.map((x) => P.parseEntry(JSON.stringify(x))));
    };
    rejects('board tamper: received time changed', 'VERIFICATION_FAILED', () => again((c) => (c[0].received = '2026-11-22T00:00:00Z')));
    if (entries.length > 1) {
      rejects('board tamper: entries reordered', 'VERIFICATION_FAILED', () => again((c) => c.reverse()));
      rejects('board tamper: entry dropped', 'VERIFICATION_FAILED', () => again((c) => c.splice(0, 1)));
    }
    const ci = entries.findIndex((x) => x.kind === 'challenge');
    if (ci >= 0) {
      rejects('board tamper: challenge selections changed', 'VERIFICATION_FAILED', () =>
        again((c) => {
          const sel = c[ci].challenge.selections;
          const k = Object.keys(sel)[0];
          sel[k] = sel[k].length ? [] : ['x'];
        }));
    }
    rejects('board tamper: the recorded head is not the last hash', 'VERIFICATION_FAILED', () =>
      P.checkBoardChain(election, { ...board, head: entries[0].hash }));
    rejects('board tamper: the board of another election', 'WRONG_ELECTION', () => P.checkBoardChain(election, { ...board, election: new Uint8Array(64) }));
    // The file's lines, tampered and read again.
    const text = read('board.jsonl');
    const [headerLine, ...rest] = text.slice(0, -1).split('\n');
    const header = JSON.parse(headerLine);
    const withHeader = (h) => [JSON.stringify(h), ...rest].join('\n') + '\n';
    rejects('board tamper: "closed" not a boolean', 'MALFORMED_JSON', () => P.parseBoardLines(withHeader({ ...header, closed: 'true' })));
    rejects('board tamper: an unknown member', 'MALFORMED_JSON', () => P.parseBoardLines(withHeader({ ...header, extra: 1 })));
    rejects('board tamper: the count not a number', 'MALFORMED_JSON', () => P.parseBoardLines(withHeader({ ...header, entries: '3' })));
    rejects('board tamper: the last newline gone', 'MALFORMED_JSON', () => P.parseBoardLines(text.slice(0, -1)));
    rejects('board tamper: a blank line', 'MALFORMED_JSON', () => P.parseBoardLines(text + '\n'));
    rejects('board tamper: the earlier one-document format', 'MALFORMED_JSON', () => P.parseBoardLines(JSON.stringify(boardJson) + '\n'));
    rejects('board tamper: the last entry cut off', 'VERIFICATION_FAILED', () =>
      P.parseBoardLines(withHeader(header).split('\n').slice(0, -2).join('\n') + '\n'));
  }

  // The closing statement as JSON (§8.4, §1.2).
  const closingJson = board.closing ? JSON.stringify(boardJson ? boardJson.closing : expected.closing) : null;
  if (closingJson) {
    const editClosing = (f) => {
      const o = JSON.parse(closingJson);
      f(o);
      return P.verifySignedHead(election, P.parseSignedHead(JSON.stringify(o)));
    };
    attempt('closing statement: parses and verifies as a signed head (§8.4)', () => {
      const c = editClosing(() => {});
      return `${c.entries} entries, ${c.closed ? 'closed' : 'open'}, ${c.time}`;
    });
    rejects('closing tamper: closed → false', 'VERIFICATION_FAILED', () => editClosing((o) => (o.closed = false)), /signature on board-head/);
    rejects('closing tamper: entries + 1', 'VERIFICATION_FAILED', () => editClosing((o) => (o.entries += 1)), /signature on board-head/);
    rejects('closing tamper: head changed', 'VERIFICATION_FAILED', () => editClosing((o) => (o.head = (o.head[0] === '0' ? '1' : '0') + o.head.slice(1))), /signature on board-head/);
    rejects('closing tamper: another valid time', 'VERIFICATION_FAILED', () => editClosing((o) => (o.time = '2026-11-22T18:00:01Z')), /signature on board-head/);
    rejects('closing tamper: a time not of the board\'s form', 'VERIFICATION_FAILED', () => editClosing((o) => (o.time = '2026-11-22T18:00:00+00:00')), /not of the form/);
    rejects('closing tamper: another election', 'WRONG_ELECTION', () => editClosing((o) => (o.election = 'ab'.repeat(64))));
    rejects('closing tamper: "closed" a string', 'MALFORMED_JSON', () => editClosing((o) => (o.closed = 'true')));
    rejects('closing tamper: "entries" negative', 'MALFORMED_JSON', () => editClosing((o) => (o.entries = -1)));
    rejects('closing tamper: an unknown member', 'MALFORMED_JSON', () => editClosing((o) => (o.state = 'closed')));
    rejects('closing tamper: uppercase head', 'BAD_ENCODING', () => editClosing((o) => (o.head = o.head.toUpperCase())));
    rejects('closing tamper: the same message signed under the label "receipt"', 'VERIFICATION_FAILED', () => {
      const c = P.parseSignedHead(closingJson);
      const signature = signWith(boxSecret ?? OTHER_KEY, P.messageContext(election.base, 'receipt', P.signedHeadMessage(c)));
      return P.verifySignedHead(election, { ...c, signature });
    }, /signature on board-head/);
  }

  // Boards made here from the board's own entries, closed with the test-only box secret: the
  // control is accepted, and each change is refused by the check it is about (record.md V4,
  // V13) — the chain links and, for a rule, the closing statement names the board.
  if (board.closing && boxSecret !== null) {
    const items = entries.map((e) => ({ kind: e.kind, received: e.received, ballot: e.ballot, challenge: e.challenge }));
    const closingTime = board.closing.time;
    const headOf = (es) => (es.length ? es[es.length - 1].hash : P.genesis(election));
    const closedBoard = (its, secret = boxSecret, statement = {}) => {
      const es = chainEntries(its);
      const closing = signHead(secret, { election: election.base, entries: BigInt(es.length), head: headOf(es), closed: true, time: closingTime, ...statement });
      return { election: election.base, closed: true, head: headOf(es), closing, entries: es };
    };
    const judge = (b) => {
      P.checkBoardChain(election, b);
      P.checkClosing(election, b);
      const breaks = P.boardRuleBreaks(b.entries);
      if (breaks.length) P.verificationFailed(`board rules: entry ${breaks[0].index} ${breaks[0].rule}`);
      return `${b.entries.length} entries`;
    };
    attempt('board rebuilt here and closed with the test-only box secret: accepted (control)', () => judge(closedBoard(items)));
    const later = '2026-11-22T12:00:00Z';
    const unused = ballotVectors.findIndex((v, k) => ballots[k] && !entries.some((e) => v.tracking.full === P.toHex(e.tracking)));
    const truncated = entries.slice(0, -1);
    rejects('closing: the last entry dropped after the close', 'VERIFICATION_FAILED', () =>
      judge({ ...board, entries: truncated, head: headOf(truncated) }), /closing statement: names/);
    attempt('closing: the truncated board closed again by the box: accepted', () => judge(closedBoard(items.slice(0, -1))));
    rejects(`closing: an entry appended after the close (${unused >= 0 ? `ballots.json[${unused}] cast` : 'entry 0 again'})`, 'VERIFICATION_FAILED', () => {
      const extra = unused >= 0 ? { kind: 'cast', received: later, ballot: ballots[unused], challenge: null } : { ...items[0], received: later };
      const es = chainEntries([...items, extra]);
      return judge({ ...board, entries: es, head: headOf(es) });
    }, /closing statement: names/);
    rejects('closing: signed by another key', 'VERIFICATION_FAILED', () => judge(closedBoard(items, OTHER_KEY)), /signature on board-head/);
    rejects('closing: signed by the box but open', 'VERIFICATION_FAILED', () => judge(closedBoard(items, boxSecret, { closed: false })), /says the polls are open/);
    rejects('closing: signed by the box for one entry fewer', 'VERIFICATION_FAILED', () =>
      judge(closedBoard(items, boxSecret, { entries: BigInt(items.length - 1), head: headOf(entries.slice(0, -1)) })), /closing statement: names/);
    rejects('closing: removed from a closed board', 'VERIFICATION_FAILED', () => judge({ ...board, closing: null }), /carries none/);
    rejects('closing: on a board marked open', 'VERIFICATION_FAILED', () => judge({ ...board, closed: false }), /not closed/);
    attempt('closing: as a signed head, it holds on its board and on no shorter one (§8.4)', () => {
      P.headHoldsOnBoard(election, board.closing, entries);
      try {
        P.headHoldsOnBoard(election, board.closing, truncated);
      } catch (e) {
        return 'yes';
      }
      throw new Error('it held on a shorter board');
    });

    const castAt = entries.findIndex((e) => e.kind === 'cast');
    const challengedAt = entries.findIndex((e) => e.kind === 'challenge');
    if (castAt >= 0) {
      rejects(`board rules: the cast of entry ${castAt} replayed at the end`, 'VERIFICATION_FAILED', () =>
        judge(closedBoard([...items, { ...items[castAt], received: later }])), /repeats the cast/);
      const v = ballotVectors[vectorOf(entries[castAt].tracking)];
      if (v?.challenge) {
        rejects(`board rules: the ballot cast at entry ${castAt} challenged at the end`, 'VERIFICATION_FAILED', () =>
          judge(closedBoard([...items, { ...items[castAt], kind: 'challenge', challenge: P.parseChallenge(JSON.stringify(v.challenge)), received: later }])),
          /a challenge of the ballot that is a cast/);
      }
    }
    if (challengedAt >= 0) {
      rejects(`board rules: the ballot challenged at entry ${challengedAt} cast at the end`, 'VERIFICATION_FAILED', () =>
        judge(closedBoard([...items, { ...items[challengedAt], kind: 'cast', challenge: null, received: later }])), /a cast of the ballot that is a challenge/);
      rejects(`board rules: the challenge of entry ${challengedAt} posted again at the end`, 'VERIFICATION_FAILED', () =>
        judge(closedBoard([...items, { ...items[challengedAt], received: later }])), /repeats the challenge/);
    }
    if (items.length > 1) {
      rejects('board rules: the last entry\'s time before the one before it', 'VERIFICATION_FAILED', () =>
        judge(closedBoard(items.map((x, i) => (i === items.length - 1 ? { ...x, received: '2026-11-22T00:00:00Z' } : x)))), /earlier than the entry before it/);
    }
    rejects('board rules: a time not of the form YYYY-MM-DDTHH:MM:SSZ', 'VERIFICATION_FAILED', () =>
      judge(closedBoard(items.map((x, i) => (i === 0 ? { ...x, received: x.received.replace(/Z$/, '+00:00') } : x)))), /not of the form/);
  }
}

// Boards the crate made that each break one thing (extra/boards.json): every chain links, so
// each must be refused by the check it names, and the control accepted.
for (const c of has('boards.json') ? P.parseJson(read('boards.json')) : []) {
  const name = `board "${c.name}"`;
  let b;
  attempt(`${name}: parses, its chain links (§8.2)`, () => {
    b = P.parseBoardFile(c.board);
    return `${b.entries.length} entries, head ${P.toHex(P.checkBoardChain(election, b)).slice(0, 16)}…`;
  });
  if (!b) continue;
  const closing = () => P.checkClosing(election, b);
  const rules = () => {
    const breaks = P.boardRuleBreaks(b.entries);
    if (breaks.length) P.verificationFailed(`board rules: entry ${breaks[0].index} ${breaks[0].rule}`);
    return 'none broken';
  };
  if (c.expect === 'accepted') {
    attempt(`${name}: the closing statement names it (V4)`, () => `${closing().entries} entries`);
    attempt(`${name}: its rules hold (V13)`, rules);
  } else if (c.expect === 'closing') {
    rejects(`${name}: refused by the closing statement check (V4)`, 'VERIFICATION_FAILED', closing, /closing statement|board-head/);
    attempt(`${name}: its rules hold (V13)`, rules);
  } else if (c.expect === 'rules') {
    attempt(`${name}: the closing statement names it (V4)`, () => `${closing().entries} entries`);
    rejects(`${name}: refused by the board rules (V13), at entry ${P.plain(c.entry)}`, 'VERIFICATION_FAILED', rules, new RegExp(`^board rules: entry ${P.plain(c.entry)} `));
  } else {
    check(`${name}: known expectation`, false, String(c.expect));
  }
}

// ------------------------------------------------------------------ election documents (§3)

for (const c of has('elections.json') ? P.plain(P.parseJson(read('elections.json'))) : []) {
  const name = `election "${c.name}"`;
  if (c.error) rejects(`${name} rejected`, c.error, () => P.parseElection(c.election_json));
  else attempt(`${name} accepted, base hash`, () => P.toHex(P.parseElection(c.election_json).base) === c.base_hash);
}

// ------------------------------------------------------------------ receipts (§8.3)

for (const [label, json] of [['receipt', expected.receipt], ['challenge receipt', expected.challenge_receipt]]) {
  if (!json) continue;
  const text = JSON.stringify(json);
  let receipt;
  attempt(`${label}: parses (§8.3, §1.2)`, () => {
    receipt = P.parseReceipt(text);
    return `${receipt.kind}, entry ${receipt.index}`;
  });
  if (!receipt) continue;
  attempt(`${label}: verifies under the election's ballot_box_key (§8.3)`, () => {
    const r = P.verifyReceipt(election, receipt);
    return `${r.kind} ${r.short} entry ${r.index} at ${r.received}, head ${P.toHex(r.head).slice(0, 16)}…`;
  });
  if (board) {
    const entries = board.entries;
    attempt(`${label}: its entry is on the board as acknowledged — kind, tracking hash, time, and hash = head (§8.3)`, () =>
      `entry ${P.receiptOnBoard(receipt, entries).index}`);
    attempt(`${label}: as a signed head of index + 1 entries, it holds on the board (§8.4)`, () => {
      P.headHoldsOnBoard(election, { entries: BigInt(receipt.index) + 1n, head: receipt.head, closed: false }, entries);
    });
    const at = (f) => entries.map((e) => (BigInt(e.index) === BigInt(receipt.index) ? f(e) : e));
    rejects(`${label}: a board without its entry`, 'VERIFICATION_FAILED', () => P.receiptOnBoard(receipt, entries.filter((e) => BigInt(e.index) !== BigInt(receipt.index))), /no board entry/);
    rejects(`${label}: a board whose entry has another time`, 'VERIFICATION_FAILED', () =>
      P.receiptOnBoard(receipt, at((e) => ({ ...e, received: '2026-11-22T00:00:00Z' }))), /time/);
    rejects(`${label}: a board whose entry has another kind`, 'VERIFICATION_FAILED', () =>
      P.receiptOnBoard(receipt, at((e) => ({ ...e, kind: e.kind === 'cast' ? 'challenge' : 'cast' }))), /kind/);
    if (BigInt(receipt.index) > 0n) {
      // The board before the entry changed (entry 0's time) and the chain recomputed: the
      // entry itself is the same, but its hash — the receipt's head — is not (§8.3).
      rejects(`${label}: a board changed before its entry, chain recomputed`, 'VERIFICATION_FAILED', () => {
        const changed = chainEntries(entries.map((e, i) => ({ kind: e.kind, received: i === 0 ? '2026-11-22T00:00:00Z' : e.received, ballot: e.ballot, challenge: e.challenge })));
        P.checkChain(election, changed);
        return P.receiptOnBoard(receipt, changed);
      }, /differs: hash/);
    }
  } else {
    check(`${label}: names ballots.json[0] at index 0`, P.toHex(receipt.tracking) === ballotVectors[0].tracking.full && receipt.index === 0n);
  }

  if (boxSecret !== null) {
    attempt(`${label}: re-signed for index + 1 with the box secret, verifies`, () => {
      P.verifyReceipt(election, signReceipt(boxSecret, { ...receipt, index: receipt.index + 1n }));
    });
    if (board) {
      // The box can sign anything, but what it signed is then evidence against it: a receipt
      // re-signed with another kind or head verifies, and the look-up says what differs.
      const other = receipt.kind === 'cast' ? 'challenge' : 'cast';
      rejects(`${label}: re-signed by the box as a ${other}, verifies but is not the board's entry`, 'VERIFICATION_FAILED', () =>
        P.receiptOnBoard(P.verifyReceipt(election, signReceipt(boxSecret, { ...receipt, kind: other })), board.entries), /differs: kind/);
      rejects(`${label}: re-signed by the box with another head, verifies but names another board`, 'VERIFICATION_FAILED', () =>
        P.receiptOnBoard(P.verifyReceipt(election, signReceipt(boxSecret, { ...receipt, head: P.genesis(election) })), board.entries), /differs: hash/);
    }
  }
  rejects(`${label}: signed by another key (§8.3)`, 'VERIFICATION_FAILED', () => P.verifyReceipt(election, signReceipt(OTHER_KEY, receipt)), /signature on receipt/);
  rejects(`${label}: its message signed under the label "board-head"`, 'VERIFICATION_FAILED', () =>
    P.verifyReceipt(election, { ...receipt, signature: signWith(boxSecret ?? OTHER_KEY, P.messageContext(election.base, 'board-head', P.receiptMessage(receipt))) }), /signature on receipt/);

  // Every field changed in the receipt's JSON: each must fail with the code §8.3 gives.
  const edit = (f) => {
    const o = JSON.parse(text);
    f(o);
    return P.verifyReceipt(election, P.parseReceipt(JSON.stringify(o)));
  };
  const flip = (hex) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
  const bump = (hex) => P.toHex(P.le32(P.mod(P.scalarFromLE(P.fromHex(hex, 32, 's')) + 1n)));
  const t = `${label} tamper`;
  rejects(`${t}: another election`, 'WRONG_ELECTION', () => edit((o) => (o.election = flip(o.election))));
  rejects(`${t}: kind changed`, 'VERIFICATION_FAILED', () => edit((o) => (o.kind = o.kind === 'cast' ? 'challenge' : 'cast')), /signature on receipt/);
  rejects(`${t}: kind "Cast" (not exactly the lowercase string)`, 'MALFORMED_JSON', () => edit((o) => (o.kind = 'Cast')));
  rejects(`${t}: kind missing`, 'MALFORMED_JSON', () => edit((o) => delete o.kind));
  rejects(`${t}: head changed`, 'VERIFICATION_FAILED', () => edit((o) => (o.head = flip(o.head))), /signature on receipt/);
  rejects(`${t}: head the genesis hash`, 'VERIFICATION_FAILED', () => edit((o) => (o.head = P.toHex(P.genesis(election)))), /signature on receipt/);
  rejects(`${t}: head of 64 digits`, 'BAD_ENCODING', () => edit((o) => (o.head = o.head.slice(0, 64))));
  rejects(`${t}: head missing`, 'MALFORMED_JSON', () => edit((o) => delete o.head));
  rejects(`${t}: tracking changed`, 'VERIFICATION_FAILED', () => edit((o) => (o.tracking = flip(o.tracking))));
  rejects(`${t}: tracking changed and short recomputed`, 'VERIFICATION_FAILED', () =>
    edit((o) => {
      o.tracking = flip(o.tracking);
      o.short = P.group4(P.encodeBits(P.fromHex(o.tracking, 64, 't'), 12));
    }), /signature on receipt/);
  rejects(`${t}: short code of another ballot`, 'VERIFICATION_FAILED', () => edit((o) => (o.short = o.short === '0000-0000-0000' ? '0000-0000-0001' : '0000-0000-0000')), /short code/);
  rejects(`${t}: short code in lowercase (compared exactly)`, 'VERIFICATION_FAILED', () => edit((o) => (o.short = o.short.toLowerCase())), /short code/);
  rejects(`${t}: index + 1`, 'VERIFICATION_FAILED', () => edit((o) => (o.index += 1)), /signature on receipt/);
  rejects(`${t}: another valid time`, 'VERIFICATION_FAILED', () => edit((o) => (o.received = o.received.replace(/:([0-9]{2})Z$/, (_, x) => `:${x === '00' ? '01' : '00'}Z`))), /signature on receipt/);
  for (const bad of ['2026-11-22T10:41:07', '2026-11-22 10:41:07Z', '2026-11-22T10:41:07+00:00', '2026-11-22T10:41:07.0Z',
    '2026-13-22T10:41:07Z', '2026-11-00T10:41:07Z', '2026-11-22T24:41:07Z', '2026-11-22T10:60:07Z', '2026-11-22T10:41:61Z', '+026-11-22T10:41:07Z']) {
    rejects(`${t}: time ${JSON.stringify(bad)}`, 'VERIFICATION_FAILED', () => edit((o) => (o.received = bad)), /not of the form/);
  }
  rejects(`${t}: signature response + 1`, 'VERIFICATION_FAILED', () => edit((o) => (o.signature.response = bump(o.signature.response))));
  rejects(`${t}: signature commitment + G`, 'VERIFICATION_FAILED', () =>
    edit((o) => (o.signature.commitment = P.toHex(P.pointFromHex(o.signature.commitment, 'R').p.add(P.G).toBytes()))));
  rejects(`${t}: unknown member`, 'MALFORMED_JSON', () => edit((o) => (o.extra = 1)));
  rejects(`${t}: index as a string`, 'MALFORMED_JSON', () => edit((o) => (o.index = String(o.index))));
  rejects(`${t}: uppercase tracking`, 'BAD_ENCODING', () => edit((o) => (o.tracking = o.tracking.toUpperCase())));
  rejects(`${t}: response equal to ℓ`, 'NON_CANONICAL', () =>
    edit((o) => (o.signature.response = 'edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010')));

  // The key is bound by the base hash: the same election with another ballot_box_key is
  // another election, and a receipt naming that election still needs that key's signature.
  const doc = P.plain(P.parseJson(read('election.json')));
  doc.ballot_box_key = P.toHex(P.mul(P.G, OTHER_KEY).toBytes());
  const other = P.parseElection(JSON.stringify(doc));
  check(`${label}: an election with another ballot_box_key has another base hash (§3.2)`, !P.bytesEqual(other.base, election.base));
  rejects(`${label} under an election with another ballot_box_key`, 'WRONG_ELECTION', () => P.verifyReceipt(other, receipt));
  rejects(`${label} renamed to that election`, 'VERIFICATION_FAILED', () => P.verifyReceipt(other, { ...receipt, election: other.base }), /signature on receipt/);
}

// §7.3: in PROOF(p) each of a proof's three arrays carries its own length. Move the first
// ballot's first selection proof's second challenge into its responses: with only the
// commitment count written (the layout before this rule) both proofs give the same items,
// so the body digest would not tell them apart; with a length before every array they differ.
if (ballots[0]) {
  const b = ballots[0];
  const p = b.contests[0].selections[0].proof;
  const split = { commitments: p.commitments, challenges: p.challenges.slice(0, 1), responses: [...p.challenges.slice(1), ...p.responses] };
  const countOnly = (t, q) => {
    t.u32(q.commitments.length);
    for (const c of q.commitments) t.point(c.a).point(c.b);
    for (const x of [...q.challenges, ...q.responses]) t.scalar(x);
  };
  const items = (q, absorb) => {
    const t = new P.Transcript('ballot');
    absorb(t, q);
    return t.items;
  };
  const same = (x, y) => x.length === y.length && x.every((it, i) => P.bytesEqual(it, y[i]));
  check('§7.3 a proof split 1/3 instead of 2/2 collides when only the commitments are counted', same(items(p, countOnly), items(split, countOnly)));
  check('§7.3 PROOF(p): the same two proofs give different items', !same(items(p, P.absorbProof), items(split, P.absorbProof)));
  const moved = { ...b, contests: b.contests.map((c, i) => (i ? c : { ...c, selections: c.selections.map((s, j) => (j ? s : { ...s, proof: split })) })) };
  check('§7.3 PROOF(p): and different body digests', !P.bytesEqual(P.bodyDigest(b), P.bodyDigest(moved)));
  rejects('§5.1 the split proof is rejected (arrays of unequal length)', 'VERIFICATION_FAILED', () => P.verifyBallot(election, moved, list));
}

// The worked example of docs/protocol.md §11.1 quotes the reference vectors: every value it
// prints must be the one computed here, so the document cannot drift from the vectors.
const specPath = new URL('../../docs/protocol.md', import.meta.url);
if (expected.rng_seed && existsSync(specPath) && ballots[0]) {
  const spec = readFileSync(specPath, 'utf8');
  const at = spec.indexOf('### §11.1');
  const text = at < 0 ? '' : spec.slice(at);
  const flat = text.replace(/\s+/g, '');
  const short = (h, head = 8, tail = 8) => `${h.slice(0, head)}…${h.slice(-tail)}`;
  const b = ballots[0];
  const v = ballotVectors[0];
  const cred = P.credentialFromCode(m, v.code);
  const s0 = b.contests[0].selections[0];
  const c0 = b.contests[0].id;
  const sel = P.disjunctiveTranscript(P.selectionContext(election.base, b.credential, c0, s0.id), election.K, 0, 1, s0.ct, s0.proof.commitments);
  const body = P.bodyTranscript(b);
  const tr = P.tracking(b);
  const hex = (x) => P.toHex(P.le32(x));
  const quoted = [
    ['K', election.K.hex], ['B', election.B.hex], ['base', P.toHex(election.base)],
    ['credential digest', short(P.toHex(election.credentials.digest))], [`${election.transcript.items.length} base hash items`, `(${election.transcript.items.length}itemsafterthedomaintag)`],
    ['code', v.code], ['payload', P.toHex(cred.payload)], ['x', hex(cred.x)], ['X', cred.X.hex],
    ['seed', v.seed], ['seed, abbreviated', short(v.seed)], ['r', hex(new P.Nonces(election.base, P.fromHex(v.seed, 32, 'seed')).encryption(c0, s0.id))],
    ['a', s0.ct.a.hex], ['b', s0.ct.b.hex], ['selection challenge', hex(sel.scalarOut())],
    ['c_0', short(hex(s0.proof.challenges[0]))], ['c_1', short(hex(s0.proof.challenges[1]))],
    [`${body.items.length} body items`, `(${body.items.length}items)`], ['body', short(P.toHex(body.digest()), 16, 9)],
    ['R', b.signature.R.hex], ['signature challenge', hex(P.schnorrTranscript(P.signatureContext(election.base, body.digest()), b.credential, b.signature.R).scalarOut())],
    ['s', hex(b.signature.s)], ['tracking', tr.fullHex], ['short code', tr.short],
  ];
  const nSelections = b.contests.reduce((n, c) => n + c.selections.length, 0);
  // PROOF(p) of §7.3: three counts, two points per commitment, the challenges and responses.
  const nItems = (proof) => 3 + 2 * proof.commitments.length + proof.challenges.length + proof.responses.length;
  quoted.push(['trustees and threshold', `with${election.trustees}trustees,threshold${election.threshold}`],
    ['credential count', `${election.credentials.count}credentialswithdigest`], ['style', `(styleindex${cred.styleIndex},\`${cred.style}\`)`],
    ['selections', `overall${nSelections}selectionsandboth`], ['selection proof items', `is${nItems(s0.proof)}ofthem`],
    ['contest proof items', `over\`[${m.contests[0].min},${m.contests[0].max}]\`,${nItems(b.contests[0].proof)}—`]);
  // Step 7's bits: the first bytes of the tracking hash, then the twelve 5-bit values.
  const bytes = [...tr.full.slice(0, 7)].map((x) => x.toString(16).padStart(2, '0'));
  const fives = [...tr.short.replace(/-/g, '')].map((c) => P.ALPHABET.indexOf(c));
  quoted.push([`${sel.items.length} selection challenge items`, `(${sel.items.length}items)`],
    ['tracking bytes', `\`${bytes.slice(0, 7).join('')}${tr.fullHex[14]}…\``], ['fives', `\`${fives.join('')}\``]);
  if (board && expected.receipt && expected.challenge_receipt && expected.closing) {
    const statement = (r, C) => [hex(P.schnorrTranscript(C, election.B, r.signature.R).scalarOut()), r.signature.R.hex, hex(r.signature.s)];
    const message = (bytes) => `${bytes.length}-bytemessage\`${Buffer.from(bytes).toString('utf8').replace(/[0-9a-f]{128}/g, (h) => short(h))}\``;
    const [r0, r1] = [expected.receipt, expected.challenge_receipt].map((x) => P.parseReceipt(JSON.stringify(x)));
    const h = P.parseSignedHead(JSON.stringify(expected.closing));
    const [e0, e1] = board.entries;
    const [c0r, R0, s0r] = statement(r0, P.receiptContext(election, r0));
    const [c1r, R1, s1r] = statement(r1, P.receiptContext(election, r1));
    const [ch, Rh, sh] = statement(h, P.signedHeadContext(election, h));
    quoted.push(['genesis', `=\`${short(P.toHex(P.genesis(election)))}\``],
      ['entry 0 items', `over${P.entryTranscript(e0).items.length}itemsafterthetag`], ['entry 0 hash (head)', P.toHex(e0.hash)],
      ['receipt message', message(P.receiptMessage(r0))], ['receipt R', R0], ['receipt challenge', c0r], ['receipt s', s0r],
      ['challenged ballot', `\`${ballotVectors[vectorOf(e1.tracking)].name}\`,challengedat\`${e1.received}\``],
      ['entry 1 items', `—${P.entryTranscript(e1).items.length}itemsafterthetag`], ['entry 1 hash', short(P.toHex(e1.hash))],
      ['challenge receipt message', message(P.receiptMessage(r1))], ['challenge receipt R', R1], ['challenge receipt challenge', c1r], ['challenge receipt s', s1r],
      ['closing message', message(P.signedHeadMessage(h))], ['closing R', Rh], ['closing challenge', ch], ['closing s', sh]);
  }
  const missing = quoted.filter(([, q]) => !flat.includes(q)).map(([name]) => name);
  check(`spec §11.1 worked example quotes the vectors (${quoted.length} values)`, text !== '' && missing.length === 0, missing.length ? `not found: ${missing.join(', ')}` : '');
}

if (expected.knowledge) {
  const k = expected.knowledge;
  const X = P.keyFromHex(k.key, 'key');
  const proof = P.parseSchnorr(k.proof, 'proof');
  check(`proof of knowledge "${k.what}" (§5.2)`, P.verifySchnorr(P.knowledgeContext(election.base, k.what), X, proof));
  check('proof of knowledge under another label fails', !P.verifySchnorr(P.knowledgeContext(election.base, `${k.what} `), X, proof));
}
if (expected.equality) {
  const q = expected.equality;
  const proof = P.plain(q.proof);
  P.shape(proof, 'equality proof', ['t1', 't2', 'response']);
  const pr = { t1: P.pointFromHex(proof.t1, 't1'), t2: P.pointFromHex(proof.t2, 't2'), s: P.scalarFromHex(proof.response, 'response') };
  const [X, Q, Y] = [P.keyFromHex(q.key, 'key'), P.pointFromHex(q.q, 'q'), P.pointFromHex(q.y, 'y')];
  check(`equality proof "${q.what}" (§5.3)`, P.verifyEquality(election.base, q.what, X, Q, Y, pr));
  check('equality proof with a wrong share fails', !P.verifyEquality(election.base, q.what, X, Q, P.Elem.of(Y.p.add(P.G)), pr));
}

// Tampering made here, from the first ballot vector: each must be rejected with the code §9
// assigns. These would pass if the checks above were vacuous.
if (has('ballots.json')) {
  const v = ballotVectors[0];
  const good = JSON.stringify(v.ballot);
  const mutate = (f) => {
    const b = JSON.parse(good);
    f(b);
    return JSON.stringify(b);
  };
  const verifyText = (text, withList = true) => P.verifyBallot(election, P.parseBallot(text), withList ? list : null);
  const bump = (hex) => P.toHex(P.le32(P.mod(P.scalarFromLE(P.fromHex(hex, 32, 's')) + 1n)));
  const sel0 = (b) => b.contests[0].selections;
  rejects('tamper: signature response + 1', 'VERIFICATION_FAILED', () =>
    verifyText(mutate((b) => (b.signature.response = bump(b.signature.response)))));
  rejects('tamper: two ciphertexts swapped', 'VERIFICATION_FAILED', () =>
    verifyText(mutate((b) => ([sel0(b)[0].ciphertext, sel0(b)[1].ciphertext] = [sel0(b)[1].ciphertext, sel0(b)[0].ciphertext]))));
  rejects('tamper: selection challenges shifted, sum kept', 'VERIFICATION_FAILED', () =>
    verifyText(mutate((b) => {
      const c = sel0(b)[0].proof.challenges;
      c[0] = bump(c[0]);
      c[1] = P.toHex(P.le32(P.mod(P.scalarFromLE(P.fromHex(c[1], 32, 's')) - 1n)));
    })));
  rejects('tamper: contest proof response + 1', 'VERIFICATION_FAILED', () =>
    verifyText(mutate((b) => (b.contests[0].proof.responses[0] = bump(b.contests[0].proof.responses[0])))));
  rejects('tamper: ballot copied under another credential (§10.1)', 'VERIFICATION_FAILED', () =>
    verifyText(mutate((b) => (b.credential = P.toHex(P.mul(P.G, 987654321n).toBytes()))), false));
  const thiefVector = ballotVectors.find((x) => x.code !== v.code && P.credentialFromCode(m, x.code).style === v.ballot.style);
  if (thiefVector) {
    // The copying attack of §10.1 done properly: a voter with a listed credential of their own
    // (same ballot style) takes ballot 0 off the board, puts in their key and signs it validly.
    // The signature and the list check pass; the proofs, bound to the original credential,
    // must not.
    const thief = P.credentialFromCode(m, thiefVector.code);
    rejects('tamper: ballot 0 re-signed by another voter\'s listed credential (§10.1)', 'VERIFICATION_FAILED', () => {
      const b = P.parseBallot(mutate((x) => (x.credential = thief.X.hex)));
      const body = P.bodyDigest(b);
      const k = P.signatureNonce(thief.x, body);
      const R = P.Elem.of(P.mul(P.G, k));
      const c = P.schnorrTranscript(P.signatureContext(election.base, body), thief.X, R).scalarOut();
      b.signature = { R, s: P.mod(k + c * thief.x) };
      if (!P.verifySchnorr(P.signatureContext(election.base, body), thief.X, b.signature)) throw new Error('forged signature should verify');
      return P.verifyBallot(election, b, list);
    });
  }
  rejects('tamper: credential not on the list', 'UNKNOWN_CREDENTIAL', () =>
    list ? verifyText(mutate((b) => (b.credential = P.toHex(P.mul(P.G, 987654321n).toBytes())))) : P.verificationFailed('no list'));
  rejects('tamper: other election', 'WRONG_ELECTION', () => verifyText(mutate((b) => (b.election = 'ab'.repeat(64))), false));
  rejects('tamper: unknown style', 'UNKNOWN_STYLE', () => verifyText(mutate((b) => (b.style = 'nope')), false));
  rejects('tamper: identity credential', 'IDENTITY_POINT', () => verifyText(mutate((b) => (b.credential = '00'.repeat(32)))));
  rejects('tamper: uppercase hex', 'BAD_ENCODING', () => verifyText(mutate((b) => (b.signature.response = b.signature.response.toUpperCase()))));
  rejects('tamper: scalar equal to ℓ', 'NON_CANONICAL', () =>
    verifyText(mutate((b) => (b.signature.response = 'edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010'))));
  rejects('tamper: non-canonical point', 'NON_CANONICAL', () => verifyText(mutate((b) => (sel0(b)[0].ciphertext.a = 'ff'.repeat(32)))));
  rejects('tamper: unknown member', 'MALFORMED_JSON', () => verifyText(mutate((b) => (b.extra = 1))));
  rejects('tamper: duplicated member', 'MALFORMED_JSON', () => verifyText(good.replace('"style":', '"style":"x","style":')));
  rejects('tamper: protocol amanat/1 (the previous version)', 'UNSUPPORTED_VERSION', () => verifyText(mutate((b) => (b.protocol = 'amanat/1'))));
  if (v.challenge) {
    const b = P.parseBallot(good);
    const lie = JSON.parse(JSON.stringify(v.challenge));
    const c0 = b.contests[0];
    const chosen = lie.selections[c0.id] ?? [];
    lie.selections[c0.id] = [c0.selections.map((s) => s.id).find((id) => !chosen.includes(id))];
    rejects('tamper: challenge reveals another choice', 'VERIFICATION_FAILED', () => P.checkChallenge(election, b, P.parseChallenge(JSON.stringify(lie))));
    const other = JSON.parse(JSON.stringify(v.challenge));
    other.seed = other.seed.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    rejects('tamper: challenge with another seed', 'VERIFICATION_FAILED', () => P.checkChallenge(election, b, P.parseChallenge(JSON.stringify(other))));
    // §7.6: one reading of a reveal: an option named twice, a contest named twice.
    const twice = JSON.parse(JSON.stringify(v.challenge));
    const [cid, picked] = Object.entries(twice.selections).find(([, os]) => os.length > 0);
    twice.selections[cid] = [...picked, picked[0]];
    rejects('tamper: challenge names an option twice', 'DUPLICATE_SELECTION', () => P.checkChallenge(election, b, P.parseChallenge(JSON.stringify(twice))));
    const text = JSON.stringify(v.challenge).replace('"selections":{', `"selections":{${JSON.stringify(cid)}:[],`);
    rejects('tamper: challenge names a contest twice', 'MALFORMED_JSON', () => P.parseChallenge(text));
    rejects('tamper: null in a challenge', 'MALFORMED_JSON', () => P.parseChallenge(JSON.stringify({ ...v.challenge, selections: { ...v.challenge.selections, [cid]: null } })));
  }
  if (v.code) {
    const syms = [...v.code.replace(/-/g, '')];
    let caught = 0;
    for (let i = 0; i < syms.length; i++) {
      for (const a of P.ALPHABET) {
        if (a === syms[i]) continue;
        const t = [...syms];
        t[i] = a;
        if (P.readCode(t.join('')).outcome !== 'valid') caught++;
      }
    }
    check('credential code: every single-symbol substitution caught (§6.3)', caught === syms.length * 31, `${caught}/${syms.length * 31}`);
    check('credential code: lowercase, O/I/L and spaces read the same (§1.3)', P.readCode(v.code.toLowerCase().replace(/-/g, ' ')).outcome === 'valid');
  }
}

console.log(`${passed} checks passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
