// The reference ballot sealed in plain JavaScript on @noble/curves' ristretto255: what a web
// developer would write instead of using our module. It is not byte-compatible with Amanat's
// protocol, but it does the same work as src/ballot.rs, src/elgamal.rs and
// src/proofs/disjunctive.rs, operation for operation:
//
//   per option   r = H(seed, contest, option)                      1 hash
//                A = rG, B = [v]G + rK                              2 fixed-base mults
//                  ([v]G is G or the identity, selected, not multiplied)
//                per branch m in {0,1}: u_m, c_m = H(...)           2 hashes
//                  c_m = 0 for the real branch, s_m = u_m − c_m·r, t_m = −c_m·(v − m)
//                  a_m = s_m·G, b_m = s_m·K + t_m·G                 2 fixed-base mults
//                  t_m·G: the real branch's t is 0, so one product T = (t_0 + t_1)·G
//                  serves both (selected)                           1 fixed-base mult
//                c = H(context, K, A, B, a_0, b_0, a_1, b_1)        1 hash
//                6 point encodings (A, B, a_0, b_0, a_1, b_1)
//   per contest  the range proof over the summed ciphertext (min = max = 1: one branch,
//                a = sG, b = sK + tG with t = 0: 3 fixed-base mults)
//   per ballot   the credential key from the code (1 mult), a Schnorr signature R = kG,
//                s = k + H(..)·x over a hash of the whole ballot (1 mult), the tracking hash.
//
// That is 7 fixed-base multiplications per option, 253 for the reference ballot. Every
// branch does the same operations whether it is the real one or simulated, as our prover
// does. Both fixed points have precomputed tables: noble precomputes G itself (the benchmark
// widens its window with `setBaseWindow`); K gets `precompute(window)`.
//
// Two multiplication modes: `ct` uses noble's constant-time `multiply` (what secrets need,
// and what our Rust does), `unsafe` uses `multiplyUnsafe` (variable time; shown for
// comparison only). `multiply` rejects the scalar 0, which the range proof legitimately
// uses (t = 0 in its only, real, branch); such scalars go through `mulMaybeZero`, which
// computes (k + 1)·P − P: one multiplication and one addition, whatever k is.

import { ristretto255 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';

const Point = ristretto255.Point;
const Fn = Point.Fn;
const G = Point.BASE;
const utf8 = new TextEncoder();

/** The group order. */
export const ORDER = Fn.ORDER;

/** SHA-512 over length-prefixed items, the first being a domain tag (as src/hash.rs). */
class Transcript {
  constructor(domain) {
    this.h = sha512.create();
    if (domain !== undefined) this.bytes(utf8.encode('noble-bench/1/' + domain));
  }
  bytes(b) {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, b.length);
    this.h.update(len);
    this.h.update(b);
    return this;
  }
  str(s) {
    return this.bytes(utf8.encode(s));
  }
  u32(n) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    return this.bytes(b);
  }
  scalar(n) {
    return this.bytes(Fn.toBytes(n));
  }
  clone() {
    const t = new Transcript();
    t.h = this.h.clone();
    return t;
  }
  digest() {
    return this.h.clone().digest();
  }
  scalarOut() {
    return Fn.create(bytesToNumberLE(this.digest()));
  }
}

function multipliers(mode) {
  if (mode === 'unsafe') {
    const mul = (P, k) => P.multiplyUnsafe(k);
    return { mul, mulMaybeZero: mul };
  }
  if (mode !== 'ct') throw new Error(`unknown multiplication mode ${mode}`);
  const mul = (P, k) => P.multiply(k);
  const mulMaybeZero = (P, k) => {
    const k1 = Fn.add(k, 1n);
    // k = n − 1: (k + 1)·P would be the identity, which `multiply` refuses; k·P = −P.
    return k1 === 0n ? P.negate() : P.multiply(k1).subtract(P);
  };
  return { mul, mulMaybeZero };
}

/** Precomputed-table window sizes for G and K (noble's default for G is 6). */
export function setBaseWindow(windowSize) {
  G.precompute(windowSize, false);
}

/**
 * A throwaway election for the benchmark: the manifest's contests and styles, a random
 * election key K with its table, a base hash binding them.
 */
export function makeElection(manifest, { windowK = 8 } = {}) {
  const K = G.multiply(Fn.create(bytesToNumberLE(randomBytes(64))));
  K.precompute(windowK, false);
  const Kbytes = K.toBytes();
  const t = new Transcript('election').str(JSON.stringify(manifest)).bytes(Kbytes);
  return { manifest, K, Kbytes, base: t.digest() };
}

/** A credential: 16 random bytes standing for the code; the key derives from them. */
export function makeCredential() {
  return randomBytes(16);
}

function credentialKey(election, code, m) {
  const t = new Transcript('credential-key').str(election.manifest.election_id).bytes(code);
  const x = t.scalarOut();
  const X = m.mul(G, x).toBytes();
  return { x, X };
}

function styleContests(manifest, styleIndex) {
  const style = manifest.ballot_styles[styleIndex];
  if (!style) throw new Error('unknown ballot style');
  return style.contests.map((id) => {
    const c = manifest.contests.find((x) => x.id === id);
    if (!c) throw new Error(`unknown contest ${id}`);
    return c;
  });
}

function absorbProof(t, p) {
  t.u32(p.commitments.length);
  for (const c of p.commitments) t.bytes(c.a).bytes(c.b);
  for (const c of p.challenges) t.scalar(c);
  for (const v of p.responses) t.scalar(v);
}

function proofChallenge(context, Kbytes, lo, hi, ct, commitments) {
  const t = context.clone().bytes(Kbytes).u32(lo).u32(hi).bytes(ct.a).bytes(ct.b);
  for (const c of commitments) t.bytes(c.a).bytes(c.b);
  return t.scalarOut();
}

/** The disjunctive proof that ct = Enc(value; r) with lo <= value <= hi. */
function prove(context, election, ct, value, r, lo, hi, branchNonces, m) {
  const { K, Kbytes } = election;
  const n = hi - lo + 1;
  const challenges = [];
  const us = [];
  const ss = [];
  const ts = [];
  const v = BigInt(value);
  for (let j = lo; j <= hi; j++) {
    const { u, c: cSim } = branchNonces(j);
    const c = j === value ? 0n : cSim;
    ss.push(Fn.sub(u, Fn.mul(c, r)));
    ts.push(Fn.neg(Fn.mul(c, Fn.sub(v, BigInt(j)))));
    challenges.push(c);
    us.push(u);
  }
  let tgs;
  if (n === 2) {
    const T = m.mul(G, Fn.add(ts[0], ts[1]));
    tgs = [lo, hi].map((j) => (j === value ? Point.ZERO : T));
  } else {
    tgs = ts.map((t) => m.mulMaybeZero(G, t));
  }
  const commitments = ss.map((s, i) => ({
    a: m.mul(G, s).toBytes(),
    b: m.mul(K, s).add(tgs[i]).toBytes(),
  }));
  const total = proofChallenge(context, Kbytes, lo, hi, ct, commitments);
  const realC = Fn.sub(total, challenges.reduce((x, y) => Fn.add(x, y), 0n));
  const responses = [];
  for (let j = lo; j <= hi; j++) {
    const real = j === value;
    if (real) challenges[j - lo] = realC;
    responses.push(real ? Fn.add(us[j - lo], Fn.mul(realC, r)) : us[j - lo]);
  }
  return { commitments, challenges, responses };
}

function bodyDigest(ballot) {
  const t = new Transcript('ballot').bytes(ballot.election).str(ballot.style).bytes(ballot.credential);
  t.u32(ballot.contests.length);
  for (const c of ballot.contests) {
    t.str(c.id).u32(c.selections.length);
    for (const s of c.selections) {
      t.str(s.id).bytes(s.ciphertext.a).bytes(s.ciphertext.b);
      absorbProof(t, s.proof);
    }
    absorbProof(t, c.proof);
  }
  return t.digest();
}

function signatureChallenge(election, body, X, R) {
  return new Transcript('signature').bytes(election.base).bytes(body).bytes(X).bytes(R).scalarOut();
}

/**
 * Seals a ballot: `selections` maps contest id to the chosen option ids. `mode` is 'ct' or
 * 'unsafe'. Returns `{ ballot, tracking }` (byte arrays; no JSON).
 */
export function seal(election, code, selections, mode = 'ct') {
  const m = multipliers(mode);
  const { K, base } = election;
  const cred = credentialKey(election, code, m);
  const contests = styleContests(election.manifest, 0);
  const seed = randomBytes(32);
  const nonceBase = new Transcript('nonce').bytes(base).bytes(seed);
  const encContests = [];
  for (const c of contests) {
    const chosen = new Set(selections[c.id] ?? []);
    for (const o of chosen) {
      if (!c.options.some((x) => x.id === o)) throw new Error(`unknown option ${o}`);
    }
    if (chosen.size < c.min_selections || chosen.size > c.max_selections) {
      throw new Error(`wrong number of selections in ${c.id}`);
    }
    const sels = [];
    let rSum = 0n;
    let count = 0;
    let sumA = Point.ZERO;
    let sumB = Point.ZERO;
    for (const o of c.options) {
      const v = chosen.has(o.id) ? 1 : 0;
      const r = nonceBase.clone().str('encryption').str(c.id).str(o.id).scalarOut();
      const A = m.mul(G, r);
      const B = (v ? G : Point.ZERO).add(m.mul(K, r));
      const ct = { a: A.toBytes(), b: B.toBytes() };
      const context = new Transcript('selection-proof').bytes(base).bytes(cred.X).str(c.id).str(o.id);
      const proof = prove(context, election, ct, v, r, 0, 1, (j) => {
        const t = nonceBase.clone().str('proof').str(c.id).str(o.id).u32(j);
        return { u: t.clone().u32(0).scalarOut(), c: t.u32(1).scalarOut() };
      }, m);
      rSum = Fn.add(rSum, r);
      count += v;
      sumA = sumA.add(A);
      sumB = sumB.add(B);
      sels.push({ id: o.id, ciphertext: ct, proof });
    }
    const sum = { a: sumA.toBytes(), b: sumB.toBytes() };
    const context = new Transcript('contest-proof').bytes(base).bytes(cred.X).str(c.id);
    const proof = prove(context, election, sum, count, rSum, c.min_selections, c.max_selections, (j) => {
      const t = nonceBase.clone().str('proof').str(c.id).str('').u32(j);
      return { u: t.clone().u32(0).scalarOut(), c: t.u32(1).scalarOut() };
    }, m);
    encContests.push({ id: c.id, selections: sels, proof });
  }
  const ballot = {
    election: base,
    style: election.manifest.ballot_styles[0].id,
    credential: cred.X,
    contests: encContests,
    signature: null,
  };
  const body = bodyDigest(ballot);
  const k = new Transcript('signature-nonce').scalar(cred.x).bytes(body).scalarOut();
  const R = m.mul(G, k).toBytes();
  const e = signatureChallenge(election, body, cred.X, R);
  ballot.signature = { commitment: R, response: Fn.add(k, Fn.mul(e, cred.x)) };
  const tracking = new Transcript('tracking').bytes(body).bytes(R).scalar(ballot.signature.response).digest();
  return { ballot, tracking };
}

function verifyProof(context, election, ctBytes, lo, hi, proof) {
  const { K, Kbytes } = election;
  const n = hi - lo + 1;
  if (proof.commitments.length !== n || proof.challenges.length !== n || proof.responses.length !== n) {
    return false;
  }
  const total = proofChallenge(context, Kbytes, lo, hi, ctBytes, proof.commitments);
  if (proof.challenges.reduce((x, y) => Fn.add(x, y), 0n) !== total) return false;
  const A = Point.fromBytes(ctBytes.a);
  const B = Point.fromBytes(ctBytes.b);
  for (let j = lo; j <= hi; j++) {
    const c = proof.challenges[j - lo];
    const v = proof.responses[j - lo];
    const a = Point.fromBytes(proof.commitments[j - lo].a);
    const b = Point.fromBytes(proof.commitments[j - lo].b);
    // vG = a + cA and vK = b + c(B − jG)
    if (!G.multiplyUnsafe(v).equals(a.add(A.multiplyUnsafe(c)))) return false;
    const shifted = B.subtract(G.multiplyUnsafe(BigInt(j)));
    if (!K.multiplyUnsafe(v).equals(b.add(shifted.multiplyUnsafe(c)))) return false;
  }
  return true;
}

/**
 * Verifies a ballot made by `seal`: every 0/1 proof, every contest's range proof and the
 * signature. The benchmark runs it once so that the timed code is known to make valid proofs.
 */
export function verify(election, ballot) {
  const { base } = election;
  if (!equalBytes(ballot.election, base)) return false;
  const contests = styleContests(election.manifest, 0);
  if (contests.length !== ballot.contests.length) return false;
  for (let i = 0; i < contests.length; i++) {
    const def = contests[i];
    const c = ballot.contests[i];
    if (c.id !== def.id || c.selections.length !== def.options.length) return false;
    let sumA = Point.ZERO;
    let sumB = Point.ZERO;
    for (let j = 0; j < def.options.length; j++) {
      const s = c.selections[j];
      if (s.id !== def.options[j].id) return false;
      const context = new Transcript('selection-proof').bytes(base).bytes(ballot.credential).str(c.id).str(s.id);
      if (!verifyProof(context, election, s.ciphertext, 0, 1, s.proof)) return false;
      sumA = sumA.add(Point.fromBytes(s.ciphertext.a));
      sumB = sumB.add(Point.fromBytes(s.ciphertext.b));
    }
    const context = new Transcript('contest-proof').bytes(base).bytes(ballot.credential).str(c.id);
    const sum = { a: sumA.toBytes(), b: sumB.toBytes() };
    if (!verifyProof(context, election, sum, def.min_selections, def.max_selections, c.proof)) return false;
  }
  const body = bodyDigest(ballot);
  const { commitment, response } = ballot.signature;
  const e = signatureChallenge(election, body, ballot.credential, commitment);
  const X = Point.fromBytes(ballot.credential);
  return G.multiplyUnsafe(response).equals(Point.fromBytes(commitment).add(X.multiplyUnsafe(e)));
}

function equalBytes(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
