//! The one place a [`CaseResult`] is built: a case's catalogue facts, its
//! verdict, and the bounded wire log of what was observed.

use std::time::Duration;

use crate::catalog::Case;
use crate::codec::deflate::Direction;
use crate::results::{
    Attempt, CaseResult, DeflateDirection, DeflateResult, DeflateVolume, Verdict, WIRE_ENTRIES,
    WireEntry, hex,
};
use crate::session::{Compressed, Observed, WireFrame};

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
        deflate: observed.and_then(deflate_of),
    }
}

/// The permessage-deflate record of an observation: the agreement (or the
/// decline) and the compressed traffic both ways.
pub fn deflate_of(obs: &Observed) -> Option<DeflateResult> {
    if obs.deflate_declined {
        return Some(DeflateResult::declined());
    }
    let a = obs.deflate?;
    let dir = |d: Direction| DeflateDirection {
        window_bits: d.window_bits,
        no_context_takeover: d.no_context_takeover,
    };
    Some(DeflateResult {
        declined: false,
        offer: a.offer.to_string(),
        agreed: a.response.to_string(),
        client_to_server: Some(dir(a.client_to_server())),
        server_to_client: Some(dir(a.server_to_client())),
        sent: volume(obs.deflate_sent),
        received: volume(obs.deflate_received),
    })
}

fn volume(c: Compressed) -> DeflateVolume {
    DeflateVolume {
        messages: c.messages,
        wire_bytes: c.wire,
        inflated_bytes: c.inflated,
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
