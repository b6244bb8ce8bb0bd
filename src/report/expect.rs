//! Known deviations (`--expect FILE`, TOML): a case-id glob mapped to the
//! outcome the server is known to give and why. Matching cases are reported
//! as expected, not as failures.
//!
//! ```toml
//! "7.9.1" = { outcome = "FAIL", reason = "answers close code 0 with 1000 (issue #12)" }
//!
//! ["6.4.*"]
//! outcome = "NON-STRICT"
//! reason = "validates UTF-8 once the message is complete"
//! ```
//!
//! (TOML: one-line entries go before the first `[table]` entry.)
//!
//! `also = ["PASS"]` names other outcomes the server gives by its own
//! timing (a library whose protocol task and application race); the gate
//! accepts any of them, and so does `scripts/real-servers.sh`.
//!
//! `*` matches any run of characters and `?` one character; the glob must
//! match the whole id. When several globs match, the longest wins.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::results::Outcome;

/// One known deviation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// The case-id glob.
    pub pattern: String,
    /// The outcome the server is known to give.
    pub outcome: Outcome,
    /// Why (free text, shown in reports).
    pub reason: String,
    /// Other outcomes the server gives by its own timing.
    pub also: Vec<Outcome>,
}

/// A known-deviations file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectations(pub Vec<Expectation>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    outcome: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    also: Vec<String>,
}

/// Why a known-deviations file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ExpectError {
    /// Not TOML of the expected shape.
    #[error("not a known-deviations file: {0}")]
    Toml(String),
    /// An outcome name that does not exist.
    #[error(
        "{pattern:?}: unknown outcome {found:?} (PASS, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED, FAIL, ERROR)"
    )]
    Outcome {
        /// The glob.
        pattern: String,
        /// The name given.
        found: String,
    },
}

impl Expectations {
    /// Parses the TOML text of a known-deviations file.
    pub fn parse(text: &str) -> Result<Expectations, ExpectError> {
        let map: BTreeMap<String, Entry> =
            toml::from_str(text).map_err(|e| ExpectError::Toml(e.to_string()))?;
        let mut list = Vec::with_capacity(map.len());
        for (pattern, e) in map {
            let outcome = Outcome::parse(&e.outcome).ok_or_else(|| ExpectError::Outcome {
                pattern: pattern.clone(),
                found: e.outcome.clone(),
            })?;
            let mut also = Vec::with_capacity(e.also.len());
            for name in &e.also {
                also.push(Outcome::parse(name).ok_or_else(|| ExpectError::Outcome {
                    pattern: pattern.clone(),
                    found: name.clone(),
                })?);
            }
            list.push(Expectation {
                pattern,
                outcome,
                reason: e.reason,
                also,
            });
        }
        Ok(Expectations(list))
    }

    /// The most specific expectation whose glob matches `id`.
    pub fn find(&self, id: &str) -> Option<&Expectation> {
        self.0
            .iter()
            .filter(|e| glob_matches(&e.pattern, id))
            .max_by_key(|e| e.pattern.len())
    }
}

/// Whether `glob` (`*`, `?`) matches the whole of `text`.
pub fn glob_matches(glob: &str, text: &str) -> bool {
    let (g, t): (Vec<char>, Vec<char>) = (glob.chars().collect(), text.chars().collect());
    // match_at[j]: glob prefix so far matches text prefix of length j.
    let mut row = vec![false; t.len() + 1];
    row[0] = true;
    for gc in g {
        let mut next = vec![false; t.len() + 1];
        for j in 0..=t.len() {
            next[j] = match gc {
                '*' => row[j] || (j > 0 && next[j - 1]),
                '?' => j > 0 && row[j - 1],
                c => j > 0 && row[j - 1] && t[j - 1] == c,
            };
        }
        row = next;
    }
    row[t.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_ids() {
        assert!(glob_matches("6.4.*", "6.4.1"));
        assert!(!glob_matches("6.4.*", "6.4"));
        assert!(!glob_matches("4.1.1", "4.1.10"));
        assert!(glob_matches("*", "9.1.1"));
        assert!(glob_matches("7.?.1", "7.9.1"));
        assert!(!glob_matches("7.?.1", "7.13.1"));
        assert!(glob_matches("*.1.1", "7.1.1"));
    }

    #[test]
    fn parses_and_picks_the_most_specific() {
        let e = Expectations::parse(
            "\"6.4.*\" = { outcome = \"NON-STRICT\", reason = \"late\" }\n[\"6.*\"]\noutcome = \"FAIL\"\n",
        )
        .unwrap();
        assert_eq!(e.find("6.4.2").unwrap().outcome, Outcome::NonStrict);
        assert_eq!(e.find("6.4.2").unwrap().reason, "late");
        assert_eq!(e.find("6.5.1").unwrap().outcome, Outcome::Fail);
        assert!(e.find("5.1").is_none());
    }

    #[test]
    fn refuses_unknown_outcomes_and_fields() {
        let err = Expectations::parse("[\"1.*\"]\noutcome = \"OK\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown outcome \"OK\""), "{err}");
        assert!(Expectations::parse("[\"1.*\"]\noutcome = \"FAIL\"\nwhy = 1\n").is_err());
    }

    #[test]
    fn also_names_outcomes_a_server_gives_by_its_own_timing() {
        let e = Expectations::parse("[\"3.2\"]\noutcome = \"NON-STRICT\"\nalso = [\"PASS\"]\n")
            .unwrap();
        assert_eq!(e.find("3.2").unwrap().also, [Outcome::Pass]);
        let err =
            Expectations::parse("[\"3.2\"]\noutcome = \"FAIL\"\nalso = [\"MAYBE\"]\n").unwrap_err();
        assert!(err.to_string().contains("MAYBE"), "{err}");
    }
}
