//! The CI gate: judges a run against a baseline (an earlier results file)
//! and known deviations, and decides the exit code. Without either, every
//! FAIL (and NON-STRICT under `strict`) fails the run; with a baseline only
//! changes for the worse do; a case matching a known deviation with the
//! outcome given there is reported as expected.

use std::fmt::Write;

use super::baseline::{Change, ChangeKind, Verdict, rank};
use super::expect::Expectations;
use crate::results::Outcome;
use crate::results::{CaseResult, RunResults};

/// What the gate compares a run with.
#[derive(Clone, Copy, Debug, Default)]
pub struct GateRules<'a> {
    /// Earlier results; a case that is not in them is judged on its own.
    pub baseline: Option<&'a RunResults>,
    /// Known deviations.
    pub expect: Option<&'a Expectations>,
    /// NON-STRICT fails a case judged on its own.
    pub strict: bool,
}

/// The gate's findings, each a printable line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gate {
    /// Changes for the worse against the baseline (fail the run).
    pub regressions: Vec<String>,
    /// Cases judged on their own that fail the run.
    pub failures: Vec<String>,
    /// ERROR cases judged on their own (the tool could not run them).
    pub errors: Vec<String>,
    /// Changes for the better (against the baseline or a known deviation).
    pub improvements: Vec<String>,
    /// Same outcome, other reason or close code.
    pub details: Vec<String>,
    /// Cases that matched a known deviation.
    pub expected: Vec<String>,
}

impl Gate {
    /// Judges every case of `run`.
    pub fn judge(run: &RunResults, rules: GateRules<'_>) -> Gate {
        let mut gate = Gate::default();
        for c in &run.cases {
            gate.judge_case(c, &rules);
        }
        gate
    }

    fn judge_case(&mut self, c: &CaseResult, rules: &GateRules<'_>) {
        let now = Verdict::of(c);
        if let Some(e) = rules.expect.and_then(|x| x.find(&c.id)) {
            let why = if e.reason.is_empty() {
                String::new()
            } else {
                format!(" — {}", e.reason)
            };
            if e.outcome == c.outcome || e.also.contains(&c.outcome) {
                self.expected
                    .push(format!("{}: {now} as expected{why}", c.id));
                return;
            }
            if rank(c.outcome) < rank(e.outcome) {
                let line = format!("{}: expected {}{why}, now {now}", c.id, e.outcome);
                self.improvements.push(line);
                return;
            }
        }
        let before = rules
            .baseline
            .and_then(|b| b.cases.iter().find(|b| b.id == c.id));
        if let Some(b) = before {
            let change = Change {
                id: c.id.clone(),
                before: Some(Verdict::of(b)),
                after: Some(now),
            };
            let list = match change.kind() {
                _ if change.before == change.after => return,
                ChangeKind::Regression => &mut self.regressions,
                ChangeKind::Improvement => &mut self.improvements,
                _ => &mut self.details,
            };
            list.push(change.to_string());
            return;
        }
        let line = format!("{}: {now}", c.id);
        if c.outcome.fails_run(rules.strict) {
            self.failures.push(line);
        } else if c.outcome == Outcome::Error {
            self.errors.push(line);
        }
    }

    /// 1 on a regression or failure, 2 on an unexplained ERROR, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.regressions.is_empty() || !self.failures.is_empty() {
            1
        } else if !self.errors.is_empty() {
            2
        } else {
            0
        }
    }

    /// The findings for the terminal (regressions, improvements, expected
    /// deviations; the summary already lists failures).
    pub fn render(&self, baseline_path: Option<&str>) -> String {
        let mut out = String::new();
        if let Some(p) = baseline_path {
            let n = self.regressions.len();
            let what = if n == 1 { "regression" } else { "regressions" };
            let _ = writeln!(out, "\nbaseline {p}: {n} {what}");
        }
        section(&mut out, "regressions", &self.regressions);
        section(&mut out, "improvements", &self.improvements);
        section(&mut out, "changed detail (same outcome)", &self.details);
        section(&mut out, "known deviations", &self.expected);
        out
    }
}

fn section(out: &mut String, title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title} ({}):", lines.len());
    for l in lines {
        let _ = writeln!(out, "  {l}");
    }
}
