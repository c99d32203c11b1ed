// Where a ballot stands, in plain words, in both languages: a look-up says whether the ballot
// counts, was replaced by a later ballot of the same code (and what to do if the voter did not
// vote again), or was opened for checking and is never counted (never with a green tick). A
// revote's receipt says which ballot it replaced. The kept receipts say the same, and a kept
// receipt whose ballot the board does not show as the receipt says is a warning.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  axeViolations,
  castAndWaitForReceipt,
  choose,
  enterCode,
  lookUpCode,
  openPage,
  phonePage,
  reviewAndSeal,
  say,
  screenshot,
  stored,
  testStack,
  waitForScreen,
} from './harness.mjs';

const stack = testStack(3);

async function check(page, name) {
  const lang = await page.getAttribute('html', 'lang');
  await screenshot(page, `${lang}-${name}`);
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe on ${lang} ${name}: ${JSON.stringify(violations, null, 2)}`);
}

/** The look-up result's one entry: its state class, headline class and text, and report line. */
function shownEntry(page) {
  return page.$eval('#lookup-result .board-entries', (list) => {
    const items = list.querySelectorAll('li');
    const li = items[0];
    const headline = li.querySelector('.result');
    const report = li.querySelector('.entry-report');
    return {
      count: items.length,
      state: li.className,
      headline: headline.className,
      text: headline.textContent,
      tick: getComputedStyle(headline, '::before').content,
      report: report ? report.textContent : null,
      code: li.querySelector('.entry-code').textContent,
    };
  });
}

/** Checks the shown entry in English, then in Urdu (screenshots and axe in both), and
 *  switches back. */
async function assertEntry(page, name, { state, headline, key, args, report, code }) {
  for (const lang of ['en', 'ur']) {
    const shown = await shownEntry(page);
    assert.equal(shown.count, 1);
    assert.equal(shown.state, `board-entry entry-${state}`);
    assert.equal(shown.headline, `result ${headline}`);
    assert.equal(shown.text, say(lang, key, args));
    assert.equal(shown.report, report ? say(lang, 'lookup.replacedReport') : null);
    assert.equal(shown.code, code);
    if (headline !== 'result-ok') assert.equal(shown.tick, 'none', `${name}: no tick`);
    await check(page, name);
    await page.click('#lang-switch');
  }
}

test('counted, replaced by a revote, opened: the look-up and the kept receipts say which', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
  try {
    const code = stack.election.codes[0].code;
    await openPage(page, stack.server.url);
    await enterCode(page, code);
    await choose(page, [0, 1]);
    const opened = await reviewAndSeal(page);
    await page.click('#tracking-challenge');
    await page.waitForSelector('#challenge-receipt:not([hidden])');
    await page.click('#challenge-back');
    await waitForScreen(page, 'review');
    await page.click('#review-seal');
    await waitForScreen(page, 'tracking');
    const first = await castAndWaitForReceipt(page);
    assert.equal(await page.isVisible('#receipt-replaces'), false, 'a first vote replaces nothing');

    // The revote's receipt says it replaced the first ballot.
    await page.click('#receipt-revote');
    await enterCode(page, code);
    await choose(page, [2, 3]);
    await reviewAndSeal(page);
    const second = await castAndWaitForReceipt(page);
    await page.waitForSelector('#receipt-replaces:not([hidden])');
    assert.equal((await page.textContent('#receipt-replaces')).trim(), say('en', 'receipt.replaces', { index: first.index + 1 }));
    await check(page, '20-receipt-revote');
    await page.click('#lang-switch');
    assert.equal((await page.textContent('#receipt-replaces')).trim(), say('ur', 'receipt.replaces', { index: first.index + 1 }));
    await check(page, '20-receipt-revote');
    await page.click('#lang-switch');

    await page.click('#receipt-lookup');
    await waitForScreen(page, 'lookup');
    await page.waitForSelector('#lookup-result .board-entries li');
    await assertEntry(page, '21-lookup-counted', {
      state: 'counted', headline: 'result-ok', key: 'lookup.counted', code: second.short,
    });
    await lookUpCode(page, first.short);
    await assertEntry(page, '22-lookup-replaced', {
      state: 'replaced', headline: 'result-bad', key: 'lookup.replaced', args: { by: second.index + 1 }, report: true, code: first.short,
    });
    await lookUpCode(page, opened);
    await assertEntry(page, '23-lookup-opened', {
      state: 'challenged', headline: 'result-opened', key: 'lookup.challenged', code: opened,
    });
    assert.equal(await page.$$eval('#lookup-result .result-ok', (n) => n.length), 0, 'no green for an opened ballot');

    // The kept receipts, newest first, each with where the board says it stands.
    const kept = () =>
      page.$$eval('#lookup-saved-list li', (lis) =>
        lis.map((li) => {
          const line = li.querySelector('.saved-state');
          return [li.querySelector('button').textContent, line && line.className, line && line.textContent];
        }),
      );
    await page.waitForSelector('#lookup-saved-list .state-bad');
    for (const lang of ['en', 'ur']) {
      assert.deepEqual(await kept(), [
        [second.short, 'saved-state state-ok', say(lang, 'lookup.keptCounted')],
        [first.short, 'saved-state state-bad', say(lang, 'lookup.keptReplaced', { by: second.index + 1 })],
        [opened, 'saved-state state-opened', say(lang, 'challenge.receiptStatus')],
      ]);
      assert.equal(
        await page.$eval('#lookup-saved-list li:nth-child(3) .saved-check', (n) => [n.className, getComputedStyle(n, '::before').content].join()),
        'saved-check saved-signed,none',
        'a kept opened ballot gets no tick',
      );
      await check(page, '24-lookup-kept-states');
      await page.click('#lang-switch');
    }

    // A board that no longer shows the ballot as the receipt says (here: its entry's hash
    // changed on the way) turns the kept receipt into a warning.
    await context.route('**/api/board/*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      for (const entry of body.entries || []) if (entry.short === second.short) entry.hash = entry.hash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      await route.fulfill({ response, json: body });
    });
    await page.click('#lookup-back');
    await page.click('#footer-lookup');
    await waitForScreen(page, 'lookup');
    await page.waitForSelector('#lookup-saved-list li:first-child .state-bad');
    assert.equal(
      await page.textContent('#lookup-saved-list li:first-child .saved-state'),
      say('en', 'lookup.keptMissing', { code: 'NOT_ON_BOARD' }),
    );
    await check(page, '24-lookup-kept-missing');
    assert.deepEqual((await stored(page, 'amanat.receipts')).map((r) => r.kind), ['cast', 'cast', 'challenge']);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
