// The observer page's reader of board.jsonl (observer/js/verify/lines.js) under Node: lines
// whole whatever the chunks, nothing read ahead of what is asked, and the command line's
// bounds and messages (a line over 16 MiB, a last line without its newline, text that is not
// UTF-8).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoardReadError, LINE_MAX, LineReader } from '../../observer/js/verify/lines.js';

/** A stream of `bytes` cut into chunks of `size`, counting the chunks pulled. */
function chunked(bytes, size) {
  let at = 0;
  const stream = new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      stream.pulled += 1;
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  }, { highWaterMark: 0 });
  stream.pulled = 0;
  return stream;
}

const text = '{"a":1}\n{"b":"اردو ✓"}\n\n{"c":[1,2,3]}\n';
const bytes = new TextEncoder().encode(text);

test('lines come out whole whatever the chunks (multi-byte characters split too)', async () => {
  for (let size = 1; size <= bytes.length; size++) {
    const reader = new LineReader(chunked(bytes, size));
    assert.deepEqual(await reader.take(10), ['{"a":1}', '{"b":"اردو ✓"}', '', '{"c":[1,2,3]}'], `chunks of ${size}`);
    assert.equal(await reader.next(), null);
    assert.equal(reader.number, 4);
  }
});

test('nothing is read ahead of the lines asked for', async () => {
  const many = new TextEncoder().encode('x\n'.repeat(1000));
  const stream = chunked(many, 20);
  const reader = new LineReader(stream);
  assert.deepEqual(await reader.take(3), ['x', 'x', 'x']);
  assert.equal(stream.pulled, 1);
});

async function failure(input, size = 7) {
  const reader = new LineReader(chunked(input, size));
  try {
    while ((await reader.next()) !== null);
  } catch (e) {
    assert.ok(e instanceof BoardReadError);
    return [e.code, e.message];
  }
  assert.fail('read to the end');
}

test('the command line reader\'s bounds and messages', async () => {
  assert.deepEqual(await failure(new TextEncoder().encode('{}\n{"a"')), ['MALFORMED_JSON', 'board.jsonl: line 2 does not end with a newline']);
  assert.deepEqual(await failure(new Uint8Array([0x7b, 0x7d, 0x0a, 0xff, 0x0a])), ['MALFORMED_JSON', 'board.jsonl: line 2 is not UTF-8 text']);
  const long = new Uint8Array(LINE_MAX + 2).fill(0x78);
  long[LINE_MAX + 1] = 0x0a;
  assert.deepEqual(await failure(long, 1 << 20), ['INPUT_TOO_LARGE', `board.jsonl: line 1 is longer than ${LINE_MAX} bytes`]);
  const exact = new Uint8Array(LINE_MAX + 1).fill(0x78);
  exact[LINE_MAX] = 0x0a;
  const reader = new LineReader(chunked(exact, 1 << 20));
  assert.equal((await reader.next()).length, LINE_MAX);
  // A line over the bound is refused before it is all read.
  const endless = new ReadableStream({
    pull(controller) {
      controller.enqueue(new Uint8Array(1 << 20).fill(0x78));
    },
  });
  await assert.rejects(new LineReader(endless).next(), /line 1 is longer than/);
});
