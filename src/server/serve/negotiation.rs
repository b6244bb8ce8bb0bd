//! What the 101 of a `/runCase` connection says about permessage-deflate:
//! nothing, the client's first acceptable offer accepted (a case that needs
//! deflate), or a response the client must fail (21.3) — sent only when it
//! really breaks a rule for the offers this client made.

use crate::catalog::{Case, CaseKind, HandshakeCase, HandshakeExpect};
use crate::codec::ClientHandshake;
use crate::codec::deflate::{
    Agreement, ResponseError, ServerConfig, check_response, choose_offer, offers_header,
    valid_offers,
};
use crate::results::{Outcome, Verdict};

/// The `Sec-WebSocket-Extensions` of the tester's 101.
pub(super) enum Extensions {
    /// None.
    None,
    /// The client's first acceptable offer (RFC 7692 §5), accepted with
    /// this header.
    Deflate(Agreement, String),
    /// A response breaking `rule` for the client's offers (21.3).
    Bad {
        /// The header value.
        header: String,
        /// The rule it breaks for this client.
        rule: ResponseError,
    },
    /// A 21.3 response the client's offers allow: the case cannot run.
    Valid(Verdict),
}

impl Extensions {
    /// The header value the 101 carries, if any.
    pub(super) fn header(&self) -> Option<&str> {
        match self {
            Extensions::Deflate(_, h) | Extensions::Bad { header: h, .. } => Some(h),
            Extensions::None | Extensions::Valid(_) => None,
        }
    }
}

/// What the 101 for `case` carries, given the client's `request`.
pub(super) fn extensions_for(case: &Case, request: &ClientHandshake) -> Extensions {
    let offered = request
        .header("sec-websocket-extensions")
        .and_then(|v| std::str::from_utf8(v).ok());
    if let CaseKind::Handshake(h) = &case.kind
        && let HandshakeExpect::ClientFails(_) = h.expect
    {
        return bad_response(h, offered.unwrap_or(""));
    }
    if case.deflate.is_none() {
        return Extensions::None;
    }
    match offered.and_then(accept_deflate) {
        Some((a, header)) => Extensions::Deflate(a, header),
        None => Extensions::None,
    }
}

/// The client's first acceptable permessage-deflate offer and the response
/// header accepting it; `None` declines (the case is then UNIMPLEMENTED).
fn accept_deflate(offers: &str) -> Option<(Agreement, String)> {
    let choice = choose_offer(offers, &ServerConfig::default()).ok()?;
    let header = choice.response_header()?;
    Some((choice.accepted?.1, header))
}

/// The case's response, checked against what this client offered: the
/// rule it breaks for this client (the case's own when the client offered
/// what the case assumes), or UNIMPLEMENTED when the client's offers make
/// it a valid response.
fn bad_response(h: &HandshakeCase, offered: &str) -> Extensions {
    let header = h
        .set_value("Sec-WebSocket-Extensions")
        .unwrap_or_default()
        .to_string();
    let offers = valid_offers(offered);
    match check_response(&offers, Some(&header)) {
        Err(rule) => Extensions::Bad { header, rule },
        Ok(_) => Extensions::Valid(Verdict::new(
            Outcome::Unimplemented,
            None,
            format!("a client whose offer makes `{header}` a response to fail"),
            format!(
                "the client offered `{}`, which allows `{header}`",
                offers_header(&offers)
            ),
        )),
    }
}

/// `case` judged by the rule its response breaks for this client.
pub(super) fn with_rule(mut case: Case, rule: ResponseError) -> Case {
    if let CaseKind::Handshake(h) = &mut case.kind {
        h.expect = HandshakeExpect::ClientFails(rule);
    }
    case
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::client_only_cases;

    fn handshake(id: &str) -> HandshakeCase {
        let case = client_only_cases()
            .into_iter()
            .find(|c| c.id == id)
            .unwrap();
        match case.kind {
            CaseKind::Handshake(h) => h,
            CaseKind::Frames(_) => panic!("{id} is a handshake case"),
        }
    }

    #[test]
    fn a_bad_response_is_sent_only_when_it_breaks_a_rule_for_this_client() {
        // 21.3.7: client_max_window_bits=10 answering a default offer.
        let h = handshake("21.3.7");
        let Extensions::Bad { header, rule } = bad_response(&h, "permessage-deflate") else {
            panic!("a default offer does not allow client_max_window_bits");
        };
        assert_eq!(header, "permessage-deflate; client_max_window_bits=10");
        assert_eq!(rule, ResponseError::ClientWindowNotOffered);
        // A browser's offer carries client_max_window_bits: the response is valid.
        let browser = "permessage-deflate; client_max_window_bits";
        assert!(matches!(bad_response(&h, browser), Extensions::Valid(_)));
        // No offer at all: any permessage-deflate breaks RFC 6455 §9.1.
        let Extensions::Bad { rule, .. } = bad_response(&h, "") else {
            panic!("never offered");
        };
        assert_eq!(rule, ResponseError::NotOffered);
    }
}
