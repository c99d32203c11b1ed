// Large text: the ballot at 200% zoom (a 360 px phone zoomed to 200% is 180 CSS px wide at
// device scale 2) and with the system's text at 200% (Chromium's default font size doubled,
// as Android's font-size setting does to a page), in both languages. No candidate name or
// party may be broken inside a word (every name's box is at least as wide as its longest
// word, so no word is split into letters and no Urdu word comes apart), and only one of the
// two step lists (the five steps, or "Step 2 of 5") is shown. Screens 40 (zoom) and 41 (text).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axeViolations, enterCode, openPage, screenshot, testStack } from './harness.mjs';

const stack = testStack(2);

const SETTINGS = {
  zoom: { viewport: { width: 180, height: 370 }, deviceScaleFactor: 2, fontSize: null },
  font: { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, fontSize: 32 },
};

async function largePage(lang, how) {
  const setting = SETTINGS[how];
  const context = await stack.browser.newContext({
    viewport: setting.viewport,
    deviceScaleFactor: setting.deviceScaleFactor,
    isMobile: true,
    hasTouch: true,
    locale: lang === 'ur' ? 'ur-PK' : 'en-GB',
  });
  const page = await context.newPage();
  if (setting.fontSize) {
    // The browser's default text size, which the page's rem and em follow.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Page.setFontSizes', { fontSizes: { standard: setting.fontSize, fixed: setting.fontSize } });
  }
  return { context, page };
}

/** Per name and party on the ballot: its text, its box's width and its longest word's width. */
function wordFit(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('#contests .option-name, #contests .option-party')].map((el) => {
      let longest = 0;
      for (const word of el.textContent.split(/\s+/).filter(Boolean)) {
        const probe = document.createElement('span');
        probe.style.cssText = 'display:inline-block;white-space:nowrap;position:absolute;visibility:hidden';
        probe.textContent = word;
        el.append(probe);
        longest = Math.max(longest, probe.getBoundingClientRect().width);
        probe.remove();
      }
      return { text: el.textContent, width: el.getBoundingClientRect().width, longest };
    }),
  );
}

/** The step lists the voter can see. */
function visibleStepLists(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.steps ol, .steps .steps-compact')]
      .filter((el) => getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0)
      .map((el) => el.className || el.tagName.toLowerCase()),
  );
}

for (const [how, number] of [['zoom', 40], ['font', 41]]) {
  for (const lang of ['en', 'ur']) {
    test(`${how === 'zoom' ? '200% zoom' : '200% system text'}, ${lang}: every name whole, one step list`, async () => {
      const { context, page } = await largePage(lang, how);
      try {
        await openPage(page, stack.server.url);
        await page.evaluate(() => document.fonts.ready);
        assert.deepEqual(await visibleStepLists(page), ['steps-compact'], 'the code step shows "Step 1 of 5" only');
        await enterCode(page, stack.election.codes[0].code);
        await page.evaluate(() => document.fonts.ready);
        assert.deepEqual(await visibleStepLists(page), ['steps-compact'], 'the ballot shows "Step 2 of 5" only');
        const fits = await wordFit(page);
        assert.ok(fits.length >= 20, `names and parties on the ballot: ${fits.length}`);
        for (const f of fits) {
          assert.ok(f.longest > 0, `"${f.text}" has a measurable word`);
          assert.ok(f.width + 0.5 >= f.longest, `"${f.text}" is ${f.width.toFixed(1)} px wide, its longest word ${f.longest.toFixed(1)} px`);
        }
        await page.locator('#contests fieldset').first().scrollIntoViewIfNeeded();
        await screenshot(page, `${lang}-${number}-${how}-ballot`);
        assert.deepEqual(await axeViolations(page), []);
      } finally {
        await context.close();
      }
    });
  }
}

test('at normal size on a 360 px phone the five steps show, and the compact line does not', async () => {
  const context = await stack.browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  try {
    await openPage(page, stack.server.url);
    assert.deepEqual(await visibleStepLists(page), ['ol']);
    await enterCode(page, stack.election.codes[1].code);
    const fits = await wordFit(page);
    for (const f of fits) assert.ok(f.width + 0.5 >= f.longest, `"${f.text}"`);
  } finally {
    await context.close();
  }
});
