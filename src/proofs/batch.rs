//! Batch verification: every verification equation has the form `sum(s_i * P_i) = 0`.
//! Each equation is multiplied by an independent random 256-bit weight and all are summed
//! into one variable-time multiscalar multiplication (docs/protocol.md §5.4). ristretto255 is a
//! prime-order group, so a false equation survives with probability at most 1/ℓ per batch.
//! When the batch fails, each check's equations are re-run alone to name the one that failed.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use curve25519_dalek::Scalar;
use rand_core::{OsRng, RngCore};
use sha2::{Digest as _, Sha512};

use crate::error::{Check, Error, Result};

/// A base point in an equation: the generator `G`, the election key `K`, or any other point.
#[derive(Clone, Copy)]
pub(crate) enum Base {
    G,
    K,
    P(RistrettoPoint),
}

pub(crate) struct Batch {
    key: Option<RistrettoPoint>,
    seed: [u8; 32],
    counter: u64,
    terms: Vec<(Scalar, Base)>,
    /// `(check, first term, end)`: the terms each check contributed, in order.
    checks: Vec<(Check, usize, usize)>,
}

impl Batch {
    /// A batch whose `K` is the given election key (if any equation uses it).
    pub(crate) fn new(key: Option<RistrettoPoint>) -> Batch {
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        Batch {
            key,
            seed,
            counter: 0,
            terms: Vec::new(),
            checks: Vec::new(),
        }
    }

    fn weight(&mut self) -> Scalar {
        self.counter += 1;
        let mut h = Sha512::new();
        h.update(self.seed);
        h.update(self.counter.to_be_bytes());
        Scalar::from_bytes_mod_order_wide(&h.finalize().into())
    }

    /// Adds the equation `sum(s_i * B_i) = 0`, attributed to `check`.
    pub(crate) fn equation<const N: usize>(&mut self, check: &Check, terms: [(Scalar, Base); N]) {
        let z = self.weight();
        let start = self.terms.len();
        self.terms
            .extend(terms.into_iter().map(|(s, b)| (z * s, b)));
        let end = self.terms.len();
        match self.checks.last_mut() {
            Some((c, _, e)) if c == check && *e == start => *e = end,
            _ => self.checks.push((check.clone(), start, end)),
        }
    }

    /// Where the equations end now, for [`Batch::truncate`].
    pub(crate) fn mark(&self) -> (usize, usize) {
        (self.terms.len(), self.checks.len())
    }

    /// Drops every equation added since `mark`.
    pub(crate) fn truncate(&mut self, mark: (usize, usize)) {
        self.terms.truncate(mark.0);
        self.checks.truncate(mark.1);
        if let Some((_, start, end)) = self.checks.last_mut() {
            *end = (*end).min(mark.0).max(*start);
        }
    }

    fn holds(&self, terms: &[(Scalar, Base)]) -> bool {
        let (mut g, mut k) = (Scalar::ZERO, Scalar::ZERO);
        let mut scalars = Vec::with_capacity(terms.len() + 2);
        let mut points = Vec::with_capacity(terms.len() + 2);
        for (s, b) in terms {
            match b {
                Base::G => g += s,
                Base::K => k += s,
                Base::P(p) => {
                    scalars.push(*s);
                    points.push(*p);
                }
            }
        }
        scalars.push(g);
        points.push(RISTRETTO_BASEPOINT_POINT);
        if k != Scalar::ZERO {
            match self.key {
                Some(key) => {
                    scalars.push(k);
                    points.push(key);
                }
                None => return false,
            }
        }
        RistrettoPoint::vartime_multiscalar_mul(scalars, points).is_identity()
    }

    /// Checks every equation added so far.
    ///
    /// # Errors
    /// [`Error::Verification`] naming the first check whose equations fail.
    pub(crate) fn verify(self) -> Result<()> {
        if self.holds(&self.terms) {
            return Ok(());
        }
        for (check, start, end) in &self.checks {
            if !self.holds(&self.terms[*start..*end]) {
                return Err(Error::Verification(check.clone()));
            }
        }
        // Each part holds but the sum did not: impossible unless a weight collided; fail closed.
        Err(Error::Verification(
            self.checks
                .first()
                .map(|c| c.0.clone())
                .unwrap_or(Check::Election),
        ))
    }
}
