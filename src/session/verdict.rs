//! The pure verdict function: expectation (from the model) + what was
//! observed → one combined outcome, with requirement / expected / actual.
//! Events and close are judged together: a server that ignores a reserved
//! opcode shows the "right" events and still fails. One function for both
//! roles of the peer; where the RFC binds a server and a client apart
//! (masking, who closes TCP) the peer's role decides.

mod bomb;
mod end;
mod events;
mod grade;
mod negotiation;

use super::config::Declared;
use super::observe::{Observed, SeenEvent, describe_seen};
use super::plan::Plan;
use crate::catalog::{HandshakeExpect, Judge};
use crate::codec::{CloseCode, Role, explain};
use crate::model::{End, Reaction};
use crate::results::{Outcome, Reason, Verdict};

/// One part of a verdict: outcome, reason, detail.
pub(super) type Part = (Outcome, Option<Reason>, String);

pub(super) fn pass() -> Part {
    (Outcome::Pass, None, String::new())
}

/// What the verdict needs to know besides the observation.
#[derive(Clone, Copy, Debug)]
pub struct Judging<'a> {
    /// The endpoint under test.
    pub peer: Role,
    /// How the case is judged.
    pub judge: Judge,
    /// The handshake answer owed (handshake cases).
    pub handshake: Option<&'a HandshakeExpect>,
    /// The case made concrete, with the model's expectation.
    pub plan: &'a Plan,
    /// What the user declared the peer accepts.
    pub declared: Declared,
    /// The tester's 101 answered with permessage-deflate parameters of the
    /// case's choosing rather than the peer's own offer (21.1 under
    /// `serve`): a client that does not support them must fail the
    /// connection (RFC 7692 §7), which leaves the case UNIMPLEMENTED.
    pub chosen_response: bool,
}

/// Judges one case against a `peer` (the endpoint under test), with no
/// declared limits.
pub fn judge(
    peer: Role,
    judge: Judge,
    handshake: Option<&HandshakeExpect>,
    plan: &Plan,
    obs: &Observed,
) -> Verdict {
    let ctx = Judging {
        peer,
        judge,
        handshake,
        plan,
        declared: Declared::default(),
        chosen_response: false,
    };
    judge_with(&ctx, obs)
}

/// Judges one case.
pub fn judge_with(ctx: &Judging<'_>, obs: &Observed) -> Verdict {
    let mut v = judge_inner(ctx, obs);
    if v.actual.is_empty() {
        v.actual = describe_observed(obs);
    }
    v.close_code = obs.close.as_ref().and_then(|c| c.code).map(|c| c.0);
    v
}

fn judge_inner(ctx: &Judging<'_>, obs: &Observed) -> Verdict {
    let (peer, plan) = (ctx.peer, ctx.plan);
    match ctx.handshake {
        Some(HandshakeExpect::Reject { statuses, header }) => {
            return judge_rejection(statuses, *header, obs);
        }
        Some(HandshakeExpect::ClientFails(rule)) => {
            return negotiation::judge_client_fails(rule, obs);
        }
        Some(HandshakeExpect::Decline(rule)) => {
            if let Some(v) = negotiation::judge_decline(rule, obs) {
                return v;
            }
        }
        _ => {}
    }
    // As client the tester performed the opening handshake; as server it
    // accepted it before the session started.
    let opened = obs.handshake_status == Some(101) && obs.handshake_error.is_none();
    if peer == Role::Server && !opened {
        let actual = match (obs.handshake_status, &obs.handshake_error) {
            (_, Some(e)) => e.clone(),
            (Some(s), None) => format!("HTTP {s}"),
            (None, None) => "no handshake response".into(),
        };
        return Verdict::new(
            Outcome::Fail,
            Some(Reason::Handshake),
            "101 Switching Protocols with a valid Sec-WebSocket-Accept".into(),
            actual,
        );
    }
    if obs.deflate_declined {
        // RFC 7692 §5: declining an offer is the peer's right; the case
        // cannot run without the extension.
        return Verdict::new(
            Outcome::Unimplemented,
            None,
            "permessage-deflate accepted".into(),
            "the peer declined permessage-deflate".into(),
        );
    }
    if ctx.chosen_response && peer == Role::Client && negotiation::dropped_on_the_101(obs) {
        return negotiation::unsupported_response(obs);
    }
    if let Some(v) = obs.invalid.first() {
        let who = peer_name(peer);
        return invalid_frame(
            peer,
            format!("{who} frame breaks {v}: \"{}\"", v.requirement()),
        );
    }
    if let (Role::Client, Some((key, frame))) = (peer, obs.reused_key) {
        // RFC 6455 §5.3: "the client MUST pick a fresh masking key from
        // the set of allowed 32-bit values."
        let k: String = key.iter().map(|b| format!("{b:02x}")).collect();
        return invalid_frame(
            peer,
            format!(
                "client frame {} reuses the masking key {k} of an earlier frame (RFC 6455 §5.3: \"the client MUST pick a fresh masking key\")",
                frame + 1
            ),
        );
    }
    if let Some(n) = obs.oversize {
        let who = peer_name(peer);
        return Verdict::new(
            Outcome::Fail,
            Some(Reason::UnexpectedFrame),
            describe_expectation(plan, peer),
            format!("{who} sent {n} bytes in one frame or message, more than any reply owed"),
        );
    }
    let actual = describe_observed(obs);
    let expected = describe_expectation(plan, peer);
    let (outcome, reason, detail) = match ctx.judge {
        Judge::Informational => (Outcome::Informational, None, String::new()),
        Judge::ModelUnlessContextReset if context_reset(ctx, obs) => {
            (Outcome::Informational, None, String::new())
        }
        Judge::Survive => pass(),
        Judge::Bomb => bomb::judge_bomb(ctx, obs),
        Judge::NoReply if !obs.events.is_empty() => (
            Outcome::Fail,
            Some(Reason::UnexpectedFrame),
            "replied to an incomplete frame".into(),
        ),
        Judge::NoReply => pass(),
        Judge::Model | Judge::FailFast | Judge::ModelOrTooBig | Judge::ModelUnlessContextReset => {
            judge_model(ctx, obs)
        }
    };
    let actual = if detail.is_empty() {
        actual
    } else {
        format!("{detail}; {actual}")
    };
    Verdict::new(outcome, reason, expected, actual)
}

/// Whether the agreement lets the peer decompress each of the tester's
/// messages with an empty window. RFC 7692 §7.2.2: "If the "agreed
/// parameters" contain the "client_no_context_takeover" extension
/// parameter, the server MAY decompress each new message with an empty LZ77
/// sliding window. Otherwise, the server MUST decompress each new message
/// using the LZ77 sliding window used to process the last compressed
/// message."
fn context_reset(ctx: &Judging<'_>, obs: &Observed) -> bool {
    obs.deflate
        .is_some_and(|a| a.receiving(ctx.peer).no_context_takeover)
}

fn peer_name(peer: Role) -> &'static str {
    match peer {
        Role::Server => "server",
        Role::Client => "client",
    }
}

/// A frame of the peer breaks a rule for its role.
fn invalid_frame(peer: Role, actual: String) -> Verdict {
    let (reason, expected) = match peer {
        Role::Server => (
            Reason::InvalidServerFrame,
            "every frame the server sends follows RFC 6455 for a server",
        ),
        Role::Client => (
            Reason::InvalidClientFrame,
            "every frame the client sends follows RFC 6455 for a client",
        ),
    };
    Verdict::new(Outcome::Fail, Some(reason), expected.into(), actual)
}

fn judge_rejection(statuses: &[u16], header: Option<(&str, &str)>, obs: &Observed) -> Verdict {
    let expected = match header {
        Some((k, val)) => format!("HTTP {statuses:?} with {k}: {val}"),
        None => format!("HTTP {statuses:?}"),
    };
    let has_header = header.is_none_or(|(k, val)| {
        obs.handshake_headers
            .iter()
            .any(|(n, x)| n.eq_ignore_ascii_case(k) && x.split(',').any(|t| t.trim() == val))
    });
    let (outcome, actual) = match obs.handshake_status {
        None => (
            Outcome::Fail,
            format!(
                "no HTTP response ({})",
                obs.handshake_error.clone().unwrap_or_default()
            ),
        ),
        Some(101) => (
            Outcome::Fail,
            "101: accepted a request it must refuse".into(),
        ),
        Some(s) if statuses.contains(&s) && has_header => (Outcome::Pass, format!("HTTP {s}")),
        Some(s) if (400..500).contains(&s) && has_header => {
            (Outcome::NonStrict, format!("HTTP {s}"))
        }
        Some(s) => (
            Outcome::Fail,
            format!(
                "HTTP {s}{}",
                if has_header {
                    ""
                } else {
                    " without the required header"
                }
            ),
        ),
    };
    let reason = (outcome != Outcome::Pass).then_some(Reason::Handshake);
    Verdict::new(outcome, reason, expected, actual)
}

/// Events and end judged together: the end decides first (not failing the
/// connection is the graver miss); a refusal for size lets the events owed
/// for what was refused be missing. When both fail, the end only unclean
/// and an event the peer sent wrong, that event goes first: it is a fact of
/// the bytes, while whether the connection was seen to end cleanly after it
/// depends on when the peer reset, so the same server gets the same reason
/// on every run.
pub(super) fn judge_model(ctx: &Judging<'_>, obs: &Observed) -> Part {
    let end = end::judge_end(ctx, obs);
    let refused = end.1 == Some(Reason::ServerLimit);
    let judged = events::judge_events(&ctx.plan.expectation.events, obs, refused);
    let events = judged.part;
    let content_first =
        judged.seen_wrong && events.0 == Outcome::Fail && end.1 == Some(Reason::Unclean);
    let worst = if end.0 >= events.0 && !content_first {
        end
    } else {
        events.clone()
    };
    match (worst.0, events.0) {
        (Outcome::Fail, Outcome::Fail) if worst.1 != events.1 => {
            (worst.0, worst.1, format!("{}; {}", worst.2, events.2))
        }
        _ => worst,
    }
}

pub(super) fn fmt_code(code: Option<CloseCode>) -> String {
    code.map_or("a Close without status code".into(), |c| {
        format!("Close {c}")
    })
}

/// For 1013/1011/1000 where a protocol error code was owed, say what they mean.
pub(super) fn code_note(code: Option<CloseCode>) -> String {
    match code {
        Some(c @ CloseCode(1013 | 1012 | 1011 | 1001)) => {
            format!(" ({c} means: {})", explain(c).meaning)
        }
        _ => String::new(),
    }
}

pub(super) fn describe_reaction(r: &Reaction) -> String {
    match r {
        Reaction::Message { opcode, payload } => format!("{opcode}({} B)", payload.len()),
        Reaction::Pong(p) => format!("pong({} B)", p.len()),
        other => format!("{other:?}"),
    }
}

pub(super) fn describe_event(e: &SeenEvent) -> String {
    describe_seen(&e.event)
}

/// What a conforming `peer` does, in words.
pub fn describe_expectation(plan: &Plan, peer: Role) -> String {
    let exp = &plan.expectation;
    // A client need not close TCP itself: the server does (§7.1.1).
    let and_close_tcp = match peer {
        Role::Server => " and close TCP",
        Role::Client => "",
    };
    let mut parts: Vec<String> = exp
        .events
        .iter()
        .map(|e| describe_reaction(&e.reaction))
        .collect();
    parts.push(match &exp.end {
        End::TesterCloses => format!("answer the tester's Close with 1000{and_close_tcp}"),
        End::CloseReply { codes, .. } => {
            format!("answer the Close with {}{and_close_tcp}", list(codes))
        }
        End::Fail { frame, failure, .. } => format!(
            "fail the connection with Close {} on frame {} ({})",
            list(&failure.codes),
            frame + 1,
            failure.violation
        ),
    });
    parts.join(", then ")
}

fn list(codes: &[CloseCode]) -> String {
    codes
        .iter()
        .map(|c| c.0.to_string())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// What the peer did, in words.
pub fn describe_observed(obs: &Observed) -> String {
    let mut parts: Vec<String> = obs.events.iter().map(describe_event).collect();
    if parts.is_empty() {
        parts.push("no messages".into());
    }
    match &obs.close {
        Some(c) if c.after_tester_close => {
            parts.push(format!("answered the Close with {}", fmt_code(c.code)))
        }
        Some(c) => parts.push(format!(
            "closed with {} after {} frame(s)",
            fmt_code(c.code),
            c.frames_sent
        )),
        None => parts.push("no Close".into()),
    }
    parts.push(
        match (obs.eof, obs.tester_closed_tcp, obs.lingered, obs.timed_out) {
            (true, _, _, _) => "TCP closed",
            (false, true, _, _) => "TCP closed by the tester",
            (false, false, true, _) => "TCP left open",
            (false, false, false, true) => "timed out",
            _ => "TCP open",
        }
        .into(),
    );
    parts.join("; ")
}

#[cfg(test)]
mod tests;
