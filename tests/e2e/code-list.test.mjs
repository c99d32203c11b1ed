// A code that is not on this election's list is refused at the code step, before the ballot
// is shown: the page derives the credential's public key from the code (the module's
// credentialPublicKey) and asks the box (GET /api/credentials/<key>). A code of the same form
// from another election is the case voters meet. When the box cannot be asked, the voter goes
// on, told so. And the ballot as a screen reader says it: name, pause, party, symbol; "NA-301"
// as "National Assembly, seat 301"; the arrow keys explained. Screens 42–44.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  axeViolations,
  board,
  currentScreen,
  demoElection,
  enterCode,
  openPage,
  phonePage,
  say,
  screenshot,
  testStack,
  waitForScreen,
} from './harness.mjs';

const stack = testStack(2);

/** A code of another election whose ballot style exists in this one too. */
function foreignCode() {
  const other = demoElection(2);
  try {
    const ours = new Set(stack.election.codes.map((c) => c.style));
    const code = other.codes.find((c) => ours.has(c.style));
    assert.ok(code, 'the other election has a code for a style this one has');
    return code.code;
  } finally {
    other.cleanup();
  }
}

async function typeCode(page, code) {
  await page.fill('#code-input', '');
  await page.type('#code-input', code, { delay: 5 });
  await page.click('#code-submit');
}

for (const lang of ['en', 'ur']) {
  test(`${lang}: a code of another election is refused at the code step, before the ballot`, async () => {
    const { context, page, problems } = await phonePage(stack.browser, stack.server.url, lang);
    const asked = [];
    context.on('request', (r) => {
      if (r.url().includes('/api/credentials/')) asked.push(new URL(r.url()).pathname);
    });
    try {
      await openPage(page, stack.server.url);
      const code = foreignCode();
      await typeCode(page, code);
      await page.waitForFunction((text) => document.getElementById('code-status').textContent === text, say(lang, 'code.notOnList'));
      assert.equal(await currentScreen(page), 'code', 'the ballot is never shown');
      assert.equal(await page.getAttribute('#code-input', 'aria-invalid'), 'true');
      assert.equal(asked.length, 1, 'the box was asked once');
      assert.match(asked[0], /^\/api\/credentials\/[0-9a-f]{64}$/, 'by public key');
      const symbols = code.replace(/-/g, '');
      assert.ok(!asked[0].toUpperCase().includes(symbols), 'the code itself is never sent');
      await screenshot(page, `${lang}-42-code-not-on-list`);
      assert.deepEqual(await axeViolations(page), []);

      // The voter's own code goes on to the ballot, with no note.
      await enterCode(page, stack.election.codes[0].code);
      assert.equal(await page.isVisible('#ballot-not-checked'), false);
      assert.equal((await board(stack.server.url)).length, 0, 'nothing reached the board');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test(`${lang}: the box cannot be asked: the ballot is shown, with a note`, async () => {
    const { context, page, problems } = await phonePage(stack.browser, stack.server.url, lang, { serviceWorkers: 'block' });
    try {
      await openPage(page, stack.server.url);
      await context.route('**/api/credentials/**', (route) => route.abort('internetdisconnected'));
      await enterCode(page, stack.election.codes[1].code);
      assert.equal(await page.isVisible('#ballot-not-checked'), true);
      assert.equal((await page.textContent('#ballot-not-checked')).trim(), say(lang, 'ballot.notChecked'));
      await screenshot(page, `${lang}-43-ballot-code-not-checked`);
      assert.deepEqual(await axeViolations(page), []);
      // An answer that is not the box's (a captive portal's page) is not taken for one.
      await context.unroute('**/api/credentials/**');
      await context.route('**/api/credentials/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>Sign in to the hotel Wi-Fi</p>' }));
      await page.click('#ballot-back');
      await waitForScreen(page, 'code');
      await enterCode(page, stack.election.codes[0].code);
      assert.equal(await page.isVisible('#ballot-not-checked'), true);
      // Listed, but for another ballot than the code names: refused too.
      await context.unroute('**/api/credentials/**');
      await context.route('**/api/credentials/**', async (route) => {
        const key = new URL(route.request().url()).pathname.split('/').pop();
        await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ key, listed: true, style: 'some-other-style' }) });
      });
      await page.click('#ballot-back');
      await waitForScreen(page, 'code');
      await typeCode(page, stack.election.codes[1].code);
      await page.waitForFunction((text) => document.getElementById('code-status').textContent === text, say(lang, 'code.otherStyle'));
      assert.equal(await currentScreen(page), 'code');
      assert.deepEqual(problems.filter((p) => !/Failed to load|ERR_INTERNET_DISCONNECTED/.test(p)), []);
    } finally {
      await context.close();
    }
  });
}

test('a screen reader hears name, party, then symbol; seats spelled out; the arrow keys explained', async () => {
  const { context, page } = await phonePage(stack.browser, stack.server.url, 'en');
  try {
    await openPage(page, stack.server.url);
    await enterCode(page, stack.election.codes[0].code);
    const first = await page.evaluate(() => {
      const label = document.querySelector('#contests label.option');
      return {
        name: label.querySelector('.option-name').textContent,
        party: label.querySelector('.option-party').textContent,
        alt: label.querySelector('img.symbol').alt,
        legend: label.closest('fieldset').querySelector('legend [aria-hidden]').textContent,
      };
    });
    const symbol = first.alt.replace(/^Symbol: /, '');
    const spoken = `${first.name}, ${first.party}. Symbol: ${symbol}.`;
    assert.equal(await page.getByRole('radio', { name: spoken, exact: true }).count(), 1, spoken);
    const seat = /^NA-(\d+) (.*)$/.exec(first.legend);
    assert.ok(seat, first.legend);
    const group = page.getByRole('group', { name: `National Assembly, seat ${seat[1]}: ${seat[2]}`, exact: true });
    assert.equal(await group.count(), 1, 'the seat is said in words, not "N A"');
    assert.match(await group.getAttribute('aria-describedby'), /hint-0/);
    assert.equal((await page.textContent('#hint-0')).trim(), say('en', 'ballot.radioHint'));

    await page.click('#lang-switch');
    const urName = await page.textContent('#contests label.option .option-name');
    const urSpoken = await page.textContent('#contests label.option .visually-hidden');
    assert.ok(urSpoken.startsWith(`${urName}، `), `Urdu: the name first, then a pause: ${urSpoken}`);
    assert.match(await page.textContent('#contests legend .visually-hidden'), /^قومی اسمبلی، حلقہ \d+: /);
    await screenshot(page, 'ur-44-ballot-hints');
    assert.deepEqual(await axeViolations(page), []);
  } finally {
    await context.close();
  }
});
