// What the page promises about its own integrity: a strict Content-Security-Policy, every
// script, the stylesheet and the ballot module pinned by SHA-384, and a changed module refused
// with an explanation rather than run.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  phonePage,
  screenshot,
  testStack,
} from './harness.mjs';

const stack = testStack(1);


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
});

for (const file of ['/pkg/amanat_bg.wasm', '/pkg/amanat.js', '/js/ballot.js']) {
  test(`a changed ${file} is refused and the voter is told why`, async () => {
    const { context, page } = await phonePage(stack.browser, stack.server.url, 'en', { serviceWorkers: 'block' });
    try {
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
      if (file.endsWith('.wasm')) await screenshot(page, 'en-15-integrity-refused');
    } finally {
      await context.close();
    }
  });
}
