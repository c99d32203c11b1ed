// @ts-check
// A webpack 5 app with no configuration file at all: webpack's defaults (entry
// src/index.js, output dist/main.js, production mode) emit both .wasm files as assets and
// the worker as a chunk, following the package's `new URL(..., import.meta.url)`.
import * as amanat from 'amanat';
import { start } from '../../shared/flow.js';

start(amanat);
