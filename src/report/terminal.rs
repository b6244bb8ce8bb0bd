//! The terminal summary: counts per section, then every case that is not
//! PASS with its requirement, expected and actual.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::counts::Counts;
use crate::results::Outcome;
use crate::results::{CaseResult, RunResults};

fn section_key(id: &str) -> (u32, String) {
    let top = id.split('.').next().unwrap_or(id);
    (top.parse().unwrap_or(u32::MAX), top.to_string())
}

/// The summary printed at the end of a run.
pub fn summary(run: &RunResults) -> String {
    let mut out = String::new();
    let mut sections: BTreeMap<(u32, String), Vec<&CaseResult>> = BTreeMap::new();
    for c in &run.cases {
        sections.entry(section_key(&c.id)).or_default().push(c);
    }
    let _ = writeln!(out, "\n{} — {}", run.agent, run.url);
    for ((_, name), cases) in &sections {
        let _ = writeln!(
            out,
            "  section {name:>3}: {:>4} cases  {}",
            cases.len(),
            Counts::of(cases.iter().copied()).line()
        );
    }
    let details: Vec<&CaseResult> = run
        .cases
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .collect();
    if !details.is_empty() {
        let _ = writeln!(out, "\nNot PASS:");
    }
    for c in details {
        let reason = c.reason.map(|r| format!(" ({r})")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {}{reason} — {} [{}]",
            c.outcome,
            c.id,
            c.title,
            crate::results::cite(&c.section)
        );
        if matches!(
            c.outcome,
            Outcome::Fail | Outcome::NonStrict | Outcome::Error
        ) {
            if !c.requirement.is_empty() {
                let _ = writeln!(out, "      requirement: \"{}\"", c.requirement);
            }
            let _ = writeln!(out, "      expected:    {}", c.expected);
        }
        let _ = writeln!(out, "      actual:      {}", c.actual);
        if let Some(d) = &c.deflate {
            let _ = writeln!(out, "      deflate:     {}", d.describe());
        }
    }
    let _ = writeln!(
        out,
        "\n{} cases in {:.1} s: {}",
        run.cases.len(),
        run.duration_ms as f64 / 1000.0,
        Counts::of(&run.cases).line()
    );
    out
}
