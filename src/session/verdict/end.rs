//! How the connection must end, judged: the closing handshake after valid
//! traffic, the reply to the tester's Close, and failing the connection on
//! a violation. Each rule here is a row of docs/verdicts.md.

use super::grade::{CodeGrade, grade_code, refusable, refuses_size};
use super::{Judging, Part, code_note, fmt_code, pass};
use crate::catalog::Judge;
use crate::codec::{CloseCode, Role, explain};
use crate::model::{End, Failure};
use crate::results::{Outcome, Reason};
use crate::session::observe::{Observed, SeenClose};

/// The end owed by the plan against what was observed.
pub(super) fn judge_end(ctx: &Judging<'_>, obs: &Observed) -> Part {
    if let Some(refusal) = refused_for_size(ctx, obs) {
        return refusal;
    }
    match &ctx.plan.expectation.end {
        End::TesterCloses => judge_close_reply(ctx.peer, &[CloseCode::NORMAL], true, obs),
        End::CloseReply {
            codes, empty_ok, ..
        } => judge_close_reply(ctx.peer, codes, *empty_ok, obs),
        End::Fail { frame, failure, .. } => judge_failure(ctx, *frame, failure, obs),
    }
}

/// Server limits are not violations: a case that sends something a server
/// may refuse for its size, answered with 1009/1008 or a TCP drop instead
/// of the echo, is NON-STRICT `server-limit` — unless the user declared the
/// server accepts that size.
fn refused_for_size(ctx: &Judging<'_>, obs: &Observed) -> Option<Part> {
    // A failure owed anyway is judged by its own rule (`same_family`).
    if matches!(ctx.plan.expectation.end, End::Fail { .. }) {
        return None;
    }
    let what = refusable(&ctx.plan.sizes, &ctx.declared)?;
    let how = match &obs.close {
        Some(c) if !c.after_tester_close && c.code.is_some_and(refuses_size) => fmt_code(c.code),
        None if obs.eof && !obs.tester_closed => "a TCP drop".to_string(),
        _ => return None,
    };
    let text = format!("refused {what} with {how} (a limit of the endpoint, RFC 6455 §10.4)");
    Some((Outcome::NonStrict, Some(Reason::ServerLimit), text))
}

/// RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did not
/// previously send a Close frame, the endpoint MUST send a Close frame in
/// response. (When sending a Close frame in response, the endpoint
/// typically echos the status code it received.)"
fn judge_close_reply(peer: Role, codes: &[CloseCode], empty_ok: bool, obs: &Observed) -> Part {
    let Some(close) = &obs.close else {
        return no_close_reply(obs);
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
        // "typically echos": another valid code is allowed, not preferred.
        return (
            Outcome::NonStrict,
            Some(Reason::WrongCloseCode),
            format!(
                "answered the Close with {} instead of echoing {} (RFC 6455 §5.5.1: the endpoint \"typically echos the status code it received\"){}",
                fmt_code(close.code),
                super::list(codes),
                code_note(close.code)
            ),
        );
    }
    if peer == Role::Server && (obs.lingered || !obs.eof) {
        // RFC 6455 §7.1.1: "the underlying TCP connection, in most normal
        // cases, SHOULD be closed first by the server" — a SHOULD; how soon
        // is "immediately" (§5.5.1) no deadline can say that load cannot eat.
        return (
            Outcome::NonStrict,
            Some(Reason::Unclean),
            "kept TCP open after the closing handshake (RFC 6455 §7.1.1: the server SHOULD close it first)".into(),
        );
    }
    pass()
}

fn no_close_reply(obs: &Observed) -> Part {
    match (obs.eof, obs.tester_closed) {
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
    }
}

/// RFC 6455 §7.1.7: "the endpoint MUST Fail the WebSocket Connection";
/// failing "SHOULD send a Close frame with an appropriate status code".
fn judge_failure(ctx: &Judging<'_>, frame: usize, failure: &Failure, obs: &Observed) -> Part {
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
    let Some(code) = close.code else {
        return (
            Outcome::NonStrict,
            Some(Reason::WrongCloseCode),
            "failed with a Close without status code".into(),
        );
    };
    let tolerable = !ctx.plan.expectation.tolerable.is_empty();
    let grade = if tolerable && code == CloseCode::PROTOCOL_ERROR {
        CodeGrade::Owed
    } else {
        grade_code(&failure.codes, code)
    };
    match grade {
        CodeGrade::Owed => {}
        CodeGrade::SameFamily => return same_family(ctx, failure, code),
        CodeGrade::Misleading => return misleading(failure, close),
    }
    if ctx.judge == Judge::FailFast && close.after_last_write {
        return (
            Outcome::NonStrict,
            Some(Reason::NoFailFast),
            "failed only after the rest of the message was sent".into(),
        );
    }
    pass()
}

/// Another "your data was bad" code: NON-STRICT; a 1009/1008 to a frame
/// that is also beyond every size limit (a 2^63 length, a 1 TiB frame)
/// owes either rule's code and is a server limit.
fn same_family(ctx: &Judging<'_>, failure: &Failure, code: CloseCode) -> Part {
    let owed = owed(failure);
    if refuses_size(code)
        && let Some(what) = refusable(&ctx.plan.sizes, &ctx.declared)
    {
        let text = format!(
            "failed with Close {code}: {what} is also beyond the endpoint's limits (owed {owed} for {})",
            failure.violation
        );
        return (Outcome::NonStrict, Some(Reason::ServerLimit), text);
    }
    let text = format!(
        "failed with Close {code} where {owed} is owed for {} (RFC 6455 §7.1.7: the status code is a SHOULD)",
        failure.violation
    );
    (Outcome::NonStrict, Some(Reason::WrongCloseCode), text)
}

/// A code that blames the endpoint's state or says all is well: FAIL, and
/// the report says what each code means.
fn misleading(failure: &Failure, close: &SeenClose) -> Part {
    let owed = owed(failure);
    let note = format!(
        " — owed {owed}: {}; received {}: {}",
        explain(owed).meaning,
        fmt_code(close.code),
        close.code.map_or("", |c| explain(c).meaning)
    );
    (
        Outcome::Fail,
        Some(Reason::WrongCloseCode),
        format!("failed with {}{note}", fmt_code(close.code)),
    )
}

fn owed(failure: &Failure) -> CloseCode {
    failure
        .codes
        .first()
        .copied()
        .unwrap_or(CloseCode::PROTOCOL_ERROR)
}
