#!/usr/bin/env node
// Makes one package of three wasm-pack outputs (Makefile, `make pkg`):
//
//   node scripts/dual-wasm.mjs <web-dir> <web-simd-dir> <nodejs-dir>
//
// <web-dir> and <web-simd-dir> are wasm-pack's `web` output for the same sources, built
// without and with `-C target-feature=+simd128`; <nodejs-dir> its `nodejs` output of the
// baseline build. The SIMD build seals a ballot about 15% faster (docs/wasm-builds.md) but
// does not load at all on engines without WebAssembly SIMD (Safari before 16.4, old Android
// WebViews), so the package carries both and picks at load time. The Node glue differs from
// the web glue only in how it loads the module, so it joins the same package, loading the
// same two files:
//
//   1. the two web builds' JavaScript glue and type declarations must be byte for byte the
//      same (they are: wasm-bindgen generates them from the same exports), and the nodejs
//      build's .wasm the same as the web one's, or this fails;
//   2. the SIMD build's .wasm is copied into <web-dir> as amanat_simd_bg.wasm;
//   3. the web glue gets `wasmFileName()` (scripts/simd-probe.mjs's test) and `init()` with
//      no argument loads that file, each file named by a literal
//      `new URL('./<file>', import.meta.url)`: bundlers (Vite, webpack) find both and emit
//      both, and the choice stays a run-time one;
//   4. the nodejs glue becomes amanat_bindgen.cjs (the package is an ES-module package) and
//      reads the file wasmFileName() names; its declarations become amanat.node.d.ts;
//   5. the type declarations and package.json's file list name the new function and files.
//
// Every edit replaces text that must occur exactly once, so a wasm-bindgen upgrade that
// changes the glue stops the build here instead of shipping a package that loads the wrong
// file.

import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASELINE_FILE, SIMD_FILE, chooserSource } from './simd-probe.mjs';

const GLUE = 'amanat.js';
const TYPES = 'amanat.d.ts';
const NODE_GLUE = 'amanat_bindgen.cjs';
const NODE_TYPES = 'amanat.node.d.ts';

function fail(message) {
  console.error(`dual-wasm.mjs: ${message}`);
  process.exit(1);
}

/** `text` with the one occurrence of `from` replaced by `to`. */
function replaceOnce(text, from, to, where) {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) {
    fail(`${where}: expected exactly one ${JSON.stringify(from)}; has wasm-bindgen's output changed?`);
  }
  return text.slice(0, at) + to + text.slice(at + from.length);
}

const [baseDir, simdDir, nodeDir] = process.argv.slice(2);
if (!baseDir || !simdDir || !nodeDir) {
  fail('usage: node scripts/dual-wasm.mjs <web-dir> <web-simd-dir> <nodejs-dir>');
}

for (const file of [GLUE, TYPES]) {
  if (!readFileSync(join(baseDir, file)).equals(readFileSync(join(simdDir, file)))) {
    fail(`${file} differs between the two builds; one glue cannot load both modules`);
  }
}
if (!readFileSync(join(baseDir, BASELINE_FILE)).equals(readFileSync(join(nodeDir, BASELINE_FILE)))) {
  fail(`${BASELINE_FILE} differs between the web and the nodejs build; one package cannot carry both glues`);
}
copyFileSync(join(simdDir, BASELINE_FILE), join(baseDir, SIMD_FILE));

const doc = `/**
 * The module file this JavaScript engine loads: \`${SIMD_FILE}\` (built with WebAssembly SIMD,
 * faster) where SIMD is supported, \`${BASELINE_FILE}\` elsewhere. Both hold the same code and
 * give byte-identical results; a page that fetches the module itself (to check its integrity,
 * say) fetches this file.
 */`;
const fn = `${doc}\nfunction wasmFileName() {\n    return ${chooserSource()};\n}\n`;

let web = readFileSync(join(baseDir, GLUE), 'utf8');
web = replaceOnce(web, `module_or_path = new URL('${BASELINE_FILE}', import.meta.url);`,
  `module_or_path = wasmFileName() === '${SIMD_FILE}'\n` +
  `            ? new URL('./${SIMD_FILE}', import.meta.url)\n` +
  `            : new URL('./${BASELINE_FILE}', import.meta.url);`, GLUE);
web = replaceOnce(web, 'export { initSync, __wbg_init as default };',
  `${fn}export { wasmFileName };\n\nexport { initSync, __wbg_init as default };`, GLUE);
writeFileSync(join(baseDir, GLUE), web);

let node = readFileSync(join(nodeDir, GLUE), 'utf8');
node = replaceOnce(node, `const wasmPath = \`\${__dirname}/${BASELINE_FILE}\`;`,
  `${fn}exports.wasmFileName = wasmFileName;\n\nconst wasmPath = \`\${__dirname}/\${wasmFileName()}\`;`, `nodejs ${GLUE}`);
node = replaceOnce(node, '/* @ts-self-types="./amanat.d.ts" */', '/* @ts-self-types="./amanat.node.d.ts" */', `nodejs ${GLUE}`);
writeFileSync(join(baseDir, NODE_GLUE), node);

const declare = (text, where) => replaceOnce(text, 'export function protocolVersion(): string;\n',
  `export function protocolVersion(): string;\n\n${doc}\nexport function wasmFileName(): string;\n`, where);
writeFileSync(join(baseDir, TYPES), declare(readFileSync(join(baseDir, TYPES), 'utf8'), TYPES));
writeFileSync(join(baseDir, NODE_TYPES), declare(readFileSync(join(nodeDir, TYPES), 'utf8'), `nodejs ${TYPES}`));

const pkgJson = JSON.parse(readFileSync(join(baseDir, 'package.json'), 'utf8'));
if (!Array.isArray(pkgJson.files) || !pkgJson.files.includes(BASELINE_FILE)) fail(`package.json does not list ${BASELINE_FILE}`);
pkgJson.files.splice(pkgJson.files.indexOf(BASELINE_FILE) + 1, 0, SIMD_FILE);
pkgJson.files.push(NODE_GLUE, NODE_TYPES);
writeFileSync(join(baseDir, 'package.json'), `${JSON.stringify(pkgJson, null, 2)}\n`);

console.log(`dual-wasm: ${baseDir} carries ${BASELINE_FILE} and ${SIMD_FILE}, the web glue and the Node glue; wasmFileName() picks the file`);
