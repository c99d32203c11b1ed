//! Ballots (docs/protocol.md §7): sealing, verification, tracking codes and challenges.

use std::collections::BTreeMap;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::Identity;
use curve25519_dalek::Scalar;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::base32;
use crate::credential::Credential;
use crate::election::{Election, Protocol};
use crate::elgamal::Ciphertext;
use crate::encoding::points_from_halves;
use crate::encoding::{Digest, PublicKey};
use crate::error::{Check, Error, Result};
use crate::hash::Transcript;
use crate::manifest::Contest;
use crate::proofs::batch::Batch;
use crate::proofs::disjunctive::{BranchNonces, DisjunctiveProof, PendingProof};
use crate::proofs::schnorr::SchnorrProof;
use crate::secret::{BallotSeed, SecretScalar};

/// A voter's choices: for each contest id, the selected option ids.
pub type Selections = BTreeMap<String, Vec<String>>;

/// One option's encrypted selection and its 0/1 proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedSelection {
    /// The option id.
    pub id: String,
    /// `Enc(v)`, `v` = 1 if selected, else 0.
    pub ciphertext: Ciphertext,
    /// Proof that `v` is 0 or 1.
    pub proof: DisjunctiveProof,
}

/// One contest: every option's encrypted selection, and the proof of the selection count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedContest {
    /// The contest id.
    pub id: String,
    /// One entry per option of the contest, in manifest order.
    pub selections: Vec<EncryptedSelection>,
    /// Proof that the sum of the selections lies in `[min, max]`.
    pub proof: DisjunctiveProof,
}

/// A sealed ballot, as submitted to the ballot box and posted on the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ballot {
    /// Always `"amanat/2"`.
    pub protocol: Protocol,
    /// The election base hash.
    pub election: Digest,
    /// The ballot style id.
    pub style: String,
    /// The credential's public key.
    pub credential: PublicKey,
    /// The style's contests, in order.
    pub contests: Vec<EncryptedContest>,
    /// The credential's Schnorr signature over everything above.
    pub signature: SchnorrProof,
}

/// The tracking code of a ballot: the full digest and its short readable form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tracking(pub Digest);

impl Tracking {
    /// The full tracking hash, 128 hex digits.
    pub fn full(&self) -> String {
        self.0.to_hex()
    }

    /// The short code: the first 60 bits as 12 Crockford base32 symbols in three groups of four,
    /// e.g. `7K2M-9QXD-4HRT`.
    pub fn short(&self) -> String {
        base32::group4(&base32::encode_bits(&self.0 .0, 12))
    }
}

/// Normalises a typed short tracking code (`xxxx xxxx-xxxx`, look-alike letters) to its
/// canonical form in three groups of four (e.g. `7K2M-9QXD-4HRT`).
///
/// # Errors
/// [`Error::Encoding`] when it is not 12 symbols of the code alphabet.
pub fn normalize_short_code(code: &str) -> Result<String> {
    let mut s = String::with_capacity(12);
    for c in code.chars().filter(|&c| !base32::is_skipped(c)) {
        let v = base32::value(c).ok_or_else(|| {
            Error::Encoding("tracking code: character outside the code alphabet".into())
        })?;
        s.push(base32::ALPHABET[v as usize] as char);
    }
    if s.len() != 12 {
        return Err(Error::Encoding("tracking code: expected 12 symbols".into()));
    }
    Ok(base32::group4(&s))
}

fn selection_context(
    base: &Digest,
    credential: &PublicKey,
    contest: &str,
    option: &str,
) -> Transcript {
    let mut t = Transcript::new("selection-proof");
    t.bytes(&base.0)
        .point(&credential.0)
        .str(contest)
        .str(option);
    t
}

fn contest_context(base: &Digest, credential: &PublicKey, contest: &str) -> Transcript {
    let mut t = Transcript::new("contest-proof");
    t.bytes(&base.0).point(&credential.0).str(contest);
    t
}

fn signature_context(base: &Digest, body: &Digest) -> Transcript {
    let mut t = Transcript::new("signature");
    t.bytes(&base.0).bytes(&body.0);
    t
}

/// Derives the ballot's nonces from its seed (§7.2).
struct Nonces(Transcript);

impl Nonces {
    fn new(base: &Digest, seed: &BallotSeed) -> Nonces {
        let mut t = Transcript::new("nonce");
        t.bytes(&base.0).bytes(&seed.0);
        Nonces(t)
    }

    /// The encryption nonce of one option.
    fn encryption(&self, contest: &str, option: &str) -> SecretScalar {
        let mut t = self.0.clone();
        t.str("encryption").str(contest).str(option);
        SecretScalar(t.scalar_out())
    }

    /// Proof branch nonces; `option` is empty for a contest's range proof.
    fn branch(&self, contest: &str, option: &str, m: u32) -> BranchNonces {
        let mut t = self.0.clone();
        t.str("proof").str(contest).str(option).u32(m);
        let mut u = t.clone();
        u.u32(0);
        t.u32(1);
        BranchNonces {
            u: u.scalar_out(),
            c: t.scalar_out(),
        }
    }
}

impl Ballot {
    /// The digest of everything the signature covers (§7.3).
    pub fn body_digest(&self) -> Digest {
        let mut t = Transcript::new("ballot");
        t.bytes(&self.election.0)
            .str(&self.style)
            .point(&self.credential.0);
        t.u32(self.contests.len() as u32);
        for c in &self.contests {
            t.str(&c.id).u32(c.selections.len() as u32);
            for s in &c.selections {
                t.str(&s.id);
                s.ciphertext.absorb(&mut t);
                s.proof.absorb(&mut t);
            }
            c.proof.absorb(&mut t);
        }
        Digest(t.digest())
    }

    /// The tracking code: a digest of the whole ballot, signature included (§7.4).
    pub fn tracking(&self) -> Tracking {
        let mut t = Transcript::new("tracking");
        t.bytes(&self.body_digest().0);
        self.signature.absorb(&mut t);
        Tracking(Digest(t.digest()))
    }

    /// Parses a ballot from JSON. Every point and scalar is checked to be canonical.
    ///
    /// # Errors
    /// [`Error::MalformedJson`] or an encoding error.
    pub fn from_json(json: &str) -> Result<Ballot> {
        crate::encoding::from_json(json)
    }

    /// The ballot as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Verifies the ballot against the election: its binding, that it matches its ballot
    /// style, every proof and the signature (§7.5). Does not consult the credential list;
    /// see [`Ballot::verify_listed`].
    ///
    /// # Errors
    /// [`Error::WrongElection`], [`Error::UnknownStyle`] or [`Error::Verification`] naming
    /// the failed check.
    pub fn verify(&self, election: &Election) -> Result<()> {
        let mut batch = Batch::new(Some(election.key().key.0.p));
        self.add_equations(election, &mut batch)?;
        batch.verify()
    }

    /// Checks the ballot's binding and style, and adds every proof's and the signature's
    /// verification equations to `batch` (§5.4) without checking them.
    ///
    /// # Errors
    /// [`Error::WrongElection`], [`Error::UnknownStyle`] or [`Error::Verification`] for a
    /// failure found before any equation is checked (style, a malformed proof).
    fn add_equations(&self, election: &Election, batch: &mut Batch) -> Result<()> {
        let base = election.base_hash();
        if self.election != *base {
            return Err(Error::WrongElection);
        }
        let contests = election.manifest().style_contests(&self.style)?;
        if contests.len() != self.contests.len() {
            return Err(Error::Verification(Check::Style));
        }
        let key = election.key();
        for (def, enc) in contests.iter().zip(&self.contests) {
            if def.id != enc.id
                || def.options.len() != enc.selections.len()
                || def
                    .options
                    .iter()
                    .zip(&enc.selections)
                    .any(|(o, s)| o.id != s.id)
            {
                return Err(Error::Verification(Check::Style));
            }
            for s in &enc.selections {
                let check = Check::SelectionProof(def.id.clone(), s.id.clone());
                let ctx = selection_context(base, &self.credential, &def.id, &s.id);
                s.proof
                    .verify_into(&ctx, key, &s.ciphertext, 0, 1, batch, &check)?;
            }
            let sum = Ciphertext::sum(enc.selections.iter().map(|s| &s.ciphertext));
            let check = Check::ContestProof(def.id.clone());
            let ctx = contest_context(base, &self.credential, &def.id);
            enc.proof.verify_into(
                &ctx,
                key,
                &sum,
                def.min_selections,
                def.max_selections,
                batch,
                &check,
            )?;
        }
        let body = self.body_digest();
        self.signature.verify_into(
            &signature_context(base, &body),
            &self.credential,
            batch,
            &Check::Signature,
        );
        Ok(())
    }

    /// Checks the credential list before anything else: listed, and for the ballot's style.
    fn check_listed(&self, list: &crate::CredentialList) -> Result<()> {
        match list.style_of(&self.credential) {
            None => Err(Error::UnknownCredential),
            Some(s) if s != self.style => Err(Error::CredentialStyle(self.style.clone())),
            Some(_) => Ok(()),
        }
    }

    /// [`Ballot::verify`], and that the credential is on `list` for the ballot's style.
    ///
    /// # Errors
    /// As [`Ballot::verify`], plus [`Error::UnknownCredential`] or [`Error::CredentialStyle`].
    pub fn verify_listed(&self, election: &Election, list: &crate::CredentialList) -> Result<()> {
        self.check_listed(list)?;
        self.verify(election)
    }

    /// [`Ballot::verify_listed`] for many ballots at once: every equation of every ballot goes
    /// into one random linear combination checked by one multiscalar multiplication (§5.4),
    /// which costs less per point the more points it holds. Returns one result per ballot, in
    /// order, exactly as `verify_listed` would give it: if the combined check fails, the
    /// ballots that were in it are verified again one by one, so a bad ballot is still named
    /// with its failed check and the good ones still pass.
    pub fn verify_many(
        ballots: &[&Ballot],
        election: &Election,
        list: &crate::CredentialList,
    ) -> Vec<Result<()>> {
        let mut batch = Batch::new(Some(election.key().key.0.p));
        let mut results: Vec<Result<()>> = ballots
            .iter()
            .map(|b| {
                b.check_listed(list)?;
                // A ballot that fails before its equations are checked may have added some:
                // drop them so they do not fail the others.
                let mark = batch.mark();
                let added = b.add_equations(election, &mut batch);
                if added.is_err() {
                    batch.truncate(mark);
                }
                added
            })
            .collect();
        if batch.verify().is_err() {
            for (r, b) in results.iter_mut().zip(ballots) {
                if r.is_ok() {
                    *r = b.verify(election);
                }
            }
        }
        results
    }
}

/// Checks selections against a style and returns, per contest of the style in order, the
/// 0/1 vector over its options. Secret: zeroized on drop.
fn plaintext(
    contests: &[&Contest],
    selections: &Selections,
    election: &Election,
) -> Result<Zeroizing<Vec<Vec<u8>>>> {
    for id in selections.keys() {
        election.manifest().contest(id)?;
        if !contests.iter().any(|c| &c.id == id) {
            return Err(Error::ContestNotInStyle(id.clone()));
        }
    }
    let mut out = Zeroizing::new(Vec::with_capacity(contests.len()));
    for c in contests {
        let mut bits = vec![0u8; c.options.len()];
        let chosen = selections.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
        for o in chosen {
            let i =
                c.options
                    .iter()
                    .position(|x| &x.id == o)
                    .ok_or_else(|| Error::UnknownOption {
                        contest: c.id.clone(),
                        option: o.clone(),
                    })?;
            if bits[i] == 1 {
                return Err(Error::DuplicateSelection {
                    contest: c.id.clone(),
                    option: o.clone(),
                });
            }
            bits[i] = 1;
        }
        let n = chosen.len() as u32;
        if n > c.max_selections {
            return Err(Error::Overvote {
                contest: c.id.clone(),
                selected: n,
                max: c.max_selections,
            });
        }
        if n < c.min_selections {
            return Err(Error::Undervote {
                contest: c.id.clone(),
                selected: n,
                min: c.min_selections,
            });
        }
        out.push(bits);
    }
    Ok(out)
}

/// A sealed ballot still on the voter's device: the ballot plus the secrets needed to
/// challenge it. [`SealedBallot::cast`] wipes the secrets; [`SealedBallot::challenge`] reveals
/// them.
pub struct SealedBallot {
    ballot: Ballot,
    tracking: Tracking,
    seed: BallotSeed,
    choices: Zeroizing<Vec<Vec<u8>>>,
}

impl core::fmt::Debug for SealedBallot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SealedBallot")
            .field("tracking", &self.tracking.short())
            .finish_non_exhaustive()
    }
}

impl SealedBallot {
    /// Seals a ballot with a fresh random seed from `rng`.
    ///
    /// # Examples
    ///
    /// ```
    /// use amanat::{Credential, CredentialEntry, CredentialList, Election, Manifest, Point, PublicKey, SealedBallot, Selections};
    /// use curve25519_dalek::{constants::RISTRETTO_BASEPOINT_POINT as G, Scalar};
    /// use rand_core::OsRng;
    ///
    /// # fn main() -> amanat::Result<()> {
    /// let manifest: Manifest = amanat::encoding::from_json(r#"{
    ///   "election_id": "demo", "title": {"en": "Demo", "ur": "ڈیمو"},
    ///   "contests": [{"id": "NA-1", "name": {"en": "NA-1", "ur": "این اے-1"},
    ///     "min_selections": 1, "max_selections": 1, "options": [
    ///       {"id": "a", "name": {"en": "Ayesha", "ur": "عائشہ"}, "symbol": "lantern"},
    ///       {"id": "b", "name": {"en": "Bilal", "ur": "بلال"}, "symbol": "book"}]}],
    ///   "ballot_styles": [{"id": "S1", "name": {"en": "S1", "ur": "S1"}, "contests": ["NA-1"]}]
    /// }"#)?;
    /// // In a real election the joint key comes from the trustees' ceremony.
    /// let key = PublicKey::new(Point::from_point(G * Scalar::random(&mut OsRng)), "joint key")?;
    /// let (code, credential) = Credential::generate(&manifest.election_id, 0, &mut OsRng)?;
    /// let list = CredentialList::new(vec![CredentialEntry { key: *credential.public_key(), style: "S1".into() }])?;
    /// // The ballot box's receipt key is fixed in the election too (docs/ballot-box.md).
    /// let box_key = PublicKey::new(Point::from_point(G * Scalar::random(&mut OsRng)), "box key")?;
    /// let election = Election::new(manifest, 1, 1, key, list.summary(), box_key)?;
    ///
    /// // On the voter's device: the typed code gives the credential; seal the choices.
    /// let credential = Credential::from_code(&election, code.expose())?;
    /// let choices: Selections = [("NA-1".to_string(), vec!["b".to_string()])].into();
    /// let sealed = SealedBallot::seal(&election, &credential, &choices, &mut OsRng)?;
    /// println!("tracking code {}", sealed.tracking().short());
    /// let ballot = sealed.cast(); // the seed is wiped; the ballot goes to the box
    ///
    /// // At the ballot box, or anywhere: verify.
    /// ballot.verify_listed(&election, &list)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`SealedBallot::seal_with_seed`].
    pub fn seal<R: RngCore + CryptoRng>(
        election: &Election,
        credential: &Credential,
        selections: &Selections,
        rng: &mut R,
    ) -> Result<SealedBallot> {
        SealedBallot::seal_with_seed(election, credential, selections, BallotSeed::random(rng))
    }

    /// Seals a ballot whose every nonce derives from `seed` (§7.2). Deterministic: the same
    /// inputs give the same ballot, which is how the known-answer vectors are made.
    ///
    /// # Errors
    /// [`Error::UnknownContest`], [`Error::ContestNotInStyle`], [`Error::UnknownOption`],
    /// [`Error::DuplicateSelection`], [`Error::Overvote`] or [`Error::Undervote`]; or
    /// [`Error::Credential`] if the credential's style is not in the election.
    pub fn seal_with_seed(
        election: &Election,
        credential: &Credential,
        selections: &Selections,
        seed: BallotSeed,
    ) -> Result<SealedBallot> {
        let manifest = election.manifest();
        let style = manifest
            .ballot_styles
            .get(credential.style_index() as usize)
            .ok_or(Error::Credential("the code is not for this election"))?;
        let contests = manifest.style_contests(&style.id)?;
        let choices = plaintext(&contests, selections, election)?;
        let base = election.base_hash();
        let key = election.key();
        let nonces = Nonces::new(base, &seed);
        let cred_key = credential.public_key();
        // Every point a ballot publishes is computed as its half and all are encoded in one
        // batch (encoding::points_from_halves): first every option's ciphertext and 0/1-proof
        // commitments, then every contest's range-proof commitments.
        struct OptionWork {
            r: SecretScalar,
            v: u32,
            pending: PendingProof,
        }
        let mut halves = Vec::new();
        let mut work: Vec<Vec<OptionWork>> = Vec::with_capacity(contests.len());
        for (c, bits) in contests.iter().zip(choices.iter()) {
            let mut options = Vec::with_capacity(c.options.len());
            for (o, &bit) in c.options.iter().zip(bits) {
                let r = nonces.encryption(&c.id, &o.id);
                let v = u32::from(bit);
                let (a, b) = key.encrypt_bit_halves(subtle::Choice::from(bit & 1), &r.0);
                let pending = DisjunctiveProof::commit(key, v, &r.0, 0, 1, |m| {
                    nonces.branch(&c.id, &o.id, m)
                });
                halves.extend_from_slice(&[a, b]);
                halves.extend_from_slice(pending.halves());
                options.push(OptionWork { r, v, pending });
            }
            work.push(options);
        }
        let points = points_from_halves(&halves);
        let mut points = points.chunks_exact(6);
        let mut contest_work = Vec::with_capacity(contests.len());
        halves.clear();
        for (c, options) in contests.iter().zip(work) {
            let mut sels = Vec::with_capacity(c.options.len());
            let mut r_sum = SecretScalar(Scalar::ZERO);
            let mut count = 0u32;
            for (o, w) in c.options.iter().zip(options) {
                let p = points.next().ok_or(Error::OutOfRange("ballot size"))?;
                let ciphertext = Ciphertext { a: p[0], b: p[1] };
                let ctx = selection_context(base, cred_key, &c.id, &o.id);
                let proof = w.pending.finish(&ctx, key, &ciphertext, &w.r.0, &p[2..]);
                r_sum.0 += w.r.0;
                count += w.v;
                sels.push(EncryptedSelection {
                    id: o.id.clone(),
                    ciphertext,
                    proof,
                });
            }
            let sum = Ciphertext::sum(sels.iter().map(|s| &s.ciphertext));
            let pending = DisjunctiveProof::commit(
                key,
                count,
                &r_sum.0,
                c.min_selections,
                c.max_selections,
                |m| nonces.branch(&c.id, "", m),
            );
            halves.extend_from_slice(pending.halves());
            contest_work.push((sels, sum, r_sum, pending));
        }
        let points = points_from_halves(&halves);
        let mut offset = 0;
        let mut enc_contests = Vec::with_capacity(contests.len());
        for (c, (selections, sum, r_sum, pending)) in contests.iter().zip(contest_work) {
            let n = pending.halves().len();
            let commitments = points
                .get(offset..offset + n)
                .ok_or(Error::OutOfRange("ballot size"))?;
            offset += n;
            let ctx = contest_context(base, cred_key, &c.id);
            let proof = pending.finish(&ctx, key, &sum, &r_sum.0, commitments);
            enc_contests.push(EncryptedContest {
                id: c.id.clone(),
                selections,
                proof,
            });
        }
        let mut ballot = Ballot {
            protocol: Protocol,
            election: *base,
            style: style.id.clone(),
            credential: *cred_key,
            contests: enc_contests,
            signature: SchnorrProof {
                commitment: crate::encoding::Point::new(RistrettoPoint::identity()),
                response: Scalar::ZERO,
            },
        };
        let body = ballot.body_digest();
        // The signature nonce derives from the credential secret and the body, never from the
        // ballot seed: a challenge reveals the seed, and must not reveal the credential key.
        let mut kt = Transcript::new("signature-nonce");
        kt.scalar(credential.secret.expose()).bytes(&body.0);
        let k = SecretScalar(kt.scalar_out());
        ballot.signature = SchnorrProof::prove(
            &signature_context(base, &body),
            &credential.secret,
            cred_key,
            k,
        );
        let tracking = ballot.tracking();
        Ok(SealedBallot {
            ballot,
            tracking,
            seed,
            choices,
        })
    }

    /// The ballot to submit.
    pub fn ballot(&self) -> &Ballot {
        &self.ballot
    }

    /// The tracking code.
    pub fn tracking(&self) -> Tracking {
        self.tracking
    }

    /// Casts: returns the ballot to submit; the seed and choices are wiped.
    pub fn cast(self) -> Ballot {
        self.ballot.clone()
    }

    /// Challenges: reveals the seed and choices so anyone can check the encryption. The
    /// ballot must then never be cast.
    pub fn challenge(self) -> Challenge {
        let mut selections = Selections::new();
        for (c, bits) in self.ballot.contests.iter().zip(self.choices.iter()) {
            let chosen = c
                .selections
                .iter()
                .zip(bits)
                .filter(|(_, &b)| b == 1)
                .map(|(s, _)| s.id.clone())
                .collect();
            selections.insert(c.id.clone(), chosen);
        }
        Challenge {
            protocol: Protocol,
            tracking: self.tracking.0,
            seed: crate::encoding::to_hex(&self.seed.0),
            selections,
        }
    }
}

/// A challenged ballot's reveal: its tracking hash, seed and choices (§7.6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// Always `"amanat/2"`.
    pub protocol: Protocol,
    /// The full tracking hash of the challenged ballot.
    pub tracking: Digest,
    /// The ballot seed, 64 hex digits.
    pub seed: String,
    /// The choices the voter made.
    pub selections: Selections,
}

impl Challenge {
    /// Parses a challenge from JSON.
    ///
    /// # Errors
    /// [`Error::MalformedJson`] or an encoding error.
    pub fn from_json(json: &str) -> Result<Challenge> {
        let c: Challenge = crate::encoding::from_json(json)?;
        crate::encoding::from_hex::<32>(&c.seed, "seed")?;
        Ok(c)
    }

    /// The challenge as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks the reveal against `ballot`: recomputes each option's nonce from the seed and
    /// checks that the ciphertext encrypts the revealed choice. Returns the choices.
    ///
    /// # Errors
    /// [`Error::Verification`] with [`Check::Reveal`] naming the contest/option that does not
    /// match, or the tracking hash when the reveal is for another ballot;
    /// [`Error::DuplicateSelection`] when the reveal lists an option twice in one contest (a
    /// module never writes that, and the reveal must have one reading only).
    pub fn check(&self, election: &Election, ballot: &Ballot) -> Result<Selections> {
        if ballot.election != *election.base_hash() {
            return Err(Error::WrongElection);
        }
        if ballot.tracking().0 != self.tracking {
            return Err(Error::Verification(Check::Reveal("tracking hash".into())));
        }
        let seed = BallotSeed(crate::encoding::from_hex::<32>(&self.seed, "seed")?);
        let nonces = Nonces::new(election.base_hash(), &seed);
        let key = election.key();
        for id in self.selections.keys() {
            if !ballot.contests.iter().any(|c| &c.id == id) {
                return Err(Error::Verification(Check::Reveal(id.clone())));
            }
        }
        let mut out = Selections::new();
        for c in &ballot.contests {
            let claimed = self.selections.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
            for (i, o) in claimed.iter().enumerate() {
                if !c.selections.iter().any(|s| &s.id == o) {
                    return Err(Error::Verification(Check::Reveal(format!("{}/{o}", c.id))));
                }
                if claimed[..i].contains(o) {
                    return Err(Error::DuplicateSelection {
                        contest: c.id.clone(),
                        option: o.clone(),
                    });
                }
            }
            let mut chosen = Vec::new();
            for s in &c.selections {
                let v = u32::from(claimed.contains(&s.id));
                let r = nonces.encryption(&c.id, &s.id);
                if key.encrypt(v, &r.0) != s.ciphertext {
                    return Err(Error::Verification(Check::Reveal(format!(
                        "{}/{}",
                        c.id, s.id
                    ))));
                }
                if v == 1 {
                    chosen.push(s.id.clone());
                }
            }
            out.insert(c.id.clone(), chosen);
        }
        Ok(out)
    }
}
