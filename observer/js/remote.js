// What the observer page's checks against a running ballot box share: the module, loaded
// once; reads from an address the observer typed or scanned (attacker-controllable), bounded
// in time and size, without credentials, never following a redirect elsewhere; election text in
// the page's language; and evidence files to download.

import init, * as amanat from '../pkg/amanat.js';

let ready = null;

/** The ballot module (pkg/amanat.js), initialised once. */
export function loadModule() {
  ready ??= init().then(() => amanat);
  return ready;
}

/** A failure of a read from the box, with a stable code (NETWORK, HTTP_<status>, NOT_JSON, TOO_LARGE). */
export class RemoteError extends Error {
  constructor(code, message, status = 0, body = null) {
    super(message);
    this.name = 'RemoteError';
    this.code = code;
    this.status = status;
    this.body = body;
  }
}

const TIMEOUT_MS = 30_000;
/** The most bytes read from one answer (a board entry is ~24 KB; a module ~330 KB). */
export const MAX_ANSWER = 16 << 20;

/**
 * GETs `url` from another origin: CORS, no credentials, no cookies, no referrer, redirects
 * refused. Resolves to {status, bytes, response}; `ok: false` answers are returned too.
 */
export async function fetchBytes(url) {
  let response;
  try {
    response = await fetch(url, {
      mode: 'cors',
      credentials: 'omit',
      redirect: 'error',
      referrerPolicy: 'no-referrer',
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new RemoteError('NETWORK', `${url}: ${err && err.message}`);
  }
  const reader = response.body ? response.body.getReader() : null;
  const parts = [];
  let size = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_ANSWER) {
        reader.cancel();
        throw new RemoteError('TOO_LARGE', `${url}: the answer is larger than ${MAX_ANSWER} bytes`, response.status);
      }
      parts.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return { status: response.status, ok: response.ok, bytes, response };
}

/** GETs JSON from the box; a non-2xx answer throws RemoteError with the box's own error code where it gave one. */
export async function fetchJson(url) {
  const { status, ok, bytes } = await fetchBytes(url);
  const text = new TextDecoder().decode(bytes);
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RemoteError(ok ? 'NOT_JSON' : `HTTP_${status}`, `${url}: the answer is not JSON (HTTP ${status})`, status);
  }
  if (!ok) {
    const code = body && body.error && typeof body.error.code === 'string' ? body.error.code : `HTTP_${status}`;
    throw new RemoteError(code, `${url}: HTTP ${status} ${code}`, status, body);
  }
  return { body, text };
}

/** Election text ({en, ur}) in `lang`, else English, else any. */
export function local(pair, lang) {
  if (pair === null || typeof pair !== 'object') return String(pair ?? '');
  return pair[lang] ?? pair.en ?? Object.values(pair)[0] ?? '';
}

/** An element with a class and attributes. */
export function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

/** Sets `node`'s text to the translation of `key` (with `args`), and marks it so that
 *  `translateMarked` puts it in the new language when the language changes. */
export function say(t, node, key, args) {
  node.setAttribute('data-k', key);
  if (args) node.setAttribute('data-k-args', JSON.stringify(args));
  else node.removeAttribute('data-k-args');
  node.textContent = t(key, args || {});
}

/** Every node below `root` marked by `say` (or written with `data-k`, or `data-k-aria-label`
 *  for its accessible name) translated again. */
export function translateMarked(t, root) {
  for (const node of root.querySelectorAll('[data-k]')) {
    node.textContent = t(node.getAttribute('data-k'), JSON.parse(node.getAttribute('data-k-args') || '{}'));
  }
  for (const node of root.querySelectorAll('[data-k-aria-label]')) {
    node.setAttribute('aria-label', t(node.getAttribute('data-k-aria-label')));
  }
}

/** Latin text inside Urdu (codes, addresses) kept in its own direction. */
export function isolated(text, className = 'code') {
  const span = el('span', className, { dir: 'ltr' });
  span.textContent = text;
  return span;
}

/** A link that downloads `document` (any JSON value) as `name`. */
export function evidenceLink(label, name, document) {
  const link = el('a', 'button secondary evidence-download');
  const blob = new Blob([`${JSON.stringify(document, null, 2)}\n`], { type: 'application/json' });
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.textContent = label;
  return link;
}

/** SHA-256 of bytes, lowercase hex. */
export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The error's stable code, whatever threw it. */
export function codeOf(err) {
  return (err && typeof err.code === 'string' && err.code) || 'INTERNAL';
}

/** The sections' stylesheet (css/checks.css), linked once by whichever section mounts first. */
export function useStyles() {
  if (document.getElementById('checks-css')) return;
  const link = el('link', null, { id: 'checks-css', rel: 'stylesheet', href: new URL('../css/checks.css', import.meta.url).href });
  document.head.append(link);
}
