// The signed receipts the box returns, once checked: a cast ballot's (shown, printable,
// downloadable) and a challenged ballot's (shown as opened and never counted, downloadable).
// Both are drawn into a card whose fields are marked data-field, and either can be shown as a
// QR code for another device (the observer page's "Check a receipt" reads it).

import { bind, t, local, formatTime } from './i18n.js';

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

/** The fields of a signed receipt (protocol §8.3). */
const RECEIPT_FIELDS = new Set(['election', 'kind', 'tracking', 'short', 'index', 'received', 'head', 'signature']);

/**
 * The receipt as the QR code holds it: its signed JSON, compact, in the box's order, exactly as
 * the observer page takes it pasted (about 680 characters). Only the receipt's own fields are
 * written (all public, on the board too), so nothing else the page may hold in the same object
 * could end up in a picture.
 */
export function receiptQrText(receipt) {
  const sig = receipt.signature || {};
  const fields = Object.fromEntries(Object.entries(receipt).filter(([name]) => RECEIPT_FIELDS.has(name)));
  fields.signature = { commitment: sig.commitment, response: sig.response };
  return JSON.stringify(fields);
}

/**
 * Shows or hides `receipt` as a QR code in `box` (its [data-field="qr"] holds the code), for
 * the voter to screenshot or show to another device; `button` says which and is marked
 * expanded. The QR library (js/qr.js and its vendor file) is fetched only now.
 */
export async function toggleReceiptQr(button, box, receipt) {
  const holder = box.querySelector('[data-field="qr"]');
  const failed = box.querySelector('[data-field="qr-failed"]');
  if (!box.hidden) {
    hideReceiptQr(button, box);
    return;
  }
  failed.hidden = true;
  holder.replaceChildren();
  box.hidden = false;
  button.setAttribute('aria-expanded', 'true');
  bind(button, 'receipt.qrHide');
  let svg;
  try {
    const { qrSvg } = await import('./qr.js');
    // Error correction L: the code is read from a screenshot (a clean copy) or a screen, and
    // L keeps it at version 18 (89 modules) where M would need 21 (101), too fine for a
    // screenshot of a small screen.
    svg = qrSvg(receiptQrText(receipt), t('receipt.qrLabel', { code: receipt.short }), 'L');
  } catch (err) {
    // Offline before the QR library came: the file download still works.
    console.warn('receipt QR code not available', err);
    failed.hidden = false;
    return;
  }
  if (box.hidden) return;
  svg.setAttribute('data-t-aria-label', 'receipt.qrLabel');
  svg.setAttribute('data-t-args', JSON.stringify({ code: receipt.short }));
  holder.replaceChildren(svg);
}

/** Hides a receipt's QR code (another receipt is shown, or the voter asked). */
export function hideReceiptQr(button, box) {
  box.hidden = true;
  box.querySelector('[data-field="qr"]').replaceChildren();
  button.setAttribute('aria-expanded', 'false');
  bind(button, 'receipt.qrShow');
}

/** Times shown on the page follow the language too. */
export function refreshTimes(root = document) {
  for (const node of root.querySelectorAll('[data-time]')) node.textContent = formatTime(node.getAttribute('data-time'));
}
