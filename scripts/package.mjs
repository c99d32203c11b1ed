#!/usr/bin/env node
// Makes wasm-pack's package.json honest and gives the package its own README, CHANGELOG and
// LICENSE (Makefile, `make pkg`, after scripts/dual-wasm.mjs and scripts/facade.mjs):
//
//   node scripts/package.mjs <package-dir>
//
// One package, `amanat`, for every setting, chosen by the `exports` conditions:
//
//   node (import)    amanat.node.mjs  ES-module face of amanat.cjs (one instance either way)
//   node (require)   amanat.cjs       CommonJS; reads the .wasm beside it when loaded
//   everything else  amanat.js        ES module: browsers, module workers, bundlers; `await
//                                     init()` fetches the .wasm from beside it
//
// with the types of each, and the .wasm files reachable for a page that fetches them itself.
// Both glues load the same two files, amanat_simd_bg.wasm where the engine has WebAssembly
// SIMD and amanat_bg.wasm elsewhere (scripts/dual-wasm.mjs). No `repository` or `homepage`:
// the crate's repository URL is a placeholder, and there is no public one to point to.
// The README is scripts/package-README.md with the error codes amanat.d.ts declares; the
// CHANGELOG is scripts/package-CHANGELOG.md; LICENSE is the repository's.

import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = join(ROOT, 'scripts/package-README.md');
const CHANGELOG = join(ROOT, 'scripts/package-CHANGELOG.md');
const LICENSE = join(ROOT, 'LICENSE');
const ENTRY = 'amanat.js';
const TYPES = 'amanat.d.ts';
const NODE = { cjs: 'amanat.cjs', mjs: 'amanat.node.mjs', types: 'amanat.node.d.ts', ctypes: 'amanat.node.d.cts' };

function fail(message) {
  console.error(`package.mjs: ${message}`);
  process.exit(1);
}

const [dir] = process.argv.slice(2);
if (!dir) fail('usage: node scripts/package.mjs <package-dir>');
for (const file of [ENTRY, TYPES, ...Object.values(NODE), 'package.json']) {
  if (!existsSync(join(dir, file))) fail(`${join(dir, file)} is missing`);
}
for (const file of [LICENSE, README, CHANGELOG]) if (!existsSync(file)) fail(`${file} is missing`);

const types = readFileSync(join(dir, TYPES), 'utf8');
const union = types.match(/^export type ErrorCode =([^;]*);/m);
if (!union) fail(`${TYPES} declares no ErrorCode`);
const codes = [...union[1].matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);

const pkgPath = join(dir, 'package.json');
const old = JSON.parse(readFileSync(pkgPath, 'utf8'));
if (!Array.isArray(old.files)) fail('package.json has no `files`');
const wasm = old.files.filter((f) => f.endsWith('.wasm'));
const browser = { types: `./${TYPES}`, default: `./${ENTRY}` };
// Keys in the order a reader expects; `repository` and `homepage` are left out on purpose.
const pkg = {
  name: 'amanat',
  version: old.version,
  description: old.description,
  license: old.license,
  type: 'module',
  files: [...old.files, NODE.types, 'CHANGELOG.md', 'BUILD-INFO.txt'].filter((f, i, all) => all.indexOf(f) === i),
  main: NODE.cjs,
  module: ENTRY,
  types: TYPES,
  exports: {
    '.': {
      browser,
      worker: browser,
      node: {
        import: { types: `./${NODE.types}`, default: `./${NODE.mjs}` },
        require: { types: `./${NODE.ctypes}`, default: `./${NODE.cjs}` },
      },
      ...browser,
    },
    './package.json': './package.json',
    ...Object.fromEntries(wasm.map((f) => [`./${f}`, `./${f}`])),
  },
  engines: { node: '>=18' },
  // The glue holds (or instantiates) the module, the worker script is started by URL: keep them.
  ...(old.sideEffects ? { sideEffects: old.sideEffects } : {}),
  keywords: old.keywords,
};
writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);

const readme = readFileSync(README, 'utf8').replace('{{codes}}', codes.map((c) => `\`${c}\``).join(', '));
if (/\{\{\w+\}\}/.test(readme)) fail(`${README} has a placeholder this script does not fill`);
writeFileSync(join(dir, 'README.md'), readme);
copyFileSync(CHANGELOG, join(dir, 'CHANGELOG.md'));
copyFileSync(LICENSE, join(dir, 'LICENSE'));

console.log(`package: ${dir} is amanat@${pkg.version}, ${codes.length} error codes in its README`);
