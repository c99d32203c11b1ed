//! The record's documents other than the board (docs/record.md §3, §4): `tally.json`,
//! `decryption.json` and `results.json`, and the names of a record's files.

use std::collections::BTreeMap;

use amanat::{Ciphertext, Digest, Point};
use serde::{Deserialize, Serialize};

use crate::threshold::TrusteeDecryption;

/// The files of a record directory (docs/record.md §4).
pub mod names {
    /// The election definition (manifest inside).
    pub const ELECTION: &str = "election.json";
    /// The public credential list.
    pub const CREDENTIALS: &str = "credentials.json";
    /// The key ceremony transcript.
    pub const CEREMONY: &str = "ceremony.json";
    /// The bulletin board, JSON Lines.
    pub const BOARD: &str = "board.jsonl";
    /// The aggregates and the counted ballots.
    pub const TALLY: &str = "tally.json";
    /// The trustees' decryption shares and the combined values.
    pub const DECRYPTION: &str = "decryption.json";
    /// The counts.
    pub const RESULTS: &str = "results.json";
}

/// Votes per option id, per contest id.
pub type Counts = BTreeMap<String, BTreeMap<String, u64>>;

/// `results.json`: `{"results": {contest id: {option id: votes}}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsFile {
    /// The counts.
    pub results: Counts,
}

/// One aggregate's combined value `vG`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combined {
    /// `"<contest>/<option>"`.
    pub label: String,
    /// `b − Σ λ_j D_j`, which is `v·G` for the count `v`.
    pub value: Point,
}

/// `decryption.json`: the participating trustees' documents, as they produced them, and the
/// combined values, in the tally's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decryption {
    /// The election base hash.
    pub election: Digest,
    /// Each participating trustee's decryption shares, by trustee index.
    pub trustees: Vec<TrusteeDecryption>,
    /// The combined values.
    pub combined: Vec<Combined>,
}

/// One option's aggregate ciphertext.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionTally {
    /// The option id.
    pub id: String,
    /// The sum of the option's ciphertexts over the counted ballots of the contest.
    pub ciphertext: Ciphertext,
}

/// One contest's aggregates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestTally {
    /// The contest id.
    pub id: String,
    /// How many counted ballots hold this contest.
    pub ballots: u64,
    /// The options, in manifest order.
    pub options: Vec<OptionTally>,
}

/// A cast entry that is not counted because its ballot does not verify or it breaks a board
/// rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rejected {
    /// The board index.
    pub index: u64,
    /// The tracking hash.
    pub tracking: Digest,
    /// Why: the core error code of a ballot that does not verify (e.g.
    /// `VERIFICATION_FAILED`, `UNKNOWN_CREDENTIAL`), or the board rule it breaks
    /// ([`crate::counting::REPLAYED`], [`crate::counting::CHALLENGED`]).
    pub code: String,
}

/// `tally.json`: the aggregates and which ballots they count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    /// The election base hash.
    pub election: Digest,
    /// The head of the board that was tallied.
    pub board_head: Digest,
    /// How many entries the board had.
    pub board_entries: u64,
    /// Aggregates per contest, in manifest order.
    pub contests: Vec<ContestTally>,
    /// Tracking hashes of the counted ballots, in board order.
    pub counted: Vec<Digest>,
    /// Tracking hashes of valid cast ballots replaced by a later ballot of the same
    /// credential, in board order.
    pub superseded: Vec<Digest>,
    /// Tracking hashes of challenged ballots, in board order.
    pub challenged: Vec<Digest>,
    /// Cast entries that do not verify or break a board rule (an honest ballot box never
    /// posts one; listed, not counted).
    pub rejected: Vec<Rejected>,
}

/// The label of one option's aggregate in partial decryptions: `"<contest>/<option>"`.
pub fn label(contest: &str, option: &str) -> String {
    format!("{contest}/{option}")
}

impl Tally {
    /// Every aggregate with its label, in order: what the trustees decrypt.
    pub fn items(&self) -> Vec<(String, Ciphertext)> {
        self.contests
            .iter()
            .flat_map(|c| {
                c.options
                    .iter()
                    .map(|o| (label(&c.id, &o.id), o.ciphertext))
            })
            .collect()
    }
}
