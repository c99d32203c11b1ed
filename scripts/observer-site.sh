#!/usr/bin/env bash
# make observer: assembles the observer page's static site (docs/observer.md) into
# observer-site/ from observer/ (the page's own files), the voter page's symbols and fonts,
# the record verifier's wasm package (VERIFIER dir, built by the Makefile with wasm-pack) and
# the voter module's package pkg/ (which the seal and receipt sections use). Built in a
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
