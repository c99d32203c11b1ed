//! Threshold decryption (docs/ceremony.md §7).
//!
//! For a ciphertext `(a, b) = (rG, vG + rK)`, trustee `j` publishes `D_j = x_j·a` with a
//! Chaum–Pedersen proof that `log_G X_j = log_a D_j` (`what` = `"decryption <j> <label>"`,
//! bound to the election base hash). Any `k` distinct trustees `S` give
//! `vG = b − Σ_{j∈S} λ_j·D_j`, with the Lagrange coefficients at zero
//! `λ_j = Π_{m∈S, m≠j} m / (m − j)`, because `Σ λ_j x_j = f(0) = x` and `x·a = rK`.

use std::collections::BTreeSet;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use curve25519_dalek::Scalar;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

use super::{Ceremony, ThresholdError, ThresholdResult, TrusteeShare};
use amanat::proofs::equality::EqualityProof;
use amanat::{Ciphertext, Digest, Point};

/// Trustee `trustee`'s decryption share of the ciphertext named `label`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialDecryption {
    /// The trustee's index `j`.
    pub trustee: u32,
    /// What was decrypted, e.g. `"NA-1/na-1-03"` (contest id / option id).
    pub label: String,
    /// `D_j = x_j·a`.
    pub share: Point,
    /// Proof that `log_G X_j = log_a D_j`.
    pub proof: EqualityProof,
}

/// One trustee's partial decryptions of a whole tally (`partial-<j>.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrusteeDecryption {
    /// The election base hash the proofs bind.
    pub election: Digest,
    /// The trustee's index `j`.
    pub trustee: u32,
    /// One per aggregate, in the tally's order.
    pub partials: Vec<PartialDecryption>,
}

fn what(trustee: u32, label: &str) -> String {
    format!("decryption {trustee} {label}")
}

/// Trustee `share`'s partial decryptions of `items` (label, ciphertext), each with its
/// proof, bound to the election base hash `base`.
pub fn partial_decrypt<R: RngCore + CryptoRng>(
    base: &Digest,
    share: &TrusteeShare,
    items: &[(String, Ciphertext)],
    rng: &mut R,
) -> Vec<PartialDecryption> {
    items
        .iter()
        .map(|(label, c)| {
            let (d, proof) = EqualityProof::prove(
                base,
                &what(share.index(), label),
                share.key_share(),
                share.public_share(),
                &c.a,
                rng,
            );
            PartialDecryption {
                trustee: share.index(),
                label: label.clone(),
                share: d,
                proof,
            }
        })
        .collect()
}

/// Verifies one partial decryption of `ciphertext` (named `label`) against the trustee's
/// public share in `ceremony`.
///
/// # Errors
/// [`ThresholdError::Inconsistent`] for another label or an unknown trustee; a failed
/// [`amanat::Check::EqualityProof`].
pub fn verify_partial(
    base: &Digest,
    ceremony: &Ceremony,
    label: &str,
    ciphertext: &Ciphertext,
    partial: &PartialDecryption,
) -> ThresholdResult<()> {
    if partial.label != label {
        return Err(ThresholdError::Inconsistent(format!(
            "partial decryption of {:?} offered for {label:?}",
            partial.label
        )));
    }
    let key = ceremony.public_share(partial.trustee)?;
    partial.proof.verify(
        base,
        &what(partial.trustee, label),
        key,
        &ciphertext.a,
        &partial.share,
    )?;
    Ok(())
}

/// The Lagrange coefficients at zero for the distinct indices `set`.
fn lagrange_at_zero(set: &[u32]) -> Vec<Scalar> {
    set.iter()
        .map(|&j| {
            let (mut num, mut den) = (Scalar::ONE, Scalar::ONE);
            for &m in set.iter().filter(|&&m| m != j) {
                num *= Scalar::from(m);
                den *= Scalar::from(m) - Scalar::from(j);
            }
            // Distinct indices in 1..=255 make every factor of `den` non-zero.
            num * den.invert()
        })
        .collect()
}

/// Combines the (already verified) partial decryptions of one ciphertext into `vG`.
///
/// # Errors
/// [`ThresholdError::TooFewTrustees`] with fewer than `k` distinct trustees;
/// [`ThresholdError::Inconsistent`] for a repeated trustee, an unknown index, or partials of
/// different labels.
pub fn combine(
    ceremony: &Ceremony,
    ciphertext: &Ciphertext,
    partials: &[PartialDecryption],
) -> ThresholdResult<Point> {
    let params = ceremony.params();
    let mut seen = BTreeSet::new();
    for p in partials {
        params.check_index(p.trustee)?;
        if !seen.insert(p.trustee) {
            return Err(ThresholdError::Inconsistent(format!(
                "trustee {} appears twice",
                p.trustee
            )));
        }
        if p.label != partials[0].label {
            return Err(ThresholdError::Inconsistent(
                "partial decryptions of different ciphertexts".into(),
            ));
        }
    }
    if (seen.len() as u32) < params.threshold {
        return Err(ThresholdError::TooFewTrustees {
            have: seen.len(),
            need: params.threshold,
        });
    }
    let set: Vec<u32> = partials.iter().map(|p| p.trustee).collect();
    let lambdas = lagrange_at_zero(&set);
    let blinding =
        RistrettoPoint::vartime_multiscalar_mul(lambdas, partials.iter().map(|p| *p.share.point()));
    Ok(Point::from_point(ciphertext.b.point() - blinding))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lagrange_interpolates_a_line_at_zero() {
        // f(x) = 7 + 3x: f(2) = 13, f(5) = 22, so f(0) = λ2·13 + λ5·22 = 7.
        let l = lagrange_at_zero(&[2, 5]);
        assert_eq!(
            l[0] * Scalar::from(13u64) + l[1] * Scalar::from(22u64),
            Scalar::from(7u64)
        );
    }
}
