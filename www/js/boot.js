// Starts the page only from files the browser has checked against the SHA-384 values in
// index.html.
//
// Each of our modules (and the ballot module's two, /pkg/amanat.js and the glue it imports,
// /pkg/amanat_bindgen.js) is listed in index.html as
// <link rel="modulepreload" integrity="sha384-...">. A module that passes that check sits
// in the page's module map, and every later import of its URL uses that checked copy. But a
// module that FAILS the check is not remembered as failed: a plain import would fetch it
// again, unchecked. So before importing anything, this script preloads every listed module
// once more with the same integrity value and waits for each to load; if any is refused, the
// page stops here and says why. This file itself is pinned by its <script integrity>.

const pinned = [...document.querySelectorAll('link[rel="modulepreload"][integrity]')];

/**
 * Starts fetching the ballot module's .wasm now, beside the scripts, instead of after them:
 * on a slow link it is most of what the page needs. The build is the one this browser runs
 * (the SIMD test in index.html's amanat-wasm-choice, the same as wasmFileName()), so no
 * browser fetches both. js/module.js's fetch of the same file, with its SHA-384, takes this
 * copy and checks it; nothing runs from it before that.
 */
function prefetchModule() {
  const choice = document.querySelector('meta[name="amanat-wasm-choice"]');
  if (!choice || typeof WebAssembly !== 'object') return;
  let simd = false;
  try {
    simd = WebAssembly.validate(Uint8Array.from(atob(choice.content), (c) => c.charCodeAt(0)));
  } catch {
    simd = false;
  }
  const link = document.createElement('link');
  link.rel = 'preload';
  link.as = 'fetch';
  link.crossOrigin = 'anonymous';
  link.href = simd ? choice.dataset.simd : choice.dataset.baseline;
  document.head.append(link);
}

prefetchModule();

function checked(link) {
  return new Promise((resolve, reject) => {
    const again = document.createElement('link');
    again.rel = 'modulepreload';
    again.href = link.href;
    again.integrity = link.integrity;
    again.addEventListener('load', () => resolve());
    again.addEventListener('error', () => reject(new Error(`integrity: ${link.href}`)));
    document.head.append(again);
  });
}

async function refuse() {
  // The translations are data, not code; show the warning in the voter's language.
  const langs = (navigator.languages || [navigator.language || 'en']).map((l) => String(l).slice(0, 2).toLowerCase());
  const lang = langs.find((l) => l === 'ur' || l === 'en') || 'en';
  try {
    const text = await (await fetch(`/i18n/${lang}.json`)).json();
    document.documentElement.lang = text.meta.lang;
    document.documentElement.dir = text.meta.dir;
    document.getElementById('loading-title').textContent = text.app.name;
    const box = document.getElementById('loading-error');
    box.textContent = text.errors.SRI;
    box.hidden = false;
  } catch {
    document.getElementById('loading-error').hidden = false;
  }
  document.querySelector('#screen-loading .progress').hidden = true;
}

try {
  await Promise.all(pinned.map(checked));
} catch {
  await refuse();
  throw new Error('a module failed its integrity check; the page did not start');
}
await import('/js/app.js');
