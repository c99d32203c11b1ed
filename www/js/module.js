// Loads the ballot module. The JavaScript glue (/pkg/amanat.js) is checked by the browser
// against the SHA-384 in index.html's modulepreload link; the .wasm is fetched here with the
// SHA-384 from index.html's amanat-wasm-integrity meta tag, so a changed binary never runs.

import init, * as amanat from '/pkg/amanat.js';

let loaded = null;

export function loadModule() {
  if (!loaded) {
    const meta = document.querySelector('meta[name="amanat-wasm-integrity"]');
    const integrity = meta ? meta.content : '';
    if (!integrity.startsWith('sha384-')) {
      return Promise.reject(Object.assign(new Error('no integrity value for the module'), { code: 'SRI' }));
    }
    loaded = init({ module_or_path: fetch('/pkg/amanat_bg.wasm', { integrity }) })
      .then(() => amanat)
      .catch((err) => {
        loaded = null;
        throw err;
      });
  }
  return loaded;
}
