//! Outcome counts and the order outcomes are listed in, shared by the
//! terminal, Markdown and HTML writers.

use std::collections::BTreeMap;

use crate::results::{CaseResult, Outcome};

/// Outcomes in report order.
pub const OUTCOMES: [Outcome; 6] = [
    Outcome::Pass,
    Outcome::NonStrict,
    Outcome::Informational,
    Outcome::Unimplemented,
    Outcome::Fail,
    Outcome::Error,
];

/// Outcome counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts(pub BTreeMap<Outcome, usize>);

impl Counts {
    /// Counts the outcomes of `cases`.
    pub fn of<'a>(cases: impl IntoIterator<Item = &'a CaseResult>) -> Counts {
        let mut m = BTreeMap::new();
        for c in cases {
            *m.entry(c.outcome).or_insert(0) += 1;
        }
        Counts(m)
    }

    /// How many cases had `outcome`.
    pub fn get(&self, outcome: Outcome) -> usize {
        self.0.get(&outcome).copied().unwrap_or(0)
    }

    /// `12 PASS, 1 FAIL` (zero counts left out).
    pub fn line(&self) -> String {
        let parts: Vec<String> = OUTCOMES
            .iter()
            .filter(|o| self.get(**o) > 0)
            .map(|o| format!("{} {o}", self.get(*o)))
            .collect();
        if parts.is_empty() {
            "no cases".into()
        } else {
            parts.join(", ")
        }
    }
}
