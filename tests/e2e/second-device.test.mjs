// The second-device seal check, receipts checked anywhere and the box's files compared, on the
// observer page (observer/, served by a static server of its own on another loopback port: another
// origin than the box). The voter's page challenges a ballot and shows its seal code as a QR
// code; a second Chromium, whose camera is Chromium's fake device playing a video made from a
// screenshot of that QR code, scans it on the observer page and shows the same choices. The
// typed text form works too; a tampered seal code, and a ballot missing from the board, are
// flagged as evidence. A real receipt passes, a tampered one fails with its code; the receipt's
// QR code, shown by the voter page, is read from a screenshot and by the camera; the demo box
// serves its published files, and a list with one hash changed is reported. Axe on every new
// screen in both languages; screenshots at 360 px in test-artifacts/screens/.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import {
  PHONE,
  amanatBinary,
  axeViolations,
  castAndWaitForReceipt,
  choose,
  enterCode,
  markedChoices,
  openPage,
  phonePage,
  reviewAndSeal,
  screenshot,
  stored,
  testStack,
  waitForScreen,
} from './harness.mjs';
import { startObserverServer } from './observer-server.mjs';

const stack = testStack(5);
let nextCode = 0;
const takeCode = () => stack.election.codes[nextCode++].code;
let observer;
const scratch = mkdtempSync(join(tmpdir(), 'amanat-second-'));

before(async () => {
  observer = await startObserverServer();
});
after(async () => {
  if (observer) await observer.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function check(page, name) {
  const lang = await page.getAttribute('html', 'lang');
  await screenshot(page, `observer-${lang}-${name}`);
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe on ${lang} ${name}: ${JSON.stringify(violations, null, 2)}`);
}

/** Both languages of the observer page's current screen pass axe (switching back after). */
async function checkBoth(page, name) {
  await check(page, name);
  await page.click('#lang-switch');
  await check(page, name);
  await page.click('#lang-switch');
}

/** A phone-sized observer page at `hash` in `browser`, English first. */
async function observerPage(browser, hash, { init, ...options } = {}) {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'en-GB', ...options });
  if (init) await context.addInitScript(init.script, init.arg);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  await page.goto(`${observer.url}/#${hash}`);
  await page.waitForSelector('html[data-ready="true"]');
  return { context, page, problems };
}

/** The voter seals `pick` and checks the seal; resolves to {code, choices, text}. */
async function challengeOnPhone(page, pick) {
  await openPage(page, stack.server.url);
  await enterCode(page, takeCode());
  await choose(page, pick);
  const choices = await markedChoices(page);
  const code = await reviewAndSeal(page);
  await page.click('#tracking-challenge');
  await waitForScreen(page, 'challenge');
  await page.waitForSelector('#challenge-second:not([hidden]) #challenge-second-qr svg');
  const text = (await page.textContent('#challenge-second-text')).trim();
  return { code, choices, text };
}

/**
 * A Y4M video (one 640×480 frame, 4:2:0) of the PNG `png` centred on white, for Chromium's fake
 * camera. The PNG's pixels are read in a browser page (a canvas), scaled to `size` px.
 */
async function y4mOf(browser, png, path, size = 360) {
  const page = await browser.newPage();
  const [w, h] = [640, 480];
  const rgba = await page.evaluate(async ({ data, w, h, size }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${data}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, w, h);
    context.imageSmoothingEnabled = false;
    context.drawImage(img, (w - size) / 2, (h - size) / 2, size, size);
    return Array.from(context.getImageData(0, 0, w, h).data);
  }, { data: png.toString('base64'), w, h, size });
  await page.close();
  const y = Buffer.alloc(w * h);
  for (let i = 0; i < w * h; i += 1) {
    y[i] = Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
  }
  const chroma = Buffer.alloc((w / 2) * (h / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  writeFileSync(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]));
}

/** Reads the seal code on the observer page (already filled in), asks the board, waits for the result. */
async function fetchAndWait(page) {
  await page.waitForSelector('#seal-confirm:not([hidden])');
  await page.click('#seal-fetch');
  await page.waitForSelector('#seal-result:not([hidden]) #seal-result-heading');
}

/** What clicking the download link `selector` saves, as text. */
async function downloaded(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return readFileSync(await download.path(), 'utf8');
}

const shownChoices = (page) =>
  page.$$eval('#seal-choices [data-option]', (items) => items.map((li) => li.getAttribute('data-option')).sort());
const checkResults = (page) =>
  page.$$eval('#seal-checks li', (items) => items.map((li) => [li.getAttribute('data-check'), li.getAttribute('data-ok') === 'true']));

test('the voter page shows the seal code; the observer page scans it with the camera and shows the same choices', async () => {
  const { page: phone, context: phoneContext, problems } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
  let scanner;
  try {
    const { choices, text, code } = await challengeOnPhone(phone, [1, 2]);
    assert.match(text, new RegExp(`^AMANAT-SEAL1 ${stack.server.url} ${code} [0-9A-Z]{52} [0-9./-]+$`));
    // The QR code says the same as the text form (decoded by the same library the observer
    // page falls back on), and has a text alternative.
    assert.equal(await phone.getAttribute('#challenge-second-qr svg', 'role'), 'img');
    await phone.evaluate(() => document.querySelector('#challenge-second').scrollIntoView());
    for (const lang of ['en', 'ur']) {
      if (lang === 'ur') await phone.click('#lang-switch');
      await screenshot(phone, `${lang}-20-challenge-second-device`);
      const violations = await axeViolations(phone);
      assert.deepEqual(violations, [], `axe on the voter's seal code (${lang}): ${JSON.stringify(violations, null, 2)}`);
    }
    assert.ok((await phone.getAttribute('#challenge-second-qr svg', 'aria-label')).length > 5);
    await phone.click('#lang-switch');
    // Nothing of the reveal is kept on the phone.
    assert.ok(!/"seed"|"selections"/.test(JSON.stringify(await phone.evaluate(() => ({ ...localStorage })))));

    // The QR code, as the camera of another phone sees it.
    const png = await phone.locator('#challenge-second-qr svg').screenshot();
    const video = join(scratch, 'qr.y4m');
    await y4mOf(stack.browser, png, video);
    scanner = await fakeCameraBrowser(video);
    const { page, context, problems: observerProblems } = await observerPage(scanner, 'seal');
    await context.grantPermissions(['camera'], { origin: observer.url });
    await checkBoth(page, 'seal-start');
    await page.click('#seal-scan');
    await page.waitForSelector('#seal-confirm:not([hidden])', { timeout: 20_000 });
    assert.equal((await page.inputValue('#seal-input')).trim(), text, 'the scanned code is the text form');
    // The board's address is shown before anything is fetched from it.
    assert.equal((await page.textContent('#seal-confirm .origin-value')).trim(), stack.server.url);
    await checkBoth(page, 'seal-confirm');
    await fetchAndWait(page);
    assert.deepEqual(await checkResults(page), [['onBoard', true], ['ballot', true], ['opens', true], ['boardAgrees', true]]);
    assert.deepEqual(await shownChoices(page), Object.values(choices).flat().sort());
    assert.equal(await page.isVisible('#seal-evidence'), false);
    await checkBoth(page, 'seal-ok');
    // In Urdu the candidates' names are the election's Urdu names.
    await page.click('#lang-switch');
    const urduNames = await page.$$eval('#seal-choices .choice-name', (n) => n.map((x) => x.textContent));
    assert.ok(urduNames.every((n) => /[\u0600-\u06FF]/.test(n)), urduNames.join());
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    await page.click('#lang-switch');
    assert.deepEqual(observerProblems, []);
    await context.close();

    // Where the browser has its own QR detector (BarcodeDetector: Chrome on Android, Safari;
    // not headless Chromium on Linux, so a stand-in here), the page uses it on the camera's
    // frames and never loads jsQR; where the detector reads no QR codes, jsQR reads them.
    for (const formats of [['qr_code', 'ean_13'], ['ean_13']]) {
      const init = {
        script: ({ formats: supported, value }) => {
          window.detections = 0;
          window.BarcodeDetector = class {
            static async getSupportedFormats() { return supported; }
            constructor({ formats: asked }) {
              if (!asked.includes('qr_code')) throw new TypeError('no qr_code asked for');
            }
            async detect(source) {
              if (!(source instanceof HTMLVideoElement)) throw new TypeError('not the camera');
              window.detections += 1;
              return window.detections < 3 ? [] : [{ format: 'qr_code', rawValue: value }];
            }
          };
        },
        arg: { formats, value: text },
      };
      const own = await observerPage(scanner, 'seal', { init });
      await own.context.grantPermissions(['camera'], { origin: observer.url });
      const jsQrAsked = [];
      own.page.on('request', (r) => { if (/jsQR/.test(r.url())) jsQrAsked.push(r.url()); });
      await own.page.click('#seal-scan');
      await own.page.waitForSelector('#seal-confirm:not([hidden])', { timeout: 20_000 });
      assert.equal((await own.page.inputValue('#seal-input')).trim(), text, `scanned with ${formats}`);
      const detections = await own.page.evaluate(() => window.detections);
      if (formats.includes('qr_code')) {
        assert.ok(detections >= 3, `the detector read the frames (${detections})`);
        assert.deepEqual(jsQrAsked, [], 'jsQR not loaded beside the detector');
      } else {
        assert.equal(detections, 0);
        assert.equal(jsQrAsked.length, 1, 'jsQR loaded where the detector reads no QR codes');
      }
      assert.deepEqual(own.problems, []);
      await own.context.close();
    }
  } finally {
    if (scanner) await scanner.close();
    await phoneContext.close();
  }
  assert.deepEqual(problems, []);
});

test('the typed seal code works; a tampered one and a ballot missing from the board are evidence', async () => {
  const { page: phone, context: phoneContext } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
  const { page, context, problems } = await observerPage(stack.browser, 'seal');
  try {
    const { choices, text, code } = await challengeOnPhone(phone, [0, 1]);
    // The challenge receipt can be shown as a QR code too.
    await phone.waitForSelector('#challenge-receipt:not([hidden])');
    await phone.click('#challenge-receipt-qr-show');
    await phone.waitForSelector('#challenge-receipt-qr:not([hidden]) svg[role="img"]');
    assert.ok((await phone.getAttribute('#challenge-receipt-qr svg', 'aria-label')).includes(code));
    // The copy button puts the text form on the clipboard, and says so.
    await phoneContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.server.url });
    await phone.click('#challenge-second-copy');
    await phone.waitForSelector('#challenge-second-copied[data-t="challenge.second.copied"]');
    assert.equal(await phone.evaluate(() => navigator.clipboard.readText()), text);
    const typed = async (value) => {
      await page.fill('#seal-input', value);
      await page.click('#seal-read');
    };

    // Typed (with its line broken, as a copy may do).
    await typed(text.replace(/ /g, '\n'));
    await fetchAndWait(page);
    assert.deepEqual((await checkResults(page)).map(([, ok]) => ok), [true, true, true, true]);
    assert.deepEqual(await shownChoices(page), Object.values(choices).flat().sort());

    // Not a seal code at all: said at the field, nothing fetched.
    await typed('hello');
    assert.equal(await page.getAttribute('#seal-input', 'aria-invalid'), 'true');
    assert.match(await page.textContent('#seal-input-error'), /not a seal code/);
    await checkBoth(page, 'seal-input-error');
    await typed(text.replace('AMANAT-SEAL1 http', 'AMANAT-SEAL1 ftp'));
    assert.match(await page.textContent('#seal-input-error'), /web address/);

    // Another choice than the one sealed: the board's ballot does not hold it.
    const parts = text.split(' ');
    const [first, ...rest] = parts[4].split('/');
    const other = String(first === '1' ? 2 : 1);
    await typed([...parts.slice(0, 4), [other, ...rest].join('/')].join(' '));
    await fetchAndWait(page);
    let results = Object.fromEntries(await checkResults(page));
    assert.deepEqual(results, { onBoard: true, ballot: true, opens: false, boardAgrees: false });
    assert.equal((await page.textContent('#seal-checks [data-check="opens"] .code')).trim(), 'VERIFICATION_FAILED');
    assert.equal(await page.isVisible('#seal-evidence'), true);
    assert.equal(await page.getAttribute('#seal-evidence', 'role'), 'alert');
    const evidence = JSON.parse(await downloaded(page, '#seal-evidence a'));
    assert.equal(evidence.kind, 'amanat-seal-check');
    assert.equal(evidence.board, stack.server.url);
    assert.equal(evidence.boardAnswer.entries[0].kind, 'challenge');
    await checkBoth(page, 'seal-tampered');

    // A changed seed: also refused.
    const seed = parts[3];
    const changed = (seed[0] === 'A' ? 'B' : 'A') + seed.slice(1);
    await typed([...parts.slice(0, 3), changed, parts[4]].join(' '));
    await fetchAndWait(page);
    results = Object.fromEntries(await checkResults(page));
    assert.equal(results.opens, false);

    // A ballot the box never put on the board (its challenge did not reach it).
    await phoneContext.route('**/api/challenges', (route) => route.abort());
    await phone.click('#challenge-back');
    await waitForScreen(phone, 'review');
    await phone.click('#review-seal');
    await waitForScreen(phone, 'tracking');
    await phone.click('#tracking-challenge');
    await phone.waitForSelector('#challenge-second:not([hidden]) #challenge-second-qr svg');
    const missing = (await phone.textContent('#challenge-second-text')).trim();
    await typed(missing);
    await fetchAndWait(page);
    assert.deepEqual(await checkResults(page), [['onBoard', false]]);
    assert.equal((await page.textContent('#seal-checks [data-check="onBoard"] .code')).trim(), 'NOT_ON_BOARD');
    assert.equal(await page.isVisible('#seal-evidence'), true);
    await checkBoth(page, 'seal-missing');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await phoneContext.close();
  }
});

test('a real receipt passes against the box; a tampered one fails with its code', async () => {
  const { page: phone, context: phoneContext } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
  const { page, context, problems } = await observerPage(stack.browser, 'receipt');
  try {
    await openPage(phone, stack.server.url);
    await enterCode(phone, takeCode());
    await choose(phone, [0, 0]);
    await reviewAndSeal(phone);
    const cast = await castAndWaitForReceipt(phone);
    const [receipt] = (await stored(phone, 'amanat.receipts')).filter((r) => r.kind === 'cast');
    assert.equal(receipt.short, cast.short);
    // The file the voter page downloads.
    const file = await downloaded(phone, '#receipt-download');
    assert.ok(!file.trim().startsWith('{'), 'the page\'s receipt file: text for people, then the JSON');

    await checkBoth(page, 'receipt-start');
    // Runs a check and waits for its own answer: a result, or a reason it could not run.
    const runCheck = async () => {
      await page.click('#receipt-check');
      await page.waitForSelector('#receipt-result:not([hidden]), #receipt-error[data-k]');
    };
    await page.fill('#receipt-url', stack.server.url);
    await page.setInputFiles('#receipt-file', { name: 'amanat-receipt.txt', mimeType: 'text/plain', buffer: Buffer.from(file) });
    await runCheck();
    const lines = () => page.$$eval('#receipt-lines li', (items) => items.map((li) => [li.getAttribute('data-check'), li.getAttribute('data-ok') === 'true', li.getAttribute('data-code')]));
    assert.deepEqual(await lines(), [['signature', true, ''], ['board', true, ''], ['counts', true, 'COUNTED']]);
    const heads = await page.$$eval('#receipt-heads-result li', (items) => items.map((li) => li.getAttribute('data-ok')));
    assert.deepEqual(heads, ['true', 'true'], 'the receipt\'s head and the box\'s current head');
    assert.equal(await page.isVisible('#receipt-evidence'), false);
    await checkBoth(page, 'receipt-ok');

    // Pasted, with a field changed on the way.
    await page.setInputFiles('#receipt-file', []);
    await page.fill('#receipt-text', JSON.stringify({ ...receipt, received: receipt.received.replace(/\d(?=Z$)/, (d) => String((Number(d) + 1) % 10)) }));
    await runCheck();
    assert.deepEqual(await lines(), [['signature', false, 'VERIFICATION_FAILED']]);
    assert.equal(await page.isVisible('#receipt-evidence'), true);
    await checkBoth(page, 'receipt-bad');

    // Archived heads: one the box signed checks; one changed after signing proves nothing
    // and is said to be unsigned, never taken for a fork.
    const head = await (await fetch(`${stack.server.url}/api/head`)).json();
    const flip = (hex) => hex.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const archivedHeads = `${JSON.stringify(head)}\n${JSON.stringify({ ...head, head: flip(head.head) })}\n`;
    await page.fill('#receipt-text', '');
    await page.setInputFiles('#receipt-heads', { name: 'heads.jsonl', mimeType: 'application/json', buffer: Buffer.from(archivedHeads) });
    await runCheck();
    const codes = () => page.$$eval('#receipt-heads-result li', (items) => items.map((li) => li.getAttribute('data-code')));
    assert.deepEqual(await codes(), ['', 'NOT_SIGNED VERIFICATION_FAILED', '']);

    // A box that now shows this observer another board than the one it signed (its answers
    // changed on the way, as a dishonest box would answer): the signed head proves the fork.
    await context.route('**/api/board?*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      for (const e of body.entries) e.hash = flip(e.hash);
      await route.fulfill({ response, json: body });
    });
    await page.setInputFiles('#receipt-heads', { name: 'heads.jsonl', mimeType: 'application/json', buffer: Buffer.from(`${JSON.stringify(head)}\n`) });
    await runCheck();
    assert.deepEqual(await codes(), ['FORKED', 'FORKED'], 'the archived head and the box\'s current one');
    assert.equal(await page.isVisible('#receipt-evidence'), true);
    await context.unroute('**/api/board?*');

    // Against the record (the box's board exported as board.jsonl, and election.json), read as
    // a stream: the receipt and the archived head check; a head of a longer board is MISSING.
    const boardFile = join(scratch, 'board.jsonl');
    const exported = spawnSync(amanatBinary(), ['export-board', '--election', stack.election.dir, '--out', boardFile], { encoding: 'utf8' });
    assert.equal(exported.status, 0, exported.stderr);
    await page.setInputFiles('#receipt-election', join(stack.election.dir, 'election.json'));
    await page.setInputFiles('#receipt-board', boardFile);
    await page.setInputFiles('#receipt-file', { name: 'amanat-receipt.txt', mimeType: 'text/plain', buffer: Buffer.from(file) });
    await page.setInputFiles('#receipt-heads', { name: 'heads.jsonl', mimeType: 'application/json', buffer: Buffer.from(`${JSON.stringify(head)}\n`) });
    await runCheck();
    assert.deepEqual(await lines(), [['signature', true, ''], ['board', true, ''], ['counts', true, 'COUNTED']]);
    assert.deepEqual(await codes(), ['', '']);
    assert.match(await page.textContent('#receipt-result'), /board\.jsonl/);
    await checkBoth(page, 'receipt-record-ok');
    // The record of another election is refused as such.
    const otherElection = JSON.parse(readFileSync(join(stack.election.dir, 'election.json'), 'utf8'));
    const other = spawnSync(amanatBinary(), ['demo-election', '--out', join(scratch, 'other'), '--voters', '1', '--show', '0'], { encoding: 'utf8' });
    assert.equal(other.status, 0, other.stderr);
    assert.ok(otherElection);
    await page.setInputFiles('#receipt-election', join(scratch, 'other', 'election.json'));
    await runCheck();
    assert.equal(await page.getAttribute('#receipt-error', 'data-k'), 'errors.RECORD');
    assert.match(await page.textContent('#receipt-error'), /WRONG_ELECTION/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await phoneContext.close();
  }
});

/** A Chromium whose camera is Chromium's fake device playing the Y4M video at `video`. */
function fakeCameraBrowser(video) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
      '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  });
}

/** The observer's #receipt lines: [check, ok, code]. */
const receiptLines = (page) =>
  page.$$eval('#receipt-lines li', (items) => items.map((li) => [li.getAttribute('data-check'), li.getAttribute('data-ok') === 'true', li.getAttribute('data-code')]));

/** Runs the receipt check on the observer page and waits for its answer. */
async function runReceiptCheck(page) {
  await page.click('#receipt-check');
  await page.waitForSelector('#receipt-result:not([hidden]), #receipt-error[data-k]');
}

/** A PNG of `text` as a QR code drawn by the voter page's own QR module (js/qr.js) on `phone`,
 *  as the receipt's is (error correction L). */
async function qrPng(phone, text) {
  await phone.evaluate(async (value) => {
    const { qrSvg } = await import('/js/qr.js');
    const box = document.createElement('div');
    box.id = 'test-qr';
    box.style.width = '284px';
    box.append(qrSvg(value, 'test', 'L'));
    document.body.prepend(box);
  }, text);
  const png = await phone.locator('#test-qr svg').screenshot();
  await phone.evaluate(() => document.getElementById('test-qr').remove());
  return png;
}

test('the receipt as a QR code: shown on the voter page, read on the observer page from a screenshot and with the camera', async () => {
  // A phone's screen has two or three pixels to a CSS pixel, and so has its screenshot.
  const { page: phone, context: phoneContext, problems } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block', deviceScaleFactor: 2 });
  const { page, context, problems: observerProblems } = await observerPage(stack.browser, 'receipt');
  let scanner;
  try {
    await openPage(phone, stack.server.url);
    await enterCode(phone, takeCode());
    await choose(phone, [1, 1]);
    await reviewAndSeal(phone);
    const vendorAsked = [];
    phone.on('request', (r) => { if (/\/vendor\/|\/js\/qr\.js/.test(r.url())) vendorAsked.push(r.url()); });
    const cast = await castAndWaitForReceipt(phone);
    const [receipt] = (await stored(phone, 'amanat.receipts')).filter((r) => r.kind === 'cast');
    assert.equal(receipt.short, cast.short);
    assert.equal(await phone.isVisible('#receipt-qr'), false);
    assert.deepEqual(vendorAsked, [], 'the QR code library is not fetched before it is asked for');

    // Shown on asking, with a text alternative that names the tracking code in each language.
    await phone.click('#receipt-qr-show');
    await phone.waitForSelector('#receipt-qr:not([hidden]) svg');
    assert.equal(await phone.getAttribute('#receipt-qr-show', 'aria-expanded'), 'true');
    assert.equal(await phone.getAttribute('#receipt-qr svg', 'role'), 'img');
    assert.ok(vendorAsked.some((u) => u.endsWith('/js/qr.js')), vendorAsked.join());
    await phone.evaluate(() => document.querySelector('#receipt-qr').scrollIntoView());
    for (const lang of ['en', 'ur']) {
      if (lang === 'ur') await phone.click('#lang-switch');
      const label = await phone.getAttribute('#receipt-qr svg', 'aria-label');
      assert.ok(label.includes(receipt.short), label);
      if (lang === 'ur') assert.match(label, /[\u0600-\u06FF]/);
      await screenshot(phone, `${lang}-25-receipt-qr`);
      const violations = await axeViolations(phone);
      assert.deepEqual(violations, [], `axe on the receipt's QR code (${lang}): ${JSON.stringify(violations, null, 2)}`);
    }
    await phone.click('#lang-switch');
    const png = await phone.locator('#receipt-qr svg').screenshot();
    const file = await downloaded(phone, '#receipt-download');

    // The file, then the screenshot of the QR code: the same three lines.
    await page.fill('#receipt-url', stack.server.url);
    await page.setInputFiles('#receipt-file', { name: 'amanat-receipt.txt', mimeType: 'text/plain', buffer: Buffer.from(file) });
    await runReceiptCheck(page);
    const fromFile = await receiptLines(page);
    assert.deepEqual(fromFile, [['signature', true, ''], ['board', true, ''], ['counts', true, 'COUNTED']]);
    await page.setInputFiles('#receipt-image', { name: 'Screenshot.png', mimeType: 'image/png', buffer: png });
    await page.waitForSelector('#receipt-qr-read[data-k], #receipt-qr-error[data-k]');
    assert.equal(await page.getAttribute('#receipt-qr-error', 'data-k'), null, await page.textContent('#receipt-qr-error'));
    const read = await page.inputValue('#receipt-text');
    assert.equal(read, JSON.stringify(receipt), 'the QR code holds the receipt\'s signed JSON, compact');
    assert.ok(!/seed|selections|choices/.test(read));
    assert.equal(await page.inputValue('#receipt-file'), '', 'the picked receipt file is dropped');
    assert.match(await page.textContent('#receipt-qr-read'), new RegExp(receipt.short));
    await checkBoth(page, 'receipt-qr-read');
    await runReceiptCheck(page);
    assert.deepEqual(await receiptLines(page), fromFile);
    assert.equal(await page.isVisible('#receipt-evidence'), false);

    // A picture with no QR code, a file that is no picture, a QR code that is not a receipt:
    // each said at the picture, in both languages.
    const noQr = await phone.locator('#receipt-heading').screenshot();
    await page.setInputFiles('#receipt-image', { name: 'photo.png', mimeType: 'image/png', buffer: noQr });
    await page.waitForSelector('#receipt-qr-error[data-k="qrErrors.NO_QR_CODE"]');
    assert.equal(await page.getAttribute('#receipt-qr-error', 'role'), 'alert');
    await checkBoth(page, 'receipt-qr-none');
    await page.click('#lang-switch');
    assert.match(await page.textContent('#receipt-qr-error'), /[\u0600-\u06FF]/);
    await page.click('#lang-switch');
    await page.setInputFiles('#receipt-image', { name: 'receipt.png', mimeType: 'image/png', buffer: Buffer.from(file) });
    await page.waitForSelector('#receipt-qr-error[data-k="qrErrors.NOT_AN_IMAGE"]');
    await page.setInputFiles('#receipt-image', { name: 'seal.png', mimeType: 'image/png', buffer: await qrPng(phone, 'AMANAT-SEAL1 http://127.0.0.1:1 X') });
    await page.waitForSelector('#receipt-qr-error[data-k="qrErrors.NOT_A_RECEIPT"]');
    assert.equal(await page.inputValue('#receipt-text'), read, 'a QR code that is no receipt changes nothing');

    // A receipt with one hex digit of its signature changed, drawn by the same QR module.
    const response = receipt.signature.response;
    const tampered = { ...receipt, signature: { ...receipt.signature, response: (response[0] === '0' ? '1' : '0') + response.slice(1) } };
    await page.setInputFiles('#receipt-image', { name: 'tampered.png', mimeType: 'image/png', buffer: await qrPng(phone, JSON.stringify(tampered)) });
    await page.waitForFunction((text) => document.querySelector('#receipt-text').value === text, JSON.stringify(tampered));
    await runReceiptCheck(page);
    assert.deepEqual(await receiptLines(page), [['signature', false, 'VERIFICATION_FAILED']]);
    assert.equal(await page.isVisible('#receipt-evidence'), true);
    await checkBoth(page, 'receipt-qr-tampered');

    // Where the browser has its own QR detector, a picture is read by it (as an ImageBitmap)
    // and jsQR is never loaded (a stand-in detector here, as for the seal's camera).
    const own = await observerPage(stack.browser, 'receipt', {
      init: {
        script: (value) => {
          window.BarcodeDetector = class {
            static async getSupportedFormats() { return ['qr_code']; }
            async detect(source) {
              if (!(source instanceof ImageBitmap)) throw new TypeError('not the picture');
              window.detectedSize = [source.width, source.height];
              return [{ format: 'qr_code', rawValue: value }];
            }
          };
        },
        arg: JSON.stringify(receipt),
      },
    });
    const jsQrAsked = [];
    own.page.on('request', (r) => { if (/jsQR/.test(r.url())) jsQrAsked.push(r.url()); });
    // A huge photo is scaled down before it is read.
    const huge = await qrPng(phone, 'x');
    const big = await own.page.evaluate(async (data) => {
      const canvas = new OffscreenCanvas(4000, 3000);
      const img = await createImageBitmap(new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], { type: 'image/png' }));
      canvas.getContext('2d').drawImage(img, 0, 0, 3000, 3000);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
      return btoa(binary);
    }, huge.toString('base64'));
    await own.page.setInputFiles('#receipt-image', { name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from(big, 'base64') });
    await own.page.waitForSelector('#receipt-qr-read[data-k="qrRead"]');
    assert.equal(await own.page.inputValue('#receipt-text'), JSON.stringify(receipt));
    assert.deepEqual(await own.page.evaluate(() => window.detectedSize), [1600, 1200]);
    assert.deepEqual(jsQrAsked, [], 'jsQR not loaded beside the detector');
    assert.deepEqual(own.problems, []);
    await own.context.close();

    // The camera of another phone, pointed at the voter's screen.
    const video = join(scratch, 'receipt-qr.y4m');
    await y4mOf(stack.browser, png, video, 440);
    scanner = await fakeCameraBrowser(video);
    const camera = await observerPage(scanner, 'receipt');
    await camera.context.grantPermissions(['camera'], { origin: observer.url });
    await checkBoth(camera.page, 'receipt-qr-start');
    await camera.page.fill('#receipt-url', stack.server.url);
    await camera.page.click('#receipt-scan');
    await camera.page.waitForSelector('#receipt-qr-read[data-k="qrRead"]', { timeout: 20_000 });
    assert.equal(await camera.page.inputValue('#receipt-text'), JSON.stringify(receipt));
    assert.equal(await camera.page.isVisible('#receipt-video'), false, 'the camera stops once a receipt is read');
    await runReceiptCheck(camera.page);
    assert.deepEqual(await receiptLines(camera.page), fromFile);
    assert.deepEqual(camera.problems, []);
    await camera.context.close();
    assert.deepEqual(observerProblems, []);
  } finally {
    if (scanner) await scanner.close();
    await context.close();
    await phoneContext.close();
  }
  assert.deepEqual(problems, []);
});

test('the demo box serves its published files; a list with one hash changed is reported', async () => {
  const { page, context, problems } = await observerPage(stack.browser, 'files');
  try {
    await checkBoth(page, 'files-start');
    await page.fill('#files-url', `${stack.server.url}/`);
    await page.click('#files-check');
    await page.waitForSelector('#files-result:not([hidden])', { timeout: 60_000 });
    const published = JSON.parse(readFileSync(join(stack.election.dir, 'served-files.json'), 'utf8'));
    const total = Object.keys(published.files).length;
    const rows = () => page.$$eval('#files-table tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-path'), tr.getAttribute('data-verdict')]));
    const all = await rows();
    assert.equal(all.length, total);
    assert.ok(all.every(([, v]) => v === 'same'), JSON.stringify(all.filter(([, v]) => v !== 'same')));
    assert.ok(all.some(([p]) => p === '/pkg/amanat_simd_bg.wasm.br'), 'precompressed copies are compared by their own names');
    assert.equal(await page.isVisible('#files-evidence'), false);
    await checkBoth(page, 'files-ok');

    // The published list says another hash for the app's script than the box serves.
    const changed = { files: { ...published.files, '/js/app.js': '0'.repeat(64) } };
    await page.setInputFiles('#files-list', { name: 'served-files.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(changed)) });
    await page.click('#files-check');
    await page.waitForSelector('#files-list-differs', { timeout: 60_000 });
    const bad = (await rows()).filter(([, v]) => v !== 'same');
    assert.deepEqual(bad, [['/js/app.js', 'DIFFERS']]);
    assert.match(await page.textContent('#files-summary'), new RegExp(`${total - 1} of ${total} .* 1 not`));
    assert.equal(await page.isVisible('#files-evidence'), true);
    await checkBoth(page, 'files-bad');

    // Not a box's address.
    await page.fill('#files-url', 'javascript:alert(1)');
    await page.click('#files-check');
    assert.match(await page.textContent('#files-error'), /box's address/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

/** Whether anything on the page is wider than the screen (a sideways scroll). */
const overflows = (page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);

test('at 200% zoom on a 360 px phone (180 CSS px), both pages fit the screen in both languages', async () => {
  const zoomed = { viewport: { width: 180, height: 370 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const phoneContext = await stack.browser.newContext({ ...zoomed, locale: 'en-GB', serviceWorkers: 'block' });
  const phone = await phoneContext.newPage();
  const { page, context } = await observerPage(stack.browser, 'seal', zoomed);
  try {
    const { text, choices } = await challengeOnPhone(phone, [2, 0]);
    for (const lang of ['en', 'ur']) {
      if (lang === 'ur') await phone.click('#lang-switch');
      await phone.evaluate(() => document.querySelector('#challenge-second').scrollIntoView());
      assert.equal(await overflows(phone), false, `the voter's seal code fits (${lang})`);
      const qr = await phone.locator('#challenge-second-qr svg').boundingBox();
      assert.ok(qr.width >= 120 && qr.x >= 0 && qr.x + qr.width <= 180, `the QR code is whole and large enough: ${JSON.stringify(qr)}`);
      await screenshot(phone, `${lang}-21-challenge-second-device-zoom`);
    }
    await page.fill('#seal-input', text);
    await page.click('#seal-read');
    await fetchAndWait(page);
    assert.deepEqual(await shownChoices(page), Object.values(choices).flat().sort());
    for (const lang of ['en', 'ur']) {
      if (lang === 'ur') await page.click('#lang-switch');
      assert.equal(await overflows(page), false, `the observer's result fits (${lang})`);
      await check(page, 'seal-ok-zoom');
    }
  } finally {
    await context.close();
    await phoneContext.close();
  }
});
