// The service worker: keeps the page, the ballot module, the translations, the fonts and
// symbols the voter has used, and the election on the device, so a voter who loaded the page
// once can open it and seal a ballot with no network. /build.js (written by
// scripts/integrity.mjs) names the files, their SHA-384 and a version; a new build changes
// build.js, which makes the browser install a fresh copy.
//
// Nothing is downloaded twice. The page registers this worker only once it has loaded what it
// needs (js/app.js), so at install the page's files are in the browser's HTTP cache: `shell`
// is copied from there (`force-cache`; the network only for a file the page did not fetch),
// and of `later` (fonts, symbols) only what is already there (`only-if-cached`: an English
// voter's phone never fetches the Urdu fonts for the worker). Whatever the page fetches
// afterwards through the worker (a symbol when the ballot is shown, a font after switching
// language) is kept as it passes. Every file is kept only if its SHA-384 is the one build.js
// names, so a stale copy in the HTTP cache is fetched again rather than kept, and the page's
// own integrity checks still apply to what the worker serves.
//
// Only GET requests for our own files are answered from the cache. Casting, challenges and
// board look-ups always go to the network: the page itself keeps a sealed ballot until the box
// has acknowledged it.

/* global importScripts */
importScripts('/build.js');

const BUILD = self.AMANAT_BUILD;
const CACHE = `amanat-${BUILD.version}`;
const ELECTION = '/api/election';

function sri(bytes) {
  return crypto.subtle.digest('SHA-384', bytes).then((digest) => {
    let text = '';
    for (const byte of new Uint8Array(digest)) text += String.fromCharCode(byte);
    return `sha384-${btoa(text)}`;
  });
}

/** Whether `response` is a whole, successful answer with the bytes build.js names for `path`. */
async function isBuildOf(path, response) {
  if (!response || !response.ok || response.type !== 'basic') return false;
  const want = BUILD.hashes[path];
  return Boolean(want) && (await sri(await response.clone().arrayBuffer())) === want;
}

/** Keeps `path` from the HTTP cache (or the network, if `network`), checked against build.js. */
async function keep(cache, path, network) {
  const tries = network ? ['force-cache', 'reload'] : ['only-if-cached'];
  for (const mode of tries) {
    let response;
    try {
      response = await fetch(new Request(path, { cache: mode, mode: 'same-origin' }));
    } catch {
      response = null;
    }
    if (await isBuildOf(path, response)) {
      await cache.put(path, response);
      return;
    }
  }
  if (network) throw new Error(`${path} could not be kept`);
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Of the module's two builds, only the one this browser runs.
      const shell = BUILD.shell.filter((path) => !BUILD.wasm.files.includes(path) || path === BUILD.wasm.chosen);
      await Promise.all(shell.map((path) => keep(cache, path, true)));
      await Promise.all(BUILD.later.map((path) => keep(cache, path, false)));
      // The election: the page keeps its own copy too, and the worker keeps the one it
      // fetches next (electionFirstFromNetwork), so it is not fetched again here.
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith('amanat-') && n !== CACHE).map((n) => caches.delete(n)));
      await self.clients.claim();
    })(),
  );
});

async function electionFirstFromNetwork(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(ELECTION, response.clone());
    return response;
  } catch (err) {
    const kept = await cache.match(ELECTION);
    if (kept) return kept;
    throw err;
  }
}

/** From the cache; else from the network, keeping a file of this build as it passes. */
async function fromCache(request, key) {
  const cache = await caches.open(CACHE);
  const path = key || new URL(request.url).pathname;
  const hit = await cache.match(path, { ignoreSearch: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (path in BUILD.hashes && (await isBuildOf(path, response))) await cache.put(path, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname === ELECTION) {
    event.respondWith(electionFirstFromNetwork(request));
  } else if (url.pathname.startsWith('/api/')) {
    // Live data: straight to the network.
  } else if (request.mode === 'navigate') {
    event.respondWith(fromCache(request, '/'));
  } else {
    event.respondWith(fromCache(request));
  }
});
