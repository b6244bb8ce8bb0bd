//! Autobahn|Testsuite-compatible `index.json`:
//! `{agent: {case id: {behavior, behaviorClose, remoteCloseCode, duration,
//! reportfile}}}`, so dashboards and scripts written for Autobahn read our
//! runs unchanged. Our single combined outcome is mapped onto Autobahn's two
//! verdicts; `reportfile` points at the case in the HTML report.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::results::{CaseResult, RunResults};
use crate::results::{Outcome, Reason};

/// File name of the HTML report the `reportfile` fields point into.
pub const HTML_FILE: &str = "report.html";

/// One case in Autobahn's vocabulary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AutobahnCase {
    /// `OK`, `NON-STRICT`, `INFORMATIONAL`, `UNIMPLEMENTED` or `FAILED`.
    pub behavior: &'static str,
    /// `OK`, `INFORMATIONAL`, `WRONG CODE`, `UNCLEAN` or `FAILED`.
    #[serde(rename = "behaviorClose")]
    pub behavior_close: &'static str,
    /// The close code the server sent.
    #[serde(rename = "remoteCloseCode")]
    pub remote_close_code: Option<u16>,
    /// Milliseconds.
    pub duration: u64,
    /// Where the case's details are.
    pub reportfile: String,
}

/// Maps a result onto Autobahn's `behavior` / `behaviorClose`.
pub fn autobahn_verdict(outcome: Outcome, reason: Option<Reason>) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Pass => ("OK", "OK"),
        Outcome::NonStrict => ("NON-STRICT", "OK"),
        Outcome::Informational => ("INFORMATIONAL", "INFORMATIONAL"),
        Outcome::Unimplemented => ("UNIMPLEMENTED", "OK"),
        Outcome::Fail => ("FAILED", close_verdict(reason)),
        Outcome::Error => ("FAILED", "FAILED"),
    }
}

/// How a failure reads in Autobahn's closing-handshake column.
fn close_verdict(reason: Option<Reason>) -> &'static str {
    match reason {
        Some(Reason::WrongCloseCode) => "WRONG CODE",
        Some(Reason::Unclean | Reason::DroppedWithoutClose) => "UNCLEAN",
        // The close was right; the messages or frames before it were not.
        Some(Reason::EchoMismatch | Reason::UnexpectedFrame | Reason::InvalidServerFrame) => "OK",
        _ => "FAILED",
    }
}

/// The anchor of a case in the HTML report.
pub fn case_anchor(agent: &str, id: &str) -> String {
    let slug: String = agent
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("case-{slug}-{id}")
}

/// One case, mapped.
pub fn autobahn_case(agent: &str, c: &CaseResult) -> AutobahnCase {
    let (behavior, behavior_close) = autobahn_verdict(c.outcome, c.reason);
    AutobahnCase {
        behavior,
        behavior_close,
        remote_close_code: c.close_code,
        duration: c.duration_ms,
        reportfile: format!("{HTML_FILE}#{}", case_anchor(agent, &c.id)),
    }
}

struct Agents<'a>(&'a [RunResults]);
struct Cases<'a>(&'a RunResults);

impl Serialize for Agents<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for run in self.0 {
            map.serialize_entry(&run.agent, &Cases(run))?;
        }
        map.end()
    }
}

impl Serialize for Cases<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.cases.len()))?;
        for c in &self.0.cases {
            map.serialize_entry(&c.id, &autobahn_case(&self.0.agent, c))?;
        }
        map.end()
    }
}

/// The `index.json` of one or more runs (cases in catalogue order).
pub fn autobahn_index(runs: &[RunResults]) -> String {
    let mut s = serde_json::to_string_pretty(&Agents(runs)).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_mapping() {
        let v = |o, r| autobahn_verdict(o, r);
        assert_eq!(v(Outcome::Pass, None), ("OK", "OK"));
        assert_eq!(
            v(Outcome::Fail, Some(Reason::WrongCloseCode)),
            ("FAILED", "WRONG CODE")
        );
        assert_eq!(
            v(Outcome::Fail, Some(Reason::Unclean)),
            ("FAILED", "UNCLEAN")
        );
        assert_eq!(
            v(Outcome::Fail, Some(Reason::NoClose)),
            ("FAILED", "FAILED")
        );
        assert_eq!(
            v(Outcome::Error, Some(Reason::Connection)),
            ("FAILED", "FAILED")
        );
        assert_eq!(case_anchor("my server", "4.1.1"), "case-my_server-4.1.1");
    }
}
