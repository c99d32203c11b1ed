//! The key ceremony on the command line (docs/ceremony.md): each trustee's own steps under
//! `amanat trustee …`, run on its own machine with its own directory, and the steps anyone
//! can run on the public files under `amanat ceremony …`.
//!
//! Files: a trustee directory holds only that trustee's secrets (`secret.json`,
//! `received.json`, then `share.json`, all mode 0600) and its `public.json`. Public files are
//! exchanged through shared directories: `public-<i>.json`, `share-<i>-to-<j>.json` (encrypted
//! so that only `j` can read it), `complaint-<j>-against-<i>.json`, and the transcript `ceremony.json`.

use std::fs;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use rand_core::OsRng;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::error::ToolError;
use crate::files;
use crate::threshold::{
    partial_decrypt, Ceremony, CeremonyParams, Complaint, EncryptedShare, PublicFile,
    ReceivedShares, ThresholdError, ThresholdResult, TrusteeDecryption, TrusteePublic,
    TrusteeSecret, TrusteeShare, Verdict,
};

/// A trustee's own steps, each run on that trustee's machine.
#[derive(Subcommand, Debug)]
pub enum TrusteeCmd {
    /// Step 1: draw this trustee's secret polynomial and encryption key; write
    /// DIR/secret.json (0600) and the public commitments DIR/public.json.
    Init(InitArgs),
    /// Step 2: encrypt this trustee's share for every other trustee, signed:
    /// OUT/share-I-to-J.json.
    Deal(DealArgs),
    /// Step 3: decrypt and check the shares dealt to this trustee; keep the good ones in
    /// DIR/received.json (0600) and write a complaint for each bad one.
    Receive(ReceiveArgs),
    /// Step 5 (after `amanat ceremony finish`): derive this trustee's key share from the
    /// verified transcript into DIR/share.json (0600) and delete the ceremony-time secrets.
    Finalize(FinalizeArgs),
    /// After the tally: this trustee's partial decryption of every aggregate, with proofs.
    Decrypt(DecryptArgs),
}

/// Steps anyone can run on the ceremony's public files.
#[derive(Subcommand, Debug)]
pub enum CeremonyCmd {
    /// Step 4: check every public document, share signature and complaint, disqualify the
    /// dealers with an upheld complaint, and write the transcript with the joint key.
    Finish(FinishArgs),
    /// Re-check a published transcript from scratch and print its joint key.
    Verify(VerifyArgs),
}

/// `amanat trustee init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    /// The election id of the manifest.
    #[arg(long)]
    pub election_id: String,
    /// n, the number of trustees.
    #[arg(long)]
    pub trustees: u32,
    /// k, how many trustees must take part in a decryption.
    #[arg(long)]
    pub threshold: u32,
    /// This trustee's index, 1..=n.
    #[arg(long)]
    pub index: u32,
    /// This trustee's private directory.
    #[arg(long)]
    pub dir: PathBuf,
    /// Also copy the public document to PUBLISH/public-I.json (the shared directory).
    #[arg(long)]
    pub publish: Option<PathBuf>,
    /// Replace an existing secret.json (its secrets are lost).
    #[arg(long)]
    pub force: bool,
}

/// `amanat trustee deal`.
#[derive(Args, Debug)]
pub struct DealArgs {
    /// This trustee's private directory.
    #[arg(long)]
    pub dir: PathBuf,
    /// The directory holding every trustee's public-I.json.
    #[arg(long)]
    pub publics: PathBuf,
    /// Where to write share-I-to-J.json.
    #[arg(long)]
    pub out: PathBuf,
}

/// `amanat trustee receive`.
#[derive(Args, Debug)]
pub struct ReceiveArgs {
    /// This trustee's private directory.
    #[arg(long)]
    pub dir: PathBuf,
    /// The directory holding every trustee's public-I.json.
    #[arg(long)]
    pub publics: PathBuf,
    /// The directory holding the share-I-to-J.json files.
    #[arg(long)]
    pub shares: PathBuf,
    /// Where to write complaints (default: the shares directory).
    #[arg(long)]
    pub complaints: Option<PathBuf>,
}

/// `amanat ceremony finish`.
#[derive(Args, Debug)]
pub struct FinishArgs {
    /// The directory holding every trustee's public-I.json.
    #[arg(long)]
    pub publics: PathBuf,
    /// The directory holding every share-I-to-J.json.
    #[arg(long)]
    pub shares: PathBuf,
    /// The directory holding complaint-J-against-I.json (default: the shares directory).
    #[arg(long)]
    pub complaints: Option<PathBuf>,
    /// Where to write the transcript (ceremony.json).
    #[arg(long)]
    pub out: PathBuf,
}

/// `amanat ceremony verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The transcript (ceremony.json).
    #[arg(long)]
    pub ceremony: PathBuf,
}

/// `amanat trustee finalize`.
#[derive(Args, Debug)]
pub struct FinalizeArgs {
    /// This trustee's private directory.
    #[arg(long)]
    pub dir: PathBuf,
    /// The published transcript (ceremony.json).
    #[arg(long)]
    pub ceremony: PathBuf,
    /// Keep secret.json and received.json (by default they are deleted once share.json is
    /// written: they are no longer needed, and the polynomial would give away every share).
    #[arg(long)]
    pub keep: bool,
}

/// `amanat trustee decrypt`.
#[derive(Args, Debug)]
pub struct DecryptArgs {
    /// This trustee's private directory (holding share.json).
    #[arg(long)]
    pub dir: PathBuf,
    /// The election definition (election.json).
    #[arg(long)]
    pub election: PathBuf,
    /// The published transcript (ceremony.json).
    #[arg(long)]
    pub ceremony: PathBuf,
    /// The aggregates to decrypt (tally.json).
    #[arg(long)]
    pub tally: PathBuf,
    /// Where to write this trustee's partial decryptions (partial-J.json).
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs a trustee step.
///
/// # Errors
/// The step's [`ThresholdError`].
pub fn run_trustee(cmd: TrusteeCmd) -> ThresholdResult<()> {
    match cmd {
        TrusteeCmd::Init(a) => init(&a),
        TrusteeCmd::Deal(a) => deal(&a),
        TrusteeCmd::Receive(a) => receive(&a),
        TrusteeCmd::Finalize(a) => finalize(&a),
        TrusteeCmd::Decrypt(a) => decrypt(&a),
    }
}

/// Runs a public ceremony step.
///
/// # Errors
/// The step's [`ThresholdError`].
pub fn run_ceremony(cmd: CeremonyCmd) -> ThresholdResult<()> {
    match cmd {
        CeremonyCmd::Finish(a) => finish(&a),
        CeremonyCmd::Verify(a) => verify(&a),
    }
}

const SECRET: &str = "secret.json";
const PUBLIC: &str = "public.json";
const RECEIVED: &str = "received.json";
const SHARE: &str = "share.json";

fn tool(e: ToolError) -> ThresholdError {
    match e {
        ToolError::Io { path, source } => ThresholdError::io(&path, source),
        ToolError::Document { source, .. } => ThresholdError::Core(source),
        other => ThresholdError::Inconsistent(other.to_string()),
    }
}

fn read_secret(path: &Path) -> ThresholdResult<Zeroizing<String>> {
    files::read_regular(path)
        .map(Zeroizing::new)
        .map_err(|e| ThresholdError::io(path, e))
}

fn write_secret(path: &Path, bytes: &[u8]) -> ThresholdResult<()> {
    files::write_secret(path, bytes).map_err(tool)
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> ThresholdResult<()> {
    files::write_json(path, value).map_err(tool)
}

fn read_json<T: DeserializeOwned>(path: &Path) -> ThresholdResult<T> {
    let text = files::read_regular(path).map_err(|e| ThresholdError::io(path, e))?;
    amanat::encoding::from_json(&text).map_err(|e| match e {
        amanat::Error::MalformedJson(m) => ThresholdError::io(path, format!("malformed JSON: {m}")),
        other => ThresholdError::Core(other),
    })
}

/// Every `<prefix>*.json` file in `dir`, sorted by name.
fn files_in(dir: &Path, prefix: &str) -> ThresholdResult<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| ThresholdError::io(dir, e))? {
        let path = entry.map_err(|e| ThresholdError::io(dir, e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with(prefix) && name.ends_with(".json") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Reads every `public-*.json`: they must all be for the same ceremony.
fn read_publics(dir: &Path) -> ThresholdResult<(CeremonyParams, Vec<TrusteePublic>)> {
    let mut params: Option<CeremonyParams> = None;
    let mut publics = Vec::new();
    for path in files_in(dir, "public")? {
        let f: PublicFile = read_json(&path)?;
        match &params {
            Some(p) if p != &f.params => {
                return Err(ThresholdError::Inconsistent(format!(
                    "{} is for another ceremony",
                    path.display()
                )))
            }
            Some(_) => {}
            None => params = Some(f.params.clone()),
        }
        publics.push(f.trustee);
    }
    let params = params.ok_or_else(|| {
        ThresholdError::Missing(format!("public-<i>.json files in {}", dir.display()))
    })?;
    Ok((params, publics))
}

fn read_all<T: DeserializeOwned>(dir: &Path, prefix: &str) -> ThresholdResult<Vec<T>> {
    files_in(dir, prefix)?
        .iter()
        .map(|p| read_json(p))
        .collect()
}

fn load_secret(dir: &Path) -> ThresholdResult<TrusteeSecret> {
    TrusteeSecret::from_secret_json(&read_secret(&dir.join(SECRET))?)
}

fn same_params(mine: &CeremonyParams, theirs: &CeremonyParams) -> ThresholdResult<()> {
    if mine != theirs {
        return Err(ThresholdError::Inconsistent(
            "the public documents are for another ceremony than this trustee's".into(),
        ));
    }
    Ok(())
}

fn init(a: &InitArgs) -> ThresholdResult<()> {
    let params = CeremonyParams::new(&a.election_id, a.trustees, a.threshold)?;
    let secret_path = a.dir.join(SECRET);
    if secret_path.exists() && !a.force {
        return Err(ThresholdError::Inconsistent(format!(
            "{} exists; pass --force to replace it (its secrets are then lost)",
            secret_path.display()
        )));
    }
    let (secret, public) = TrusteeSecret::generate(&params, a.index, &mut OsRng)?;
    write_secret(&secret_path, &secret.to_secret_json()?)?;
    let file = PublicFile {
        params,
        trustee: public,
    };
    write_json(&a.dir.join(PUBLIC), &file)?;
    println!(
        "trustee {}: wrote {} (secret, 0600) and {}",
        a.index,
        secret_path.display(),
        a.dir.join(PUBLIC).display()
    );
    if let Some(dir) = &a.publish {
        let path = dir.join(format!("public-{}.json", a.index));
        write_json(&path, &file)?;
        println!("published {}", path.display());
    }
    Ok(())
}

fn deal(a: &DealArgs) -> ThresholdResult<()> {
    let secret = load_secret(&a.dir)?;
    let (params, publics) = read_publics(&a.publics)?;
    same_params(secret.params(), &params)?;
    let shares = secret.deal(publics, &mut OsRng)?;
    for s in &shares {
        let path = a.out.join(format!("share-{}-to-{}.json", s.from, s.to));
        write_json(&path, s)?;
    }
    println!(
        "trustee {}: wrote {} encrypted shares to {}",
        secret.index(),
        shares.len(),
        a.out.display()
    );
    Ok(())
}

fn receive(a: &ReceiveArgs) -> ThresholdResult<()> {
    let secret = load_secret(&a.dir)?;
    let (params, publics) = read_publics(&a.publics)?;
    same_params(secret.params(), &params)?;
    let j = secret.index();
    let shares: Vec<EncryptedShare> = read_all::<EncryptedShare>(&a.shares, "share-")?
        .into_iter()
        .filter(|s| s.to == j)
        .collect();
    let receipt = secret.receive(publics, &shares, &mut OsRng)?;
    write_secret(&a.dir.join(RECEIVED), &receipt.received.to_secret_json()?)?;
    let out = a.complaints.as_ref().unwrap_or(&a.shares);
    for c in &receipt.complaints {
        let path = out.join(format!("complaint-{}-against-{}.json", c.to, c.from));
        write_json(&path, c)?;
        println!(
            "trustee {j}: the share from trustee {} is bad; wrote {}",
            c.from,
            path.display()
        );
    }
    println!(
        "trustee {j}: {} good shares kept in {} (secret, 0600); {} complaints",
        receipt.received.dealers().len(),
        a.dir.join(RECEIVED).display(),
        receipt.complaints.len()
    );
    Ok(())
}

fn finish(a: &FinishArgs) -> ThresholdResult<()> {
    let (params, publics) = read_publics(&a.publics)?;
    let shares: Vec<EncryptedShare> = read_all(&a.shares, "share-")?;
    let complaints: Vec<Complaint> =
        read_all(a.complaints.as_ref().unwrap_or(&a.shares), "complaint-")?;
    let ceremony = Ceremony::assemble(params, publics, shares, complaints)?;
    files::write_public(&a.out, &ceremony.to_json()).map_err(tool)?;
    describe(&ceremony);
    println!("wrote {}", a.out.display());
    Ok(())
}

fn describe(c: &Ceremony) {
    let p = c.params();
    println!(
        "ceremony for election {:?}: {}-of-{} trustees",
        p.election_id, p.threshold, p.trustees
    );
    for j in c.complaints() {
        let verdict = match j.verdict {
            Verdict::Upheld => "upheld: dealer disqualified",
            Verdict::Rejected => "rejected: the share is good",
        };
        println!(
            "complaint of trustee {} against trustee {}: {verdict}",
            j.complaint.to, j.complaint.from
        );
    }
    println!("qualified dealers: {:?}", c.qualified());
    println!("joint election key: {}", c.joint_key().to_hex());
}

fn load_ceremony(path: &Path) -> ThresholdResult<Ceremony> {
    let text = files::read_regular(path).map_err(|e| ThresholdError::io(path, e))?;
    let c = Ceremony::from_json(&text)?;
    c.verify()?;
    Ok(c)
}

fn verify(a: &VerifyArgs) -> ThresholdResult<()> {
    let c = load_ceremony(&a.ceremony)?;
    describe(&c);
    println!("ceremony verified");
    Ok(())
}

fn finalize(a: &FinalizeArgs) -> ThresholdResult<()> {
    let ceremony = load_ceremony(&a.ceremony)?;
    let received = ReceivedShares::from_secret_json(&read_secret(&a.dir.join(RECEIVED))?)?;
    let share = TrusteeShare::derive(&ceremony, &received)?;
    let path = a.dir.join(SHARE);
    write_secret(&path, &share.to_secret_json()?)?;
    println!(
        "trustee {}: key share written to {} (secret, 0600); public share {}",
        share.index(),
        path.display(),
        share.public_share().to_hex()
    );
    if !a.keep {
        for name in [SECRET, RECEIVED] {
            let p = a.dir.join(name);
            fs::remove_file(&p).map_err(|e| ThresholdError::io(&p, e))?;
            println!("deleted {}", p.display());
        }
    }
    Ok(())
}

fn decrypt(a: &DecryptArgs) -> ThresholdResult<()> {
    let share = load_share(&a.dir)?;
    let ceremony = load_ceremony(&a.ceremony)?;
    let text = files::read_regular(&a.election).map_err(|e| ThresholdError::io(&a.election, e))?;
    let election = amanat::Election::from_json(&text)?;
    ceremony.check_election(&election)?;
    if share.params() != ceremony.params()
        || share.public_share() != ceremony.public_share(share.index())?
    {
        return Err(ThresholdError::Inconsistent(
            "this trustee's key share is not from this ceremony".into(),
        ));
    }
    let tally = crate::tally::read(&a.tally).map_err(tool)?;
    if &tally.election != election.base_hash() {
        return Err(ThresholdError::Inconsistent(
            "the tally is for another election".into(),
        ));
    }
    let items = tally.items();
    let partials = partial_decrypt(election.base_hash(), &share, &items, &mut OsRng);
    let doc = TrusteeDecryption {
        election: *election.base_hash(),
        trustee: share.index(),
        partials,
    };
    write_json(&a.out, &doc)?;
    println!(
        "trustee {}: {} partial decryptions with proofs written to {}",
        share.index(),
        items.len(),
        a.out.display()
    );
    Ok(())
}

/// Reads a trustee's key share (DIR/share.json).
///
/// # Errors
/// [`ThresholdError::Io`] or a malformed or inconsistent file.
pub fn load_share(dir: &Path) -> ThresholdResult<TrusteeShare> {
    TrusteeShare::from_secret_json(&read_secret(&dir.join(SHARE))?)
}

/// Writes a trustee's key share to DIR/share.json (0600), as `finalize` does: `simulate` and
/// the demo use it with the shares of [`crate::threshold::run_local_ceremony`].
///
/// # Errors
/// [`ThresholdError::Io`].
pub fn save_share(dir: &Path, share: &TrusteeShare) -> ThresholdResult<()> {
    write_secret(&dir.join(SHARE), &share.to_secret_json()?)
}
