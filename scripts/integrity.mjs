#!/usr/bin/env node
// Prepares www/ to be served, after `make pkg`:
//   1. copies the self-hosted fonts (Noto Nastaliq Urdu, Noto Sans) from node_modules into
//      www/fonts/, and the QR code library into www/vendor/ (node_modules is never served);
//   2. writes www/index.html from www/index.template.html, replacing every @sri(/path) with the
//      file's SHA-384 so the browser refuses a changed script, stylesheet or ballot module, and
//      every @t(lang:key) with that translation (the text shown before the scripts run), and
//      @simd-probe with the WebAssembly SIMD test (base64), for js/boot.js;
//   3. writes www/integrity.json (every served file's SHA-384, for anyone comparing builds);
//   4. writes www/build.js, the service worker's lists of files to keep offline (at once, or
//      when first used) with their SHA-384, a version that changes whenever any of them does,
//      and which of the module's two builds this browser runs (scripts/simd-probe.mjs), so it
//      keeps only that one.
// Usage: node scripts/integrity.mjs   (from the repository root)

import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASELINE_FILE, SIMD_FILE, SIMD_PROBE, chooserSource } from './simd-probe.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const www = join(root, 'www');
const pkg = join(root, 'pkg');

const FONTS = [
  ['@fontsource/noto-nastaliq-urdu', 'noto-nastaliq-urdu-arabic-400-normal.woff2'],
  ['@fontsource/noto-sans', 'noto-sans-latin-400-normal.woff2'],
  ['@fontsource/noto-sans', 'noto-sans-latin-700-normal.woff2'],
];
// The libraries the page loads when it needs them, copied from node_modules into www/vendor/
// (node_modules is never served): the QR codes of a checked seal and of a receipt (js/qr.js).
const VENDOR = [['qrcode-generator', 'dist/qrcode.mjs', 'qrcode-generator.mjs']];
// amanat.js is the package's entry point (src/facade.js), which imports wasm-bindgen's glue;
// amanat_worker.js the module worker the page seals in (www/js/module.js).
const MODULE_FILES = ['amanat.js', 'amanat_bindgen.js', 'amanat_worker.js', BASELINE_FILE, SIMD_FILE];
/** Files in www/ that are generated here or are not part of the page. */
const NOT_ASSETS = new Set(['index.template.html', 'index.html', 'build.js', 'sw.js', 'integrity.json', '.gitignore', 'README.md']);

function fail(message) {
  console.error(`integrity.mjs: ${message}`);
  process.exit(1);
}

function sri(bytes) {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/** The URL path a file is served at. */
function urlOf(path) {
  if (path.startsWith(pkg + sep)) return `/pkg/${relative(pkg, path).split(sep).join('/')}`;
  return `/${relative(www, path).split(sep).join('/')}`;
}

function fileOf(url) {
  if (url.startsWith('/pkg/')) return join(pkg, ...url.slice(5).split('/'));
  return join(www, ...url.slice(1).split('/'));
}

// 1. Fonts (and none that an older build copied and this one no longer uses).
mkdirSync(join(www, 'fonts'), { recursive: true });
for (const name of readdirSync(join(www, 'fonts'))) {
  if (!FONTS.some(([, file]) => name === file || name.startsWith(`${file}.`))) rmSync(join(www, 'fonts', name));
}
for (const [packageName, file] of FONTS) {
  const from = join(root, 'node_modules', packageName, 'files', file);
  if (!existsSync(from)) fail(`${from} is missing: run npm ci (make setup) first`);
  copyFileSync(from, join(www, 'fonts', file));
}

// 1b. Vendored libraries (and none that an older build copied and this one no longer uses).
mkdirSync(join(www, 'vendor'), { recursive: true });
for (const name of readdirSync(join(www, 'vendor'))) {
  if (!VENDOR.some(([, , file]) => name === file || name.startsWith(`${file}.`))) rmSync(join(www, 'vendor', name));
}
for (const [packageName, file, as] of VENDOR) {
  const from = join(root, 'node_modules', packageName, file);
  if (!existsSync(from)) fail(`${from} is missing: run npm ci (make setup) first`);
  copyFileSync(from, join(www, 'vendor', as));
}

// 2. Hashes of everything served.
for (const file of MODULE_FILES) {
  if (!existsSync(join(pkg, file))) fail(`pkg/${file} is missing: run make pkg first`);
}
const assets = [
  // Not the compressed copies scripts/precompress.mjs writes: the box sends them in place of
  // their originals, whose hashes are the ones that count.
  ...walk(www).filter((p) => !NOT_ASSETS.has(relative(www, p).split(sep).join('/'))
    && !/\.(br|gz)$/.test(p)),
  ...MODULE_FILES.map((f) => join(pkg, f)),
];
const hashes = Object.fromEntries(assets.map((p) => [urlOf(p), sri(readFileSync(p))]));

// 3. index.html with every @sri(...) filled in, and every @t(lang:key) with that text from
// i18n/<lang>.json (what the page shows before its scripts have run: the loading screen).
const template = readFileSync(join(www, 'index.template.html'), 'utf8');
const texts = {};
const text = (lang, key) => {
  texts[lang] ??= JSON.parse(readFileSync(join(www, 'i18n', `${lang}.json`), 'utf8'));
  const value = key.split('.').reduce((node, part) => (node && typeof node === 'object' ? node[part] : undefined), texts[lang]);
  if (typeof value !== 'string') fail(`index.template.html names @t(${lang}:${key}), which i18n/${lang}.json lacks`);
  return value.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
};
const html = template
  .replace(/@sri\(([^)]+)\)/g, (_, url) => {
    const file = fileOf(url);
    if (!existsSync(file)) fail(`index.template.html names ${url}, which does not exist`);
    return hashes[url] || sri(readFileSync(file));
  })
  .replace(/@t\((\w+):([\w.]+)\)/g, (_, lang, key) => text(lang, key))
  .replace(/@simd-probe/g, Buffer.from(SIMD_PROBE).toString('base64'));
writeFileSync(join(www, 'index.html'), html);
hashes['/index.html'] = sri(Buffer.from(html));

writeFileSync(join(www, 'integrity.json'), `${JSON.stringify(hashes, null, 2)}\n`);

// 4. The service worker's manifest. The version hashes every file's hash, so any change to
// the page, the module or a translation makes browsers fetch the new set. `shell` is what the
// page needs to start (kept at install, from the browser's HTTP cache where the page has just
// fetched it); `later` is what only some voters need, when they need it (the fonts of one
// language, the symbols of one ballot): kept as the page fetches it. `hashes` lets the worker
// keep only the bytes this build names (the same SHA-384 values as index.html's pins).
const version = createHash('sha256')
  .update(Object.entries(hashes).sort().map(([u, h]) => `${u} ${h}`).join('\n'))
  .digest('hex')
  .slice(0, 16);
const served = Object.keys(hashes).filter((u) => u !== '/index.html').sort();
const isLater = (u) => u.startsWith('/fonts/') || u.startsWith('/symbols/') || u.startsWith('/vendor/')
  || u === '/js/seal-code.js' || u === '/js/qr.js';
const shell = ['/', ...served.filter((u) => !isLater(u))];
const later = served.filter(isLater);
const wasm = { files: [`/pkg/${BASELINE_FILE}`, `/pkg/${SIMD_FILE}`] };
const workerHashes = { '/': hashes['/index.html'], ...Object.fromEntries(served.map((u) => [u, hashes[u]])) };
const build = `// Written by scripts/integrity.mjs; do not edit.
self.AMANAT_BUILD = ${JSON.stringify({ version, shell, later, wasm, hashes: workerHashes }, null, 2)};
// The module file this browser runs: the SIMD build where it has WebAssembly SIMD.
self.AMANAT_BUILD.wasm.chosen = '/pkg/' + ${chooserSource()};
`;
writeFileSync(join(www, 'build.js'), build);

console.log(`www: ${shell.length} files kept for offline use at once, ${later.length} when first used, build ${version}`);
