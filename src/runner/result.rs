//! The one place a [`CaseResult`] is built: a case's catalogue facts, its
//! verdict, and the bounded wire log of what was observed.

use std::time::Duration;

use crate::catalog::Case;
use crate::results::{Attempt, CaseResult, Verdict, WIRE_ENTRIES, WireEntry, hex};
use crate::session::{Observed, WireFrame};

/// The catalogue facts of a case, kept for its result.
#[derive(Clone, Debug, Default)]
pub struct CaseMeta {
    /// Case id.
    pub id: String,
    /// What the case sends.
    pub title: String,
    /// RFC section of the requirement.
    pub section: String,
    /// The requirement, quoted.
    pub requirement: String,
}

impl CaseMeta {
    /// The facts of `case`.
    pub fn of(case: &Case) -> CaseMeta {
        CaseMeta {
            id: case.id.clone(),
            title: case.title.clone(),
            section: case.section.to_string(),
            requirement: case.requirement.to_string(),
        }
    }
}

/// The result record of one case.
pub fn case_result(
    meta: &CaseMeta,
    verdict: &Verdict,
    observed: Option<&Observed>,
    duration: Duration,
    throttled: &[u16],
    attempts: &[Attempt],
) -> CaseResult {
    CaseResult {
        id: meta.id.clone(),
        title: meta.title.clone(),
        section: meta.section.clone(),
        requirement: meta.requirement.clone(),
        outcome: verdict.outcome,
        reason: verdict.reason,
        close_code: verdict.close_code,
        duration_ms: duration.as_millis() as u64,
        expected: verdict.expected.clone(),
        actual: verdict.actual.clone(),
        throttled: throttled.to_vec(),
        attempts: attempts.to_vec(),
        wire: wire_of(observed),
    }
}

/// The wire log of an observation, bounded.
pub fn wire_of(obs: Option<&Observed>) -> Vec<WireEntry> {
    obs.map(|o| o.wire.iter().take(WIRE_ENTRIES).map(wire_entry).collect())
        .unwrap_or_default()
}

/// One frame of the session's wire log as a result record.
fn wire_entry(w: &WireFrame) -> WireEntry {
    WireEntry {
        dir: if w.sent { "tx" } else { "rx" }.into(),
        at_ms: w.at_ms,
        fin: w.header.fin,
        rsv: w.header.rsv,
        opcode: w.header.opcode.0,
        mask: w.header.mask.map(hex),
        len: w.header.len.value(),
        len_form: w.header.len.form(),
        payload_head: hex(&w.payload_head),
    }
}
