//! What each close code means, when it is seen and how to resolve it: the
//! texts `wsgauntlet explain` prints and reports quote for every
//! wrong-close-code failure. Plain data; RFC 6455 §7.4 and the IANA
//! "WebSocket Close Code Number Registry" are the sources.

use super::close_code::CloseCode;

/// A close code explained for the person reading a report or a log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Explanation {
    /// The code explained.
    pub code: u16,
    /// Its registered name, if it has one.
    pub name: Option<&'static str>,
    /// What the code means.
    pub meaning: &'static str,
    /// When and from whom it is typically seen.
    pub when_seen: &'static str,
    /// What to do about it.
    pub resolution: &'static str,
    /// Whether an endpoint may put it in a Close frame.
    pub sendable: bool,
}

/// Explains any 16-bit close code: registered codes 1000–1015 one by one,
/// everything else by its range (RFC 6455 §7.4.2).
pub fn explain(code: CloseCode) -> Explanation {
    let [meaning, when_seen, resolution] = texts(code.0);
    Explanation {
        code: code.0,
        name: code.name(),
        meaning,
        when_seen,
        resolution,
        sendable: code.is_sendable(),
    }
}

type Texts = [&'static str; 3];

fn texts(code: u16) -> Texts {
    match code {
        0..=999 => UNUSED,
        1000..=1015 => REGISTERED[usize::from(code - 1000)],
        1016..=2999 => PROTOCOL_RESERVED,
        3000..=3999 => LIBRARY,
        4000..=4999 => PRIVATE,
        _ => UNDEFINED,
    }
}

/// Meaning, when seen and resolution of 1000..=1015, in code order.
const REGISTERED: [Texts; 16] = [
    [
        "Normal closure: the purpose for which the connection was established has been fulfilled (RFC 6455 §7.4.1).",
        "At the end of a successful session: one side started the closing handshake and the other answered. It is also the usual reply to any Close frame with a valid code: the receiver may answer with 1000 or echo the code it received.",
        "Nothing to fix. If the close was unexpected, find which side sent its Close first and why (application logic, an idle timeout implemented as a normal close).",
    ],
    [
        "Going away: the endpoint is leaving, e.g. a server going down or a browser having navigated away from the page (RFC 6455 §7.4.1).",
        "During a deploy or graceful shutdown, when a browser tab is closed or navigates away, or when a load balancer drains its connections.",
        "Expected during shutdowns. A client should reconnect, to another instance if there is one, with back-off. Seen outside deploys, it points at servers restarting or at proxies closing idle connections.",
    ],
    [
        "Protocol error: the endpoint is terminating the connection because its peer sent data that violates the framing rules of RFC 6455 (§7.4.1).",
        "After a malformed frame: a reserved opcode, RSV bits set without a negotiated extension, a client frame that is not masked (or a server frame that is), a control frame that is fragmented or longer than 125 bytes, a continuation with nothing to continue or a new message inside a fragmented one, a 64-bit length with its most significant bit set, a 1-byte Close body or an invalid close code. It is the code a conforming endpoint must use for all of these.",
        "Decode the offending bytes (`wsgauntlet frame decode HEX`) to see which rule they break. Suspect a broken client or server framing layer, or a proxy or middlebox corrupting or rewriting frames (e.g. removing an extension but leaving RSV1 set).",
    ],
    [
        "Unsupported data: the endpoint received a type of data it cannot accept, e.g. a text-only endpoint received a binary message (RFC 6455 §7.4.1).",
        "When an application accepts only text or only binary messages and the peer sent the other kind. The frames themselves were valid.",
        "Send the message type the peer's application expects (check the subprotocol's contract). Not a framing bug.",
    ],
    [
        "Reserved: RFC 6455 §7.4.1 reserves 1004 for a meaning that might be defined in the future; it has none today and is not valid in a Close frame.",
        "Only from a buggy or non-conforming endpoint, or from a test tool (Autobahn case 7.9.3).",
        "Do not send it. A receiver treats it as an invalid close code and fails the connection with 1002.",
    ],
    [
        "No status received: a placeholder an API reports when a Close frame carried no status code. RFC 6455 §7.4.1: it \"MUST NOT be set as a status code in a Close control frame by an endpoint\".",
        "In an API's close event (e.g. the browser's CloseEvent.code) after the peer closed with an empty Close frame. Never legitimately on the wire.",
        "An empty Close is allowed, but sending an explicit code (usually 1000) tells the peer more. If 1005 appears inside a Close frame on the wire, the sender is broken and the receiver must fail the connection with 1002.",
    ],
    [
        "Abnormal closure: the connection closed without a Close frame being sent or received. A local placeholder; RFC 6455 §7.4.1: it \"MUST NOT be set as a status code in a Close control frame by an endpoint\".",
        "In an API's close event when the TCP connection dropped, was reset or timed out, was cut by a proxy, or when the opening handshake failed (browsers report rejected handshakes as 1006). A peer that fails a connection by dropping TCP also looks like this.",
        "Look below WebSocket: a crashed or restarting server, a proxy or load-balancer idle timeout (send pings to keep the connection alive), a network failure, a handshake rejected with an HTTP error. Check the server logs at the time of the disconnect. If 1006 appears inside a Close frame on the wire, the sender is broken and the receiver must answer 1002.",
    ],
    [
        "Invalid frame payload data: the endpoint received data within a message that is not consistent with the type of the message, e.g. non-UTF-8 data in a text message (RFC 6455 §7.4.1).",
        "After a text message that is not valid UTF-8: overlong encodings, UTF-16 surrogates (ED A0 80), code points above U+10FFFF, truncated sequences, possibly split across fragments. A conforming endpoint fails the connection with 1007 as soon as it sees the invalid sequence (RFC 6455 §8.1). Some endpoints also use it for a Close reason that is not UTF-8.",
        "Find the sender producing invalid text: binary data sent in a text frame, a string cut in the middle of a multi-byte character, Latin-1 or UTF-16 data labelled as text. Send non-text data in binary frames. If the text is valid, the receiver's UTF-8 validator is wrong (check sequences split across fragment boundaries).",
    ],
    [
        "Policy violation: the endpoint received a message that violates its policy. A generic code for when no more specific one (1003, 1009) fits, or when the details must stay hidden (RFC 6455 §7.4.1).",
        "On authentication or authorization failures after connect, rate limits, forbidden content, origin checks, or another application rule the message broke.",
        "Read the close reason and the peer's logs; the protocol itself was followed. Check credentials, Origin, rate limits and the application's message contract.",
    ],
    [
        "Message too big: the endpoint received a message that is too big for it to process (RFC 6455 §7.4.1).",
        "When a frame or a reassembled message exceeds the receiver's size limit, or a permessage-deflate message inflates past it (a deflate bomb).",
        "Send smaller messages (split the data in the application), or raise the receiver's message or frame size limit if the size is legitimate. A receiver must answer an oversized message with 1009, not crash or allocate the declared length.",
    ],
    [
        "Mandatory extension: the client is terminating the connection because it expected the server to negotiate one or more extensions and the handshake response did not; the needed extensions SHOULD be listed in the reason (RFC 6455 §7.4.1).",
        "Sent by a client right after the opening handshake. Servers do not use it: they fail the handshake instead.",
        "Enable the extension on the server (e.g. permessage-deflate) or make it optional on the client, and check that no proxy strips the Sec-WebSocket-Extensions header.",
    ],
    [
        "Internal error: the server met an unexpected condition that prevented it from fulfilling the request (RFC 6455 §7.4.1); the WebSocket counterpart of HTTP 500.",
        "When a server's application handler throws or fails. Sometimes sent, wrongly, in answer to a protocol violation.",
        "Check the server logs for the failure at that time. If the server sent 1011 in reply to malformed frames or invalid UTF-8, the code is wrong: a protocol violation must be answered with 1002 (1007 for invalid UTF-8, 1009 for a too-big message).",
    ],
    [
        "Service restart: the server is terminating the connection because it is restarting (IANA registry, registered after RFC 6455).",
        "During deploys, rolling restarts and configuration reloads, usually right after the handshake or on idle connections.",
        "Reconnect after a randomized delay (the registration suggests 5–30 s) so that clients do not all return at once. It is not a protocol-error code: a server answering a protocol violation with 1012 uses the wrong code.",
    ],
    [
        "Try Again Later: the server is terminating the connection because of a temporary condition, typically overload (IANA registry, registered after RFC 6455).",
        "At or right after the opening handshake when a server sheds load: too many connections, rate limiting, exhausted resources.",
        "Reconnect later with exponential back-off and jitter (or to another server address) and lower the connection rate. 1013 is NOT a protocol-error code: a server that answers a protocol violation (bad framing, invalid UTF-8) with 1013 is wrong and must send 1002 (or 1007, 1009).",
    ],
    [
        "Bad gateway: the server was acting as a gateway or proxy and received an invalid response from the upstream server, like HTTP 502 (IANA registry, registered after RFC 6455).",
        "From reverse proxies and API gateways relaying WebSocket traffic when the backend fails, refuses the connection or misbehaves.",
        "Look at the upstream service and the gateway's logs rather than the client. Retry with back-off.",
    ],
    [
        "TLS handshake failure: the connection closed because the TLS handshake failed (e.g. the server certificate could not be verified). A local placeholder; RFC 6455 §7.4.1: it \"MUST NOT be set as a status code in a Close control frame by an endpoint\".",
        "In a client API's close event for a wss:// URL whose TLS setup failed: untrusted or expired certificate, host name mismatch, no common TLS version or cipher. Never legitimately on the wire: no Close frame can be exchanged before TLS is up.",
        "Fix TLS: certificate chain, host name, trust store, TLS versions. If 1015 appears inside a Close frame on the wire, the sender is broken and the receiver must answer 1002.",
    ],
];

const UNUSED: Texts = [
    "Not used: RFC 6455 §7.4.2 says status codes in the range 0–999 are not used. Not valid in a Close frame.",
    "Only from a buggy endpoint or a test tool (Autobahn cases 7.9.1 and 7.9.2 send 0 and 999). A sender of 0 usually meant \"no code\", which is written as an empty Close body.",
    "Send a code from 1000 up (1000 for a normal close), or an empty Close body. A receiver fails the connection with 1002.",
];

const PROTOCOL_RESERVED: Texts = [
    "Reserved for the protocol: RFC 6455 §7.4.2 keeps 1000–2999 for the protocol, its revisions and extensions with a public specification; 1016–2999 are unassigned, so these codes are not valid in a Close frame.",
    "From an endpoint that invented its own code in the wrong range, or from a test tool (Autobahn cases 7.9.6–7.9.9).",
    "Applications should use a private code (4000–4999) or a registered one (3000–3999). A receiver fails the connection with 1002.",
];

const LIBRARY: Texts = [
    "Library, framework or application code: 3000–3999 are registered directly with IANA and their meaning is not defined by RFC 6455 (§7.4.2). Valid in a Close frame.",
    "From frameworks that use registered codes (the IANA registry lists e.g. 3000 Unauthorized, 3003 Forbidden, 3008 Timeout).",
    "Look the code up in the IANA WebSocket Close Code Number Registry or in the framework's documentation. A receiver closes normally, answering with 1000 or echoing the code.",
];

const PRIVATE: Texts = [
    "Private use: 4000–4999 cannot be registered and are used by prior agreement between applications; RFC 6455 does not define their meaning (§7.4.2). Valid in a Close frame.",
    "From application code signalling its own reasons, with whatever meaning that application gives the number.",
    "Read the application's or subprotocol's documentation and the close reason. A receiver closes normally, answering with 1000 or echoing the code.",
];

const UNDEFINED: Texts = [
    "Undefined: codes from 5000 up lie outside every range RFC 6455 §7.4 defines and have no meaning. Not valid in a Close frame.",
    "From a buggy endpoint or a test tool (Autobahn cases 7.13.1 and 7.13.2 send 5000 and 65535).",
    "Use 4000–4999 for application-specific reasons. A strict receiver fails the connection with 1002; Autobahn accepts any clean reply and records the case as informational.",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_code_has_its_own_texts() {
        let all: Vec<Explanation> = (1000..=1015).map(|c| explain(CloseCode(c))).collect();
        for (i, e) in all.iter().enumerate() {
            assert!(e.name.is_some(), "{}", e.code);
            assert!(e.meaning.len() > 40 && e.when_seen.len() > 40 && e.resolution.len() > 40);
            assert!(
                all[i + 1..].iter().all(|o| o.meaning != e.meaning),
                "{}",
                e.code
            );
            assert_eq!(e.sendable, CloseCode(e.code).is_sendable());
        }
    }

    #[test]
    fn ranges_are_explained_by_range() {
        for (a, b) in [
            (0, 999),
            (1016, 2999),
            (3000, 3999),
            (4000, 4999),
            (5000, 65535),
        ] {
            assert_eq!(explain(CloseCode(a)).meaning, explain(CloseCode(b)).meaning);
            assert!(explain(CloseCode(a)).name.is_none());
        }
        assert!(explain(CloseCode(3000)).sendable && explain(CloseCode(4999)).sendable);
        assert!(!explain(CloseCode(999)).sendable && !explain(CloseCode(5000)).sendable);
    }

    #[test]
    fn local_placeholders_must_not_be_sent() {
        for code in [
            CloseCode::NO_STATUS,
            CloseCode::ABNORMAL,
            CloseCode::TLS_HANDSHAKE,
        ] {
            let e = explain(code);
            assert!(e.meaning.contains("MUST NOT"), "{code}");
            assert!(!e.sendable, "{code}");
        }
    }

    #[test]
    fn try_again_later_is_overload_not_protocol_error() {
        let e = explain(CloseCode::TRY_AGAIN_LATER);
        assert!(e.meaning.contains("overload"));
        assert!(e.resolution.contains("back-off"));
        assert!(e.resolution.contains("NOT a protocol-error code"));
        assert!(
            explain(CloseCode::PROTOCOL_ERROR)
                .when_seen
                .contains("reserved opcode")
        );
    }
}
