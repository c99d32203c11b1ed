// Independent verifier of the amanat/1 known-answer vectors: node tests/independent/verify.mjs DIR
// Written from docs/protocol.md (see protocol.mjs); prints one line per check and exits 1 on
// any mismatch.

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

/** Runs `f` and expects a ProtocolError with `code`. */
function rejects(name, code, f) {
  try {
    f();
    check(name, false, `accepted, expected ${code}`);
  } catch (e) {
    if (!(e instanceof P.ProtocolError)) check(name, false, `crashed: ${e?.stack ?? e}`);
    else check(name, code === undefined || e.code === code, `${e.code}${code && e.code !== code ? ` (expected ${code})` : ''}: ${e.detail}`);
  }
}

const read = (f) => readFileSync(join(dir, f), 'utf8');
const has = (f) => existsSync(join(dir, f));

// The worked examples printed in docs/protocol.md, so the document cannot drift from this
// implementation (and, through the vectors below, from the crate).
{
  const t = new P.Transcript('x').u32(7);
  check('spec §2.1 example: transcript bytes', P.toHex(t.encoding()) === '0000000a616d616e61742f312f780000000400000007');
  check('spec §2.1 example: H("x"; u32 7)', P.toHex(t.digest()) === '62914b1b496f8924b5350f2275f8480d03434b3ba9d8e66624569c601a8ddc604f3a8bbbd513a3de8df08cbf9a7a3f060fdf4565f66dc4ac666f9fbbbe98d87d');
  check('spec §2.2 example: Hs("x"; u32 7)', P.toHex(P.le32(t.scalarOut())) === '3be3d21084b0697166d624ab452a0e49505f08dc40541eaa89b306cb49943501');
  check('spec §1.3 examples: ff00 → ZW0, 0886 → 123, grouping', P.encodeBits([0xff, 0], 3) === 'ZW0' && P.encodeBits([0x08, 0x86], 3) === '123' && P.group4('ABCDEFGHJ') === 'ABCD-EFGH-J');
  check('spec §1.3: O, I, L, lowercase read; U rejected', P.symbolValue('o') === 0 && P.symbolValue('L') === 1 && P.symbolValue('i') === 1 && P.symbolValue('z') === 31 && P.symbolValue('U') === null);
  check('spec § Notation: G and ℓ', P.G.toHex() === 'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76' && P.L === 7237005577332262213973186563042994240857116359379907606001950938285454250989n);
  const payload = Uint8Array.from([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  const code = P.codeOfPayload(payload);
  check('spec §6 example: payload → code', code === '0000-0G40-R40M-30E2-0918-5GR3-8EJM', code);
  const typed = P.readCode('oooo 0g4o r40m-30e2 0918 5gr3 8ejm');
  check('spec §6.5 example: typed code reads back', typed.outcome === 'valid' && P.bytesEqual(typed.payload, payload));
  const cred = P.credentialFromCode({ election_id: 'reference-2026', ballot_styles: [{ id: 's' }] }, code);
  check('spec §6.6 example: credential key', P.toHex(P.le32(cred.x)) === '0d7404064519bc0ea9a9f99ffb26e6f3e04c0199d2bc6b114786d9f52623490d' && cred.X.hex === '0a2a2ed9b52db4f3d5ef73552547462254db8abe9f69c7423fa021a3b0856a29');
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
  const ours = ourTranscript(t.name);
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

let entries = null;
if (has('board.json')) {
  const raw = P.parseJson(read('board.json'));
  attempt('board: entries parse (§8)', () => {
    entries = P.arr(raw, 'board').map(P.parseEntry);
    return `${entries.length} entries`;
  });
  if (entries) {
    attempt('board: hash chain from the genesis hash (§8)', () => `head ${P.toHex(P.checkChain(election, entries)).slice(0, 16)}…`);
    if (expected.board_head) check('board: head as expected', P.toHex(P.checkChain(election, entries)) === expected.board_head);
    entries.forEach((e, i) => {
      attempt(`board entry ${i} (${e.kind}): ballot verifies (§7.5)`, () => P.verifyBallot(election, e.ballot, list).length > 0);
      if (e.challenge) attempt(`board entry ${i}: reveal checks (§7.6)`, () => JSON.stringify(P.checkChallenge(election, e.ballot, e.challenge)));
    });
    const plainEntries = P.plain(raw);
    const again = (f) => {
      const copy = JSON.parse(JSON.stringify(plainEntries));
      f(copy);
      return P.checkChain(election, copy.map((x) => P.parseEntry(JSON.stringify(x))));
    };
    rejects('board tamper: received time changed', 'VERIFICATION_FAILED', () => again((c) => (c[0].received = '2026-11-22T00:00:00Z')));
    if (plainEntries.length > 1) {
      rejects('board tamper: entries reordered', 'VERIFICATION_FAILED', () => again((c) => c.reverse()));
      rejects('board tamper: entry dropped', 'VERIFICATION_FAILED', () => again((c) => c.splice(0, 1)));
    }
    const ci = plainEntries.findIndex((x) => x.kind === 'challenge');
    if (ci >= 0) {
      rejects('board tamper: challenge selections changed', 'VERIFICATION_FAILED', () =>
        again((c) => {
          const sel = c[ci].challenge.selections;
          const k = Object.keys(sel)[0];
          sel[k] = sel[k].length ? [] : ['x'];
        }));
    }
  }
}

// ------------------------------------------------------------------ election documents (§3)

for (const c of has('elections.json') ? P.plain(P.parseJson(read('elections.json'))) : []) {
  const name = `election "${c.name}"`;
  if (c.error) rejects(`${name} rejected`, c.error, () => P.parseElection(c.election_json));
  else attempt(`${name} accepted, base hash`, () => P.toHex(P.parseElection(c.election_json).base) === c.base_hash);
}

// ------------------------------------------------------------------ authority proofs (§5.2, §5.3, §8.3)

if (expected.receipt) {
  const text = JSON.stringify(expected.receipt);
  let receipt;
  attempt('receipt: parses (§8.3, §1.2)', () => {
    receipt = P.parseReceipt(text);
  });
  if (receipt) {
    attempt("receipt: verifies under the election's ballot_box_key (§8.3)", () => {
      const r = P.verifyReceipt(election, receipt);
      return `${r.short} entry ${r.index} at ${r.received}`;
    });
    if (entries) {
      attempt('receipt: its entry is on the board (§8.3)', () => `entry ${P.receiptOnBoard(receipt, entries).index}`);
      rejects('receipt: a board without its entry', 'VERIFICATION_FAILED', () => P.receiptOnBoard(receipt, entries.filter((e) => e.index !== receipt.index)));
      rejects('receipt: a board whose entry has another time', 'VERIFICATION_FAILED', () =>
        P.receiptOnBoard(receipt, entries.map((e) => (e.index === receipt.index ? { ...e, received: '2026-11-22T00:00:00Z' } : e))));
    } else {
      check('receipt: names ballots.json[0] at index 0', P.toHex(receipt.tracking) === ballotVectors[0].tracking.full && receipt.index === 0n);
    }

    // The box's signature, remade here (§5.2): with the test-only secret a changed receipt
    // signs validly, so the failures below are the ones §8.3 names, not a broken signer. (§5.2
    // lets the signer pick any unpredictable nonce; 'test-nonce' is this file's, not a domain
    // of §2.3.)
    const sign = (secret, r) => {
      const C = P.messageContext(election.base, 'receipt', P.receiptMessage(r.tracking, r.index, r.received));
      const k = P.mod(P.scalarFromLE(new P.Transcript('test-nonce').scalar(secret).bytes(C.encoding()).digest()));
      const R = P.Elem.of(P.mul(P.G, k));
      const X = P.Elem.of(P.mul(P.G, secret));
      const c = P.schnorrTranscript(C, X, R).scalarOut();
      return { ...r, signature: { R, s: P.mod(k + c * secret) } };
    };
    if (expected.ballot_box_secret !== undefined) {
      const b = P.scalarFromHex(expected.ballot_box_secret, 'ballot box secret');
      attempt('receipt: re-signed for index + 1 with the box secret, verifies', () => {
        P.verifyReceipt(election, sign(b, { ...receipt, index: receipt.index + 1n }));
      });
    }
    rejects('receipt: signed by another key (§8.3)', 'VERIFICATION_FAILED', () => P.verifyReceipt(election, sign(987654321n, receipt)));

    // Every field changed in the receipt's JSON: each must fail with the code §8.3 gives.
    const edit = (f) => {
      const o = JSON.parse(text);
      f(o);
      return P.verifyReceipt(election, P.parseReceipt(JSON.stringify(o)));
    };
    const flip = (hex) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
    const bump = (hex) => P.toHex(P.le32(P.mod(P.scalarFromLE(P.fromHex(hex, 32, 's')) + 1n)));
    rejects('receipt tamper: another election', 'WRONG_ELECTION', () => edit((o) => (o.election = flip(o.election))));
    rejects('receipt tamper: tracking changed', 'VERIFICATION_FAILED', () => edit((o) => (o.tracking = flip(o.tracking))));
    rejects('receipt tamper: tracking changed and short recomputed', 'VERIFICATION_FAILED', () =>
      edit((o) => {
        o.tracking = flip(o.tracking);
        o.short = P.group4(P.encodeBits(P.fromHex(o.tracking, 64, 't'), 12));
      }));
    rejects('receipt tamper: short code of another ballot', 'VERIFICATION_FAILED', () => edit((o) => (o.short = o.short === '0000-0000-0000' ? '0000-0000-0001' : '0000-0000-0000')));
    rejects('receipt tamper: short code in lowercase (compared exactly)', 'VERIFICATION_FAILED', () => edit((o) => (o.short = o.short.toLowerCase())));
    rejects('receipt tamper: index + 1', 'VERIFICATION_FAILED', () => edit((o) => (o.index += 1)));
    rejects('receipt tamper: another valid time', 'VERIFICATION_FAILED', () => edit((o) => (o.received = o.received.replace(/:([0-9]{2})Z$/, (_, x) => `:${x === '00' ? '01' : '00'}Z`))));
    for (const t of ['2026-11-22T10:41:07', '2026-11-22 10:41:07Z', '2026-11-22T10:41:07+00:00', '2026-11-22T10:41:07.0Z',
      '2026-13-22T10:41:07Z', '2026-11-00T10:41:07Z', '2026-11-22T24:41:07Z', '2026-11-22T10:60:07Z', '2026-11-22T10:41:61Z', '+026-11-22T10:41:07Z']) {
      rejects(`receipt tamper: time ${JSON.stringify(t)}`, 'VERIFICATION_FAILED', () => edit((o) => (o.received = t)));
    }
    rejects('receipt tamper: signature response + 1', 'VERIFICATION_FAILED', () => edit((o) => (o.signature.response = bump(o.signature.response))));
    rejects('receipt tamper: signature commitment + G', 'VERIFICATION_FAILED', () =>
      edit((o) => (o.signature.commitment = P.toHex(P.pointFromHex(o.signature.commitment, 'R').p.add(P.G).toBytes()))));
    rejects('receipt tamper: unknown member', 'MALFORMED_JSON', () => edit((o) => (o.extra = 1)));
    rejects('receipt tamper: index as a string', 'MALFORMED_JSON', () => edit((o) => (o.index = String(o.index))));
    rejects('receipt tamper: uppercase tracking', 'BAD_ENCODING', () => edit((o) => (o.tracking = o.tracking.toUpperCase())));
    rejects('receipt tamper: response equal to ℓ', 'NON_CANONICAL', () =>
      edit((o) => (o.signature.response = 'edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010')));

    // The key is bound by the base hash: the same election with another ballot_box_key is
    // another election, and a receipt naming that election still needs that key's signature.
    const doc = P.plain(P.parseJson(read('election.json')));
    doc.ballot_box_key = P.toHex(P.mul(P.G, 987654321n).toBytes());
    const other = P.parseElection(JSON.stringify(doc));
    check('election with another ballot_box_key has another base hash (§3.2)', !P.bytesEqual(other.base, election.base));
    rejects("receipt under an election with another ballot_box_key", 'WRONG_ELECTION', () => P.verifyReceipt(other, receipt));
    rejects("receipt renamed to that election", 'VERIFICATION_FAILED', () => P.verifyReceipt(other, { ...receipt, election: other.base }));
  }
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
  if (expected.receipt) {
    const r = P.parseReceipt(JSON.stringify(expected.receipt));
    const message = P.receiptMessage(r.tracking, r.index, r.received);
    const C = P.messageContext(election.base, 'receipt', message);
    quoted.push(['receipt message', `${message.length}-bytemessage\`${short(P.toHex(r.tracking))}|${r.index}|${r.received}\``],
      ['receipt R', r.signature.R.hex], ['receipt challenge', hex(P.schnorrTranscript(C, election.B, r.signature.R).scalarOut())], ['receipt s', hex(r.signature.s)]);
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
  rejects('tamper: protocol amanat/2', 'UNSUPPORTED_VERSION', () => verifyText(mutate((b) => (b.protocol = 'amanat/2'))));
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
