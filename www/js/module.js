// Loads the ballot module. Its JavaScript (/pkg/amanat.js, the package's entry point, and the
// wasm-bindgen glue it imports, /pkg/amanat_bindgen.js) is checked by the browser against the
// SHA-384 values in index.html's modulepreload links; the .wasm is fetched here with the
// SHA-384 from index.html's meta tags, so a changed binary never runs. The package has two
// builds of the module (docs/wasm-builds.md): the glue's wasmFileName() names the one this
// browser can run, amanat_simd_bg.wasm (amanat-wasm-simd-integrity) where it has WebAssembly
// SIMD, amanat_bg.wasm (amanat-wasm-integrity) elsewhere.

import init, * as amanat from '/pkg/amanat.js';

const INTEGRITY_META = { 'amanat_simd_bg.wasm': 'amanat-wasm-simd-integrity', 'amanat_bg.wasm': 'amanat-wasm-integrity' };

let loaded = null;

export function loadModule() {
  if (!loaded) {
    const file = amanat.wasmFileName();
    const meta = INTEGRITY_META[file] && document.querySelector(`meta[name="${INTEGRITY_META[file]}"]`);
    const integrity = meta ? meta.content : '';
    if (!integrity.startsWith('sha384-')) {
      return Promise.reject(Object.assign(new Error('no integrity value for the module'), { code: 'SRI' }));
    }
    loaded = init({ module_or_path: fetch(`/pkg/${file}`, { integrity }) })
      .then(() => amanat)
      .catch((err) => {
        loaded = null;
        throw err;
      });
  }
  return loaded;
}
