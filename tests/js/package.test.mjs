// The package as npm publishes it: `npm pack` of pkg/ (amanat); the tarball holds its
// LICENSE, its own README and CHANGELOG and a package.json with `exports`, and installs into
// a fresh directory (a copy, not a link) where Node's build loads from require and import,
// and the browser build (asked for by condition) loads after init, as its README says.
// Run: make test-js   (or: node --test tests/js/)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

function checkPackage() {
  const { tarball, files, name } = pack('pkg');
  assert.equal(name, 'amanat');
  for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'amanat.js', 'amanat_bindgen.js', 'amanat.d.ts',
    'amanat.cjs', 'amanat_bindgen.cjs', 'amanat.node.mjs', 'amanat.node.d.ts', 'amanat.node.d.cts', 'amanat_worker.js',
    'amanat_bg.wasm', 'amanat_simd_bg.wasm']) {
    assert.ok(files.includes(f), `the tarball lacks ${f} (has ${files.join(', ')})`);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'pkg', 'package.json'), 'utf8'));
  assert.equal(pkg.license, 'AGPL-3.0-or-later');
  assert.equal(pkg.repository, undefined, 'no invented repository URL');
  assert.ok(!JSON.stringify(pkg).includes('example.invalid'), 'no placeholder URL anywhere');
  assert.ok(!JSON.stringify(pkg.exports).includes('amanat_bindgen'), 'the glue is not exported');
  assert.equal(readFileSync(join(root, 'pkg', 'LICENSE'), 'utf8'), license);
  const readme = readFileSync(join(root, 'pkg', 'README.md'), 'utf8');
  assert.ok(readme.startsWith('# amanat\n'), 'its own README');
  assert.ok(readme.length < 6000, `a short README (${readme.length} characters)`);
  assert.ok(readme.includes('npm install amanat'));
  assert.ok(readme.includes("script-src 'self' 'wasm-unsafe-eval'"), 'the CSP a page needs');
  assert.ok(!/amanat-node|amanat-bundler/.test(readme), 'no word of the packages it replaces but in the CHANGELOG');
  const dts = readFileSync(join(root, 'pkg', 'amanat.d.ts'), 'utf8');
  const codes = dts.match(/^export type ErrorCode =([^;]*);/m)[1].match(/'([A-Z_]+)'/g).map((c) => c.slice(1, -1));
  assert.ok(codes.includes('NOT_INITIALISED'));
  for (const c of codes) assert.ok(readme.includes(`\`${c}\``), `README lists ${c}`);
  return { tarball, pkg };
}

test('amanat: packed with LICENSE, README, CHANGELOG, exports and engines; installed, Node gets its build from require and from import, with init a no-op', () => {
  const { tarball, pkg } = checkPackage();
  assert.deepEqual(pkg.engines, { node: '>=18' });
  assert.equal(pkg.type, 'module');
  for (const type of ['commonjs', 'module']) {
    const app = install(tarball, type);
    assert.ok(lstatSync(join(app, 'node_modules', 'amanat')).isDirectory(), 'installed as a copy, not a link');
    const body = `
      await init();
      const election = amanat.Election.fromJson(${JSON.stringify(electionJson)});
      const sealed = amanat.seal(election, ${JSON.stringify(code)}, ${JSON.stringify(choice)});
      let err;
      try { amanat.Election.fromJson('{'); } catch (e) { err = e; }
      console.log(JSON.stringify({ version: amanat.protocolVersion(), tracking: sealed.trackingCode,
        verified: amanat.verifyBallot(election, sealed.ballotJson).trackingCode, wasm: amanat.wasmFileName(),
        code: err.code, ours: amanat.isAmanatError(err), same: amanat.isAmanatError(other) }));`;
    for (const out of [
      // CommonJS, and an ES module importing it: one instance, so each recognises the other's errors.
      run(app, 'cjs.cjs', `const amanat = require('amanat'); const init = amanat.init;
        (async () => { const other = await import('amanat').then((m) => { try { m.Election.fromJson('['); } catch (e) { return e; } });
        ${body} })();`),
      run(app, 'esm.mjs', `import init, * as amanat from 'amanat'; import { createRequire } from 'node:module';
        const other = (() => { try { createRequire(import.meta.url)('amanat').Election.fromJson('['); } catch (e) { return e; } })();
        ${body}`),
    ]) {
      assert.equal(out.version, 'amanat/2');
      assert.equal(out.verified, out.tracking);
      assert.equal(out.wasm, 'amanat_simd_bg.wasm');
      assert.equal(out.code, 'MALFORMED_JSON');
      assert.equal(out.ours, true);
      assert.equal(out.same, true, 'require and import share one instance');
    }
    // The glue is internal: not reachable by the package's name.
    assert.throws(() => run(app, 'glue.cjs', "require('amanat/amanat_bindgen.cjs')"), /ERR_PACKAGE_PATH_NOT_EXPORTED/);
  }
});

test('amanat: the browser entry point, imported by a Node that asks for the browser condition, refuses calls before init and works after init with the bytes', () => {
  const { tarball } = checkPackage();
  const app = install(tarball, 'module');
  writeFileSync(join(app, 'main.js'), `
    import { readFileSync } from 'node:fs';
    import { fileURLToPath } from 'node:url';
    import init, { Election, seal, verifyBallot, protocolVersion, wasmFileName, isAmanatError, worker } from 'amanat';
    let before;
    try { protocolVersion(); } catch (e) { before = { code: e.code, ours: isAmanatError(e) }; }
    // The .wasm files are exported, so a page or a test can find them by the package's name.
    const url = import.meta.resolve('amanat/' + wasmFileName());
    await init({ module_or_path: readFileSync(fileURLToPath(url)) });
    const election = Election.fromJson(${JSON.stringify(electionJson)});
    const sealed = seal(election, ${JSON.stringify(code)}, ${JSON.stringify(choice)});
    console.log(JSON.stringify({ before, version: protocolVersion(), tracking: sealed.trackingCode, worker: typeof worker,
      entry: import.meta.resolve('amanat').split('/').pop(), verified: verifyBallot(election, sealed.ballotJson).trackingCode }));`);
  const out = JSON.parse(execFileSync(process.execPath, ['--conditions=browser', 'main.js'], { cwd: app, encoding: 'utf8' }));
  assert.equal(out.entry, 'amanat.js');
  assert.deepEqual(out.before, { code: 'NOT_INITIALISED', ours: true });
  assert.equal(out.version, 'amanat/2');
  assert.equal(out.verified, out.tracking);
  assert.equal(out.worker, 'function');
});
