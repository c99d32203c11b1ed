//! Encryption of one Shamir share from dealer `i` to trustee `j` (docs/ceremony.md §4).
//!
//! Hashed ElGamal (a DHIES-style KEM) with a one-time pad and a MAC, over ristretto255 and
//! SHA-512:
//!
//! - ephemeral secret `e`, `R = eG`, shared point `S = e·E_j` (`E_j` is `j`'s encryption key);
//! - `pad || mac_key = H("share-key"; raw(CH), u32 i, u32 j, enc(R), enc(S))`, 64 bytes split
//!   32 + 32;
//! - `ciphertext = le32(share) XOR pad`;
//! - `tag = H("share-tag"; raw(mac_key), u32 i, u32 j, enc(R), raw(ciphertext))`, first 32
//!   bytes.
//!
//! The recipient computes `S = d_j·R` with its secret `d_j`. Anyone given `S` (a complaint
//! reveals it with a proof that `log_G E_j = log_R S`) can open the share and judge it.
//! Each key is used for exactly one 32-byte message, so the pad is never reused.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::Scalar;
use rand_core::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::Hasher;
use amanat::{Digest, Point, PublicKey, SecretScalar};

/// The pad and MAC key for one share.
fn keys(ceremony: &Digest, from: u32, to: u32, r: &Point, s: &Point) -> Zeroizing<[u8; 64]> {
    let mut h = Hasher::new("share-key");
    h.bytes(&ceremony.0).u32(from).u32(to).point(r).point(s);
    Zeroizing::new(h.digest())
}

fn tag(mac_key: &[u8], from: u32, to: u32, r: &Point, ciphertext: &[u8; 32]) -> [u8; 32] {
    let mut h = Hasher::new("share-tag");
    h.bytes(mac_key)
        .u32(from)
        .u32(to)
        .point(r)
        .bytes(ciphertext);
    let d = h.digest();
    let mut t = [0u8; 32];
    t.copy_from_slice(&d[..32]);
    t
}

/// A sealed share: `(R, ciphertext, tag)`.
pub(crate) struct Sealed {
    pub(crate) ephemeral: PublicKey,
    pub(crate) ciphertext: [u8; 32],
    pub(crate) tag: [u8; 32],
}

/// Encrypts `share` from dealer `from` to trustee `to`, whose encryption key is `recipient`.
pub(crate) fn seal<R: RngCore + CryptoRng>(
    ceremony: &Digest,
    from: u32,
    to: u32,
    recipient: &PublicKey,
    share: &SecretScalar,
    rng: &mut R,
) -> amanat::Result<Sealed> {
    let e = SecretScalar::random(rng);
    let ephemeral = PublicKey::new(
        Point::from_point(RISTRETTO_BASEPOINT_TABLE * e.expose()),
        "ephemeral key",
    )?;
    let s = Point::from_point(recipient.point().point() * e.expose());
    let k = keys(ceremony, from, to, ephemeral.point(), &s);
    let mut ciphertext = [0u8; 32];
    for ((c, m), p) in ciphertext
        .iter_mut()
        .zip(share.expose().as_bytes())
        .zip(&k[..32])
    {
        *c = m ^ p;
    }
    let tag = tag(&k[32..], from, to, ephemeral.point(), &ciphertext);
    Ok(Sealed {
        ephemeral,
        ciphertext,
        tag,
    })
}

/// The shared point `S = d·R` that the recipient (secret `d`) computes.
pub(crate) fn shared_point(secret: &SecretScalar, ephemeral: &PublicKey) -> Point {
    Point::from_point(ephemeral.point().point() * secret.expose())
}

/// Opens a sealed share given the shared point. `None` when the tag does not match or the
/// plaintext is not a canonical scalar: either way the dealer sent a bad share.
pub(crate) fn open(
    ceremony: &Digest,
    from: u32,
    to: u32,
    sealed: &Sealed,
    shared: &Point,
) -> Option<SecretScalar> {
    let k = keys(ceremony, from, to, sealed.ephemeral.point(), shared);
    let want = tag(
        &k[32..],
        from,
        to,
        sealed.ephemeral.point(),
        &sealed.ciphertext,
    );
    if !bool::from(want.ct_eq(&sealed.tag)) {
        return None;
    }
    let mut plain = Zeroizing::new([0u8; 32]);
    for ((m, c), p) in plain.iter_mut().zip(&sealed.ciphertext).zip(&k[..32]) {
        *m = c ^ p;
    }
    Option::<Scalar>::from(Scalar::from_canonical_bytes(*plain)).map(SecretScalar::from_scalar)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    #[test]
    fn round_trip_and_tamper() {
        let d = SecretScalar::random(&mut OsRng);
        let key = PublicKey::new(
            Point::from_point(RISTRETTO_BASEPOINT_TABLE * d.expose()),
            "k",
        )
        .unwrap();
        let c = Digest([9; 64]);
        let share = SecretScalar::from_scalar(Scalar::from(4242u64));
        let mut sealed = seal(&c, 1, 2, &key, &share, &mut OsRng).unwrap();
        let s = shared_point(&d, &sealed.ephemeral);
        let got = open(&c, 1, 2, &sealed, &s).unwrap();
        assert_eq!(got.expose(), share.expose());
        // Another recipient index, ceremony or a flipped bit: rejected.
        assert!(open(&c, 1, 3, &sealed, &s).is_none());
        assert!(open(&Digest([8; 64]), 1, 2, &sealed, &s).is_none());
        sealed.ciphertext[0] ^= 1;
        assert!(open(&c, 1, 2, &sealed, &s).is_none());
    }

    /// `H(d; items)` of protocol §2.1 on plain SHA-512, for the layouts of ceremony.md §4.
    fn h(domain: &str, items: &[&[u8]]) -> [u8; 64] {
        use sha2::{Digest as _, Sha512};
        let tag = format!("{}/{domain}", amanat::PROTOCOL);
        let mut hasher = Sha512::new();
        for x in std::iter::once(tag.as_bytes()).chain(items.iter().copied()) {
            hasher.update((x.len() as u32).to_be_bytes());
            hasher.update(x);
        }
        hasher.finalize().into()
    }

    #[test]
    fn keys_and_tag_follow_the_item_forms_of_ceremony_section_4() {
        let d = SecretScalar::from_scalar(Scalar::from(31337u64));
        let key = PublicKey::new(
            Point::from_point(RISTRETTO_BASEPOINT_TABLE * d.expose()),
            "k",
        )
        .unwrap();
        let ch = Digest([0x5c; 64]);
        let share = SecretScalar::from_scalar(Scalar::from(4242u64));
        let (i, j) = (3u32, 1u32);
        let sealed = seal(&ch, i, j, &key, &share, &mut OsRng).unwrap();
        let r = sealed.ephemeral.to_bytes();
        let s = shared_point(&d, &sealed.ephemeral).to_bytes();

        // pad ‖ mk = H("share-key"; raw(CH), u32 i, u32 j, enc(R), enc(S)).
        let digest = h(
            "share-key",
            &[&ch.0, &i.to_be_bytes(), &j.to_be_bytes(), &r, &s],
        );
        let (pad, mk) = digest.split_at(32);
        assert_eq!(
            &keys(
                &ch,
                i,
                j,
                sealed.ephemeral.point(),
                &Point::from_bytes(&s, "S").unwrap()
            )[..],
            &digest[..]
        );

        // ct = le32(share) XOR pad, byte by byte.
        let want: Vec<u8> = share
            .expose()
            .as_bytes()
            .iter()
            .zip(pad)
            .map(|(a, b)| a ^ b)
            .collect();
        assert_eq!(&sealed.ciphertext[..], &want[..]);

        // tag = first 32 bytes of H("share-tag"; raw(mk), u32 i, u32 j, enc(R), raw(ct)).
        let tag = h(
            "share-tag",
            &[
                mk,
                &i.to_be_bytes(),
                &j.to_be_bytes(),
                &r,
                &sealed.ciphertext,
            ],
        );
        assert_eq!(&sealed.tag[..], &tag[..32]);

        // The plaintext must be a reduced scalar: ℓ under a valid tag is refused.
        let l_bytes = amanat::encoding::from_hex::<32>(
            "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",
            "l",
        )
        .unwrap();
        let mut bad = Sealed {
            ephemeral: sealed.ephemeral,
            ciphertext: [0; 32],
            tag: [0; 32],
        };
        for ((c, m), p) in bad.ciphertext.iter_mut().zip(&l_bytes).zip(pad) {
            *c = m ^ p;
        }
        let t = h(
            "share-tag",
            &[mk, &i.to_be_bytes(), &j.to_be_bytes(), &r, &bad.ciphertext],
        );
        bad.tag.copy_from_slice(&t[..32]);
        let shared = Point::from_bytes(&s, "S").unwrap();
        assert!(open(&ch, i, j, &bad, &shared).is_none());
        assert!(open(&ch, i, j, &sealed, &shared).is_some());
    }
}
