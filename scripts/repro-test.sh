#!/usr/bin/env bash
# make test-repro: the package is reproducible (and the observer page's verifier module, when
# built). Builds pkg/ a second time from the same source
# as someone else would: in another directory, with another cargo home (the path a user's home
# puts into a build) and a cold target directory of its own, then compares every file of the
# two packages byte for byte. The precompressed copies (.br, .gz) are the page's, made later by
# `make www-assets`, and are not part of the package. docs/reproducible.md.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
[ -f pkg/amanat_bg.wasm ] || { echo "test-repro: build pkg/ first (make pkg)" >&2; exit 2; }

work=$(mktemp -d /tmp/amanat-rebuild.XXXXXX)
trap 'rm -rf "$work"' EXIT
src="$work/another/place/amanat"
mkdir -p "$src" "$work/home/.cargo"
# The source as in this work tree: every file git tracks or would (not what it ignores).
git ls-files -z --cached --others --exclude-standard | xargs -0 tar cf - | tar xf - -C "$src"
ln -s "$here/node_modules" "$src/node_modules"
# Another user's cargo home, holding the same registry (so nothing is downloaded again): the
# sources are read through this home's own path, which is what would end up in the module.
ln -s "${CARGO_HOME:-$HOME/.cargo}/registry" "$work/home/.cargo/registry"

started=$(date +%s)
(
  cd "$src"
  env CARGO_HOME="$work/home/.cargo" CARGO_TARGET_DIR="$work/target" \
    PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" make --no-print-directory pkg
) > "$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; echo "test-repro: the second build failed" >&2; exit 1; }
echo "test-repro: second build in $(( $(date +%s) - started )) s"

status=0
mine=$(cd pkg && find . -type f ! -name '*.br' ! -name '*.gz' | sort)
theirs=$(cd "$src/pkg" && find . -type f ! -name '*.br' ! -name '*.gz' | sort)
if [ "$mine" != "$theirs" ]; then
  echo "test-repro: the two packages hold different files:" >&2
  diff <(echo "$mine") <(echo "$theirs") >&2 || true
  status=1
fi
for f in $mine; do
  if [ -f "$src/pkg/$f" ] && ! cmp -s "pkg/$f" "$src/pkg/$f"; then
    echo "test-repro: $f differs between the two builds" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "test-repro: $(echo "$mine" | wc -l) files byte-identical: $(cd pkg && sha256sum amanat_bg.wasm amanat_simd_bg.wasm | tr '\n' ' ')"

# The observer page's verifier module (docs/observer.md), built the same way in the same place
# (its dependencies are already compiled there).
verifier=target/observer-verifier
if [ -f "$verifier/amanat_observer_bg.wasm" ]; then
  (
    cd "$src"
    env CARGO_HOME="$work/home/.cargo" CARGO_TARGET_DIR="$work/target" \
      PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" make --no-print-directory "$verifier/amanat_observer_bg.wasm"
  ) > "$work/build-observer.log" 2>&1 || { tail -40 "$work/build-observer.log" >&2; echo "test-repro: the verifier's second build failed" >&2; exit 1; }
  for f in amanat_observer_bg.wasm amanat_observer.js amanat_observer.d.ts; do
    if ! cmp -s "$verifier/$f" "$src/$verifier/$f"; then
      echo "test-repro: the observer's $f differs between the two builds" >&2
      status=1
    fi
  done
  [ $status -eq 0 ] && echo "test-repro: the observer's verifier byte-identical: $(sha256sum "$verifier/amanat_observer_bg.wasm" | cut -c1-64)"
fi
exit $status
