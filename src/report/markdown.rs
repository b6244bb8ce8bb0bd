//! Markdown summary for a CI job summary or a pull-request comment: a
//! counts table (one column per agent) and every case that is not PASS with
//! its reason and close code.

use std::fmt::Write;

use super::counts::{Counts, OUTCOMES};
use super::deflate::{agreed_cell, deflate_cases, ratio_cell};
use crate::codec::{CloseCode, explain};
use crate::results::Outcome;
use crate::results::{CaseResult, RunResults};

/// Rows of non-PASS cases listed per agent before the rest is summarised.
const MAX_ROWS: usize = 200;

/// The Markdown summary of one or more runs.
pub fn markdown(runs: &[RunResults]) -> String {
    let mut out = String::from("## wsgauntlet conformance\n\n");
    counts_table(&mut out, runs);
    for run in runs {
        not_pass_table(&mut out, run);
        deflate_table(&mut out, run);
    }
    out
}

/// The cases that offered permessage-deflate: agreement, compression ratio
/// each way (wire bytes per inflated byte), time.
fn deflate_table(out: &mut String, run: &RunResults) {
    let rows = deflate_cases(&run.cases);
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n#### permessage-deflate — {}\n", cell(&run.agent));
    let _ = writeln!(
        out,
        "| Case | Outcome | Agreed | Ratio sent | Ratio received | ms |"
    );
    let _ = writeln!(out, "|---|---|---|---:|---:|---:|");
    for (c, d) in rows.iter().take(MAX_ROWS) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&c.id),
            c.outcome,
            cell(&agreed_cell(d)),
            ratio_cell(d.sent.ratio()),
            ratio_cell(d.received.ratio()),
            c.duration_ms
        );
    }
    if rows.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "\n…and {} more (see the HTML report).",
            rows.len() - MAX_ROWS
        );
    }
}

fn counts_table(out: &mut String, runs: &[RunResults]) {
    let agents: Vec<String> = runs.iter().map(|r| cell(&r.agent)).collect();
    let _ = writeln!(out, "| Outcome | {} |", agents.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(runs.len()));
    let counts: Vec<Counts> = runs.iter().map(|r| Counts::of(&r.cases)).collect();
    for o in OUTCOMES {
        let n: Vec<String> = counts.iter().map(|c| c.get(o).to_string()).collect();
        let _ = writeln!(out, "| {o} | {} |", n.join(" | "));
    }
    let totals: Vec<String> = runs.iter().map(|r| r.cases.len().to_string()).collect();
    let _ = writeln!(out, "| **total** | {} |", totals.join(" | "));
}

fn not_pass_table(out: &mut String, run: &RunResults) {
    let rows: Vec<&CaseResult> = run
        .cases
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .collect();
    let _ = writeln!(out, "\n### {} — {}\n", cell(&run.agent), cell(&run.url));
    if rows.is_empty() {
        let _ = writeln!(out, "Every case PASS.");
        return;
    }
    let _ = writeln!(out, "| Case | Outcome | Reason | Close code | Actual |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for c in rows.iter().take(MAX_ROWS) {
        let reason = c.reason.map(|r| r.as_str()).unwrap_or("");
        let _ = writeln!(
            out,
            "| {} | {} | {reason} | {} | {} |",
            cell(&c.id),
            c.outcome,
            close_code(c.close_code),
            cell(&c.actual)
        );
    }
    if rows.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "\n…and {} more (see the HTML report).",
            rows.len() - MAX_ROWS
        );
    }
}

fn close_code(code: Option<u16>) -> String {
    match code {
        None => "none".into(),
        Some(k) => match explain(CloseCode(k)).name {
            Some(name) => format!("{k} {name}"),
            None => k.to_string(),
        },
    }
}

/// Text safe inside a table cell: no line breaks, pipes and markup escaped.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc <x>"), "a\\|b c \\<x\\>");
        assert_eq!(close_code(Some(1013)), "1013 Try Again Later");
        assert_eq!(close_code(None), "none");
    }
}
