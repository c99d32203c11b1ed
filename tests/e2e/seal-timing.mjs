// Measures sealing as a voter on a slow phone meets it: the page at 360 x 740 with the CPU
// throttled 4x (Chrome DevTools' Emulation.setCPUThrottlingRate), sealing the demo election's
// largest ballot (the style with the most candidates) one warm-up time and then RUNS times, reading the page's own performance measure
// "amanat-seal" (the module call alone). Prints the runs and their median.
// Usage: node tests/e2e/seal-timing.mjs [runs] [rate]   (after make www-assets and a built CLI)

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, choose, demoElection, enterCode, launchBrowser, openPage, phonePage, startServer, waitForScreen } from './harness.mjs';

const RUNS = Number(process.argv[2] || 9);
const RATE = Number(process.argv[3] || 4);

const manifest = JSON.parse(readFileSync(join(ROOT, 'authority', 'demo', 'manifest.json'), 'utf8'));
const size = (style) =>
  style.contests.reduce((n, id) => n + manifest.contests.find((c) => c.id === id).options.length, 0);
const largest = [...manifest.ballot_styles].sort((a, b) => size(b) - size(a))[0];
const election = demoElection(manifest.ballot_styles.length);
const code = election.codes.find((c) => c.style === largest.id).code;
const server = await startServer(election.dir);
const browser = await launchBrowser();
try {
  const { context, page } = await phonePage(browser, server.url, 'en');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: RATE });
  const times = [];
  for (let i = 0; i <= RUNS; i += 1) {
    await openPage(page, server.url);
    await enterCode(page, code);
    await choose(page, [i % 15, i % 20]);
    await page.click('#ballot-submit');
    await waitForScreen(page, 'review');
    await page.click('#review-seal');
    await waitForScreen(page, 'tracking', 120_000);
    const ms = await page.evaluate(() => performance.getEntriesByName('amanat-seal').at(-1).duration);
    if (i > 0) times.push(ms);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const report = { cpuThrottling: RATE, viewport: '360x740', style: largest.id, candidates: size(largest), runs: times.map((t) => Math.round(t)), medianMs: Math.round(median) };
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  writeFileSync(join(ROOT, 'test-artifacts', 'seal-timing.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`seal of ${size(largest)} candidates at ${RATE}x CPU throttling, 360x740: median ${report.medianMs} ms over ${times.length} runs (${report.runs.join(', ')} ms)`);
} finally {
  await browser.close();
  await server.stop();
  election.cleanup();
}
