//! What the 101 of a `/runCase` connection says about permessage-deflate:
//! nothing, the client's first acceptable offer accepted (a case that needs
//! deflate), the case's own offer accepted as it is (21.1: each case answers
//! with the parameters it is about) — sent only when the client's offers
//! allow it — or a response the client must fail (21.3) — sent only when it
//! really breaks a rule for the offers this client made.

use crate::catalog::{Case, CaseKind, HandshakeCase, HandshakeExpect};
use crate::codec::ClientHandshake;
use crate::codec::deflate::{
    Agreement, DeflateParams, ResponseError, ServerConfig, check_response, choose_offer,
    offers_header, valid_offers,
};
use crate::results::{Outcome, Verdict};

/// The `Sec-WebSocket-Extensions` of the tester's 101.
pub(super) enum Extensions {
    /// None.
    None,
    /// An offer of the client accepted with this header: its first
    /// acceptable one (RFC 7692 §5), or the one a 21.1 case's own response
    /// fits.
    Deflate(Agreement, String),
    /// A response breaking `rule` for the client's offers (21.3).
    Bad {
        /// The header value.
        header: String,
        /// The rule it breaks for this client.
        rule: ResponseError,
    },
    /// The client's offers make the case impossible (a 21.3 response they
    /// allow, or no 21.1 response they allow): UNIMPLEMENTED, and nothing
    /// sent.
    CannotRun(Verdict),
}

impl Extensions {
    /// The header value the 101 carries, if any.
    pub(super) fn header(&self) -> Option<&str> {
        match self {
            Extensions::Deflate(_, h) | Extensions::Bad { header: h, .. } => Some(h),
            Extensions::None | Extensions::CannotRun(_) => None,
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
    let Some(deflate) = &case.deflate else {
        return Extensions::None;
    };
    match offered {
        Some(o) if deflate.answer_as_offered => answer_as_offered(&deflate.offers, o),
        Some(o) => match accept_deflate(o) {
            Some((a, header)) => Extensions::Deflate(a, header),
            None => Extensions::None,
        },
        None => Extensions::None,
    }
}

/// 21.1 against a client: the first of the case's offers, accepted as it
/// is, that the client's own offers allow. RFC 7692 §7: "A client MUST
/// _Fail the WebSocket Connection_ if the peer server accepted an extension
/// negotiation offer for this extension with an extension negotiation
/// response meeting any of the following conditions", so a response the
/// client's offers do not allow is never sent here (that is 21.3's); the
/// case is UNIMPLEMENTED instead. A client that offers no valid
/// permessage-deflate gets none, as for any case that needs it.
fn answer_as_offered(case_offers: &[DeflateParams], offered: &str) -> Extensions {
    let client = valid_offers(offered);
    if client.is_empty() {
        return Extensions::None;
    }
    let responses: Vec<DeflateParams> = case_offers.iter().map(accepted_as_is).collect();
    for response in &responses {
        let header = response.to_string();
        if let Ok(Some(agreement)) = check_response(&client, Some(&header))
            && within_client_hint(&agreement)
        {
            return Extensions::Deflate(agreement, header);
        }
    }
    let tried: Vec<String> = responses.iter().map(|r| format!("`{r}`")).collect();
    Extensions::CannotRun(Verdict::new(
        Outcome::Unimplemented,
        None,
        format!("a client whose offer allows {}", tried.join(" or ")),
        format!(
            "the client offered `{}`, which allows none of them",
            offers_header(&client)
        ),
    ))
}

/// The client window a bare `client_max_window_bits` is answered with (a
/// response names a value, RFC 7692 §7.1.2.2): one that no other 21.1 case
/// sends alone (8, 9 and 15 have theirs).
const BARE_CLIENT_WINDOW: u8 = 10;

/// `offer` as the response that accepts it whole: every parameter kept, a
/// bare `client_max_window_bits` given [`BARE_CLIENT_WINDOW`].
fn accepted_as_is(offer: &DeflateParams) -> DeflateParams {
    let bits = offer
        .client_max_window_bits
        .map(|b| Some(b.unwrap_or(BARE_CLIENT_WINDOW)));
    DeflateParams {
        client_max_window_bits: bits,
        ..*offer
    }
}

/// RFC 7692 §7.1.2.2: a server that uses the client's value answers "with
/// a value equal to or smaller than the received value"; a wider one is
/// not sent.
fn within_client_hint(a: &Agreement) -> bool {
    match (
        a.offer.client_max_window_bits,
        a.response.client_max_window_bits,
    ) {
        (Some(Some(hint)), Some(Some(bits))) => bits <= hint,
        _ => true,
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
        Ok(_) => Extensions::CannotRun(Verdict::new(
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
        assert!(matches!(
            bad_response(&h, browser),
            Extensions::CannotRun(_)
        ));
        // No offer at all: any permessage-deflate breaks RFC 6455 §9.1.
        let Extensions::Bad { rule, .. } = bad_response(&h, "") else {
            panic!("never offered");
        };
        assert_eq!(rule, ResponseError::NotOffered);
    }

    /// The 21.1 cases in order, with their offer sets.
    fn negotiation_cases() -> Vec<Case> {
        crate::catalog::all(crate::catalog::Profile::Quick)
            .into_iter()
            .filter(|c| c.id.starts_with("21.1."))
            .collect()
    }

    fn answer(case: &Case, offered: &str) -> Extensions {
        let request = format!(
            "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Extensions: {offered}\r\n\r\n"
        );
        let (request, _) = crate::codec::parse_request(request.as_bytes(), 8192)
            .unwrap()
            .unwrap();
        extensions_for(case, &request)
    }

    #[test]
    fn each_negotiation_case_answers_with_its_own_parameters() {
        // A browser's offer allows every response of 21.1.
        let browser = "permessage-deflate; client_max_window_bits";
        let mut headers = Vec::new();
        for case in negotiation_cases() {
            let Extensions::Deflate(agreement, header) = answer(&case, browser) else {
                panic!("{}: not accepted", case.id);
            };
            let own = case.deflate.as_ref().unwrap().offers[0];
            assert_eq!(agreement.response, accepted_as_is(&own), "{}", case.id);
            assert_eq!(agreement.response.to_string(), header);
            headers.push(header);
        }
        let mut distinct = headers.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), headers.len(), "{headers:#?}");
        assert_eq!(headers.len(), 12);
        assert_eq!(headers[1], "permessage-deflate; server_no_context_takeover");
        assert_eq!(headers[3], "permessage-deflate; client_max_window_bits=10");
        // Several offers: the first is answered.
        assert_eq!(
            headers[5],
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=9"
        );
    }

    #[test]
    fn a_response_the_clients_offer_does_not_allow_is_not_sent() {
        let ids_where = |offered: &str, pred: fn(&Extensions) -> bool| -> Vec<String> {
            negotiation_cases()
                .into_iter()
                .filter(|c| pred(&answer(c, offered)))
                .map(|c| c.id)
                .collect()
        };
        let cannot = |e: &Extensions| matches!(e, Extensions::CannotRun(_));
        // No client_max_window_bits offered: no response may carry it
        // (RFC 7692 §7.1.2.2): 21.1.4, "all", and the three client windows.
        let plain = ids_where("permessage-deflate", cannot);
        assert_eq!(plain, ["21.1.4", "21.1.5", "21.1.8", "21.1.10", "21.1.12"]);
        // A client that asks for server_max_window_bits=9 must get it, or
        // less: the responses without it or wider cannot be sent.
        let narrow = "permessage-deflate; server_max_window_bits=9; client_max_window_bits";
        let sent = ids_where(narrow, |e| matches!(e, Extensions::Deflate(..)));
        assert_eq!(sent, ["21.1.6", "21.1.7", "21.1.9"]);
        // A client hint of 9 is not widened to 10 or 15.
        let hinted = "permessage-deflate; client_max_window_bits=9";
        let cannot_hinted = ids_where(hinted, cannot);
        assert_eq!(cannot_hinted, ["21.1.4", "21.1.5", "21.1.12"]);
        // No permessage-deflate offered: declined, as for any deflate case.
        for case in negotiation_cases() {
            assert!(matches!(
                answer(&case, "x-webkit-deflate-frame"),
                Extensions::None
            ));
        }
        // Other deflate cases still take the client's first acceptable offer.
        let c12 = crate::catalog::all(crate::catalog::Profile::Quick)
            .into_iter()
            .find(|c| c.id == "12.1.1")
            .unwrap();
        let Extensions::Deflate(_, header) =
            answer(&c12, "permessage-deflate; client_max_window_bits")
        else {
            panic!("12.1.1 accepts the offer");
        };
        assert_eq!(header, "permessage-deflate");
    }
}
