//! Comparing runs: a baseline (any earlier `results.json`) against a new
//! run, or two result files with `report diff`. A change to a worse outcome
//! is a regression; to a strictly better one an improvement.

use std::collections::BTreeMap;
use std::fmt;

use super::json::id_order;
use crate::results::{CaseResult, RunResults};
use crate::results::{Outcome, Reason};

/// What a case came to: outcome, reason, close code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The outcome.
    pub outcome: Outcome,
    /// Why it is not PASS.
    pub reason: Option<Reason>,
    /// The close code the server sent.
    pub close_code: Option<u16>,
}

impl Verdict {
    /// The verdict of a case result.
    pub fn of(c: &CaseResult) -> Verdict {
        Verdict {
            outcome: c.outcome,
            reason: c.reason,
            close_code: c.close_code,
        }
    }
}

impl fmt::Display for Verdict {
    /// `PASS`, `FAIL (wrong-close-code 1013)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.outcome)?;
        if self.outcome == Outcome::Pass {
            return Ok(());
        }
        let parts: Vec<String> = self
            .reason
            .map(|r| r.to_string())
            .into_iter()
            .chain(self.close_code.map(|c| c.to_string()))
            .collect();
        if !parts.is_empty() {
            write!(f, " ({})", parts.join(" "))?;
        }
        Ok(())
    }
}

/// How good an outcome is: lower is better. Outcomes of equal rank that
/// differ still count as a change for the worse.
pub fn rank(o: Outcome) -> u8 {
    match o {
        Outcome::Pass => 0,
        Outcome::NonStrict | Outcome::Informational => 1,
        Outcome::Unimplemented => 2,
        Outcome::Fail | Outcome::Error => 3,
    }
}

/// The direction of a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A different outcome that is not strictly better, or a case that
    /// disappeared.
    Regression,
    /// A strictly better outcome.
    Improvement,
    /// The same outcome with another reason or close code.
    Detail,
    /// A case the earlier run did not have.
    Added,
}

/// One case that differs between two runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Case id.
    pub id: String,
    /// Before (`None`: not in the earlier run).
    pub before: Option<Verdict>,
    /// After (`None`: not in the later run).
    pub after: Option<Verdict>,
}

impl Change {
    /// Which way it changed.
    pub fn kind(&self) -> ChangeKind {
        match (self.before, self.after) {
            (None, _) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Regression,
            (Some(b), Some(a)) if a.outcome == b.outcome => ChangeKind::Detail,
            (Some(b), Some(a)) if rank(a.outcome) < rank(b.outcome) => ChangeKind::Improvement,
            _ => ChangeKind::Regression,
        }
    }
}

impl fmt::Display for Change {
    /// `4.1.1: PASS → FAIL (wrong-close-code 1013)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |v: Option<Verdict>| v.map_or("missing".to_string(), |v| v.to_string());
        write!(
            f,
            "{}: {} → {}",
            self.id,
            side(self.before),
            side(self.after)
        )
    }
}

/// Which cases a comparison covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Only the cases of the later run (a gate over a partial selection or
    /// a shard).
    LaterRun,
    /// Every case of either run.
    Both,
}

/// The cases that differ between `before` and `after`, in catalogue order.
pub fn diff(before: &RunResults, after: &RunResults, scope: Scope) -> Vec<Change> {
    let index = |run: &RunResults| -> BTreeMap<String, Verdict> {
        run.cases
            .iter()
            .map(|c| (c.id.clone(), Verdict::of(c)))
            .collect()
    };
    let (b, a) = (index(before), index(after));
    let mut ids: Vec<&String> = a.keys().collect();
    if scope == Scope::Both {
        ids.extend(b.keys().filter(|id| !a.contains_key(*id)));
    }
    ids.sort_by_key(|id| id_order(id));
    ids.into_iter()
        .map(|id| Change {
            id: id.clone(),
            before: b.get(id).copied(),
            after: a.get(id).copied(),
        })
        .filter(|c| c.before != c.after)
        .collect()
}

/// The baseline after accepting `after`'s improvements and new cases:
/// regressions keep the baseline's result.
pub fn updated_baseline(baseline: &RunResults, after: &RunResults) -> RunResults {
    let changes = diff(baseline, after, Scope::LaterRun);
    let mut next = baseline.clone();
    for ch in changes
        .iter()
        .filter(|c| c.kind() != ChangeKind::Regression)
    {
        let Some(new) = after.cases.iter().find(|c| c.id == ch.id) else {
            continue;
        };
        let mut new = new.clone();
        new.wire.clear();
        match next.cases.iter_mut().find(|c| c.id == ch.id) {
            Some(slot) => *slot = new,
            None => next.cases.push(new),
        }
    }
    next.cases.sort_by_key(|c| id_order(&c.id));
    next
}
