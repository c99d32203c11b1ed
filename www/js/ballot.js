// Draws a ballot style as accessible form groups, reads the choices back, and draws the
// summary used by review and by a challenge's reveal. All text is election data ({en, ur})
// or translation keys, so a language switch re-renders it in place.

import { bind, bindLocal, t, local } from './i18n.js';

/** The party symbols the page ships (www/symbols/<id>.svg). */
export const SYMBOLS = new Set([
  'crescent', 'lantern', 'river', 'wheat', 'kite', 'book', 'tree', 'bicycle', 'key', 'scales',
  'clock', 'boat', 'star', 'camel', 'jug', 'pen', 'umbrella', 'chair', 'bell', 'ladder',
]);

function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function symbolImage(symbol, size) {
  if (!SYMBOLS.has(symbol)) return null;
  // Said by spokenOption, after the name; the alt text shows where the picture cannot load.
  const img = el('img', 'symbol', {
    'aria-hidden': 'true',
    src: `/symbols/${symbol}.svg`,
    width: String(size),
    height: String(size),
    'data-t-alt': 'ballot.symbolAlt',
    'data-t-args': JSON.stringify({ symbol: `@symbols.${symbol}` }),
  });
  img.alt = t('ballot.symbolAlt', { symbol: `@symbols.${symbol}` });
  return img;
}

function partyLine(option) {
  const party = el('span', 'option-party');
  if (option.partyName) bindLocal(party, option.partyName);
  else bind(party, 'ballot.independent');
  return party;
}

/**
 * What a screen reader says for an option, in this order: the name, a pause, the party, then
 * the symbol ("Ayesha Qureshi, Awami Ittehad Party. Symbol: lantern."). The visible name,
 * party and picture are hidden from it, so it is said once and in that order.
 */
function spokenOption(option) {
  const args = {
    name: option.name,
    party: option.partyName || '@ballot.independent',
    symbol: SYMBOLS.has(option.symbol) ? `@symbols.${option.symbol}` : '',
  };
  return bind(el('span', 'visually-hidden'), 'ballot.optionSpoken', args);
}

/** The houses whose constituency codes (NA-301, PP-301, ...) a screen reader should not spell. */
const HOUSES = new Set(['NA', 'PP', 'PS', 'PK', 'PB']);

/**
 * A contest's name as a screen reader should say it: "National Assembly, seat 301: Overseas
 * Gulf" for "NA-301 Overseas Gulf" (in Urdu, for "این اے-301 ..."), so "NA" and "PP" are never
 * read as words. The house and number come from the contest id; the place is the name after
 * its code. Null for a contest whose id is not such a code (its name is then said as it is).
 */
function spokenContest(contest) {
  const match = /^([A-Z]{2})-(\d+)$/.exec(contest.id);
  if (!match || !HOUSES.has(match[1])) return null;
  const place = {};
  for (const [lang, name] of Object.entries(contest.name)) {
    const at = name.indexOf(match[2]);
    place[lang] = at < 0 ? name : name.slice(at + match[2].length).trim();
  }
  return bind(el('span', 'visually-hidden'), `ballot.seat.${match[1]}`, { n: match[2], place });
}

/** A contest's name: shown as the election writes it, said as spokenContest says it. */
function contestName(element, contest) {
  const spoken = spokenContest(contest);
  if (!spoken) return bindLocal(element, contest.name);
  const shown = bindLocal(el('span', null, { 'aria-hidden': 'true' }), contest.name);
  element.append(shown, spoken);
  return element;
}

function ruleKey(contest) {
  const { minSelections: min, maxSelections: max } = contest;
  if (min === max) return max === 1 ? 'ballot.chooseOne' : 'ballot.chooseExactly';
  if (min === 0) return max === 1 ? 'ballot.chooseUpToOne' : 'ballot.chooseUpTo';
  return 'ballot.chooseBetween';
}

/** Single-choice contests use radio buttons (arrow keys move within the group). */
function usesRadio(contest) {
  return contest.minSelections === 1 && contest.maxSelections === 1;
}

/** Fills `container` with one fieldset per contest of the ballot style. */
export function renderBallot(container, style) {
  container.replaceChildren();
  style.contests.forEach((contest, ci) => {
    const fieldset = el('fieldset', 'contest', { 'data-contest': contest.id });
    const legend = contestName(el('legend', 'contest-name'), contest);
    const rule = el('p', 'contest-rule', { id: `rule-${ci}` });
    bind(rule, ruleKey(contest), { min: contest.minSelections, max: contest.maxSelections });
    fieldset.append(legend, rule);
    let describedBy = rule.id;
    if (usesRadio(contest)) {
      // A radio group: Tab reaches it once and the arrow keys move (and choose); say so.
      const hint = bind(el('p', 'contest-hint', { id: `hint-${ci}` }), 'ballot.radioHint');
      describedBy += ` ${hint.id}`;
      fieldset.append(hint);
    }
    fieldset.dataset.describedby = describedBy;
    fieldset.setAttribute('aria-describedby', describedBy);

    const list = el('div', 'options');
    contest.options.forEach((option, oi) => {
      const id = `opt-${ci}-${oi}`;
      const label = el('label', 'option', { for: id });
      const input = el('input', null, {
        id,
        type: usesRadio(contest) ? 'radio' : 'checkbox',
        name: `contest-${ci}`,
        value: option.id,
      });
      const text = el('span', 'option-text', { 'aria-hidden': 'true' });
      const name = el('span', 'option-name');
      bindLocal(name, option.name);
      text.append(name, partyLine(option));
      label.append(input);
      const img = symbolImage(option.symbol, 56);
      if (img) label.append(img);
      label.append(text, spokenOption(option));
      list.append(label);
    });
    fieldset.append(list);
    container.append(fieldset);
  });
}

/** The choices currently marked, as {contestId: [optionId...]} in ballot order. */
export function readSelections(container) {
  const selections = {};
  for (const fieldset of container.querySelectorAll('fieldset[data-contest]')) {
    selections[fieldset.getAttribute('data-contest')] = [...fieldset.querySelectorAll('input:checked')].map(
      (input) => input.value,
    );
  }
  return selections;
}

/** Unticks everything: after casting, the page keeps no trace of the choices. */
export function clearBallot(container) {
  for (const input of container.querySelectorAll('input:checked')) input.checked = false;
}

/** The first contest whose choices break its limits, as {fieldset, key, args}, or null. */
export function firstProblem(container, style, selections) {
  for (const contest of style.contests) {
    const count = (selections[contest.id] || []).length;
    const fieldset = container.querySelector(`fieldset[data-contest="${CSS.escape(contest.id)}"]`);
    const args = { contest: contest.name, min: contest.minSelections, max: contest.maxSelections };
    if (count < contest.minSelections) {
      return { fieldset, key: contest.minSelections === 1 ? 'ballot.missing' : 'ballot.tooFew', args };
    }
    if (count > contest.maxSelections) return { fieldset, key: 'ballot.tooMany', args };
  }
  return null;
}

/**
 * Shows `problem` (from firstProblem) inside its contest too, so a voter who lands there by
 * focus sees and hears what is missing; null clears every mark.
 */
export function markProblem(container, problem) {
  for (const old of container.querySelectorAll('.contest-problem')) old.remove();
  for (const fieldset of container.querySelectorAll('fieldset.has-problem')) {
    fieldset.classList.remove('has-problem');
    fieldset.setAttribute('aria-describedby', fieldset.dataset.describedby);
  }
  if (!problem || !problem.fieldset) return;
  const note = el('p', 'contest-problem', { id: `${problem.fieldset.querySelector('.contest-rule').id}-problem` });
  bind(note, problem.key, problem.args);
  problem.fieldset.querySelector('.contest-rule').after(note);
  problem.fieldset.classList.add('has-problem');
  problem.fieldset.setAttribute('aria-describedby', `${note.id} ${problem.fieldset.dataset.describedby}`);
}

/** Keeps checkbox contests within their maximum: a tick beyond it is undone and explained. */
export function limitChoices(container, style, input, announce) {
  if (input.type !== 'checkbox' || !input.checked) return;
  const fieldset = input.closest('fieldset[data-contest]');
  const contest = style.contests.find((c) => c.id === fieldset.getAttribute('data-contest'));
  if (contest && fieldset.querySelectorAll('input:checked').length > contest.maxSelections) {
    input.checked = false;
    announce(t('ballot.tooMany', { contest: local(contest.name), max: contest.maxSelections }));
  }
}

/** Draws what a ballot says: each contest with the chosen candidates (or "No choice"). */
export function renderSummary(container, style, selections) {
  container.replaceChildren();
  for (const contest of style.contests) {
    const block = el('section', 'summary-contest');
    const heading = contestName(el('h2', 'summary-contest-name'), contest);
    block.append(heading);
    const chosen = (selections[contest.id] || [])
      .map((id) => contest.options.find((o) => o.id === id))
      .filter(Boolean);
    if (chosen.length === 0) {
      block.append(bind(el('p', 'summary-none'), 'review.none'));
    } else {
      const list = el('ul', 'summary-choices');
      for (const option of chosen) {
        const item = el('li', 'summary-choice');
        const img = symbolImage(option.symbol, 48);
        if (img) item.append(img);
        const text = el('span', 'option-text', { 'aria-hidden': 'true' });
        const name = el('span', 'option-name');
        bindLocal(name, option.name);
        text.append(name, partyLine(option));
        item.append(text, spokenOption(option));
        list.append(item);
      }
      block.append(list);
    }
    container.append(block);
  }
}
