//! The election definition (docs/protocol.md §3): manifest, trustee parameters, joint public
//! key, the digest of the public credential list and the ballot box's receipt key, all bound
//! by the election base hash.

use serde::{Deserialize, Serialize};

use crate::elgamal::ElectionKey;
use crate::encoding::{field_error, Digest, PublicKey};
use crate::error::{Error, Result};
use crate::hash::{Transcript, PROTOCOL};
use crate::manifest::Manifest;

/// The protocol version tag, `"amanat/2"` in JSON; any other value is rejected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Protocol;

impl Serialize for Protocol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(PROTOCOL)
    }
}

impl<'de> Deserialize<'de> for Protocol {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        crate::encoding::decode_str(d, |s| {
            if s == PROTOCOL {
                Ok(Protocol)
            } else {
                Err(Error::Version(s.chars().take(32).collect()))
            }
        })
    }
}

/// A summary of the public credential list: how many keys, and its digest (§3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialsSummary {
    /// Number of credentials.
    pub count: u64,
    /// [`CredentialList::digest`] of the list.
    pub digest: Digest,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ElectionJson {
    protocol: Protocol,
    manifest: Manifest,
    trustees: u32,
    threshold: u32,
    joint_public_key: PublicKey,
    credentials: CredentialsSummary,
    ballot_box_key: PublicKey,
}

/// A validated election, with its base hash and the precomputed table of its key.
#[derive(Clone, Debug)]
pub struct Election {
    manifest: Manifest,
    trustees: u32,
    threshold: u32,
    key: ElectionKey,
    credentials: CredentialsSummary,
    ballot_box_key: PublicKey,
    base_hash: Digest,
}

impl Election {
    /// Builds and validates an election. `ballot_box_key` is the public key the ballot box
    /// signs its receipts with (§8.3): fixed here, before any ballot is cast, so that a receipt
    /// proves what the box acknowledged.
    ///
    /// # Errors
    /// [`Error::InvalidElection`] when `1 <= threshold <= trustees` does not hold.
    pub fn new(
        manifest: Manifest,
        trustees: u32,
        threshold: u32,
        joint_public_key: PublicKey,
        credentials: CredentialsSummary,
        ballot_box_key: PublicKey,
    ) -> Result<Election> {
        if threshold == 0 || threshold > trustees || trustees > 255 {
            return Err(Error::InvalidElection(format!(
                "need 1 <= threshold <= trustees <= 255 (got threshold {threshold}, trustees {trustees})"
            )));
        }
        let mut t = Transcript::new("election");
        manifest.absorb(&mut t);
        t.u32(trustees).u32(threshold).point(&joint_public_key.0);
        t.bytes(&credentials.count.to_be_bytes())
            .bytes(&credentials.digest.0)
            .point(&ballot_box_key.0);
        let base_hash = Digest(t.digest());
        Ok(Election {
            manifest,
            trustees,
            threshold,
            key: ElectionKey::new(joint_public_key),
            credentials,
            ballot_box_key,
            base_hash,
        })
    }

    /// Parses and validates an election from its JSON.
    ///
    /// # Errors
    /// [`Error::MalformedJson`], [`Error::InvalidElection`], or an encoding error of a key.
    pub fn from_json(json: &str) -> Result<Election> {
        let e: ElectionJson = crate::encoding::from_json(json)?;
        Election::new(
            e.manifest,
            e.trustees,
            e.threshold,
            e.joint_public_key,
            e.credentials,
            e.ballot_box_key,
        )
    }

    /// The election as JSON.
    pub fn to_json(&self) -> String {
        let e = ElectionJson {
            protocol: Protocol,
            manifest: self.manifest.clone(),
            trustees: self.trustees,
            threshold: self.threshold,
            joint_public_key: self.key.key,
            credentials: self.credentials,
            ballot_box_key: self.ballot_box_key,
        };
        serde_json::to_string_pretty(&e).unwrap_or_default()
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Number of trustees `n`.
    pub fn trustees(&self) -> u32 {
        self.trustees
    }

    /// Decryption threshold `k`.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// The joint election key.
    pub fn key(&self) -> &ElectionKey {
        &self.key
    }

    /// The credential list summary.
    pub fn credentials(&self) -> &CredentialsSummary {
        &self.credentials
    }

    /// The key the ballot box signs its receipts with (§8.3).
    pub fn ballot_box_key(&self) -> &PublicKey {
        &self.ballot_box_key
    }

    /// The election base hash that every proof and signature binds.
    pub fn base_hash(&self) -> &Digest {
        &self.base_hash
    }
}

/// One public credential: a voter's public key and the ballot style it may vote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialEntry {
    /// The credential's public key.
    pub key: PublicKey,
    /// The ballot style id.
    pub style: String,
}

/// The published list of public credentials, sorted by key bytes, without duplicates.
/// In JSON it is the bare array of entries in that order, as [`CredentialList::from_json`]
/// reads it (§3.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct CredentialList {
    entries: Vec<CredentialEntry>,
}

impl CredentialList {
    /// Sorts the entries and rejects a key listed twice.
    ///
    /// # Errors
    /// [`Error::InvalidElection`] on a duplicate key.
    pub fn new(mut entries: Vec<CredentialEntry>) -> Result<CredentialList> {
        entries.sort_by_key(|e| e.key.to_bytes());
        for w in entries.windows(2) {
            if w[0].key == w[1].key {
                return Err(Error::InvalidElection(format!(
                    "credential {} listed twice",
                    w[0].key.to_hex()
                )));
            }
        }
        Ok(CredentialList { entries })
    }

    /// Parses a list from JSON (an array of `{key, style}`), which must already be in
    /// ascending key order (§3.3).
    ///
    /// # Errors
    /// [`Error::MalformedJson`], a key encoding error, or [`Error::InvalidElection`] for a
    /// duplicate key or an entry out of order.
    pub fn from_json(json: &str) -> Result<CredentialList> {
        crate::encoding::from_json(json)
    }

    /// The list of entries as read from a file: in strictly ascending key order.
    fn in_order(entries: Vec<CredentialEntry>) -> Result<CredentialList> {
        for (i, w) in entries.windows(2).enumerate() {
            match w[0].key.to_bytes().cmp(&w[1].key.to_bytes()) {
                core::cmp::Ordering::Less => {}
                core::cmp::Ordering::Equal => {
                    return Err(Error::InvalidElection(format!(
                        "credential {} listed twice",
                        w[0].key.to_hex()
                    )))
                }
                core::cmp::Ordering::Greater => {
                    return Err(Error::InvalidElection(format!(
                        "credential list not sorted by key: entry {} comes after entry {}",
                        i,
                        i + 1
                    )))
                }
            }
        }
        Ok(CredentialList { entries })
    }

    /// The entries, sorted by key.
    pub fn entries(&self) -> &[CredentialEntry] {
        &self.entries
    }

    /// The ballot style of a listed key.
    pub fn style_of(&self, key: &PublicKey) -> Option<&str> {
        let k = key.to_bytes();
        self.entries
            .binary_search_by_key(&k, |e| e.key.to_bytes())
            .ok()
            .map(|i| self.entries[i].style.as_str())
    }

    /// The digest bound into the election (§3.3).
    pub fn digest(&self) -> Digest {
        let mut t = Transcript::new("credentials");
        t.bytes(&(self.entries.len() as u64).to_be_bytes());
        for e in &self.entries {
            t.point(&e.key.0).str(&e.style);
        }
        Digest(t.digest())
    }

    /// The summary that goes into the election.
    pub fn summary(&self) -> CredentialsSummary {
        CredentialsSummary {
            count: self.entries.len() as u64,
            digest: self.digest(),
        }
    }

    /// Checks that the list is the one the election commits to and names only its styles.
    ///
    /// # Errors
    /// [`Error::InvalidElection`] naming the mismatch.
    pub fn check_against(&self, election: &Election) -> Result<()> {
        if self.summary() != election.credentials {
            return Err(Error::InvalidElection(
                "credential list does not match the election's digest".into(),
            ));
        }
        for e in &self.entries {
            election.manifest.style(&e.style).map_err(|_| {
                Error::InvalidElection(format!(
                    "credential {} names unknown style {:?}",
                    e.key.to_hex(),
                    e.style
                ))
            })?;
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for CredentialList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        CredentialList::in_order(Vec::<CredentialEntry>::deserialize(d)?).map_err(field_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elgamal::basepoint_table;
    use crate::encoding::Point;
    use curve25519_dalek::Scalar;

    fn entry(n: u64) -> CredentialEntry {
        let p = Point::new(basepoint_table() * &Scalar::from(n));
        CredentialEntry {
            key: PublicKey::new(p, "key").unwrap(),
            style: "S".into(),
        }
    }

    /// §3.3: a list read from JSON must be in ascending key order, each key once; a list
    /// built in memory is sorted.
    #[test]
    fn a_list_file_must_be_sorted_by_key_without_duplicates() {
        let built = CredentialList::new((1..=5).map(entry).collect()).unwrap();
        let sorted = serde_json::to_string(&built).unwrap();
        assert_eq!(CredentialList::from_json(&sorted).unwrap(), built);

        let mut entries = built.entries().to_vec();
        entries.swap(1, 3);
        let shuffled = serde_json::to_string(&entries).unwrap();
        let err = CredentialList::from_json(&shuffled).unwrap_err();
        assert_eq!(err.code(), "INVALID_ELECTION", "{err}");
        assert_eq!(CredentialList::new(entries).unwrap(), built);

        let mut twice = built.entries().to_vec();
        twice.insert(2, twice[2].clone());
        let err = CredentialList::from_json(&serde_json::to_string(&twice).unwrap()).unwrap_err();
        assert_eq!(err.code(), "INVALID_ELECTION", "{err}");
    }
}
