// @ts-check
// A Vite app: the bare import is all it takes. `vite build` emits both .wasm files and the
// worker; no plugin, no setting in a config file (this example has none).
import * as amanat from 'amanat';
import { start } from '../shared/flow.js';

start(amanat);
