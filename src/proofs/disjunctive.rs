//! Disjunctive Chaum–Pedersen proofs (docs/protocol.md §5.1) that an ElGamal ciphertext
//! `(A, B)` under the election key `K` encrypts one of the values `lo..=hi`.
//!
//! With `lo = 0, hi = 1` this is the proof that an option holds 0 or 1; over a contest's
//! summed ciphertext with `lo = min, hi = max` it is the contest's range proof.
//!
//! For each value `m` the proof has a commitment `(a_m, b_m)`, a challenge `c_m` and a
//! response `v_m` with
//!
//! ```text
//! v_m·G = a_m + c_m·A
//! v_m·K = b_m + c_m·(B − m·G)
//! sum(c_m) = c = H(context, K, lo, hi, A, B, a_lo, b_lo, …, a_hi, b_hi)
//! ```
//!
//! The prover knows the nonce `r` and the value `v`. It computes every branch with the same
//! operations: for a simulated branch it draws `v_m = u_m` and `c_m`, for the real one it uses
//! `c_m = 0` (selected in constant time), so that `a_m = (u_m − c_m·r)·G` and
//! `b_m = (u_m − c_m·r)·K − c_m·(v − m)·G` are fixed-base multiplications in every branch
//! and the real branch is never distinguished by a branch or a different operation. With two
//! branches (the 0/1 proof) the real branch's `(v − m)` term is zero, so a single product
//! `(t_0 + t_1)·G` is computed and given to the simulated branch by a constant-time select.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::Identity;
use curve25519_dalek::Scalar;
use serde::{Deserialize, Serialize};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

use super::batch::{Base, Batch};
use crate::elgamal::basepoint_table;
use crate::elgamal::{Ciphertext, ElectionKey};
use crate::encoding::{half, scalars_hex, Point};
use crate::error::{Check, Error, Result};
use crate::hash::Transcript;

/// One branch's commitment `(a_m, b_m)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    /// `a_m`.
    pub a: Point,
    /// `b_m`.
    pub b: Point,
}

/// A proof that a ciphertext encrypts a value in `lo..=hi`: one entry per value, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisjunctiveProof {
    /// `(a_m, b_m)` for `m = lo..=hi`.
    pub commitments: Vec<Commitment>,
    /// `c_m` for `m = lo..=hi`; they sum to the Fiat–Shamir challenge.
    #[serde(with = "scalars_hex")]
    pub challenges: Vec<Scalar>,
    /// `v_m` for `m = lo..=hi`.
    #[serde(with = "scalars_hex")]
    pub responses: Vec<Scalar>,
}

fn challenge(
    context: &Transcript,
    key: &ElectionKey,
    lo: u32,
    hi: u32,
    ct: &Ciphertext,
    commitments: &[Commitment],
) -> Scalar {
    let mut t = context.clone();
    t.point(&key.key.0).u32(lo).u32(hi);
    ct.absorb(&mut t);
    for c in commitments {
        t.point(&c.a).point(&c.b);
    }
    t.scalar_out()
}

/// The secret nonces of one proof branch: `u_m` and the simulated challenge `c_m`.
pub(crate) struct BranchNonces {
    pub(crate) u: Scalar,
    pub(crate) c: Scalar,
}

impl Drop for BranchNonces {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.u);
        zeroize::Zeroize::zeroize(&mut self.c);
    }
}

/// A proof whose commitments are computed — as halves, for batched encoding — but whose
/// challenge is not yet known. It holds the branch secrets and wipes them when dropped.
pub(crate) struct PendingProof {
    lo: u32,
    hi: u32,
    /// `a_m/2, b_m/2` for `m = lo..=hi`.
    halves: Vec<RistrettoPoint>,
    /// `c_m`, zero in the real branch until the challenge is known.
    challenges: Vec<Scalar>,
    us: Vec<Scalar>,
    reals: Vec<Choice>,
}

impl Drop for PendingProof {
    fn drop(&mut self) {
        self.challenges.zeroize();
        self.us.zeroize();
    }
}

impl PendingProof {
    /// The commitments' halves, to be encoded with `encoding::points_from_halves`.
    pub(crate) fn halves(&self) -> &[RistrettoPoint] {
        &self.halves
    }

    /// Completes the proof for `ct = Enc(value; r)` once `commitments` (the encoded doubles
    /// of [`PendingProof::halves`], in order) are known.
    pub(crate) fn finish(
        mut self,
        context: &Transcript,
        key: &ElectionKey,
        ct: &Ciphertext,
        r: &Scalar,
        commitments: &[Point],
    ) -> DisjunctiveProof {
        let commitments: Vec<Commitment> = commitments
            .chunks_exact(2)
            .map(|ab| Commitment { a: ab[0], b: ab[1] })
            .collect();
        let total = challenge(context, key, self.lo, self.hi, ct, &commitments);
        let real_c = total - self.challenges.iter().sum::<Scalar>();
        let real_cr = real_c * r;
        let mut challenges = core::mem::take(&mut self.challenges);
        let mut responses = Vec::with_capacity(challenges.len());
        for ((c, u), real) in challenges.iter_mut().zip(&self.us).zip(&self.reals) {
            c.conditional_assign(&real_c, *real);
            responses.push(u + Scalar::conditional_select(&Scalar::ZERO, &real_cr, *real));
        }
        DisjunctiveProof {
            commitments,
            challenges,
            responses,
        }
    }
}

impl DisjunctiveProof {
    /// Computes the commitments of a proof that `Enc(value; r)` holds a value in `lo..=hi`,
    /// as halves (see [`PendingProof`]). `nonces(m)` gives branch `m`'s nonces. The caller
    /// guarantees the range; a value outside it yields a proof that does not verify, never a
    /// panic.
    pub(crate) fn commit(
        key: &ElectionKey,
        value: u32,
        r: &Scalar,
        lo: u32,
        hi: u32,
        mut nonces: impl FnMut(u32) -> BranchNonces,
    ) -> PendingProof {
        let n = (hi - lo + 1) as usize;
        let mut challenges = Vec::with_capacity(n);
        let mut us = Vec::with_capacity(n);
        let mut reals = Vec::with_capacity(n);
        // s_m/2 and t_m/2: the halves of the commitments' scalars.
        let mut ss = Vec::with_capacity(n);
        let mut ts = Vec::with_capacity(n);
        let v = Scalar::from(value);
        let half = half();
        for m in lo..=hi {
            let real = m.ct_eq(&value);
            let bn = nonces(m);
            let c = Scalar::conditional_select(&bn.c, &Scalar::ZERO, real);
            ss.push((bn.u - c * r) * half);
            ts.push(-(c * (v - Scalar::from(m))) * half);
            challenges.push(c);
            us.push(bn.u);
            reals.push(real);
        }
        // t_m·G for every branch. The real branch has t = 0, so with two branches the one
        // product T = (t_0 + t_1)·G serves both: t_m·G = real_m ? 0 : T, chosen in constant time.
        let tgs: Vec<RistrettoPoint> = if n == 2 {
            let t = basepoint_table() * &(ts[0] + ts[1]);
            reals
                .iter()
                .map(|real| {
                    RistrettoPoint::conditional_select(&t, &RistrettoPoint::identity(), *real)
                })
                .collect()
        } else {
            ts.iter().map(|t| basepoint_table() * t).collect()
        };
        let mut halves = Vec::with_capacity(2 * n);
        for (s, tg) in ss.iter().zip(&tgs) {
            halves.push(basepoint_table() * s);
            halves.push(&key.table * s + tg);
        }
        ss.zeroize();
        ts.zeroize();
        PendingProof {
            lo,
            hi,
            halves,
            challenges,
            us,
            reals,
        }
    }

    /// Proves that `ct = Enc(value; r)` with `lo <= value <= hi` (commit, encode, finish).
    #[cfg(test)]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn prove(
        context: &Transcript,
        key: &ElectionKey,
        ct: &Ciphertext,
        value: u32,
        r: &Scalar,
        lo: u32,
        hi: u32,
        nonces: impl FnMut(u32) -> BranchNonces,
    ) -> DisjunctiveProof {
        let pending = DisjunctiveProof::commit(key, value, r, lo, hi, nonces);
        let commitments = crate::encoding::points_from_halves(pending.halves());
        pending.finish(context, key, ct, r, &commitments)
    }

    /// Adds this proof's equations to `batch` after checking its shape and challenge sum.
    ///
    /// # Errors
    /// [`Error::Verification`] with `check` when the shape or the challenge sum is wrong; the
    /// equations themselves fail later, in the batch.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn verify_into(
        &self,
        context: &Transcript,
        key: &ElectionKey,
        ct: &Ciphertext,
        lo: u32,
        hi: u32,
        batch: &mut Batch,
        check: &Check,
    ) -> Result<()> {
        let n = (hi - lo + 1) as usize;
        if self.commitments.len() != n || self.challenges.len() != n || self.responses.len() != n {
            return Err(Error::Verification(check.clone()));
        }
        let total = challenge(context, key, lo, hi, ct, &self.commitments);
        if self.challenges.iter().sum::<Scalar>() != total {
            return Err(Error::Verification(check.clone()));
        }
        for (m, ((cm, c), v)) in (lo..=hi).zip(
            self.commitments
                .iter()
                .zip(&self.challenges)
                .zip(&self.responses),
        ) {
            // v·G − c·A − a = 0
            batch.equation(
                check,
                [
                    (*v, Base::G),
                    (-c, Base::P(ct.a.p)),
                    (-Scalar::ONE, Base::P(cm.a.p)),
                ],
            );
            // v·K − c·B + c·m·G − b = 0
            batch.equation(
                check,
                [
                    (*v, Base::K),
                    (-c, Base::P(ct.b.p)),
                    (c * Scalar::from(m), Base::G),
                    (-Scalar::ONE, Base::P(cm.b.p)),
                ],
            );
        }
        Ok(())
    }

    /// Writes the proof into a transcript as `PROOF(p)` of docs/protocol.md §7.3: each of
    /// the three arrays is prefixed with its own length, so that the items are an unambiguous
    /// encoding of the proof even when its arrays differ in length (such a proof fails
    /// verification, but its digest must not collide with another proof's):
    ///
    /// ```text
    /// u32 #commitments, enc(a_0), enc(b_0), …,
    /// u32 #challenges,  le32(c_0), …,
    /// u32 #responses,   le32(v_0), …
    /// ```
    pub(crate) fn absorb(&self, t: &mut Transcript) {
        t.u32(self.commitments.len() as u32);
        for c in &self.commitments {
            t.point(&c.a).point(&c.b);
        }
        t.u32(self.challenges.len() as u32);
        for c in &self.challenges {
            t.scalar(c);
        }
        t.u32(self.responses.len() as u32);
        for v in &self.responses {
            t.scalar(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::PublicKey;
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
    use rand_core::OsRng;

    fn setup() -> ElectionKey {
        ElectionKey::new(PublicKey(Point::new(G * Scalar::random(&mut OsRng))))
    }

    fn run(key: &ElectionKey, value: u32, lo: u32, hi: u32) -> Result<()> {
        let r = Scalar::random(&mut OsRng);
        let ct = key.encrypt(value, &r);
        let ctx = Transcript::new("test");
        let p = DisjunctiveProof::prove(&ctx, key, &ct, value, &r, lo, hi, |_| BranchNonces {
            u: Scalar::random(&mut OsRng),
            c: Scalar::random(&mut OsRng),
        });
        let check = Check::ContestProof("t".into());
        let mut batch = Batch::new(Some(key.key.0.p));
        p.verify_into(&ctx, key, &ct, lo, hi, &mut batch, &check)?;
        batch.verify()
    }

    #[test]
    fn every_value_in_range_proves() {
        let key = setup();
        for v in 0..=1 {
            assert_eq!(run(&key, v, 0, 1), Ok(()));
        }
        for v in 2..=5 {
            assert_eq!(run(&key, v, 2, 5), Ok(()));
        }
        assert_eq!(run(&key, 1, 1, 1), Ok(()));
    }

    #[test]
    fn values_outside_the_range_do_not_verify() {
        let key = setup();
        assert!(run(&key, 2, 0, 1).is_err());
        assert!(run(&key, 0, 1, 3).is_err());
    }

    #[test]
    fn arrays_split_differently_absorb_differently() {
        // Same commitments and the same scalars in the same order, but one challenge moved
        // into the responses: without a length before each array the items would be equal.
        let point = Point::new(G);
        let scalars: Vec<Scalar> = (1u64..=4).map(Scalar::from).collect();
        let commitments = vec![Commitment { a: point, b: point }; 2];
        let x = DisjunctiveProof {
            commitments: commitments.clone(),
            challenges: scalars[..2].to_vec(),
            responses: scalars[2..].to_vec(),
        };
        let y = DisjunctiveProof {
            commitments,
            challenges: scalars[..1].to_vec(),
            responses: scalars[1..].to_vec(),
        };
        let digest = |p: &DisjunctiveProof| {
            let mut t = Transcript::new("test");
            p.absorb(&mut t);
            t.digest()
        };
        assert_ne!(digest(&x), digest(&y));
    }
}
