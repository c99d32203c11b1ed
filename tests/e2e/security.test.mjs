// What the page promises about its own integrity: a strict Content-Security-Policy, every
// script, the stylesheet and the ballot module pinned by SHA-384, and a changed module refused
// with an explanation rather than run.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  board,
  castAndWaitForReceipt,
  choose,
  enterCode,
  openPage,
  phonePage,
  reviewAndSeal,
  screenshot,
  testStack,
} from './harness.mjs';

const stack = testStack(1);

/**
 * Makes the page's browser one without WebAssembly SIMD (Safari before 16.4, old Android
 * WebViews): the glue's SIMD test, a small module using the v128 type, fails to validate, and
 * compiling the SIMD build fails as it would there.
 */
async function withoutSimd(context) {
  await context.addInitScript(() => {
    const validate = WebAssembly.validate;
    WebAssembly.validate = (bytes) => {
      const b = new Uint8Array(bytes.buffer ?? bytes);
      return validate(bytes) && !(b.length < 64 && b.includes(0x7b) && b.includes(0xfd));
    };
  });
  await context.route('**/pkg/amanat_simd_bg.wasm', (route) => route.abort());
}


test('the page is served with a strict policy and pins every script and the module', async () => {
  const response = await fetch(`${stack.server.url}/`);
  const csp = response.headers.get('content-security-policy') || '';
  for (const directive of ["default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "frame-ancestors 'none'"]) {
    assert.ok(csp.includes(directive), `CSP has ${directive}: ${csp}`);
  }
  const html = await response.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(html, /\sstyle=/, 'no inline style');
  assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin');
  const pinned = [...html.matchAll(/<(?:script|link)\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => /rel="(?:modulepreload|stylesheet)"|<script/.test(tag));
  assert.ok(pinned.length >= 8);
  for (const tag of pinned) assert.match(tag, /integrity="sha384-[A-Za-z0-9+/=]{64}"/, tag);
  assert.match(html, /<link rel="modulepreload" href="\/pkg\/amanat\.js" integrity="sha384-/);
  assert.match(html, /<meta name="amanat-wasm-integrity" content="sha384-[A-Za-z0-9+/=]{64}">/);
  assert.match(html, /<meta name="amanat-wasm-simd-integrity" content="sha384-[A-Za-z0-9+/=]{64}">/);
});

test('each browser loads one build of the module: SIMD here, the baseline without SIMD, and votes with it', async () => {
  for (const simd of [true, false]) {
    const { context, page, problems } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
    try {
      if (!simd) await withoutSimd(context);
      const wasm = [];
      page.on('request', (r) => {
        if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname);
      });
      await openPage(page, stack.server.url);
      if (simd) {
        // Chromium has SIMD: the faster build, and only that one, is fetched.
        await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm')));
        assert.deepEqual(wasm, ['/pkg/amanat_simd_bg.wasm']);
        assert.deepEqual(problems, []);
        continue;
      }
      // Without SIMD the baseline build seals a ballot the box accepts.
      await enterCode(page, stack.election.codes[0].code);
      await choose(page, [1, 2]);
      const tracking = await reviewAndSeal(page);
      const receipt = await castAndWaitForReceipt(page);
      assert.equal(receipt.short, tracking);
      assert.ok((await board(stack.server.url)).some((e) => e.short === tracking && e.kind === 'cast'));
      assert.deepEqual(wasm, ['/pkg/amanat_bg.wasm']);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }
});

for (const file of ['/pkg/amanat_simd_bg.wasm', '/pkg/amanat_bg.wasm', '/pkg/amanat.js', '/pkg/amanat_bindgen.js', '/js/ballot.js']) {
  test(`a changed ${file} is refused and the voter is told why`, async () => {
    const { context, page } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
    try {
      // The baseline build is the one a browser without SIMD loads.
      if (file === '/pkg/amanat_bg.wasm') await withoutSimd(context);
      await context.route(`**${file}`, async (route) => {
        const original = await route.fetch();
        // Changes that still work, so only the integrity check can stop them: a comment at
        // the end of the script, an extra custom section ("x", empty) at the end of the wasm.
        const extra = file.endsWith('.js') ? Buffer.from('\n// changed\n') : Buffer.from([0, 2, 1, 0x78]);
        const body = Buffer.concat([Buffer.from(await original.body()), extra]);
        await route.fulfill({ response: original, body });
      });
      await page.goto(`${stack.server.url}/`);
      await page.waitForSelector('#loading-error:not([hidden])');
      assert.match(await page.textContent('#loading-error'), /integrity check/);
      assert.equal(await page.isHidden('#screen-code'), true, 'no ballot without a trusted module');
      if (file === '/pkg/amanat_simd_bg.wasm') await screenshot(page, 'en-15-integrity-refused');
    } finally {
      await context.close();
    }
  });
}
