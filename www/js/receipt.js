// The signed receipts the box returns, once checked: a cast ballot's (shown, printable,
// downloadable) and a challenged ballot's (shown as opened and never counted, downloadable).
// Both are drawn into a card whose fields are marked data-field.

import { t, local, formatTime } from './i18n.js';

const downloads = new Map();

/** The number voters read for a board index: counted from 1 ("number 1" is index 0). The
 *  index itself stays as it is in the data, the signed receipt and the files. */
export function boardNumber(index) {
  return index + 1;
}

function groups(hex, size = 8) {
  return (hex.match(new RegExp(`.{1,${size}}`, 'g')) || []).join(' ');
}

/** The receipt as a plain-text file in the current language, with the signed JSON appended. */
function receiptText(receipt, electionTitle) {
  const opened = receipt.kind === 'challenge';
  return [
    t(opened ? 'receipt.fileTitleChallenge' : 'receipt.fileTitle'),
    '',
    `${t('receipt.tracking')}: ${receipt.short}`,
    ...(opened ? [t('challenge.receiptStatus')] : []),
    `${t('receipt.election')}: ${local(electionTitle)}`,
    `${t('receipt.index')}: ${boardNumber(receipt.index)}`,
    // The time as the screen shows it (the voter's time zone), then as the box signed it.
    `${t('receipt.received')}: ${formatTime(receipt.received)} (${receipt.received})`,
    `${t('receipt.fullHash')}: ${receipt.tracking}`,
    t('receipt.verified'),
    '',
    JSON.stringify(receipt, null, 2),
    '',
  ].join('\n');
}

/** Fills a receipt card (`card`, holding [data-field] elements). `electionTitle` is {en, ur}. */
export function renderReceipt(card, receipt, electionTitle) {
  const field = (name) => card.querySelector(`[data-field="${name}"]`);
  field('short').textContent = receipt.short;
  const election = field('election');
  election.setAttribute('data-l', JSON.stringify(electionTitle));
  election.textContent = local(electionTitle);
  field('index').textContent = String(boardNumber(receipt.index));
  const received = field('received');
  received.textContent = formatTime(receipt.received);
  received.setAttribute('data-time', receipt.received);
  field('hash').textContent = groups(receipt.tracking);
  const sig = receipt.signature || {};
  field('signature').textContent = groups(`${sig.commitment || ''}${sig.response || ''}`);
}

/** Points a download link at the receipt as a text file (its text follows the current
 *  language, so this runs again when the language changes). */
export function refreshDownload(link, receipt, electionTitle) {
  if (downloads.has(link)) URL.revokeObjectURL(downloads.get(link));
  const blob = new Blob([receiptText(receipt, electionTitle)], { type: 'text/plain;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  downloads.set(link, url);
  link.href = url;
  link.download = `amanat-${receipt.kind === 'challenge' ? 'opened' : 'receipt'}-${receipt.short}.txt`;
}

/** Times shown on the page follow the language too. */
export function refreshTimes(root = document) {
  for (const node of root.querySelectorAll('[data-time]')) node.textContent = formatTime(node.getAttribute('data-time'));
}
