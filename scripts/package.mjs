#!/usr/bin/env node
// Makes wasm-pack's package.json honest and gives the package its own README and LICENSE
// (Makefile, `make pkg`, after scripts/facade.mjs):
//
//   node scripts/package.mjs <web|nodejs|bundler> <package-dir>
//
// wasm-pack names all three packages after the crate, `amanat`, with the crate's README (the
// whole project's), its placeholder repository URL and no `engines`. Each target is its own
// package here, under its own name, because each loads the module differently and one name
// with export conditions would have to carry all three builds:
//
//   web      amanat          ES module; `await init()` fetches the .wasm beside amanat.js
//   nodejs   amanat-node     CommonJS (importable from ESM); reads the .wasm on require
//   bundler  amanat-bundler  imports the .wasm as a module, for a bundler to resolve
//
// package.json gets: the name; `exports` making the facade (amanat.js) the only module an
// import reaches, with its types, and the .wasm files reachable for a page that fetches them
// itself; `engines` for Node; no `repository` (there is no public one to point to). The
// README is scripts/package-README.md with this target's name, how to load it and the error
// codes amanat.d.ts declares. LICENSE is the repository's.

import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEMPLATE = join(ROOT, 'scripts/package-README.md');
const LICENSE = join(ROOT, 'LICENSE');
const GLUE = 'amanat.js';
const TYPES = 'amanat.d.ts';

const TARGETS = {
  web: {
    name: 'amanat',
    type: 'module',
    conditions: { import: `./${GLUE}`, default: `./${GLUE}` },
    what: 'This package is the ES module for web pages and module workers, loaded without a bundler.',
    load: `\`\`\`js
import init, { Election, seal, isAmanatError } from 'amanat';

await init(); // fetches the .wasm file from beside amanat.js
const election = Election.fromJson(electionJson);
\`\`\`

\`init()\` finds the module by \`new URL(wasmFileName(), import.meta.url)\`: serve \`amanat.js\`,
\`amanat_bindgen.js\`, \`amanat_bg.wasm\` and \`amanat_simd_bg.wasm\` from one directory (a page
without a bundler imports \`./amanat/amanat.js\` from a copy of this package, or maps
\`amanat\` to it with an import map), with the \`.wasm\` files as \`application/wasm\`. Or hand
\`init\` the module yourself: \`await init({ module_or_path: bytesOrUrlOrResponse })\`, or
\`initSync({ module: bytes })\`. \`wasmFileName()\` says which of the two files this engine loads
(the SIMD build where WebAssembly SIMD is supported). Any other call before \`init\` has
completed throws an error with code \`NOT_INITIALISED\`.`,
  },
  nodejs: {
    name: 'amanat-node',
    type: 'commonjs',
    conditions: { require: `./${GLUE}`, default: `./${GLUE}` },
    engines: { node: '>=18' },
    what: 'This package is for Node (18 or later), as CommonJS that ES modules can import too.',
    load: `\`\`\`js
const { Election, seal, isAmanatError } = require('amanat-node');
// or, from an ES module: import { Election, seal, isAmanatError } from 'amanat-node';
const election = Election.fromJson(electionJson);
\`\`\`

The module is read and instantiated when the package is loaded: there is no \`init\`.`,
  },
  bundler: {
    name: 'amanat-bundler',
    type: 'module',
    conditions: { default: `./${GLUE}` },
    what: 'This package is for bundlers (webpack, Vite), and is not yet supported: see below.',
    load: `\`\`\`js
import { Election, seal, isAmanatError } from 'amanat-bundler';
\`\`\`

This build imports its \`.wasm\` file as an ES module (\`import * as wasm from
'./amanat_bg.wasm'\`), which only a bundler that understands WebAssembly modules can resolve:
webpack 5 with \`experiments: { asyncWebAssembly: true }\`, Vite with a WebAssembly plugin and
top-level await. Neither is tested yet, and it carries only the baseline build (no SIMD).
Until it is, use \`amanat\` and let the bundler copy its \`.wasm\` files as assets.`,
  },
};

function fail(message) {
  console.error(`package.mjs: ${message}`);
  process.exit(1);
}

const [target, dir] = process.argv.slice(2);
const t = TARGETS[target];
if (!t || !dir) fail('usage: node scripts/package.mjs <web|nodejs|bundler> <package-dir>');
for (const file of [GLUE, TYPES, 'package.json']) {
  if (!existsSync(join(dir, file))) fail(`${join(dir, file)} is missing`);
}
if (!existsSync(LICENSE)) fail(`${LICENSE} is missing`);

const types = readFileSync(join(dir, TYPES), 'utf8');
const union = types.match(/^export type ErrorCode =([^;]*);/m);
if (!union) fail(`${TYPES} declares no ErrorCode`);
const codes = [...union[1].matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);

const pkgPath = join(dir, 'package.json');
const old = JSON.parse(readFileSync(pkgPath, 'utf8'));
if (!Array.isArray(old.files)) fail('package.json has no `files`');
const wasm = old.files.filter((f) => f.endsWith('.wasm'));
// Keys in the order a reader expects; `repository` and `homepage` are left out on purpose.
const pkg = {
  name: t.name,
  version: old.version,
  description: old.description,
  license: old.license,
  type: t.type,
  files: old.files,
  main: GLUE,
  types: TYPES,
  exports: {
    '.': { types: `./${TYPES}`, ...t.conditions },
    './package.json': './package.json',
    ...Object.fromEntries(wasm.map((f) => [`./${f}`, `./${f}`])),
  },
  ...(t.engines ? { engines: t.engines } : {}),
  // wasm-pack marks the glue as having side effects (it instantiates or holds the module);
  // Node ignores the field, so pkg-node/ has none.
  ...(old.sideEffects && target !== 'nodejs' ? { sideEffects: old.sideEffects } : {}),
  keywords: old.keywords,
};
writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);

const readme = readFileSync(TEMPLATE, 'utf8')
  .replaceAll('{{name}}', t.name)
  .replace('{{what}}', t.what)
  .replace('{{load}}', t.load)
  .replace('{{codes}}', codes.map((c) => `\`${c}\``).join(', '));
if (/\{\{\w+\}\}/.test(readme)) fail(`${TEMPLATE} has a placeholder this script does not fill`);
writeFileSync(join(dir, 'README.md'), readme);
copyFileSync(LICENSE, join(dir, 'LICENSE'));

console.log(`package: ${dir} is ${t.name}@${pkg.version}, ${codes.length} error codes in its README`);
