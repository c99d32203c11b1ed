// The seal code (www/js/seal-code.js: pure functions shared by the voter page, which writes it,
// and the observer page, which reads it; docs/observer.md): it round-trips, its seed is read
// only in its canonical form (Crockford base32 of docs/protocol.md §1.3), and every malformed
// code is refused with its typed code, before any address in it is asked anything.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  PREFIX,
  SealCodeError,
  boardOrigin,
  makeSealCode,
  parseSealCode,
  revealFor,
  seedFromBase32,
  seedToBase32,
} from '../../www/js/seal-code.js';

const style = {
  contests: [
    { id: 'NA-1', options: [{ id: 'na-1-01' }, { id: 'na-1-02' }, { id: 'na-1-03' }] },
    { id: 'PP-1', options: [{ id: 'pp-1-01' }, { id: 'pp-1-02' }, { id: 'pp-1-03' }, { id: 'pp-1-04' }] },
    { id: 'SEN', options: [{ id: 'sen-01' }, { id: 'sen-02' }] },
  ],
};
const seed = '0886' + 'c3'.repeat(30);
const reveal = { protocol: 'amanat/2', tracking: 'ab'.repeat(64), seed, selections: { 'NA-1': ['na-1-03'], 'PP-1': ['pp-1-01', 'pp-1-04'], SEN: [] } };

function refuses(text, code) {
  assert.throws(() => parseSealCode(text), (err) => err instanceof SealCodeError && err.code === code, `${code}: ${text}`);
}

test('a seal code round-trips to the reveal it was made from', () => {
  const text = makeSealCode('https://vote.example.org', '7K2M-9QXD-4HRT', JSON.stringify(reveal), style);
  assert.equal(text, `${PREFIX} https://vote.example.org 7K2M-9QXD-4HRT ${seedToBase32(seed)} 3/1.4/-`);
  const parsed = parseSealCode(`  ${text.replaceAll(' ', '\n ')}\n`);
  assert.deepEqual(parsed, { board: 'https://vote.example.org', trackingCode: '7K2M-9QXD-4HRT', seed, choices: [[3], [1, 4], []] });
  assert.deepEqual(revealFor(parsed, style, reveal.tracking, 'amanat/2'), reveal);
  // A board on a port, and lower-case base32, read the same.
  const local = parseSealCode(text.replace('https://vote.example.org', 'http://127.0.0.1:8080').replace(seedToBase32(seed), seedToBase32(seed).toLowerCase()));
  assert.equal(local.board, 'http://127.0.0.1:8080');
  assert.equal(local.seed, seed);
});

test("the seed is Crockford base32 of §1.3, 52 symbols, and only its canonical form is read", () => {
  assert.equal(seedToBase32('ff00'.padEnd(64, '0')).slice(0, 3), 'ZW0');
  assert.equal(seedToBase32('0886'.padEnd(64, '0')).slice(0, 3), '123');
  for (let i = 0; i < 20; i += 1) {
    const hex = Array.from({ length: 32 }, (_, k) => ((i * 37 + k * 11) % 256).toString(16).padStart(2, '0')).join('');
    assert.equal(seedFromBase32(seedToBase32(hex)), hex);
  }
  const good = seedToBase32(seed);
  assert.throws(() => seedFromBase32(good.slice(0, -1) + '1'), { code: 'BAD_SEED' }, 'the last four bits must be zero');
  assert.throws(() => seedFromBase32(good.slice(1)), { code: 'BAD_SEED' });
  assert.throws(() => seedFromBase32(`U${good.slice(1)}`), { code: 'BAD_SEED' }, 'U is not a symbol');
  assert.throws(() => seedToBase32('AB'.repeat(32)), { code: 'BAD_SEED' });
});

test('malformed seal codes are refused with their typed code', () => {
  const text = makeSealCode('https://vote.example.org', '7K2M-9QXD-4HRT', reveal, style);
  const parts = text.split(' ');
  const withPart = (i, value) => parts.map((p, k) => (k === i ? value : p)).join(' ');
  refuses('', 'NOT_A_SEAL_CODE');
  refuses('hello world', 'NOT_A_SEAL_CODE');
  refuses(parts.slice(0, 4).join(' '), 'NOT_A_SEAL_CODE');
  refuses(`${text} extra`, 'NOT_A_SEAL_CODE');
  refuses(withPart(0, 'AMANAT-SEAL2'), 'UNSUPPORTED_VERSION');
  for (const board of ['ftp://vote.example.org', 'javascript:alert(1)', 'https://user:pw@vote.example.org',
    'https://vote.example.org/path', 'https://vote.example.org/?q=1', 'https://vote.example.org/#x', 'vote.example.org']) {
    refuses(withPart(1, board), 'BAD_BOARD');
  }
  refuses(withPart(3, parts[3].slice(1)), 'BAD_SEED');
  refuses(withPart(4, ''), 'NOT_A_SEAL_CODE');
  for (const choices of ['0', '3/01', '3//1', '3/1.', 'a', '-.1', '3/1,4', '12345']) {
    refuses(withPart(4, choices), 'BAD_CHOICES');
  }
  // Positions that do not fit the ballot's style.
  const fit = (choices) => revealFor(parseSealCode(withPart(4, choices)), style, reveal.tracking, 'amanat/2');
  assert.throws(() => fit('3/1'), { code: 'BAD_CHOICES' }, 'too few contests');
  assert.throws(() => fit('3/1/1/1'), { code: 'BAD_CHOICES' }, 'too many contests');
  assert.throws(() => fit('4/1/-'), { code: 'BAD_CHOICES' }, 'past the end');
  assert.throws(() => fit('3/1.1/-'), { code: 'BAD_CHOICES' }, 'named twice');
  // Positions in any order give the reveal in manifest order, as the module writes it.
  assert.deepEqual(fit('3/4.1/-').selections['PP-1'], ['pp-1-01', 'pp-1-04']);
});

test('the board is an origin: http or https, nothing after the host and port', () => {
  assert.equal(boardOrigin('https://Vote.Example.org'), 'https://vote.example.org');
  assert.equal(boardOrigin('https://vote.example.org/'), 'https://vote.example.org');
  assert.throws(() => boardOrigin('data:text/html,x'), { code: 'BAD_BOARD' });
});
