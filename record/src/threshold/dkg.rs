//! Pedersen's distributed key generation with Feldman commitments (docs/ceremony.md §2–§6).
//!
//! Each trustee `i` is a dealer: it draws a secret polynomial `f_i` of degree `k − 1`,
//! publishes `A_{i,l} = a_{i,l}·G` with a Schnorr proof of knowledge of each `a_{i,l}`, and
//! sends `s_{i→j} = f_i(j)` to every trustee `j`, encrypted to `j` ([`super::share_box`]) and
//! signed. Trustee `j` checks `s_{i→j}·G = Σ_l j^l·A_{i,l}` and files a [`Complaint`] that
//! anyone can judge when the check fails. A dealer against whom a complaint is upheld is
//! disqualified; the joint key is `K = Σ_{i∈Q} A_{i,0}` over the qualified dealers `Q`, trustee
//! `j`'s key share is `x_j = Σ_{i∈Q} s_{i→j}`, and its public share
//! `X_j = Σ_{i∈Q} Σ_l j^l·A_{i,l}` is computable by anyone.

use core::fmt;
use std::collections::{BTreeMap, BTreeSet};

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use curve25519_dalek::Scalar;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::secret_doc::{self, SecretHex};
use super::share_box::{self, Sealed};
use super::{ceremony_hash, hex32, CeremonyParams, ThresholdError, ThresholdResult};
use amanat::proofs::equality::EqualityProof;
use amanat::proofs::schnorr::{self, SchnorrProof};
use amanat::{Digest, Election, Point, PublicKey, SecretScalar};

fn base_mul(x: &SecretScalar) -> RistrettoPoint {
    RISTRETTO_BASEPOINT_TABLE * x.expose()
}

fn public_key(p: RistrettoPoint, what: &str) -> ThresholdResult<PublicKey> {
    Ok(PublicKey::new(Point::from_point(p), what)?)
}

/// `1, j, j², …, j^(k−1)` as scalars.
fn powers(j: u32, k: usize) -> Vec<Scalar> {
    let x = Scalar::from(j);
    let mut out = Vec::with_capacity(k);
    let mut p = Scalar::ONE;
    for _ in 0..k {
        out.push(p);
        p *= x;
    }
    out
}

/// `Σ_l j^l·C_l`: the commitment to a polynomial's value at `j` (public data, variable time).
fn eval_commitments(commitments: &[PublicKey], j: u32) -> RistrettoPoint {
    RistrettoPoint::vartime_multiscalar_mul(
        powers(j, commitments.len()),
        commitments.iter().map(|c| *c.point().point()),
    )
}

// ---------------------------------------------------------------------------------------
// Trustee documents
// ---------------------------------------------------------------------------------------

/// What trustee `i` publishes first: its encryption key and its Feldman commitments, each
/// with a Schnorr proof of knowledge bound to the ceremony hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrusteePublic {
    /// The trustee's index `i` (1-based).
    pub index: u32,
    /// `E_i = d_i·G`: shares for this trustee are encrypted to it; it signs its own shares.
    pub encryption_key: PublicKey,
    /// Proof of knowledge of `d_i`, `what` = `"trustee <i> encryption key"`.
    pub encryption_proof: SchnorrProof,
    /// `A_{i,l} = a_{i,l}·G` for `l = 0..k`.
    pub commitments: Vec<PublicKey>,
    /// Proof of knowledge of each `a_{i,l}`, `what` = `"trustee <i> coefficient <l>"`.
    pub proofs: Vec<SchnorrProof>,
}

fn coefficient_what(i: u32, l: usize) -> String {
    format!("trustee {i} coefficient {l}")
}

fn encryption_what(i: u32) -> String {
    format!("trustee {i} encryption key")
}

impl TrusteePublic {
    /// Checks the index, the number of commitments and every proof of knowledge.
    ///
    /// # Errors
    /// [`ThresholdError::Inconsistent`] or a failed [`amanat::Check::KnowledgeProof`].
    pub fn verify(&self, params: &CeremonyParams) -> ThresholdResult<()> {
        params.check_index(self.index)?;
        let k = params.threshold as usize;
        if self.commitments.len() != k || self.proofs.len() != k {
            return Err(ThresholdError::Inconsistent(format!(
                "trustee {} publishes {} commitments and {} proofs, the threshold is {k}",
                self.index,
                self.commitments.len(),
                self.proofs.len()
            )));
        }
        let ch = ceremony_hash(params);
        schnorr::verify_knowledge(
            &ch,
            &encryption_what(self.index),
            &self.encryption_key,
            &self.encryption_proof,
        )?;
        for (l, (a, proof)) in self.commitments.iter().zip(&self.proofs).enumerate() {
            schnorr::verify_knowledge(&ch, &coefficient_what(self.index, l), a, proof)?;
        }
        Ok(())
    }

    /// `Σ_l j^l·A_{i,l}`: what `s_{i→j}·G` must equal.
    pub fn share_commitment(&self, j: u32) -> RistrettoPoint {
        eval_commitments(&self.commitments, j)
    }
}

/// The file a trustee publishes after `trustee init`, `public-<i>.json`: the parameters it was
/// made for and its [`TrusteePublic`], the public document that the transcript holds alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicFile {
    /// The ceremony parameters.
    pub params: CeremonyParams,
    /// The trustee's public document.
    pub trustee: TrusteePublic,
}

/// Checks a full set of trustees' public documents: indices exactly `1..=n`, each verified.
/// Returns them sorted by index.
///
/// # Errors
/// [`ThresholdError::Missing`], [`ThresholdError::Inconsistent`] or a failed proof.
pub fn check_publics(
    params: &CeremonyParams,
    publics: Vec<TrusteePublic>,
) -> ThresholdResult<Vec<TrusteePublic>> {
    params.check()?;
    let mut by_index = BTreeMap::new();
    for p in publics {
        p.verify(params)?;
        let i = p.index;
        if by_index.insert(i, p).is_some() {
            return Err(ThresholdError::Inconsistent(format!(
                "two public documents for trustee {i}"
            )));
        }
    }
    for i in 1..=params.trustees {
        if !by_index.contains_key(&i) {
            return Err(ThresholdError::Missing(format!(
                "the public document of trustee {i}"
            )));
        }
    }
    Ok(by_index.into_values().collect())
}

/// Trustee `i`'s secrets during the ceremony: its polynomial and its decryption key.
/// Zeroizes on drop, prints redacted, and reaches a file only through
/// [`TrusteeSecret::to_secret_json`].
pub struct TrusteeSecret {
    params: CeremonyParams,
    index: u32,
    coefficients: Vec<SecretScalar>,
    decryption_key: SecretScalar,
}

impl fmt::Debug for TrusteeSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrusteeSecret")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrusteeSecretDoc {
    kind: String,
    params: CeremonyParams,
    index: u32,
    coefficients: Vec<SecretHex>,
    decryption_key: SecretHex,
}

const SECRET_KIND: &str = "amanat-trustee-secret";

impl TrusteeSecret {
    /// Draws trustee `index`'s polynomial and encryption key, and its public document.
    ///
    /// # Errors
    /// [`ThresholdError::Parameters`] or [`ThresholdError::Inconsistent`] for a bad index;
    /// [`amanat::Error::Identity`] in the negligible case of a zero coefficient.
    pub fn generate<R: RngCore + CryptoRng>(
        params: &CeremonyParams,
        index: u32,
        rng: &mut R,
    ) -> ThresholdResult<(TrusteeSecret, TrusteePublic)> {
        params.check()?;
        params.check_index(index)?;
        let secret = TrusteeSecret {
            params: params.clone(),
            index,
            coefficients: (0..params.threshold)
                .map(|_| SecretScalar::random(rng))
                .collect(),
            decryption_key: SecretScalar::random(rng),
        };
        let public = secret.public(rng)?;
        Ok((secret, public))
    }

    /// The public document (commitments and encryption key) with fresh proofs of knowledge.
    ///
    /// # Errors
    /// [`amanat::Error::Identity`] in the negligible case of a zero coefficient.
    pub fn public<R: RngCore + CryptoRng>(&self, rng: &mut R) -> ThresholdResult<TrusteePublic> {
        let ch = ceremony_hash(&self.params);
        let encryption_key = public_key(base_mul(&self.decryption_key), "encryption key")?;
        let encryption_proof = schnorr::prove_knowledge(
            &ch,
            &encryption_what(self.index),
            &self.decryption_key,
            &encryption_key,
            rng,
        );
        let mut commitments = Vec::with_capacity(self.coefficients.len());
        let mut proofs = Vec::with_capacity(self.coefficients.len());
        for (l, a) in self.coefficients.iter().enumerate() {
            let key = public_key(base_mul(a), "coefficient commitment")?;
            proofs.push(schnorr::prove_knowledge(
                &ch,
                &coefficient_what(self.index, l),
                a,
                &key,
                rng,
            ));
            commitments.push(key);
        }
        Ok(TrusteePublic {
            index: self.index,
            encryption_key,
            encryption_proof,
            commitments,
            proofs,
        })
    }

    /// The ceremony parameters.
    pub fn params(&self) -> &CeremonyParams {
        &self.params
    }

    /// The trustee's index.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// `f_i(x)` by Horner's rule.
    fn evaluate(&self, x: u32) -> SecretScalar {
        let x = Scalar::from(x);
        let mut acc = Zeroizing::new(Scalar::ZERO);
        for a in self.coefficients.iter().rev() {
            *acc = *acc * x + a.expose();
        }
        SecretScalar::from_scalar(*acc)
    }

    fn own_public<'a>(&self, publics: &'a [TrusteePublic]) -> ThresholdResult<&'a TrusteePublic> {
        let own = publics
            .iter()
            .find(|p| p.index == self.index)
            .ok_or_else(|| {
                ThresholdError::Missing(format!("the public document of trustee {}", self.index))
            })?;
        let key = base_mul(&self.decryption_key);
        let matches = own.encryption_key.point().point() == &key
            && own.commitments.len() == self.coefficients.len()
            && own
                .commitments
                .iter()
                .zip(&self.coefficients)
                .all(|(c, a)| c.point().point() == &base_mul(a));
        if !matches {
            return Err(ThresholdError::Inconsistent(format!(
                "the published document of trustee {} does not match its secret file",
                self.index
            )));
        }
        Ok(own)
    }

    /// Deals: encrypts `f_i(j)` to every other trustee `j` and signs it. `publics` is the full
    /// set, checked here.
    ///
    /// # Errors
    /// As [`check_publics`]; [`ThresholdError::Inconsistent`] if this trustee's own published
    /// document does not match its secrets.
    pub fn deal<R: RngCore + CryptoRng>(
        &self,
        publics: Vec<TrusteePublic>,
        rng: &mut R,
    ) -> ThresholdResult<Vec<EncryptedShare>> {
        let publics = check_publics(&self.params, publics)?;
        let own = self.own_public(&publics)?;
        let ch = ceremony_hash(&self.params);
        let mut out = Vec::with_capacity(publics.len().saturating_sub(1));
        for p in publics.iter().filter(|p| p.index != self.index) {
            let share = self.evaluate(p.index);
            let sealed = share_box::seal(&ch, self.index, p.index, &p.encryption_key, &share, rng)?;
            let signature = schnorr::sign(
                &ch,
                &share_signature_what(self.index, p.index),
                &share_message(self.index, p.index, &sealed),
                &self.decryption_key,
                &own.encryption_key,
                rng,
            );
            out.push(EncryptedShare {
                from: self.index,
                to: p.index,
                ephemeral: sealed.ephemeral,
                ciphertext: sealed.ciphertext,
                tag: sealed.tag,
                signature,
            });
        }
        Ok(out)
    }

    /// Receives the shares dealt to this trustee: checks each dealer's signature, decrypts,
    /// and checks `s·G = Σ_l j^l·A_{i,l}`. A good share is kept; a bad one (undecryptable or
    /// off the commitments) yields a [`Complaint`]. This trustee's own share `f_j(j)` is
    /// included.
    ///
    /// # Errors
    /// As [`check_publics`]; [`ThresholdError::Missing`] if a dealer's share is absent;
    /// [`amanat::Error::Verification`] if a share's signature fails (the file is not what
    /// the dealer sent: fetch it again, nothing to complain about yet).
    pub fn receive<R: RngCore + CryptoRng>(
        &self,
        publics: Vec<TrusteePublic>,
        shares: &[EncryptedShare],
        rng: &mut R,
    ) -> ThresholdResult<Receipt> {
        let publics = check_publics(&self.params, publics)?;
        let own = self.own_public(&publics)?.clone();
        let ch = ceremony_hash(&self.params);
        let mut received = BTreeMap::new();
        let mut complaints = Vec::new();
        for dealer in &publics {
            if dealer.index == self.index {
                received.insert(self.index, self.evaluate(self.index));
                continue;
            }
            let mut mine = shares
                .iter()
                .filter(|s| s.from == dealer.index && s.to == self.index);
            let share = mine.next().ok_or_else(|| {
                ThresholdError::Missing(format!(
                    "the share from trustee {} to trustee {}",
                    dealer.index, self.index
                ))
            })?;
            if mine.next().is_some() {
                return Err(ThresholdError::Inconsistent(format!(
                    "two shares from trustee {} to trustee {}",
                    dealer.index, self.index
                )));
            }
            share.verify_signature(&ch, dealer)?;
            let shared = share_box::shared_point(&self.decryption_key, &share.ephemeral);
            match share_box::open(&ch, share.from, share.to, &share.sealed(), &shared) {
                Some(s) if base_mul(&s) == dealer.share_commitment(self.index) => {
                    received.insert(dealer.index, s);
                }
                _ => complaints.push(Complaint::new(&ch, &own, &self.decryption_key, share, rng)),
            }
        }
        Ok(Receipt {
            received: ReceivedShares {
                params: self.params.clone(),
                index: self.index,
                shares: received,
            },
            complaints,
        })
    }

    /// The secret file's contents (write it readable by its owner only).
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn to_secret_json(&self) -> ThresholdResult<Zeroizing<Vec<u8>>> {
        let doc = TrusteeSecretDoc {
            kind: SECRET_KIND.into(),
            params: self.params.clone(),
            index: self.index,
            coefficients: self.coefficients.iter().map(SecretHex::new).collect(),
            decryption_key: SecretHex::new(&self.decryption_key),
        };
        secret_doc::to_bytes(&doc, 1024 + 96 * self.coefficients.len())
    }

    /// Parses a secret file.
    ///
    /// # Errors
    /// Malformed JSON, a wrong kind, bad parameters or a coefficient count that is not the
    /// threshold.
    pub fn from_secret_json(json: &str) -> ThresholdResult<TrusteeSecret> {
        let doc: TrusteeSecretDoc =
            secret_doc::parse(json, SECRET_KIND, |d: &TrusteeSecretDoc| &d.kind)?;
        doc.params.check()?;
        doc.params.check_index(doc.index)?;
        if doc.coefficients.len() != doc.params.threshold as usize {
            return Err(ThresholdError::Inconsistent(format!(
                "{} coefficients for threshold {}",
                doc.coefficients.len(),
                doc.params.threshold
            )));
        }
        Ok(TrusteeSecret {
            coefficients: doc
                .coefficients
                .iter()
                .map(|c| c.scalar("coefficient"))
                .collect::<ThresholdResult<_>>()?,
            decryption_key: doc.decryption_key.scalar("decryption key")?,
            params: doc.params,
            index: doc.index,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Shares and complaints
// ---------------------------------------------------------------------------------------

/// The share `s_{i→j}`, encrypted to trustee `j` and signed by dealer `i` with its
/// encryption key (a Schnorr signature over `from || to || R || ciphertext || tag`, `what` =
/// `"share <i> to <j>"`), so nobody on the way can alter it and get the dealer blamed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedShare {
    /// The dealer `i`.
    pub from: u32,
    /// The recipient `j`.
    pub to: u32,
    /// `R = eG`.
    pub ephemeral: PublicKey,
    /// The share XOR the pad (32 bytes, hex).
    #[serde(with = "hex32")]
    pub ciphertext: [u8; 32],
    /// The MAC tag (32 bytes, hex).
    #[serde(with = "hex32")]
    pub tag: [u8; 32],
    /// The dealer's signature.
    pub signature: SchnorrProof,
}

fn share_signature_what(from: u32, to: u32) -> String {
    format!("share {from} to {to}")
}

/// The signed message `from || to || R || ciphertext || tag` (4 + 4 + 32 + 32 + 32 bytes).
fn share_message(from: u32, to: u32, sealed: &Sealed) -> Vec<u8> {
    let mut m = Vec::with_capacity(104);
    m.extend_from_slice(&from.to_be_bytes());
    m.extend_from_slice(&to.to_be_bytes());
    m.extend_from_slice(&sealed.ephemeral.to_bytes());
    m.extend_from_slice(&sealed.ciphertext);
    m.extend_from_slice(&sealed.tag);
    m
}

impl EncryptedShare {
    fn sealed(&self) -> Sealed {
        Sealed {
            ephemeral: self.ephemeral,
            ciphertext: self.ciphertext,
            tag: self.tag,
        }
    }

    /// Checks the dealer's signature.
    ///
    /// # Errors
    /// [`ThresholdError::Inconsistent`] if `dealer` is not the sender; a failed
    /// [`amanat::Check::MessageSignature`].
    pub fn verify_signature(
        &self,
        ceremony: &Digest,
        dealer: &TrusteePublic,
    ) -> ThresholdResult<()> {
        if dealer.index != self.from {
            return Err(ThresholdError::Inconsistent(format!(
                "share from trustee {} checked against trustee {}",
                self.from, dealer.index
            )));
        }
        schnorr::verify_signature(
            ceremony,
            &share_signature_what(self.from, self.to),
            &share_message(self.from, self.to, &self.sealed()),
            &dealer.encryption_key,
            &self.signature,
        )?;
        Ok(())
    }
}

/// Trustee `to`'s complaint against dealer `from`: it reveals the shared point `S = d_j·R` of
/// that share, with a Chaum–Pedersen proof that `log_G E_j = log_R S` (`what` =
/// `"complaint <j> against <i>"`). With `S` anyone can open the share and see whether it is
/// bad.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Complaint {
    /// The accused dealer `i`.
    pub from: u32,
    /// The complaining recipient `j`.
    pub to: u32,
    /// `S = d_j·R`.
    pub shared_point: Point,
    /// Proof that `S` is the right shared point.
    pub proof: EqualityProof,
}

/// The outcome of judging a complaint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The share is bad: the dealer is disqualified.
    Upheld,
    /// The share is good: the complaint was false and has no effect.
    Rejected,
}

/// A complaint with its verdict, as the ceremony transcript records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgedComplaint {
    /// The complaint.
    pub complaint: Complaint,
    /// Its verdict.
    pub verdict: Verdict,
}

impl Complaint {
    fn what(from: u32, to: u32) -> String {
        format!("complaint {to} against {from}")
    }

    /// Makes a complaint about `share` (sent to the trustee whose public document is
    /// `receiver` and whose decryption key is `d`).
    pub fn new<R: RngCore + CryptoRng>(
        ceremony: &Digest,
        receiver: &TrusteePublic,
        d: &SecretScalar,
        share: &EncryptedShare,
        rng: &mut R,
    ) -> Complaint {
        let (shared_point, proof) = EqualityProof::prove(
            ceremony,
            &Complaint::what(share.from, share.to),
            d,
            &receiver.encryption_key,
            share.ephemeral.point(),
            rng,
        );
        Complaint {
            from: share.from,
            to: share.to,
            shared_point,
            proof,
        }
    }

    /// Judges the complaint: checks the share's signature and the complaint's proof, opens
    /// the share with the revealed point and checks it against the dealer's commitments.
    ///
    /// # Errors
    /// [`ThresholdError::Inconsistent`] if the documents are not the ones the complaint is
    /// about; a failed signature or [`amanat::Check::EqualityProof`] (an unproven complaint is
    /// not judged at all).
    pub fn judge(
        &self,
        ceremony: &Digest,
        dealer: &TrusteePublic,
        receiver: &TrusteePublic,
        share: &EncryptedShare,
    ) -> ThresholdResult<Verdict> {
        if share.from != self.from
            || share.to != self.to
            || dealer.index != self.from
            || receiver.index != self.to
        {
            return Err(ThresholdError::Inconsistent(format!(
                "complaint {} against {} judged with the wrong documents",
                self.to, self.from
            )));
        }
        share.verify_signature(ceremony, dealer)?;
        self.proof.verify(
            ceremony,
            &Complaint::what(self.from, self.to),
            &receiver.encryption_key,
            share.ephemeral.point(),
            &self.shared_point,
        )?;
        let good = share_box::open(
            ceremony,
            self.from,
            self.to,
            &share.sealed(),
            &self.shared_point,
        )
        .is_some_and(|s| base_mul(&s) == dealer.share_commitment(self.to));
        Ok(if good {
            Verdict::Rejected
        } else {
            Verdict::Upheld
        })
    }
}

/// What `receive` produces: the good shares (secret) and the complaints (public).
#[derive(Debug)]
pub struct Receipt {
    /// The shares that passed the checks, this trustee's own included.
    pub received: ReceivedShares,
    /// Complaints against the dealers whose shares failed.
    pub complaints: Vec<Complaint>,
}

/// The good shares trustee `j` received, by dealer (secret; zeroizes; redacted Debug).
pub struct ReceivedShares {
    params: CeremonyParams,
    index: u32,
    shares: BTreeMap<u32, SecretScalar>,
}

impl fmt::Debug for ReceivedShares {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedShares")
            .field("index", &self.index)
            .field("dealers", &self.shares.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReceivedDoc {
    kind: String,
    params: CeremonyParams,
    index: u32,
    shares: BTreeMap<u32, SecretHex>,
}

const RECEIVED_KIND: &str = "amanat-received-shares";

impl ReceivedShares {
    /// The receiving trustee's index.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The dealers whose shares were good.
    pub fn dealers(&self) -> Vec<u32> {
        self.shares.keys().copied().collect()
    }

    /// The secret file's contents.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn to_secret_json(&self) -> ThresholdResult<Zeroizing<Vec<u8>>> {
        let doc = ReceivedDoc {
            kind: RECEIVED_KIND.into(),
            params: self.params.clone(),
            index: self.index,
            shares: self
                .shares
                .iter()
                .map(|(i, s)| (*i, SecretHex::new(s)))
                .collect(),
        };
        secret_doc::to_bytes(&doc, 1024 + 96 * self.shares.len())
    }

    /// Parses a secret file.
    ///
    /// # Errors
    /// Malformed JSON, a wrong kind, bad parameters or indices.
    pub fn from_secret_json(json: &str) -> ThresholdResult<ReceivedShares> {
        let doc: ReceivedDoc = secret_doc::parse(json, RECEIVED_KIND, |d: &ReceivedDoc| &d.kind)?;
        doc.params.check()?;
        doc.params.check_index(doc.index)?;
        let mut shares = BTreeMap::new();
        for (i, s) in &doc.shares {
            doc.params.check_index(*i)?;
            shares.insert(*i, s.scalar("share")?);
        }
        Ok(ReceivedShares {
            params: doc.params,
            index: doc.index,
            shares,
        })
    }
}

/// Trustee `j`'s key share `x_j` after the ceremony (secret; zeroizes; redacted Debug), with
/// its public share `X_j = x_j·G` as the transcript records it.
#[derive(Clone)]
pub struct TrusteeShare {
    params: CeremonyParams,
    index: u32,
    key_share: SecretScalar,
    public_share: PublicKey,
}

impl fmt::Debug for TrusteeShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrusteeShare")
            .field("index", &self.index)
            .field("public_share", &self.public_share)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShareDoc {
    kind: String,
    params: CeremonyParams,
    index: u32,
    public_share: PublicKey,
    key_share: SecretHex,
}

const SHARE_KIND: &str = "amanat-trustee-share";

impl TrusteeShare {
    /// Derives `x_j = Σ_{i∈Q} s_{i→j}` over the ceremony's qualified dealers and checks it
    /// against the published `X_j`.
    ///
    /// # Errors
    /// [`ThresholdError::Inconsistent`] if the shares belong to another ceremony or do not
    /// give `X_j`; [`ThresholdError::Missing`] if a qualified dealer's share is absent.
    pub fn derive(ceremony: &Ceremony, received: &ReceivedShares) -> ThresholdResult<TrusteeShare> {
        if received.params != ceremony.params {
            return Err(ThresholdError::Inconsistent(
                "the received shares belong to another ceremony".into(),
            ));
        }
        let j = received.index;
        let mut x = Zeroizing::new(Scalar::ZERO);
        for i in &ceremony.qualified {
            let s = received.shares.get(i).ok_or_else(|| {
                ThresholdError::Missing(format!(
                    "trustee {j} holds no good share from qualified dealer {i}"
                ))
            })?;
            *x += s.expose();
        }
        let key_share = SecretScalar::from_scalar(*x);
        let public_share = *ceremony.public_share(j)?;
        if &base_mul(&key_share) != public_share.point().point() {
            return Err(ThresholdError::Inconsistent(format!(
                "trustee {j}'s key share does not match its public share in the transcript"
            )));
        }
        Ok(TrusteeShare {
            params: ceremony.params.clone(),
            index: j,
            key_share,
            public_share,
        })
    }

    /// The trustee's index `j`.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The ceremony parameters.
    pub fn params(&self) -> &CeremonyParams {
        &self.params
    }

    /// `X_j = x_j·G`.
    pub fn public_share(&self) -> &PublicKey {
        &self.public_share
    }

    /// The secret `x_j`, for the decryption code.
    pub(crate) fn key_share(&self) -> &SecretScalar {
        &self.key_share
    }

    /// The secret file's contents.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn to_secret_json(&self) -> ThresholdResult<Zeroizing<Vec<u8>>> {
        let doc = ShareDoc {
            kind: SHARE_KIND.into(),
            params: self.params.clone(),
            index: self.index,
            public_share: self.public_share,
            key_share: SecretHex::new(&self.key_share),
        };
        secret_doc::to_bytes(&doc, 2048)
    }

    /// Parses a secret file and checks that `x_j·G = X_j`.
    ///
    /// # Errors
    /// Malformed JSON, a wrong kind, bad parameters, or a key share that does not match the
    /// public share.
    pub fn from_secret_json(json: &str) -> ThresholdResult<TrusteeShare> {
        let doc: ShareDoc = secret_doc::parse(json, SHARE_KIND, |d: &ShareDoc| &d.kind)?;
        doc.params.check()?;
        doc.params.check_index(doc.index)?;
        let key_share = doc.key_share.scalar("key share")?;
        if &base_mul(&key_share) != doc.public_share.point().point() {
            return Err(ThresholdError::Inconsistent(
                "the key share does not match the public share".into(),
            ));
        }
        Ok(TrusteeShare {
            params: doc.params,
            index: doc.index,
            key_share,
            public_share: doc.public_share,
        })
    }
}

// ---------------------------------------------------------------------------------------
// The transcript
// ---------------------------------------------------------------------------------------

/// The published ceremony transcript, `ceremony.json` (docs/ceremony.md §6): part of the
/// election record. Every list is in the order [`Ceremony::assemble`] gives it, and
/// [`Ceremony::verify`] rejects any other.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ceremony {
    params: CeremonyParams,
    /// `H("ceremony"; str election_id, u32 n, u32 k)`.
    ceremony_hash: Digest,
    /// The trustees' public documents (not their [`PublicFile`]s), by index `1..=n`.
    trustees: Vec<TrusteePublic>,
    /// Every encrypted share, ascending by `(from, to)`.
    shares: Vec<EncryptedShare>,
    /// Every complaint with its verdict, ascending by `(from, to)`.
    complaints: Vec<JudgedComplaint>,
    /// The qualified dealers, ascending.
    qualified: Vec<u32>,
    joint_key: PublicKey,
    /// `X_1, …, X_n`.
    public_shares: Vec<PublicKey>,
}

impl Ceremony {
    /// Assembles and checks the transcript from every trustee's public document, every
    /// encrypted share and the complaints: verifies all proofs and signatures, judges each
    /// complaint, disqualifies the dealers against whom one is upheld, and derives the joint
    /// key and the public shares from the qualified dealers' commitments.
    ///
    /// # Errors
    /// A missing or duplicate document, a failed proof or signature, an unproven complaint,
    /// or [`ThresholdError::Aborted`] when fewer than `k` dealers stay qualified.
    pub fn assemble(
        params: CeremonyParams,
        publics: Vec<TrusteePublic>,
        shares: Vec<EncryptedShare>,
        complaints: Vec<Complaint>,
    ) -> ThresholdResult<Ceremony> {
        let trustees = check_publics(&params, publics)?;
        let ch = ceremony_hash(&params);
        let n = params.trustees;
        let public = |i: u32| -> ThresholdResult<&TrusteePublic> {
            params.check_index(i)?;
            trustees
                .get(i as usize - 1)
                .ok_or_else(|| ThresholdError::Missing(format!("trustee {i}")))
        };

        let mut by_pair = BTreeMap::new();
        for s in shares {
            if s.from == s.to {
                return Err(ThresholdError::Inconsistent(format!(
                    "trustee {} sent a share to itself",
                    s.from
                )));
            }
            s.verify_signature(&ch, public(s.from)?)?;
            public(s.to)?;
            let pair = (s.from, s.to);
            if by_pair.insert(pair, s).is_some() {
                return Err(ThresholdError::Inconsistent(format!(
                    "two shares from trustee {} to trustee {}",
                    pair.0, pair.1
                )));
            }
        }
        for i in 1..=n {
            for j in (1..=n).filter(|&j| j != i) {
                if !by_pair.contains_key(&(i, j)) {
                    return Err(ThresholdError::Missing(format!(
                        "the share from trustee {i} to trustee {j}"
                    )));
                }
            }
        }

        let mut judged = BTreeMap::new();
        for c in complaints {
            let share = by_pair.get(&(c.from, c.to)).ok_or_else(|| {
                ThresholdError::Inconsistent(format!(
                    "complaint {} against {} names no share",
                    c.to, c.from
                ))
            })?;
            let verdict = c.judge(&ch, public(c.from)?, public(c.to)?, share)?;
            let pair = (c.from, c.to);
            if judged
                .insert(
                    pair,
                    JudgedComplaint {
                        complaint: c,
                        verdict,
                    },
                )
                .is_some()
            {
                return Err(ThresholdError::Inconsistent(format!(
                    "two complaints of trustee {} against trustee {}",
                    pair.1, pair.0
                )));
            }
        }
        let disqualified: BTreeSet<u32> = judged
            .values()
            .filter(|c| c.verdict == Verdict::Upheld)
            .map(|c| c.complaint.from)
            .collect();
        let qualified: Vec<u32> = (1..=n).filter(|i| !disqualified.contains(i)).collect();
        if (qualified.len() as u32) < params.threshold {
            return Err(ThresholdError::Aborted {
                qualified: qualified.len() as u32,
                threshold: params.threshold,
                disqualified: disqualified.into_iter().collect(),
            });
        }

        // The joint polynomial's commitments C_l = Σ_{i∈Q} A_{i,l}.
        let k = params.threshold as usize;
        let mut joint = vec![RistrettoPoint::identity(); k];
        for i in &qualified {
            for (c, a) in joint.iter_mut().zip(&public(*i)?.commitments) {
                *c += a.point().point();
            }
        }
        let joint: Vec<PublicKey> = joint
            .into_iter()
            .map(|c| public_key(c, "joint commitment"))
            .collect::<ThresholdResult<_>>()?;
        let joint_key = joint[0];
        let public_shares = (1..=n)
            .map(|j| public_key(eval_commitments(&joint, j), "public share"))
            .collect::<ThresholdResult<_>>()?;

        Ok(Ceremony {
            ceremony_hash: ch,
            trustees,
            shares: by_pair.into_values().collect(),
            complaints: judged.into_values().collect(),
            qualified,
            joint_key,
            public_shares,
            params,
        })
    }

    /// Re-checks a published transcript from scratch: every proof of knowledge and share
    /// signature, every complaint's proof and verdict, the qualified set, the joint key
    /// `K = Σ_{i∈Q} A_{i,0}` and each `X_j = Σ_{i∈Q} Σ_l j^l A_{i,l}`.
    ///
    /// # Errors
    /// The first failure: as [`Ceremony::assemble`], or [`ThresholdError::Inconsistent`]
    /// naming the recorded value that differs from the recomputed one.
    pub fn verify(&self) -> ThresholdResult<()> {
        let again = Ceremony::assemble(
            self.params.clone(),
            self.trustees.clone(),
            self.shares.clone(),
            self.complaints
                .iter()
                .map(|c| c.complaint.clone())
                .collect(),
        )?;
        let differs = |what: &str| {
            Err(ThresholdError::Inconsistent(format!(
                "the transcript's {what} is wrong"
            )))
        };
        if again.ceremony_hash != self.ceremony_hash {
            return differs("ceremony hash");
        }
        if again.trustees != self.trustees || again.shares != self.shares {
            return differs("order of documents");
        }
        if again.complaints != self.complaints {
            return differs("complaint verdicts");
        }
        if again.qualified != self.qualified {
            return differs("qualified set");
        }
        if again.joint_key != self.joint_key {
            return differs("joint key");
        }
        if again.public_shares != self.public_shares {
            return differs("public shares");
        }
        Ok(())
    }

    /// Parses a transcript (without verifying it: call [`Ceremony::verify`]).
    ///
    /// # Errors
    /// Malformed JSON or a bad encoding.
    pub fn from_json(json: &str) -> ThresholdResult<Ceremony> {
        let c: Ceremony = amanat::encoding::from_json(json)?;
        c.params.check()?;
        Ok(c)
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).map_or_else(|_| String::new(), |s| s + "\n")
    }

    /// The parameters.
    pub fn params(&self) -> &CeremonyParams {
        &self.params
    }

    /// The joint election key `K`.
    pub fn joint_key(&self) -> &PublicKey {
        &self.joint_key
    }

    /// `X_j`, trustee `j`'s public share.
    ///
    /// # Errors
    /// [`ThresholdError::Inconsistent`] for an index outside `1..=n`.
    pub fn public_share(&self, j: u32) -> ThresholdResult<&PublicKey> {
        self.params.check_index(j)?;
        self.public_shares
            .get(j as usize - 1)
            .ok_or_else(|| ThresholdError::Missing(format!("the public share of trustee {j}")))
    }

    /// The qualified dealers.
    pub fn qualified(&self) -> &[u32] {
        &self.qualified
    }

    /// The trustees' public documents, by index.
    pub fn trustees(&self) -> &[TrusteePublic] {
        &self.trustees
    }

    /// The complaints with their verdicts.
    pub fn complaints(&self) -> &[JudgedComplaint] {
        &self.complaints
    }

    /// Checks that `election` was defined with this ceremony: same election id, trustees,
    /// threshold and joint key.
    ///
    /// # Errors
    /// [`ThresholdError::Inconsistent`] naming the difference.
    pub fn check_election(&self, election: &Election) -> ThresholdResult<()> {
        let bad = |what: &str| {
            Err(ThresholdError::Inconsistent(format!(
                "the election's {what} differs from the ceremony's"
            )))
        };
        if election.manifest().election_id != self.params.election_id {
            return bad("election id");
        }
        if election.trustees() != self.params.trustees
            || election.threshold() != self.params.threshold
        {
            return bad("trustee parameters");
        }
        if election.key().public() != &self.joint_key {
            return bad("joint key");
        }
        Ok(())
    }
}

/// Runs the whole ceremony in one process, with the same steps as the separate commands:
/// every trustee generates, deals and receives; the transcript is assembled; each trustee
/// derives its key share. Used by `simulate`, the demo and tests.
///
/// # Errors
/// [`ThresholdError::Parameters`] for bad parameters; any other error means a bug, since
/// every trustee here is honest.
pub fn run_local_ceremony<R: RngCore + CryptoRng>(
    params: &CeremonyParams,
    rng: &mut R,
) -> ThresholdResult<(Ceremony, Vec<TrusteeShare>)> {
    params.check()?;
    let mut secrets = Vec::new();
    let mut publics = Vec::new();
    for i in 1..=params.trustees {
        let (s, p) = TrusteeSecret::generate(params, i, rng)?;
        secrets.push(s);
        publics.push(p);
    }
    let mut shares = Vec::new();
    for s in &secrets {
        shares.extend(s.deal(publics.clone(), rng)?);
    }
    let mut received = Vec::new();
    let mut complaints = Vec::new();
    for s in &secrets {
        let r = s.receive(publics.clone(), &shares, rng)?;
        received.push(r.received);
        complaints.extend(r.complaints);
    }
    let ceremony = Ceremony::assemble(params.clone(), publics, shares, complaints)?;
    let shares = received
        .iter()
        .map(|r| TrusteeShare::derive(&ceremony, r))
        .collect::<ThresholdResult<_>>()?;
    Ok((ceremony, shares))
}

#[cfg(test)]
mod tests {
    use super::*;
    use amanat::proofs::schnorr::{verify_knowledge, verify_signature};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;
    use serde_json::Value;

    fn ceremony() -> (Ceremony, Vec<TrusteeShare>) {
        let params = CeremonyParams::new("e-2026", 3, 2).unwrap();
        run_local_ceremony(&params, &mut ChaCha20Rng::from_seed([7; 32])).unwrap()
    }

    fn members(v: &Value) -> Vec<&str> {
        let mut m: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        m.sort_unstable();
        m
    }

    fn sorted<'a>(names: &[&'a str]) -> Vec<&'a str> {
        let mut m = names.to_vec();
        m.sort_unstable();
        m
    }

    fn hex_len(v: &Value) -> usize {
        let s = v.as_str().unwrap();
        assert!(s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        s.len()
    }

    /// ceremony.md §6 and documents.md: what ceremony.json holds, member by member.
    #[test]
    fn ceremony_json_holds_the_public_documents_in_the_specified_orders() {
        let (c, _) = ceremony();
        let v: Value = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(
            members(&v),
            sorted(&[
                "params",
                "ceremony_hash",
                "trustees",
                "shares",
                "complaints",
                "qualified",
                "joint_key",
                "public_shares"
            ])
        );
        assert_eq!(
            members(&v["params"]),
            sorted(&["election_id", "trustees", "threshold"])
        );
        assert_eq!(hex_len(&v["ceremony_hash"]), 128);
        assert_eq!(hex_len(&v["joint_key"]), 64);

        // The public documents themselves (not public-<i>.json with its params), by index.
        let trustees = v["trustees"].as_array().unwrap();
        assert_eq!(trustees.len(), 3);
        for (i, t) in trustees.iter().enumerate() {
            assert_eq!(
                members(t),
                sorted(&[
                    "index",
                    "encryption_key",
                    "encryption_proof",
                    "commitments",
                    "proofs"
                ])
            );
            assert_eq!(t["index"], i + 1);
            assert_eq!(hex_len(&t["encryption_key"]), 64);
            assert_eq!(
                members(&t["encryption_proof"]),
                sorted(&["commitment", "response"])
            );
            assert_eq!(t["commitments"].as_array().unwrap().len(), 2);
            assert_eq!(t["proofs"].as_array().unwrap().len(), 2);
            let file = PublicFile {
                params: c.params().clone(),
                trustee: c.trustees()[i].clone(),
            };
            let file = serde_json::to_value(&file).unwrap();
            assert_eq!(members(&file), sorted(&["params", "trustee"]));
            assert_eq!(&file["trustee"], t, "public-<i>.json's trustee member");
        }

        // Every share, ascending by (from, to).
        let shares = v["shares"].as_array().unwrap();
        let pairs: Vec<(u64, u64)> = shares
            .iter()
            .map(|s| (s["from"].as_u64().unwrap(), s["to"].as_u64().unwrap()))
            .collect();
        assert_eq!(pairs, [(1, 2), (1, 3), (2, 1), (2, 3), (3, 1), (3, 2)]);
        for s in shares {
            assert_eq!(
                members(s),
                sorted(&["from", "to", "ephemeral", "ciphertext", "tag", "signature"])
            );
            for m in ["ephemeral", "ciphertext", "tag"] {
                assert_eq!(hex_len(&s[m]), 64);
            }
        }
        assert_eq!(v["complaints"], serde_json::json!([]));
        assert_eq!(v["qualified"], serde_json::json!([1, 2, 3]));
        assert_eq!(v["public_shares"].as_array().unwrap().len(), 3);

        // Any other order is rejected by verify.
        for (list, a, b) in [
            ("trustees", 0, 1),
            ("shares", 0, 1),
            ("qualified", 0, 2),
            ("public_shares", 0, 1),
        ] {
            let mut w = v.clone();
            w[list].as_array_mut().unwrap().swap(a, b);
            let again = Ceremony::from_json(&w.to_string()).unwrap();
            assert!(again.verify().is_err(), "{list} reordered");
        }
        Ceremony::from_json(&v.to_string())
            .unwrap()
            .verify()
            .unwrap();
    }

    /// ceremony.md §1, §3, §4: the ceremony hash's items, the proofs' labels and the signed
    /// share message, rebuilt by hand.
    #[test]
    fn ceremony_hash_labels_and_share_message_are_as_specified() {
        use sha2::{Digest as _, Sha512};
        let (c, _) = ceremony();
        let mut raw = Vec::new();
        let tag = format!("{}/ceremony", amanat::PROTOCOL);
        for x in [
            tag.as_bytes(),
            b"e-2026",
            &3u32.to_be_bytes(),
            &2u32.to_be_bytes(),
        ] {
            raw.extend_from_slice(&(x.len() as u32).to_be_bytes());
            raw.extend_from_slice(x);
        }
        let ch = Digest(Sha512::digest(&raw).into());
        assert_eq!(ch, ceremony_hash(c.params()));

        let t2 = &c.trustees()[1];
        verify_knowledge(
            &ch,
            "trustee 2 encryption key",
            &t2.encryption_key,
            &t2.encryption_proof,
        )
        .unwrap();
        verify_knowledge(
            &ch,
            "trustee 2 coefficient 1",
            &t2.commitments[1],
            &t2.proofs[1],
        )
        .unwrap();

        // message = be32(i) ‖ be32(j) ‖ enc(R) ‖ ct ‖ tag, signed under "share <i> to <j>".
        let share = c.shares.iter().find(|s| (s.from, s.to) == (2, 3)).unwrap();
        let mut message = Vec::new();
        message.extend_from_slice(&2u32.to_be_bytes());
        message.extend_from_slice(&3u32.to_be_bytes());
        message.extend_from_slice(&share.ephemeral.to_bytes());
        message.extend_from_slice(&share.ciphertext);
        message.extend_from_slice(&share.tag);
        assert_eq!(message.len(), 104);
        verify_signature(
            &ch,
            "share 2 to 3",
            &message,
            &t2.encryption_key,
            &share.signature,
        )
        .unwrap();
    }

    /// documents.md: received.json's `shares` map is keyed by the dealer index in decimal,
    /// as JSON writes an integer: no sign, no leading zero, no space.
    #[test]
    fn received_shares_are_keyed_by_decimal_dealer_index() {
        let hex = format!("01{}", "00".repeat(31));
        let doc = |key: &str| {
            format!(
                r#"{{"kind": "amanat-received-shares", "params": {{"election_id": "e-2026",
                "trustees": 3, "threshold": 2}}, "index": 1, "shares": {{"{key}": "{hex}"}}}}"#
            )
        };
        assert_eq!(
            ReceivedShares::from_secret_json(&doc("3"))
                .unwrap()
                .dealers(),
            [3]
        );
        for key in ["03", "+3", " 3", "3 ", "3.0", "0x3", "0", "4"] {
            assert!(
                ReceivedShares::from_secret_json(&doc(key)).is_err(),
                "{key:?}"
            );
        }
    }
}
