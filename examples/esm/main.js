// @ts-check
// No bundler: the package's files are served as they are, and the page imports its entry
// point by path (or maps 'amanat' to it with an import map). init() fetches the .wasm from
// beside amanat.js; worker() starts amanat_worker.js from there too.
import * as amanat from '../node_modules/amanat/amanat.js';
import { start } from '../shared/flow.js';

start(amanat);
