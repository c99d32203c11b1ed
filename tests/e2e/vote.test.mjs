// The voter page end to end: real ballot box, real module, headless Chromium at phone size.
// Screens are saved to test-artifacts/screens/ in both languages.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  ROOT,
  axeViolations,
  board,
  castAndWaitForReceipt,
  choose,
  currentScreen,
  enterCode,
  markedChoices,
  openPage,
  phonePage,
  reviewAndSeal,
  say,
  screenshot,
  stored,
  tabTo,
  testStack,
  waitForScreen,
  withTypo,
} from './harness.mjs';

const amanat = createRequire(import.meta.url)(join(ROOT, 'pkg', 'amanat.cjs'));

const stack = testStack(12);
let nextCode = 0;
const takeCode = () => stack.election.codes[nextCode++].code;


async function check(page, lang, name) {
  await screenshot(page, `${lang}-${name}`);
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe on ${lang} ${name}: ${JSON.stringify(violations, null, 2)}`);
}

for (const lang of ['en', 'ur']) {
  describe(`a full vote in ${lang === 'en' ? 'English' : 'Urdu'}`, () => {
    test('code, ballot, review, seal, challenge, seal again, cast, receipt, lookup', async () => {
      const { context, page, problems } = await phonePage(stack.browser, stack.server.url, lang);
      try {
        await openPage(page, stack.server.url);
        const dir = lang === 'ur' ? 'rtl' : 'ltr';
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        assert.equal(await page.getAttribute('html', 'dir'), dir);
        await check(page, lang, '01-code');

        const code = takeCode();
        await page.type('#code-input', withTypo(code));
        assert.equal(await page.getAttribute('#code-input', 'aria-invalid'), 'true');
        await check(page, lang, '02-code-typo');
        await page.fill('#code-input', '');
        await page.type('#code-input', code.toLowerCase().replace(/-/g, ''));
        assert.equal(await page.inputValue('#code-input'), code, 'the page groups the code as it is typed');
        assert.match(await page.getAttribute('#code-status', 'class'), /status-ok/);
        await check(page, lang, '03-code-valid');

        await page.click('#code-submit');
        await waitForScreen(page, 'ballot');
        const groups = await page.$$eval('#contests fieldset', (sets) =>
          sets.map((f) => ({ legend: f.querySelector('legend').textContent, options: f.querySelectorAll('label.option').length })),
        );
        assert.ok(groups.length >= 1 && groups.every((g) => g.legend && g.options > 1));
        // Symbols are fetched when the ballot is shown: wait until each has loaded or failed.
        await page.waitForFunction(() => [...document.querySelectorAll('#contests img.symbol')].every((i) => i.complete));
        const symbols = await page.$$eval('#contests img.symbol', (imgs) => imgs.map((i) => [i.alt, i.naturalWidth]));
        assert.ok(symbols.length > 0 && symbols.every(([alt, w]) => alt.length > 0 && w > 0), 'every symbol loads and has alt text');
        await check(page, lang, '04-ballot');

        await page.click('#ballot-submit');
        assert.equal(await page.isVisible('#ballot-error'), true, 'reviewing an empty ballot explains what is missing');
        await check(page, lang, '05-ballot-missing');

        await choose(page, [2, 4]);
        const choices = await markedChoices(page);
        await check(page, lang, '06-ballot-chosen');
        await page.click('#ballot-submit');
        await waitForScreen(page, 'review');
        const reviewed = await page.$$eval('#review-list .option-name', (n) => n.map((x) => x.textContent));
        assert.equal(reviewed.length, Object.keys(choices).length);
        await check(page, lang, '07-review');

        await page.click('#review-seal');
        await waitForScreen(page, 'sealing');
        await screenshot(page, `${lang}-08-sealing`);
        await waitForScreen(page, 'tracking');
        const challenged = (await page.textContent('#tracking-code')).trim();
        assert.match(challenged, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
        await check(page, lang, '09-tracking');

        // Check the seal (Benaloh challenge): the reveal matches, is shown, then discarded.
        await page.click('#tracking-challenge');
        await waitForScreen(page, 'challenge');
        assert.equal(await page.isVisible('#challenge-ok'), true, 'the encryption matched');
        const revealed = await page.$$eval('#challenge-list .option-name', (n) => n.map((x) => x.textContent));
        assert.deepEqual(revealed, reviewed, 'the reveal shows what the ballot held');
        await page.waitForSelector('#challenge-board[data-t="challenge.posted"]');

        // The box's receipt for the opened ballot was checked, is shown as opened and never
        // counted (no green tick), kept beside the cast receipts, and downloads like one.
        await page.waitForSelector('#challenge-receipt:not([hidden])');
        assert.equal((await page.textContent('#challenge-receipt-short')).trim(), challenged);
        assert.equal((await page.textContent('#challenge-receipt-status')).trim(), say(lang, 'challenge.receiptStatus'));
        assert.equal((await page.textContent('#challenge-receipt-check')).trim(), say(lang, 'receipt.verified'));
        assert.equal(
          await page.$eval('#challenge-receipt-check', (n) => getComputedStyle(n, '::before').content),
          'none',
          'no tick beside an opened ballot',
        );
        assert.equal(await page.isVisible('#challenge-receipt-bad'), false);
        const [openedReceipt] = await stored(page, 'amanat.receipts');
        assert.equal(openedReceipt.kind, 'challenge');
        assert.equal(openedReceipt.short, challenged);
        const election = amanat.Election.fromJson(await (await fetch(`${stack.server.url}/api/election`)).text());
        const opened = amanat.verifyReceipt(election, JSON.stringify(openedReceipt));
        election.free();
        assert.equal(opened.kind, 'challenge');
        assert.equal(opened.trackingCode, challenged);
        assert.equal(Number((await page.textContent('#challenge-receipt-index')).trim()), opened.index + 1, 'voters count from 1');
        const [openedDownload] = await Promise.all([page.waitForEvent('download'), page.click('#challenge-receipt-download')]);
        const openedFile = readFileSync(await openedDownload.path(), 'utf8');
        assert.ok(openedFile.startsWith(say(lang, 'receipt.fileTitleChallenge')));
        assert.ok(openedFile.includes(say(lang, 'challenge.receiptStatus')));
        assert.deepEqual(JSON.parse(openedFile.slice(openedFile.indexOf('{'))), openedReceipt);
        assert.ok(!/"seed"|"selections"/.test(JSON.stringify(await page.evaluate(() => ({ ...localStorage })))),
          'the reveal is not kept');
        await check(page, lang, '10-challenge');
        await page.click('#challenge-back');
        await waitForScreen(page, 'review');
        assert.equal(await page.$$eval('#challenge-list *', (n) => n.length), 0, 'the reveal is gone');

        await page.click('#review-seal');
        await waitForScreen(page, 'tracking');
        const tracking = (await page.textContent('#tracking-code')).trim();
        assert.notEqual(tracking, challenged, 'sealing again gives a new tracking code');
        const receipt = await castAndWaitForReceipt(page);
        assert.equal(receipt.short, tracking);
        assert.equal(await page.isVisible('#receipt-check'), true, 'the receipt was checked against the election');
        await check(page, lang, '11-receipt');

        // The receipt prints alone and downloads as text with the signed JSON.
        await page.emulateMedia({ media: 'print' });
        assert.equal(await page.isVisible('header.top'), false);
        assert.equal(await page.isVisible('#receipt'), true);
        await screenshot(page, `${lang}-11-receipt-print`);
        await page.emulateMedia({ media: 'screen' });
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#receipt-download')]);
        const file = readFileSync(await download.path(), 'utf8');
        assert.ok(file.includes(tracking));
        const signed = JSON.parse(file.slice(file.indexOf('{')));
        assert.equal(signed.short, tracking);
        assert.equal(signed.index, receipt.index);
        assert.ok(signed.signature && signed.signature.commitment && signed.signature.response);
        // The time in the file is the one on the screen (the voter's zone), then as signed.
        const shownTime = (await page.textContent('#receipt-received')).trim();
        assert.ok(file.includes(`${say(lang, 'receipt.received')}: ${shownTime} (${signed.received})`), file);

        // After casting nothing on the page holds the choices or the code any more.
        assert.deepEqual(Object.values(await markedChoices(page)).flat(), []);
        assert.equal(await page.inputValue('#code-input'), '');
        assert.equal(await page.$$eval('#review-list *', (n) => n.length), 0);
        const everything = await page.evaluate(() => JSON.stringify({ ...localStorage }));
        assert.ok(!everything.includes(code) && !everything.includes(code.replace(/-/g, '')), 'the code is not stored');
        assert.ok(!/"seed"|"selections"/.test(everything), 'no seed or choices are stored');

        const entries = await board(stack.server.url);
        const cast = entries.filter((e) => e.short === tracking);
        const spoiled = entries.filter((e) => e.short === challenged);
        assert.equal(cast.length, 1);
        assert.equal(cast[0].kind, 'cast');
        assert.equal(cast[0].index, receipt.index);
        assert.equal(spoiled.length, 1);
        assert.equal(spoiled[0].kind, 'challenge');

        await page.click('#receipt-lookup');
        await waitForScreen(page, 'lookup');
        await page.waitForSelector('#lookup-result .board-entries li');
        assert.match(await page.textContent('#lookup-result'), new RegExp(tracking));
        assert.equal((await page.textContent('#lookup-result .result')).trim(), say(lang, 'lookup.counted'));

        // Both receipts are kept, newest first: the vote, which counts, and the opened ballot.
        await page.waitForSelector('#lookup-saved-list .state-ok');
        const kept = await page.$$eval('#lookup-saved-list li', (items) =>
          items.map((li) => [...li.querySelectorAll('button, span')].map((n) => `${n.className} ${n.textContent}`)),
        );
        assert.deepEqual(kept, [
          [
            `button secondary code ${tracking}`,
            `saved-check saved-ok ${say(lang, 'lookup.savedVerified')}`,
            `saved-state state-ok ${say(lang, 'lookup.keptCounted')}`,
          ],
          [
            `button secondary code ${challenged}`,
            `saved-check saved-signed ${say(lang, 'lookup.savedVerified')}`,
            `saved-state state-opened ${say(lang, 'challenge.receiptStatus')}`,
          ],
        ]);
        await check(page, lang, '12-lookup');

        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  });
}

test('a typo in the credential is caught as it is typed, and blocks going on', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en');
  try {
    await openPage(page, stack.server.url);
    const code = takeCode();
    await page.type('#code-input', code.slice(0, 9));
    assert.equal(await page.textContent('#code-status'), '8 of 28 characters');
    await page.fill('#code-input', '');
    await page.type('#code-input', `${code.slice(0, 3)}U`);
    assert.match(await page.textContent('#code-status'), /Character 4 cannot be part of a voting code/);
    assert.equal(await page.getAttribute('#code-input', 'aria-invalid'), 'true');
    await page.fill('#code-input', '');
    await page.type('#code-input', withTypo(code));
    assert.match(await page.textContent('#code-status'), /typing mistake/);
    await page.click('#code-submit');
    assert.equal(await currentScreen(page), 'code', 'a mistyped code does not open a ballot');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'code-input', 'focus returns to the code');
    // Look-alike letters are accepted: O for 0, I or L for 1, any case.
    await page.fill('#code-input', '');
    await page.type('#code-input', code.replace(/0/g, 'o').replace(/1/g, 'l').toLowerCase());
    assert.match(await page.textContent('#code-status'), /looks right/);
    await page.click('#code-submit');
    await waitForScreen(page, 'ballot');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a revote: the later ballot from the same code lands after the first', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en');
  try {
    const code = takeCode();
    await openPage(page, stack.server.url);
    await enterCode(page, code);
    await choose(page, [0, 0]);
    await reviewAndSeal(page);
    const first = await castAndWaitForReceipt(page);
    await page.click('#receipt-revote');
    await waitForScreen(page, 'code');
    await enterCode(page, code);
    assert.deepEqual(Object.values(await markedChoices(page)).flat(), [], 'the new ballot starts empty');
    await choose(page, [1, 1]);
    await reviewAndSeal(page);
    const second = await castAndWaitForReceipt(page);
    assert.notEqual(first.short, second.short);
    assert.ok(second.index > first.index);
    const entries = await board(stack.server.url);
    const a = entries.find((e) => e.short === first.short);
    const b = entries.find((e) => e.short === second.short);
    assert.equal(a.kind, 'cast');
    assert.equal(b.kind, 'cast');
    assert.equal(JSON.stringify(a.ballot.credential), JSON.stringify(b.ballot.credential), 'same voter');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('looking up tracking codes: found, unknown, malformed, and saved receipts', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'ur');
  try {
    await openPage(page, stack.server.url);
    await enterCode(page, takeCode());
    await choose(page);
    await reviewAndSeal(page);
    const receipt = await castAndWaitForReceipt(page);

    await page.click('#footer-lookup');
    await waitForScreen(page, 'lookup');
    assert.equal(await page.isVisible('#lookup-saved'), true, 'the receipt kept on this device is offered');
    assert.equal(await page.getAttribute('#lookup-saved-list .saved-check', 'class'), 'saved-check saved-ok', 'and it verified');
    await page.fill('#lookup-input', receipt.short.toLowerCase().replace(/-/g, ' '));
    await page.click('#lookup-submit');
    await page.waitForSelector('#lookup-result .result-ok');
    assert.equal(await page.inputValue('#lookup-input'), receipt.short);
    assert.match(await page.textContent('#lookup-result'), new RegExp(`\\b${receipt.index + 1}\\b`), 'voters count from 1');

    const unknown = receipt.short === '0000-0000-0000' ? '0000-0000-0001' : '0000-0000-0000';
    await page.fill('#lookup-input', unknown);
    await page.click('#lookup-submit');
    await page.waitForSelector('#lookup-result .result-bad');
    await check(page, 'ur', '13-lookup-not-found');
    await page.click('#lang-switch');
    assert.match(await page.textContent('#lookup-result'), /No ballot with this tracking code/);
    await check(page, 'en', '13-lookup-not-found');
    await page.click('#lang-switch');

    await page.fill('#lookup-input', 'ABC');
    await page.click('#lookup-submit');
    await page.waitForSelector('#lookup-result [data-t="lookup.badCode"]');

    // The lookup works later too: a fresh visit straight to #lookup offers the kept receipt.
    const later = await context.newPage();
    await later.goto(`${stack.server.url}/#lookup`);
    await waitForScreen(later, 'lookup');
    await later.click('#lookup-saved-list button');
    await later.waitForSelector('#lookup-result .result-ok');
    assert.match(await later.textContent('#lookup-result'), new RegExp(receipt.short));

    // The voter can remove the kept receipts: nothing on this phone then shows that they
    // voted (or voted again), and the board still answers the code typed by hand.
    await later.click('#lookup-forget');
    assert.equal(await later.isVisible('#lookup-saved'), false, 'no receipts offered after forgetting');
    assert.equal(await later.evaluate(() => JSON.parse(localStorage.getItem('amanat.receipts') || '[]').length), 0);
    assert.equal(await later.evaluate(() => document.activeElement.id), 'lookup-title', 'focus returns to the screen title');
    await later.reload();
    await waitForScreen(later, 'lookup');
    assert.equal(await later.isVisible('#lookup-saved'), false, 'still gone after a reload');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('keyboard only: code, ballot, review, seal and cast without a pointer', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en');
  try {
    await openPage(page, stack.server.url);
    await tabTo(page, '#code-input');
    await page.keyboard.type(takeCode());
    await page.keyboard.press('Enter');
    await waitForScreen(page, 'ballot');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'ballot-title', 'focus moves to the new screen');

    const contests = await page.$$eval('#contests fieldset', (s) => s.length);
    for (let i = 0; i < contests; i += 1) {
      await tabTo(page, `#contests fieldset:nth-of-type(${i + 1}) input`);
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowDown');
    }
    const choices = await markedChoices(page);
    assert.ok(Object.values(choices).every((c) => c.length === 1), 'one choice per contest, by keyboard');
    assert.ok(
      await page.$$eval('#contests fieldset', (sets) => sets.every((f) => f.querySelector('input:checked').id.endsWith('-1'))),
      'the arrow key moved each choice to the second candidate',
    );

    await tabTo(page, '#ballot-submit');
    await page.keyboard.press('Enter');
    await waitForScreen(page, 'review');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'review-title');
    await tabTo(page, '#review-seal');
    await page.keyboard.press('Enter');
    await waitForScreen(page, 'tracking');
    await tabTo(page, '#tracking-cast');
    await page.keyboard.press('Enter');
    await waitForScreen(page, 'receipt');
    await tabTo(page, '#lang-switch');
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl', 'the language switch works from the keyboard');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('switching language mid-vote keeps the choices and re-renders the ballot', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en');
  try {
    await openPage(page, stack.server.url);
    await enterCode(page, takeCode());
    await choose(page, [3, 5]);
    const before = await markedChoices(page);
    const legendEn = await page.textContent('#contests legend');
    await page.click('#lang-switch');
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    assert.notEqual(await page.textContent('#contests legend'), legendEn);
    assert.deepEqual(await markedChoices(page), before);
    assert.match(await page.getAttribute('#contests img.symbol', 'alt'), /انتخابی نشان/);
    await page.click('#lang-switch');
    assert.equal(await page.textContent('#contests legend'), legendEn);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('at 320 px wide, in both languages, no screen scrolls sideways', async () => {
  for (const lang of ['en', 'ur']) {
    const { context, page, problems } = await phonePage(stack.browser, stack.server.url, lang);
    try {
      await page.setViewportSize({ width: 320, height: 640 });
      const sideways = async (name) => {
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 320, `${lang} ${name}: the page is ${width} px wide`);
      };
      await openPage(page, stack.server.url);
      await sideways('code');
      await enterCode(page, takeCode());
      await sideways('ballot');
      await choose(page);
      await page.click('#ballot-submit');
      await waitForScreen(page, 'review');
      await sideways('review');
      await page.click('#review-seal');
      await waitForScreen(page, 'tracking');
      await sideways('tracking');
      await castAndWaitForReceipt(page);
      await sideways('receipt');
      await page.click('#receipt-lookup');
      await page.waitForSelector('#lookup-result .board-entries li');
      await sideways('lookup');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }
});
