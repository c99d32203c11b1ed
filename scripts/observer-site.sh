#!/usr/bin/env bash
# make observer: assembles the observer page's static site (docs/observer.md) into
# observer-site/ from observer/ (the page's own files), the voter page's symbols and fonts,
# the record verifier's wasm package (VERIFIER dir, built by the Makefile with wasm-pack) and
# the voter module's package pkg/ (which the seal, receipt and files sections use), the seal
# code's reader and jsQR. Built in a
# scratch directory and moved into place, so a server reading the site never sees half of it.
set -euo pipefail
verifier=${1:?usage: observer-site.sh VERIFIER_PACKAGE_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=observer-site-building.$$
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
cp -R observer "$tmp"
mkdir -p "$tmp/symbols" "$tmp/fonts" "$tmp/verifier" "$tmp/pkg"
cp www/symbols/*.svg "$tmp/symbols/"
cp node_modules/@fontsource/noto-nastaliq-urdu/files/noto-nastaliq-urdu-arabic-400-normal.woff2 \
   node_modules/@fontsource/noto-sans/files/noto-sans-latin-400-normal.woff2 \
   node_modules/@fontsource/noto-sans/files/noto-sans-latin-700-normal.woff2 "$tmp/fonts/"
# The seal code's reader, shared with the voter page (docs/observer.md), and jsQR, which
# reads a QR code from the camera where the browser's BarcodeDetector cannot.
cp www/js/seal-code.js "$tmp/js/"
mkdir -p "$tmp/vendor"
cp node_modules/jsqr/dist/jsQR.js "$tmp/vendor/"
cp "$verifier"/amanat_observer.js "$verifier"/amanat_observer_bg.wasm "$verifier"/amanat_observer.d.ts "$tmp/verifier/"
# The voter module's web package as the voter page uses it (no Node build, no sources).
for f in pkg/*.js pkg/*.d.ts pkg/*.wasm pkg/package.json pkg/LICENSE pkg/BUILD-INFO.txt; do
  [ -e "$f" ] && cp "$f" "$tmp/pkg/"
done
rm -f "$tmp/pkg/"*node*
rm -rf observer-site
mv "$tmp" observer-site
trap - EXIT
echo "observer-site/: $(find observer-site -type f | wc -l) files, $(du -sk observer-site | cut -f1) KB; verifier $(wc -c < observer-site/verifier/amanat_observer_bg.wasm) bytes, $(gzip -9 -c observer-site/verifier/amanat_observer_bg.wasm | wc -c) gzipped"
