// The packages as npm publishes them: `npm pack` of pkg/ (amanat) and pkg-node/ (amanat-node),
// and of pkg-bundler/ (amanat-bundler) where it has been built (`make pkg`); each tarball
// holds its LICENSE, its own README and a package.json with `exports`, and installs into a
// fresh directory (a copy, not a link) where it loads and works as its README says.
// Run: make test-js   (or: node --test tests/js/)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const license = readFileSync(join(root, 'LICENSE'), 'utf8');
const electionJson = readFileSync(join(root, 'tests', 'vectors', 'election.json'), 'utf8');
const { code } = JSON.parse(readFileSync(join(root, 'tests', 'vectors', 'ballots.json'), 'utf8'))[0];
const choice = { 'NA-1': ['na-1-03'], 'PP-1': ['pp-1-17'] };

const work = mkdtempSync(join(tmpdir(), 'amanat-pack-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--offline', '--loglevel=error'],
  { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** `npm pack` of `dir`: the tarball's path and the files it holds. */
function pack(dir) {
  const [info] = JSON.parse(npm(['pack', '--json', '--pack-destination', work, join(root, dir)], work));
  return { tarball: join(work, info.filename), files: info.files.map((f) => f.path).sort(), name: info.name };
}

/** A fresh project with the tarball installed; returns its directory. */
function install(tarball, type) {
  const app = mkdtempSync(join(work, 'app-'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type }));
  npm(['install', tarball], app);
  return app;
}

/** Runs `source` with node in `app`; returns what it printed, parsed. */
function run(app, file, source) {
  writeFileSync(join(app, file), source);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

function checkPackage(dir, name, conditions) {
  const { tarball, files, name: packed } = pack(dir);
  assert.equal(packed, name);
  for (const f of ['LICENSE', 'README.md', 'package.json', 'amanat.js', 'amanat_bindgen.js', 'amanat.d.ts', 'amanat_bg.wasm']) {
    assert.ok(files.includes(f), `${name}: the tarball lacks ${f} (has ${files.join(', ')})`);
  }
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  assert.equal(pkg.name, name);
  assert.equal(pkg.license, 'AGPL-3.0-or-later');
  assert.equal(pkg.repository, undefined, 'no invented repository URL');
  assert.deepEqual(pkg.exports['.'], { types: './amanat.d.ts', ...conditions });
  assert.ok(!JSON.stringify(pkg.exports).includes('amanat_bindgen'), 'the glue is not exported');
  assert.equal(readFileSync(join(root, dir, 'LICENSE'), 'utf8'), license);
  const readme = readFileSync(join(root, dir, 'README.md'), 'utf8');
  assert.ok(readme.startsWith(`# ${name}\n`), 'its own README');
  assert.ok(readme.length < 6000, `a short README (${readme.length} characters)`);
  assert.ok(readme.includes(`npm install ${name}`));
  assert.ok(readme.includes("script-src 'self' 'wasm-unsafe-eval'"), 'the CSP a page needs');
  const dts = readFileSync(join(root, dir, 'amanat.d.ts'), 'utf8');
  const codes = dts.match(/^export type ErrorCode =([^;]*);/m)[1].match(/'([A-Z_]+)'/g).map((c) => c.slice(1, -1));
  assert.ok(codes.includes('NOT_INITIALISED'));
  for (const c of codes) assert.ok(readme.includes(`\`${c}\``), `README lists ${c}`);
  return { tarball, pkg };
}

test('amanat-node: packed with LICENSE, README, exports and engines; installed, it works from require and import', () => {
  const { tarball, pkg } = checkPackage('pkg-node', 'amanat-node', { require: './amanat.js', default: './amanat.js' });
  assert.deepEqual(pkg.engines, { node: '>=18' });
  assert.equal(pkg.type, 'commonjs');
  const app = install(tarball, 'commonjs');
  assert.ok(lstatSync(join(app, 'node_modules', 'amanat-node')).isDirectory(), 'installed as a copy, not a link');
  const body = `
    const election = amanat.Election.fromJson(${JSON.stringify(electionJson)});
    const sealed = amanat.seal(election, ${JSON.stringify(code)}, ${JSON.stringify(choice)});
    let err;
    try { amanat.Election.fromJson('{'); } catch (e) { err = e; }
    console.log(JSON.stringify({ version: amanat.protocolVersion(), tracking: sealed.trackingCode,
      verified: amanat.verifyBallot(election, sealed.ballotJson).trackingCode,
      code: err.code, ours: amanat.isAmanatError(err) }));`;
  for (const out of [
    run(app, 'cjs.js', `const amanat = require('amanat-node');${body}`),
    run(app, 'esm.mjs', `import * as amanat from 'amanat-node';${body}`),
  ]) {
    assert.equal(out.version, 'amanat/2');
    assert.equal(out.verified, out.tracking);
    assert.equal(out.code, 'MALFORMED_JSON');
    assert.equal(out.ours, true);
  }
  // The glue is internal: not reachable by the package's name.
  assert.throws(() => run(app, 'glue.js', "require('amanat-node/amanat_bindgen.js')"), /ERR_PACKAGE_PATH_NOT_EXPORTED/);
});

test('amanat (web): packed with LICENSE, README and exports; installed, it imports, refuses calls before init, and works after init with the bytes', () => {
  const { tarball, pkg } = checkPackage('pkg', 'amanat', { import: './amanat.js', default: './amanat.js' });
  assert.equal(pkg.type, 'module');
  assert.ok(pkg.files.includes('amanat_simd_bg.wasm'));
  const app = install(tarball, 'module');
  assert.ok(lstatSync(join(app, 'node_modules', 'amanat')).isDirectory(), 'installed as a copy, not a link');
  const out = run(app, 'main.js', `
    import { readFileSync } from 'node:fs';
    import { fileURLToPath } from 'node:url';
    import init, { Election, seal, verifyBallot, protocolVersion, wasmFileName, isAmanatError } from 'amanat';
    let before;
    try { protocolVersion(); } catch (e) { before = { code: e.code, ours: isAmanatError(e) }; }
    // The .wasm files are exported, so a page or a test can find them by the package's name.
    const url = import.meta.resolve('amanat/' + wasmFileName());
    await init({ module_or_path: readFileSync(fileURLToPath(url)) });
    const election = Election.fromJson(${JSON.stringify(electionJson)});
    const sealed = seal(election, ${JSON.stringify(code)}, ${JSON.stringify(choice)});
    console.log(JSON.stringify({ before, version: protocolVersion(), tracking: sealed.trackingCode,
      verified: verifyBallot(election, sealed.ballotJson).trackingCode }));`);
  assert.deepEqual(out.before, { code: 'NOT_INITIALISED', ours: true });
  assert.equal(out.version, 'amanat/2');
  assert.equal(out.verified, out.tracking);
});

test('amanat-bundler: packed with LICENSE, README and exports (where pkg-bundler/ is built)', (t) => {
  if (!existsSync(join(root, 'pkg-bundler', 'package.json'))) {
    t.skip('pkg-bundler/ is not built (make pkg-bundler/amanat_bg.wasm)');
    return;
  }
  const { pkg } = checkPackage('pkg-bundler', 'amanat-bundler', { default: './amanat.js' });
  assert.ok(pkg.sideEffects.includes('./amanat_bindgen.js'), 'the glue that instantiates the module is kept by tree shaking');
});
