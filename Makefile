# Amanat: `make demo` and `make test` are the two commands a newcomer needs.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: setup test test-repro lint test-native test-independent test-wasm test-js test-e2e www-assets pkg observer cli demo bench bench-page bench-box bench-record bench-observer clean

setup:
	@scripts/setup.sh

## Everything CI runs.
test: setup lint test-native test-independent test-wasm test-js test-e2e test-repro
	@echo "make test: all checks passed"

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo check --target wasm32-unknown-unknown -p amanat-record
	cargo clippy --target wasm32-unknown-unknown -p amanat-observer -- -D warnings
	RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --quiet

test-native:
	cargo test --workspace

## The known-answer vectors, checked by a verifier written from docs/protocol.md alone
## (JavaScript on @noble/curves, no code shared with the crate).
test-independent:
	node tests/independent/verify.mjs tests/vectors
	node tests/independent/verify.mjs tests/independent/extra

## The npm package of the wasm module, pkg/ (`amanat`): one package for browsers, bundlers,
## module workers and Node, with a baseline and a SIMD build of the module
## (scripts/package.mjs, docs/embedding.md). Rebuilt only when the core's sources change.
WASM_SRC := $(shell find src -name '*.rs') src/facade.js src/worker.js src/worker.d.ts \
	scripts/facade.mjs scripts/dual-wasm.mjs scripts/build-info.sh scripts/simd-probe.mjs Cargo.toml Cargo.lock \
	scripts/package.mjs scripts/package-README.md scripts/package-CHANGELOG.md LICENSE
# The SIMD build (docs/wasm-builds.md) compiles in its own target directory, so the two sets
# of RUSTFLAGS do not rebuild each other's dependencies every time.
SIMD_ENV := CARGO_TARGET_DIR=$(CURDIR)/target/wasm-simd RUSTFLAGS='-C target-feature=+simd128'
# The package's bytes must not depend on where the source, the cargo home or the user lie
# (docs/reproducible.md): the only paths rustc writes into the module (panic locations of the
# crates.io dependencies, and of this crate where cargo passes an absolute path) are remapped.
CARGO_HOME_DIR := $(abspath $(or $(CARGO_HOME),$(HOME)/.cargo))
REMAP := --remap-path-prefix=$(CARGO_HOME_DIR)=/cargo --remap-path-prefix=$(CURDIR)=/amanat
# Three wasm-pack runs (web, web with SIMD, nodejs: the last reuses the first's compilation)
# joined by scripts/dual-wasm.mjs; then src/facade.js becomes the entry points
# (scripts/facade.mjs) and package.json, README, CHANGELOG and LICENSE are
# scripts/package.mjs's. Built into a scratch directory and moved into place, so a concurrent
# build or a server reading the package never sees a half-written one.
pkg/amanat_bg.wasm: $(WASM_SRC)
	tmp=pkg-building.$$$$ && \
	RUSTFLAGS='$(REMAP)' wasm-pack build --profile wasm-release --target web --out-dir $$tmp && \
	$(SIMD_ENV) RUSTFLAGS='-C target-feature=+simd128 $(REMAP)' \
	  wasm-pack build --profile wasm-release --target web --out-dir $$tmp-simd && \
	RUSTFLAGS='$(REMAP)' wasm-pack build --profile wasm-release --target nodejs --out-dir $$tmp-node && \
	node scripts/dual-wasm.mjs $$tmp $$tmp-simd $$tmp-node && rm -rf $$tmp-simd $$tmp-node && \
	node scripts/facade.mjs $$tmp && node scripts/package.mjs $$tmp && \
	scripts/build-info.sh > $$tmp/BUILD-INFO.txt && \
	rm -rf pkg && mv $$tmp pkg

pkg: pkg/amanat_bg.wasm
	@for f in pkg/amanat_bg.wasm pkg/amanat_simd_bg.wasm; do \
	  echo "$$f: $$(wc -c < $$f) bytes, $$(gzip -9 -c $$f | wc -c) gzipped"; done

## The package is reproducible: built again in another directory, with another cargo home and a
## cold target directory, it is the same bytes (scripts/repro-test.sh, docs/reproducible.md);
## so is the observer page's verifier module.
test-repro: pkg/amanat_bg.wasm target/observer-verifier/amanat_observer_bg.wasm
	scripts/repro-test.sh

## The binding's Rust tests inside headless Chromium and inside Node, on the baseline build
## and on the build with WebAssembly SIMD (the one Chromium and Node load from pkg/).
test-wasm:
	wasm-pack test --headless --chrome -- --test wasm_browser
	wasm-pack test --node -- --test wasm_node
	$(SIMD_ENV) wasm-pack test --headless --chrome -- --test wasm_browser
	$(SIMD_ENV) wasm-pack test --node -- --test wasm_node

## The package as an embedding developer uses it, under node --test: its Node build for the
## API; packed and installed as npm would; in Chromium under a strict CSP; the example apps of
## examples/ built with Vite 8, Vite 5 and webpack 5 in production mode and run in Chromium
## (SIMD and baseline), the worker API under load, Node CJS and ESM; tsc --strict over them.
test-js: pkg/amanat_bg.wasm
	node --test tests/js/

## The observer page (docs/observer.md), a static site in observer-site/ that anyone can host:
## observer/ with the voter page's symbols and fonts, the record verifier (record-wasm/, crate
## amanat-observer) built by wasm-pack into verifier/ with the package's profile and path
## remapping (reproducible like pkg/), and the voter module's package in pkg/.
OBSERVER_WASM_SRC := $(shell find record-wasm/src record/src -name '*.rs') record-wasm/Cargo.toml record/Cargo.toml
target/observer-verifier/amanat_observer_bg.wasm: $(OBSERVER_WASM_SRC) $(WASM_SRC)
	tmp=target/observer-verifier-building.$$$$ && \
	RUSTFLAGS='$(REMAP)' wasm-pack build record-wasm --profile wasm-release --target web --no-pack --out-dir ../$$tmp && \
	rm -rf target/observer-verifier && mv $$tmp target/observer-verifier

observer-site/index.html: target/observer-verifier/amanat_observer_bg.wasm pkg/amanat_bg.wasm scripts/observer-site.sh \
	$(shell find observer www/symbols -type f) www/js/seal-code.js
	scripts/observer-site.sh target/observer-verifier

observer: observer-site/index.html

## The voter page's generated files (scripts/integrity.mjs): fonts copied from node_modules,
## index.html with subresource-integrity hashes, integrity.json, the service worker's file list;
## then brotli and gzip copies of www/ and pkg/ for the box to send (scripts/precompress.mjs).
www-assets: pkg/amanat_bg.wasm
	node scripts/integrity.mjs
	node scripts/precompress.mjs www pkg

## The voter page end to end: headless Chromium against `amanat serve` on loopback.
## Screens of every step, both languages, phone size, go to test-artifacts/screens/.
## The tests check what the page kept with the package's Node build, as a verifier would.
test-e2e: www-assets observer
	cargo build -p amanat-authority --bin amanat
	node --test tests/e2e/

## The observer page's speed (bench/observer.mjs): a simulated record (BENCH_OBSERVER_VOTERS,
## default 300) verified in headless Chromium with 1 and 2 checking workers, and by the native
## `amanat verify` (release build), entries per second, medians of 3 runs side by side.
bench-observer: observer
	cargo build --release -p amanat-authority --bin amanat
	node bench/observer.mjs $(BENCH_OBSERVER_ARGS)

## The authority's command-line tool, release build: target/release/amanat.
cli:
	cargo build --release -p amanat-authority

## A demo election served with the voter page on http://127.0.0.1:8080 (docs/ballot-box.md),
## and the observer page (observer-site/) on http://127.0.0.1:8081.
## demo-data/ is created once and kept, so stopping and restarting keeps the ballot box.
demo: setup pkg www-assets observer cli
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
	@# The demo publishes the files of this build as the ones to serve (served-files.json).
	target/release/amanat served-files make --www www --pkg pkg --out demo-data/served-files.json
	@# The observer page is a static site anyone may host anywhere (docs/observer.md): here on a
	@# port of its own, another origin than the box, stopped with it.
	@node scripts/serve-static.mjs observer-site 127.0.0.1:8081 & obs=$$!; \
	trap 'kill $$obs 2>/dev/null' EXIT INT TERM; \
	echo "Voter page and ballot box: http://127.0.0.1:8080/   Observer page (check a record, a seal, a receipt, the box's files): http://127.0.0.1:8081/"; \
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

## The voter page's first and second load on a phone's slow link (400 kbit/s, 400 ms round
## trip, CPU 6x slower, every request through a throttling proxy, the service worker's too),
## for an Urdu and an English voter: times, bytes on the wire, requests, medians of 5 runs
## (bench/page.mjs). BENCH_PAGE_ARGS="--runs 5 --kbps 400 --rtt 400 --cpu 6" are the defaults.
bench-page: www-assets
	cargo build -p amanat-authority --bin amanat
	node bench/page.mjs $(BENCH_PAGE_ARGS)

## The ballot box under load (authority/examples/bench_box.rs, docs/deployment.md): accepted
## ballots per second and p50/p99 latency at 4, 16 and 64 clients for SQLite, PostgreSQL with
## one replica and with two, the box's CPU per ballot against verification alone, and the
## status latency while 8 observers page the board. Release build; starts its own PostgreSQL.
## BENCH_BOX_ARGS="--ballots 600 --clients 4,16,64" are the defaults.
bench-box: setup
	cargo build --release -p amanat-authority --bin amanat --example bench_box
	target/release/examples/bench_box $(BENCH_BOX_ARGS)

clean:
	cargo clean
	rm -rf pkg observer-site node_modules demo-data test-artifacts
