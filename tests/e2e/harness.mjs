// Shared pieces of the voter page's end-to-end tests: a demo election, the real ballot box
// (`amanat serve`) on loopback, headless Chromium at phone size, and helpers that act as a
// voter would (click, type, keyboard). Nothing here talks to anything but 127.0.0.1.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SCREENS = join(ROOT, 'test-artifacts', 'screens');
export const PHONE = { width: 360, height: 740 };

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

/** The amanat CLI: $AMANAT_BIN, else the newest of target/{debug,release}/amanat. */
export function amanatBinary() {
  if (process.env.AMANAT_BIN) return process.env.AMANAT_BIN;
  const candidates = ['debug', 'release']
    .map((profile) => join(ROOT, 'target', profile, 'amanat'))
    .filter((path) => existsSync(path))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (candidates.length === 0) throw new Error('no amanat binary: run `make cli` (or set AMANAT_BIN)');
  return candidates[0];
}

/** A fresh demo election (`amanat demo-election`, the command `make demo` runs) with `voters`
 *  credentials in a temporary directory: {dir, codes: [{code, style}], cleanup}. */
export function demoElection(voters = 6) {
  const dir = join(mkdtempSync(join(tmpdir(), 'amanat-e2e-')), 'election');
  const run = spawnSync(amanatBinary(), ['demo-election', '--out', dir, '--voters', String(voters), '--show', '0'],
    { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`amanat demo-election failed:\n${run.stdout}\n${run.stderr}`);
  // Publish the files the box serves, as an election does: the box then serves only those
  // (docs/ballot-box.md, "Published files").
  const list = spawnSync(amanatBinary(), ['served-files', 'make', '--www', join(ROOT, 'www'), '--pkg', join(ROOT, 'pkg'),
    '--out', join(dir, 'served-files.json')], { encoding: 'utf8' });
  if (list.status !== 0) throw new Error(`amanat served-files make failed:\n${list.stdout}\n${list.stderr}`);
  const codes = JSON.parse(readFileSync(join(dir, 'codes.json'), 'utf8'));
  return { dir, codes, cleanup: () => rmSync(join(dir, '..'), { recursive: true, force: true }) };
}

/**
 * The stack every page test runs against, set up before the file's tests and torn down after
 * them: a demo election with `voters` credentials, `amanat serve` on it, headless Chromium.
 * The returned object's `election`, `server` and `browser` are filled in by the `before` hook.
 */
export function testStack(voters) {
  const stack = { election: null, server: null, browser: null };
  before(async () => {
    stack.election = demoElection(voters);
    stack.server = await startServer(stack.election.dir);
    stack.browser = await launchBrowser();
  });
  after(async () => {
    if (stack.browser) await stack.browser.close();
    if (stack.server) await stack.server.stop();
    if (stack.election) stack.election.cleanup();
  });
  return stack;
}

/** Starts `amanat serve` on a free loopback port; resolves to {url, stop}. */
export function startServer(electionDir) {
  const child = spawn(
    amanatBinary(),
    [
      'serve',
      '--election', electionDir,
      '--db', join(electionDir, 'box.sqlite'),
      '--www', join(ROOT, 'www'),
      '--pkg', join(ROOT, 'pkg'),
      '--listen', '127.0.0.1:0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`amanat serve did not start:\n${output}`));
    }, 20_000);
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (match) {
        clearTimeout(timer);
        const stop = () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          });
        resolve({ url: match[0].replace(/\/$/, ''), stop, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`amanat serve exited (${code}):\n${output}`));
    });
  });
}

export function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * A phone-sized page whose browser prefers `lang`. Records every request that leaves our
 * origin, every Content-Security-Policy complaint and every page error, for the tests to
 * assert on.
 */
export async function phonePage(browser, base, lang = 'en', { serviceWorkers = 'allow', deviceScaleFactor = 1 } = {}) {
  const context = await browser.newContext({
    viewport: PHONE,
    deviceScaleFactor,
    isMobile: true,
    hasTouch: true,
    locale: lang === 'ur' ? 'ur-PK' : 'en-GB',
    serviceWorkers,
  });
  const page = await context.newPage();
  const problems = [];
  const origin = new URL(base).origin;
  context.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:')) {
      problems.push(`third-party request: ${url}`);
    }
  });
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|integrity/i.test(text)) problems.push(`console: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { context, page, problems };
}

export async function screenshot(page, name) {
  mkdirSync(SCREENS, { recursive: true });
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: true });
}

const AXE_SOURCE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** Runs axe-core (WCAG 2.0–2.2 A and AA rules, and its best practices); resolves to the violations. */
export async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    }),
  );
  return result.violations.map((v) => ({
    id: v.id,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
  }));
}

/** The screen currently shown (the id of the one visible section, without "screen-"). */
export function currentScreen(page) {
  return page.evaluate(() => {
    const shown = [...document.querySelectorAll('.screen')].filter((s) => !s.hidden);
    return shown.length === 1 ? shown[0].id.replace('screen-', '') : shown.map((s) => s.id).join(',');
  });
}

export async function waitForScreen(page, name, timeout = 30_000) {
  await page.waitForSelector(`#screen-${name}:not([hidden])`, { timeout });
}

export async function openPage(page, base) {
  await page.goto(`${base}/`);
  await waitForScreen(page, 'code');
}

export async function enterCode(page, code) {
  await page.fill('#code-input', '');
  await page.type('#code-input', code, { delay: 5 });
  await page.click('#code-submit');
  await waitForScreen(page, 'ballot');
}

/** Ticks option `pick[i]` (index within the contest) in each contest; defaults to the first. */
export async function choose(page, pick = []) {
  const contests = await page.$$('#contests fieldset');
  for (let i = 0; i < contests.length; i += 1) {
    const options = await contests[i].$$('label.option');
    await options[(pick[i] ?? 0) % options.length].click();
  }
}

/** The choices the page would seal, read from its form: {contestId: [optionId]}. */
export function markedChoices(page) {
  return page.evaluate(() => {
    const out = {};
    for (const fieldset of document.querySelectorAll('#contests fieldset')) {
      out[fieldset.dataset.contest] = [...fieldset.querySelectorAll('input:checked')].map((i) => i.value);
    }
    return out;
  });
}

export async function reviewAndSeal(page) {
  await page.click('#ballot-submit');
  await waitForScreen(page, 'review');
  await page.click('#review-seal');
  await waitForScreen(page, 'tracking');
  return (await page.textContent('#tracking-code')).trim();
}

export async function castAndWaitForReceipt(page) {
  await page.click('#tracking-cast');
  await waitForScreen(page, 'receipt');
  return {
    short: (await page.textContent('#receipt-short')).trim(),
    // The board index: the page shows voters the number counted from 1.
    index: Number((await page.textContent('#receipt-index')).trim()) - 1,
  };
}

/** Every board entry, read through the public API. */
export async function board(base) {
  const entries = [];
  let from = 0;
  for (;;) {
    const response = await fetch(`${base}/api/board?from=${from}&limit=500`);
    if (!response.ok) throw new Error(`board: HTTP ${response.status}`);
    const body = await response.json();
    entries.push(...body.entries);
    if (body.next === null || body.next === undefined) return entries;
    from = body.next;
  }
}

const TEXTS = Object.fromEntries(
  ['en', 'ur'].map((lang) => [lang, JSON.parse(readFileSync(join(ROOT, 'www', 'i18n', `${lang}.json`), 'utf8'))]),
);

/** The page's text for `key` in `lang`, with {name} placeholders filled from `args`. */
export function say(lang, key, args = {}) {
  const text = key.split('.').reduce((node, part) => node && node[part], TEXTS[lang]);
  if (typeof text !== 'string') throw new Error(`no text ${lang} ${key}`);
  // As the page writes it: Latin text inside Urdu is wrapped in directional isolates.
  const value = (v) => (lang === 'ur' && /[A-Za-z]/.test(String(v)) ? `\u2066${v}\u2069` : String(v));
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in args ? value(args[name]) : whole));
}

/** What the page keeps in localStorage under `key` (a JSON list). */
export function stored(page, key) {
  return page.evaluate((k) => JSON.parse(localStorage.getItem(k) || '[]'), key);
}

/** Looks `code` up on the look-up screen (already open) and waits for the answer. */
export async function lookUpCode(page, code) {
  await page.fill('#lookup-input', code);
  await page.click('#lookup-submit');
  await page.waitForSelector('#lookup-result .board-entries li, #lookup-result .result-bad');
}

/** Presses Tab until the focused element matches `selector` (keyboard-only navigation). */
export async function tabTo(page, selector, limit = 80) {
  for (let i = 0; i < limit; i += 1) {
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Changes one data symbol of a credential code so its check symbols no longer match. */
export function withTypo(code) {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const chars = code.split('');
  const i = 5; // second group, first symbol
  chars[i] = alphabet[(alphabet.indexOf(chars[i]) + 1) % 32];
  return chars.join('');
}
