//! Section 21 (not in Autobahn, whose issues #59 and #112 ask for it):
//! permessage-deflate negotiation, from the offer and response data of
//! `codec::deflate::cases`.
//!
//! - 21.1: each valid offer set (offered to a server; under `serve`, the
//!   response to the client's offer), then compressed round trips (text and
//!   binary, with repeats farther back than 256 and 512 bytes, so that a
//!   window of 8 or 9 bits matters, and a message sent twice, so that context
//!   takeover matters) and a clean close. A decline is UNIMPLEMENTED: a
//!   server may decline any offer, and a zlib-based one must decline
//!   window bits 8.
//! - 21.2: each offer a server must decline, sent as is: a 101 without the
//!   extension, then a plain echo. Accepting it fails; refusing the whole
//!   connection is NON-STRICT.
//! - 21.3 (clients only, [`client_only_cases`]): each response a client must fail
//!   the connection on, in the tester's 101.

use super::s12_deflate_data::one_at_a_time;
use super::{Case, DeflateCase, HandshakeCase, HandshakeExpect, HeaderEdit, Step};
use crate::codec::Frame;
use crate::codec::deflate::cases::{bad_offers, bad_responses, offer_sets};
use crate::codec::deflate::{ResponseError, offers_header};

/// RFC 7692 §7.2.1 and §7.2.2: what every compressed round trip checks.
const Q_ACCEPT: &str = "An endpoint uses the following algorithm to decompress a message. 1. Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the message. 2. Decompress the resulting data using DEFLATE.";

/// RFC 7692 §7, the server's side.
const Q_DECLINE: &str = "A server MUST decline an extension negotiation offer for this extension if any of the following conditions are met: The negotiation offer contains an extension parameter not defined for use in an offer. The negotiation offer contains an extension parameter with an invalid value. The negotiation offer contains multiple extension parameters with the same name. The server doesn't support the offered configuration.";

/// RFC 7692 §7, the client's side.
const Q_CLIENT_FAILS: &str = "A client MUST _Fail the WebSocket Connection_ if the peer server accepted an extension negotiation offer for this extension with an extension negotiation response meeting any of the following conditions: The negotiation response contains an extension parameter not defined for use in a response. The negotiation response contains an extension parameter with an invalid value. The negotiation response contains multiple extension parameters with the same name. The client does not support the configuration that the response represents.";

/// RFC 7692 §5, for a response that accepts the extension twice: both
/// instances would use RSV1.
const Q_RSV1_CONFLICT: &str = "A server MUST NOT accept a PMCE extension negotiation offer together with another extension if the PMCE will conflict with the extension on their use of the RSV1 bit. A client that received a response accepting a PMCE extension negotiation offer together with such an extension MUST _Fail the WebSocket Connection_.";

/// The round trips of a 21.1 case: (text?, size, period of the repeats).
const MESSAGES: [(bool, usize, usize); 5] = [
    (true, 64, 64),
    (false, 1000, 300),
    (true, 4000, 600),
    (false, 16384, 1000),
    (true, 4000, 600),
];

/// `size` bytes: a block of `period` pseudo-random bytes (letters for text),
/// repeated, so every repeat lies `period` bytes back. The last message of
/// [`MESSAGES`] repeats the third: with context takeover it may refer into
/// the previous message.
fn repeating(text: bool, size: usize, period: usize) -> Vec<u8> {
    let mut x = period as u32 ^ 0x9E37_79B9;
    let block: Vec<u8> = (0..period)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if text { b'a' + (x % 26) as u8 } else { x as u8 }
        })
        .collect();
    block.iter().copied().cycle().take(size).collect()
}

fn round_trips() -> Vec<Step> {
    one_at_a_time(MESSAGES.iter().map(|&(text, size, period)| {
        let m = repeating(text, size, period);
        if text {
            Frame::text(m)
        } else {
            Frame::binary(m)
        }
    }))
}

/// 21.1: each valid offer set.
fn accepted() -> Vec<Case> {
    let sets = offer_sets().into_iter().enumerate().map(|(i, set)| {
        let header = offers_header(&set.offers);
        let title = format!(
            "Negotiates `{header}` ({}): 5 compressed round trips, text and binary, 64 B to 16 KiB, repeats 64 to 1000 B back",
            set.name
        );
        Case::frames(
            format!("21.1.{}", i + 1),
            title,
            "RFC 7692 §7.2",
            Q_ACCEPT,
            round_trips,
        )
        .deflate(DeflateCase {
            offers: set.offers,
            fragment: None,
            // Against a client, each case answers with its own offers.
            answer_as_offered: true,
        })
    });
    sets.collect()
}

/// 21.2: each offer a server must decline, as the raw header value.
fn declined() -> Vec<Case> {
    let offers = bad_offers().into_iter().enumerate().map(|(i, bad)| {
        let title = format!(
            "Offers `{}` ({}: {}): a 101 without permessage-deflate, a plain echo",
            bad.header, bad.name, bad.error
        );
        let expect = HandshakeExpect::Decline(bad.error);
        let id = format!("21.2.{}", i + 1);
        extensions_case(id, title, ("RFC 7692 §7", Q_DECLINE), bad.header, expect)
    });
    offers.collect()
}

/// A handshake case whose `Sec-WebSocket-Extensions` is `value`: of the
/// request (21.2), or of the tester's 101 (21.3).
fn extensions_case(
    id: String,
    title: String,
    (section, requirement): (&'static str, &'static str),
    value: &str,
    expect: HandshakeExpect,
) -> Case {
    let handshake = HandshakeCase {
        method: "GET",
        http_version: "HTTP/1.1",
        edits: vec![HeaderEdit::Set(
            "Sec-WebSocket-Extensions",
            value.to_string(),
        )],
        expect,
    };
    Case::handshake(id, title, section, requirement, handshake)
}

/// Sections 21.1 and 21.2 (servers).
pub(super) fn cases() -> Vec<Case> {
    let mut cases = accepted();
    cases.extend(declined());
    cases
}

/// 21.3, for clients only (`serve`): each response a client must fail the
/// connection on, as the `Sec-WebSocket-Extensions` of the tester's 101. A
/// server-side run has no meaning for them, so `all` leaves them out.
pub fn client_only_cases() -> Vec<Case> {
    let responses = bad_responses().into_iter().enumerate().map(|(i, bad)| {
        let offered = match offers_header(&bad.offers) {
            o if o.is_empty() => "no offer".to_string(),
            o => format!("an offer of `{o}`"),
        };
        let title = format!(
            "Answers {offered} with `{}` ({}: {}): the client fails the connection",
            bad.header, bad.name, bad.error
        );
        let (section, requirement) = match bad.error {
            ResponseError::Repeated(_) => ("RFC 7692 §5", Q_RSV1_CONFLICT),
            _ => ("RFC 7692 §7", Q_CLIENT_FAILS),
        };
        let expect = HandshakeExpect::ClientFails(bad.error);
        let id = format!("21.3.{}", i + 1);
        extensions_case(id, title, (section, requirement), bad.header, expect)
    });
    responses.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_lie_beyond_small_windows() {
        let m = repeating(true, 4000, 600);
        assert_eq!(m.len(), 4000);
        assert_eq!(m[..600], m[600..1200]);
        assert!(std::str::from_utf8(&m).is_ok());
        assert!(MESSAGES.iter().filter(|m| m.2 > 512).count() >= 2);
    }

    #[test]
    fn one_case_per_offer_set_bad_offer_and_bad_response() {
        let ids: Vec<String> = cases().into_iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), offer_sets().len() + bad_offers().len());
        assert_eq!(ids[0], "21.1.1");
        assert!(ids.contains(&format!("21.2.{}", bad_offers().len())));
        let client = client_only_cases();
        assert_eq!(client.len(), bad_responses().len());
        assert!(client.iter().all(|c| c.id.starts_with("21.3.")));
    }
}
