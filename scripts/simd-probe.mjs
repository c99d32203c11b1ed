// The one test of whether a JavaScript engine runs WebAssembly SIMD (the finished 128-bit
// SIMD proposal: Chrome 91, Firefox 89, Safari 16.4, Node 16.4). A module whose only function
// returns i8x16.popcnt(i8x16.splat(0)): it validates only where SIMD is supported, and
// i8x16.popcnt only exists in the final opcode numbering, so an engine with an early draft of
// SIMD is treated as having none.
//
// scripts/dual-wasm.mjs writes this test into the package's glue (`wasmFileName()`), and
// scripts/integrity.mjs into www/build.js for the service worker, so the page, the service
// worker and any embedder choose the same file.

export const SIMD_PROBE = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x0a, 0x01, 0x08, 0x00, // code section: one body of 8 bytes, no locals
  0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b, // i32.const 0, i8x16.splat, i8x16.popcnt, end
];

/** The module built with SIMD, and the one for engines without it. */
export const SIMD_FILE = 'amanat_simd_bg.wasm';
export const BASELINE_FILE = 'amanat_bg.wasm';

/** JavaScript source of an expression that is the file name this engine should load. */
export function chooserSource() {
  return `(typeof WebAssembly === 'object' && WebAssembly.validate(new Uint8Array([${SIMD_PROBE.join(', ')}])) ? '${SIMD_FILE}' : '${BASELINE_FILE}')`;
}
