//! The JavaScript binding: thin wrappers, no checks of their own (see the crate's doc).

use amanat::{BoardEntry, CredentialList, Election};
use amanat_record::board::BoardHeader;
use amanat_record::documents::names;
use amanat_record::{check_batch, BatchOutcome, Verifier};
use wasm_bindgen::prelude::*;

use crate::lines::{checks_from_json, checks_to_json, parse_lines, Failure};

/// The longest document or line taken, in UTF-16 code units: 1 Gi (a credential list of
/// six million voters is about 550 MB of JSON). Longer throws `INPUT_TOO_LARGE` before
/// anything is copied into wasm memory.
const MAX_TEXT: u32 = 1 << 30;

fn js_error(code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    // Setting a property on a fresh, unfrozen Error cannot fail; if it did, the error
    // still carries its message.
    let _ = js_sys::Reflect::set(&err, &"code".into(), &code.into());
    err.into()
}

fn throw(f: Failure) -> JsValue {
    js_error(f.code, &f.message)
}

fn text(value: &JsValue, what: &str) -> Result<String, JsValue> {
    let s = value
        .dyn_ref::<js_sys::JsString>()
        .ok_or_else(|| js_error("MALFORMED_JSON", &format!("{what} must be a string")))?;
    if s.length() > MAX_TEXT {
        return Err(js_error(
            "INPUT_TOO_LARGE",
            &format!("{what} is {} characters long, over {MAX_TEXT}", s.length()),
        ));
    }
    s.as_string()
        .ok_or_else(|| js_error("INTERNAL", "could not read a string argument"))
}

fn lines_of(value: &JsValue) -> Result<Vec<String>, JsValue> {
    let array = value
        .dyn_ref::<js_sys::Array>()
        .ok_or_else(|| js_error("MALFORMED_JSON", "lines must be an array of strings"))?;
    array.iter().map(|l| text(&l, "a board line")).collect()
}

fn line_number(value: f64) -> Result<u64, JsValue> {
    if value.is_finite() && value >= 1.0 && value.fract() == 0.0 && value < 9.0e15 {
        Ok(value as u64)
    } else {
        Err(js_error(
            "MALFORMED_JSON",
            "a line number must be a positive integer",
        ))
    }
}

/// A document: its text (a string), or why it could not be read (an object whose `error`
/// is a string, e.g. `{error: "tally.json: not found (HTTP 404)"}`).
fn document(value: &JsValue, name: &str) -> Result<Result<String, String>, JsValue> {
    if value.is_string() {
        return text(value, name).map(Ok);
    }
    let why = js_sys::Reflect::get(value, &"error".into())
        .ok()
        .and_then(|e| e.as_string());
    match why {
        Some(why) => Ok(Err(amanat_record::error::bounded(&why))),
        None => Err(js_error(
            "MALFORMED_JSON",
            &format!("{name} must be its text or {{error: string}}"),
        )),
    }
}

/// Consecutive entries of the board, parsed by [`RecordVerifier::parse_batch`].
#[wasm_bindgen]
pub struct Batch {
    entries: Vec<BoardEntry>,
}

#[wasm_bindgen]
impl Batch {
    /// How many entries.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> u32 {
        self.entries.len() as u32
    }
}

/// What a checking worker needs for a batch besides its lines
/// ([`RecordVerifier::plan_batch`]).
#[wasm_bindgen]
pub struct Plan {
    credentials: String,
    sum: Vec<u8>,
}

#[wasm_bindgen]
impl Plan {
    /// The part of the credential list the batch's ballots need, as JSON.
    pub fn credentials(&self) -> String {
        self.credentials.clone()
    }

    /// Per line, 1 when its ballot goes into the sums (V8), else 0.
    pub fn sum(&self) -> Vec<u8> {
        self.sum.clone()
    }
}

/// The verifier of one record (see the crate's doc).
#[wasm_bindgen]
pub struct RecordVerifier {
    inner: Verifier,
}

#[wasm_bindgen]
impl RecordVerifier {
    /// Parses the record's small documents and runs V1–V3. Each argument is the document's
    /// text or `{error}` saying why it could not be read.
    ///
    /// # Errors
    /// `MALFORMED_JSON` for an argument of neither form; `INPUT_TOO_LARGE`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        election: JsValue,
        ceremony: JsValue,
        credentials: JsValue,
        tally: JsValue,
        decryption: JsValue,
        results: JsValue,
    ) -> Result<RecordVerifier, JsValue> {
        let docs = [
            (names::ELECTION, &election),
            (names::CEREMONY, &ceremony),
            (names::CREDENTIALS, &credentials),
            (names::TALLY, &tally),
            (names::DECRYPTION, &decryption),
            (names::RESULTS, &results),
        ];
        // Every argument's form and size first, without copying any text in.
        for (name, value) in &docs {
            if let Some(s) = value.dyn_ref::<js_sys::JsString>() {
                if s.length() > MAX_TEXT {
                    return Err(js_error(
                        "INPUT_TOO_LARGE",
                        &format!("{name} is {} characters long, over {MAX_TEXT}", s.length()),
                    ));
                }
            } else {
                document(value, name).map(drop)?;
            }
        }
        // Then one document's text in this module's memory at a time: the credential list
        // and the tally grow with the voters, and WebAssembly memory never shrinks.
        let inner = Verifier::read(|name| {
            let value = docs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
            match value.map(|v| document(v, name)) {
                Some(Ok(doc)) => doc,
                Some(Err(_)) | None => Err(format!("{name}: could not be read")),
            }
        });
        Ok(RecordVerifier { inner })
    }

    /// Whether ballots are checked (V1 and V3 passed): otherwise no worker is needed.
    #[wasm_bindgen(js_name = checksBallots)]
    pub fn checks_ballots(&self) -> bool {
        self.inner.checks_ballots()
    }

    /// The board's first line (without its newline). Returns how many entries it says
    /// follow.
    ///
    /// # Errors
    /// The header's parse error (code of the core): the checks that need the board then
    /// report it, and the board is not read further.
    #[wasm_bindgen(js_name = beginBoard)]
    pub fn begin_board(&mut self, line: JsValue) -> Result<f64, JsValue> {
        let line = text(&line, "the board's first line")?;
        match BoardHeader::parse(&line) {
            Ok(header) => {
                let n = header.entries as f64;
                self.inner.begin_board(Ok(header));
                Ok(n)
            }
            Err(e) => {
                let why = format!("{}: {e} [{}]", names::BOARD, e.code());
                self.inner.begin_board(Err(why.clone()));
                Err(js_error(e.code(), &why))
            }
        }
    }

    /// The board has no line at all: the checks that need the board report it as
    /// `amanat verify` does.
    #[wasm_bindgen(js_name = emptyBoard)]
    pub fn empty_board(&mut self) {
        let e = amanat_record::board::empty_board();
        self.inner
            .board_failed(format!("{}: {e} [{}]", names::BOARD, e.code()));
    }

    /// The board could not be read to its end (`why`, e.g. `board.jsonl: line 9 does not
    /// end with a newline`): the checks that need the board report it.
    #[wasm_bindgen(js_name = boardFailed)]
    pub fn board_failed(&mut self, why: &str) {
        self.inner.board_failed(amanat_record::error::bounded(why));
    }

    /// Parses consecutive entry lines (`firstLine` is the first's 1-based line number in
    /// `board.jsonl`) into a batch, to be checked here (`checkHere`): for a record whose
    /// ballots are not checked (V1 or V3 failed), where no worker is needed.
    ///
    /// # Errors
    /// The first line that does not parse, with its number and code (the board is then
    /// failed, as with `boardFailed`).
    #[wasm_bindgen(js_name = parseBatch)]
    pub fn parse_batch(&mut self, lines: JsValue, first_line: f64) -> Result<Batch, JsValue> {
        let lines = lines_of(&lines)?;
        match parse_lines(&lines, line_number(first_line)?) {
            Ok(entries) => Ok(Batch { entries }),
            Err(f) => {
                self.inner.board_failed(f.message.clone());
                Err(throw(f))
            }
        }
    }

    /// Plans a batch of entry lines for a `BatchChecker` (`checkBatch`), without parsing
    /// their ballots; the lines are then pushed with `pushOutcome`, in board order. Only
    /// when `checksBallots()`.
    ///
    /// # Errors
    /// `INTERNAL` when ballots are not checked (use `parseBatch` then).
    #[wasm_bindgen(js_name = planBatch)]
    pub fn plan_batch(&mut self, lines: JsValue) -> Result<Plan, JsValue> {
        let lines = lines_of(&lines)?;
        let plan = self.inner.plan_batch(&lines);
        let list = plan
            .credentials
            .ok_or_else(|| js_error("INTERNAL", "planBatch: the ballots are not checked"))?;
        Ok(Plan {
            credentials: serde_json::to_string(&list)
                .map_err(|e| js_error("INTERNAL", &format!("cannot encode the list: {e}")))?,
            sum: plan.sum.into_iter().map(u8::from).collect(),
        })
    }

    /// A planned batch's outcome from a `BatchChecker` (JSON), the next `lines` entries in
    /// board order.
    ///
    /// # Errors
    /// `MALFORMED_JSON` when it is not the outcome of a batch of `lines` entries, or its
    /// sums not of this election.
    #[wasm_bindgen(js_name = pushOutcome)]
    pub fn push_outcome(&mut self, outcome: &str, lines: u32) -> Result<(), JsValue> {
        let bad = |why: String| js_error("MALFORMED_JSON", &format!("a worker's outcome: {why}"));
        let o: BatchOutcome = serde_json::from_str(outcome).map_err(|e| bad(e.to_string()))?;
        if o.checks.len() != lines as usize || o.summaries.len() != lines as usize {
            return Err(bad(format!("not of a batch of {lines} entries")));
        }
        self.inner
            .push_summaries(&o.summaries, o.checks, &o.sums)
            .map_err(|e| bad(e.to_string()))
    }

    /// The batch's checks made here, in this thread, as JSON (for a record whose ballots are
    /// not checked, or a page without workers).
    ///
    /// # Errors
    /// `INTERNAL` if the checks cannot be encoded.
    #[wasm_bindgen(js_name = checkHere)]
    pub fn check_here(&self, batch: &Batch) -> Result<String, JsValue> {
        checks_to_json(&self.inner.entry_checks(&batch.entries)).map_err(throw)
    }

    /// The batch (consumed) with its checks (JSON from a `BatchChecker` or `checkHere`), the
    /// next in board order.
    ///
    /// # Errors
    /// `MALFORMED_JSON` when the checks are not those of this batch.
    pub fn push(&mut self, batch: Batch, checks: &str) -> Result<(), JsValue> {
        let checks = checks_from_json(checks, batch.entries.len()).map_err(throw)?;
        self.inner.push(&batch.entries, checks);
        Ok(())
    }

    /// The report (consumed verifier), the document `amanat verify --json` prints, as JSON.
    ///
    /// # Errors
    /// `INTERNAL` if it cannot be encoded.
    pub fn finish(self) -> Result<String, JsValue> {
        serde_json::to_string(&self.inner.finish())
            .map_err(|e| js_error("INTERNAL", &format!("cannot encode the report: {e}")))
    }
}

/// A checking worker's half: the expensive checks of one batch at a time.
#[wasm_bindgen]
pub struct BatchChecker {
    election: Election,
}

#[wasm_bindgen]
impl BatchChecker {
    /// From `election.json`'s text.
    ///
    /// # Errors
    /// The core's error for an election that does not parse.
    #[wasm_bindgen(constructor)]
    pub fn new(election: JsValue) -> Result<BatchChecker, JsValue> {
        let election = Election::from_json(&text(&election, names::ELECTION)?)
            .map_err(|e| js_error(e.code(), &e.to_string()))?;
        Ok(BatchChecker { election })
    }

    /// A planned batch's whole share (`RecordVerifier.planBatch`): its lines (`firstLine`
    /// as in `parseBatch`) parsed and checked against the plan's part of the credential
    /// list, each entry summarized, and the sums of the entries `sum` marks; as JSON for
    /// `pushOutcome`.
    ///
    /// # Errors
    /// A line that does not parse, with its number and code, as `board.jsonl: line N: …`
    /// (the error's `board` property is `true`: the board is then failed with its message);
    /// a list that does not parse.
    #[wasm_bindgen(js_name = checkBatch)]
    pub fn check_batch(
        &self,
        lines: JsValue,
        first_line: f64,
        credentials: JsValue,
        sum: Vec<u8>,
    ) -> Result<String, JsValue> {
        let entries = parse_lines(&lines_of(&lines)?, line_number(first_line)?).map_err(|f| {
            let err = throw(f);
            let _ = js_sys::Reflect::set(&err, &"board".into(), &true.into());
            err
        })?;
        if sum.len() != entries.len() {
            return Err(js_error("MALFORMED_JSON", "one sum mark per line"));
        }
        let list = CredentialList::from_json(&text(&credentials, names::CREDENTIALS)?)
            .map_err(|e| js_error(e.code(), &e.to_string()))?;
        let sum: Vec<bool> = sum.into_iter().map(|s| s != 0).collect();
        serde_json::to_string(&check_batch(&self.election, &list, &entries, &sum))
            .map_err(|e| js_error("INTERNAL", &format!("cannot encode the outcome: {e}")))
    }
}
