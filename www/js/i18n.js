// Translations: every visible string lives in /i18n/<lang>.json. Elements name their text by
// key (data-t, data-t-aria-label, data-t-alt, data-t-title) with optional arguments in
// data-t-args (JSON). An argument that is {en, ur} picks the current language; a string
// starting with "@" is itself a translation key. Text from the election (names, parties) is
// carried the same way, so switching language re-renders every screen in place.

export const LANGUAGES = ['ur', 'en'];
const STORAGE_KEY = 'amanat.lang';

const tables = new Map();
let current = 'en';

/** The language the voter chose before, else the browser's first Urdu or English preference. */
export function preferredLanguage() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGUAGES.includes(saved)) return saved;
  } catch {
    // Storage can be disabled; fall through to the browser's languages.
  }
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

async function loadTable(lang) {
  if (!tables.has(lang)) {
    const response = await fetch(`/i18n/${lang}.json`);
    if (!response.ok) throw new Error(`translations ${lang}: HTTP ${response.status}`);
    tables.set(lang, await response.json());
  }
  return tables.get(lang);
}

/** Loads both languages (small files) so switching works offline and instantly. */
export async function loadLanguages() {
  await Promise.all(LANGUAGES.map(loadTable));
}

export function language() {
  return current;
}

export function locale() {
  return t('meta.locale');
}

function lookup(table, key) {
  let node = table;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** Whether a key exists in the current language. */
export function has(key) {
  return lookup(tables.get(current) || {}, key) !== undefined;
}

function resolveArg(value) {
  if (value !== null && typeof value === 'object') return value[current] ?? value.en ?? '';
  if (typeof value === 'string' && value.startsWith('@')) return t(value.slice(1));
  return String(value);
}

/** Latin text (a tracking code, a time) inside a right-to-left sentence: isolated, so its
 *  groups keep their order, e.g. GSAX-VFFW-AM65 and not AM65 GSAX-VFFW-, when the line wraps. */
const LATIN = /[A-Za-z]/;
function isolate(value) {
  return current === 'ur' && LATIN.test(value) ? `\u2066${value}\u2069` : value;
}

/** The text for `key` in the current language, with {name} placeholders filled from `args`. */
export function t(key, args = {}) {
  const text = lookup(tables.get(current) || {}, key) ?? lookup(tables.get('en') || {}, key) ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in args ? isolate(resolveArg(args[name])) : whole));
}

/** Text from the election manifest ({en, ur}) in the current language. */
export function local(pair) {
  return resolveArg(pair);
}

/** Formats an RFC 3339 time for the voter, in their time zone, with Latin digits. */
export function formatTime(rfc3339) {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return rfc3339;
  return new Intl.DateTimeFormat(`${locale()}-u-nu-latn`, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(date);
}

function argsOf(element) {
  const raw = element.getAttribute('data-t-args');
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return {};
  }
}

/** Marks an element to show `key` (with `args`) and renders it now. */
export function bind(element, key, args) {
  element.setAttribute('data-t', key);
  if (args) element.setAttribute('data-t-args', JSON.stringify(args));
  else element.removeAttribute('data-t-args');
  element.textContent = t(key, args || {});
  return element;
}

/** Marks an element to show election text ({en, ur}) and renders it now. */
export function bindLocal(element, pair) {
  element.setAttribute('data-l', JSON.stringify(pair));
  element.textContent = local(pair);
  return element;
}

/** Renders every marked element under `root` in the current language. */
export function apply(root = document) {
  for (const el of root.querySelectorAll('[data-t]')) el.textContent = t(el.getAttribute('data-t'), argsOf(el));
  for (const el of root.querySelectorAll('[data-l]')) el.textContent = local(JSON.parse(el.getAttribute('data-l')));
  for (const attr of ['aria-label', 'alt', 'title']) {
    for (const el of root.querySelectorAll(`[data-t-${attr}]`)) {
      el.setAttribute(attr, t(el.getAttribute(`data-t-${attr}`), argsOf(el)));
    }
  }
}

/** Switches the whole page to `lang`: direction, font, every string. */
export function setLanguage(lang) {
  current = LANGUAGES.includes(lang) ? lang : 'en';
  try {
    localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // Not remembering the choice is harmless.
  }
  const html = document.documentElement;
  html.lang = t('meta.lang');
  html.dir = t('meta.dir');
  document.title = t('meta.pageTitle');
  apply(document);
}
