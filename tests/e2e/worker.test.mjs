// Sealing off the page's thread (www/js/module.js): the page seals in the package's module
// worker, which runs the module the page compiled from integrity-checked bytes (it fetches no
// .wasm of its own), also offline from the service worker's cache; and where the worker
// cannot start, the page seals on its own thread instead of failing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  castAndWaitForReceipt,
  choose,
  enterCode,
  openPage,
  phonePage,
  reviewAndSeal,
  testStack,
  waitForScreen,
} from './harness.mjs';

const stack = testStack(3);

/** Records each Worker the page starts and whether its script ran (its "ready" message). */
async function watchWorkers(context) {
  await context.addInitScript(() => {
    const Native = window.Worker;
    window.startedWorkers = [];
    window.Worker = class extends Native {
      constructor(url, options) {
        super(url, options);
        const record = { url: new URL(String(url), location.href).pathname, ready: false };
        window.startedWorkers.push(record);
        this.addEventListener('message', (event) => {
          if (event.data && event.data.ready === true) record.ready = true;
        });
      }
    };
  });
}

const workers = (page) => page.evaluate(() => window.startedWorkers);

test('the page seals in the module worker, which fetches no module of its own, and the ballot is cast', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
  try {
    await watchWorkers(context);
    const wasm = [];
    context.on('request', (r) => {
      if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname);
    });
    await openPage(page, stack.server.url);
    await enterCode(page, stack.election.codes[0].code);
    await choose(page, [0, 1]);
    const tracking = await reviewAndSeal(page);
    assert.deepEqual(await workers(page), [{ url: '/pkg/amanat_worker.js', ready: true }]);
    assert.deepEqual(wasm, ['/pkg/amanat_simd_bg.wasm'], 'one fetch, by the page, with its integrity');
    const receipt = await castAndWaitForReceipt(page);
    assert.equal(receipt.short, tracking);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('offline, the worker script comes from the service worker\'s cache and the page still seals in it', async () => {
  const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en');
  try {
    await watchWorkers(context);
    await openPage(page, stack.server.url);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await waitForScreen(page, 'code');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await context.setOffline(true);
    await page.reload();
    await waitForScreen(page, 'code');
    await enterCode(page, stack.election.codes[1].code);
    await choose(page, [1, 0]);
    await reviewAndSeal(page);
    assert.deepEqual(await workers(page), [{ url: '/pkg/amanat_worker.js', ready: true }]);
    assert.deepEqual(problems, []);
  } finally {
    await context.setOffline(false);
    await context.close();
  }
});

test('where no worker can start, the page seals on its own thread', async () => {
  const { context, page } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
  try {
    await watchWorkers(context);
    await context.route('**/pkg/amanat_worker.js', (route) => route.abort());
    await openPage(page, stack.server.url);
    await enterCode(page, stack.election.codes[2].code);
    await choose(page, [0, 0]);
    const tracking = await reviewAndSeal(page);
    assert.match(tracking, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const started = await workers(page);
    assert.equal(started.length, 1);
    assert.equal(started[0].ready, false, 'the worker never ran');
    const receipt = await castAndWaitForReceipt(page);
    assert.equal(receipt.short, tracking);
  } finally {
    await context.close();
  }
});
