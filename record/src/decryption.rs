//! Checking the trustees' decryption shares and combining them into counts (docs/record.md
//! §4; ceremony.md §7): what `combine` does to make the record and checks V9–V11 redo.

use std::collections::BTreeSet;

use amanat::Election;
use curve25519_dalek::ristretto::RistrettoPoint;

use crate::documents::{Combined, Counts, Decryption, Tally};
use crate::error::{RecordError, RecordResult};
use crate::threshold::{
    combine, verify_partial, Ceremony, DlogTable, ThresholdError, TrusteeDecryption,
};

/// Checks one trustee's decryption document against the tally: the election, one share per
/// aggregate with the tally's labels in order, every Chaum–Pedersen proof.
///
/// # Errors
/// [`RecordError::Invalid`] for a mismatch, or the failed proof.
pub fn check_trustee(
    election: &Election,
    ceremony: &Ceremony,
    items: &[(String, amanat::Ciphertext)],
    doc: &TrusteeDecryption,
) -> RecordResult<()> {
    let j = doc.trustee;
    if doc.election != *election.base_hash() {
        return Err(RecordError::Invalid(format!(
            "trustee {j}'s shares are for another election"
        )));
    }
    if doc.partials.len() != items.len() {
        return Err(RecordError::Invalid(format!(
            "trustee {j} gave {} shares for {} aggregates",
            doc.partials.len(),
            items.len()
        )));
    }
    for (p, (label, c)) in doc.partials.iter().zip(items) {
        if p.trustee != j {
            return Err(RecordError::Invalid(format!(
                "trustee {j}'s document holds a share of trustee {}",
                p.trustee
            )));
        }
        verify_partial(election.base_hash(), ceremony, label, c, p)?;
    }
    Ok(())
}

/// Combines the shares of `trustees` (already checked) for every aggregate, in order.
///
/// # Errors
/// Fewer than `k` distinct trustees, or a repeated one.
pub fn combine_all(
    ceremony: &Ceremony,
    items: &[(String, amanat::Ciphertext)],
    trustees: &[TrusteeDecryption],
) -> RecordResult<Vec<Combined>> {
    items
        .iter()
        .enumerate()
        .map(|(i, (label, c))| {
            let partials: Vec<_> = trustees
                .iter()
                .filter_map(|t| t.partials.get(i).cloned())
                .collect();
            Ok(Combined {
                label: label.clone(),
                value: combine(ceremony, c, &partials)?,
            })
        })
        .collect()
}

/// Recovers the counts from the combined values: an option's count is at most the number of
/// counted ballots holding its contest.
///
/// # Errors
/// [`RecordError::Invalid`] when a value is not `v·G` for a count in range.
pub fn counts(tally: &Tally, combined: &[Combined]) -> RecordResult<Counts> {
    let max = tally.contests.iter().map(|c| c.ballots).max().unwrap_or(0);
    let table = DlogTable::new(max);
    let mut out = Counts::new();
    let mut values = combined.iter();
    for c in &tally.contests {
        let contest = out.entry(c.id.clone()).or_default();
        for o in &c.options {
            let v = values.next().ok_or_else(|| {
                RecordError::Invalid("fewer combined values than aggregates".into())
            })?;
            let p: RistrettoPoint = *v.value.point();
            let n = table.solve(&p).ok_or_else(|| {
                RecordError::Invalid(format!(
                    "{} does not decrypt to a count up to {max}",
                    v.label
                ))
            })?;
            contest.insert(o.id.clone(), n);
        }
    }
    Ok(out)
}

/// Decrypts the tally with the trustees' documents: checks each, drops a trustee whose
/// document does not verify (calling `rejected` with its index and why), needs `k` good
/// ones, combines and recovers the counts.
///
/// # Errors
/// The ceremony is not the election's, two documents of one trustee, fewer than `k`
/// trustees gave good shares, or a count cannot be recovered.
pub fn decrypt(
    election: &Election,
    ceremony: &Ceremony,
    tally: &Tally,
    docs: Vec<TrusteeDecryption>,
    rejected: &mut dyn FnMut(u32, &RecordError),
) -> RecordResult<(Decryption, Counts)> {
    ceremony.check_election(election)?;
    if tally.election != *election.base_hash() {
        return Err(RecordError::Invalid(
            "the tally is for another election".into(),
        ));
    }
    let items = tally.items();
    let mut seen = BTreeSet::new();
    let mut good = Vec::new();
    for doc in docs {
        if !seen.insert(doc.trustee) {
            return Err(RecordError::Invalid(format!(
                "two decryption documents from trustee {}",
                doc.trustee
            )));
        }
        match check_trustee(election, ceremony, &items, &doc) {
            Ok(()) => good.push(doc),
            Err(e) => rejected(doc.trustee, &e),
        }
    }
    good.sort_by_key(|d| d.trustee);
    if (good.len() as u32) < election.threshold() {
        return Err(ThresholdError::TooFewTrustees {
            have: good.len(),
            need: election.threshold(),
        }
        .into());
    }
    let combined = combine_all(ceremony, &items, &good)?;
    let results = counts(tally, &combined)?;
    Ok((
        Decryption {
            election: *election.base_hash(),
            trustees: good,
            combined,
        },
        results,
    ))
}
