//! The ballot box's receipt key (docs/ballot-box.md, "The box key"), and `amanat box-key`,
//! which makes it.
//!
//! The key is made before the election is defined: its public half goes into election.json
//! (`ballot_box_key`, which every ballot binds through the base hash), its secret half stays
//! in a file of its own, the 64 lowercase hex digits of its little-endian scalar with no
//! newline (docs/documents.md), mode 0600, by default beside the box's database
//! (`<db>.key`), so that the database can be copied for audit without it. `amanat serve`
//! only ever loads that file, and refuses to start if it is missing or its public key is not
//! the election's.

use std::path::{Path, PathBuf};

use amanat::board::BoardEntry;
use amanat::proofs::schnorr::{sign, SchnorrProof};
use amanat::receipt::{HEAD_LABEL, RECEIPT_LABEL};
use amanat::{Digest, Election, Point, PublicKey, Receipt, SecretScalar, SignedHead};
use clap::Args;
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, OsRng, RngCore};
use sha2::{Digest as _, Sha512};
use zeroize::{Zeroize, Zeroizing};

/// What can go wrong with a box key file. Each variant has a stable [`BoxKeyError::code`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BoxKeyError {
    /// There is no key file at the path.
    #[error(
        "{}: no ballot box key here; the key is made before the election is defined, with \
         `amanat box-key --out {}`, and its public key given to `amanat election create --box-key`",
        .0.display(), .0.display()
    )]
    Missing(PathBuf),
    /// A key file is never overwritten: its public key may already be in an election.
    #[error(
        "{}: a ballot box key is already there; it is never overwritten (its public key may \
         already be in an election): choose another path or remove it yourself",
        .0.display()
    )]
    Exists(PathBuf),
    /// The key file is readable or writable by others than its owner.
    #[error("{}: the ballot box key is readable by others; chmod 600 it", .0.display())]
    Exposed(PathBuf),
    /// The file does not hold a box key.
    #[error("{}: not a ballot box key (64 hex digits of a reduced scalar): {reason}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong (never the file's content).
        reason: String,
    },
    /// The key is not the one the election fixes: the box's receipts would not verify.
    #[error(
        "{}: this box key's public key is {file}, but the election's ballot_box_key is \
         {election}; the box would sign receipts no one can verify, so it does not start",
        path.display()
    )]
    NotTheElections {
        /// The key file.
        path: PathBuf,
        /// Its public key, hex.
        file: String,
        /// The election's `ballot_box_key`, hex.
        election: String,
    },
    /// The file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

impl BoxKeyError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            BoxKeyError::Missing(_) => "NO_BOX_KEY",
            BoxKeyError::Exists(_) => "BOX_KEY_EXISTS",
            BoxKeyError::Exposed(_) => "BOX_KEY_EXPOSED",
            BoxKeyError::Malformed { .. } => "BAD_BOX_KEY",
            BoxKeyError::NotTheElections { .. } => "WRONG_BOX_KEY",
            BoxKeyError::Io { .. } => "IO",
        }
    }

    fn io(path: &Path, source: std::io::Error) -> BoxKeyError {
        BoxKeyError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The ballot box's receipt-signing key.
pub struct BoxKey {
    secret: SecretScalar,
    public: PublicKey,
}

impl core::fmt::Debug for BoxKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BoxKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl BoxKey {
    /// A new random key.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> BoxKey {
        loop {
            if let Some(key) = BoxKey::from_secret(SecretScalar::random(rng)) {
                return key;
            }
        }
    }

    /// The key with this secret; `None` for zero, whose public key is the identity.
    fn from_secret(secret: SecretScalar) -> Option<BoxKey> {
        let point = Point::from_point(RISTRETTO_BASEPOINT_TABLE * secret.expose());
        let public = PublicKey::new(point, "ballot box key").ok()?;
        Some(BoxKey { secret, public })
    }

    /// The key file that belongs to the database at `db`: `<db>.key`, where `amanat serve`
    /// looks by default.
    pub fn path_for(db: &Path) -> PathBuf {
        let mut name = db.as_os_str().to_owned();
        name.push(".key");
        PathBuf::from(name)
    }

    /// Writes the secret to a new file at `path` (64 hex digits, mode 0600 from its
    /// creation), creating its parent directories.
    ///
    /// # Errors
    /// [`BoxKeyError::Exists`] if anything is at `path` already (it is left as it was), or
    /// [`BoxKeyError::Io`].
    pub fn save(&self, path: &Path) -> Result<(), BoxKeyError> {
        if path.symlink_metadata().is_ok() {
            return Err(BoxKeyError::Exists(path.to_path_buf()));
        }
        let hex = Zeroizing::new(amanat::encoding::to_hex(self.secret.expose().as_bytes()));
        match crate::files::create_secret(path, hex.as_bytes()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(BoxKeyError::Exists(path.to_path_buf()))
            }
            Err(e) => Err(BoxKeyError::io(path, e)),
        }
    }

    /// Loads the key from `path`. A missing file is an error: a key is never made here.
    ///
    /// # Errors
    /// [`BoxKeyError::Missing`], [`BoxKeyError::Exposed`] if the file is readable by others
    /// than its owner, [`BoxKeyError::Malformed`], or [`BoxKeyError::Io`].
    pub fn load(path: &Path) -> Result<BoxKey, BoxKeyError> {
        let text = match crate::files::read_regular(path) {
            Ok(text) => Zeroizing::new(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(BoxKeyError::Missing(path.to_path_buf()))
            }
            Err(e) => return Err(BoxKeyError::io(path, e)),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .map_err(|e| BoxKeyError::io(path, e))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(BoxKeyError::Exposed(path.to_path_buf()));
            }
        }
        let malformed = |reason: String| BoxKeyError::Malformed {
            path: path.to_path_buf(),
            reason,
        };
        let scalar = amanat::encoding::scalar_from_hex(text.trim(), "the secret")
            .map_err(|e| malformed(e.to_string()))?;
        BoxKey::from_secret(SecretScalar::from_scalar(scalar))
            .ok_or_else(|| malformed("the secret is zero".into()))
    }

    /// Loads the key from `path` and checks that it is the one `election` fixes.
    ///
    /// # Errors
    /// As [`BoxKey::load`], or [`BoxKeyError::NotTheElections`].
    pub fn load_for(path: &Path, election: &Election) -> Result<BoxKey, BoxKeyError> {
        let key = BoxKey::load(path)?;
        if key.public != *election.ballot_box_key() {
            return Err(BoxKeyError::NotTheElections {
                path: path.to_path_buf(),
                file: key.public.to_hex(),
                election: election.ballot_box_key().to_hex(),
            });
        }
        Ok(key)
    }

    /// The public key receipts verify under: the election's `ballot_box_key`.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// Signs `message` under `(base, what)` with [`amanat::proofs::schnorr::sign`]. The nonce
    /// is derived from the key and the message, so the same message always gets the same
    /// signature: a replayed ballot gets back the very same receipt.
    pub fn sign(&self, base: &Digest, what: &str, message: &[u8]) -> SchnorrProof {
        let mut h = Sha512::new();
        h.update(b"amanat/2/box-signature-nonce");
        h.update(self.secret.expose().as_bytes());
        h.update(base.0);
        h.update((what.len() as u32).to_be_bytes());
        h.update(what.as_bytes());
        h.update(message);
        let mut digest = h.finalize();
        let mut seed = Zeroizing::new([0u8; 32]);
        seed.copy_from_slice(&digest[..32]);
        digest.as_mut_slice().zeroize();
        let mut rng = ChaCha20Rng::from_seed(*seed);
        sign(base, what, message, &self.secret, &self.public, &mut rng)
    }

    /// The receipt for an entry of `election`'s board, cast or challenged (docs/protocol.md
    /// §8.3), signed under [`RECEIPT_LABEL`]. The same entry always gets the same receipt.
    pub fn receipt(&self, election: &Election, entry: &BoardEntry) -> Receipt {
        let base = election.base_hash();
        let message = Receipt::message(
            entry.kind,
            &entry.tracking,
            entry.index,
            &entry.received,
            &entry.hash,
        );
        Receipt {
            election: *base,
            kind: entry.kind,
            tracking: entry.tracking,
            short: entry.short.clone(),
            index: entry.index,
            received: entry.received.clone(),
            head: entry.hash,
            signature: self.sign(base, RECEIPT_LABEL, message.as_bytes()),
        }
    }

    /// The statement of a board of `entries` entries ending in `head`, open or closed, at
    /// `time` (docs/protocol.md §8.4), signed under [`HEAD_LABEL`].
    pub fn signed_head(
        &self,
        election: &Election,
        entries: u64,
        head: Digest,
        closed: bool,
        time: String,
    ) -> SignedHead {
        let base = election.base_hash();
        let message = SignedHead::message(entries, &head, closed, &time);
        SignedHead {
            election: *base,
            entries,
            head,
            closed,
            signature: self.sign(base, HEAD_LABEL, message.as_bytes()),
            time,
        }
    }
}

/// `amanat box-key`: make the ballot box's receipt key, before the election is defined.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct BoxKeyArgs {
    /// Make a new key: write its secret to this new file (mode 0600; an existing file is
    /// never overwritten) and print its public key, 64 hex digits, for `amanat election
    /// create --box-key`. `amanat serve` looks for it at DB.key, by default
    /// ELECTION/box.sqlite.key.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print the public key of an existing key file.
    #[arg(long, value_name = "FILE")]
    pub show: Option<PathBuf>,
}

/// Runs `amanat box-key`: the public key goes to stdout alone, so that a script can pass it
/// on; what to do next goes to stderr.
///
/// # Errors
/// [`crate::error::ToolError::BoxKey`].
pub fn run(args: BoxKeyArgs) -> crate::error::ToolResult<()> {
    match (args.out, args.show) {
        (Some(out), _) => {
            let key = BoxKey::generate(&mut OsRng);
            key.save(&out)?;
            println!("{}", key.public.to_hex());
            eprintln!(
                "ballot box key made; its secret is in {} (keep it with the box, never publish it).\n\
                 Give the public key above to `amanat election create --box-key`.",
                out.display()
            );
        }
        (None, Some(path)) => println!("{}", BoxKey::load(&path)?.public.to_hex()),
        (None, None) => {
            return Err(crate::error::ToolError::Invalid(
                "give --out FILE to make a key, or --show FILE to print one's public key".into(),
            ))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::Scalar;

    #[test]
    fn a_key_is_made_once_kept_privately_and_signs_deterministically() {
        let dir = tempfile::tempdir().unwrap();
        let path = BoxKey::path_for(&dir.path().join("box.sqlite"));
        assert!(path.ends_with("box.sqlite.key"));
        assert!(matches!(BoxKey::load(&path), Err(BoxKeyError::Missing(_))));
        assert!(!path.exists(), "loading never makes a key");

        let k1 = BoxKey::generate(&mut OsRng);
        k1.save(&path).unwrap();
        let secret_hex = amanat::encoding::to_hex(k1.secret.expose().as_bytes());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), secret_hex);
        assert!(!format!("{k1:?}").contains(&secret_hex));
        let k2 = BoxKey::load(&path).unwrap();
        assert_eq!(k1.public(), k2.public());

        // Never overwritten.
        let other = BoxKey::generate(&mut OsRng);
        assert!(matches!(other.save(&path), Err(BoxKeyError::Exists(_))));
        assert_eq!(BoxKey::load(&path).unwrap().public(), k1.public());

        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(BoxKey::load(&path), Err(BoxKeyError::Exposed(_))));
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }

        let bad = dir.path().join("bad.key");
        crate::files::create_secret(&bad, "f".repeat(64).as_bytes()).unwrap();
        let err = BoxKey::load(&bad).unwrap_err();
        assert_eq!(err.code(), "BAD_BOX_KEY");
        let zero = dir.path().join("zero.key");
        crate::files::create_secret(&zero, "0".repeat(64).as_bytes()).unwrap();
        assert_eq!(BoxKey::load(&zero).unwrap_err().code(), "BAD_BOX_KEY");

        let base = Digest([7; 64]);
        let s1 = k1.sign(&base, "receipt", b"m");
        assert_eq!(s1, k2.sign(&base, "receipt", b"m"));
        assert_ne!(s1, k1.sign(&base, "receipt", b"n"));
        amanat::proofs::schnorr::verify_signature(&base, "receipt", b"m", k1.public(), &s1)
            .unwrap();
        assert!(amanat::proofs::schnorr::verify_signature(
            &base,
            "receipt",
            b"n",
            k1.public(),
            &s1
        )
        .is_err());
    }

    /// The key file's format (docs/documents.md, "The ballot box key file"): 64 lowercase hex
    /// digits of le32(b), b reduced and not zero; `save` writes exactly those 64 bytes, `load`
    /// ignores leading and trailing white space (protocol §1.3's set) and nothing else.
    #[test]
    fn the_key_file_is_64_lowercase_hex_digits_of_the_little_endian_secret() {
        let dir = tempfile::tempdir().unwrap();
        let mut n = 0;
        let mut write = |bytes: &[u8]| {
            n += 1;
            let path = dir.path().join(format!("{n}.key"));
            crate::files::create_secret(&path, bytes).unwrap();
            path
        };
        let le = |s: u64| amanat::encoding::to_hex(Scalar::from(s).as_bytes());
        let g = |s: u64| RISTRETTO_BASEPOINT_TABLE * &Scalar::from(s);

        // Little-endian: "02" then 62 zeros is the secret 2.
        let two = le(2);
        assert!(two.starts_with("02") && two[2..].bytes().all(|b| b == b'0'));
        for text in [
            two.clone(),
            format!("{two}\n"),
            format!("{two}\r\n"),
            format!(" \t{two}  \n\n"),
            format!("\u{3000}{two}\u{a0}"),
        ] {
            let key = BoxKey::load(&write(text.as_bytes())).unwrap();
            assert_eq!(key.public().point().point(), &g(2), "{text:?}");
        }

        let ell = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
        for text in [
            le(0xab).to_uppercase(),
            format!("0x{two}"),
            two[..62].to_string(),
            format!("{two}00"),
            format!("{} {}", &two[..32], &two[32..]),
            format!("\u{feff}{two}"),
            format!("\u{200b}{two}"),
            ell.to_string(),
            "0".repeat(64),
            format!("\"{two}\""),
        ] {
            let err = BoxKey::load(&write(text.as_bytes())).unwrap_err();
            assert_eq!(err.code(), "BAD_BOX_KEY", "{text:?}");
        }
        // Not UTF-8: the file cannot be read as text.
        let mut latin = two.into_bytes();
        latin.push(0xff);
        assert_eq!(BoxKey::load(&write(&latin)).unwrap_err().code(), "IO");

        // What `save` writes: the 64 digits, no newline.
        let key = BoxKey::from_secret(SecretScalar::from_scalar(Scalar::from(5u64))).unwrap();
        let path = dir.path().join("saved.key");
        key.save(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), le(5).into_bytes());
    }
}
