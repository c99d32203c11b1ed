// The observer page's shell: language (Urdu right to left, English), navigation by URL hash,
// and the sections, each a module exporting mount(sectionElement, ctx).

import { LANGUAGES, load, translate } from './i18n.js';

export const SECTIONS = ['seal', 'receipt', 'files'];

const STORAGE_KEY = 'amanat.observer.lang';
const listeners = [];
let lang = preferred();

function preferred() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGUAGES.includes(saved)) return saved;
  } catch {
    // Storage disabled.
  }
  for (const tag of navigator.languages || []) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

function applyShell() {
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === 'ur' ? 'rtl' : 'ltr';
  for (const node of document.querySelectorAll('[data-t]')) {
    node.textContent = translate(lang, 'shell', node.getAttribute('data-t').replace(/^shell\./, ''));
  }
  const other = lang === 'ur' ? 'en' : 'ur';
  const button = document.getElementById('lang-switch');
  button.lang = other;
  document.title = translate(lang, 'shell', 'name');
}

function showSection() {
  const wanted = window.location.hash.slice(1);
  const id = SECTIONS.includes(wanted) ? wanted : SECTIONS[0];
  for (const name of SECTIONS) document.getElementById(name).hidden = name !== id;
  for (const link of document.querySelectorAll('nav a')) {
    if (link.getAttribute('href') === `#${id}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function start() {
  await Promise.all(LANGUAGES.flatMap((l) => ['shell', ...SECTIONS].map((s) => load(l, s))));
  applyShell();
  showSection();
  window.addEventListener('hashchange', showSection);
  document.getElementById('lang-switch').addEventListener('click', () => {
    lang = lang === 'ur' ? 'en' : 'ur';
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // Not remembering is harmless.
    }
    applyShell();
    for (const fn of listeners) fn(lang);
  });
  await Promise.all(SECTIONS.map(async (name) => {
    const module = await import(`./${name}.js`);
    const ctx = {
      t: (key, vars) => translate(lang, name, key, vars),
      get lang() {
        return lang;
      },
      onLanguageChange: (fn) => listeners.push(fn),
    };
    await module.mount(document.getElementById(name), ctx);
  }));
  document.documentElement.dataset.ready = 'true';
}

start();
