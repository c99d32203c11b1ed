//! Voter credentials (docs/protocol.md §6).
//!
//! A credential code is 16 secret bytes — the ballot-style index (2 bytes, big-endian) and 14
//! random bytes — written as 26 Crockford base32 symbols plus two check symbols, in seven
//! groups of four, e.g. `0002-AF07-96FB-5ZK5-ZCCF-2SBG-J1NT`. The first check symbol is Luhn mod 32
//! (it catches every single mistyped symbol and almost every swap of neighbours), the second
//! is 5 bits of a hash (it catches most of the rest). The signing key is
//! `x = H("credential-key", election id, 16 bytes)`; the public key `xG` goes on the list.

use core::fmt;

use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, Zeroizing};

use crate::base32::{self, ALPHABET};
use crate::election::Election;
use crate::elgamal::basepoint_table;
use crate::encoding::{Point, PublicKey};
use crate::error::{Error, Result};
use crate::hash::Transcript;
use crate::secret::SecretScalar;

/// Symbols in a credential code, without hyphens.
pub const CODE_SYMBOLS: usize = 28;
const DATA_SYMBOLS: usize = 26;

/// What a partly or fully typed credential code looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCheck {
    /// So far so good; `typed` of 28 symbols entered.
    Incomplete {
        /// Symbols typed so far.
        typed: usize,
    },
    /// A character that is not in the code alphabet, at this 0-based symbol position.
    InvalidCharacter {
        /// Position among the symbols (hyphens and spaces are not counted).
        position: usize,
    },
    /// More than 28 symbols.
    TooLong,
    /// All 28 symbols are there but the check symbols do not match: a typo.
    Typo,
    /// A well-formed code.
    Valid,
}

fn luhn32(values: &[u8]) -> u8 {
    let mut factor = 2u32;
    let mut sum = 0u32;
    for &v in values.iter().rev() {
        let addend = factor * v as u32;
        sum += addend / 32 + addend % 32;
        factor = 3 - factor;
    }
    ((32 - sum % 32) % 32) as u8
}

fn hash_check(values: &[u8]) -> u8 {
    let mut t = Transcript::new("credential-check");
    t.bytes(values);
    t.digest()[0] >> 3
}

/// Checks a code as the voter types it; hyphens and white space are skipped (§1.3).
pub fn check_code(code: &str) -> CodeCheck {
    let mut values = Zeroizing::new(Vec::with_capacity(CODE_SYMBOLS));
    for c in code.chars().filter(|&c| !base32::is_skipped(c)) {
        match base32::value(c) {
            Some(v) => values.push(v),
            None => {
                return CodeCheck::InvalidCharacter {
                    position: values.len(),
                }
            }
        }
        if values.len() > CODE_SYMBOLS {
            return CodeCheck::TooLong;
        }
    }
    if values.len() < CODE_SYMBOLS {
        return CodeCheck::Incomplete {
            typed: values.len(),
        };
    }
    let data = &values[..DATA_SYMBOLS];
    // 26 symbols carry 130 bits; the top two must be zero for a 128-bit payload.
    if data[0] >= 8
        || values[DATA_SYMBOLS] != luhn32(data)
        || values[DATA_SYMBOLS + 1] != hash_check(&values[..=DATA_SYMBOLS])
    {
        return CodeCheck::Typo;
    }
    CodeCheck::Valid
}

/// The 16 secret bytes behind a code.
struct Payload(Zeroizing<[u8; 16]>);

impl Payload {
    fn parse(code: &str) -> Result<Payload> {
        match check_code(code) {
            CodeCheck::Valid => {}
            CodeCheck::Incomplete { .. } => return Err(Error::Credential("the code is too short")),
            CodeCheck::InvalidCharacter { .. } => {
                return Err(Error::Credential(
                    "the code has a character that is not allowed",
                ))
            }
            CodeCheck::TooLong => return Err(Error::Credential("the code is too long")),
            CodeCheck::Typo => {
                return Err(Error::Credential(
                    "the code has a typo (check symbols do not match)",
                ))
            }
        }
        let mut acc = Zeroizing::new(0u128);
        for c in code
            .chars()
            .filter(|&c| !base32::is_skipped(c))
            .take(DATA_SYMBOLS)
        {
            *acc = (*acc << 5) | base32::value(c).map_or(0, u128::from);
        }
        Ok(Payload(Zeroizing::new(acc.to_be_bytes())))
    }

    fn to_code(&self) -> Zeroizing<String> {
        let n = u128::from_be_bytes(*self.0);
        let mut values = Zeroizing::new(Vec::with_capacity(CODE_SYMBOLS));
        for i in (0..DATA_SYMBOLS).rev() {
            values.push(((n >> (5 * i)) & 31) as u8);
        }
        let l = luhn32(&values);
        values.push(l);
        let h = hash_check(&values);
        values.push(h);
        let s: Zeroizing<String> = Zeroizing::new(
            values
                .iter()
                .map(|&v| ALPHABET[v as usize] as char)
                .collect(),
        );
        Zeroizing::new(base32::group4(&s))
    }

    fn style_index(&self) -> u16 {
        u16::from_be_bytes([self.0[0], self.0[1]])
    }
}

/// A voter's credential: the signing key derived from a code, and the ballot style it votes.
pub struct Credential {
    pub(crate) secret: SecretScalar,
    public: PublicKey,
    style_index: u16,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("public", &self.public)
            .field("style_index", &self.style_index)
            .finish_non_exhaustive()
    }
}

/// A freshly generated credential code: secret, to be printed or sent to one voter.
pub struct CredentialCode(Zeroizing<String>);

impl CredentialCode {
    /// The code text: seven groups of four symbols, e.g. `0002-AF07-96FB-5ZK5-ZCCF-2SBG-J1NT`.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CredentialCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialCode(<redacted>)")
    }
}

impl Credential {
    fn derive(election_id: &str, payload: &Payload) -> Result<Credential> {
        let mut t = Transcript::new("credential-key");
        t.str(election_id).bytes(&payload.0[..]);
        let mut digest = t.digest();
        let secret =
            SecretScalar::from_scalar(curve25519_dalek::Scalar::from_bytes_mod_order_wide(&digest));
        digest.zeroize();
        let public = PublicKey::new(
            Point::new(basepoint_table() * secret.expose()),
            "credential key",
        )?;
        Ok(Credential {
            secret,
            public,
            style_index: payload.style_index(),
        })
    }

    /// The credential behind a typed code, for this election.
    ///
    /// # Errors
    /// [`Error::Credential`] for a mistyped code or one whose ballot style is not in the
    /// election.
    pub fn from_code(election: &Election, code: &str) -> Result<Credential> {
        let payload = Payload::parse(code)?;
        let c = Credential::derive(&election.manifest().election_id, &payload)?;
        if c.style_index as usize >= election.manifest().ballot_styles.len() {
            return Err(Error::Credential("the code is not for this election"));
        }
        Ok(c)
    }

    /// The public key a code stands for in election `election_id` (the manifest's id): what
    /// the published credential list holds for it, if it is on the list. The key is public,
    /// so asking the ballot box whether it is listed reveals nothing secret; a code from
    /// another election (same form, other id) gives a key that is not on this election's list.
    ///
    /// # Errors
    /// [`Error::Credential`] for a code that does not check (short, long, a character not in
    /// the alphabet, a typo).
    pub fn public_key_of_code(election_id: &str, code: &str) -> Result<PublicKey> {
        let payload = Payload::parse(code)?;
        Ok(*Credential::derive(election_id, &payload)?.public_key())
    }

    /// Generates a new credential for ballot style number `style_index` of election
    /// `election_id` (the manifest's id; the base hash cannot be used because it commits to
    /// the credential list).
    pub fn generate<R: RngCore + CryptoRng>(
        election_id: &str,
        style_index: u16,
        rng: &mut R,
    ) -> Result<(CredentialCode, Credential)> {
        let mut bytes = Zeroizing::new([0u8; 16]);
        rng.fill_bytes(&mut bytes[2..]);
        bytes[..2].copy_from_slice(&style_index.to_be_bytes());
        let payload = Payload(bytes);
        let credential = Credential::derive(election_id, &payload)?;
        Ok((CredentialCode(payload.to_code()), credential))
    }

    /// The public key that goes on the credential list.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The index of the credential's ballot style in the manifest.
    pub fn style_index(&self) -> u16 {
        self.style_index
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    #[test]
    fn generated_codes_check_and_derive_the_same_key() {
        for style in [0u16, 1, 513, u16::MAX] {
            let (code, cred) = Credential::generate("e1", style, &mut OsRng)
                .unwrap_or_else(|e| unreachable!("{e}"));
            assert_eq!(check_code(code.expose()), CodeCheck::Valid);
            assert_eq!(code.expose().len(), 34);
            let p = Payload::parse(code.expose()).unwrap_or_else(|e| unreachable!("{e}"));
            assert_eq!(p.style_index(), style);
            let again = Credential::derive("e1", &p).unwrap_or_else(|e| unreachable!("{e}"));
            assert_eq!(again.public_key(), cred.public_key());
            let other = Credential::derive("e2", &p).unwrap_or_else(|e| unreachable!("{e}"));
            assert_ne!(other.public_key(), cred.public_key());
        }
    }

    #[test]
    fn every_single_substitution_and_most_swaps_are_caught() {
        let (code, _) =
            Credential::generate("e1", 3, &mut OsRng).unwrap_or_else(|e| unreachable!("{e}"));
        let symbols: Vec<char> = code.expose().chars().filter(|c| *c != '-').collect();
        for i in 0..symbols.len() {
            for &a in ALPHABET {
                let a = a as char;
                if a == symbols[i] {
                    continue;
                }
                let mut t = symbols.clone();
                t[i] = a;
                let s: String = t.iter().collect();
                assert_ne!(
                    check_code(&s),
                    CodeCheck::Valid,
                    "substitution at {i} not caught"
                );
            }
        }
        let mut missed = 0;
        for i in 0..symbols.len() - 1 {
            if symbols[i] == symbols[i + 1] {
                continue;
            }
            let mut t = symbols.clone();
            t.swap(i, i + 1);
            if check_code(&t.iter().collect::<String>()) == CodeCheck::Valid {
                missed += 1;
            }
        }
        assert!(missed <= 1, "{missed} swaps missed");
    }

    #[test]
    fn partial_and_bad_input_is_described() {
        assert_eq!(check_code(""), CodeCheck::Incomplete { typed: 0 });
        assert_eq!(check_code("ab-cd"), CodeCheck::Incomplete { typed: 4 });
        assert_eq!(
            check_code("abU"),
            CodeCheck::InvalidCharacter { position: 2 }
        );
        assert_eq!(check_code(&"0".repeat(29)), CodeCheck::TooLong);
        assert!(matches!(Payload::parse("ab"), Err(Error::Credential(_))));
    }

    #[test]
    fn the_public_key_of_a_code_is_its_credential_key_in_that_election_only() {
        let (code, cred) =
            Credential::generate("e1", 2, &mut OsRng).unwrap_or_else(|e| unreachable!("{e}"));
        let key = Credential::public_key_of_code("e1", code.expose())
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(&key, cred.public_key());
        let lower = code.expose().to_lowercase().replace('-', " ");
        assert_eq!(
            Credential::public_key_of_code("e1", &lower).ok().as_ref(),
            Some(cred.public_key())
        );
        let elsewhere = Credential::public_key_of_code("e2", code.expose())
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_ne!(&elsewhere, cred.public_key());
        for bad in [
            "",
            "0002-AF07",
            &code.expose()[..33],
            &format!("{}0", code.expose()),
        ] {
            assert!(matches!(
                Credential::public_key_of_code("e1", bad),
                Err(Error::Credential(_))
            ));
        }
    }

    #[test]
    fn debug_does_not_print_the_code() {
        let (code, cred) =
            Credential::generate("e1", 0, &mut OsRng).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(format!("{code:?}"), "CredentialCode(<redacted>)");
        assert!(!format!("{cred:?}").contains("secret"));
    }
}
