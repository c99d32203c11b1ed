#!/usr/bin/env node
// Makes src/facade.js the package's entry points (Makefile, `make pkg`), after wasm-pack and
// scripts/dual-wasm.mjs:
//
//   node scripts/facade.mjs <package-dir>
//
//   1. wasm-bindgen's web glue, <package-dir>/amanat.js, becomes amanat_bindgen.js (internal;
//      the Node glue is amanat_bindgen.cjs already);
//   2. src/facade.js becomes three entry points: amanat.js (an ES module, for browsers, workers
//      and bundlers) with its part between `// web {` and `// } web` (init, initSync, worker);
//      amanat.cjs (CommonJS, for Node) with its `// node {` part instead; and amanat.node.mjs,
//      Node's ES-module face of amanat.cjs (one instance whether required or imported);
//      src/worker.js becomes amanat_worker.js, the worker `worker()` starts;
//   3. every function the declarations declare and the facade does not define is exported
//      through the facade's `enter` (so that it throws NOT_INITIALISED before init and its
//      errors are known to isAmanatError), except wasmFileName, which needs no instance and is
//      re-exported unchanged; but only if its declaration names no class: one that takes or
//      returns an Election or a SealedBallot must be checked by the facade, or this fails (so
//      a new #[wasm_bindgen] function cannot reach the public API unchecked). Every class the
//      declarations name must be the facade's own;
//   4. amanat.d.ts (browser) gets src/worker.d.ts; amanat.node.d.ts gets Node's `init` and
//      `initSync`, and is copied to amanat.node.d.cts for `require`;
//   5. package.json lists the new files (`files`, and `sideEffects` where wasm-pack wrote
//      one). The rest of package.json, and the README and LICENSE, are scripts/package.mjs's.

import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GLUE = 'amanat.js';
const BINDGEN = 'amanat_bindgen.js';
const NODE_BINDGEN = 'amanat_bindgen.cjs';
const NODE_ENTRY = 'amanat.cjs';
const NODE_ESM = 'amanat.node.mjs';
const WORKER = 'amanat_worker.js';
const TYPES = 'amanat.d.ts';
const NODE_TYPES = 'amanat.node.d.ts';
const NODE_CTYPES = 'amanat.node.d.cts';
const source = (file) => fileURLToPath(new URL(`../src/${file}`, import.meta.url));
const IMPORT = "import * as bindgen from './amanat_bindgen.js';";

const NODE_INIT_TYPES = `
/** Does nothing in Node, where the module is instantiated when the package is loaded; it
 *  exists so that code written for the browser (\`await init()\`) runs unchanged. Also
 *  \`require('amanat').init\`. */
declare function init(module_or_path?: unknown): Promise<void>;
export { init };
export default init;
/** Does nothing in Node (see \`init\`). */
export function initSync(module?: unknown): void;
`;

function fail(message) {
  console.error(`facade.mjs: ${message}`);
  process.exit(1);
}

const [dir] = process.argv.slice(2);
if (!dir) fail('usage: node scripts/facade.mjs <package-dir>');
for (const file of [GLUE, TYPES, NODE_BINDGEN, NODE_TYPES, 'package.json']) {
  if (!existsSync(join(dir, file))) fail(`${join(dir, file)} is missing`);
}
if (existsSync(join(dir, BINDGEN))) fail(`${join(dir, BINDGEN)} exists already: run this once, on wasm-pack's output`);

const PART = (name) => new RegExp(`^// ${name} \\{\\n[\\s\\S]*?^// \\} ${name}\\n`, 'gm');
const NEEDS_NO_INSTANCE = new Set(['wasmFileName']);

const facade = readFileSync(source('facade.js'), 'utf8');
if (facade.split(IMPORT).length !== 2) fail(`src/facade.js must contain exactly one ${JSON.stringify(IMPORT)}`);
for (const name of ['web', 'node']) {
  if ((facade.match(PART(name)) || []).length !== 1) fail(`src/facade.js must have exactly one \`// ${name} {\` ... \`// } ${name}\` part`);
}

/** src/facade.js with one part kept (its markers dropped) and the other removed. */
function variant(keep, drop) {
  return facade
    .replace(PART(drop), '')
    .replace(PART(keep), (part) => `${part.split('\n').slice(1, -2).join('\n')}\n`);
}

/** Checks `source` against the declarations `types`; returns the functions to wrap and pass. */
function plan(text, types, what) {
  const own = [...text.matchAll(/^export (default )?(?:async )?(class|function) (\w+)/gm)]
    .map((m) => ({ kind: m[2], name: m[1] ? 'default' : m[3] }));
  const classes = [...types.matchAll(/^export class (\w+)/gm)].map((m) => m[1]);
  const functions = [...types.matchAll(/^export (default )?function (\w+)[^\n]*$/gm)]
    .map((m) => ({ name: m[1] ? 'default' : m[2], line: m[0] }));
  // `declare function init(...)` then `export default init;` (Node's declarations)
  const defaultName = types.match(/^export default (\w+);$/m);
  if (defaultName && new RegExp(`^declare function ${defaultName[1]}\\(`, 'm').test(types)) functions.push({ name: 'default', line: '' });
  const ownNames = new Set(own.map((d) => d.name));
  for (const name of classes) {
    if (!own.some((d) => d.kind === 'class' && d.name === name)) fail(`${what}: the declarations name class ${name}, which src/facade.js does not define`);
  }
  for (const d of own) {
    if (!(d.kind === 'class' ? classes : functions.map((f) => f.name)).includes(d.name)) {
      fail(`${what}: src/facade.js defines ${d.kind} ${d.name}, which the declarations do not declare`);
    }
  }
  const mentionsClass = new RegExp(`\\b(${classes.join('|')})\\b`);
  const passed = [];
  for (const { name, line } of functions) {
    if (ownNames.has(name)) continue;
    if (classes.length > 0 && mentionsClass.test(line)) {
      fail(`${what}: ${name} takes or returns one of ${classes.join(', ')}; src/facade.js must wrap it:\n  ${line}`);
    }
    passed.push(name);
  }
  return {
    own: own.map((d) => d.name),
    wrapped: passed.filter((n) => !NEEDS_NO_INSTANCE.has(n)),
    unchanged: passed.filter((n) => NEEDS_NO_INSTANCE.has(n)),
  };
}

const header = '// Generated by scripts/facade.mjs from src/facade.js; do not edit.\n';
const wrappers = (names) => names.map((n) => `export function ${n}(...args) {\n  return enter(() => bindgen.${n}(...args));\n}\n`).join('\n');

// The browser build.
const webTypes = readFileSync(join(dir, TYPES), 'utf8') + readFileSync(source('worker.d.ts'), 'utf8');
const web = variant('web', 'node');
const webPlan = plan(web, webTypes, TYPES);
renameSync(join(dir, GLUE), join(dir, BINDGEN));
let entry = `${header}\n${web}\n${wrappers(webPlan.wrapped)}`;
if (webPlan.unchanged.length > 0) entry += `\nexport { ${webPlan.unchanged.join(', ')} } from './${BINDGEN}';\n`;
writeFileSync(join(dir, GLUE), entry);
writeFileSync(join(dir, TYPES), webTypes);
copyFileSync(source('worker.js'), join(dir, WORKER));

// The Node build.
const nodeTypes = readFileSync(join(dir, NODE_TYPES), 'utf8') + NODE_INIT_TYPES;
const node = variant('node', 'web');
const nodePlan = plan(node, nodeTypes, NODE_TYPES);
let cjs = `${header}'use strict';\n\n${node}\n${wrappers(nodePlan.wrapped)}`
  .replace(IMPORT, `const bindgen = require('./${NODE_BINDGEN}');`)
  .replace(/^export default (async )?function (\w+)/m, '$1function $2')
  .replace(/^export (class|function) /gm, '$1 ');
const named = [...nodePlan.own.filter((n) => n !== 'default'), ...nodePlan.wrapped];
cjs += `\n${named.map((n) => `exports.${n} = ${n};`).join('\n')}\n`;
cjs += `${nodePlan.unchanged.map((n) => `exports.${n} = bindgen.${n};`).join('\n')}\n`;
cjs += 'exports.init = init;\nexports.default = init;\n';
if (!/^function init\(/m.test(cjs) && !/^async function init\(/m.test(cjs)) fail('the node part of src/facade.js must define init');
writeFileSync(join(dir, NODE_ENTRY), cjs);
const all = [...named, ...nodePlan.unchanged];
writeFileSync(join(dir, NODE_ESM), `${header}// Node's ES-module face of ${NODE_ENTRY}: the same instance whether required or imported.\n\n`
  + `import amanat from './${NODE_ENTRY}';\n\n`
  + `export const { ${[...all, 'init'].join(', ')} } = amanat;\nexport default amanat.init;\n`);
writeFileSync(join(dir, NODE_TYPES), nodeTypes);
writeFileSync(join(dir, NODE_CTYPES), nodeTypes);

// package.json.
const pkgPath = join(dir, 'package.json');
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
if (!Array.isArray(pkg.files) || !pkg.files.includes(GLUE)) fail(`package.json does not list ${GLUE}`);
pkg.files.splice(pkg.files.indexOf(GLUE) + 1, 0, BINDGEN, WORKER, NODE_ENTRY, NODE_ESM, NODE_CTYPES);
if (Array.isArray(pkg.sideEffects)) pkg.sideEffects.push(`./${BINDGEN}`, `./${NODE_BINDGEN}`, `./${WORKER}`);
writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);

console.log(`facade: ${dir}/${GLUE} and ${NODE_ENTRY} wrap ${webPlan.wrapped.join(', ')} and pass through ${webPlan.unchanged.join(', ') || 'nothing'}`);
