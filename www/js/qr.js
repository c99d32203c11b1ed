// Text as a QR code, drawn as inline SVG (the page's CSP allows no data: images): the seal
// code of a checked ballot (app.js) and a receipt for another device (receipt.js). Loaded only
// when one is shown, with the QR library (qrcode-generator, copied into www/vendor/ by
// scripts/integrity.mjs).

import qrcode from '/vendor/qrcode-generator.mjs';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * An <svg> of `text` as a QR code (byte mode, error correction `level`: M unless said, the
 * smallest version that holds it), with a quiet zone of 4 modules. `label` is its accessible
 * name.
 */
export function qrSvg(text, label, level = 'M') {
  const qr = qrcode(0, level);
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const size = n + 8;
  let d = '';
  for (let row = 0; row < n; row += 1) {
    for (let col = 0; col < n; col += 1) {
      if (qr.isDark(row, col)) d += `M${col + 4} ${row + 4}h1v1h-1z`;
    }
  }
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.classList.add('qr');
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', String(size));
  background.setAttribute('height', String(size));
  background.setAttribute('fill', '#fff');
  const modules = document.createElementNS(SVG, 'path');
  modules.setAttribute('d', d);
  modules.setAttribute('fill', '#000');
  svg.append(background, modules);
  return svg;
}
