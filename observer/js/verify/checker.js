// A checking worker (coordinator.js): the election, and per batch the board's lines, the part
// of the credential list that lists their credentials and which ballots go into the sums.
// It parses the lines, checks every ballot (its proofs in one combined check per batch) and
// every reveal, summarizes each entry and sums the marked ballots: the batch's outcome, as
// JSON for the verifier, which then needs none of the ballots. A line that does not parse is
// answered as {boardError}: the board fails with it.

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
    const outcome = checker.checkBatch(data.lines, data.firstLine, data.credentials, data.sum);
    postMessage({ id: data.id, outcome });
  } catch (e) {
    const error = { code: e.code || 'INTERNAL', message: e.message || String(e) };
    postMessage(e.board ? { id: data.id, boardError: error } : { id: data.id, error });
  }
};
