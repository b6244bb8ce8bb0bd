//! permessage-deflate negotiation, judged: a server's answer to an offer it
//! must decline (section 21.2), and a client's reaction to a response it
//! must fail (21.3). Each rule here is a row of docs/verdicts.md.

use crate::codec::deflate::{EXTENSION_NAME, ParamError, ResponseError};
use crate::results::{Outcome, Reason, Verdict};
use crate::session::observe::Observed;

/// What a server owes an offer breaking `rule`, in words.
fn decline_owed(rule: &ParamError) -> String {
    format!("a 101 without permessage-deflate (the offer is invalid: {rule}), then the plain echo")
}

/// The decline rows: `None` when the server answered with a 101 that left
/// the extension out (or with something the handshake rows judge), so the
/// plain echo and the close are judged as for any accepted handshake.
pub(super) fn judge_decline(rule: &ParamError, obs: &Observed) -> Option<Verdict> {
    let status = obs.handshake_status?;
    if status == 101 {
        let accepted = accepted_extension(obs)?;
        // RFC 7692 §7: "A server MUST decline an extension negotiation offer
        // for this extension if any of the following conditions are met"
        // (an unknown parameter, an invalid value, a duplicate).
        return Some(Verdict::new(
            Outcome::Fail,
            Some(Reason::Handshake),
            decline_owed(rule),
            format!("accepted the invalid offer: Sec-WebSocket-Extensions: {accepted}"),
        ));
    }
    if (400..500).contains(&status) {
        // RFC 6455 §4.2.2 lets a server refuse any handshake; RFC 7692 asks
        // it to decline the extension, not the connection.
        return Some(Verdict::new(
            Outcome::NonStrict,
            Some(Reason::Handshake),
            decline_owed(rule),
            format!(
                "HTTP {status}: refused the connection; RFC 7692 asks a server to decline the extension (leave it out of the 101), not the connection"
            ),
        ));
    }
    None
}

/// The response's `Sec-WebSocket-Extensions` values when one of them names
/// permessage-deflate.
fn accepted_extension(obs: &Observed) -> Option<String> {
    let values: Vec<&str> = obs
        .handshake_headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("sec-websocket-extensions"))
        .map(|(_, v)| v.as_str())
        .collect();
    let names = values.iter().flat_map(|v| v.split(','));
    let name = |e: &str| e.split(';').next().unwrap_or("").trim().to_string();
    names
        .map(name)
        .any(|n| n.eq_ignore_ascii_case(EXTENSION_NAME))
        .then(|| values.join(", "))
}

/// RFC 7692 §7: "A client MUST _Fail the WebSocket Connection_ if the peer
/// server accepted an extension negotiation offer for this extension with
/// an extension negotiation response meeting any of the following
/// conditions"; RFC 6455 §4.1: an extension "not present in the client's
/// handshake" — "the client MUST _Fail the WebSocket Connection_". PASS when
/// the client closed (TCP, or a Close first) before any data message; FAIL
/// when it went on using the connection, or did nothing by the deadline.
pub(super) fn judge_client_fails(rule: &ResponseError, obs: &Observed) -> Verdict {
    let expected = format!(
        "fail the connection on the 101 ({rule}): close TCP, with or without a Close, before any data message"
    );
    let data_frames = obs
        .wire
        .iter()
        .filter(|w| !w.sent && w.header.opcode.is_data())
        .count();
    if data_frames > 0 || !obs.events.is_empty() {
        let n = data_frames.max(obs.events.len());
        return Verdict::new(
            Outcome::Fail,
            Some(Reason::Handshake),
            expected,
            format!("went on using the connection: sent {n} data frame(s) after the 101"),
        );
    }
    let closed_first = obs.close.as_ref().is_some_and(|c| !c.after_tester_close);
    if closed_first || (obs.eof && !obs.tester_closed) {
        let how = match &obs.close {
            Some(_) if closed_first => "sent a Close and no data",
            _ => "closed TCP without sending data",
        };
        return Verdict::new(Outcome::Pass, None, expected, how.into());
    }
    Verdict::new(
        Outcome::Fail,
        Some(Reason::NoClose),
        expected,
        "did not fail the connection before the deadline".into(),
    )
}

/// The client closed TCP after the tester's 101 without sending a single
/// frame: it failed the connection during the opening handshake (before it
/// is established, _Fail the WebSocket Connection_ is closing TCP, RFC 6455
/// §7.1.7). A Close frame, or any other frame, means it took the
/// connection as established, and the model judges it.
pub(super) fn dropped_on_the_101(obs: &Observed) -> bool {
    let received = obs.wire.iter().any(|w| !w.sent) || !obs.peer_keys.is_empty();
    obs.eof
        && !obs.tester_closed
        && obs.close.is_none()
        && obs.events.is_empty()
        && obs.invalid.is_empty()
        && obs.peer_pings == 0
        && obs.oversize.is_none()
        && !received
}

/// A 21.1 response the client failed the connection on. RFC 7692 §7: "A
/// client MUST _Fail the WebSocket Connection_ if the peer server accepted
/// an extension negotiation offer for this extension with an extension
/// negotiation response meeting any of the following conditions: ... The
/// client does not support the configuration that the response
/// represents." (Python websockets, on zlib, cannot compress with
/// `client_max_window_bits=8`.) As a server declining an offer, the case is
/// UNIMPLEMENTED, never a failure.
pub(super) fn unsupported_response(obs: &Observed) -> Verdict {
    let response = obs
        .deflate
        .map(|a| format!("`{}`", a.response))
        .unwrap_or_else(|| "the response".into());
    Verdict::new(
        Outcome::Unimplemented,
        None,
        format!("compressed round trips under {response}"),
        format!(
            "the client failed the connection on {response} (closed TCP before any frame): RFC 7692 §7 requires it when the client does not support the configuration"
        ),
    )
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::catalog::{HandshakeExpect, Judge, Step, send};
    use crate::codec::deflate::SERVER_MAX_WINDOW_BITS;
    use crate::codec::{CloseCode, Frame, Role};
    use crate::session::observe::{SeenClose, WireFrame};
    use crate::session::plan::Plan;
    use crate::session::verdict::judge;

    fn rule() -> ParamError {
        ParamError::OutOfRange {
            name: SERVER_MAX_WINDOW_BITS,
            value: 16,
        }
    }

    fn answered(status: u16, extensions: Option<&str>) -> Observed {
        let headers = extensions.map(|v| ("Sec-WebSocket-Extensions".to_string(), v.to_string()));
        Observed {
            handshake_status: Some(status),
            handshake_headers: headers.into_iter().collect(),
            ..Observed::default()
        }
    }

    fn graded(expect: &HandshakeExpect, peer: Role, obs: &Observed) -> (Outcome, Option<Reason>) {
        let steps: Vec<Step> = vec![send(vec![Frame::text("handshake accepted")])];
        let plan = Plan::from_steps_as(steps, 1, peer.peer());
        let v = judge(peer, Judge::Model, Some(expect), &plan, obs);
        (v.outcome, v.reason)
    }

    #[test]
    fn an_invalid_offer_accepted_fails_and_a_refused_connection_is_non_strict() {
        let expect = HandshakeExpect::Decline(rule());
        let accepted = answered(101, Some("x-other, permessage-deflate"));
        assert_eq!(
            graded(&expect, Role::Server, &accepted),
            (Outcome::Fail, Some(Reason::Handshake))
        );
        let v = judge_decline(&rule(), &accepted).unwrap();
        assert!(v.expected.contains("server_max_window_bits"), "{v:?}");
        assert_eq!(
            graded(&expect, Role::Server, &answered(400, None)),
            (Outcome::NonStrict, Some(Reason::Handshake))
        );
        // Declined: the plain echo and the close decide, as for any 101.
        let mut declined = answered(101, Some("x-other"));
        assert!(judge_decline(&rule(), &declined).is_none());
        declined.events.push(crate::session::observe::SeenEvent {
            event: crate::session::observe::Seen::Message {
                opcode: crate::codec::OpCode::TEXT,
                payload: Box::new(crate::session::Received::of(b"handshake accepted")),
            },
            frames_sent: 1,
            at_ms: 0,
        });
        declined.close = close(true);
        declined.eof = true;
        assert_eq!(
            graded(&expect, Role::Server, &declined),
            (Outcome::Pass, None)
        );
        assert_eq!(
            graded(&expect, Role::Server, &answered(500, None)),
            (Outcome::Fail, Some(Reason::Handshake))
        );
    }

    fn close(after_tester_close: bool) -> Option<SeenClose> {
        Some(SeenClose {
            code: Some(CloseCode::NORMAL),
            reason: Bytes::new(),
            frames_sent: 1,
            after_tester_close,
            after_last_write: true,
            at_ms: 0,
            bytes_written: 0,
        })
    }

    fn data_frame() -> WireFrame {
        let f = Frame::text("handshake accepted").masked([1, 2, 3, 4]);
        WireFrame {
            sent: false,
            header: f.header,
            payload_head: Bytes::new(),
            at_ms: 0,
        }
    }

    #[test]
    fn a_client_must_close_before_any_data_and_fails_when_it_goes_on() {
        let expect = HandshakeExpect::ClientFails(ResponseError::NotOffered);
        let connected = Observed {
            handshake_status: Some(101),
            ..Observed::default()
        };
        let dropped = Observed {
            eof: true,
            ..connected.clone()
        };
        assert_eq!(
            graded(&expect, Role::Client, &dropped),
            (Outcome::Pass, None)
        );
        let closed = Observed {
            close: close(false),
            tester_closed_tcp: true,
            ..connected.clone()
        };
        assert_eq!(
            graded(&expect, Role::Client, &closed),
            (Outcome::Pass, None)
        );
        let echoed = Observed {
            wire: vec![data_frame()],
            close: close(true),
            ..connected.clone()
        };
        assert_eq!(
            graded(&expect, Role::Client, &echoed),
            (Outcome::Fail, Some(Reason::Handshake))
        );
        let silent = Observed {
            close: close(true),
            tester_closed: true,
            timed_out: true,
            ..connected
        };
        assert_eq!(
            graded(&expect, Role::Client, &silent),
            (Outcome::Fail, Some(Reason::NoClose))
        );
    }

    #[test]
    fn a_client_that_drops_tcp_on_a_chosen_response_leaves_the_case_unimplemented() {
        use crate::codec::deflate::{Agreement, DeflateParams};
        use crate::session::verdict::{Judging, judge_with};
        let offer = DeflateParams::new().client_max_window_bits(None);
        let response = DeflateParams::new().client_max_window_bits(Some(8));
        let steps: Vec<Step> = vec![send(vec![Frame::text("compressed round trip")])];
        let plan = Plan::from_steps_as(steps, 1, Role::Server);
        let graded = |obs: &Observed, chosen_response: bool| {
            let ctx = Judging {
                peer: Role::Client,
                judge: Judge::Model,
                handshake: None,
                plan: &plan,
                declared: Default::default(),
                chosen_response,
            };
            let v = judge_with(&ctx, obs);
            (v.outcome, v.actual)
        };
        let dropped = Observed {
            handshake_status: Some(101),
            deflate: Some(Agreement { offer, response }),
            eof: true,
            ..Observed::default()
        };
        let (outcome, actual) = graded(&dropped, true);
        assert_eq!(outcome, Outcome::Unimplemented);
        assert!(actual.contains("client_max_window_bits=8"), "{actual}");
        // The client's own offer answered (12, 13, 22): it owes the echo.
        assert_eq!(graded(&dropped, false).0, Outcome::Fail);
        // A Close, or any frame, means it took the connection as open.
        let closed = Observed {
            close: close(false),
            ..dropped.clone()
        };
        assert_eq!(graded(&closed, true).0, Outcome::Fail);
        let framed = Observed {
            wire: vec![data_frame()],
            ..dropped.clone()
        };
        assert_ne!(graded(&framed, true).0, Outcome::Unimplemented);
    }
}
