//! The JavaScript binding (built by wasm-pack into `pkg/`): thin wrappers around the core
//! types, no cryptography of its own.
//!
//! Every function returns `Result<_, JsValue>`; a failure reaches JavaScript as a thrown
//! `Error` whose `code` property is a stable code of [`Error::code`] (or `INTERNAL` when the
//! binding itself fails, which it should not). Nothing here panics: a panic inside wasm is an
//! `unreachable` trap in the voter's browser.
//!
//! Every argument arrives as a `JsValue` and is checked here: a value of the wrong JavaScript
//! type throws `MALFORMED_JSON` (wasm-bindgen's own string glue would trap on a number), and a
//! string longer than [`MAX_INPUT_LENGTH`] throws `INPUT_TOO_LARGE` before it is copied into
//! wasm memory.
//!
//! Objects (`Election`, `SealedBallot`) cannot be checked here: the generated glue passes an
//! object's address from its public `__wbg_ptr` property, and wasm-bindgen makes it a
//! reference before this code runs, so a forged or wrong-class object would be read from
//! whatever memory it names. The package's entry point is therefore not the generated glue
//! but `src/facade.js` (installed by `scripts/facade.mjs`), which holds each glue object in a
//! private `WeakMap` and throws `WRONG_OBJECT` or `FREED_OBJECT` before anything reaches wasm;
//! it says why at length.
//!
//! Structured values cross the boundary as JSON text parsed by the JavaScript engine
//! (`JSON.parse` / `JSON.stringify`): in Chromium that builds the ballot-style view about
//! twice as fast as serde-wasm-bindgen does, and keeps the module 5.6 KB smaller
//! (`docs/wasm-builds.md`, `bench/boundary.mjs`). Their TypeScript shapes are declared below.
//! The module itself calls no browser API (the worker is the package's JavaScript,
//! `src/worker.js`), so it needs no web-sys.

use serde::Serialize;
use wasm_bindgen::prelude::*;
use zeroize::{Zeroize, Zeroizing};

use crate::ballot::{normalize_short_code, Ballot, Challenge, Selections};
use crate::credential::{check_code, CodeCheck, Credential};
use crate::error::Error;
use crate::manifest::Text;
use crate::receipt::{Receipt, SignedHead};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A display text in English and Urdu. */
export interface Text { en: string; ur: string }

/** One candidate on the ballot. `party` and `partyName` are null for an independent. */
export interface OptionView {
  id: string;
  name: Text;
  party: string | null;
  partyName: Text | null;
  /** The electoral symbol's id; the page draws `symbols/<symbol>.svg`. */
  symbol: string;
}

/** One contest (seat) of a ballot style, options in ballot order. */
export interface ContestView {
  id: string;
  name: Text;
  minSelections: number;
  maxSelections: number;
  options: OptionView[];
}

/** What one group of voters sees: its contests in ballot order. */
export interface BallotStyleView {
  id: string;
  name: Text;
  contests: ContestView[];
}

/** The state of a partly or fully typed credential code. */
export interface CodeStatus {
  status: 'incomplete' | 'invalid-character' | 'too-long' | 'typo' | 'valid';
  /** Symbols typed so far (status 'incomplete'). */
  typed?: number;
  /** 0-based symbol position of the bad character (status 'invalid-character'). */
  position?: number;
}

/** A voter's choices: for each contest id, the selected option ids. */
export type Selections = { [contestId: string]: string[] };

/** What verifyBallot learned about a valid ballot. */
export interface VerifiedBallot {
  /** Short tracking code, e.g. '7K2M-9QXD-4HRT' */
  trackingCode: string;
  /** 128 hex digits */
  trackingHash: string;
  /** The ballot style id. */
  style: string;
  /** The credential's public key, 64 hex digits. */
  credential: string;
}

/** What verifyReceipt learned about a receipt the election's ballot box signed. */
export interface VerifiedReceipt {
  /** What the box acknowledged: a cast ballot, or a challenged (opened, never counted) one. */
  kind: 'cast' | 'challenge';
  /** Short tracking code, e.g. '7K2M-9QXD-4HRT' */
  trackingCode: string;
  /** 128 hex digits */
  trackingHash: string;
  /** The ballot's number on the public board. */
  index: number;
  /** When the box received the ballot, 'YYYY-MM-DDTHH:MM:SSZ'. */
  received: string;
  /** The board's head just after this entry (128 hex digits): the box vouches for the
   *  whole board up to this ballot. */
  head: string;
}

/** What verifySignedHead learned about a statement of the board's state the election's
 *  ballot box signed (GET /api/head, or the closing statement). */
export interface VerifiedHead {
  /** The number of entries on the board. */
  entries: number;
  /** The board's head (128 hex digits): the last entry's hash. */
  head: string;
  /** Whether the polls were closed. */
  closed: boolean;
  /** When the box signed it, 'YYYY-MM-DDTHH:MM:SSZ'. */
  time: string;
}

/** Every code a thrown error can carry. */
export type ErrorCode =
  | 'MALFORMED_JSON' | 'BAD_ENCODING' | 'NON_CANONICAL' | 'IDENTITY_POINT'
  | 'UNSUPPORTED_VERSION' | 'INVALID_ELECTION' | 'UNKNOWN_CONTEST' | 'UNKNOWN_OPTION'
  | 'UNKNOWN_STYLE' | 'CONTEST_NOT_IN_STYLE' | 'DUPLICATE_SELECTION' | 'OVERVOTE'
  | 'UNDERVOTE' | 'BAD_CREDENTIAL' | 'CREDENTIAL_STYLE' | 'UNKNOWN_CREDENTIAL'
  | 'WRONG_ELECTION' | 'VERIFICATION_FAILED' | 'BALLOT_SPENT' | 'OUT_OF_RANGE'
  | 'INPUT_TOO_LARGE' | 'WRONG_OBJECT' | 'FREED_OBJECT' | 'NOT_INITIALISED'
  | 'MODULE_NOT_FOUND' | 'INTERNAL';

/** The errors this module throws: a plain Error with a stable `code`. */
export interface AmanatError extends Error { code: ErrorCode }

/** True for an error this module threw (any code), false for anything else, including an
 *  Error with a `code` property that did not come from this module. */
export function isAmanatError(value: unknown): value is AmanatError;
"#;

/// Every code an error thrown by this module can carry: those of [`Error::code`], then the
/// binding's own: `INPUT_TOO_LARGE` for a string over [`MAX_INPUT_LENGTH`]; `WRONG_OBJECT`
/// (not an object of the class expected, made by this module) and `FREED_OBJECT` (one whose
/// `free()` was called) and `NOT_INITIALISED` (the web package used before `await init()`
/// completed) and `MODULE_NOT_FOUND` (the web package's `init()` fetched something that is not
/// WebAssembly, such as a server's HTML page for a missing `.wasm`), thrown by the package's
/// entry point `src/facade.js`; and `INTERNAL` for a failure of the binding itself.
pub const ERROR_CODES: [&str; 26] = [
    "MALFORMED_JSON",
    "BAD_ENCODING",
    "NON_CANONICAL",
    "IDENTITY_POINT",
    "UNSUPPORTED_VERSION",
    "INVALID_ELECTION",
    "UNKNOWN_CONTEST",
    "UNKNOWN_OPTION",
    "UNKNOWN_STYLE",
    "CONTEST_NOT_IN_STYLE",
    "DUPLICATE_SELECTION",
    "OVERVOTE",
    "UNDERVOTE",
    "BAD_CREDENTIAL",
    "CREDENTIAL_STYLE",
    "UNKNOWN_CREDENTIAL",
    "WRONG_ELECTION",
    "VERIFICATION_FAILED",
    "BALLOT_SPENT",
    "OUT_OF_RANGE",
    "INPUT_TOO_LARGE",
    "WRONG_OBJECT",
    "FREED_OBJECT",
    "NOT_INITIALISED",
    "MODULE_NOT_FOUND",
    "INTERNAL",
];

/// A JavaScript `Error` with `message` and a `code` property.
fn js_error(code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    // Setting a property on a fresh, unfrozen Error cannot fail; if it somehow did, the
    // error still carries its message.
    let _ = js_sys::Reflect::set(&err, &"code".into(), &code.into());
    err.into()
}

fn throw(e: Error) -> JsValue {
    js_error(e.code(), &e.to_string())
}

/// The longest string any entry point takes, in UTF-16 code units (JavaScript's `length`):
/// 16 Mi, so at most 48 MiB once copied as UTF-8. The largest legitimate input, the election
/// of a general election with hundreds of candidates, is well under 1 MiB; a ballot is about
/// 30 KiB, and the ballot box refuses request bodies over 256 KiB.
pub const MAX_INPUT_LENGTH: u32 = 16 * 1024 * 1024;

/// A string argument. Anything else (a number, an object, `undefined`) throws `MALFORMED_JSON`
/// here rather than reaching wasm-bindgen's string-passing glue, which traps on it.
fn string_arg(value: &JsValue, what: &str) -> Result<String, JsValue> {
    let text = value
        .dyn_ref::<js_sys::JsString>()
        .ok_or_else(|| throw(Error::MalformedJson(format!("{what} must be a string"))))?;
    copy_in(text, what)
}

/// Copies a JavaScript string into wasm memory, or throws `INPUT_TOO_LARGE` if it is longer
/// than [`MAX_INPUT_LENGTH`]. The length is read from the JavaScript string itself, before
/// anything is copied: wasm memory only ever grows, so a 512 MiB string copied once would
/// keep the module at that size for the life of the page (and a failed allocation on the way
/// is a trap).
fn copy_in(text: &js_sys::JsString, what: &str) -> Result<String, JsValue> {
    let length = text.length();
    if length > MAX_INPUT_LENGTH {
        return Err(js_error(
            "INPUT_TOO_LARGE",
            &format!(
                "input too large: {what} is {length} characters long, over the limit of \
                 {MAX_INPUT_LENGTH}"
            ),
        ));
    }
    text.as_string()
        .ok_or_else(|| internal("could not read a string argument"))
}

fn internal(what: &str) -> JsValue {
    js_error("INTERNAL", what)
}

/// Serializes through JSON text into a plain JavaScript value.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|_| internal("could not encode a result"))?;
    js_sys::JSON::parse(&text).map_err(|_| internal("could not decode a result"))
}

/// Reads the voter's selections from a JavaScript value via `JSON.stringify`, whose text is
/// held to [`MAX_INPUT_LENGTH`] like any string argument.
fn selections_from_js(value: &JsValue) -> Result<Selections, JsValue> {
    // `JSON.stringify` gives `undefined` for `undefined`, a function or a symbol, throws a
    // TypeError for a cycle or a BigInt, and a RangeError for text longer than a JavaScript
    // string can be or nesting deeper than its stack.
    let json = match js_sys::JSON::stringify(value) {
        Ok(json) if json.is_string() => json,
        Err(e) if e.has_type::<js_sys::RangeError>() => {
            return Err(js_error(
                "INPUT_TOO_LARGE",
                "input too large: the selections are too long or too deep to write as JSON",
            ))
        }
        _ => {
            return Err(throw(Error::MalformedJson(
                "selections must be an object { contestId: [optionId, ...] }".into(),
            )))
        }
    };
    let text = Zeroizing::new(copy_in(&json, "the selections as JSON")?);
    crate::encoding::from_json(&text).map_err(|e| {
        throw(Error::MalformedJson(format!(
            "selections must be an object {{ contestId: [optionId, ...] }}: {e}"
        )))
    })
}

/// A validated election: its manifest, keys and base hash. Made only by `Election.fromJson`;
/// a method called on anything else, or an argument that should be an `Election` and is not,
/// throws `WRONG_OBJECT`, and any use after `free()` throws `FREED_OBJECT`.
#[wasm_bindgen(js_name = Election)]
pub struct JsElection {
    inner: crate::Election,
}

#[wasm_bindgen(js_class = Election)]
impl JsElection {
    /// Parses and validates an election from its JSON text.
    ///
    /// Throws `MALFORMED_JSON`, `INVALID_ELECTION`, `UNSUPPORTED_VERSION`, `BAD_ENCODING`,
    /// `NON_CANONICAL` or `IDENTITY_POINT`.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
    ) -> Result<JsElection, JsValue> {
        crate::Election::from_json(&string_arg(&json, "the election JSON")?)
            .map(|inner| JsElection { inner })
            .map_err(throw)
    }

    /// The election as JSON text.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The election base hash, 128 hex digits.
    #[wasm_bindgen(getter, js_name = baseHash)]
    pub fn base_hash(&self) -> String {
        self.inner.base_hash().to_hex()
    }

    /// The public key of the ballot box that signs receipts, 64 hex digits.
    #[wasm_bindgen(getter, js_name = ballotBoxKey)]
    pub fn ballot_box_key(&self) -> String {
        self.inner.ballot_box_key().to_hex()
    }

    /// The election id from the manifest.
    #[wasm_bindgen(getter, js_name = electionId)]
    pub fn election_id(&self) -> String {
        self.inner.manifest().election_id.clone()
    }

    /// The election's title in English and Urdu.
    #[wasm_bindgen(getter, unchecked_return_type = "Text")]
    pub fn title(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.manifest().title)
    }

    /// The ids of the ballot styles, in manifest order.
    #[wasm_bindgen(getter, js_name = styleIds)]
    pub fn style_ids(&self) -> Vec<String> {
        self.inner
            .manifest()
            .ballot_styles
            .iter()
            .map(|s| s.id.clone())
            .collect()
    }

    /// Everything the page needs to draw one ballot style. Throws `UNKNOWN_STYLE`.
    #[wasm_bindgen(js_name = ballotStyle, unchecked_return_type = "BallotStyleView")]
    pub fn ballot_style(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id = string_arg(&id, "the ballot style id")?;
        to_js(&style_view(&self.inner, &id).map_err(throw)?)
    }

    /// The ballot style id a credential code votes. Throws `BAD_CREDENTIAL`.
    #[wasm_bindgen(js_name = styleForCode)]
    pub fn style_for_code(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
    ) -> Result<String, JsValue> {
        let code = Zeroizing::new(string_arg(&code, "the credential code")?);
        let credential = Credential::from_code(&self.inner, &code).map_err(throw)?;
        self.inner
            .manifest()
            .ballot_styles
            .get(usize::from(credential.style_index()))
            .map(|s| s.id.clone())
            .ok_or_else(|| throw(Error::Credential("the code is not for this election")))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OptionView<'a> {
    id: &'a str,
    name: &'a Text,
    party: Option<&'a str>,
    party_name: Option<&'a Text>,
    symbol: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContestView<'a> {
    id: &'a str,
    name: &'a Text,
    min_selections: u32,
    max_selections: u32,
    options: Vec<OptionView<'a>>,
}

#[derive(Serialize)]
struct StyleView<'a> {
    id: &'a str,
    name: &'a Text,
    contests: Vec<ContestView<'a>>,
}

fn style_view<'a>(election: &'a crate::Election, id: &str) -> Result<StyleView<'a>, Error> {
    let manifest = election.manifest();
    let style = manifest.style(id)?;
    let contests = manifest.style_contests(id)?;
    let party_name = |party: &str| {
        manifest
            .parties
            .iter()
            .find(|p| p.id == party)
            .map(|p| &p.name)
    };
    Ok(StyleView {
        id: &style.id,
        name: &style.name,
        contests: contests
            .into_iter()
            .map(|c| ContestView {
                id: &c.id,
                name: &c.name,
                min_selections: c.min_selections,
                max_selections: c.max_selections,
                options: c
                    .options
                    .iter()
                    .map(|o| OptionView {
                        id: &o.id,
                        name: &o.name,
                        party: o.party.as_deref(),
                        party_name: o.party.as_deref().and_then(party_name),
                        symbol: &o.symbol,
                    })
                    .collect(),
            })
            .collect(),
    })
}

#[derive(Serialize)]
struct CodeStatus {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    typed: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<usize>,
}

/// Checks a credential code as the voter types it (hyphens and spaces ignored).
#[wasm_bindgen(js_name = checkCredentialCode, unchecked_return_type = "CodeStatus")]
pub fn check_credential_code(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsValue> {
    let text = Zeroizing::new(string_arg(&text, "the credential code")?);
    let (status, typed, position) = match check_code(&text) {
        CodeCheck::Incomplete { typed } => ("incomplete", Some(typed), None),
        CodeCheck::InvalidCharacter { position } => ("invalid-character", None, Some(position)),
        CodeCheck::TooLong => ("too-long", None, None),
        CodeCheck::Typo => ("typo", None, None),
        CodeCheck::Valid => ("valid", None, None),
    };
    to_js(&CodeStatus {
        status,
        typed,
        position,
    })
}

/// The public key (lowercase hex) of the credential a code stands for in election
/// `electionId` (`Election.electionId`): the key the published credential list holds if the
/// code is this election's. Public, so a page may ask the ballot box whether it is listed
/// (`GET /api/credentials/<key>`) before the voter fills in the ballot. Throws
/// `BAD_CREDENTIAL` for a code that does not check, `MALFORMED_JSON` for a non-string.
#[wasm_bindgen(js_name = credentialPublicKey)]
pub fn credential_public_key(
    #[wasm_bindgen(js_name = electionId, unchecked_param_type = "string")] election_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
) -> Result<String, JsValue> {
    let election_id = string_arg(&election_id, "the election id")?;
    let code = Zeroizing::new(string_arg(&code, "the credential code")?);
    Credential::public_key_of_code(&election_id, &code)
        .map(|key| key.to_hex())
        .map_err(throw)
}

/// A sealed ballot on the voter's device: the ballot plus the secrets needed to challenge it.
///
/// `cast()` or `challenge()` uses it up; after that every use throws `BALLOT_SPENT`.
/// `free()` wipes the secrets; after that every use throws `FREED_OBJECT`. Made only by
/// `seal`; a method called on anything else throws `WRONG_OBJECT`.
#[wasm_bindgen(js_name = SealedBallot)]
pub struct JsSealedBallot {
    inner: Option<crate::SealedBallot>,
}

impl JsSealedBallot {
    fn live(&self) -> Result<&crate::SealedBallot, JsValue> {
        self.inner.as_ref().ok_or_else(|| throw(Error::Spent))
    }

    fn take(&mut self) -> Result<crate::SealedBallot, JsValue> {
        self.inner.take().ok_or_else(|| throw(Error::Spent))
    }
}

#[wasm_bindgen(js_class = SealedBallot)]
impl JsSealedBallot {
    /// The short tracking code: 12 symbols in three groups, e.g. `7K2M-9QXD-4HRT`.
    #[wasm_bindgen(getter, js_name = trackingCode)]
    pub fn tracking_code(&self) -> Result<String, JsValue> {
        Ok(self.live()?.tracking().short())
    }

    /// The full tracking hash, 128 hex digits.
    #[wasm_bindgen(getter, js_name = trackingHash)]
    pub fn tracking_hash(&self) -> Result<String, JsValue> {
        Ok(self.live()?.tracking().full())
    }

    /// The sealed ballot as JSON: no secrets, safe to store and send.
    #[wasm_bindgen(getter, js_name = ballotJson)]
    pub fn ballot_json(&self) -> Result<String, JsValue> {
        Ok(self.live()?.ballot().to_json())
    }

    /// Casts: returns the ballot JSON to submit, wipes the seed and choices and spends the
    /// handle.
    pub fn cast(&mut self) -> Result<String, JsValue> {
        Ok(self.take()?.cast().to_json())
    }

    /// Challenges: returns the challenge JSON (the seed and choices, for anyone to check the
    /// encryption) and spends the handle. A challenged ballot must never be cast.
    pub fn challenge(&mut self) -> Result<String, JsValue> {
        Ok(self.take()?.challenge().to_json())
    }
}

/// Seals the voter's selections with the credential behind `code`, with a fresh random seed.
///
/// Throws `BAD_CREDENTIAL`, `MALFORMED_JSON` (selections of the wrong shape),
/// `UNKNOWN_CONTEST`, `CONTEST_NOT_IN_STYLE`, `UNKNOWN_OPTION`, `DUPLICATE_SELECTION`,
/// `OVERVOTE` or `UNDERVOTE`.
#[wasm_bindgen]
pub fn seal(
    election: &JsElection,
    #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Selections")] selections: JsValue,
) -> Result<JsSealedBallot, JsValue> {
    let code = Zeroizing::new(string_arg(&code, "the credential code")?);
    let credential = Credential::from_code(&election.inner, &code).map_err(throw)?;
    let mut selections = selections_from_js(&selections)?;
    let sealed = crate::SealedBallot::seal(
        &election.inner,
        &credential,
        &selections,
        &mut rand_core::OsRng,
    );
    selections.values_mut().for_each(Zeroize::zeroize);
    sealed
        .map(|sealed| JsSealedBallot {
            inner: Some(sealed),
        })
        .map_err(throw)
}

/// Checks a challenged ballot's reveal against the ballot and returns the revealed choices.
///
/// Throws `VERIFICATION_FAILED` (a ciphertext does not match, or the reveal is for another
/// ballot), `WRONG_ELECTION`, `MALFORMED_JSON` or an encoding error.
#[wasm_bindgen(js_name = checkChallenge, unchecked_return_type = "Selections")]
pub fn check_challenge(
    election: &JsElection,
    #[wasm_bindgen(unchecked_param_type = "string")] ballot: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] challenge: JsValue,
) -> Result<JsValue, JsValue> {
    let ballot = Ballot::from_json(&string_arg(&ballot, "the ballot JSON")?).map_err(throw)?;
    let challenge =
        Challenge::from_json(&string_arg(&challenge, "the challenge JSON")?).map_err(throw)?;
    to_js(&challenge.check(&election.inner, &ballot).map_err(throw)?)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifiedBallot {
    tracking_code: String,
    tracking_hash: String,
    style: String,
    credential: String,
}

/// Verifies a ballot against the election: binding, style, every proof and the signature.
/// Does not consult the credential list (the ballot box does).
///
/// Throws `VERIFICATION_FAILED`, `WRONG_ELECTION`, `UNKNOWN_STYLE`, `MALFORMED_JSON`,
/// `UNSUPPORTED_VERSION` or an encoding error.
#[wasm_bindgen(js_name = verifyBallot, unchecked_return_type = "VerifiedBallot")]
pub fn verify_ballot(
    election: &JsElection,
    #[wasm_bindgen(unchecked_param_type = "string")] ballot: JsValue,
) -> Result<JsValue, JsValue> {
    let ballot = Ballot::from_json(&string_arg(&ballot, "the ballot JSON")?).map_err(throw)?;
    ballot.verify(&election.inner).map_err(throw)?;
    let tracking = ballot.tracking();
    to_js(&VerifiedBallot {
        tracking_code: tracking.short(),
        tracking_hash: tracking.full(),
        style: ballot.style.clone(),
        credential: ballot.credential.to_hex(),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifiedReceipt {
    kind: &'static str,
    tracking_code: String,
    tracking_hash: String,
    index: u64,
    received: String,
    head: String,
}

/// Verifies a receipt (the JSON the ballot box returned for a cast or a challenged ballot)
/// against the
/// election: that it is for this election, that its short code and time are well formed, and
/// that the ballot box key the election fixes signed it.
///
/// Throws `WRONG_ELECTION`, `VERIFICATION_FAILED` (an inconsistent receipt or a signature that
/// does not verify), `MALFORMED_JSON` or an encoding error (`BAD_ENCODING`, `NON_CANONICAL`).
#[wasm_bindgen(js_name = verifyReceipt, unchecked_return_type = "VerifiedReceipt")]
pub fn verify_receipt(
    election: &JsElection,
    #[wasm_bindgen(unchecked_param_type = "string")] receipt: JsValue,
) -> Result<JsValue, JsValue> {
    let receipt = Receipt::from_json(&string_arg(&receipt, "the receipt JSON")?).map_err(throw)?;
    receipt.verify(&election.inner).map_err(throw)?;
    to_js(&VerifiedReceipt {
        kind: receipt.kind.as_str(),
        tracking_code: receipt.short,
        tracking_hash: receipt.tracking.to_hex(),
        index: receipt.index,
        received: receipt.received,
        head: receipt.head.to_hex(),
    })
}

#[derive(Serialize)]
struct VerifiedHead {
    entries: u64,
    head: String,
    closed: bool,
    time: String,
}

/// Verifies a signed head (the ballot box's statement of its board's state, §8.4: `GET
/// /api/head`, or the closing statement) against the election: for this election, a time of
/// the board's form, signed by the ballot box key the election fixes. An observer archives
/// such heads; two that verify and disagree prove the box showed two boards.
///
/// Throws `WRONG_ELECTION`, `VERIFICATION_FAILED`, `MALFORMED_JSON` or an encoding error.
#[wasm_bindgen(js_name = verifySignedHead, unchecked_return_type = "VerifiedHead")]
pub fn verify_signed_head(
    election: &JsElection,
    #[wasm_bindgen(unchecked_param_type = "string")] head: JsValue,
) -> Result<JsValue, JsValue> {
    let head = SignedHead::from_json(&string_arg(&head, "the signed head JSON")?).map_err(throw)?;
    head.verify(&election.inner).map_err(throw)?;
    to_js(&VerifiedHead {
        entries: head.entries,
        head: head.head.to_hex(),
        closed: head.closed,
        time: head.time,
    })
}

/// Normalises a typed short tracking code to its canonical form (e.g. `7K2M-9QXD-4HRT`).
/// Throws `BAD_ENCODING`.
#[wasm_bindgen(js_name = normalizeTrackingCode)]
pub fn normalize_tracking_code(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<String, JsValue> {
    normalize_short_code(&string_arg(&text, "the tracking code")?).map_err(throw)
}

/// Every code a thrown error can carry.
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "ErrorCode[]")]
pub fn error_codes() -> Vec<String> {
    ERROR_CODES.iter().map(|c| c.to_string()).collect()
}

/// The protocol version this module implements, `amanat/2`.
#[wasm_bindgen(js_name = protocolVersion)]
pub fn protocol_version() -> String {
    crate::PROTOCOL.to_string()
}
