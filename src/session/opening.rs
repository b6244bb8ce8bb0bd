//! The optional first phase of a session: the opening handshake, performed
//! when the tester is the client. As server the tester has already accepted
//! the client's request before the session starts.

use bytes::{Buf, BytesMut};

use super::bounds::HANDSHAKE_CAP;
use super::observe::Observed;
use crate::catalog::HandshakeExpect;
use crate::codec::deflate::{Agreement, DeflateParams, ResponseError};
use crate::codec::{ClientRequest, ServerResponse, check_response, parse_response};

/// Where the opening handshake stands after some bytes arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Opening {
    /// The response is not complete yet.
    Pending,
    /// A valid 101: frames follow.
    Accepted,
    /// The handshake ended the session (refused, invalid, or load shedding
    /// with this HTTP status).
    Ended {
        /// 503/429 to a request that must be accepted: the server sheds load.
        throttled: Option<u16>,
    },
}

/// Reads the response to `request` off `rx` into `obs`.
pub(super) fn read_response(
    rx: &mut BytesMut,
    request: &ClientRequest,
    expect: Option<&HandshakeExpect>,
    offers: Option<&[DeflateParams]>,
    obs: &mut Observed,
) -> Opening {
    let (response, n) = match parse_response(rx, HANDSHAKE_CAP) {
        Ok(None) => return Opening::Pending,
        Ok(Some(r)) => r,
        Err(e) => {
            obs.handshake_error = Some(e.to_string());
            return Opening::Ended { throttled: None };
        }
    };
    rx.advance(n);
    obs.handshake_status = Some(response.status);
    obs.handshake_headers = response
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
        .collect();
    let refusal_owed = matches!(expect, Some(HandshakeExpect::Reject { .. }));
    let checked = check_response(&response, request);
    if refusal_owed || response.status != 101 {
        let shedding = matches!(response.status, 503 | 429) && !refusal_owed;
        obs.handshake_error = checked.err().map(|e| e.to_string());
        return Opening::Ended {
            throttled: shedding.then_some(response.status),
        };
    }
    if let Err(e) = checked {
        obs.handshake_error = Some(e.to_string());
        return Opening::Ended { throttled: None };
    }
    match negotiated(&response, offers.unwrap_or_default()) {
        Ok(agreement) => {
            obs.deflate = agreement;
            obs.deflate_declined = offers.is_some() && agreement.is_none();
            Opening::Accepted
        }
        Err(e) => {
            obs.handshake_error = Some(format!("Sec-WebSocket-Extensions: {e}"));
            Opening::Ended { throttled: None }
        }
    }
}

/// The permessage-deflate agreement of a 101 (RFC 7692 §5: the client
/// "MUST _Fail the WebSocket Connection_" on a response it cannot accept;
/// RFC 6455 §9.1: an extension it did not offer included).
fn negotiated(
    response: &ServerResponse,
    offers: &[DeflateParams],
) -> Result<Option<Agreement>, ResponseError> {
    let values: Vec<String> = response
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("sec-websocket-extensions"))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .collect();
    let header = (!values.is_empty()).then(|| values.join(", "));
    crate::codec::deflate::check_response(offers, header.as_deref())
}
