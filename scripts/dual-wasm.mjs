#!/usr/bin/env node
// Makes one package of two builds of the module (Makefile, `make pkg`):
//
//   node scripts/dual-wasm.mjs <web|nodejs> <baseline-dir> <simd-dir>
//
// <baseline-dir> and <simd-dir> are wasm-pack's output for the same sources, built without
// and with `-C target-feature=+simd128`. The SIMD build seals a ballot about 15% faster
// (docs/wasm-builds.md) but does not load at all on engines without WebAssembly SIMD (Safari
// before 16.4, old Android WebViews), so the package carries both and picks at load time:
//
//   1. the two builds' JavaScript glue and type declarations must be byte for byte the same
//      (they are: wasm-bindgen generates them from the same exports), or this fails;
//   2. the SIMD build's .wasm is copied into <baseline-dir> as amanat_simd_bg.wasm;
//   3. the glue gets `wasmFileName()` (scripts/simd-probe.mjs's test) and loads that file by
//      default: `init()` in a browser, `require()` in Node;
//   4. the type declarations and package.json's file list name the new function and file.
//
// Every edit replaces text that must occur exactly once, so a wasm-bindgen upgrade that
// changes the glue stops the build here instead of shipping a package that loads the wrong
// file.

import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASELINE_FILE, SIMD_FILE, chooserSource } from './simd-probe.mjs';

const GLUE = 'amanat.js';
const TYPES = 'amanat.d.ts';

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

const [target, baseDir, simdDir] = process.argv.slice(2);
if (!['web', 'nodejs'].includes(target) || !baseDir || !simdDir) {
  fail('usage: node scripts/dual-wasm.mjs <web|nodejs> <baseline-dir> <simd-dir>');
}

for (const file of [GLUE, TYPES]) {
  if (!readFileSync(join(baseDir, file)).equals(readFileSync(join(simdDir, file)))) {
    fail(`${file} differs between the two builds; one glue cannot load both modules`);
  }
}
copyFileSync(join(simdDir, BASELINE_FILE), join(baseDir, SIMD_FILE));

const doc = `/**
 * The module file this JavaScript engine loads: \`${SIMD_FILE}\` (built with WebAssembly SIMD,
 * faster) where SIMD is supported, \`${BASELINE_FILE}\` elsewhere. Both hold the same code and
 * give byte-identical results; a page that fetches the module itself (to check its integrity,
 * say) fetches this file.
 */`;
const fn = `${doc}\nfunction wasmFileName() {\n    return ${chooserSource()};\n}\n`;

let glue = readFileSync(join(baseDir, GLUE), 'utf8');
if (target === 'web') {
  glue = replaceOnce(glue, `module_or_path = new URL('${BASELINE_FILE}', import.meta.url);`,
    'module_or_path = new URL(wasmFileName(), import.meta.url);', GLUE);
  glue = replaceOnce(glue, 'export { initSync, __wbg_init as default };',
    `${fn}export { wasmFileName };\n\nexport { initSync, __wbg_init as default };`, GLUE);
} else {
  glue = replaceOnce(glue, `const wasmPath = \`\${__dirname}/${BASELINE_FILE}\`;`,
    `${fn}exports.wasmFileName = wasmFileName;\n\nconst wasmPath = \`\${__dirname}/\${wasmFileName()}\`;`, GLUE);
}
writeFileSync(join(baseDir, GLUE), glue);

const types = replaceOnce(readFileSync(join(baseDir, TYPES), 'utf8'), 'export function protocolVersion(): string;\n',
  `export function protocolVersion(): string;\n\n${doc}\nexport function wasmFileName(): string;\n`, TYPES);
writeFileSync(join(baseDir, TYPES), types);

const pkgJson = JSON.parse(readFileSync(join(baseDir, 'package.json'), 'utf8'));
if (!Array.isArray(pkgJson.files) || !pkgJson.files.includes(BASELINE_FILE)) fail(`package.json does not list ${BASELINE_FILE}`);
pkgJson.files.splice(pkgJson.files.indexOf(BASELINE_FILE) + 1, 0, SIMD_FILE);
writeFileSync(join(baseDir, 'package.json'), `${JSON.stringify(pkgJson, null, 2)}\n`);

console.log(`dual-wasm: ${baseDir} carries ${BASELINE_FILE} and ${SIMD_FILE}; wasmFileName() picks one`);
