// The npm package (pkg/'s Node build, amanat.cjs, built by `make pkg`) used the way an embedding developer uses it:
// load the election, check codes as they are typed, seal, cast or challenge, verify a ballot
// and the box's receipt; every error code the API can throw, each as a JS Error with a
// stable `code`, never a trap; objects of the wrong class, forged or freed, and strings too
// long to copy into wasm memory, each refused with its code while everything else keeps
// working.
// Run: make test-js   (or: node --test tests/js/)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ristretto255 } from '@noble/curves/ed25519.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
// The module's memory, caught as the glue instantiates it, to see whether a call grew it.
let wasmMemory = null;
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function instance(module, imports) {
  const made = new Instance(module, imports);
  wasmMemory = made.exports.memory;
  return made;
};
const amanat = require(join(root, 'pkg', 'amanat.cjs'));
WebAssembly.Instance = Instance;
assert.ok(wasmMemory instanceof WebAssembly.Memory, 'the module instantiated on require');

const vector = (name) => readFileSync(join(root, 'tests', 'vectors', name), 'utf8');
const electionJson = vector('election.json');
const ballots = JSON.parse(vector('ballots.json'));
const invalid = JSON.parse(vector('invalid.json'));
const expected = JSON.parse(vector('expected.json'));
const election = amanat.Election.fromJson(electionJson);
const code = ballots[0].code;
const choice = { 'NA-1': ['na-1-03'], 'PP-1': ['pp-1-17'] };
const SHORT = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;
const HEX128 = /^[0-9a-f]{128}$/;

/** An election document with its JSON edited. */
function edited(edit) {
  const doc = JSON.parse(electionJson);
  edit(doc);
  return JSON.stringify(doc);
}

const seen = new Set();

/**
 * Runs `fn`, which must throw an Error (not a wasm trap) with `want` as its code, one that
 * `module.isAmanatError` (the Node build's unless given) recognises as the module's own.
 */
function throwsCode(fn, want, module = amanat) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, `expected ${want}, nothing was thrown`);
  assert.ok(!(err instanceof WebAssembly.RuntimeError), `wasm trap: ${err.message}`);
  assert.ok(err instanceof Error, `thrown value is not an Error: ${err}`);
  assert.equal(err.code, want, err.message);
  assert.ok(err.message.length > 0);
  assert.equal(module.isAmanatError(err), true, `isAmanatError(${want}: ${err.message})`);
  seen.add(want);
  return err;
}

test('the election loads and describes its ballot', () => {
  assert.equal(election.electionId, 'reference-2026');
  assert.equal(election.baseHash, expected.base_hash);
  assert.equal(election.ballotBoxKey, expected.ballot_box_key);
  assert.deepEqual(election.title, { en: 'Reference election', ur: 'حوالہ جاتی انتخاب' });
  assert.deepEqual(election.styleIds, ['NA-1.PP-1']);
  assert.equal(amanat.Election.fromJson(election.toJson()).baseHash, election.baseHash);
  assert.equal(election.styleForCode(code), 'NA-1.PP-1');

  const style = election.ballotStyle('NA-1.PP-1');
  assert.equal(style.id, 'NA-1.PP-1');
  assert.deepEqual(Object.keys(style.name).sort(), ['en', 'ur']);
  assert.deepEqual(style.contests.map((c) => c.id), ['NA-1', 'PP-1']);
  assert.deepEqual(style.contests.map((c) => c.options.length), [15, 20]);
  const manifest = JSON.parse(electionJson).manifest;
  for (const contest of style.contests) {
    assert.equal(contest.minSelections, 1);
    assert.equal(contest.maxSelections, 1);
    for (const option of contest.options) {
      assert.deepEqual(Object.keys(option).sort(), ['id', 'name', 'party', 'partyName', 'symbol']);
      const party = manifest.parties.find((p) => p.id === option.party);
      assert.deepEqual(option.partyName, party ? party.name : null, option.id);
      if (option.party === null) assert.equal(option.partyName, null);
    }
  }
  assert.ok(style.contests.some((c) => c.options.some((o) => o.party === null)), 'an independent');
  assert.ok(style.contests.some((c) => c.options.some((o) => o.party !== null)), 'a party');
});

test('credential codes are checked as they are typed', () => {
  const check = amanat.checkCredentialCode;
  assert.deepEqual(check(''), { status: 'incomplete', typed: 0 });
  assert.deepEqual(check(code.slice(0, 9)), { status: 'incomplete', typed: 8 });
  assert.deepEqual(check('abU'), { status: 'invalid-character', position: 2 });
  assert.deepEqual(check(`${code}-0`), { status: 'too-long' });
  assert.deepEqual(check(code), { status: 'valid' });
  assert.deepEqual(check(code.toLowerCase().replaceAll('-', ' ')), { status: 'valid' });
  const symbols = [...code];
  symbols[5] = symbols[5] === 'A' ? 'B' : 'A';
  assert.deepEqual(check(symbols.join('')), { status: 'typo' });
  const swapped = [...code];
  [swapped[5], swapped[6]] = [swapped[6], swapped[5]];
  if (swapped[5] !== swapped[6]) assert.notDeepEqual(check(swapped.join('')), { status: 'valid' });
});

test('seal, then cast: the handle is spent', () => {
  const sealed = amanat.seal(election, code, choice);
  const tracking = sealed.trackingCode;
  assert.match(tracking, SHORT);
  assert.match(sealed.trackingHash, HEX128);
  const ballotJson = sealed.ballotJson;
  const ballot = JSON.parse(ballotJson);
  assert.equal(ballot.protocol, 'amanat/2');
  assert.equal(ballot.election, election.baseHash);
  assert.ok(!ballotJson.includes('seed') && !ballotJson.includes('na-1-03"]'), 'no secrets');
  const verified = amanat.verifyBallot(election, ballotJson);
  assert.deepEqual(verified, {
    trackingCode: tracking,
    trackingHash: sealed.trackingHash,
    style: 'NA-1.PP-1',
    credential: ballot.credential,
  });
  assert.equal(sealed.cast(), ballotJson);
  throwsCode(() => sealed.cast(), 'BALLOT_SPENT');
  throwsCode(() => sealed.challenge(), 'BALLOT_SPENT');
  throwsCode(() => sealed.trackingCode, 'BALLOT_SPENT');
  throwsCode(() => sealed.trackingHash, 'BALLOT_SPENT');
  throwsCode(() => sealed.ballotJson, 'BALLOT_SPENT');
  sealed.free();

  assert.equal(amanat.normalizeTrackingCode(tracking.toLowerCase().replaceAll('-', ' ')), tracking);
  // Two seals of the same choices differ: a fresh random seed each time.
  const again = amanat.seal(election, code, choice);
  assert.notEqual(again.trackingHash, verified.trackingHash);
  again.free();
});

test('seal, then challenge: the reveal checks out and the handle is spent', () => {
  const sealed = amanat.seal(election, code, choice);
  const ballotJson = sealed.ballotJson;
  const trackingHash = sealed.trackingHash;
  const challenge = sealed.challenge();
  assert.deepEqual(JSON.parse(challenge).selections, choice);
  assert.equal(JSON.parse(challenge).tracking, trackingHash);
  assert.match(JSON.parse(challenge).seed, /^[0-9a-f]{64}$/);
  throwsCode(() => sealed.cast(), 'BALLOT_SPENT');
  assert.deepEqual(amanat.checkChallenge(election, ballotJson, challenge), choice);
  const lie = JSON.parse(challenge);
  lie.selections['NA-1'] = ['na-1-04'];
  throwsCode(() => amanat.checkChallenge(election, ballotJson, JSON.stringify(lie)), 'VERIFICATION_FAILED');
});

test('natively sealed ballots verify, and their challenges reveal their choices', () => {
  for (const b of ballots) {
    const json = JSON.stringify(b.ballot);
    const v = amanat.verifyBallot(election, json);
    assert.equal(v.trackingCode, b.tracking.short);
    assert.equal(v.trackingHash, b.tracking.full);
    assert.deepEqual(amanat.checkChallenge(election, json, JSON.stringify(b.challenge)), b.selections);
  }
});

test('a ballot sealed here verifies natively (cargo run --example verify_ballot)', { timeout: 900_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'amanat-js-'));
  try {
    const sealed = amanat.seal(election, ballots[1].code, { 'NA-1': ['na-1-09'], 'PP-1': ['pp-1-02'] });
    const tracking = sealed.trackingCode;
    const good = join(dir, 'ballot.json');
    writeFileSync(good, sealed.cast());
    const bad = JSON.parse(readFileSync(good, 'utf8'));
    const s = bad.contests[1].selections;
    [s[0].ciphertext, s[1].ciphertext] = [s[1].ciphertext, s[0].ciphertext];
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify(bad));
    const credentials = join(root, 'tests', 'vectors', 'credentials.json');
    const electionFile = join(root, 'tests', 'vectors', 'election.json');
    const native = (ballot) => {
      try {
        return { status: 0, out: execFileSync('cargo', ['run', '-q', '--example', 'verify_ballot', '--', electionFile, credentials, ballot], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }) };
      } catch (e) {
        return { status: e.status, out: String(e.stdout) };
      }
    };
    assert.deepEqual(native(good), { status: 0, out: `ok ${tracking}\n` });
    const refused = native(tampered);
    assert.equal(refused.status, 1);
    assert.match(refused.out, /^VERIFICATION_FAILED /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Whether 32 bytes are a canonical ristretto255 encoding, judged by @noble/curves. */
function isPoint(bytes) {
  try {
    return bytesToHex(ristretto255.Point.fromBytes(bytes).toBytes()) === bytesToHex(bytes);
  } catch {
    return false;
  }
}

/** Whether 32 bytes, little-endian, are a scalar reduced modulo the group order. */
function isReducedScalar(bytes) {
  const value = [...bytes].reverse().reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  return value < ristretto255.Point.Fn.ORDER;
}

const bytesToHex = (bytes) => Buffer.from(bytes).toString('hex');

test("the ballot box's receipt verifies under the key the election fixes; any tampering fails", () => {
  const receipt = expected.receipt;
  const json = JSON.stringify(receipt);
  assert.deepEqual(amanat.verifyReceipt(election, json), {
    kind: 'cast',
    trackingCode: ballots[0].tracking.short,
    trackingHash: ballots[0].tracking.full,
    index: 0,
    received: '2026-11-22T10:41:07Z',
    head: receipt.head,
  });
  const receiptWith = (edit) => {
    const r = structuredClone(receipt);
    edit(r);
    return JSON.stringify(r);
  };
  const lastDigit = (hex) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
  const another = ballots[1].tracking;

  // Each field changed.
  for (const [edit, want] of [
    [(r) => { r.election = lastDigit(r.election); }, 'WRONG_ELECTION'],
    [(r) => { r.election = r.election.toUpperCase(); }, 'BAD_ENCODING'],
    [(r) => { r.tracking = lastDigit(r.tracking); }, 'VERIFICATION_FAILED'],
    [(r) => { r.tracking = another.full; }, 'VERIFICATION_FAILED'],
    [(r) => { r.tracking = another.full; r.short = another.short; }, 'VERIFICATION_FAILED'],
    [(r) => { r.short = another.short; }, 'VERIFICATION_FAILED'],
    [(r) => { r.short = r.short.toLowerCase(); }, 'VERIFICATION_FAILED'],
    [(r) => { r.index = 1; }, 'VERIFICATION_FAILED'],
    [(r) => { r.index = '0'; }, 'MALFORMED_JSON'],
    [(r) => { r.index = -1; }, 'MALFORMED_JSON'],
    [(r) => { r.index = 0.5; }, 'MALFORMED_JSON'],
    [(r) => { r.received = '2026-11-22T10:41:08Z'; }, 'VERIFICATION_FAILED'],
    [(r) => { r.received = '2026-11-22T10:41:07.000Z'; }, 'VERIFICATION_FAILED'],
    [(r) => { r.signature.response = '00'.repeat(32); }, 'VERIFICATION_FAILED'],
    [(r) => { delete r.signature; }, 'MALFORMED_JSON'],
    [(r) => { delete r.received; }, 'MALFORMED_JSON'],
    [(r) => { r.verified = true; }, 'MALFORMED_JSON'],
    [(r) => { r.kind = 'challenge'; }, 'VERIFICATION_FAILED'],
    [(r) => { r.kind = 'spoiled'; }, 'MALFORMED_JSON'],
    [(r) => { r.head = lastDigit(r.head); }, 'VERIFICATION_FAILED'],
    [(r) => { delete r.head; }, 'MALFORMED_JSON'],
    [(r) => { r.head = null; }, 'MALFORMED_JSON'],
  ]) {
    throwsCode(() => amanat.verifyReceipt(election, receiptWith(edit)), want);
  }

  // One bit of each signature byte flipped: a commitment that is no longer a point or a
  // response that is no longer reduced is refused when decoded, anything else by the check.
  const judged = { decoded: 0, refused: 0 };
  for (const part of ['commitment', 'response']) {
    const bytes = Buffer.from(receipt.signature[part], 'hex');
    for (let i = 0; i < 32; i += 1) {
      const flipped = Buffer.from(bytes);
      flipped[i] ^= 1 << (i % 8);
      const decodes = part === 'commitment' ? isPoint(flipped) : isReducedScalar(flipped);
      judged[decodes ? 'decoded' : 'refused'] += 1;
      const tampered = receiptWith((r) => { r.signature[part] = flipped.toString('hex'); });
      throwsCode(() => amanat.verifyReceipt(election, tampered), decodes ? 'VERIFICATION_FAILED' : 'NON_CANONICAL');
    }
  }
  assert.ok(judged.decoded > 0 && judged.refused > 0, JSON.stringify(judged));

  // Another election: the same one with another ballot box key or another threshold. The
  // receipt names the election it was signed for; rewritten to name the other one, its
  // signature still does not verify there.
  const otherBox = bytesToHex(ristretto255.Point.BASE.multiply(2n).toBytes());
  for (const edit of [(d) => { d.ballot_box_key = otherBox; }, (d) => { d.threshold = 3; }]) {
    const other = amanat.Election.fromJson(edited(edit));
    assert.notEqual(other.baseHash, election.baseHash);
    throwsCode(() => amanat.verifyReceipt(other, json), 'WRONG_ELECTION');
    throwsCode(() => amanat.verifyReceipt(other, receiptWith((r) => { r.election = other.baseHash; })), 'VERIFICATION_FAILED');
    other.free();
  }
});

test("a signed head (the closing statement) verifies under the election's ballot box key; any change fails", () => {
  const closing = expected.closing;
  assert.deepEqual(amanat.verifySignedHead(election, JSON.stringify(closing)), {
    entries: closing.entries,
    head: closing.head,
    closed: true,
    time: closing.time,
  });
  const lastDigit = (hex) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
  for (const [what, edit, want] of [
    ['another size', (h) => { h.entries += 1; }, 'VERIFICATION_FAILED'],
    ['another head', (h) => { h.head = lastDigit(h.head); }, 'VERIFICATION_FAILED'],
    ['open instead of closed', (h) => { h.closed = false; }, 'VERIFICATION_FAILED'],
    ['another time', (h) => { h.time = '2026-11-22T18:00:01Z'; }, 'VERIFICATION_FAILED'],
    ['another election', (h) => { h.election = lastDigit(h.election); }, 'WRONG_ELECTION'],
    ['a member added', (h) => { h.extra = 1; }, 'MALFORMED_JSON'],
  ]) {
    const head = structuredClone(closing);
    edit(head);
    assert.equal(throwsCode(() => amanat.verifySignedHead(election, JSON.stringify(head)), want).code, want, what);
  }
  throwsCode(() => amanat.verifySignedHead({}, JSON.stringify(closing)), 'WRONG_OBJECT');
});

test('every error the API can throw carries its code', () => {
  const sealWith = (selections) => amanat.seal(election, code, selections);

  // Election
  throwsCode(() => amanat.Election.fromJson('{'), 'MALFORMED_JSON');
  throwsCode(() => amanat.Election.fromJson('[]'), 'MALFORMED_JSON');
  throwsCode(() => amanat.Election.fromJson(edited((d) => { d.threshold = 0; })), 'INVALID_ELECTION');
  throwsCode(() => amanat.Election.fromJson(edited((d) => { d.manifest.contests[0].options[1].id = d.manifest.contests[0].options[0].id; })), 'INVALID_ELECTION');
  throwsCode(() => amanat.Election.fromJson(edited((d) => { d.protocol = 'amanat/1'; })), 'UNSUPPORTED_VERSION');
  throwsCode(() => amanat.Election.fromJson(edited((d) => { d.joint_public_key = 'zz'; })), 'BAD_ENCODING');
  throwsCode(() => amanat.Election.fromJson(edited((d) => { d.joint_public_key = 'ed' + 'f'.repeat(60) + '7f'; })), 'NON_CANONICAL');
  throwsCode(() => amanat.Election.fromJson(edited((d) => { d.joint_public_key = '0'.repeat(64); })), 'IDENTITY_POINT');
  throwsCode(() => election.ballotStyle('NA-9.PP-9'), 'UNKNOWN_STYLE');
  throwsCode(() => election.styleForCode(code.slice(0, 20)), 'BAD_CREDENTIAL');

  // Sealing
  const typo = [...code];
  typo[10] = typo[10] === '7' ? '8' : '7';
  throwsCode(() => amanat.seal(election, typo.join(''), choice), 'BAD_CREDENTIAL');
  throwsCode(() => amanat.seal(election, 'not a code', choice), 'BAD_CREDENTIAL');
  throwsCode(() => sealWith({ 'NA-1': ['na-1-03', 'na-1-04'], 'PP-1': ['pp-1-17'] }), 'OVERVOTE');
  throwsCode(() => sealWith({ 'NA-1': [], 'PP-1': ['pp-1-17'] }), 'UNDERVOTE');
  throwsCode(() => sealWith({ 'PP-1': ['pp-1-17'] }), 'UNDERVOTE');
  throwsCode(() => sealWith({ 'NA-1': ['na-1-99'], 'PP-1': ['pp-1-17'] }), 'UNKNOWN_OPTION');
  throwsCode(() => sealWith({ 'NA-1': ['na-1-03'], 'PP-1': ['pp-1-17'], 'XX-1': ['x'] }), 'UNKNOWN_CONTEST');
  throwsCode(() => sealWith({ 'NA-1': ['na-1-03', 'na-1-03'], 'PP-1': ['pp-1-17'] }), 'DUPLICATE_SELECTION');
  for (const shape of [null, undefined, 42, 'NA-1', [], { 'NA-1': 'na-1-03' }, { 'NA-1': [3] }, { 'NA-1': [['na-1-03']] }, 10n, Symbol('s')]) {
    throwsCode(() => sealWith(shape), 'MALFORMED_JSON');
  }
  const twoStyles = amanat.Election.fromJson(edited((d) => {
    const m = d.manifest;
    m.contests.push({ ...m.contests[1], id: 'PP-2' });
    m.ballot_styles.push({ id: 'NA-1.PP-2', name: { en: 'Second', ur: 'دوسرا' }, contests: ['NA-1', 'PP-2'] });
  }));
  throwsCode(() => amanat.seal(twoStyles, code, { ...choice, 'PP-2': ['pp-1-01'] }), 'CONTEST_NOT_IN_STYLE');

  // Verification
  const sealed = sealWith(choice);
  const ballotJson = sealed.ballotJson;
  const challenge = sealed.challenge();
  const other = amanat.Election.fromJson(edited((d) => { d.threshold = 3; }));
  throwsCode(() => amanat.verifyBallot(other, ballotJson), 'WRONG_ELECTION');
  throwsCode(() => amanat.checkChallenge(other, ballotJson, challenge), 'WRONG_ELECTION');
  const ballotWith = (edit) => {
    const b = JSON.parse(ballotJson);
    edit(b);
    return JSON.stringify(b);
  };
  throwsCode(() => amanat.verifyBallot(election, ballotWith((b) => { b.protocol = 'amanat/1'; })), 'UNSUPPORTED_VERSION');
  throwsCode(() => amanat.verifyBallot(election, ballotWith((b) => { b.election = b.election.toUpperCase(); })), 'BAD_ENCODING');
  throwsCode(() => amanat.verifyBallot(election, ballotWith((b) => { b.credential = 'ed' + 'f'.repeat(60) + '7f'; })), 'NON_CANONICAL');
  throwsCode(() => amanat.verifyBallot(election, ballotWith((b) => { b.signature.response = b.signature.response.replace(/^./, (c) => (c === '0' ? '1' : '0')); })), 'VERIFICATION_FAILED');
  throwsCode(() => amanat.verifyBallot(election, ballotWith((b) => { b.extra = 1; })), 'MALFORMED_JSON');
  throwsCode(() => amanat.verifyBallot(election, ballotJson.slice(0, -1)), 'MALFORMED_JSON');
  throwsCode(() => amanat.checkChallenge(election, ballotJson, challenge.replace(/"seed":"[0-9a-f]{64}"/, '"seed":"00"')), 'BAD_ENCODING');
  throwsCode(() => amanat.normalizeTrackingCode('ABCD-EFGH'), 'BAD_ENCODING');
  throwsCode(() => amanat.normalizeTrackingCode('ABCD-EFGH-IJKU'), 'BAD_ENCODING');

  // The frozen invalid ballots that need no credential list fail with their recorded codes.
  let judged = 0;
  for (const c of invalid) {
    if (c.stage === 'verify_listed') continue;
    const json = c.stage === 'parse' ? c.ballot_json : JSON.stringify(c.ballot);
    throwsCode(() => amanat.verifyBallot(election, json), c.error);
    judged += 1;
  }
  assert.ok(judged >= 25, `${judged} invalid cases`);

  // A value of another type where a string belongs.
  for (const v of [undefined, null, 5, true, {}, [], Symbol('x'), 5n]) {
    throwsCode(() => amanat.Election.fromJson(v), 'MALFORMED_JSON');
    throwsCode(() => election.ballotStyle(v), 'MALFORMED_JSON');
    throwsCode(() => election.styleForCode(v), 'MALFORMED_JSON');
    throwsCode(() => amanat.checkCredentialCode(v), 'MALFORMED_JSON');
    throwsCode(() => amanat.normalizeTrackingCode(v), 'MALFORMED_JSON');
    throwsCode(() => amanat.verifyBallot(election, v), 'MALFORMED_JSON');
    throwsCode(() => amanat.verifyReceipt(election, v), 'MALFORMED_JSON');
    throwsCode(() => amanat.checkChallenge(election, v, challenge), 'MALFORMED_JSON');
    throwsCode(() => amanat.checkChallenge(election, ballotJson, v), 'MALFORMED_JSON');
    throwsCode(() => amanat.seal(election, v, choice), 'MALFORMED_JSON');
  }
});

test('garbage through every entry point: a listed code or success, never a trap', () => {
  const codes = new Set(amanat.errorCodes());
  const sealed = amanat.seal(election, code, choice);
  const ballotJson = sealed.ballotJson;
  const challenge = sealed.challenge();
  let state = 12345;
  const rand = (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const receiptJson = JSON.stringify(expected.receipt);
  const inputs = ['', ' ', '\0', 'null', '{}', '[]', '1e999', '"\\ud800"', '\u0001BAD_ENCODING\u0001x', '{'.repeat(5000),
    '['.repeat(5000), 'ا'.repeat(3000), code.repeat(3), electionJson, ballotJson, challenge, receiptJson];
  for (const doc of [electionJson, ballotJson, challenge, receiptJson]) {
    for (let i = 0; i < 15; i++) {
      inputs.push(doc.slice(0, rand(doc.length)));
      const at = rand(doc.length);
      inputs.push(doc.slice(0, at) + '0fz"{}[],:-9 \u0000ŋ'[rand(15)] + doc.slice(at + 1));
    }
  }
  const survives = (fn) => {
    try {
      fn();
    } catch (e) {
      assert.ok(!(e instanceof WebAssembly.RuntimeError), `wasm trap: ${e.message}`);
      assert.ok(e instanceof Error && codes.has(e.code), `unexpected throw: ${e} (${e?.code})`);
    }
  };
  for (const s of inputs) {
    survives(() => amanat.Election.fromJson(s).free());
    survives(() => election.ballotStyle(s));
    survives(() => election.styleForCode(s));
    survives(() => amanat.checkCredentialCode(s));
    survives(() => amanat.normalizeTrackingCode(s));
    survives(() => amanat.verifyBallot(election, s));
    survives(() => amanat.verifyReceipt(election, s));
    survives(() => amanat.checkChallenge(election, s, challenge));
    survives(() => amanat.checkChallenge(election, ballotJson, s));
    survives(() => amanat.seal(election, s, choice).free());
    let parsed;
    try {
      parsed = JSON.parse(s);
    } catch {
      continue;
    }
    survives(() => amanat.seal(election, code, parsed).free());
  }
  // A handle of the wrong class, or one already freed (the next tests go through every case).
  const freed = amanat.Election.fromJson(electionJson);
  freed.free();
  for (const notAnElection of [{}, null, freed, sealed]) {
    survives(() => amanat.verifyBallot(notAnElection, ballotJson));
    survives(() => amanat.verifyReceipt(notAnElection, receiptJson));
  }
  assert.equal(amanat.verifyReceipt(election, receiptJson).trackingHash, expected.receipt.tracking);
  assert.equal(amanat.verifyBallot(election, ballotJson).trackingHash, JSON.parse(challenge).tracking);
  const fresh = amanat.seal(election, code, choice);
  assert.match(fresh.trackingCode, SHORT);
  fresh.free();
});

/** Every method and getter a class's prototype has, as functions taking `this` first. */
function members(cls) {
  return Object.getOwnPropertyNames(cls.prototype)
    .filter((name) => name !== 'constructor')
    .map((name) => {
      const d = Object.getOwnPropertyDescriptor(cls.prototype, name);
      const fn = d.get || d.value;
      return [name, (self, ...args) => fn.call(self, ...args)];
    });
}

/** A fresh Election, and a SealedBallot of it with its ballot, challenge and receipt. */
function liveObjects() {
  const e = amanat.Election.fromJson(electionJson);
  const sealed = amanat.seal(e, code, choice);
  return { e, sealed };
}

/** That `e` and a sealed ballot of `e` do everything they should. */
function stillWorks(e, sealed) {
  assert.equal(e.baseHash, expected.base_hash);
  assert.equal(amanat.Election.fromJson(e.toJson()).baseHash, expected.base_hash);
  assert.equal(e.styleForCode(code), 'NA-1.PP-1');
  const ballotJson = sealed.ballotJson;
  assert.equal(amanat.verifyBallot(e, ballotJson).trackingCode, sealed.trackingCode);
  assert.equal(amanat.verifyReceipt(e, JSON.stringify(expected.receipt)).index, 0);
  const again = amanat.seal(e, code, choice);
  assert.deepEqual(amanat.checkChallenge(e, again.ballotJson, again.challenge()), choice);
  assert.throws(() => again.cast(), { code: 'BALLOT_SPENT' });
  again.free();
}

test('a method or argument given something other than a live object of its class: WRONG_OBJECT or FREED_OBJECT, and every live object keeps working', () => {
  const { e, sealed } = liveObjects();
  const ballotJson = sealed.ballotJson;
  const spare = amanat.seal(e, code, choice);
  const challenge = spare.challenge();
  const receiptJson = JSON.stringify(expected.receipt);
  const bindgen = require(join(root, 'pkg', 'amanat_bindgen.cjs'));

  const freedElection = amanat.Election.fromJson(electionJson);
  freedElection.free();
  freedElection.free(); // a second free() does nothing
  const freedSealed = amanat.seal(e, code, choice);
  freedSealed.free();
  const forged = (cls) => [
    Object.create(cls.prototype),
    Object.assign(Object.create(cls.prototype), { __wbg_ptr: 8 }),
    Object.assign(Object.create(cls.prototype), { __wbg_ptr: 0x7fff_fff0 }),
    Object.setPrototypeOf({ __wbg_ptr: 1 }, cls.prototype),
    { __wbg_ptr: 8 },
  ];
  const rawElection = bindgen.Election.fromJson(electionJson);
  const rawSealed = bindgen.seal(rawElection, code, choice);
  const notObjects = [undefined, null, 0, 8, 'election', true, Symbol('e'), 5n, {}, [], () => {}];
  const wrong = {
    election: [sealed, ...forged(amanat.Election), new Proxy(e, {}), rawElection, rawSealed, ...notObjects],
    sealed: [e, ...forged(amanat.SealedBallot), new Proxy(sealed, {}), rawSealed, rawElection, ...notObjects],
  };
  // A subclass gets no object either.
  class Mine extends amanat.Election {}
  throwsCode(() => new Mine(), 'WRONG_OBJECT');
  throwsCode(() => new amanat.Election(), 'WRONG_OBJECT');
  throwsCode(() => new amanat.SealedBallot(), 'WRONG_OBJECT');
  wrong.election.push(Object.create(Mine.prototype));

  const electionMembers = members(amanat.Election);
  const sealedMembers = members(amanat.SealedBallot);
  // The facade has every member the generated classes have, so this goes through all of them.
  assert.deepEqual(electionMembers.map(([n]) => n).sort(), Object.getOwnPropertyNames(bindgen.Election.prototype).filter((n) => n !== 'constructor' && !n.startsWith('__')).sort());
  assert.deepEqual(sealedMembers.map(([n]) => n).sort(), Object.getOwnPropertyNames(bindgen.SealedBallot.prototype).filter((n) => n !== 'constructor' && !n.startsWith('__')).sort());
  const args = { ballotStyle: ['NA-1.PP-1'], styleForCode: [code] };
  const before = wasmMemory.buffer.byteLength;

  for (const [name, call] of electionMembers) {
    for (const self of wrong.election) throwsCode(() => call(self, ...(args[name] || [])), 'WRONG_OBJECT');
    if (name !== 'free') throwsCode(() => call(freedElection, ...(args[name] || [])), 'FREED_OBJECT');
  }
  for (const [name, call] of sealedMembers) {
    for (const self of wrong.sealed) throwsCode(() => call(self), 'WRONG_OBJECT');
    if (name !== 'free') throwsCode(() => call(freedSealed), 'FREED_OBJECT');
  }
  const takesElection = [
    ['seal', (x) => amanat.seal(x, code, choice)],
    ['checkChallenge', (x) => amanat.checkChallenge(x, ballotJson, challenge)],
    ['verifyBallot', (x) => amanat.verifyBallot(x, ballotJson)],
    ['verifyReceipt', (x) => amanat.verifyReceipt(x, receiptJson)],
  ];
  for (const [, call] of takesElection) {
    for (const x of wrong.election) throwsCode(() => call(x), 'WRONG_OBJECT');
    throwsCode(() => call(freedElection), 'FREED_OBJECT');
  }
  // Nothing above reached wasm: its memory did not change.
  assert.equal(wasmMemory.buffer.byteLength, before);

  // Afterwards every live object, and one made now, works.
  stillWorks(e, sealed);
  const { e: fresh, sealed: freshSealed } = liveObjects();
  stillWorks(fresh, freshSealed);
  assert.match(sealed.trackingCode, SHORT);
  assert.equal(sealed.cast(), ballotJson);
  for (const x of [e, fresh, freshSealed, sealed, spare, rawSealed, rawElection]) x.free();
});

test('an Election freed while seal is using it (from the selections\' toJSON): the seal completes, then the election is freed', () => {
  const { e, sealed } = liveObjects();
  const doomed = amanat.Election.fromJson(electionJson);
  const selections = {
    toJSON() {
      doomed.free();
      throwsCode(() => doomed.baseHash, 'FREED_OBJECT');
      // The module may be called again meanwhile.
      assert.equal(amanat.verifyBallot(e, sealed.ballotJson).style, 'NA-1.PP-1');
      return choice;
    },
  };
  const made = amanat.seal(doomed, code, selections);
  assert.equal(amanat.verifyBallot(e, made.ballotJson).trackingCode, made.trackingCode);
  throwsCode(() => doomed.toJson(), 'FREED_OBJECT');
  throwsCode(() => amanat.seal(doomed, code, choice), 'FREED_OBJECT');
  // A callback that throws: the seal fails with a code, nothing is left borrowed.
  throwsCode(() => amanat.seal(e, code, { toJSON() { throw new Error('no'); } }), 'MALFORMED_JSON');
  stillWorks(e, sealed);
  for (const x of [e, sealed, made]) x.free();
});

/** Every entry point that takes a string, given `s` there. */
function everyStringEntryPoint(e, ballotJson, challenge) {
  return [
    ['Election.fromJson', (s) => amanat.Election.fromJson(s)],
    ['ballotStyle', (s) => e.ballotStyle(s)],
    ['styleForCode', (s) => e.styleForCode(s)],
    ['checkCredentialCode', (s) => amanat.checkCredentialCode(s)],
    ['normalizeTrackingCode', (s) => amanat.normalizeTrackingCode(s)],
    ['seal (code)', (s) => amanat.seal(e, s, choice)],
    ['seal (selections)', (s) => amanat.seal(e, code, { 'NA-1': [s] })],
    ['verifyBallot', (s) => amanat.verifyBallot(e, s)],
    ['verifyReceipt', (s) => amanat.verifyReceipt(e, s)],
    ['checkChallenge (ballot)', (s) => amanat.checkChallenge(e, s, challenge)],
    ['checkChallenge (challenge)', (s) => amanat.checkChallenge(e, ballotJson, s)],
  ];
}

test('a string over 16 Mi characters to every entry point: INPUT_TOO_LARGE, and wasm memory does not grow', () => {
  const { e, sealed } = liveObjects();
  const ballotJson = sealed.ballotJson;
  const challenge = sealed.challenge();
  const limit = 16 * 1024 * 1024;
  const over = 'a'.repeat(limit + 1);
  const entryPoints = everyStringEntryPoint(e, ballotJson, challenge);
  const before = wasmMemory.buffer.byteLength;
  for (let round = 0; round < 3; round += 1) {
    for (const [name, call] of entryPoints) {
      const err = throwsCode(() => call(over), 'INPUT_TOO_LARGE');
      assert.match(err.message, /16777216/, name);
    }
  }
  const grown = wasmMemory.buffer.byteLength - before;
  assert.ok(grown <= 2 * 1024 * 1024, `wasm memory grew by ${grown} bytes`);
  // At the limit a string is taken, and judged for what it says.
  throwsCode(() => amanat.normalizeTrackingCode('a'.repeat(limit)), 'BAD_ENCODING');
  stillWorks(e, amanat.seal(e, code, choice));
  e.free();
});

test('the longest string JavaScript allows (2**29 - 24 characters), three times: INPUT_TOO_LARGE, memory unchanged', () => {
  const { e, sealed } = liveObjects();
  let longest;
  try {
    longest = 'a'.repeat(2 ** 29 - 24);
  } catch {
    return; // an engine with a lower maximum
  }
  const before = wasmMemory.buffer.byteLength;
  const entryPoints = everyStringEntryPoint(e, sealed.ballotJson, '{}');
  for (let round = 0; round < 3; round += 1) {
    for (const [name, call] of entryPoints) {
      // Selections holding it cannot even be written as JSON (JSON.stringify's RangeError, a
      // few seconds of work in the engine): once is enough.
      if (name === 'seal (selections)' && round > 0) continue;
      throwsCode(() => call(longest), 'INPUT_TOO_LARGE');
    }
  }
  const grown = wasmMemory.buffer.byteLength - before;
  assert.ok(grown <= 2 * 1024 * 1024, `wasm memory grew by ${grown} bytes`);
  stillWorks(e, sealed);
  e.free();
});

test('the package: metadata, TypeScript types, codes and version', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'pkg', 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'amanat');
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
  assert.equal(pkg.license, 'AGPL-3.0-or-later');
  assert.ok(pkg.description, 'description');
  assert.equal(pkg.repository, undefined, 'no invented repository URL');
  assert.equal(pkg.homepage, undefined, 'no invented homepage');
  assert.deepEqual(pkg.engines, { node: '>=18' });
  assert.equal(pkg.types, 'amanat.d.ts');
  for (const f of ['amanat_bg.wasm', 'amanat_simd_bg.wasm', 'amanat.js', 'amanat_bindgen.js', 'amanat.d.ts', 'amanat.cjs',
    'amanat_bindgen.cjs', 'amanat.node.mjs', 'amanat.node.d.ts', 'amanat.node.d.cts', 'amanat_worker.js', 'CHANGELOG.md']) {
    assert.ok(pkg.files.includes(f), f);
  }
  // The entry points are src/facade.js; the generated glue is not reachable by package name.
  assert.equal(pkg.main, 'amanat.cjs');
  const browser = { types: './amanat.d.ts', default: './amanat.js' };
  assert.deepEqual(pkg.exports['.'], {
    browser,
    worker: browser,
    node: {
      import: { types: './amanat.node.d.ts', default: './amanat.node.mjs' },
      require: { types: './amanat.node.d.cts', default: './amanat.cjs' },
    },
    ...browser,
  });
  assert.ok(!JSON.stringify(pkg.exports).includes('amanat_bindgen'), 'the glue is not exported');
  for (const entry of ['amanat.js', 'amanat.cjs', 'amanat.node.mjs']) {
    assert.match(readFileSync(join(root, 'pkg', entry), 'utf8'), /^\/\/ Generated by scripts\/facade\.mjs from src\/facade\.js/);
  }
  const dts = readFileSync(join(root, 'pkg', 'amanat.node.d.ts'), 'utf8');
  assert.equal(readFileSync(join(root, 'pkg', 'amanat.node.d.cts'), 'utf8'), dts);
  // What the package exports is exactly what its declarations declare.
  const declared = [...dts.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1]);
  // (and `init`, Node's no-op, as `default` and by name for CommonJS callers)
  assert.deepEqual(Object.keys(amanat).filter((k) => k !== 'init' && k !== 'default').sort(), declared.sort());
  assert.equal(amanat.default, amanat.init);
  assert.match(dts, /^export default init;$/m);
  for (const decl of [
    'export interface BallotStyleView',
    'export interface ContestView',
    'export interface OptionView',
    'export interface CodeStatus',
    'export type Selections',
    'export interface VerifiedBallot',
    'export interface VerifiedReceipt',
    'export interface AmanatError extends Error',
    'static fromJson(json: string): Election;',
    'ballotStyle(id: string): BallotStyleView;',
    'readonly title: Text;',
    'readonly ballotBoxKey: string;',
    'export function seal(election: Election, code: string, selections: Selections): SealedBallot;',
    'export function verifyBallot(election: Election, ballot: string): VerifiedBallot;',
    'export function verifyReceipt(election: Election, receipt: string): VerifiedReceipt;',
    'export function verifySignedHead(election: Election, head: string): VerifiedHead;',
    'export function checkChallenge(election: Election, ballot: string, challenge: string): Selections;',
    'export function checkCredentialCode(text: string): CodeStatus;',
    'export function errorCodes(): ErrorCode[];',
    'export function wasmFileName(): string;',
    'export function isAmanatError(value: unknown): value is AmanatError;',
  ]) {
    assert.ok(dts.includes(decl), `amanat.d.ts lacks: ${decl}`);
  }
  assert.ok(!/\bany\b/.test(dts.replace(/\/\*[\s\S]*?\*\//g, '')), 'no `any` in the public types');
  assert.equal(amanat.protocolVersion(), 'amanat/2');
  const codes = amanat.errorCodes();
  assert.equal(new Set(codes).size, codes.length);
  for (const c of codes) assert.match(c, /^[A-Z_]+$/);
  const declaredCodes = dts.match(/export type ErrorCode =([^;]*);/)[1].match(/'([A-Z_]+)'/g).map((s) => s.slice(1, -1));
  assert.deepEqual([...declaredCodes].sort(), [...codes].sort(), 'ErrorCode type lists every code');
});

/**
 * Runs `script` (CommonJS, with `amanat` required from pkg/amanat.cjs and `input` parsed from
 * `input`'s JSON) in a child Node whose WebAssembly.validate says no to SIMD, as an engine
 * without it (Safari before 16.4) does; `loaded` is the .wasm file the glue read. Returns what
 * the script printed, parsed as JSON.
 */
function withoutSimd(script, input) {
  const dir = mkdtempSync(join(tmpdir(), 'amanat-nosimd-'));
  try {
    writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
    writeFileSync(join(dir, 'main.cjs'), `
const fs = require('fs');
const validate = WebAssembly.validate;
// A small module using the v128 type (0x7b) or a SIMD opcode (0xfd): the SIMD test.
WebAssembly.validate = (bytes) => validate(bytes) && !(bytes.length < 64 && (bytes.includes(0x7b) || bytes.includes(0xfd)));
let loaded = null;
const read = fs.readFileSync;
fs.readFileSync = function (path, ...rest) {
  if (typeof path === 'string' && path.endsWith('.wasm')) loaded = require('path').basename(path);
  return read.call(this, path, ...rest);
};
const input = JSON.parse(read(${JSON.stringify(join(dir, 'input.json'))}, 'utf8'));
const amanat = require(${JSON.stringify(join(root, 'pkg', 'amanat.cjs'))});
${script}`);
    return JSON.parse(execFileSync(process.execPath, [join(dir, 'main.cjs')], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('two builds: SIMD where the engine has it, the baseline elsewhere, same results', () => {
  // Node 20 has WebAssembly SIMD, so this process runs the SIMD build.
  assert.equal(amanat.wasmFileName(), 'amanat_simd_bg.wasm');
  const simd = readFileSync(join(root, 'pkg', 'amanat_simd_bg.wasm'));
  const baseline = readFileSync(join(root, 'pkg', 'amanat_bg.wasm'));
  assert.ok(WebAssembly.validate(simd) && WebAssembly.validate(baseline));
  assert.ok(!simd.equals(baseline), 'two different builds');
  // An engine without SIMD gets the baseline build, which seals and verifies with the same
  // results: its ballot verifies here (SIMD), ours and the vectors verify there, and its
  // challenge reveals the same selections here.
  const theirs = withoutSimd(`
    const election = amanat.Election.fromJson(input.electionJson);
    const sealed = amanat.seal(election, input.code, input.choice);
    const ballot = sealed.ballotJson;
    const tracking = sealed.trackingCode;
    console.log(JSON.stringify({
      file: amanat.wasmFileName(), loaded, ballot, tracking, challenge: sealed.challenge(),
      ours: amanat.verifyBallot(election, input.ours).trackingHash,
      vectors: input.vectors.map((b) => amanat.verifyBallot(election, b).trackingHash),
    }));
  `, {
    electionJson,
    code,
    choice,
    ours: amanat.seal(election, code, choice).ballotJson,
    vectors: ballots.map((b) => JSON.stringify(b.ballot)),
  });
  assert.equal(theirs.file, 'amanat_bg.wasm');
  assert.equal(theirs.loaded, 'amanat_bg.wasm');
  assert.match(theirs.ours, HEX128);
  assert.deepEqual(theirs.vectors, ballots.map((b) => b.tracking.full));
  assert.equal(amanat.verifyBallot(election, theirs.ballot).trackingCode, theirs.tracking);
  assert.deepEqual(amanat.checkChallenge(election, theirs.ballot, theirs.challenge), choice);
});

test('isAmanatError: true for what the module threw, false for anything else', () => {
  // Every throwsCode above asked it of an error the module threw; here, what it must refuse.
  const lookalike = new Error('the election is not valid');
  lookalike.code = 'INVALID_ELECTION';
  const typeError = new TypeError('x');
  typeError.code = 'WRONG_OBJECT';
  for (const value of [lookalike, typeError, new Error('x'), { code: 'OVERVOTE', message: 'x' },
    Object.create(Error.prototype), undefined, null, 0, 'INVALID_ELECTION', () => {}]) {
    assert.equal(amanat.isAmanatError(value), false, String(value));
  }
  // Not even a copy of a real one: only the very object thrown.
  const real = throwsCode(() => amanat.Election.fromJson('{'), 'MALFORMED_JSON');
  assert.equal(amanat.isAmanatError(Object.assign(new Error(real.message), { code: real.code })), false);
  assert.equal(amanat.isAmanatError(Object.create(real)), false);
  // An error the caller's own code threw inside a call (the selections' toJSON) is not one.
  const own = new Error('mine');
  own.code = 'OVERVOTE';
  try {
    amanat.seal(election, code, { toJSON() { throw own; } });
  } catch (e) {
    assert.notEqual(e, own, 'the module reports its own error, not the caller\'s');
    assert.equal(amanat.isAmanatError(e), true);
  }
  assert.equal(amanat.isAmanatError(own), false);
});

test('the web package (pkg/) before init: every entry point throws NOT_INITIALISED; after init with the bytes, it works', async () => {
  const web = await import(join(root, 'pkg', 'amanat.js'));
  assert.equal(typeof web.default, 'function', 'init');
  // wasmFileName needs no instance: it says which file init would fetch.
  assert.match(web.wasmFileName(), /^amanat(_simd)?_bg\.wasm$/);
  const calls = {
    'Election.fromJson': () => web.Election.fromJson(electionJson),
    seal: () => web.seal({}, code, choice),
    verifyBallot: () => web.verifyBallot({}, '{}'),
    verifyReceipt: () => web.verifyReceipt({}, '{}'),
    verifySignedHead: () => web.verifySignedHead({}, '{}'),
    checkChallenge: () => web.checkChallenge({}, '{}', '{}'),
    checkCredentialCode: () => web.checkCredentialCode(code),
    normalizeTrackingCode: () => web.normalizeTrackingCode('7K2M-9QXD-4HRT'),
    errorCodes: () => web.errorCodes(),
    protocolVersion: () => web.protocolVersion(),
    'Election.prototype.toJson': () => web.Election.prototype.toJson.call({}),
    'SealedBallot.prototype.cast': () => web.SealedBallot.prototype.cast.call({}),
  };
  for (const [name, call] of Object.entries(calls)) {
    const err = throwsCode(call, 'NOT_INITIALISED', web);
    assert.match(err.message, /init\(\)/, name);
  }
  const bytes = readFileSync(join(root, 'pkg', web.wasmFileName()));
  // A failed init leaves it uninitialised, and it can be tried again.
  await assert.rejects(web.default({ module_or_path: new Uint8Array([0, 1, 2, 3]) }));
  throwsCode(() => web.protocolVersion(), 'NOT_INITIALISED', web);
  // A server's HTML page where the .wasm should be (a missing file, a dev server's
  // pre-bundling) is MODULE_NOT_FOUND, saying so, with the engine's error as its cause.
  const page = new Response('<!doctype html><html></html>', { headers: { 'content-type': 'text/html' } });
  const notFound = await web.default({ module_or_path: page }).then(
    () => assert.fail('init accepted an HTML page'),
    (err) => err,
  );
  assert.equal(notFound.code, 'MODULE_NOT_FOUND');
  seen.add(notFound.code);
  assert.ok(web.isAmanatError(notFound));
  assert.match(notFound.message, /not WebAssembly.*3c 21 64 6f.*beside amanat\.js/s);
  assert.ok(notFound.cause instanceof WebAssembly.CompileError);
  throwsCode(() => web.protocolVersion(), 'NOT_INITIALISED', web);
  await web.default({ module_or_path: bytes });
  assert.equal(web.protocolVersion(), 'amanat/2');
  assert.deepEqual(web.errorCodes(), amanat.errorCodes());
  const e = web.Election.fromJson(electionJson);
  assert.equal(e.baseHash, election.baseHash);
  const sealed = web.seal(e, code, choice);
  assert.match(sealed.trackingCode, SHORT);
  assert.equal(web.verifyBallot(e, sealed.ballotJson).trackingCode, sealed.trackingCode);
  throwsCode(() => web.seal(election, code, choice), 'WRONG_OBJECT', web);
  assert.equal(amanat.isAmanatError(web.isAmanatError), false);
  // Each copy of the module knows its own errors only.
  const err = throwsCode(() => web.Election.fromJson('{'), 'MALFORMED_JSON', web);
  assert.equal(amanat.isAmanatError(err), false);
  sealed.free();
  e.free();
});

test('every code is thrown above, except those only the ballot box or nothing can produce', () => {
  // The credential list is the ballot box's (amanat-authority); OUT_OF_RANGE and INTERNAL are
  // not reachable through this API.
  const unreachable = new Set(['CREDENTIAL_STYLE', 'UNKNOWN_CREDENTIAL', 'OUT_OF_RANGE', 'INTERNAL']);
  for (const c of amanat.errorCodes()) {
    if (unreachable.has(c)) assert.ok(!seen.has(c), c);
    else assert.ok(seen.has(c), `no test threw ${c}`);
  }
});
