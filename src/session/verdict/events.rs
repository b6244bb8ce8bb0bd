//! The events owed (echoes and pongs) against those seen. Only the
//! orderings RFC 6455 fixes are enforced: messages in the order they were
//! sent (the frames of a message in order, §5.4), pongs in the order of
//! their pings (after coalescing, §5.5.3), nothing after Close (checked by
//! the validator). A pong may overtake the echo of an earlier, complete
//! message and an echo may come before a later pong: the echo is the
//! application's, the pong the protocol's.

use super::{Part, describe_event, describe_reaction, pass};
use crate::model::{Expected, Reaction};
use crate::results::{Outcome, Reason};
use crate::session::observe::{Observed, Seen, SeenEvent};

/// The events judged, and whether a failure among them is an event the
/// peer sent (wrong or not owed) rather than one that never came.
pub(super) struct Judged {
    pub(super) part: Part,
    pub(super) seen_wrong: bool,
}

/// Judges the events; `refused`: the endpoint refused the traffic for its
/// size, so what was owed for it may be missing.
pub(super) fn judge_events(expected: &[Expected], obs: &Observed, refused: bool) -> Judged {
    let is_pong = |e: &&Expected| matches!(e.reaction, Reaction::Pong(_));
    let (pongs, messages): (Vec<&Expected>, Vec<&Expected>) = expected.iter().partition(is_pong);
    let (seen_pongs, seen_messages): (Vec<&SeenEvent>, Vec<&SeenEvent>) = obs
        .events
        .iter()
        .partition(|g| matches!(g.event, Seen::Pong(_)));
    let m = judge_stream("message", &messages, &seen_messages, obs, refused, false);
    let p = judge_stream("pong", &pongs, &seen_pongs, obs, refused, true);
    if m.part.0 >= p.part.0 { m } else { p }
}

/// One ordered stream of owed events against the seen ones of that kind.
fn judge_stream(
    kind: &str,
    expected: &[&Expected],
    got: &[&SeenEvent],
    obs: &Observed,
    refused: bool,
    coalescing: bool,
) -> Judged {
    let missing = |part| Judged {
        part,
        seen_wrong: false,
    };
    let wrong = |part| Judged {
        part,
        seen_wrong: true,
    };
    let (mut ei, mut gi, mut coalesced) = (0, 0, 0);
    loop {
        match (expected.get(ei), got.get(gi)) {
            (None, None) => break,
            (Some(e), Some(g)) if same(&e.reaction, &g.event) => (ei, gi) = (ei + 1, gi + 1),
            (Some(_), Some(g)) if coalescing && coalesced_to(expected, ei, &g.event).is_some() => {
                let k = coalesced_to(expected, ei, &g.event).unwrap_or(ei);
                coalesced += k - ei;
                ei = k;
            }
            (Some(e), Some(g)) => {
                let what = format!(
                    "expected {}, got {}",
                    describe_reaction(&e.reaction),
                    describe_event(g)
                );
                let reason = Reason::EchoMismatch;
                return wrong((
                    Outcome::Fail,
                    Some(reason),
                    format!("{kind} {}: {what}", gi + 1),
                ));
            }
            (Some(_), None) if refused => break,
            (Some(_), None) if expected[ei..].iter().all(|e| e.may_be_missing) => {
                let n = expected.len() - ei;
                return missing((
                    Outcome::NonStrict,
                    Some(Reason::MissingEventsBeforeFailure),
                    format!("failed before sending {n} owed event(s)"),
                ));
            }
            (Some(e), None) => {
                let reason = if obs.timed_out {
                    Reason::Timeout
                } else {
                    Reason::EchoMismatch
                };
                let what = describe_reaction(&e.reaction);
                let n = gi + 1;
                return missing((
                    Outcome::Fail,
                    Some(reason),
                    format!("{kind} {n}: expected {what}, got nothing"),
                ));
            }
            (None, Some(g)) => {
                let what = describe_event(g);
                return wrong((
                    Outcome::Fail,
                    Some(Reason::UnexpectedFrame),
                    format!("{kind} {}: unexpected {what}", gi + 1),
                ));
            }
        }
    }
    if coalesced > 0 {
        // RFC 6455 §5.5.3: an endpoint that "has not yet sent Pong frame(s) in
        // response to previous Ping frame(s) … MAY elect to send a Pong frame
        // for only the most recently processed Ping frame."
        let text =
            format!("answered only the latest of several pings ({coalesced} pong(s) coalesced)");
        return missing((Outcome::NonStrict, Some(Reason::PongsCoalesced), text));
    }
    missing(pass())
}

/// When `got` is a pong owed later in the run of pongs starting at `from`,
/// the index of that pong: the ones before it were coalesced.
fn coalesced_to(expected: &[&Expected], from: usize, got: &Seen) -> Option<usize> {
    let Seen::Pong(_) = got else { return None };
    expected[from..]
        .iter()
        .position(|e| same(&e.reaction, got))
        .filter(|k| *k > 0)
        .map(|k| from + k)
}

/// Whether the seen event is the owed one.
pub(super) fn same(e: &Reaction, g: &Seen) -> bool {
    match (e, g) {
        (
            Reaction::Message { opcode, payload },
            Seen::Message {
                opcode: o,
                payload: p,
            },
        ) => opcode == o && p.matches(payload),
        (Reaction::Pong(a), Seen::Pong(b)) => a == b,
        _ => false,
    }
}
