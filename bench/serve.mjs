// A small static file server for the benchmark: serves the repository root on 127.0.0.1 (a
// free port unless one is given), with the MIME types browsers insist on (application/wasm
// for streaming compilation, text/javascript for modules). It also sends the cross-origin
// isolation headers, which give the page full-resolution `performance.now()`.
//
//   node bench/serve.mjs [--port N] [--data DIR]   serve until interrupted; with --data, also
//       DIR/election.json and DIR/credential.txt as /bench/election.json and
//       /bench/credential.txt (what `cargo run --release --example bench_native -- --emit DIR`
//       writes), so bench/index.html can be run by hand
//   import { startServer } from './serve.mjs'   (bench/run.mjs)

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * Starts the server. `routes` maps extra URL paths to in-memory bodies
 * (`{ body, type }`), e.g. the throwaway election the benchmark generates.
 * Resolves to `{ url, close() }`.
 */
export async function startServer({ root = ROOT, port = 0, routes = {} } = {}) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    };
    const send = (status, body, type) => {
      res.writeHead(status, { ...headers, 'Content-Type': type });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n', TYPES['.txt']);
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return send(400, 'bad request\n', TYPES['.txt']);
    }
    if (Object.hasOwn(routes, path)) {
      const r = routes[path];
      return send(200, r.body, r.type ?? TYPES[extname(path)] ?? 'application/octet-stream');
    }
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return send(403, 'forbidden\n', TYPES['.txt']);
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      return send(200, body, TYPES[extname(file)] ?? 'application/octet-stream');
    } catch {
      return send(404, 'not found\n', TYPES['.txt']);
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  const { port: actual } = server.address();
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const routes = {};
  const data = arg('--data');
  if (data) {
    for (const f of ['election.json', 'credential.txt']) {
      routes[`/bench/${f}`] = { body: await readFile(join(data, f)) };
    }
  }
  const { url } = await startServer({ port: Number(arg('--port') ?? 0), routes });
  console.log(`serving ${ROOT} on ${url}/ (Ctrl-C stops)${data ? `; benchmark page: ${url}/bench/` : ''}`);
}
