//! Voter credentials: secret codes for the voters (printed or sent by SMS, never given to the
//! ballot box) and the public credential list that the election commits to.

use std::path::PathBuf;

use amanat::{Credential, CredentialEntry, CredentialList, Manifest};
use clap::Args;
use rand_core::{CryptoRng, OsRng, RngCore};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::error::{ToolError, ToolResult};
use crate::files;

/// `amanat credentials`: generate secret credential codes and the public credential list.
#[derive(Args, Debug)]
pub struct CredentialsArgs {
    /// The election manifest (JSON).
    #[arg(long)]
    pub manifest: PathBuf,
    /// How many voters for one ballot style, as STYLE=COUNT; repeat for several styles.
    #[arg(
        long = "per-style",
        value_name = "STYLE=COUNT",
        conflicts_with = "voters"
    )]
    pub per_style: Vec<String>,
    /// How many voters in all, spread evenly over the manifest's ballot styles.
    #[arg(long)]
    pub voters: Option<u64>,
    /// Where to write the secret codes, `[{"code", "style"}]` (created with mode 0600).
    #[arg(long = "codes-out", value_name = "FILE")]
    pub codes_out: PathBuf,
    /// Where to write the public credential list, `[{"key", "style"}]`.
    #[arg(long = "list-out", value_name = "FILE")]
    pub list_out: PathBuf,
}

/// One voter's secret code and ballot style, as written to `codes.json`. Secret: the code
/// zeroizes on drop and `Debug` does not print it.
#[derive(Serialize)]
pub struct IssuedCode {
    /// The credential code, `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`.
    #[serde(serialize_with = "expose_code")]
    pub code: Zeroizing<String>,
    /// The ballot style id.
    pub style: String,
}

fn expose_code<S: serde::Serializer>(code: &Zeroizing<String>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code)
}

impl std::fmt::Debug for IssuedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCode")
            .field("style", &self.style)
            .finish_non_exhaustive()
    }
}

/// Generated credentials: the secret codes in issue order and the public list (sorted).
pub struct Issued {
    /// The secret codes, one per voter.
    pub codes: Vec<IssuedCode>,
    /// The public list for the election.
    pub list: CredentialList,
}

/// Spreads `voters` evenly over the manifest's ballot styles (the first styles get one more
/// when it does not divide).
pub fn spread(manifest: &Manifest, voters: u64) -> Vec<(String, u64)> {
    let n = manifest.ballot_styles.len() as u64;
    manifest
        .ballot_styles
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let extra = u64::from((i as u64) < voters % n.max(1));
            (s.id.clone(), voters / n.max(1) + extra)
        })
        .collect()
}

/// Generates `count` credentials for each `(style id, count)`.
///
/// # Errors
/// [`ToolError::Core`] with `UNKNOWN_STYLE` for a style the manifest lacks, or
/// [`ToolError::Invalid`] if a style index does not fit a code.
pub fn generate<R: RngCore + CryptoRng>(
    manifest: &Manifest,
    counts: &[(String, u64)],
    rng: &mut R,
) -> ToolResult<Issued> {
    let mut codes = Vec::new();
    let mut entries = Vec::new();
    for (style, count) in counts {
        let index = manifest
            .ballot_styles
            .iter()
            .position(|s| &s.id == style)
            .ok_or_else(|| amanat::Error::UnknownStyle(style.clone()))?;
        let index = u16::try_from(index)
            .map_err(|_| ToolError::Invalid(format!("ballot style {style:?} index too large")))?;
        for _ in 0..*count {
            let (code, credential) = Credential::generate(&manifest.election_id, index, rng)?;
            entries.push(CredentialEntry {
                key: *credential.public_key(),
                style: style.clone(),
            });
            codes.push(IssuedCode {
                code: Zeroizing::new(code.expose().to_string()),
                style: style.clone(),
            });
        }
    }
    Ok(Issued {
        codes,
        list: CredentialList::new(entries)?,
    })
}

/// Writes the secret codes (mode 0600) and the public list.
///
/// # Errors
/// [`ToolError::Io`].
pub fn write(
    issued: &Issued,
    codes_out: &std::path::Path,
    list_out: &std::path::Path,
) -> ToolResult<()> {
    let codes = Zeroizing::new(
        serde_json::to_string_pretty(&issued.codes)
            .map_err(|e| ToolError::Invalid(format!("cannot serialize codes: {e}")))?,
    );
    files::write_secret(codes_out, codes.as_bytes())?;
    files::write_json(list_out, &issued.list)
}

fn parse_counts(args: &CredentialsArgs, manifest: &Manifest) -> ToolResult<Vec<(String, u64)>> {
    if let Some(voters) = args.voters {
        return Ok(spread(manifest, voters));
    }
    if args.per_style.is_empty() {
        return Err(ToolError::Invalid(
            "give --voters N or at least one --per-style STYLE=COUNT".into(),
        ));
    }
    args.per_style
        .iter()
        .map(|item| {
            let (style, count) = item.rsplit_once('=').ok_or_else(|| {
                ToolError::Invalid(format!("--per-style {item:?}: expected STYLE=COUNT"))
            })?;
            let count = count.parse::<u64>().map_err(|_| {
                ToolError::Invalid(format!("--per-style {item:?}: COUNT must be a number"))
            })?;
            Ok((style.to_string(), count))
        })
        .collect()
}

/// Runs `amanat credentials`.
///
/// # Errors
/// Any [`ToolError`] reading the manifest, generating or writing.
pub fn run(args: CredentialsArgs) -> ToolResult<()> {
    let manifest: Manifest = files::read_json(&args.manifest)?;
    let counts = parse_counts(&args, &manifest)?;
    let issued = generate(&manifest, &counts, &mut OsRng)?;
    write(&issued, &args.codes_out, &args.list_out)?;
    for (style, count) in &counts {
        println!("{count} credentials for ballot style {style}");
    }
    println!(
        "secret codes: {} (give each voter one; never to the ballot box)\npublic list: {} (digest {})",
        args.codes_out.display(),
        args.list_out.display(),
        issued.list.digest()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn demo() -> Manifest {
        amanat::encoding::from_json(crate::simulate::DEMO_MANIFEST).unwrap()
    }

    #[test]
    fn voters_spread_evenly_over_the_styles() {
        let m = demo();
        assert_eq!(
            spread(&m, 5),
            vec![("gulf".to_string(), 3), ("west".to_string(), 2)]
        );
        assert_eq!(
            spread(&m, 4),
            vec![("gulf".to_string(), 2), ("west".to_string(), 2)]
        );
        assert_eq!(
            spread(&m, 0),
            vec![("gulf".to_string(), 0), ("west".to_string(), 0)]
        );
    }

    #[test]
    fn each_code_derives_its_listed_key_and_the_codes_never_print() {
        use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
        let m = demo();
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        let issued = generate(&m, &spread(&m, 4), &mut rng).unwrap();
        assert_eq!(issued.list.entries().len(), 4);
        let key = amanat::PublicKey::new(
            amanat::Point::from_point(G * curve25519_dalek::Scalar::from(7u64)),
            "key",
        )
        .unwrap();
        let box_key = *crate::box_key::BoxKey::generate(&mut rng).public();
        let election =
            amanat::Election::new(m.clone(), 1, 1, key, issued.list.summary(), box_key).unwrap();
        for c in &issued.codes {
            assert_eq!(amanat::check_code(&c.code), amanat::CodeCheck::Valid);
            assert!(!format!("{c:?}").contains(&c.code[5..]));
            let credential = amanat::Credential::from_code(&election, &c.code).unwrap();
            assert_eq!(
                issued.list.style_of(credential.public_key()),
                Some(c.style.as_str())
            );
        }
        assert!(generate(&m, &[("north".into(), 1)], &mut rng).is_err());
    }
}
