// The signed receipt the box returns for a cast ballot, once checked: shown, printable,
// downloadable.

import { t, local, formatTime } from './i18n.js';

let downloadUrl = null;

function groups(hex, size = 8) {
  return (hex.match(new RegExp(`.{1,${size}}`, 'g')) || []).join(' ');
}

/** The receipt as a plain-text file in the current language, with the signed JSON appended. */
function receiptText(receipt, electionTitle) {
  return [
    t('receipt.fileTitle'),
    '',
    `${t('receipt.tracking')}: ${receipt.short}`,
    `${t('receipt.election')}: ${local(electionTitle)}`,
    `${t('receipt.index')}: ${receipt.index}`,
    `${t('receipt.received')}: ${receipt.received}`,
    `${t('receipt.fullHash')}: ${receipt.tracking}`,
    t('receipt.verified'),
    '',
    JSON.stringify(receipt, null, 2),
    '',
  ].join('\n');
}

/** Fills the receipt screen. `electionTitle` is {en, ur}. */
export function renderReceipt(receipt, electionTitle) {
  document.getElementById('receipt-short').textContent = receipt.short;
  const election = document.getElementById('receipt-election');
  election.setAttribute('data-l', JSON.stringify(electionTitle));
  election.textContent = local(electionTitle);
  document.getElementById('receipt-index').textContent = String(receipt.index);
  const received = document.getElementById('receipt-received');
  received.textContent = formatTime(receipt.received);
  received.setAttribute('data-time', receipt.received);
  document.getElementById('receipt-hash').textContent = groups(receipt.tracking);
  const sig = receipt.signature || {};
  document.getElementById('receipt-signature').textContent = groups(`${sig.commitment || ''}${sig.response || ''}`);
  refreshDownload(receipt, electionTitle);
}

/** Rebuilds the download (its text follows the current language). */
export function refreshDownload(receipt, electionTitle) {
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  const blob = new Blob([receiptText(receipt, electionTitle)], { type: 'text/plain;charset=utf-8' });
  downloadUrl = URL.createObjectURL(blob);
  const link = document.getElementById('receipt-download');
  link.href = downloadUrl;
  link.download = `amanat-receipt-${receipt.short}.txt`;
}

/** Times shown on the page follow the language too. */
export function refreshTimes(root = document) {
  for (const node of root.querySelectorAll('[data-time]')) node.textContent = formatTime(node.getAttribute('data-time'));
}
