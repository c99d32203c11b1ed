// The observer page's shell: language (Urdu right-to-left, English), the sections' nav by the
// URL's hash (#verify, #seal, #receipt, #files), and each section's module loaded and mounted
// once. A section is on the page only when it is listed here and its module exists: a
// section's module exports `mount(sectionElement, ctx)` with
// ctx = { t(key, vars), lang, onLanguageChange(fn) } (t looks up the section's own
// i18n/<lang>/<section>.json; lang is the current language).

import { LANGUAGES, applyTranslations, loadTables, preferredLanguage, rememberLanguage, translate } from './i18n.js';

/** The sections on the page, in nav order. */
export const SECTIONS = ['verify', 'seal', 'receipt', 'files'];
/** Every section index.html holds (their titles are loaded for the headings). */
const ALL_SECTIONS = ['verify', 'seal', 'receipt', 'files'];

let lang = 'en';
const listeners = [];
const mounted = new Map(); // section -> Promise of its mount

function setLanguage(next) {
  lang = next;
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === 'ur' ? 'rtl' : 'ltr';
  applyTranslations(document, lang);
  const other = LANGUAGES.find((l) => l !== lang);
  const button = document.getElementById('lang-switch');
  button.lang = other;
  document.getElementById('lang-switch-text').textContent = translate(other, 'shell', 'switch');
  button.setAttribute('aria-label', translate(other, 'shell', 'switchLabel'));
  document.title = translate(lang, 'shell', 'name');
  renderNav();
  for (const fn of listeners) {
    try {
      fn(lang);
    } catch (e) {
      console.error(e);
    }
  }
}

function current() {
  const name = location.hash.replace(/^#/, '').split('/')[0];
  return SECTIONS.includes(name) ? name : SECTIONS[0];
}

function renderNav() {
  const list = document.getElementById('section-links');
  const active = current();
  list.replaceChildren(
    ...SECTIONS.map((name) => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = `#${name}`;
      link.textContent = translate(lang, name, 'title');
      if (name === active) link.setAttribute('aria-current', 'page');
      item.append(link);
      return item;
    }),
  );
  document.getElementById('sections').hidden = false;
}

function context(section) {
  return {
    t: (key, vars) => translate(lang, section, key, vars),
    get lang() {
      return lang;
    },
    onLanguageChange: (fn) => listeners.push(fn),
  };
}

async function show(focus) {
  const active = current();
  for (const el of document.querySelectorAll('main > section')) el.hidden = el.id !== active;
  renderNav();
  const element = document.getElementById(active);
  if (!mounted.has(active)) {
    mounted.set(
      active,
      import(`./${active}.js`).then((module) => module.mount(element, context(active))),
    );
  }
  try {
    await mounted.get(active);
  } catch (e) {
    const box = document.getElementById('load-error');
    box.textContent = `${translate(lang, 'shell', 'loadError')} (${e.message})`;
    box.hidden = false;
  }
  if (focus) element.querySelector('h1')?.focus();
}

async function start() {
  try {
    await loadTables(['shell', ...ALL_SECTIONS]);
  } catch (e) {
    const box = document.getElementById('load-error');
    box.textContent = `The page could not load its text: ${e.message}`;
    box.hidden = false;
    return;
  }
  setLanguage(preferredLanguage());
  const button = document.getElementById('lang-switch');
  button.hidden = false;
  button.addEventListener('click', () => {
    const next = LANGUAGES.find((l) => l !== lang);
    rememberLanguage(next);
    setLanguage(next);
  });
  addEventListener('hashchange', () => show(true));
  await show(false);
  document.documentElement.dataset.ready = 'true';
}

start();
