//! The election manifest (docs/protocol.md §3.1): contests, options, parties and ballot styles,
//! validated once at parse time. Every other type takes a validated [`Manifest`].

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hash::Transcript;

/// The most options a contest may have.
pub const MAX_OPTIONS: usize = 255;
/// The most contests, and the most ballot styles (a credential code carries the style index
/// in 16 bits).
pub const MAX_STYLES: usize = 65_535;
/// The longest identifier, in bytes.
pub const MAX_ID_LEN: usize = 64;
/// The longest display name, in bytes.
pub const MAX_NAME_LEN: usize = 256;

/// A display text in English and Urdu.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// English.
    pub en: String,
    /// Urdu.
    pub ur: String,
}

/// A political party.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Identifier, unique among parties.
    pub id: String,
    /// The party's name.
    pub name: Text,
}

/// A candidate (an option of a contest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    /// Identifier, unique within the contest.
    pub id: String,
    /// The candidate's name.
    pub name: Text,
    /// The party's id, or none for an independent candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// The electoral symbol's id (an image the page draws: `symbols/<id>.svg`).
    pub symbol: String,
}

/// One contest (a seat).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contest {
    /// Identifier, unique among contests.
    pub id: String,
    /// The contest's name (e.g. the constituency).
    pub name: Text,
    /// The fewest options a voter must select (0 allows a blank vote).
    pub min_selections: u32,
    /// The most options a voter may select.
    pub max_selections: u32,
    /// The candidates, in ballot order.
    pub options: Vec<Candidate>,
}

/// The contests one group of voters sees (e.g. a National and a Provincial Assembly seat).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BallotStyle {
    /// Identifier, unique among styles.
    pub id: String,
    /// A display name.
    pub name: Text,
    /// Contest ids, in ballot order.
    pub contests: Vec<String>,
}

/// A validated election manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Manifest {
    /// Identifier of the election.
    pub election_id: String,
    /// The election's title.
    pub title: Text,
    /// Parties.
    pub parties: Vec<Party>,
    /// Contests.
    pub contests: Vec<Contest>,
    /// Ballot styles.
    pub ballot_styles: Vec<BallotStyle>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    election_id: String,
    title: Text,
    #[serde(default)]
    parties: Vec<Party>,
    contests: Vec<Contest>,
    ballot_styles: Vec<BallotStyle>,
}

fn bad(msg: String) -> Error {
    Error::InvalidElection(msg)
}

fn check_id(kind: &str, id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(bad(format!(
            "{kind} id {id:?} must be 1 to {MAX_ID_LEN} characters of A-Z, a-z, 0-9, '-', '_', '.'"
        )))
    }
}

fn check_text(what: &str, t: &Text) -> Result<()> {
    for (lang, s) in [("en", &t.en), ("ur", &t.ur)] {
        if s.trim().is_empty() || s.len() > MAX_NAME_LEN {
            return Err(bad(format!(
                "{what}: name.{lang} must be 1 to {MAX_NAME_LEN} bytes"
            )));
        }
    }
    Ok(())
}

fn unique<'a>(kind: &str, ids: impl IntoIterator<Item = &'a str>) -> Result<()> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(bad(format!("duplicate {kind} id {id:?}")));
        }
    }
    Ok(())
}

impl Manifest {
    fn validate(raw: RawManifest) -> Result<Manifest> {
        check_id("election", &raw.election_id)?;
        check_text("election title", &raw.title)?;
        for p in &raw.parties {
            check_id("party", &p.id)?;
            check_text(&format!("party {}", p.id), &p.name)?;
        }
        unique("party", raw.parties.iter().map(|p| p.id.as_str()))?;
        if raw.contests.is_empty() || raw.contests.len() > MAX_STYLES {
            return Err(bad(format!("an election needs 1 to {MAX_STYLES} contests")));
        }
        for c in &raw.contests {
            check_id("contest", &c.id)?;
            check_text(&format!("contest {}", c.id), &c.name)?;
            let n = c.options.len();
            if n == 0 || n > MAX_OPTIONS {
                return Err(bad(format!(
                    "contest {:?} must have 1 to {MAX_OPTIONS} options",
                    c.id
                )));
            }
            if c.max_selections == 0
                || c.max_selections as usize > n
                || c.min_selections > c.max_selections
            {
                return Err(bad(format!(
                    "contest {:?}: limits must satisfy 0 <= min <= max, 1 <= max <= {n} (got min {}, max {})",
                    c.id, c.min_selections, c.max_selections
                )));
            }
            for o in &c.options {
                check_id("option", &o.id)?;
                check_id("symbol", &o.symbol)?;
                check_text(&format!("option {}/{}", c.id, o.id), &o.name)?;
                if let Some(p) = &o.party {
                    if !raw.parties.iter().any(|q| &q.id == p) {
                        return Err(bad(format!(
                            "option {}/{} names unknown party {p:?}",
                            c.id, o.id
                        )));
                    }
                }
            }
            unique(
                &format!("option (in contest {})", c.id),
                c.options.iter().map(|o| o.id.as_str()),
            )?;
        }
        unique("contest", raw.contests.iter().map(|c| c.id.as_str()))?;
        if raw.ballot_styles.is_empty() || raw.ballot_styles.len() > MAX_STYLES {
            return Err(bad(format!(
                "an election needs 1 to {MAX_STYLES} ballot styles"
            )));
        }
        for s in &raw.ballot_styles {
            check_id("ballot style", &s.id)?;
            check_text(&format!("ballot style {}", s.id), &s.name)?;
            if s.contests.is_empty() {
                return Err(bad(format!("ballot style {:?} has no contests", s.id)));
            }
            for c in &s.contests {
                if !raw.contests.iter().any(|k| &k.id == c) {
                    return Err(bad(format!(
                        "ballot style {:?} names unknown contest {c:?}",
                        s.id
                    )));
                }
            }
            unique(
                &format!("contest (in ballot style {})", s.id),
                s.contests.iter().map(|c| c.as_str()),
            )?;
        }
        unique(
            "ballot style",
            raw.ballot_styles.iter().map(|s| s.id.as_str()),
        )?;
        Ok(Manifest {
            election_id: raw.election_id,
            title: raw.title,
            parties: raw.parties,
            contests: raw.contests,
            ballot_styles: raw.ballot_styles,
        })
    }

    /// The contest with this id.
    ///
    /// # Errors
    /// [`Error::UnknownContest`].
    pub fn contest(&self, id: &str) -> Result<&Contest> {
        self.contests
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| Error::UnknownContest(id.to_string()))
    }

    /// The ballot style with this id.
    ///
    /// # Errors
    /// [`Error::UnknownStyle`].
    pub fn style(&self, id: &str) -> Result<&BallotStyle> {
        self.ballot_styles
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| Error::UnknownStyle(id.to_string()))
    }

    /// The contests of a style, in ballot order.
    ///
    /// # Errors
    /// [`Error::UnknownStyle`].
    pub fn style_contests(&self, style: &str) -> Result<Vec<&Contest>> {
        self.style(style)?
            .contests
            .iter()
            .map(|c| self.contest(c))
            .collect()
    }

    /// Writes the manifest into a transcript, field by field (docs/protocol.md §3.1).
    pub(crate) fn absorb(&self, t: &mut Transcript) {
        t.str(&self.election_id);
        absorb_text(t, &self.title);
        t.u32(self.parties.len() as u32);
        for p in &self.parties {
            t.str(&p.id);
            absorb_text(t, &p.name);
        }
        t.u32(self.contests.len() as u32);
        for c in &self.contests {
            t.str(&c.id);
            absorb_text(t, &c.name);
            t.u32(c.min_selections)
                .u32(c.max_selections)
                .u32(c.options.len() as u32);
            for o in &c.options {
                t.str(&o.id);
                absorb_text(t, &o.name);
                t.str(o.party.as_deref().unwrap_or(""));
                t.str(&o.symbol);
            }
        }
        t.u32(self.ballot_styles.len() as u32);
        for s in &self.ballot_styles {
            t.str(&s.id);
            absorb_text(t, &s.name);
            t.u32(s.contests.len() as u32);
            for c in &s.contests {
                t.str(c);
            }
        }
    }
}

fn absorb_text(t: &mut Transcript, x: &Text) {
    t.str(&x.en).str(&x.ur);
}

impl<'de> Deserialize<'de> for Manifest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let raw = RawManifest::deserialize(d)?;
        Manifest::validate(raw).map_err(crate::encoding::field_error)
    }
}
