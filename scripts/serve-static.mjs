#!/usr/bin/env node
// A plain static web server for a directory: what hosting the observer page (observer-site/,
// docs/observer.md) on "any static web server" means, used by `make demo` and by the tests.
// GET and HEAD only; nothing outside the directory; each file with its type, nosniff and
// no-store; the page's own Content-Security-Policy (from its index.html's meta) as a header.
//
//   node scripts/serve-static.mjs DIR [HOST:PORT]      (default 127.0.0.1:8081)

import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/** The Content-Security-Policy of `dir`/index.html's meta, or null. */
export function pagePolicy(dir) {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return null;
  const match = readFileSync(index, 'utf8').match(/http-equiv="Content-Security-Policy" content="([^"]+)"/);
  return match ? match[1] : null;
}

/**
 * Serves the files under `root` on `host`:`port` (0: a free port). `headers` are added to
 * every answer; `onRequest(path)` sees each path asked for; `slowPrefix`, when given, is a
 * path prefix under which a file is sent 32 KB every 100 ms (a slow link, for tests).
 * Resolves to {url, close}.
 */
export function serveDirectory(root, { headers = {}, host = '127.0.0.1', port = 0, onRequest, slowPrefix } = {}) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed');
      return;
    }
    let asked;
    try {
      asked = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400, { ...headers, 'content-type': 'text/plain' }).end('bad path');
      return;
    }
    onRequest?.(asked);
    const slow = Boolean(slowPrefix) && asked.startsWith(slowPrefix);
    const path = slow ? asked.slice(slowPrefix.length - 1) : asked;
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403, { ...headers, 'content-type': 'text/plain' }).end('outside the site');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(file)] || 'application/octet-stream',
      'content-length': statSync(file).size,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else if (slow) {
      const stream = createReadStream(file, { highWaterMark: 32 * 1024 });
      stream.on('data', (chunk) => {
        stream.pause();
        res.write(chunk);
        setTimeout(() => stream.resume(), 100);
      });
      stream.on('end', () => res.end());
      res.on('close', () => stream.destroy());
    } else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      ok({
        url: `http://${host}:${server.address().port}`,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(done);
        }),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, at = '127.0.0.1:8081'] = process.argv.slice(2);
  if (!dir || !existsSync(join(dir, 'index.html'))) {
    console.error('usage: node scripts/serve-static.mjs DIR [HOST:PORT]  (DIR must hold an index.html)');
    process.exit(2);
  }
  const colon = at.lastIndexOf(':');
  const policy = pagePolicy(dir);
  serveDirectory(dir, {
    host: at.slice(0, colon),
    port: Number(at.slice(colon + 1)),
    headers: policy ? { 'content-security-policy': policy } : {},
  }).then(
    ({ url }) => console.log(`${dir} on ${url}/`),
    (e) => {
      console.error(`cannot serve ${dir} on ${at}: ${e.message}`);
      process.exit(1);
    },
  );
}
