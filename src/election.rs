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
///
/// Kept compact, for lists of millions of voters: per credential its 32-byte canonical key
/// (checked canonical and not the identity when the list is built or read, then kept encoded:
/// a ballot carries its own decoded key, the list is only searched) and the index of its
/// ballot style among the list's distinct styles, 36 bytes in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialList {
    /// The keys' canonical encodings, in strictly ascending order.
    keys: Vec<[u8; 32]>,
    /// Per key, its style's position in `names`.
    styles: Vec<u32>,
    /// The distinct style ids, in the order they first appear in the list (so two lists with
    /// the same entries are equal field by field).
    names: Vec<String>,
}

/// A [`CredentialList`] being built from entries in ascending key order.
#[derive(Default)]
struct ListBuilder {
    list: CredentialList,
    positions: std::collections::BTreeMap<String, u32>,
}

impl ListBuilder {
    /// Appends the next entry: its key must be above the previous one (`i` is its position,
    /// for the error).
    fn push(&mut self, i: usize, e: CredentialEntry) -> Result<()> {
        let key = e.key.to_bytes();
        if let Some(last) = self.list.keys.last() {
            match last.cmp(&key) {
                core::cmp::Ordering::Less => {}
                core::cmp::Ordering::Equal => {
                    return Err(Error::InvalidElection(format!(
                        "credential {} listed twice",
                        e.key.to_hex()
                    )))
                }
                core::cmp::Ordering::Greater => {
                    return Err(Error::InvalidElection(format!(
                        "credential list not sorted by key: entry {} comes after entry {}",
                        i - 1,
                        i
                    )))
                }
            }
        }
        let style = match self.positions.get(&e.style) {
            Some(&s) => s,
            None => {
                let s = u32::try_from(self.list.names.len()).map_err(|_| {
                    Error::InvalidElection("too many ballot styles in the credential list".into())
                })?;
                self.positions.insert(e.style.clone(), s);
                self.list.names.push(e.style);
                s
            }
        };
        self.list.keys.push(key);
        self.list.styles.push(style);
        Ok(())
    }
}

impl CredentialList {
    /// Sorts the entries and rejects a key listed twice.
    ///
    /// # Errors
    /// [`Error::InvalidElection`] on a duplicate key.
    pub fn new(mut entries: Vec<CredentialEntry>) -> Result<CredentialList> {
        entries.sort_by_key(|e| e.key.to_bytes());
        let mut b = ListBuilder::default();
        for (i, e) in entries.into_iter().enumerate() {
            b.push(i, e)?;
        }
        Ok(b.list)
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

    /// The entries, sorted by key (each key decoded again: for tools and tests, not for
    /// lookups, which are [`CredentialList::position`] and [`CredentialList::style_of`]).
    pub fn entries(&self) -> Vec<CredentialEntry> {
        self.keys
            .iter()
            .zip(&self.styles)
            .filter_map(|(k, &s)| {
                // Every key was decoded, canonical and not the identity, when the list was
                // built or read, so it decodes again.
                let key = PublicKey::from_bytes(k, "credential").ok()?;
                Some(CredentialEntry {
                    key,
                    style: self.style_name(s).to_string(),
                })
            })
            .collect()
    }

    /// The number of credentials.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn style_name(&self, s: u32) -> &str {
        self.names.get(s as usize).map_or("", String::as_str)
    }

    /// The position of a listed key in the list (sorted by key bytes).
    pub fn position(&self, key: &PublicKey) -> Option<usize> {
        self.keys.binary_search(&key.to_bytes()).ok()
    }

    /// The ballot style of a listed key.
    pub fn style_of(&self, key: &PublicKey) -> Option<&str> {
        let i = self.position(key)?;
        self.styles.get(i).map(|&s| self.style_name(s))
    }

    /// The digest bound into the election (§3.3).
    pub fn digest(&self) -> Digest {
        let mut t = Transcript::new("credentials");
        t.bytes(&(self.keys.len() as u64).to_be_bytes());
        for (k, &s) in self.keys.iter().zip(&self.styles) {
            t.bytes(k).str(self.style_name(s));
        }
        Digest(t.digest())
    }

    /// The summary that goes into the election.
    pub fn summary(&self) -> CredentialsSummary {
        CredentialsSummary {
            count: self.keys.len() as u64,
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
        let known: Vec<bool> = self
            .names
            .iter()
            .map(|n| election.manifest.style(n).is_ok())
            .collect();
        for (k, &s) in self.keys.iter().zip(&self.styles) {
            if !known.get(s as usize).copied().unwrap_or(false) {
                return Err(Error::InvalidElection(format!(
                    "credential {} names unknown style {:?}",
                    crate::encoding::to_hex(k),
                    self.style_name(s)
                )));
            }
        }
        Ok(())
    }
}

impl Serialize for CredentialList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        /// One entry as [`CredentialEntry`] serializes it.
        #[derive(Serialize)]
        struct Entry<'a> {
            key: String,
            style: &'a str,
        }
        s.collect_seq(self.keys.iter().zip(&self.styles).map(|(k, &st)| Entry {
            key: crate::encoding::to_hex(k),
            style: self.style_name(st),
        }))
    }
}

impl<'de> Deserialize<'de> for CredentialList {
    /// Reads the array entry by entry (each key decoded and checked canonical and not the
    /// identity, each in strictly ascending order), keeping only the compact form.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = CredentialList;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("an array of credentials")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> core::result::Result<CredentialList, A::Error> {
                let mut b = ListBuilder::default();
                let mut i = 0usize;
                while let Some(e) = seq.next_element::<CredentialEntry>()? {
                    b.push(i, e).map_err(field_error)?;
                    i += 1;
                }
                Ok(b.list)
            }
        }
        d.deserialize_seq(V)
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

    /// The compact list writes the same JSON as its entries, answers the same lookups, and
    /// reading it still refuses a non-canonical or identity key.
    #[test]
    fn the_compact_list_reads_writes_and_refuses_as_the_entries_do() {
        let mut entries: Vec<CredentialEntry> = (1..=6).map(entry).collect();
        entries[4].style = "T".into();
        let list = CredentialList::new(entries.clone()).unwrap();
        let mut sorted = entries.clone();
        sorted.sort_by_key(|e| e.key.to_bytes());
        assert_eq!(list.entries(), sorted);
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            serde_json::to_string(&sorted).unwrap()
        );
        assert_eq!(list.len(), 6);
        for (i, e) in sorted.iter().enumerate() {
            assert_eq!(list.position(&e.key), Some(i));
            assert_eq!(list.style_of(&e.key), Some(e.style.as_str()));
        }
        assert_eq!(list.style_of(&entry(7).key), None);

        let text = serde_json::to_string(&sorted).unwrap();
        let first = sorted[0].key.to_hex();
        let identity = "00".repeat(32);
        let err = CredentialList::from_json(&text.replacen(&first, &identity, 1)).unwrap_err();
        assert_eq!(err.code(), "IDENTITY_POINT", "{err}");
        let non_canonical = "ff".repeat(32);
        let err = CredentialList::from_json(&text.replacen(&first, &non_canonical, 1)).unwrap_err();
        assert_eq!(err.code(), "NON_CANONICAL", "{err}");
    }
}
