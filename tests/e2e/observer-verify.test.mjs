// The observer page's record verification end to end (docs/observer.md): observer-site/
// served with its strict CSP, a record simulated by the CLI served from another loopback
// origin (CORS) or given as files, verified in headless Chromium by the verifier in wasm in
// Web Workers. The page's report must be the very document `amanat verify --json` prints
// for the same record: good, with a ballot's byte changed, with a count changed, with the
// board truncated or a line that does not parse. Axe on the screens in both languages;
// screens go to test-artifacts/screens/observer-*.png.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PHONE, axeViolations, launchBrowser, screenshot } from './harness.mjs';
import { RECORD_FILES, cliReport, serveRecords, serveSite, simulate } from './observer-harness.mjs';

const work = mkdtempSync(join(tmpdir(), 'amanat-observer-'));
const records = join(work, 'records');
const expected = {};
let site;
let recordServer;
let browser;

/** A copy of the good record named `name`, changed by `change(dir)`. */
function variant(good, name, change) {
  const dir = join(records, name);
  cpSync(good, dir, { recursive: true });
  change(dir);
  expected[name] = cliReport(dir);
  return dir;
}

/** Changes one byte of the ballot of the board's line `n` (1-based): the low byte of its first
 *  proof response, still a canonical scalar, another value. */
function flipBallotByte(dir, n) {
  const path = join(dir, 'board.jsonl');
  const lines = readFileSync(path, 'utf8').split('\n');
  const line = lines[n - 1];
  const at = line.indexOf('"response":"') + '"response":"'.length;
  assert.ok(at > 20, 'the ballot has a proof response');
  lines[n - 1] = line.slice(0, at) + (line[at] === '0' ? '1' : '0') + line.slice(at + 1);
  writeFileSync(path, lines.join('\n'));
}

before(async () => {
  const good = simulate(join(work, 'sim'), 40);
  cpSync(good, join(records, 'good'), { recursive: true });
  expected.good = cliReport(join(records, 'good'));
  assert.equal(expected.good.ok, true, 'the simulated record verifies with the CLI');
  variant(good, 'ballot', (dir) => flipBallotByte(dir, 4));
  variant(good, 'results', (dir) => {
    const path = join(dir, 'results.json');
    const results = JSON.parse(readFileSync(path, 'utf8'));
    const [contest] = Object.keys(results.results);
    const [option] = Object.keys(results.results[contest]);
    results.results[contest][option] += 1;
    writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  });
  variant(good, 'truncated', (dir) => {
    const path = join(dir, 'board.jsonl');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length - 5000));
  });
  variant(good, 'malformed', (dir) => {
    const path = join(dir, 'board.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[5] = '{"index": 4, "kind": "cast"}';
    writeFileSync(path, lines.join('\n'));
  });
  variant(good, 'long', (dir) => {
    const path = join(dir, 'board.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[2] = `{"index": 1, "x": "${'x'.repeat(16 * 1024 * 1024)}"}`;
    writeFileSync(path, lines.join('\n'));
  });
  variant(good, 'header', (dir) => {
    const path = join(dir, 'board.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[0] = lines[0].slice(0, 40);
    writeFileSync(path, lines.join('\n'));
  });
  site = await serveSite();
  recordServer = await serveRecords(records);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await recordServer?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A phone-sized page on the site; records requests to anything but the site and the records. */
async function open(lang) {
  const context = await browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    locale: lang === 'ur' ? 'ur-PK' : 'en-GB',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const problems = [];
  context.on('request', (request) => {
    const url = request.url();
    if (![site.url, recordServer.url, 'blob:', 'data:'].some((ok) => url.startsWith(ok))) problems.push(`third-party request: ${url}`);
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${site.url}/#verify`);
  await page.waitForSelector('html[data-ready="true"]');
  await page.waitForSelector('#verify[data-state="start"]');
  return { context, page, problems };
}

async function verifyUrl(page, name) {
  await page.fill('#verify-url', `${recordServer.url}/${name}/`);
  await page.click('#verify-url-form button[type="submit"]');
  return finished(page);
}

async function finished(page) {
  await page.waitForSelector('#verify[data-state="report"], #verify[data-state="error"]', { timeout: 60_000 });
  assert.equal(await page.getAttribute('#verify', 'data-state'), 'report', await page.textContent('#verify-error'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#verify-download')]);
  return JSON.parse(readFileSync(await download.path(), 'utf8'));
}

function shown(page) {
  return page.$$eval('#verify-checks li', (items) => items.map((li) => ({
    id: li.dataset.check,
    bad: li.classList.contains('bad'),
  })));
}

test('a record from an address: the same report as `amanat verify --json`, results with names and symbols', async () => {
  const { context, page, problems } = await open('en');
  assert.deepEqual(await axeViolations(page), [], 'axe on the start screen (en)');
  await screenshot(page, 'observer-verify-start-en');
  const report = await verifyUrl(page, 'good');
  assert.deepEqual(report, expected.good);
  assert.deepEqual(await shown(page), expected.good.checks.map((c) => ({ id: c.id, bad: false })));
  assert.match(await page.textContent('#verify-summary'), /All 13 checks pass/);
  const [contest] = Object.keys(expected.good.results);
  const election = JSON.parse(readFileSync(join(records, 'good', 'election.json'), 'utf8'));
  const first = election.manifest.contests.find((c) => c.id === contest).options[0];
  const row = page.locator(`tr[data-option="${first.id}"]`);
  assert.equal((await row.locator('th').textContent()).trim(), first.name.en);
  assert.equal((await row.locator('td.votes').textContent()).trim(), String(expected.good.results[contest][first.id]));
  assert.equal(await row.locator('img.symbol').getAttribute('src'), `symbols/${first.symbol}.svg`);
  assert.ok(await row.locator('img.symbol').evaluate((img) => img.complete && img.naturalWidth > 0), 'the symbol is drawn');
  assert.deepEqual(await axeViolations(page), [], 'axe on the report (en)');
  await screenshot(page, 'observer-verify-report-en');
  // The board was read once, as a stream; every document once.
  for (const name of RECORD_FILES) {
    assert.equal(recordServer.requests.filter((p) => p === `/good/${name}`).length, 1, name);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('tampered records fail with the same checks and the same details as the CLI', async () => {
  const v5 = expected.ballot.checks.find((c) => c.id === 'V5');
  assert.ok(!v5.ok && /entry 2: /.test(v5.detail), `the CLI fails the changed ballot in V5: ${v5.detail}`);
  assert.ok(!expected.results.ok && !expected.results.checks.find((c) => c.id === 'V11').ok, 'the CLI fails V11');
  const { context, page, problems } = await open('en');
  // Picked as files (election.json … board.jsonl).
  await page.setInputFiles('#verify-files', RECORD_FILES.map((f) => join(records, 'ballot', f)));
  await page.click('#verify-files-form button[type="submit"]');
  const ballot = await finished(page);
  assert.deepEqual(ballot, expected.ballot);
  assert.match(await page.textContent('#verify-summary'), /FAIL/);
  await screenshot(page, 'observer-verify-failed-en');
  // Picked as a folder: the simulation's output, with the record one level down.
  await page.click('#verify-again');
  await page.setInputFiles('#verify-folder', join(records, 'results'));
  await page.setInputFiles('#verify-files', []);
  await page.click('#verify-files-form button[type="submit"]');
  assert.deepEqual(await finished(page), expected.results);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a truncated board, a line that does not parse or is too long, a bad header: the typed failure, as the CLI reports it', async () => {
  const { context, page, problems } = await open('en');
  for (const name of ['truncated', 'malformed', 'long', 'header']) {
    const report = await verifyUrl(page, name);
    assert.deepEqual(report, expected[name], name);
    const v4 = report.checks.find((c) => c.id === 'V4');
    assert.equal(v4.ok, false, name);
    assert.match(v4.detail, /^board\.jsonl: /, name);
    await page.click('#verify-again');
  }
  assert.match(expected.truncated.checks[3].detail, /does not end with a newline/);
  assert.match(expected.malformed.checks[3].detail, /line 6: .*\[MALFORMED_JSON\]/);
  assert.equal(expected.long.checks[3].detail, 'board.jsonl: line 3 is longer than 16777216 bytes');
  // A record that is not there: every document's absence is reported, nothing hangs.
  const report = await verifyUrl(page, 'nowhere');
  assert.equal(report.ok, false);
  assert.equal(report.checks.find((c) => c.id === 'V1').ok, false);
  assert.match(report.checks.find((c) => c.id === 'V1').detail, /election\.json: HTTP 404/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('Urdu, right to left: the same report, axe clean on every screen', async () => {
  const { context, page, problems } = await open('ur');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await page.getAttribute('html', 'lang'), 'ur');
  assert.equal((await page.textContent('#verify-title')).trim(), 'انتخابی ریکارڈ کی تصدیق');
  assert.deepEqual(await axeViolations(page), [], 'axe on the start screen (ur)');
  await screenshot(page, 'observer-verify-start-ur');
  const report = await verifyUrl(page, 'good');
  assert.deepEqual(report, expected.good);
  assert.match(await page.textContent('#verify-summary'), /تمام/);
  const election = JSON.parse(readFileSync(join(records, 'good', 'election.json'), 'utf8'));
  const first = election.manifest.contests[0].options[0];
  assert.equal((await page.locator(`tr[data-option="${first.id}"] th`).textContent()).trim(), first.name.ur);
  assert.deepEqual(await axeViolations(page), [], 'axe on the report (ur)');
  await screenshot(page, 'observer-verify-report-ur');
  // Switching language re-renders the report in place.
  await page.click('#lang-switch');
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  assert.match(await page.textContent('#verify-summary'), /All 13 checks pass/);
  assert.equal((await page.locator(`tr[data-option="${first.id}"] th`).textContent()).trim(), first.name.en);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the progress bar is labelled and its spoken updates are rate-limited', async () => {
  const { context, page, problems } = await open('en');
  await page.fill('#verify-url', `${recordServer.url}/good/`);
  await page.click('#verify-url-form button[type="submit"]');
  await page.waitForSelector('#verify-progress:not([hidden]), #verify[data-state="report"]');
  const label = await page.$eval('#verify-bar', (bar) => document.getElementById(bar.getAttribute('aria-labelledby')).textContent);
  assert.equal(label, 'Ballots checked');
  assert.equal(await page.getAttribute('#verify-live', 'aria-live'), 'polite');
  await page.waitForSelector('#verify[data-state="report"]', { timeout: 60_000 });
  assert.match(await page.textContent('#verify-timing'), /entries verified in .* s \(\d+ entries per second, \d+ workers\)/);
  assert.deepEqual(problems, []);
  await context.close();
});
