// Real voters leave: a sealed ballot not yet cast survives a reload, a closed and reopened
// page, and Android's Back button, and brings the voter back to the decision (cast it, or
// discard it and seal again) without losing it or casting it twice. Back and Forward move
// between the page's own steps. A permanent refusal by the box is shown as a refusal, not as
// "will be sent", and the refused ballot is kept as evidence. Codes are read as voters type
// them: Urdu digits, full-width forms, a whole pasted SMS.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  axeViolations,
  board,
  choose,
  currentScreen,
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

const stack = testStack(12);
let nextCode = 0;
const takeCode = () => stack.election.codes[nextCode++].code;

async function check(page, lang, name) {
  await screenshot(page, `${lang}-${name}`);
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe on ${lang} ${name}: ${JSON.stringify(violations, null, 2)}`);
}

const text = async (page, selector) => (await page.textContent(selector)).trim();

/** Goes Back (or Forward) in the browser's history as the phone's Back button does. */
async function historyStep(page, direction, expected) {
  await page.evaluate((d) => (d < 0 ? history.back() : history.forward()), direction);
  await waitForScreen(page, expected);
  // Let a popstate handler that puts an entry back on top finish.
  await page.waitForTimeout(100);
}

/** Every entry of `code` (tracking code) on the board. */
async function onBoard(code) {
  return (await board(stack.server.url)).filter((e) => e.short === code);
}

/** Nothing the voter chose or typed is kept: only sealed ballots. */
async function assertNoSecrets(page, code) {
  const everything = JSON.stringify(await page.evaluate(() => ({ ...localStorage })));
  assert.ok(!everything.includes(code) && !everything.includes(code.replace(/-/g, '')), 'no voting code stored');
  assert.ok(!/"seed"|"selections"/.test(everything), 'no seed or choices stored');
}

for (const lang of ['en', 'ur']) {
  describe(`leaving at the sealed step (${lang})`, () => {
    test('reload, Back, close and reopen: the sealed ballot waits for cast or discard, then is cast once', async () => {
      const { context, page, problems } = await phonePage(stack.browser, stack.server.url, lang, { serviceWorkers: 'block' });
      try {
        await openPage(page, stack.server.url);
        const code = takeCode();
        await enterCode(page, code);
        await choose(page, [1, 1]);
        const tracking = await reviewAndSeal(page);
        assert.equal(await text(page, '#tracking-title'), say(lang, 'tracking.title'));
        assert.equal(await text(page, '#tracking-status'), say(lang, 'tracking.notCast'));
        const [held] = await stored(page, 'amanat.sealed');
        assert.equal(held.trackingCode, tracking, 'the sealed ballot is kept from the moment it is sealed');
        await assertNoSecrets(page, code);
        await check(page, lang, '30-tracking-not-cast');

        // Reload: the browser asks first, and the page comes back to the decision.
        let prompted = 0;
        page.on('dialog', async (dialog) => {
          if (dialog.type() === 'beforeunload') prompted += 1;
          await dialog.accept();
        });
        await page.reload();
        await waitForScreen(page, 'tracking');
        assert.equal(prompted, 1, 'leaving with a sealed ballot not cast asks first');
        assert.equal(await text(page, '#tracking-code'), tracking);
        assert.equal(await page.isVisible('#tracking-resumed'), true);
        assert.equal(await text(page, '#tracking-resumed'), say(lang, 'tracking.resumed'));
        assert.equal(await page.isVisible('#tracking-challenge'), false, 'a check needs a fresh seal');
        assert.equal(await page.isVisible('#tracking-no-check'), true);
        await check(page, lang, '31-tracking-resumed');

        // Back (Android's button): still the decision, and the voter is told why.
        await page.evaluate(() => history.back());
        await page.waitForSelector('#tracking-leave-first:not([hidden])');
        assert.equal(await currentScreen(page), 'tracking');
        assert.equal(await text(page, '#tracking-leave-first'), say(lang, 'tracking.leaveFirst'));
        assert.equal(new URL(page.url()).origin, stack.server.url, 'Back did not leave the page');
        await check(page, lang, '32-tracking-back');

        // Closed and opened again in the same browser: the decision again, the same ballot.
        const reopened = await context.newPage();
        await page.close({ runBeforeUnload: false });
        await reopened.goto(`${stack.server.url}/`);
        await waitForScreen(reopened, 'tracking');
        assert.equal(await text(reopened, '#tracking-code'), tracking);
        assert.equal((await onBoard(tracking)).length, 0, 'nothing was sent before the voter cast');

        await reopened.click('#tracking-cast');
        await waitForScreen(reopened, 'receipt');
        assert.equal(await text(reopened, '#receipt-short'), tracking);
        assert.deepEqual(await stored(reopened, 'amanat.sealed'), []);
        assert.deepEqual(await stored(reopened, 'amanat.outbox'), []);

        // Cast once; a reload now is an ordinary start, with nothing to decide.
        await reopened.reload();
        await waitForScreen(reopened, 'code');
        assert.equal((await onBoard(tracking)).length, 1, 'cast exactly once');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  });
}

test('discarding the sealed ballot: in the session back to the review, after a reload back to the start; nothing sent', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
  try {
    page.on('dialog', (dialog) => dialog.accept());
    await openPage(page, stack.server.url);
    await enterCode(page, takeCode());
    await choose(page, [2, 2]);
    const first = await reviewAndSeal(page);
    await page.click('#tracking-discard');
    await waitForScreen(page, 'review');
    assert.deepEqual(await stored(page, 'amanat.sealed'), []);

    await page.click('#review-seal');
    await waitForScreen(page, 'tracking');
    const second = await text(page, '#tracking-code');
    assert.notEqual(second, first, 'sealed again, fresh');
    await page.reload();
    await waitForScreen(page, 'tracking');
    await page.click('#tracking-discard');
    await waitForScreen(page, 'code');
    assert.deepEqual(await stored(page, 'amanat.sealed'), []);
    assert.deepEqual(await stored(page, 'amanat.outbox'), []);
    await page.reload();
    await waitForScreen(page, 'code');
    assert.equal((await onBoard(first)).length + (await onBoard(second)).length, 0, 'a discarded ballot is never sent');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('Back and Forward move between the steps, never off the page mid-vote', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
  try {
    page.on('dialog', (dialog) => dialog.accept());
    await openPage(page, stack.server.url);
    const code = takeCode();
    await enterCode(page, code);
    await choose(page, [1, 2]);
    await page.click('#ballot-submit');
    await waitForScreen(page, 'review');

    await historyStep(page, -1, 'ballot');
    assert.equal(await page.locator('#contests input:checked').count(), 2, 'the choices are still marked');
    await historyStep(page, -1, 'code');
    assert.equal(await page.inputValue('#code-input'), code, 'the code is still there, not an empty box');
    await historyStep(page, 1, 'ballot');
    await historyStep(page, 1, 'review');
    assert.ok((await page.locator('#review-list > *').count()) > 0, 'the review still shows the choices');

    await page.click('#review-seal');
    await waitForScreen(page, 'tracking');
    const tracking = await text(page, '#tracking-code');
    await historyStep(page, -1, 'tracking');
    await page.waitForSelector('#tracking-leave-first:not([hidden])');
    await historyStep(page, -1, 'tracking');
    assert.equal(new URL(page.url()).origin, stack.server.url);

    await page.click('#tracking-cast');
    await waitForScreen(page, 'receipt');
    // After casting, Back goes to the start (the choices are wiped), never to an empty review.
    await historyStep(page, -1, 'code');
    assert.equal(await page.inputValue('#code-input'), '');
    assert.equal((await onBoard(tracking)).length, 1);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

const REFUSALS = [
  { lang: 'en', status: 403, code: 'UNKNOWN_CREDENTIAL' },
  { lang: 'ur', status: 409, code: 'POLLS_CLOSED' },
];

for (const { lang, status, code: refusal } of REFUSALS) {
  test(`a refusal by the box (${status} ${refusal}, ${lang}) is shown as a refusal, and the ballot kept as evidence`, async () => {
    const { context, page, problems } = await phonePage(stack.browser, stack.server.url, lang, { serviceWorkers: 'block' });
    try {
      let refusals = 0;
      await context.route('**/api/ballots', async (route) => {
        refusals += 1;
        await route.fulfill({ status, json: { error: { code: refusal, message: 'refused' } } });
      });
      await openPage(page, stack.server.url);
      await enterCode(page, takeCode());
      await choose(page, [0, 1]);
      const tracking = await reviewAndSeal(page);
      await page.click('#tracking-cast');
      await waitForScreen(page, 'refused');
      assert.equal(await text(page, '#refused-title'), say(lang, 'refused.title'));
      assert.equal(await text(page, '#refused-tracking'), tracking);
      assert.equal(await text(page, '#refused-code'), refusal);
      assert.equal(await text(page, '#refused-reason'), say(lang, `errors.${refusal}`));
      assert.equal(await text(page, '#refused-todo'), say(lang, `refused.todo.${refusal}`));
      const shown = await page.innerText('main');
      assert.ok(!shown.includes(say(lang, 'outbox.explain')) && !shown.includes(say(lang, 'outbox.title')), 'not "will be sent automatically"');
      const [kept] = await stored(page, 'amanat.outbox');
      assert.equal(kept.trackingCode, tracking, 'kept as evidence, not dropped');
      assert.equal(kept.refused.code, refusal);
      await check(page, lang, '33-refused');

      // Reopened: never sent again, and a banner leads back to the refusal.
      await page.reload();
      await waitForScreen(page, 'code');
      await page.waitForSelector('#outbox-banner.banner-bad:not([hidden])');
      assert.equal(await text(page, '#outbox-banner-text'), say(lang, 'refused.banner', { code: tracking }));
      await check(page, lang, '34-refused-banner');
      await page.click('#outbox-banner-details');
      await waitForScreen(page, 'refused');
      assert.equal(refusals, 1, 'a refused ballot is never sent again');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

const URDU_DIGITS = 0x06f0;
const ARABIC_INDIC_DIGITS = 0x0660;
const withDigits = (code, zero) => code.replace(/[0-9]/g, (d) => String.fromCodePoint(zero + Number(d)));
const fullWidth = (code) => code.replace(/[0-9A-Z]/g, (c) => String.fromCodePoint(c.codePointAt(0) + 0xfee0));

for (const lang of ['en', 'ur']) {
  test(`codes as voters type them (${lang}): Urdu and Arabic-Indic digits, full width, a pasted SMS`, async () => {
    const { context, page, problems } = await phonePage(stack.browser, stack.server.url, lang, { serviceWorkers: 'block' });
    try {
      await openPage(page, stack.server.url);
      const code = stack.election.codes.find((c) => /[0-9]/.test(c.code)).code;

      for (const typed of [withDigits(code, URDU_DIGITS), withDigits(code, ARABIC_INDIC_DIGITS), fullWidth(code)]) {
        await page.fill('#code-input', '');
        await page.type('#code-input', typed);
        assert.equal(await page.inputValue('#code-input'), code, `read ${typed}`);
        assert.equal(await text(page, '#code-status'), say(lang, 'code.valid'));
        assert.equal(await text(page, '#code-note'), say(lang, 'code.digitsRead'));
      }
      await check(page, lang, '35-code-urdu-digits');

      const sms = `Your Amanat voting code is ${code}. Keep it secret. ECP`;
      for (const message of [sms, `Amanat code ${code.replace(/-/g, ' ')} keep it secret`, withDigits(sms, URDU_DIGITS)]) {
        await page.fill('#code-input', message);
        assert.equal(await page.inputValue('#code-input'), code, `found in ${message}`);
        assert.equal(await text(page, '#code-note'), say(lang, 'code.foundInMessage'));
      }
      await check(page, lang, '36-code-pasted-sms');
      await page.click('#code-submit');
      await waitForScreen(page, 'ballot');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

test('the typing feedback stays in view above the on-screen keyboard', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'ur', { serviceWorkers: 'block' });
  try {
    await openPage(page, stack.server.url);
    const code = stack.election.codes[0].code;
    await page.click('#code-input');
    // The keyboard opens: the visible part of the screen shrinks to its upper part.
    const keyboardOpen = { width: 360, height: 400 };
    await page.setViewportSize(keyboardOpen);
    await page.keyboard.type(code.slice(0, 6));
    await page.waitForTimeout(400);
    const seen = async (selector) => {
      const box = await page.locator(selector).boundingBox();
      return box.y >= 0 && box.y + box.height <= keyboardOpen.height;
    };
    assert.equal(await text(page, '#code-status'), say('ur', 'code.progress', { typed: 5 }));
    assert.ok(await seen('#code-status'), 'the progress is visible above the keyboard');
    assert.ok(await seen('#code-input'), 'the box is visible above the keyboard');
    await page.keyboard.type(code.slice(6, 14).replace(/[0-9A-Z]/, (c) => (c === 'Z' ? 'Y' : 'Z')));
    assert.ok(await seen('#code-status'));
    await screenshot(page, 'ur-37-code-keyboard');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
