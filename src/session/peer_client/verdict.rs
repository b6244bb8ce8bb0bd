//! The verdict on a client: its own rules first (every frame masked and
//! valid for a client, no masking key reused within the connection), then
//! the verdict function shared with server testing.

use crate::catalog::Judge;
use crate::session::observe::Observed;
use crate::session::outcome::{Outcome, Reason, Verdict};
use crate::session::plan::Plan;
use crate::session::verdict::{describe_expectation, describe_observed, judge};

/// Judges one case against a client; `reused` is the first masking key
/// seen twice and the index of the frame that reused it.
pub(super) fn client_verdict(
    judge_by: Judge,
    plan: &Plan,
    obs: &Observed,
    reused: Option<([u8; 4], usize)>,
) -> Verdict {
    // A client need not close TCP itself: the server does (§7.1.1).
    let expected = describe_expectation(plan).replace(" and close TCP", "");
    let mut v = if let Some(violation) = obs.invalid.first() {
        let r = violation.requirement();
        invalid(format!("client frame breaks {violation}: \"{r}\""))
    } else if let Some((key, frame)) = reused {
        // RFC 6455 §5.3: "the client MUST pick a fresh masking key from
        // the set of allowed 32-bit values."
        let k: String = key.iter().map(|b| format!("{b:02x}")).collect();
        invalid(format!(
            "client frame {} reuses the masking key {k} of an earlier frame (RFC 6455 §5.3: \"the client MUST pick a fresh masking key\")",
            frame + 1
        ))
    } else if let Some(n) = obs.oversize {
        Verdict::new(
            Outcome::Fail,
            Some(Reason::UnexpectedFrame),
            expected,
            format!("client sent {n} bytes in one frame or message, more than any reply owed"),
        )
    } else {
        let mut v = judge(judge_by, None, plan, obs);
        v.expected = expected;
        v
    };
    if v.actual.is_empty() {
        v.actual = describe_observed(obs);
    }
    v.close_code = obs.close.as_ref().and_then(|c| c.code).map(|c| c.0);
    v
}

fn invalid(actual: String) -> Verdict {
    Verdict::new(
        Outcome::Fail,
        Some(Reason::InvalidClientFrame),
        "every frame the client sends follows RFC 6455 for a client".into(),
        actual,
    )
}
