//! The pure verdict function: expectation (from the model) + what was
//! observed → one combined outcome, with requirement / expected / actual.
//! Events and close are judged together: a server that ignores a reserved
//! opcode shows the "right" events and still fails.

use super::machine::describe_seen;
use super::observe::{Observed, Seen, SeenEvent};
use super::outcome::{Outcome, Reason, Verdict};
use super::plan::Plan;
use crate::catalog::{HandshakeExpect, Judge};
use crate::codec::{CloseCode, explain};
use crate::model::{End, Expected, Failure, Reaction};

type Part = (Outcome, Option<Reason>, String);

fn pass() -> Part {
    (Outcome::Pass, None, String::new())
}

/// Judges one case.
pub fn judge(
    judge: Judge,
    handshake: Option<&HandshakeExpect>,
    plan: &Plan,
    obs: &Observed,
) -> Verdict {
    let mut v = judge_inner(judge, handshake, plan, obs);
    v.close_code = obs.close.as_ref().and_then(|c| c.code).map(|c| c.0);
    v
}

fn judge_inner(
    judge: Judge,
    handshake: Option<&HandshakeExpect>,
    plan: &Plan,
    obs: &Observed,
) -> Verdict {
    if let Some(HandshakeExpect::Reject { statuses, header }) = handshake {
        return judge_rejection(statuses, *header, obs);
    }
    if obs.handshake_status != Some(101) || obs.handshake_error.is_some() {
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
        let actual = format!("server frame breaks {v}: \"{}\"", v.requirement());
        return Verdict::new(
            Outcome::Fail,
            Some(Reason::InvalidServerFrame),
            "every frame the server sends follows RFC 6455 for a server".into(),
            actual,
        );
    }
    if let Some(n) = obs.oversize {
        return Verdict::new(
            Outcome::Fail,
            Some(Reason::UnexpectedFrame),
            describe_expectation(plan),
            format!("server sent {n} bytes in one frame or message, more than any reply owed"),
        );
    }
    let actual = describe_observed(obs);
    let expected = describe_expectation(plan);
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
        Judge::Model | Judge::FailFast | Judge::ModelOrTooBig => judge_model(judge, plan, obs),
    };
    let actual = if detail.is_empty() {
        actual
    } else {
        format!("{detail}; {actual}")
    };
    Verdict::new(outcome, reason, expected, actual)
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

fn judge_model(judge: Judge, plan: &Plan, obs: &Observed) -> Part {
    let events = judge_events(&plan.expectation.events, obs);
    let end = judge_end(judge, plan, obs);
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
    for i in 0..expected.len().max(got.len()) {
        match (expected.get(i), got.get(i)) {
            (Some(e), Some(g)) if !same(&e.reaction, &g.event) => {
                let reason = if kind_matches(&e.reaction, &g.event) {
                    Reason::EchoMismatch
                } else {
                    Reason::UnexpectedFrame
                };
                return (
                    Outcome::Fail,
                    Some(reason),
                    format!(
                        "event {}: expected {}, got {}",
                        i + 1,
                        describe_reaction(&e.reaction),
                        describe_event(g)
                    ),
                );
            }
            (Some(_), None) if expected[i..].iter().all(|e| e.may_be_missing) => {
                return (
                    Outcome::NonStrict,
                    Some(Reason::MissingEventsBeforeFailure),
                    format!("failed before sending {} owed event(s)", expected.len() - i),
                );
            }
            (Some(e), None) => {
                let reason = if obs.timed_out {
                    Reason::Timeout
                } else {
                    Reason::EchoMismatch
                };
                return (
                    Outcome::Fail,
                    Some(reason),
                    format!(
                        "event {}: expected {}, got nothing",
                        i + 1,
                        describe_reaction(&e.reaction)
                    ),
                );
            }
            (None, Some(g)) => {
                return (
                    Outcome::Fail,
                    Some(Reason::UnexpectedFrame),
                    format!("event {}: unexpected {}", i + 1, describe_event(g)),
                );
            }
            _ => {}
        }
    }
    pass()
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

fn judge_end(judge: Judge, plan: &Plan, obs: &Observed) -> Part {
    match &plan.expectation.end {
        End::TesterCloses => judge_close_reply(&[CloseCode::NORMAL], true, obs),
        End::CloseReply {
            codes, empty_ok, ..
        } => judge_close_reply(codes, *empty_ok, obs),
        End::Fail { frame, failure, .. } => judge_failure(
            judge,
            *frame,
            failure,
            !plan.expectation.tolerable.is_empty(),
            obs,
        ),
    }
}

fn judge_close_reply(codes: &[CloseCode], empty_ok: bool, obs: &Observed) -> Part {
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
    if obs.lingered || !obs.eof {
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

/// What a conforming server does, in words.
pub fn describe_expectation(plan: &Plan) -> String {
    let exp = &plan.expectation;
    let mut parts: Vec<String> = exp
        .events
        .iter()
        .map(|e| describe_reaction(&e.reaction))
        .collect();
    parts.push(match &exp.end {
        End::TesterCloses => "answer the tester's Close with 1000 and close TCP".into(),
        End::CloseReply { codes, .. } => {
            format!("answer the Close with {} and close TCP", list(codes))
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

/// What the server did, in words.
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
        match (obs.eof, obs.lingered, obs.timed_out) {
            (true, _, _) => "TCP closed",
            (false, true, _) => "TCP left open",
            (false, false, true) => "timed out",
            _ => "TCP open",
        }
        .into(),
    );
    parts.join("; ")
}
