//! JUnit XML for CI test UIs: one test suite per section, one test case per
//! case id. FAIL is a failure carrying requirement / expected / actual;
//! NON-STRICT and INFORMATIONAL pass with the details in system-out;
//! UNIMPLEMENTED is skipped; ERROR is an error (the tool could not run it).

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::deflate::deflate_fields;
use super::json::by_section;
use crate::codec::{CloseCode, explain};
use crate::results::Outcome;
use crate::results::{CaseResult, RunResults};

/// The JUnit XML document of one run.
pub fn junit(run: &RunResults) -> String {
    let mut report = Report::new(format!("wsgauntlet {}", run.agent));
    report.set_time(Duration::from_millis(run.duration_ms));
    for (top, cases) in by_section(&run.cases) {
        let name = format!("section {top}");
        let mut suite = TestSuite::new(name.clone());
        let time: u64 = cases.iter().map(|c| c.duration_ms).sum();
        suite.set_time(Duration::from_millis(time));
        suite.add_test_cases(cases.iter().map(|c| test_case(&run.agent, &name, c)));
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}

fn test_case(agent: &str, section: &str, c: &CaseResult) -> TestCase {
    let mut tc = TestCase::new(c.id.clone(), status(c));
    tc.set_classname(format!("{agent}.{section}"));
    tc.set_time(Duration::from_millis(c.duration_ms));
    if let Some(d) = &c.deflate {
        for (name, value) in deflate_fields(d) {
            tc.add_property(Property::new(name, value));
        }
    }
    if matches!(c.outcome, Outcome::NonStrict | Outcome::Informational) {
        tc.set_system_out(details(c));
    }
    tc
}

fn status(c: &CaseResult) -> TestCaseStatus {
    let kind = match c.outcome {
        Outcome::Pass | Outcome::NonStrict | Outcome::Informational => {
            return TestCaseStatus::success();
        }
        Outcome::Unimplemented => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!("UNIMPLEMENTED: {}", c.actual));
            return s;
        }
        Outcome::Fail => NonSuccessKind::Failure,
        Outcome::Error => NonSuccessKind::Error,
    };
    let mut s = TestCaseStatus::non_success(kind);
    s.set_message(headline(c));
    if let Some(r) = c.reason {
        s.set_type(r.as_str());
    }
    s.set_description(details(c));
    s
}

/// `FAIL wrong-close-code 1013: <title>`.
fn headline(c: &CaseResult) -> String {
    let reason = c.reason.map(|r| format!(" {r}")).unwrap_or_default();
    let code = c.close_code.map(|k| format!(" {k}")).unwrap_or_default();
    format!("{}{reason}{code}: {}", c.outcome, c.title)
}

/// Requirement / expected / actual, and what the close code means.
pub(super) fn details(c: &CaseResult) -> String {
    let mut lines = vec![format!("{} {}", c.id, headline(c))];
    if !c.requirement.is_empty() {
        lines.push(format!(
            "requirement ({}): \"{}\"",
            crate::results::cite(&c.section),
            c.requirement
        ));
    }
    lines.push(format!("expected: {}", c.expected));
    lines.push(format!("actual:   {}", c.actual));
    if let Some(code) = c.close_code {
        lines.push(format!("close code: {}", close_code_text(code)));
    }
    for (name, value) in c.deflate.iter().flat_map(deflate_fields) {
        lines.push(format!("{name}: {value}"));
    }
    lines.join("\n")
}

/// `1013: Try Again Later: <meaning>` (the meaning starts with the name).
pub(super) fn close_code_text(code: u16) -> String {
    format!("{code}: {}", explain(CloseCode(code)).meaning)
}
