// The box's receipt for a challenged ("check the seal") ballot is checked on the device like a
// cast ballot's: signed by the ballot box key the election names, for the ballot the page
// opened, of kind "challenge". One that does not check (a field changed on the way, another
// ballot's genuine receipt replayed) is a warning with its error code, in both languages, and
// is kept on the device as evidence, never as a receipt.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  axeViolations,
  castAndWaitForReceipt,
  choose,
  enterCode,
  openPage,
  phonePage,
  reviewAndSeal,
  say,
  screenshot,
  stored,
  testStack,
  waitForScreen,
} from './harness.mjs';

const stack = testStack(4);
let nextCode = 0;
const takeCode = () => stack.election.codes[nextCode++].code;

async function check(page, name) {
  const lang = await page.getAttribute('html', 'lang');
  await screenshot(page, `${lang}-${name}`);
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe on ${lang} ${name}: ${JSON.stringify(violations, null, 2)}`);
}

/** Answers every POST /api/challenges with the box's real answer, its receipt passed through
 *  `tamper` first (the challenge itself does reach the box). */
async function tamperChallengeReceipts(context, tamper) {
  const answered = { count: 0 };
  await context.route('**/api/challenges', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.receipt = tamper(body.receipt);
    answered.count += 1;
    await route.fulfill({ response, json: body });
  });
  return answered;
}

/** Challenges the sealed ballot on screen and waits for the warning; returns the error code. */
async function challengeAndWaitForWarning(page) {
  await page.click('#tracking-challenge');
  await waitForScreen(page, 'challenge');
  await page.waitForSelector('#challenge-receipt-bad:not([hidden])');
  assert.equal(await page.isVisible('#challenge-receipt'), false, 'no receipt is shown');
  assert.equal(await page.getAttribute('#challenge-receipt-bad', 'role'), 'alert');
  assert.equal(await page.getAttribute('#challenge-board', 'data-t'), null, 'nothing says the opened ballot is on the board');
  return (await page.textContent('#challenge-receipt-code')).trim();
}

/** The page's warning reads right in `lang`. */
async function assertWarningText(page, lang, code) {
  const text = await page.textContent('#challenge-receipt-bad');
  assert.ok(text.includes(say(lang, 'challenge.receiptBad')), text);
  assert.ok(text.includes(say(lang, 'unverified.codeLabel')), text);
  assert.ok(text.includes(code), text);
  assert.ok(text.includes(say(lang, 'challenge.receiptBadReport')), text);
}

const noSecrets = async (page) =>
  assert.ok(!/"seed"|"selections"/.test(JSON.stringify(await page.evaluate(() => ({ ...localStorage })))),
    'neither the seed nor the choices are kept');

test('a challenge receipt with a changed field is a warning with its code, kept as evidence', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
  try {
    const answered = await tamperChallengeReceipts(context, (r) => ({ ...r, index: r.index + 1 }));
    await openPage(page, stack.server.url);
    await enterCode(page, takeCode());
    await choose(page, [1, 2]);
    const challenged = await reviewAndSeal(page);
    const code = await challengeAndWaitForWarning(page);
    assert.equal(code, 'VERIFICATION_FAILED');
    assert.equal(answered.count, 1);
    assert.equal(await page.isVisible('#challenge-ok'), true, 'the seal check itself still stands');
    await assertWarningText(page, 'en', code);
    await check(page, '19-challenge-receipt-bad');
    await page.click('#lang-switch');
    await assertWarningText(page, 'ur', code);
    await check(page, '19-challenge-receipt-bad');
    await page.click('#lang-switch');

    // Kept as evidence, not as a receipt; nothing of the reveal is kept.
    assert.deepEqual(await stored(page, 'amanat.receipts'), []);
    const [evidence, ...more] = await stored(page, 'amanat.evidence');
    assert.equal(more.length, 0);
    assert.equal(evidence.kind, 'challenge');
    assert.equal(evidence.trackingCode, challenged);
    assert.equal(evidence.code, 'VERIFICATION_FAILED');
    assert.equal(evidence.receipt.short, challenged, 'the answer as it came');
    await noSecrets(page);

    // The voter goes on and votes; the cast receipt checks and is kept as a receipt.
    await page.click('#challenge-back');
    await waitForScreen(page, 'review');
    await page.click('#review-seal');
    await waitForScreen(page, 'tracking');
    const cast = await castAndWaitForReceipt(page);
    assert.deepEqual((await stored(page, 'amanat.receipts')).map((r) => [r.kind, r.short]), [['cast', cast.short]]);

    // The look-up screen lists the evidence with its code, as an opened ballot.
    await page.click('#receipt-lookup');
    await waitForScreen(page, 'lookup');
    await page.waitForSelector('#lookup-saved-list .state-ok');
    const items = await page.$$eval('#lookup-saved-list li', (lis) =>
      lis.map((li) => [...li.querySelectorAll('button, span')].map((n) => n.textContent)),
    );
    assert.deepEqual(items, [
      [cast.short, say('en', 'lookup.savedVerified'), say('en', 'lookup.keptCounted')],
      [challenged, say('en', 'lookup.savedUnverified', { code }), say('en', 'challenge.receiptStatus')],
    ]);
    await check(page, '19-lookup-kept-evidence');
    await page.click('#lang-switch');
    await check(page, '19-lookup-kept-evidence');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('another ballot\'s genuine challenge receipt, replayed, is refused as WRONG_BALLOT and kept as evidence', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'ur', { serviceWorkers: 'block' });
  try {
    await openPage(page, stack.server.url);
    await enterCode(page, takeCode());
    await choose(page, [3, 3]);
    const first = await reviewAndSeal(page);
    await page.click('#tracking-challenge');
    await page.waitForSelector('#challenge-receipt:not([hidden])');
    const [genuine] = await stored(page, 'amanat.receipts');
    assert.equal(genuine.short, first);
    assert.equal(genuine.kind, 'challenge');

    // The box answers the next challenge with the first one's receipt.
    await tamperChallengeReceipts(context, () => structuredClone(genuine));
    await page.click('#challenge-back');
    await waitForScreen(page, 'review');
    await page.click('#review-seal');
    await waitForScreen(page, 'tracking');
    const second = (await page.textContent('#tracking-code')).trim();
    const code = await challengeAndWaitForWarning(page);
    assert.equal(code, 'WRONG_BALLOT');
    assert.equal((await page.textContent('#challenge-tracking')).trim(), second);
    await assertWarningText(page, 'ur', code);
    await check(page, '19-challenge-receipt-wrong');
    await page.click('#lang-switch');
    await assertWarningText(page, 'en', code);
    await check(page, '19-challenge-receipt-wrong');

    assert.deepEqual((await stored(page, 'amanat.receipts')).map((r) => r.short), [first], 'only the genuine receipt');
    const [evidence] = await stored(page, 'amanat.evidence');
    assert.equal(evidence.trackingCode, second);
    assert.equal(evidence.code, 'WRONG_BALLOT');
    assert.deepEqual(evidence.receipt, genuine);
    await noSecrets(page);

    // Removing the kept receipts is the voter's choice, and removes the evidence with them.
    await page.click('#footer-lookup');
    await waitForScreen(page, 'lookup');
    assert.equal(await page.$$eval('#lookup-saved-list li', (lis) => lis.length), 2);
    await page.click('#lookup-forget');
    assert.equal(await page.isVisible('#lookup-saved'), false);
    assert.deepEqual(await stored(page, 'amanat.evidence'), []);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
