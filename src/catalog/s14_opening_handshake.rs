//! Section 14 (not in Autobahn, which has no handshake cases): the opening
//! handshake. Each case changes one thing in an otherwise correct request.
//! 14.1 version, 14.2 key, 14.3 Upgrade and Connection, 14.4 header
//! spellings a server must accept, 14.5 request line and Host, 14.6 offers
//! a server must decline silently.

use super::{Case, HandshakeCase, HandshakeExpect, HeaderEdit};

/// RFC 6455 §4.2.1's MUST for a malformed request, then the item broken.
macro_rules! must_reject {
    ($item:literal) => {
        concat!(
            "the server MUST stop processing the client's handshake and return an HTTP response with an appropriate error code (such as 400 Bad Request).",
            " … ",
            $item
        )
    };
}

const Q_VERSION_HEADER: &str =
    must_reject!("A |Sec-WebSocket-Version| header field, with a value of 13.");
const Q_VERSION_MISMATCH: &str = "If this version does not match a version understood by the server, the server MUST abort the WebSocket handshake described in this section and instead send an appropriate HTTP error code (such as 426 Upgrade Required) and a |Sec-WebSocket-Version| header field indicating the version(s) the server is capable of understanding.";
const Q_VERSION_ABNF: &str = must_reject!(
    r#"version = DIGIT | (NZDIGIT DIGIT) | ("1" DIGIT DIGIT) | ("2" DIGIT DIGIT) ; Limited to 0-255 range, with no leading zeros"#
);
const Q_KEY: &str = must_reject!(
    "A |Sec-WebSocket-Key| header field with a base64-encoded (see Section 4 of [RFC4648]) value that, when decoded, is 16 bytes in length."
);
const Q_UPGRADE: &str = must_reject!(
    r#"An |Upgrade| header field containing the value "websocket", treated as an ASCII case-insensitive value."#
);
const Q_CONNECTION: &str = must_reject!(
    r#"A |Connection| header field that includes the token "Upgrade", treated as an ASCII case-insensitive value."#
);
const Q_UPGRADE_CASE: &str = r#"An |Upgrade| header field containing the value "websocket", treated as an ASCII case-insensitive value."#;
const Q_CONNECTION_TOKEN: &str = r#"A |Connection| header field that includes the token "Upgrade", treated as an ASCII case-insensitive value."#;
const Q_NAME_CASE: &str = "Please note that according to [RFC2616], all header field names in both HTTP requests and HTTP responses are case-insensitive.";
const Q_REQUEST_LINE: &str = must_reject!(
    r#"An HTTP/1.1 or higher GET request, including a "Request-URI" [RFC2616] that should be interpreted as a /resource name/ defined in Section 3 (or an absolute HTTP/HTTPS URI containing the /resource name/)."#
);
const Q_HOST: &str = must_reject!("A |Host| header field containing the server's authority.");
const Q_EXTENSIONS: &str = "Extensions not listed by the client MUST NOT be listed.";
const Q_SUBPROTOCOL: &str = "if the server does not wish to agree to one of the suggested subprotocols, it MUST NOT send back a |Sec-WebSocket-Protocol| header field in its response";

/// Statuses for a malformed request (RFC 6455 §4.2.1: "such as 400").
const BAD: &[u16] = &[400];
/// A request that is not an upgrade to WebSocket: 400, or 426 Upgrade Required.
const NOT_UPGRADE: &[u16] = &[400, 426];
/// An unsupported or absent version: 426 (§4.2.2) or 400 (§4.4's example).
const VERSION: &[u16] = &[426, 400];
/// The version a server must advertise when it rejects one (RFC 6455 §4.4).
const ADVERTISED: Option<(&str, &str)> = Some(("Sec-WebSocket-Version", "13"));

/// The cases of section 14.
pub(super) fn cases() -> Vec<Case> {
    let mut all = version();
    all.extend(key());
    all.extend(upgrade_and_connection());
    all.extend(accepted_spellings());
    all.extend(request_line_and_host());
    all.extend(declined_offers());
    all
}

fn version() -> Vec<Case> {
    vec![
        case(
            "14.1.1",
            "No Sec-WebSocket-Version header",
            "4.2.1",
            Q_VERSION_HEADER,
            get(vec![remove("Sec-WebSocket-Version")], reject(VERSION, None)),
        ),
        case(
            "14.1.2",
            "Sec-WebSocket-Version: 12 (reserved, never used)",
            "4.2.2",
            Q_VERSION_MISMATCH,
            get(
                vec![set("Sec-WebSocket-Version", "12")],
                reject(VERSION, ADVERTISED),
            ),
        ),
        case(
            "14.1.3",
            "Sec-WebSocket-Version: 14 (unknown)",
            "4.2.2",
            Q_VERSION_MISMATCH,
            get(
                vec![set("Sec-WebSocket-Version", "14")],
                reject(VERSION, ADVERTISED),
            ),
        ),
        case(
            "14.1.4",
            "Sec-WebSocket-Version: abc (not a number)",
            "4.2.1",
            Q_VERSION_ABNF,
            get(
                vec![set("Sec-WebSocket-Version", "abc")],
                reject(VERSION, None),
            ),
        ),
        case(
            "14.1.5",
            "Sec-WebSocket-Version: 013 (leading zero)",
            "4.2.1",
            Q_VERSION_ABNF,
            get(
                vec![set("Sec-WebSocket-Version", "013")],
                reject(VERSION, None),
            ),
        ),
    ]
}

fn key() -> Vec<Case> {
    let bad_key = |id, title, value: &str| {
        let edits = vec![set("Sec-WebSocket-Key", value)];
        case(id, title, "4.2.1", Q_KEY, get(edits, reject(BAD, None)))
    };
    vec![
        case(
            "14.2.1",
            "No Sec-WebSocket-Key header",
            "4.2.1",
            Q_KEY,
            get(vec![remove("Sec-WebSocket-Key")], reject(BAD, None)),
        ),
        bad_key("14.2.2", "Key of 15 bytes", "AQIDBAUGBwgJCgsMDQ4P"),
        bad_key("14.2.3", "Key of 17 bytes", "AQIDBAUGBwgJCgsMDQ4PEBE="),
        bad_key(
            "14.2.4",
            "Key of 24 characters that is not base64",
            "AQIDBAUGBwgJ*gsMDQ4PEA==",
        ),
        bad_key("14.2.5", "Empty key", ""),
    ]
}

fn upgrade_and_connection() -> Vec<Case> {
    let not_upgrade = |id, title, quote, edit| {
        case(
            id,
            title,
            "4.2.1",
            quote,
            get(vec![edit], reject(NOT_UPGRADE, None)),
        )
    };
    vec![
        not_upgrade("14.3.1", "No Upgrade header", Q_UPGRADE, remove("Upgrade")),
        not_upgrade("14.3.2", "Upgrade: h2c", Q_UPGRADE, set("Upgrade", "h2c")),
        not_upgrade(
            "14.3.3",
            "No Connection header",
            Q_CONNECTION,
            remove("Connection"),
        ),
        not_upgrade(
            "14.3.4",
            "Connection: close",
            Q_CONNECTION,
            set("Connection", "close"),
        ),
    ]
}

fn accepted_spellings() -> Vec<Case> {
    let accept = |id, title, quote, edits| case(id, title, "4.2.1", quote, get(edits, accepted()));
    vec![
        accept(
            "14.4.1",
            "Upgrade: WebSocket (value in mixed case)",
            Q_UPGRADE_CASE,
            vec![set("Upgrade", "WebSocket")],
        ),
        case(
            "14.4.2",
            "UPGRADE: websocket (header name in upper case)",
            "4.1",
            Q_NAME_CASE,
            get(
                vec![remove("Upgrade"), add("UPGRADE", "websocket")],
                accepted(),
            ),
        ),
        accept(
            "14.4.3",
            "Connection: keep-alive, Upgrade (token list)",
            Q_CONNECTION_TOKEN,
            vec![set("Connection", "keep-alive, Upgrade")],
        ),
        accept(
            "14.4.4",
            "connection: UPGRADE (name and token in other cases)",
            Q_CONNECTION_TOKEN,
            vec![remove("Connection"), add("connection", "UPGRADE")],
        ),
        accept(
            "14.4.5",
            "Connection tokens split over two header lines (keep-alive, then Upgrade)",
            Q_CONNECTION_TOKEN,
            vec![
                set("Connection", "keep-alive"),
                add("Connection", "Upgrade"),
            ],
        ),
    ]
}

fn request_line_and_host() -> Vec<Case> {
    let with_line = |method, http_version| HandshakeCase {
        method,
        http_version,
        edits: Vec::new(),
        expect: HandshakeExpect::Reject {
            statuses: if method == "GET" {
                &[400, 505]
            } else {
                &[400, 405]
            },
            header: None,
        },
    };
    vec![
        case(
            "14.5.1",
            "POST instead of GET",
            "4.2.1",
            Q_REQUEST_LINE,
            with_line("POST", "HTTP/1.1"),
        ),
        case(
            "14.5.2",
            "HTTP/1.0 request",
            "4.2.1",
            Q_REQUEST_LINE,
            with_line("GET", "HTTP/1.0"),
        ),
        case(
            "14.5.3",
            "No Host header",
            "4.2.1",
            Q_HOST,
            get(vec![remove("Host")], reject(BAD, None)),
        ),
    ]
}

fn declined_offers() -> Vec<Case> {
    vec![
        case(
            "14.6.1",
            "Offers the unknown extension x-unknown: accepted without it",
            "4.2.2",
            Q_EXTENSIONS,
            get(
                vec![set("Sec-WebSocket-Extensions", "x-unknown")],
                accepted(),
            ),
        ),
        case(
            "14.6.2",
            "Offers two unknown extensions with parameters: accepted without them",
            "4.2.2",
            Q_EXTENSIONS,
            get(
                vec![set(
                    "Sec-WebSocket-Extensions",
                    "x-unknown; level=3, x-other-unknown",
                )],
                accepted(),
            ),
        ),
        case(
            "14.6.3",
            "Offers the unknown subprotocol x-unknown-protocol: accepted without it",
            "4.2.2",
            Q_SUBPROTOCOL,
            get(
                vec![set("Sec-WebSocket-Protocol", "x-unknown-protocol")],
                accepted(),
            ),
        ),
    ]
}

/// A handshake case: judged by its `HandshakeExpect`, within 2 s.
fn case(
    id: &str,
    title: &str,
    section: &'static str,
    requirement: &'static str,
    request: HandshakeCase,
) -> Case {
    Case::handshake(id, title, section, requirement, request)
}

/// A `GET … HTTP/1.1` request with these header edits.
fn get(edits: Vec<HeaderEdit>, expect: HandshakeExpect) -> HandshakeCase {
    HandshakeCase {
        method: "GET",
        http_version: "HTTP/1.1",
        edits,
        expect,
    }
}

fn reject(
    statuses: &'static [u16],
    header: Option<(&'static str, &'static str)>,
) -> HandshakeExpect {
    HandshakeExpect::Reject { statuses, header }
}

fn accepted() -> HandshakeExpect {
    HandshakeExpect::Accept
}

fn remove(name: &'static str) -> HeaderEdit {
    HeaderEdit::Remove(name)
}

fn set(name: &'static str, value: &str) -> HeaderEdit {
    HeaderEdit::Set(name, value.into())
}

fn add(name: &'static str, value: &str) -> HeaderEdit {
    HeaderEdit::Add(name, value.into())
}
