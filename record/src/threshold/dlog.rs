//! Recovering a count `v` from `vG` by baby-step giant-step (docs/ceremony.md §8).
//!
//! With `m = ⌈√(max + 1)⌉`, the table holds the baby steps `j·G` for `0 <= j < m`; a query
//! walks the giant steps `P − i·m·G` for `i = 0, 1, …` until one is in the table, giving
//! `v = i·m + j`. Any `v < m` is found at the first giant step, so small counts (most
//! options) cost one lookup.
//!
//! Compressing a point costs a field inversion, so both the table and the walk use
//! curve25519-dalek's `double_and_compress_batch` (one inversion per batch): the table is keyed
//! by the encoding of `2·j·G`, which identifies `j·G` because doubling is a bijection of the
//! prime-order ristretto255 group. The walk's batches grow 1, 2, 4, … up to 256 points, so a
//! small count costs one compression and a large one amortises the inversions.

use std::collections::HashMap;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::Identity;
use curve25519_dalek::Scalar;

/// The largest batch of giant steps compressed at once.
const MAX_BATCH: usize = 256;

/// A baby-step table for counts up to `max`.
pub struct DlogTable {
    max: u64,
    m: u64,
    baby: HashMap<[u8; 32], u32>,
    giant: RistrettoPoint,
}

impl core::fmt::Debug for DlogTable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DlogTable")
            .field("max", &self.max)
            .field("baby_steps", &self.m)
            .finish()
    }
}

impl DlogTable {
    /// Builds the table for counts `0..=max` (`⌈√(max + 1)⌉` baby steps).
    pub fn new(max: u64) -> DlogTable {
        // Smallest m with m² > max, capped so that every baby index fits in a u32.
        let mut m = (max as f64).sqrt() as u64;
        while m.saturating_mul(m) <= max {
            m += 1;
        }
        let m = m.clamp(1, u64::from(u32::MAX));
        let mut baby = HashMap::with_capacity(m as usize);
        let mut p = RistrettoPoint::identity();
        let mut j: u64 = 0;
        while j < m {
            let n = ((m - j) as usize).min(4096);
            let mut batch = Vec::with_capacity(n);
            for _ in 0..n {
                batch.push(p);
                p += G;
            }
            for (t, c) in RistrettoPoint::double_and_compress_batch(&batch)
                .into_iter()
                .enumerate()
            {
                baby.insert(c.to_bytes(), (j + t as u64) as u32);
            }
            j += n as u64;
        }
        DlogTable {
            max,
            m,
            baby,
            giant: G * Scalar::from(m),
        }
    }

    /// The largest count this table recovers.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The number of baby steps `m`.
    pub fn baby_steps(&self) -> u64 {
        self.m
    }

    /// `v` with `v·G = p` and `v <= max`, or `None` (variable time: counts are public).
    pub fn solve(&self, p: &RistrettoPoint) -> Option<u64> {
        let mut cur = *p;
        let mut i: u64 = 0;
        let mut size = 1usize;
        let last = self.max / self.m;
        while i <= last {
            let n = size.min((last - i + 1) as usize);
            let mut batch = Vec::with_capacity(n);
            for _ in 0..n {
                batch.push(cur);
                cur -= self.giant;
            }
            for (t, c) in RistrettoPoint::double_and_compress_batch(&batch)
                .iter()
                .enumerate()
            {
                if let Some(&j) = self.baby.get(c.as_bytes()) {
                    let v = (i + t as u64) * self.m + u64::from(j);
                    return (v <= self.max).then_some(v);
                }
            }
            i += n as u64;
            size = (size * 2).min(MAX_BATCH);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_values_and_refuses_beyond_max() {
        let t = DlogTable::new(10_000);
        assert_eq!(t.baby_steps(), 101);
        for v in [0u64, 1, 2, 100, 101, 102, 5_000, 9_999, 10_000] {
            assert_eq!(t.solve(&(G * Scalar::from(v))), Some(v), "{v}");
        }
        assert_eq!(t.solve(&(G * Scalar::from(10_001u64))), None);
        assert_eq!(t.solve(&(G * Scalar::from(1u64 << 40))), None);
        let tiny = DlogTable::new(0);
        assert_eq!(tiny.solve(&RistrettoPoint::identity()), Some(0));
        assert_eq!(tiny.solve(&G), None);
    }
}
