//! Client side of the opening handshake (RFC 6455 §4.1): the upgrade
//! request, the capped parse of the server's head, and the checks a client
//! MUST apply to it.

use base64::Engine as _;
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use super::fields::{self, capped, extension_name, head_status, split_list};
use super::{HandshakeError, MAX_HEADERS, WEBSOCKET_VERSION, accept_key};

/// A client's opening handshake as plain data. [`ClientRequest::new`] fills
/// in a conforming request; every field can then be changed, and each
/// `Option` header set to `None` to leave it out, so a test case can send
/// exactly the wrong request it wants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRequest {
    /// Request method (`GET`).
    pub method: String,
    /// Request-URI: path and query (`/chat?room=1`).
    pub path: String,
    /// Version on the request line (`HTTP/1.1`).
    pub http_version: String,
    /// `Host` value, `host[:port]`.
    pub host: Option<String>,
    /// `Upgrade` value (`websocket`).
    pub upgrade: Option<String>,
    /// `Connection` value (`Upgrade`).
    pub connection: Option<String>,
    /// `Sec-WebSocket-Key` value (base64 of 16 bytes).
    pub key: Option<String>,
    /// `Sec-WebSocket-Version` value (`13`).
    pub version_header: Option<String>,
    /// `Origin` value, sent when set.
    pub origin: Option<String>,
    /// Offered subprotocols, in order of preference; none sends no field.
    pub subprotocols: Vec<String>,
    /// Offered extensions with their parameters; none sends no field.
    pub extensions: Vec<String>,
    /// Further fields, written last and in order.
    pub extra_headers: Vec<(String, String)>,
}

impl ClientRequest {
    /// A conforming request for `host` (with `:port` when not the default)
    /// and `path` (with query), its key the base64 of `seed_key`.
    pub fn new(host: impl Into<String>, path: impl Into<String>, seed_key: [u8; 16]) -> Self {
        ClientRequest {
            method: "GET".into(),
            path: path.into(),
            http_version: "HTTP/1.1".into(),
            host: Some(host.into()),
            upgrade: Some("websocket".into()),
            connection: Some("Upgrade".into()),
            key: Some(base64::engine::general_purpose::STANDARD.encode(seed_key)),
            version_header: Some(WEBSOCKET_VERSION.into()),
            origin: None,
            subprotocols: Vec::new(),
            extensions: Vec::new(),
            extra_headers: Vec::new(),
        }
    }

    /// Sets the `Origin` field.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// Offers one more subprotocol.
    pub fn subprotocol(mut self, name: impl Into<String>) -> Self {
        self.subprotocols.push(name.into());
        self
    }

    /// Offers one more extension (`name; param=value`).
    pub fn extension(mut self, offer: impl Into<String>) -> Self {
        self.extensions.push(offer.into());
        self
    }

    /// Appends a further header field.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_headers.push((name.into(), value.into()));
        self
    }

    /// The request head exactly as it goes on the wire.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {} {}\r\n", self.method, self.path, self.http_version);
        let list = |v: &[String]| (!v.is_empty()).then(|| v.join(", "));
        let named = [
            ("Host", self.host.clone()),
            ("Upgrade", self.upgrade.clone()),
            ("Connection", self.connection.clone()),
            ("Sec-WebSocket-Key", self.key.clone()),
            ("Sec-WebSocket-Version", self.version_header.clone()),
            ("Origin", self.origin.clone()),
            ("Sec-WebSocket-Protocol", list(&self.subprotocols)),
            ("Sec-WebSocket-Extensions", list(&self.extensions)),
        ];
        for (name, value) in named.iter().filter_map(|(n, v)| Some((*n, v.as_deref()?))) {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        for (name, value) in &self.extra_headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("\r\n");
        out.into_bytes()
    }
}

/// Sixteen key bytes drawn from a ChaCha20 stream seeded with `seed`: the
/// same seed gives the same key, so runs are reproducible.
pub fn key_bytes_from_seed(seed: u64) -> [u8; 16] {
    let mut key = [0u8; 16];
    ChaCha20Rng::seed_from_u64(seed).fill_bytes(&mut key);
    key
}

/// The server's response head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerResponse {
    /// Status code.
    pub status: u16,
    /// Reason phrase (empty when missing or not text).
    pub reason: String,
    /// Header fields in wire order: name, raw value.
    pub headers: Vec<(String, Vec<u8>)>,
}

impl ServerResponse {
    /// The first value of the field `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        fields::first(&self.headers, name)
    }
}

/// Parses the server's response head from the start of `buf`, looking at no
/// more than `max_bytes` bytes. `Ok(None)` means more bytes are needed;
/// `Ok(Some((response, n)))` means the head is the first `n` bytes and
/// anything after it is frame data.
pub fn parse_response(
    buf: &[u8],
    max_bytes: usize,
) -> Result<Option<(ServerResponse, usize)>, HandshakeError> {
    let head = capped(buf, max_bytes);
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Response::new(&mut headers);
    let Some(n) = head_status(parsed.parse(head), head.len(), max_bytes)? else {
        return Ok(None);
    };
    let response = ServerResponse {
        status: parsed.code.unwrap_or_default(),
        reason: parsed.reason.unwrap_or_default().to_owned(),
        headers: fields::owned(parsed.headers),
    };
    Ok(Some((response, n)))
}

/// What the server agreed to, once its response passed every check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Negotiated {
    /// The subprotocol in use, if any.
    pub subprotocol: Option<String>,
    /// The extensions in use, each with the parameters the server sent.
    pub extensions: Vec<String>,
}

/// Applies the client's checks of RFC 6455 §4.1 to a server response.
/// The expected accept value derives from `request.key` (the empty string
/// when the request carried no key).
pub fn check_response(
    response: &ServerResponse,
    request: &ClientRequest,
) -> Result<Negotiated, HandshakeError> {
    check_status(response)?;
    check_upgrade(response)?;
    check_connection(response)?;
    check_accept(response, request)?;
    Ok(Negotiated {
        extensions: check_extensions(response, request)?,
        subprotocol: check_subprotocol(response, request)?,
    })
}

fn check_status(response: &ServerResponse) -> Result<(), HandshakeError> {
    // RFC 6455 §4.1: "If the status code received from the server is not
    // 101, the client handles the response per HTTP [RFC2616] procedures."
    // A tester does not follow redirects or authenticate: it reports.
    match response.status {
        101 => Ok(()),
        status => Err(HandshakeError::NotSwitching { status }),
    }
}

fn check_upgrade(response: &ServerResponse) -> Result<(), HandshakeError> {
    let value =
        fields::joined(&response.headers, "Upgrade").ok_or(HandshakeError::MissingUpgrade)?;
    // RFC 6455 §4.1: "If the response lacks an |Upgrade| header field or the
    // |Upgrade| header field contains a value that is not an ASCII
    // case-insensitive match for the value "websocket", the client MUST
    // _Fail the WebSocket Connection_."
    if !value.eq_ignore_ascii_case("websocket") {
        return Err(HandshakeError::BadUpgrade(value));
    }
    Ok(())
}

fn check_connection(response: &ServerResponse) -> Result<(), HandshakeError> {
    let value =
        fields::joined(&response.headers, "Connection").ok_or(HandshakeError::MissingConnection)?;
    // RFC 6455 §4.1: "If the response lacks a |Connection| header field or
    // the |Connection| header field doesn't contain a token that is an ASCII
    // case-insensitive match for the value "Upgrade", the client MUST _Fail
    // the WebSocket Connection_."
    if !fields::has_token(&value, "upgrade") {
        return Err(HandshakeError::BadConnection(value));
    }
    Ok(())
}

fn check_accept(response: &ServerResponse, request: &ClientRequest) -> Result<(), HandshakeError> {
    let got = fields::single(&response.headers, "Sec-WebSocket-Accept")?
        .ok_or(HandshakeError::MissingAccept)?;
    let expected = accept_key(request.key.as_deref().unwrap_or(""));
    // RFC 6455 §4.1: "If the response lacks a |Sec-WebSocket-Accept| header
    // field or the |Sec-WebSocket-Accept| contains a value other than the
    // base64-encoded SHA-1 of the concatenation of the |Sec-WebSocket-Key|
    // (as a string, not base64-decoded) with the string "258EAFA5-E914-47DA-
    // 95CA-C5AB0DC85B11" but ignoring any leading and trailing whitespace,
    // the client MUST _Fail the WebSocket Connection_." (`single` trims.)
    if got != expected {
        return Err(HandshakeError::BadAccept { expected, got });
    }
    Ok(())
}

fn check_extensions(
    response: &ServerResponse,
    request: &ClientRequest,
) -> Result<Vec<String>, HandshakeError> {
    let Some(value) = fields::joined(&response.headers, "Sec-WebSocket-Extensions") else {
        return Ok(Vec::new());
    };
    let accepted = split_list(&value);
    if accepted.is_empty() {
        return Err(HandshakeError::Malformed(
            "empty Sec-WebSocket-Extensions".into(),
        ));
    }
    let offered: Vec<&str> = request
        .extensions
        .iter()
        .flat_map(|e| split_list(e))
        .collect();
    for element in &accepted {
        let name = extension_name(element);
        // RFC 6455 §4.1: "If the response includes a |Sec-WebSocket-Extensions|
        // header field and this header field indicates the use of an extension
        // that was not present in the client's handshake (the server has
        // indicated an extension not requested by the client), the client
        // MUST _Fail the WebSocket Connection_."
        if !offered
            .iter()
            .any(|o| extension_name(o).eq_ignore_ascii_case(name))
        {
            return Err(HandshakeError::UnofferedExtension(name.to_owned()));
        }
    }
    Ok(accepted.into_iter().map(str::to_owned).collect())
}

fn check_subprotocol(
    response: &ServerResponse,
    request: &ClientRequest,
) -> Result<Option<String>, HandshakeError> {
    let Some(chosen) = fields::single(&response.headers, "Sec-WebSocket-Protocol")? else {
        return Ok(None);
    };
    // RFC 6455 §4.3: Sec-WebSocket-Protocol-Server = token
    if chosen.is_empty() || chosen.contains(',') {
        return Err(HandshakeError::Malformed(format!(
            "Sec-WebSocket-Protocol {chosen:?} is not one token"
        )));
    }
    // RFC 6455 §4.1: "If the response includes a |Sec-WebSocket-Protocol|
    // header field and this header field indicates the use of a subprotocol
    // that was not present in the client's handshake (the server has
    // indicated a subprotocol not requested by the client), the client MUST
    // _Fail the WebSocket Connection_."
    let offered = request.subprotocols.iter().flat_map(|p| split_list(p));
    if !offered.into_iter().any(|p| p == chosen) {
        return Err(HandshakeError::UnofferedSubprotocol(chosen));
    }
    Ok(Some(chosen))
}
