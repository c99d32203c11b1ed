// Writes a brotli (.br) and a gzip (.gz) copy beside every compressible file of the given
// directories (make www-assets: www/ and pkg/), for `amanat serve` to send to browsers that
// accept them (authority/src/static_files.rs). Compressed once at build time, at the highest
// levels, so the box spends no CPU per request. A copy is kept only where it saves at least
// a tenth; an old copy that would not be written now is removed. Usage:
//   node scripts/precompress.mjs DIR...
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.wasm',
  '.webmanifest', '.txt', '.map']);

let before = 0;
let after = 0;
let files = 0;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) {
      walk(path);
    } else if (COMPRESSIBLE.has(extname(name))) {
      compress(path);
    }
  }
}

function compress(path) {
  const raw = readFileSync(path);
  const copies = {
    br: brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    }),
    gz: gzipSync(raw, { level: 9 }),
  };
  let smallest = raw.length;
  for (const [suffix, bytes] of Object.entries(copies)) {
    const out = `${path}.${suffix}`;
    if (bytes.length <= raw.length * 0.9) {
      writeFileSync(out, bytes);
      smallest = Math.min(smallest, bytes.length);
    } else {
      rmSync(out, { force: true });
    }
  }
  before += raw.length;
  after += smallest;
  files += 1;
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node scripts/precompress.mjs DIR...');
  process.exit(2);
}
for (const dir of dirs) walk(dir);
console.log(`precompressed ${files} files in ${dirs.join(', ')}: ${before} bytes, ${after} as sent to a browser that takes brotli`);
