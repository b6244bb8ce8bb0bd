//! Server side of the opening handshake (RFC 6455 §4.2): the capped parse
//! of the client's head, its checks, and the reply: 101 Switching Protocols,
//! 400 Bad Request, or 426 Upgrade Required.

use base64::Engine as _;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};

use super::fields::{self, capped, head_status, split_list};
use super::{HandshakeError, MAX_HEADERS, WEBSOCKET_VERSION, accept_key};

/// Standard alphabet, canonical padding, but non-zero trailing bits allowed:
/// RFC 6455's own example key "AQIDBAUGBwgJCgsMDQ4PEC==" has them.
const KEY_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// The client's request head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHandshake {
    /// Request method.
    pub method: String,
    /// Request-URI as sent.
    pub path: String,
    /// Minor HTTP version: 1 for HTTP/1.1, 0 for HTTP/1.0.
    pub http_minor: u8,
    /// Header fields in wire order: name, raw value.
    pub headers: Vec<(String, Vec<u8>)>,
}

impl ClientHandshake {
    /// The first value of the field `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        fields::first(&self.headers, name)
    }

    /// The offered subprotocols, in the client's order of preference.
    pub fn subprotocols(&self) -> Vec<String> {
        let value = fields::joined(&self.headers, "Sec-WebSocket-Protocol").unwrap_or_default();
        split_list(&value).into_iter().map(str::to_owned).collect()
    }
}

/// Parses the client's request head from the start of `buf`, looking at no
/// more than `max_bytes` bytes. `Ok(None)` means more bytes are needed;
/// `Ok(Some((request, n)))` means the head is the first `n` bytes. An `Err`
/// is answered with [`reject`].
pub fn parse_request(
    buf: &[u8],
    max_bytes: usize,
) -> Result<Option<(ClientHandshake, usize)>, HandshakeError> {
    let head = capped(buf, max_bytes);
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    let Some(n) = head_status(parsed.parse(head), head.len(), max_bytes)? else {
        return Ok(None);
    };
    let request = ClientHandshake {
        method: parsed.method.unwrap_or_default().to_owned(),
        path: parsed.path.unwrap_or_default().to_owned(),
        http_minor: parsed.version.unwrap_or_default(),
        headers: fields::owned(parsed.headers),
    };
    Ok(Some((request, n)))
}

/// What the server agrees to beyond the RFC's mandatory parts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerPolicy {
    /// Echo the client's first offered subprotocol (default: choose none).
    pub echo_first_subprotocol: bool,
}

/// The server's answer to one handshake: `status` is 101 on acceptance
/// (then `error` is `None`), 400 or 426 on rejection (then `error` says
/// why); `bytes` is the whole response as it goes on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerReply {
    /// Status code.
    pub status: u16,
    /// Reason phrase on the status line.
    pub reason: &'static str,
    /// The response, head and (for rejections) a short text body.
    pub bytes: Vec<u8>,
    /// Why the handshake was rejected.
    pub error: Option<HandshakeError>,
    /// The subprotocol chosen, when accepted with one.
    pub subprotocol: Option<String>,
}

impl ServerReply {
    /// Whether the connection is now a WebSocket.
    pub fn is_accept(&self) -> bool {
        self.error.is_none()
    }

    /// The same reply with one more header line (an accepted extension).
    pub fn with_header(mut self, name: &str, value: &str) -> ServerReply {
        let end = self
            .bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(self.bytes.len(), |i| i + 2);
        let line = format!("{name}: {value}\r\n");
        self.bytes.splice(end..end, line.into_bytes());
        self
    }
}

/// The reply under the default [`ServerPolicy`]: no subprotocol, no
/// extensions.
pub fn server_response(request: &ClientHandshake) -> ServerReply {
    server_response_with(request, &ServerPolicy::default())
}

/// The reply to `request` under `policy`. Extensions are never accepted.
pub fn server_response_with(request: &ClientHandshake, policy: &ServerPolicy) -> ServerReply {
    match validate(request) {
        Ok(key) => {
            // RFC 6455 §4.2.2: "if the server does not wish to agree to one of
            // the suggested subprotocols, it MUST NOT send back a
            // |Sec-WebSocket-Protocol| header field in its response"
            let chosen = policy
                .echo_first_subprotocol
                .then(|| request.subprotocols());
            accept(&key, chosen.and_then(|p| p.into_iter().next()))
        }
        Err(error) => reject(error),
    }
}

/// The 400 or 426 response for a request error (see
/// [`HandshakeError::http_status`]); a 426 names the version spoken.
pub fn reject(error: HandshakeError) -> ServerReply {
    let status = error.http_status();
    let reason = if status == 426 {
        "Upgrade Required"
    } else {
        "Bad Request"
    };
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    if status == 426 {
        // RFC 6455 §4.4: "If the server doesn't support the requested version,
        // it MUST respond with a |Sec-WebSocket-Version| header field (or
        // multiple |Sec-WebSocket-Version| header fields) containing all
        // versions it is willing to use."
        head.push_str(&format!(
            "Upgrade: websocket\r\nSec-WebSocket-Version: {WEBSOCKET_VERSION}\r\n"
        ));
    }
    let body = format!("{error}\n");
    head.push_str("Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n");
    head.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    ServerReply {
        status,
        reason,
        bytes: head.into_bytes(),
        error: Some(error),
        subprotocol: None,
    }
}

fn accept(key: &str, subprotocol: Option<String>) -> ServerReply {
    let mut head = String::from("HTTP/1.1 101 Switching Protocols\r\n");
    head.push_str("Upgrade: websocket\r\nConnection: Upgrade\r\n");
    head.push_str(&format!("Sec-WebSocket-Accept: {}\r\n", accept_key(key)));
    if let Some(p) = &subprotocol {
        head.push_str(&format!("Sec-WebSocket-Protocol: {p}\r\n"));
    }
    head.push_str("\r\n");
    let reason = "Switching Protocols";
    ServerReply {
        status: 101,
        reason,
        bytes: head.into_bytes(),
        error: None,
        subprotocol,
    }
}

/// RFC 6455 §4.2.1: "If the server, while reading the handshake, finds that
/// the client did not send a handshake that matches the description below
/// [...], the server MUST stop processing the client's handshake and return
/// an HTTP response with an appropriate error code (such as 400 Bad
/// Request)." Checks run in that list's order, except that the version is
/// checked before the key so an older-protocol client learns the version.
/// Returns the key on success.
fn validate(request: &ClientHandshake) -> Result<String, HandshakeError> {
    check_request_line(request)?;
    // §4.2.1 item 2: "A |Host| header field containing the server's authority."
    fields::single(&request.headers, "Host")?.ok_or(HandshakeError::MissingHost)?;
    check_upgrade(request)?;
    check_connection(request)?;
    check_version(request)?;
    check_key(request)
}

fn check_request_line(request: &ClientHandshake) -> Result<(), HandshakeError> {
    // §4.2.1 item 1: "An HTTP/1.1 or higher GET request"
    if request.method != "GET" {
        return Err(HandshakeError::BadMethod(request.method.clone()));
    }
    if request.http_minor < 1 {
        return Err(HandshakeError::OldHttpVersion);
    }
    Ok(())
}

fn check_upgrade(request: &ClientHandshake) -> Result<(), HandshakeError> {
    let value =
        fields::joined(&request.headers, "Upgrade").ok_or(HandshakeError::MissingUpgrade)?;
    // §4.2.1 item 3: "An |Upgrade| header field containing the value
    // "websocket", treated as an ASCII case-insensitive value."
    if !fields::has_token(&value, "websocket") {
        return Err(HandshakeError::BadUpgrade(value));
    }
    Ok(())
}

fn check_connection(request: &ClientHandshake) -> Result<(), HandshakeError> {
    let value =
        fields::joined(&request.headers, "Connection").ok_or(HandshakeError::MissingConnection)?;
    // §4.2.1 item 4: "A |Connection| header field that includes the token
    // "Upgrade", treated as an ASCII case-insensitive value."
    if !fields::has_token(&value, "upgrade") {
        return Err(HandshakeError::BadConnection(value));
    }
    Ok(())
}

fn check_version(request: &ClientHandshake) -> Result<(), HandshakeError> {
    let value = fields::single(&request.headers, "Sec-WebSocket-Version")?
        .ok_or(HandshakeError::MissingVersion)?;
    // RFC 6455 §4.2.2: "If this version does not match a version understood
    // by the server, the server MUST abort the WebSocket handshake described
    // in this section and instead send an appropriate HTTP error code (such
    // as 426 Upgrade Required) and a |Sec-WebSocket-Version| header field
    // indicating the version(s) the server is capable of understanding."
    if value != WEBSOCKET_VERSION {
        return Err(HandshakeError::UnsupportedVersion(value));
    }
    Ok(())
}

fn check_key(request: &ClientHandshake) -> Result<String, HandshakeError> {
    let key =
        fields::single(&request.headers, "Sec-WebSocket-Key")?.ok_or(HandshakeError::MissingKey)?;
    // §4.2.1 item 5: "A |Sec-WebSocket-Key| header field with a
    // base64-encoded (see Section 4 of [RFC4648]) value that, when decoded,
    // is 16 bytes in length."
    match KEY_BASE64.decode(&key) {
        Ok(bytes) if bytes.len() == 16 => Ok(key),
        _ => Err(HandshakeError::BadKey(key)),
    }
}
