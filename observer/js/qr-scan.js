// Reading QR codes, for the sections that take one (#seal: a seal code; #receipt: a receipt):
// from the camera, frame by frame, or from a picture (a screenshot or a photo). The browser's
// BarcodeDetector where it reads QR codes (Chrome on Android, Safari), else jsQR
// (vendor/jsQR.js), loaded only then.

import { el } from './remote.js';

const SCAN_EVERY_MS = 150;
/** The largest picture read (bytes), and the longest side it is read at (larger ones are scaled down). */
const MAX_IMAGE_BYTES = 20 << 20;
const MAX_IMAGE_SIDE = 1600;
/** The scales jsQR reads at in turn: it misses some codes at one size (modules that are not a
 *  whole number of pixels, as in a screenshot of a dense code) and reads them at another. */
const JSQR_SCALES = [1, 0.75, 1.5, 0.5, 2];

/** A failure to read a QR code from a picture, with a stable code (NOT_AN_IMAGE, IMAGE_TOO_LARGE, NO_QR_CODE). */
export class QrError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'QrError';
    this.code = code;
  }
}

/**
 * A section's camera: a button that starts it, one that stops it, the video and a status line
 * (ids `<prefix>-scan`, `<prefix>-scan-stop`, `<prefix>-video`, `<prefix>-scan-status`; texts
 * the section's keys scan, scanStop, videoLabel, scanning, scanned, scanDenied and
 * scanUnavailable, through `say(node, key)` and `quiet(node)`). Every QR code read is given to
 * `accept(text)`; when it returns true the camera stops and the status says it was read.
 * Returns {box, stop}.
 */
export function cameraScanner(prefix, { say, quiet, accept }) {
  const box = el('div', 'scan');
  const scanButton = el('button', 'button primary', { type: 'button', id: `${prefix}-scan`, 'data-k': 'scan' });
  const stopButton = el('button', 'button secondary', { type: 'button', id: `${prefix}-scan-stop`, 'data-k': 'scanStop', hidden: '' });
  const video = el('video', 'scan-video', { id: `${prefix}-video`, playsinline: '', muted: '', hidden: '', 'data-k-aria-label': 'videoLabel' });
  video.muted = true;
  const status = el('p', 'note', { id: `${prefix}-scan-status`, 'aria-live': 'polite' });
  box.append(scanButton, stopButton, video, status);
  let camera = null;

  async function start() {
    quiet(status);
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(status, 'scanUnavailable');
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch {
      say(status, 'scanDenied');
      return;
    }
    const decode = await frameDecoder().catch(() => null);
    if (!decode) {
      stream.getTracks().forEach((track) => track.stop());
      say(status, 'scanUnavailable');
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    stopButton.hidden = false;
    scanButton.hidden = true;
    say(status, 'scanning');
    try {
      await video.play();
    } catch {
      // Autoplay refusals still leave frames to read once the stream runs.
    }
    const session = { stream, timer: 0 };
    camera = session;
    const tick = async () => {
      if (camera !== session) return;
      let found = null;
      try {
        found = await decode(video);
      } catch {
        found = null;
      }
      if (camera !== session) return;
      if (found && accept(found)) {
        stop();
        say(status, 'scanned');
        return;
      }
      session.timer = setTimeout(tick, SCAN_EVERY_MS);
    };
    tick();
  }

  function stop() {
    if (!camera) return;
    clearTimeout(camera.timer);
    camera.stream.getTracks().forEach((track) => track.stop());
    camera = null;
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    scanButton.hidden = false;
  }

  scanButton.addEventListener('click', () => start());
  stopButton.addEventListener('click', () => {
    stop();
    quiet(status);
  });
  return { box, stop };
}

/**
 * The text of the QR code in a picture file (a screenshot or a photo): read with the browser's
 * detector, else jsQR, at most MAX_IMAGE_SIDE pixels on its longer side. Throws QrError.
 */
export async function readQrImage(file) {
  if (file.size > MAX_IMAGE_BYTES) throw new QrError('IMAGE_TOO_LARGE', `larger than ${MAX_IMAGE_BYTES} bytes`);
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new QrError('NOT_AN_IMAGE', 'the file is not a picture this browser reads');
  }
  try {
    const scale = Math.min(1, MAX_IMAGE_SIDE / Math.max(bitmap.width, bitmap.height));
    if (scale < 1) {
      const whole = bitmap;
      bitmap = await createImageBitmap(whole, {
        resizeWidth: Math.max(1, Math.round(whole.width * scale)),
        resizeHeight: Math.max(1, Math.round(whole.height * scale)),
        resizeQuality: 'high',
      });
      whole.close();
    }
    const detector = await browserDetector();
    let text = null;
    if (detector) {
      const codes = await detector.detect(bitmap);
      text = codes.length ? codes[0].rawValue : null;
    } else {
      const jsQR = await loadJsQr();
      const canvas = document.createElement('canvas');
      for (const s of JSQR_SCALES) {
        text = jsQrOf(jsQR, bitmap, Math.round(bitmap.width * s), Math.round(bitmap.height * s), canvas);
        if (text) break;
      }
    }
    if (!text) throw new QrError('NO_QR_CODE', 'no QR code found in the picture');
    return text;
  } finally {
    bitmap.close();
  }
}

/** The browser's own QR detector, or null where it has none that reads QR codes. */
async function browserDetector() {
  if (!('BarcodeDetector' in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (formats.includes('qr_code')) return new window.BarcodeDetector({ formats: ['qr_code'] });
  } catch {
    // Fall through to jsQR.
  }
  return null;
}

/** Decodes a QR code from the video's current frame: the browser's own detector, else jsQR. */
async function frameDecoder() {
  const detector = await browserDetector();
  if (detector) {
    return async (video) => {
      const codes = await detector.detect(video);
      return codes.length ? codes[0].rawValue : null;
    };
  }
  const jsQR = await loadJsQr();
  const canvas = document.createElement('canvas');
  // One scale per frame, in turn (the first three: a frame is 640×480 or so).
  let frame = 0;
  return async (video) => {
    const s = JSQR_SCALES[frame++ % 3];
    return jsQrOf(jsQR, video, Math.round(video.videoWidth * s), Math.round(video.videoHeight * s), canvas);
  };
}

/** jsQR over `source` (a video frame or a picture) drawn `w`×`h` on `canvas`: the text, or null. */
function jsQrOf(jsQR, source, w, h, canvas) {
  if (!w || !h) return null;
  canvas.width = w;
  canvas.height = h;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, w, h);
  const image = context.getImageData(0, 0, w, h);
  const code = jsQR(image.data, w, h, { inversionAttempts: 'attemptBoth' });
  return code ? code.data : null;
}

let jsQrLoading = null;

/** jsQR (vendor/jsQR.js, a classic script that defines window.jsQR), loaded once when needed. */
function loadJsQr() {
  jsQrLoading ??= new Promise((resolve, reject) => {
    if (typeof window.jsQR === 'function') return resolve(window.jsQR);
    const script = document.createElement('script');
    script.src = new URL('../vendor/jsQR.js', import.meta.url).href;
    script.onload = () => (typeof window.jsQR === 'function' ? resolve(window.jsQR) : reject(new Error('jsQR did not load')));
    script.onerror = () => reject(new Error('jsQR did not load'));
    document.head.append(script);
  });
  return jsQrLoading;
}
