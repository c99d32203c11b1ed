// Network trouble: a voter who loaded the page once goes offline, reopens the page, seals and
// casts; the sealed ballot waits on the device (never the choices or the code) and lands on
// the board exactly once when the network returns, even if it is sent again. A receipt that
// arrives late is checked like any other: one that does not check is a warning, not a receipt.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  axeViolations,
  board,
  choose,
  enterCode,
  openPage,
  phonePage,
  reviewAndSeal,
  screenshot,
  testStack,
  waitForScreen,
} from './harness.mjs';

const stack = testStack(3);


test('offline after loading: seal and cast, the ballot waits, then lands exactly once', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en');
  try {
    await openPage(page, stack.server.url);
    // Wait until the service worker has cached everything and controls the page.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await waitForScreen(page, 'code');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    await context.setOffline(true);
    await page.reload();
    await waitForScreen(page, 'code');
    assert.equal(await page.isVisible('#offline-banner'), true, 'the voter is told the connection is gone');

    const code = stack.election.codes[0].code;
    await enterCode(page, code);
    await choose(page, [1, 2]);
    const tracking = await reviewAndSeal(page);
    await page.click('#tracking-cast');
    await waitForScreen(page, 'outbox');
    assert.equal((await page.textContent('#outbox-code')).trim(), tracking);
    await screenshot(page, 'en-14-outbox');
    assert.deepEqual(await axeViolations(page), []);
    await page.click('#lang-switch');
    await screenshot(page, 'ur-14-outbox');
    assert.deepEqual(await axeViolations(page), []);
    await page.click('#lang-switch');

    // What waits on the device is the sealed ballot alone.
    const stored = await page.evaluate(() => ({ ...localStorage }));
    const outbox = JSON.parse(stored['amanat.outbox']);
    assert.equal(outbox.length, 1);
    assert.equal(outbox[0].trackingCode, tracking);
    const everything = JSON.stringify(stored);
    assert.ok(!everything.includes(code) && !everything.includes(code.replace(/-/g, '')), 'no voting code stored');
    assert.ok(!/"seed"|"selections"/.test(everything), 'no seed or choices stored');
    const ballotJson = outbox[0].ballotJson;

    // Reopening the page offline still shows the ballot as not yet in the box.
    await page.reload();
    await waitForScreen(page, 'code');
    assert.equal(await page.isVisible('#outbox-banner'), true);
    assert.match(await page.textContent('#outbox-banner'), new RegExp(tracking));
    assert.equal((await board(stack.server.url)).length, 0, 'nothing reached the box while offline');

    await context.setOffline(false);
    await page.waitForSelector('#outbox-banner.banner-ok', { timeout: 30_000 });
    assert.match(await page.textContent('#outbox-banner'), /has reached the ballot box/);
    await page.click('#outbox-banner-receipt');
    await waitForScreen(page, 'receipt');
    assert.equal(await page.isVisible('#receipt-check'), true, 'the receipt that landed later was checked');
    const index = Number((await page.textContent('#receipt-index')).trim()) - 1;
    assert.equal(await page.evaluate(() => localStorage.getItem('amanat.outbox')), '[]');

    // A retry of the same sealed ballot (a lost answer, say) cannot cast it twice.
    const again = await fetch(`${stack.server.url}/api/ballots`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: ballotJson,
    });
    assert.equal(again.status, 200);
    assert.equal((await again.json()).receipt.index, index, 'the same receipt comes back');
    const landed = (await board(stack.server.url)).filter((e) => e.short === tracking);
    assert.equal(landed.length, 1, 'exactly one ballot on the board');
    assert.equal(landed[0].kind, 'cast');
    assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|Failed to load/.test(p)), []);
  } finally {
    await context.close();
  }
});

test('answers that are not the box (a captive portal, a proxy error) never drop the ballot', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
  try {
    const impostors = [
      { status: 200, contentType: 'text/html', body: '<html><body>Hotel Wi-Fi: please sign in</body></html>' },
      { status: 403, contentType: 'text/html', body: '<html><body>Forbidden by proxy</body></html>' },
    ];
    let posts = 0;
    await context.route('**/api/ballots', async (route) => {
      const impostor = impostors[posts];
      posts += 1;
      if (impostor) await route.fulfill(impostor);
      else await route.continue();
    });
    await openPage(page, stack.server.url);
    await enterCode(page, stack.election.codes[1].code);
    await choose(page);
    const tracking = await reviewAndSeal(page);
    await page.click('#tracking-cast');
    await waitForScreen(page, 'outbox');
    await waitForScreen(page, 'receipt', 60_000);
    assert.equal(posts, 3, 'sent until the box itself answered');
    assert.equal((await page.textContent('#receipt-short')).trim(), tracking);
    const landed = (await board(stack.server.url)).filter((e) => e.short === tracking);
    assert.equal(landed.length, 1);
    assert.deepEqual(problems.filter((p) => !/Failed to load|status of 403/.test(p)), []);
  } finally {
    await context.close();
  }
});

test('a ballot cast offline whose receipt does not check when it lands: a warning, never a receipt', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
  try {
    await openPage(page, stack.server.url);
    await context.setOffline(true);
    await enterCode(page, stack.election.codes[2].code);
    await choose(page, [2, 3]);
    const tracking = await reviewAndSeal(page);
    await page.click('#tracking-cast');
    await waitForScreen(page, 'outbox');

    // The box's answer arrives with its board index changed on the way.
    await context.route('**/api/ballots', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      body.receipt.index += 1;
      await route.fulfill({ response, json: body });
    });
    await page.click('#lang-switch');
    await context.setOffline(false);
    await waitForScreen(page, 'unverified');
    assert.equal((await page.textContent('#unverified-tracking')).trim(), tracking);
    assert.equal((await page.textContent('#unverified-code')).trim(), 'VERIFICATION_FAILED');
    assert.match(await page.textContent('#unverified-title'), /بیلٹ باکس کی رسید/);
    assert.deepEqual(await axeViolations(page), []);
    const stored = await page.evaluate(() => ({
      outbox: JSON.parse(localStorage.getItem('amanat.outbox') || '[]'),
      receipts: JSON.parse(localStorage.getItem('amanat.receipts') || '[]'),
    }));
    assert.deepEqual(stored.receipts, [], 'no receipt kept');
    assert.equal(stored.outbox.length, 1, 'the sealed ballot stays in the outbox');
    assert.equal(stored.outbox[0].unverified.code, 'VERIFICATION_FAILED');
    assert.equal(await page.isVisible('#outbox-banner.banner-ok'), false);
    // The box did get it, once; the page just cannot confirm it from this answer.
    assert.equal((await board(stack.server.url)).filter((e) => e.short === tracking).length, 1);
    assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|Failed to load/.test(p)), []);
  } finally {
    await context.close();
  }
});
