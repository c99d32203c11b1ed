// The ballot box's receipt is checked on the voter's device before it is shown as one: signed
// by the ballot box key the election names, for the ballot the page sealed. A receipt that does
// not check (a changed signature or index, a genuine receipt for another ballot) is a warning
// with its error code; the ballot stays in the outbox and nothing reports it as received.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ROOT,
  axeViolations,
  board,
  castAndWaitForReceipt,
  choose,
  enterCode,
  openPage,
  phonePage,
  reviewAndSeal,
  screenshot,
  testStack,
  waitForScreen,
} from './harness.mjs';

const amanat = createRequire(import.meta.url)(join(ROOT, 'pkg', 'amanat.cjs'));

const stack = testStack(6);
let nextCode = 0;
const takeCode = () => stack.election.codes[nextCode++].code;

async function check(page, name) {
  const lang = await page.getAttribute('html', 'lang');
  await screenshot(page, `${lang}-${name}`);
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe on ${lang} ${name}: ${JSON.stringify(violations, null, 2)}`);
}

/** Waits (up to 30 s) until `condition()` holds. */
async function until(condition) {
  for (let waited = 0; !condition(); waited += 100) {
    if (waited > 30_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const stored = (page, key) => page.evaluate((k) => JSON.parse(localStorage.getItem(k) || '[]'), key);

/**
 * Answers every POST /api/ballots with the box's real answer, its receipt passed through
 * `tamper` first (the ballot itself does reach the box). Returns how many were answered.
 */
async function tamperReceipts(context, tamper) {
  const answered = { count: 0 };
  await context.route('**/api/ballots', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    if (body.receipt) tamper(body.receipt);
    answered.count += 1;
    await route.fulfill({ response, json: body });
  });
  return answered;
}

/** Flips the first hex digit of the signature's response (still a reduced scalar). */
function flipSignature(receipt) {
  const s = receipt.signature.response;
  receipt.signature.response = (s[0] === '0' ? '1' : '0') + s.slice(1);
}

/** The page's warning for a receipt that does not check, and what it kept. */
async function assertWarning(page, tracking, code) {
  await waitForScreen(page, 'unverified');
  assert.equal((await page.textContent('#unverified-tracking')).trim(), tracking);
  assert.equal((await page.textContent('#unverified-code')).trim(), code);
  assert.equal(await page.isVisible('#unverified-warning'), true);
  assert.equal(await page.getAttribute('#unverified-warning', 'role'), 'alert');
  assert.equal(await page.isVisible('#screen-receipt'), false, 'no receipt is shown');
  assert.equal(await page.isVisible('#outbox-banner.banner-ok'), false, 'nothing says the ballot reached the box');
  assert.deepEqual(await stored(page, 'amanat.receipts'), [], 'the receipt is not kept as a receipt');
  const outbox = await stored(page, 'amanat.outbox');
  assert.equal(outbox.length, 1, 'the sealed ballot stays in the outbox');
  assert.equal(outbox[0].trackingCode, tracking);
  assert.equal(outbox[0].unverified.code, code);
}

test('a cast shows a receipt checked on the device, and the kept receipt says it verified', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en');
  try {
    await openPage(page, stack.server.url);
    await enterCode(page, takeCode());
    await choose(page);
    const tracking = await reviewAndSeal(page);
    const receipt = await castAndWaitForReceipt(page);
    assert.equal(receipt.short, tracking);
    assert.equal(await page.isVisible('#receipt-check'), true);
    assert.equal(
      (await page.textContent('#receipt-check')).trim(),
      'Checked on this device: signed by the ballot box named in this election.',
    );
    await page.click('#lang-switch');
    assert.match(await page.textContent('#receipt-check'), /بیلٹ باکس کے دستخط/);
    await page.click('#lang-switch');

    // What the page kept verifies with the package too, against the election the box serves.
    const [kept] = await stored(page, 'amanat.receipts');
    const election = amanat.Election.fromJson(await (await fetch(`${stack.server.url}/api/election`)).text());
    const verified = amanat.verifyReceipt(election, JSON.stringify(kept));
    assert.equal(verified.trackingCode, tracking);
    assert.equal(verified.index, receipt.index);
    election.free();

    // The kept receipts are judged again on the look-up screen; one changed since it was kept
    // (an older page's, or edited on the device) says that it does not check.
    await page.evaluate((good) => {
      localStorage.setItem('amanat.receipts', JSON.stringify([good, { ...good, index: good.index + 1000 }]));
    }, kept);
    await page.click('#receipt-lookup');
    await waitForScreen(page, 'lookup');
    const checks = await page.$$eval('#lookup-saved-list li .saved-check', (n) => n.map((x) => [x.className, x.textContent]));
    assert.deepEqual(checks, [
      ['saved-check saved-ok', 'Signed by the ballot box'],
      ['saved-check saved-bad', 'Does not check: VERIFICATION_FAILED'],
    ]);
    await check(page, '17-lookup-kept-checked');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

for (const [lang, what, tamper] of [
  ['en', 'its signature changed', flipSignature],
  ['ur', 'its board index changed', (r) => { r.index += 1; }],
]) {
  test(`a receipt with ${what} is a warning with its code (${lang}), and the ballot stays unconfirmed`, async () => {
    const { context, page, problems } = await phonePage(stack.browser, stack.server.url, lang, { serviceWorkers: 'block' });
    try {
      const answered = await tamperReceipts(context, tamper);
      await openPage(page, stack.server.url);
      await enterCode(page, takeCode());
      await choose(page, [1, 1]);
      const tracking = await reviewAndSeal(page);
      await page.click('#tracking-cast');
      await assertWarning(page, tracking, 'VERIFICATION_FAILED');
      assert.equal(answered.count, 1, 'sent once, not in a loop');
      const other = lang === 'en' ? 'ur' : 'en';
      const title = { en: "The ballot box's receipt does not check", ur: 'بیلٹ باکس کی رسید جانچ میں درست نہیں نکلی' };
      assert.equal((await page.textContent('#unverified-title')).trim(), title[lang]);
      await check(page, '16-receipt-unverified');
      await page.click('#lang-switch');
      assert.equal((await page.textContent('#unverified-title')).trim(), title[other]);
      assert.equal((await page.textContent('#unverified-code')).trim(), 'VERIFICATION_FAILED');
      await check(page, '16-receipt-unverified');
      await page.click('#lang-switch');

      // The page reopened: the ballot is sent again, its answer still does not check, and a
      // warning banner (not "reached") leads back to the warning.
      await page.reload();
      await waitForScreen(page, 'code');
      await until(() => answered.count === 2);
      await page.waitForSelector('#outbox-banner.banner-bad:not([hidden])');
      assert.match(await page.textContent('#outbox-banner-text'), new RegExp(tracking));
      await check(page, '16-receipt-unverified-banner');
      await page.click('#outbox-banner-details');
      await assertWarning(page, tracking, 'VERIFICATION_FAILED');
      assert.equal(answered.count, 2);

      // The box's own answer, untouched, checks: trying again shows the receipt.
      await context.unroute('**/api/ballots');
      await page.click('#unverified-retry');
      await waitForScreen(page, 'receipt');
      assert.equal((await page.textContent('#receipt-short')).trim(), tracking);
      assert.equal(await page.isVisible('#receipt-check'), true);
      assert.deepEqual(await stored(page, 'amanat.outbox'), []);
      assert.equal((await stored(page, 'amanat.receipts'))[0].short, tracking);
      const landed = (await board(stack.server.url)).filter((e) => e.short === tracking);
      assert.equal(landed.length, 1, 'the ballot is on the board once');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

test('a genuine receipt for another ballot (a replayed answer) is refused as WRONG_BALLOT', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
  try {
    const code = takeCode();
    await openPage(page, stack.server.url);
    await enterCode(page, code);
    await choose(page);
    await reviewAndSeal(page);
    await castAndWaitForReceipt(page);
    const [first] = await stored(page, 'amanat.receipts');

    await tamperReceipts(context, (r) => Object.assign(r, structuredClone(first)));
    await page.click('#receipt-revote');
    await enterCode(page, code);
    await choose(page, [2, 2]);
    const tracking = await reviewAndSeal(page);
    await page.click('#tracking-cast');
    await waitForScreen(page, 'unverified');
    assert.equal((await page.textContent('#unverified-code')).trim(), 'WRONG_BALLOT');
    assert.equal((await page.textContent('#unverified-tracking')).trim(), tracking);
    const kept = await stored(page, 'amanat.receipts');
    assert.deepEqual(kept.map((r) => r.short), [first.short], 'only the first, genuine receipt is kept');
    assert.equal((await stored(page, 'amanat.outbox'))[0].unverified.code, 'WRONG_BALLOT');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a ballot whose receipt did not check and that the box then refuses is kept as evidence, never resent', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
  try {
    const answered = await tamperReceipts(context, flipSignature);
    await openPage(page, stack.server.url);
    await enterCode(page, takeCode());
    await choose(page, [3, 3]);
    const tracking = await reviewAndSeal(page);
    await page.click('#tracking-cast');
    await assertWarning(page, tracking, 'VERIFICATION_FAILED');
    const [{ unverified: { receipt: badReceipt } }] = await stored(page, 'amanat.outbox');

    // Now the box refuses the same ballot for good (its own JSON error, not a proxy's page).
    await context.unroute('**/api/ballots');
    let refusals = 0;
    await context.route('**/api/ballots', async (route) => {
      refusals += 1;
      await route.fulfill({ status: 409, json: { error: { code: 'POLLS_CLOSED', message: 'the polls are closed' } } });
    });
    await page.click('#unverified-retry');
    await page.waitForSelector('#unverified-retry', { state: 'hidden' });
    assert.equal(refusals, 1);
    assert.equal(await page.isVisible('#screen-unverified'), true, 'still the warning, not an ordinary refusal');
    assert.match(await page.textContent('#unverified-detail'), /refused this ballot \(POLLS_CLOSED\).*kept on this device as evidence/);
    const [kept] = await stored(page, 'amanat.outbox');
    assert.equal(kept.trackingCode, tracking);
    assert.equal(kept.refused.code, 'POLLS_CLOSED');
    assert.deepEqual(kept.unverified.receipt, badReceipt, 'the receipt that did not check is kept');
    await check(page, '16-receipt-unverified-refused');

    // Reopened: nothing is sent again, and the warning banner still leads to the evidence.
    await page.reload();
    await waitForScreen(page, 'code');
    await page.waitForSelector('#outbox-banner.banner-bad:not([hidden])');
    await page.click('#outbox-banner-details');
    await waitForScreen(page, 'unverified');
    assert.match(await page.textContent('#unverified-detail'), /POLLS_CLOSED/);
    assert.equal(refusals, 1, 'a refused ballot is never sent again');
    assert.equal(answered.count, 1);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
