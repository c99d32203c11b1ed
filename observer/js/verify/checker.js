// A checking worker (coordinator.js): the election, and per batch the board's lines and the
// part of the credential list that lists their credentials; answers with the batch's checks
// (every ballot's proofs in one combined check, every reveal), as JSON for the verifier.

import init, { BatchChecker } from '../../verifier/amanat_observer.js';

let checker = null;
let ready = null;

onmessage = async ({ data }) => {
  if (data.type === 'init') {
    ready = init({ module_or_path: data.module }).then(() => {
      checker = new BatchChecker(data.election);
    });
    return;
  }
  try {
    await ready;
    const checks = checker.check(data.lines, data.firstLine, data.credentials);
    postMessage({ id: data.id, checks });
  } catch (e) {
    postMessage({ id: data.id, error: { code: e.code || 'INTERNAL', message: e.message || String(e) } });
  }
};
