//! The one hashing scheme (docs/protocol.md §2): SHA-512 over length-prefixed items.
//!
//! Public so that the authority tools (the ceremony's hashes) use this very code rather than
//! a copy of the layout.
//!
//! Every item, the domain tag included, is written as its length (4 bytes, big-endian)
//! followed by its bytes. Integers are items of 4 big-endian bytes. A scalar is the 64-byte
//! digest reduced modulo the group order.

use curve25519_dalek::Scalar;
use sha2::{Digest, Sha512};

use crate::encoding::Point;

/// The protocol version string; every domain tag starts with it.
pub const PROTOCOL: &str = "amanat/2";

/// A domain-separated SHA-512 transcript of length-prefixed items (§2.1).
#[derive(Clone)]
pub struct Transcript(Sha512);

impl Transcript {
    /// Starts a transcript whose first item is `amanat/2/<domain>`.
    pub fn new(domain: &str) -> Self {
        let mut t = Transcript(Sha512::new());
        let tag_len = PROTOCOL.len() + 1 + domain.len();
        t.0.update((tag_len as u32).to_be_bytes());
        t.0.update(PROTOCOL.as_bytes());
        t.0.update(b"/");
        t.0.update(domain.as_bytes());
        t
    }

    /// Appends one item: its 4-byte big-endian length, then its bytes.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        // Items are bounded far below 4 GiB by the JSON size limits of every caller.
        self.0.update((b.len() as u32).to_be_bytes());
        self.0.update(b);
        self
    }

    /// Appends a UTF-8 string as one item.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// Appends a number as one item of 4 big-endian bytes.
    pub fn u32(&mut self, n: u32) -> &mut Self {
        self.bytes(&n.to_be_bytes())
    }

    /// Appends a point's canonical 32-byte encoding as one item.
    pub fn point(&mut self, p: &Point) -> &mut Self {
        self.bytes(p.enc.as_bytes())
    }

    /// Appends a scalar's canonical 32-byte encoding as one item.
    pub fn scalar(&mut self, s: &Scalar) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// The 64-byte digest.
    pub fn digest(&self) -> [u8; 64] {
        self.0.clone().finalize().into()
    }

    /// The digest reduced to a scalar (§2.2).
    pub fn scalar_out(&self) -> Scalar {
        Scalar::from_bytes_mod_order_wide(&self.digest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_length_prefixed() {
        // ("ab","c") and ("a","bc") must hash differently.
        let mut x = Transcript::new("t");
        x.str("ab").str("c");
        let mut y = Transcript::new("t");
        y.str("a").str("bc");
        assert_ne!(x.digest(), y.digest());
    }

    #[test]
    fn layout_matches_the_specification() {
        let mut t = Transcript::new("x");
        t.u32(7);
        let mut raw = Vec::new();
        raw.extend_from_slice(&10u32.to_be_bytes());
        raw.extend_from_slice(b"amanat/2/x");
        raw.extend_from_slice(&4u32.to_be_bytes());
        raw.extend_from_slice(&7u32.to_be_bytes());
        let want: [u8; 64] = Sha512::digest(&raw).into();
        assert_eq!(t.digest(), want);
    }
}
