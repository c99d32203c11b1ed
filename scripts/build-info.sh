#!/usr/bin/env bash
# The tools that made the package, for BUILD-INFO.txt in pkg/: what someone rebuilding the
# module needs to get the same bytes (docs/reproducible.md). Versions only: no paths, no times,
# no user, so that the file itself is the same wherever the package is built.
set -euo pipefail
echo "Built by make pkg from the amanat source (docs/reproducible.md: how to rebuild it)."
echo "rustc: $(rustc --version)"
echo "cargo: $(cargo --version)"
echo "wasm-pack: $(wasm-pack --version)"
echo "wasm-bindgen: $(wasm-bindgen --version)"
echo "wasm-opt: $(wasm-opt --version)"
echo "node: $(node --version)"
