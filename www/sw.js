// The service worker: keeps the page, the ballot module, the translations, the symbols, the
// fonts and the election on the device, so a voter who loaded the page once can open it and
// seal a ballot with no network. /build.js (written by scripts/integrity.mjs) names the files
// and a version; a new build changes build.js, which makes the browser install a fresh copy.
//
// Only GET requests for our own files are answered from the cache. Casting, challenges and
// board look-ups always go to the network: the page itself keeps a sealed ballot until the box
// has acknowledged it.

/* global importScripts */
importScripts('/build.js');

const BUILD = self.AMANAT_BUILD;
const CACHE = `amanat-${BUILD.version}`;
const ELECTION = '/api/election';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Of the module's two builds, only the one this browser runs.
      const assets = BUILD.assets.filter((path) => !BUILD.wasm.files.includes(path) || path === BUILD.wasm.chosen);
      await cache.addAll(assets.map((path) => new Request(path, { cache: 'reload' })));
      try {
        const election = await fetch(ELECTION, { cache: 'no-store' });
        if (election.ok) await cache.put(ELECTION, election);
      } catch {
        // The page keeps its own copy of the election too; it is fetched again later.
      }
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

async function fromCache(request, key) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key || request, { ignoreSearch: true });
  return hit || fetch(request);
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
