// Translations of the observer page: observer/i18n/<lang>/<section>.json, one file per
// section and language ("shell" for the page's frame).

export const LANGUAGES = ['en', 'ur'];
const tables = new Map();

export async function load(lang, section) {
  const key = `${lang}/${section}`;
  if (!tables.has(key)) {
    const response = await fetch(new URL(`../i18n/${lang}/${section}.json`, import.meta.url));
    if (!response.ok) throw new Error(`translations ${key}: HTTP ${response.status}`);
    tables.set(key, await response.json());
  }
  return tables.get(key);
}

/** `key` (dotted) of `section` in `lang`, with {name} filled from `vars`; the key itself when missing. */
export function translate(lang, section, key, vars = {}) {
  let node = tables.get(`${lang}/${section}`);
  for (const part of key.split('.')) node = node && typeof node === 'object' ? node[part] : undefined;
  if (typeof node !== 'string') return key;
  return node.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in vars)) return whole;
    const value = String(vars[name]);
    // Latin text inside Urdu keeps its own direction.
    return lang === 'ur' && /[A-Za-z]/.test(value) ? `\u2066${value}\u2069` : value;
  });
}
