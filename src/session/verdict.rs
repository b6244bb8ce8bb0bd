//! The pure verdict function: expectation (from the model) + what was
//! observed → one combined outcome, with requirement / expected / actual.
//! Events and close are judged together: a server that ignores a reserved
//! opcode shows the "right" events and still fails. One function for both
//! roles of the peer; where the RFC binds a server and a client apart
//! (masking, who closes TCP) the peer's role decides.

use super::observe::{Observed, Seen, SeenEvent, describe_seen};
use super::plan::Plan;
use crate::catalog::{HandshakeExpect, Judge};
use crate::codec::{CloseCode, Role, explain};
use crate::model::{End, Expected, Failure, Reaction};
use crate::results::{Outcome, Reason, Verdict};

type Part = (Outcome, Option<Reason>, String);

fn pass() -> Part {
    (Outcome::Pass, None, String::new())
}

/// Judges one case against a `peer` (the endpoint under test).
pub fn judge(
    peer: Role,
    judge: Judge,
    handshake: Option<&HandshakeExpect>,
    plan: &Plan,
    obs: &Observed,
) -> Verdict {
    let mut v = judge_inner(peer, judge, handshake, plan, obs);
    if v.actual.is_empty() {
        v.actual = describe_observed(obs);
    }
    v.close_code = obs.close.as_ref().and_then(|c| c.code).map(|c| c.0);
    v
}

fn judge_inner(
    peer: Role,
    judge: Judge,
    handshake: Option<&HandshakeExpect>,
    plan: &Plan,
    obs: &Observed,
) -> Verdict {
    if let Some(HandshakeExpect::Reject { statuses, header }) = handshake {
        return judge_rejection(statuses, *header, obs);
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
    let (outcome, reason, detail) = match judge {
        Judge::Informational => (Outcome::Informational, None, String::new()),
        Judge::Survive => pass(),
        Judge::NoReply if !obs.events.is_empty() => (
            Outcome::Fail,
            Some(Reason::UnexpectedFrame),
            "replied to an incomplete frame".into(),
        ),
        Judge::NoReply => pass(),
        Judge::ModelOrTooBig if too_big_close(obs) => pass(),
        Judge::Model | Judge::FailFast | Judge::ModelOrTooBig => {
            judge_model(peer, judge, plan, obs)
        }
    };
    let actual = if detail.is_empty() {
        actual
    } else {
        format!("{detail}; {actual}")
    };
    Verdict::new(outcome, reason, expected, actual)
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

fn too_big_close(obs: &Observed) -> bool {
    matches!(
        obs.close.as_ref().and_then(|c| c.code),
        Some(CloseCode(1009 | 1008))
    )
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

fn judge_model(peer: Role, judge: Judge, plan: &Plan, obs: &Observed) -> Part {
    let events = judge_events(&plan.expectation.events, obs);
    let end = judge_end(peer, judge, plan, obs);
    // The end decides first: not failing the connection is the graver miss.
    let worst = if end.0 >= events.0 {
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

fn judge_events(expected: &[Expected], obs: &Observed) -> Part {
    let got = &obs.events;
    let (mut ei, mut gi, mut coalesced) = (0, 0, 0);
    loop {
        match (expected.get(ei), got.get(gi)) {
            (None, None) => break,
            (Some(e), Some(g)) if same(&e.reaction, &g.event) => (ei, gi) = (ei + 1, gi + 1),
            (Some(_), Some(g)) if coalesced_to(expected, ei, &g.event).is_some() => {
                let k = coalesced_to(expected, ei, &g.event).unwrap_or(ei);
                coalesced += k - ei;
                ei = k;
            }
            (Some(e), Some(g)) => {
                let reason = if kind_matches(&e.reaction, &g.event) {
                    Reason::EchoMismatch
                } else {
                    Reason::UnexpectedFrame
                };
                let what = format!(
                    "expected {}, got {}",
                    describe_reaction(&e.reaction),
                    describe_event(g)
                );
                return (
                    Outcome::Fail,
                    Some(reason),
                    format!("event {}: {what}", gi + 1),
                );
            }
            (Some(_), None) if expected[ei..].iter().all(|e| e.may_be_missing) => {
                let n = expected.len() - ei;
                return (
                    Outcome::NonStrict,
                    Some(Reason::MissingEventsBeforeFailure),
                    format!("failed before sending {n} owed event(s)"),
                );
            }
            (Some(e), None) => {
                let reason = if obs.timed_out {
                    Reason::Timeout
                } else {
                    Reason::EchoMismatch
                };
                let what = describe_reaction(&e.reaction);
                return (
                    Outcome::Fail,
                    Some(reason),
                    format!("event {}: expected {what}, got nothing", gi + 1),
                );
            }
            (None, Some(g)) => {
                let what = describe_event(g);
                return (
                    Outcome::Fail,
                    Some(Reason::UnexpectedFrame),
                    format!("event {}: unexpected {what}", gi + 1),
                );
            }
        }
    }
    if coalesced > 0 {
        // RFC 6455 §5.5.3: an endpoint that "has not yet sent Pong frame(s) in
        // response to previous Ping frame(s) … MAY elect to send a Pong frame
        // for only the most recently processed Ping frame."
        let text =
            format!("answered only the latest of several pings ({coalesced} pong(s) coalesced)");
        return (Outcome::NonStrict, Some(Reason::PongsCoalesced), text);
    }
    pass()
}

/// When `got` is a pong owed later in the run of consecutive pongs starting
/// at `from`, the index of that pong: the ones before it were coalesced.
fn coalesced_to(expected: &[Expected], from: usize, got: &Seen) -> Option<usize> {
    let Seen::Pong(_) = got else { return None };
    expected[from..]
        .iter()
        .take_while(|e| matches!(e.reaction, Reaction::Pong(_)))
        .position(|e| same(&e.reaction, got))
        .filter(|k| *k > 0)
        .map(|k| from + k)
}

fn same(e: &Reaction, g: &Seen) -> bool {
    match (e, g) {
        (
            Reaction::Message { opcode, payload },
            Seen::Message {
                opcode: o,
                payload: p,
            },
        ) => opcode == o && payload == p,
        (Reaction::Pong(a), Seen::Pong(b)) => a == b,
        _ => false,
    }
}

fn kind_matches(e: &Reaction, g: &Seen) -> bool {
    matches!(
        (e, g),
        (Reaction::Message { .. }, Seen::Message { .. }) | (Reaction::Pong(_), Seen::Pong(_))
    )
}

fn judge_end(peer: Role, judge: Judge, plan: &Plan, obs: &Observed) -> Part {
    match &plan.expectation.end {
        End::TesterCloses => judge_close_reply(peer, &[CloseCode::NORMAL], true, obs),
        End::CloseReply {
            codes, empty_ok, ..
        } => judge_close_reply(peer, codes, *empty_ok, obs),
        End::Fail { frame, failure, .. } => judge_failure(
            judge,
            *frame,
            failure,
            !plan.expectation.tolerable.is_empty(),
            obs,
        ),
    }
}

fn judge_close_reply(peer: Role, codes: &[CloseCode], empty_ok: bool, obs: &Observed) -> Part {
    let Some(close) = &obs.close else {
        return match (obs.eof, obs.tester_closed) {
            (true, true) => (
                Outcome::Fail,
                Some(Reason::Unclean),
                "closed TCP without answering the Close".into(),
            ),
            (true, false) => (
                Outcome::Fail,
                Some(Reason::Unclean),
                "dropped the connection although every frame was valid".into(),
            ),
            _ => (
                Outcome::Fail,
                Some(Reason::NoClose),
                "never answered the Close".into(),
            ),
        };
    };
    if !close.after_tester_close {
        let code = close.code.map_or("no code".to_string(), |c| c.to_string());
        return (
            Outcome::Fail,
            Some(Reason::UnexpectedFrame),
            format!(
                "closed the connection first ({code}) although every frame was valid{}",
                code_note(close.code)
            ),
        );
    }
    let ok = match close.code {
        None => empty_ok,
        Some(c) => codes.contains(&c),
    };
    if !ok {
        return (
            Outcome::Fail,
            Some(Reason::WrongCloseCode),
            format!(
                "answered the Close with {}{}",
                fmt_code(close.code),
                code_note(close.code)
            ),
        );
    }
    // A client need not close TCP itself: the server does (§7.1.1).
    if peer == Role::Server && (obs.lingered || !obs.eof) {
        // RFC 6455 §5.5.1: "The server MUST close the underlying TCP connection immediately".
        return (
            Outcome::Fail,
            Some(Reason::Unclean),
            "kept TCP open after the closing handshake".into(),
        );
    }
    pass()
}

fn judge_failure(
    judge: Judge,
    frame: usize,
    failure: &Failure,
    tolerable: bool,
    obs: &Observed,
) -> Part {
    let Some(close) = &obs.close else {
        return if obs.eof {
            (
                Outcome::NonStrict,
                Some(Reason::DroppedWithoutClose),
                "closed TCP without a Close frame".into(),
            )
        } else {
            (
                Outcome::Fail,
                Some(Reason::NoClose),
                "did not fail the connection".into(),
            )
        };
    };
    if close.frames_sent < frame {
        return (
            Outcome::Fail,
            Some(Reason::UnexpectedFrame),
            format!(
                "closed ({}) before the violating frame was sent",
                fmt_code(close.code)
            ),
        );
    }
    let ok = match close.code {
        None => {
            return (
                Outcome::NonStrict,
                Some(Reason::WrongCloseCode),
                "failed with a Close without status code".into(),
            );
        }
        Some(c) => failure.codes.contains(&c) || (tolerable && c == CloseCode::PROTOCOL_ERROR),
    };
    if !ok {
        let owed = failure
            .codes
            .first()
            .copied()
            .unwrap_or(CloseCode::PROTOCOL_ERROR);
        let note = format!(
            " — owed {owed}: {}; received {}: {}",
            explain(owed).meaning,
            fmt_code(close.code),
            close.code.map_or("", |c| explain(c).meaning)
        );
        return (
            Outcome::Fail,
            Some(Reason::WrongCloseCode),
            format!("failed with {}{note}", fmt_code(close.code)),
        );
    }
    if judge == Judge::FailFast && close.after_last_write {
        return (
            Outcome::NonStrict,
            Some(Reason::NoFailFast),
            "failed only after the rest of the message was sent".into(),
        );
    }
    pass()
}

fn fmt_code(code: Option<CloseCode>) -> String {
    code.map_or("a Close without status code".into(), |c| {
        format!("Close {c}")
    })
}

/// For 1013/1011/1000 where a protocol error code was owed, say what they mean.
fn code_note(code: Option<CloseCode>) -> String {
    match code {
        Some(c @ CloseCode(1013 | 1012 | 1011 | 1001)) => {
            format!(" ({c} means: {})", explain(c).meaning)
        }
        _ => String::new(),
    }
}

fn describe_reaction(r: &Reaction) -> String {
    match r {
        Reaction::Message { opcode, payload } => format!("{opcode}({} B)", payload.len()),
        Reaction::Pong(p) => format!("pong({} B)", p.len()),
        other => format!("{other:?}"),
    }
}

fn describe_event(e: &SeenEvent) -> String {
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
