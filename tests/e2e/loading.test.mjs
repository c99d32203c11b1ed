// What the page downloads, counted at the wire: the box is reached through bench/throttle.mjs
// (here at full speed), which logs every request of every connection, the service worker's
// included. Nothing is downloaded twice (the worker keeps what the page fetched, from the
// browser's cache); an English voter never fetches the Urdu font; party symbols come only
// when the ballot is shown, and are then kept for offline use; a second visit downloads
// nothing but the election.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startThrottle } from '../../bench/throttle.mjs';
import { enterCode, phonePage, testStack, waitForScreen } from './harness.mjs';

const stack = testStack(2);
let proxy = null;

/** The proxy in front of the box, started with the first test (the box starts before it). */
async function throughProxy() {
  if (!proxy) {
    const box = new URL(stack.server.url);
    proxy = await startThrottle({ target: { host: box.hostname, port: Number(box.port) }, downKbps: 1e6, upKbps: 1e6, rttMs: 0 });
  }
  return proxy;
}

after(async () => {
  if (proxy) await proxy.close();
});

/** Paths that came down with a body (200) more than once since the last reset. */
function downloadedTwice() {
  const seen = new Map();
  for (const r of proxy.log) if (r.status === 200) seen.set(r.path, (seen.get(r.path) || 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([path]) => path);
}

const fetched = (prefix) => proxy.log.filter((r) => r.path.startsWith(prefix) && r.status === 200).map((r) => r.path);

/** Opens the page through the proxy and waits until the service worker is in place. */
async function firstVisit(page) {
  await page.goto(`${proxy.url}/`);
  await waitForScreen(page, 'code');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await proxy.quietFor(1500);
}

for (const lang of ['en', 'ur']) {
  test(`${lang}: nothing downloaded twice, fonts of one language, symbols only with the ballot`, async () => {
    await throughProxy();
    const { context, page, problems } = await phonePage(stack.browser, proxy.url, lang);
    proxy.reset();
    try {
      await firstVisit(page);
      assert.deepEqual(downloadedTwice(), [], 'the service worker kept what the page had fetched');
      assert.ok(fetched('/pkg/').some((p) => p.endsWith('.wasm')), 'the module was fetched');
      assert.equal(fetched('/pkg/').filter((p) => p.endsWith('.wasm')).length, 1, 'one build of the module, once');
      assert.deepEqual(fetched('/symbols/'), [], 'no party symbol before the ballot is shown');
      const urdu = fetched('/fonts/noto-nastaliq');
      if (lang === 'en') assert.deepEqual(urdu, [], 'an English page never fetches the Urdu font');
      else assert.deepEqual(urdu, ['/fonts/noto-nastaliq-urdu-arabic-400-normal.woff2'], 'one Urdu font, once');
      const kept = await page.evaluate(async () => {
        const names = await caches.keys();
        const cache = await caches.open(names.find((n) => n.startsWith('amanat-')));
        return (await cache.keys()).map((r) => new URL(r.url).pathname);
      });
      for (const path of ['/', '/js/app.js', '/css/app.css', '/i18n/ur.json']) assert.ok(kept.includes(path), `${path} kept offline`);
      assert.ok(kept.some((p) => p.startsWith('/pkg/') && p.endsWith('.wasm')), 'the module kept offline');

      // The ballot: its symbols now, once each, kept by the worker as they pass.
      await enterCode(page, stack.election.codes[0].code);
      await page.waitForFunction(() => [...document.querySelectorAll('#contests img.symbol')].every((i) => i.complete));
      const symbols = fetched('/symbols/');
      assert.ok(symbols.length > 0, 'the symbols come with the ballot');
      assert.deepEqual(downloadedTwice(), []);

      // A second visit: from the device, but for the election (and the worker's update check,
      // answered 304). A font this visit needs and the first did not (the loading screen's
      // "…" in Noto Sans, once the fonts are used from the start) may come now, once.
      const before = new Set(proxy.log.filter((r) => r.status === 200).map((r) => r.path));
      proxy.reset();
      await page.reload();
      await waitForScreen(page, 'code');
      await proxy.quietFor(1500);
      const again = proxy.log.filter((r) => r.status === 200).map((r) => r.path);
      assert.deepEqual(again.filter((p) => p !== '/api/election' && before.has(p)), [], `second visit: ${again}`);
      assert.deepEqual(again.filter((p) => !p.startsWith('/fonts/') && p !== '/api/election'), [], `second visit: ${again}`);

      // Offline, the ballot still shows the symbols the voter has seen.
      await context.setOffline(true);
      await page.reload();
      await waitForScreen(page, 'code');
      await enterCode(page, stack.election.codes[0].code);
      const drawn = await page.$$eval('#contests img.symbol', (imgs) => imgs.map((i) => i.naturalWidth));
      assert.ok(drawn.length > 0 && drawn.every((w) => w > 0), 'every symbol drawn offline');
      assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|Failed to load/.test(p)), []);
    } finally {
      await context.close();
    }
  });
}
