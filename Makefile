# Amanat: `make demo` and `make test` are the two commands a newcomer needs.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: setup test lint test-native test-independent test-wasm test-js test-e2e www-assets pkg cli demo bench bench-record clean

setup:
	@scripts/setup.sh

## Everything CI runs.
test: setup lint test-native test-independent test-wasm test-js test-e2e
	@echo "make test: all checks passed"

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo check --target wasm32-unknown-unknown -p amanat-record
	RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --quiet

test-native:
	cargo test --workspace

## The known-answer vectors, checked by a verifier written from docs/protocol.md alone
## (JavaScript on @noble/curves, no code shared with the crate).
test-independent:
	node tests/independent/verify.mjs tests/vectors
	node tests/independent/verify.mjs tests/independent/extra

## The npm packages of the wasm module: pkg/ (ES module for browsers) and pkg-node/ (Node),
## each with a baseline and a SIMD build, and pkg-bundler/ (webpack, Vite; baseline only).
## Published as amanat, amanat-node and amanat-bundler (scripts/package.mjs, docs/embedding.md).
## Rebuilt only when the core's sources change.
WASM_SRC := $(shell find src -name '*.rs') src/facade.js scripts/facade.mjs Cargo.toml Cargo.lock \
	scripts/package.mjs scripts/package-README.md LICENSE
# Built into a scratch directory and moved into place, so a concurrent build or a server
# reading the package never sees a half-written one. The package's entry point, amanat.js, is
# src/facade.js in front of wasm-bindgen's glue (that file says why); its package.json,
# README and LICENSE are scripts/package.mjs's.
wasm_pack = tmp=pkg-building-$(2).$$$$ && \
	wasm-pack build --profile wasm-release --target $(1) --out-dir $$tmp && \
	node scripts/facade.mjs $(1) $$tmp && node scripts/package.mjs $(1) $$tmp && \
	rm -rf $(2) && mv $$tmp $(2)
# pkg/ and pkg-node/ also carry a second build with WebAssembly SIMD, loaded where the engine
# has it (scripts/dual-wasm.mjs, docs/wasm-builds.md). Its own target directory keeps the two
# sets of RUSTFLAGS from rebuilding each other's dependencies every time.
SIMD_ENV := CARGO_TARGET_DIR=$(CURDIR)/target/wasm-simd RUSTFLAGS='-C target-feature=+simd128'
wasm_pack_dual = tmp=pkg-building-$(2).$$$$ && \
	wasm-pack build --profile wasm-release --target $(1) --out-dir $$tmp && \
	$(SIMD_ENV) wasm-pack build --profile wasm-release --target $(1) --out-dir $$tmp-simd && \
	node scripts/dual-wasm.mjs $(1) $$tmp $$tmp-simd && rm -rf $$tmp-simd && \
	node scripts/facade.mjs $(1) $$tmp && node scripts/package.mjs $(1) $$tmp && \
	rm -rf $(2) && mv $$tmp $(2)

pkg: pkg/amanat_bg.wasm pkg-node/amanat_bg.wasm pkg-bundler/amanat_bg.wasm
	@for f in pkg/amanat_bg.wasm pkg/amanat_simd_bg.wasm; do \
	  echo "$$f: $$(wc -c < $$f) bytes, $$(gzip -9 -c $$f | wc -c) gzipped"; done

pkg/amanat_bg.wasm: $(WASM_SRC) scripts/dual-wasm.mjs scripts/simd-probe.mjs
	$(call wasm_pack_dual,web,pkg)

pkg-node/amanat_bg.wasm: $(WASM_SRC) scripts/dual-wasm.mjs scripts/simd-probe.mjs
	$(call wasm_pack_dual,nodejs,pkg-node)

pkg-bundler/amanat_bg.wasm: $(WASM_SRC)
	$(call wasm_pack,bundler,pkg-bundler)

## The binding's Rust tests inside headless Chromium and inside Node, on the baseline build
## and on the build with WebAssembly SIMD (the one Chromium and Node load from pkg/).
test-wasm:
	wasm-pack test --headless --chrome -- --test wasm_browser
	wasm-pack test --node -- --test wasm_node
	$(SIMD_ENV) wasm-pack test --headless --chrome -- --test wasm_browser
	$(SIMD_ENV) wasm-pack test --node -- --test wasm_node

## The packages as an embedding developer uses them, under node --test: pkg-node/ for the
## API, pkg/ loaded with its init, and each one packed and installed as npm would.
test-js: pkg-node/amanat_bg.wasm pkg/amanat_bg.wasm pkg-bundler/amanat_bg.wasm
	node --test tests/js/

## The voter page's generated files (scripts/integrity.mjs): fonts copied from node_modules,
## index.html with subresource-integrity hashes, integrity.json, the service worker's file list;
## then brotli and gzip copies of www/ and pkg/ for the box to send (scripts/precompress.mjs).
www-assets: pkg/amanat_bg.wasm
	node scripts/integrity.mjs
	node scripts/precompress.mjs www pkg

## The voter page end to end: headless Chromium against `amanat serve` on loopback.
## Screens of every step, both languages, phone size, go to test-artifacts/screens/.
## The tests check what the page kept with the Node package (pkg-node/), as a verifier would.
test-e2e: www-assets pkg-node/amanat_bg.wasm
	cargo build -p amanat-authority --bin amanat
	node --test tests/e2e/

## The authority's command-line tool, release build: target/release/amanat.
cli:
	cargo build --release -p amanat-authority

## A demo election served with the voter page on http://127.0.0.1:8080 (docs/ballot-box.md).
## demo-data/ is created once and kept, so stopping and restarting keeps the ballot box.
demo: setup pkg www-assets cli
	@if [ -f demo-data/election.json ] && ! grep -q '"amanat/2"' demo-data/election.json; then \
	  old=demo-data.old-$$(date +%Y%m%d%H%M%S); mv demo-data $$old; \
	  echo "demo-data/ was made by an older Amanat (not protocol amanat/2); moved to $$old/, making a new one."; \
	fi
	@if [ -f demo-data/election.json ]; then \
	  echo "Reusing demo-data/ (delete it for a fresh election)."; \
	  node -e 'const c = require("./demo-data/codes.json"); console.log("Demo credential codes (secret, one per voter):"); for (const x of c.slice(0, 5)) console.log("  " + x.code + "  " + x.style);' || true; \
	else \
	  target/release/amanat demo-election --out demo-data; \
	fi
	target/release/amanat serve --election demo-data --www www --pkg pkg --listen 127.0.0.1:8080

## The election record at scale (docs/record.md §6): simulate, tally and verify records of
## BENCH_VOTERS="10000 100000" voters with the release build; times, peak memory, V5
## batched vs one by one, bytes per ballot raw and with zstd. Long: not part of `make test`.
bench-record:
	scripts/bench-record.sh

## Sealing the reference ballot, side by side in one run: native (examples/bench_native.rs),
## the wasm module in headless Chromium, plain JavaScript on @noble/curves; and page load to a
## ready module. BENCH_ARGS="--runs 40 --warmup 10 --loads 20" are the defaults (bench/run.mjs).
bench: setup pkg
	node bench/run.mjs $(BENCH_ARGS)

clean:
	cargo clean
	rm -rf pkg pkg-node pkg-bundler node_modules demo-data test-artifacts
