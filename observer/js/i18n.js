// Translations of the observer page: every visible string lives in
// i18n/<lang>/<section>.json (section "shell" for the page's frame). Keys are looked up per
// section, nested by dots ("progress.label"); {name} placeholders are filled from `vars`. A
// string missing in Urdu falls back to English, a key missing in both shows itself.
// Elements of the static HTML name their text as data-t="section:key" (and
// data-t-aria-label="section:key").

export const LANGUAGES = ['ur', 'en'];
const STORAGE_KEY = 'amanat.observer.lang';

const tables = new Map(); // "lang/section" -> object

/** The language chosen before on this page, else the browser's first Urdu or English. */
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

export function rememberLanguage(lang) {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered; the page still switches.
  }
}

/** Loads the tables of `sections` in both languages (small files: switching is instant). */
export async function loadTables(sections) {
  const jobs = [];
  for (const lang of LANGUAGES) {
    for (const section of sections) {
      const url = new URL(`../i18n/${lang}/${section}.json`, import.meta.url);
      jobs.push(
        fetch(url).then(async (response) => {
          if (!response.ok) throw new Error(`translations ${lang}/${section}: HTTP ${response.status}`);
          tables.set(`${lang}/${section}`, await response.json());
        }),
      );
    }
  }
  await Promise.all(jobs);
}

function lookup(table, key) {
  let node = table;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** Latin text (an id, a hash) inside a right-to-left sentence, isolated so it keeps its order. */
const LATIN = /[A-Za-z0-9]/;
function isolate(lang, value) {
  const text = String(value);
  return lang === 'ur' && LATIN.test(text) ? `\u2066${text}\u2069` : text;
}

/** The text of `key` in `section` in `lang`, with {name} placeholders filled from `vars`. */
export function translate(lang, section, key, vars = {}) {
  const text = lookup(tables.get(`${lang}/${section}`), key) ?? lookup(tables.get(`en/${section}`), key) ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? isolate(lang, vars[name]) : whole));
}

/** Whether `section` has `key` in English (the reference table). */
export function has(section, key) {
  return lookup(tables.get(`en/${section}`), key) !== undefined;
}

/** Fills every data-t / data-t-aria-label element under `root` in `lang`. */
export function applyTranslations(root, lang) {
  for (const el of root.querySelectorAll('[data-t]')) {
    const [section, key] = el.dataset.t.split(':');
    el.textContent = translate(lang, section, key);
  }
  for (const el of root.querySelectorAll('[data-t-aria-label]')) {
    const [section, key] = el.dataset.tAriaLabel.split(':');
    el.setAttribute('aria-label', translate(lang, section, key));
  }
}
