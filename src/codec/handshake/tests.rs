//! Both sides against each other, and against byte tables of right and
//! wrong handshakes.

use base64::Engine as _;

use super::*;
use HandshakeError as E;

const CAP: usize = DEFAULT_MAX_HEADER_BYTES;

fn request() -> ClientRequest {
    ClientRequest::new("example.com:9001", "/chat?room=1", key_bytes_from_seed(7))
}

fn parse_req(bytes: &[u8]) -> ClientHandshake {
    let (hs, n) = parse_request(bytes, CAP)
        .unwrap()
        .expect("complete request");
    assert_eq!(n, bytes.len());
    hs
}

fn parse_resp(bytes: &[u8]) -> ServerResponse {
    let (resp, n) = parse_response(bytes, CAP)
        .unwrap()
        .expect("complete response");
    assert_eq!(n, bytes.len());
    resp
}

#[test]
fn accept_key_matches_rfc_example() {
    let accept = accept_key("dGhlIHNhbXBsZSBub25jZQ==");
    assert_eq!(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    // The SHA-1 bytes RFC 6455 §4.2.2 prints for the same key.
    let sha1 = [
        0xb3, 0x7a, 0x4f, 0x2c, 0xc0, 0x62, 0x4f, 0x16, 0x90, 0xf6, 0x46, 0x06, 0xcf, 0x38, 0x59,
        0x45, 0xb2, 0xbe, 0xc4, 0xea,
    ];
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(accept)
        .unwrap();
    assert_eq!(decoded, sha1);
}

#[test]
fn keys_come_from_bytes_or_seed() {
    let bytes: [u8; 16] = core::array::from_fn(|i| i as u8 + 1);
    let req = ClientRequest::new("h", "/", bytes);
    assert_eq!(req.key.as_deref(), Some("AQIDBAUGBwgJCgsMDQ4PEA=="));
    assert_eq!(key_bytes_from_seed(1), key_bytes_from_seed(1));
    assert_ne!(key_bytes_from_seed(1), key_bytes_from_seed(2));
    assert_ne!(key_bytes_from_seed(0), [0; 16]);
}

#[test]
fn request_bytes_are_exact() {
    let req = ClientRequest::new("example.com", "/chat?x=1", [0; 16])
        .origin("http://example.com")
        .subprotocol("chat")
        .subprotocol("superchat")
        .extension("permessage-deflate; client_max_window_bits")
        .header("Cookie", "a=b");
    let want = "GET /chat?x=1 HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n\
        Sec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\n\
        Sec-WebSocket-Protocol: chat, superchat\r\n\
        Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\
        Cookie: a=b\r\n\r\n";
    assert_eq!(String::from_utf8(req.to_bytes()).unwrap(), want);
}

#[test]
fn round_trip_accepts_and_leaves_frame_data() {
    let req = request()
        .subprotocol("chat")
        .subprotocol("v2")
        .extension("permessage-deflate");
    let hs = parse_req(&req.to_bytes());
    assert_eq!(
        (hs.method.as_str(), hs.path.as_str(), hs.http_minor),
        ("GET", "/chat?room=1", 1)
    );
    for (policy, subprotocol) in [(false, None), (true, Some("chat".to_owned()))] {
        let policy = ServerPolicy {
            echo_first_subprotocol: policy,
        };
        let reply = server_response_with(&hs, &policy);
        assert!(reply.is_accept() && reply.status == 101, "{reply:?}");
        let mut wire = reply.bytes.clone();
        wire.extend_from_slice(&[0x81, 0x00]);
        let (resp, n) = parse_response(&wire, CAP).unwrap().unwrap();
        assert_eq!(&wire[n..], &[0x81, 0x00]);
        let negotiated = check_response(&resp, &req).unwrap();
        assert_eq!(
            negotiated,
            Negotiated {
                subprotocol,
                extensions: vec![]
            }
        );
    }
}

type Mutation = fn(&mut ClientRequest);

#[rustfmt::skip]
fn rejections() -> Vec<(&'static str, Mutation, u16, E)> {
    vec![
        ("POST", |r| r.method = "POST".into(), 400, E::BadMethod("POST".into())),
        ("HTTP/1.0", |r| r.http_version = "HTTP/1.0".into(), 400, E::OldHttpVersion),
        ("no Host", |r| r.host = None, 400, E::MissingHost),
        ("two Hosts", |r| r.extra_headers.push(("host".into(), "b".into())), 400, E::DuplicateHeader("Host")),
        ("no Upgrade", |r| r.upgrade = None, 400, E::MissingUpgrade),
        ("Upgrade h2c", |r| r.upgrade = Some("h2c".into()), 400, E::BadUpgrade("h2c".into())),
        ("Upgrade websockets", |r| r.upgrade = Some("websockets".into()), 400, E::BadUpgrade("websockets".into())),
        ("no Connection", |r| r.connection = None, 400, E::MissingConnection),
        ("Connection keep-alive", |r| r.connection = Some("keep-alive".into()), 400, E::BadConnection("keep-alive".into())),
        ("Connection Upgraded", |r| r.connection = Some("Upgraded".into()), 400, E::BadConnection("Upgraded".into())),
        ("no key", |r| r.key = None, 400, E::MissingKey),
        ("empty key", |r| r.key = Some(String::new()), 400, E::BadKey(String::new())),
        ("15-byte key", |r| r.key = Some("AAECAwQFBgcICQoLDA0O".into()), 400, E::BadKey("AAECAwQFBgcICQoLDA0O".into())),
        ("17-byte key", |r| r.key = Some("AAECAwQFBgcICQoLDA0ODxA=".into()), 400, E::BadKey("AAECAwQFBgcICQoLDA0ODxA=".into())),
        ("unpadded key", |r| r.key = Some("AQIDBAUGBwgJCgsMDQ4PEA".into()), 400, E::BadKey("AQIDBAUGBwgJCgsMDQ4PEA".into())),
        ("not base64", |r| r.key = Some("AQIDBAUGBwgJCgsMDQ4P!!==".into()), 400, E::BadKey("AQIDBAUGBwgJCgsMDQ4P!!==".into())),
        ("two keys", |r| r.extra_headers.push(("Sec-WebSocket-Key".into(), "AAAAAAAAAAAAAAAAAAAAAA==".into())), 400, E::DuplicateHeader("Sec-WebSocket-Key")),
        ("no version", |r| r.version_header = None, 426, E::MissingVersion),
        ("version 8", |r| r.version_header = Some("8".into()), 426, E::UnsupportedVersion("8".into())),
        ("version 013", |r| r.version_header = Some("013".into()), 426, E::UnsupportedVersion("013".into())),
        ("version list", |r| r.version_header = Some("13, 8".into()), 426, E::UnsupportedVersion("13, 8".into())),
    ]
}

#[test]
fn server_rejects_each_wrong_request() {
    for (name, mutate, status, error) in rejections() {
        let mut req = request();
        mutate(&mut req);
        let reply = server_response(&parse_req(&req.to_bytes()));
        assert_eq!(
            (reply.status, reply.error.as_ref()),
            (status, Some(&error)),
            "{name}"
        );
        assert!(!reply.is_accept(), "{name}");
        let (resp, _) = parse_response(&reply.bytes, CAP).unwrap().unwrap();
        assert_eq!(resp.status, status, "{name}");
        let version = resp.header("sec-websocket-version");
        assert_eq!(version, (status == 426).then_some(&b"13"[..]), "{name}");
        assert_eq!(
            check_response(&resp, &req),
            Err(E::NotSwitching { status }),
            "{name}"
        );
    }
}

#[test]
fn server_rejects_unparsable_requests_with_400() {
    let table: &[&[u8]] = &[
        b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
        b"GE T / HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHo st: a\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    ];
    for bytes in table {
        let err = parse_request(bytes, CAP).unwrap_err();
        assert!(matches!(err, E::Malformed(_)), "{bytes:?}: {err:?}");
        assert_eq!(reject(err).status, 400);
    }
}

#[test]
fn server_accepts_tolerated_variants() {
    #[rustfmt::skip]
    let table: &[(&str, Mutation)] = &[
        ("Upgrade: WebSocket", |r| r.upgrade = Some("WebSocket".into())),
        ("Upgrade list", |r| r.upgrade = Some("h2c, websocket".into())),
        ("Connection: keep-alive, Upgrade", |r| r.connection = Some("keep-alive, Upgrade".into())),
        ("Connection: UPGRADE", |r| r.connection = Some("UPGRADE".into())),
        ("RFC key, trailing bits", |r| r.key = Some("AQIDBAUGBwgJCgsMDQ4PEC==".into())),
        ("Connection split over two fields", |r| {
            r.connection = Some("keep-alive".into());
            r.extra_headers.push(("connection".into(), "upgrade".into()));
        }),
    ];
    for (name, mutate) in table {
        let mut req = request();
        mutate(&mut req);
        let reply = server_response(&parse_req(&req.to_bytes()));
        assert!(reply.is_accept(), "{name}: {reply:?}");
        assert_eq!(
            check_response(&parse_resp(&reply.bytes), &req),
            Ok(Negotiated::default())
        );
    }
}

#[test]
fn server_accepts_lowercase_header_names() {
    let req = request();
    let lower = String::from_utf8(req.to_bytes())
        .unwrap()
        .to_ascii_lowercase();
    let lower = lower.replace("get /chat?room=1 http/1.1", "GET /chat?room=1 HTTP/1.1");
    let key = req.key.as_deref().unwrap();
    let lower = lower.replace(&key.to_ascii_lowercase(), key);
    let reply = server_response(&parse_req(lower.as_bytes()));
    assert!(reply.is_accept(), "{reply:?}");
}

/// A client that offered two subprotocols and one extension.
fn offering() -> ClientRequest {
    request()
        .subprotocol("chat")
        .subprotocol("v2.chat")
        .extension("permessage-deflate; client_max_window_bits")
}

fn negotiated(subprotocol: Option<&str>, extensions: &[&str]) -> Result<Negotiated, E> {
    let subprotocol = subprotocol.map(str::to_owned);
    Ok(Negotiated {
        subprotocol,
        extensions: extensions.iter().map(|e| e.to_string()).collect(),
    })
}

#[test]
fn client_checks_each_response() {
    let req = offering();
    let accept = accept_key(req.key.as_deref().unwrap());
    let ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    let a = "Sec-WebSocket-Accept: {A}\r\n";
    let rfc = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    #[rustfmt::skip]
    let table: Vec<(String, Result<Negotiated, E>)> = vec![
        (format!("{ok}{a}"), negotiated(None, &[])),
        (format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n{a}"), negotiated(None, &[])),
        ("HTTP/1.1 101 x\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-accept: {A}\r\n".into(), negotiated(None, &[])),
        (format!("HTTP/1.1 101 x\r\nUpgrade: websocket\r\nConnection: close\r\nConnection: upgrade\r\n{a}"), negotiated(None, &[])),
        (format!("{ok}Sec-WebSocket-Accept:  {{A}}  \r\n"), negotiated(None, &[])),
        (format!("{ok}{a}Sec-WebSocket-Protocol: chat\r\n"), negotiated(Some("chat"), &[])),
        (format!("{ok}{a}Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n"), negotiated(None, &["permessage-deflate; server_no_context_takeover"])),
        (format!("HTTP/1.1 200 OK\r\n{a}"), Err(E::NotSwitching { status: 200 })),
        (format!("HTTP/1.1 302 Found\r\nLocation: /x\r\n{a}"), Err(E::NotSwitching { status: 302 })),
        (format!("HTTP/1.1 101 x\r\nConnection: Upgrade\r\n{a}"), Err(E::MissingUpgrade)),
        (format!("HTTP/1.1 101 x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n{a}"), Err(E::BadUpgrade("h2c".into()))),
        (format!("HTTP/1.1 101 x\r\nUpgrade: websocket, h2c\r\nConnection: Upgrade\r\n{a}"), Err(E::BadUpgrade("websocket, h2c".into()))),
        (format!("HTTP/1.1 101 x\r\nUpgrade: websocket\r\n{a}"), Err(E::MissingConnection)),
        (format!("HTTP/1.1 101 x\r\nUpgrade: websocket\r\nConnection: close\r\n{a}"), Err(E::BadConnection("close".into()))),
        (ok.to_owned(), Err(E::MissingAccept)),
        (format!("{ok}Sec-WebSocket-Accept: {rfc}\r\n"), Err(E::BadAccept { expected: accept.clone(), got: rfc.into() })),
        (format!("{ok}{a}{a}"), Err(E::DuplicateHeader("Sec-WebSocket-Accept"))),
        (format!("{ok}{a}Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n"), Err(E::UnofferedExtension("x-webkit-deflate-frame".into()))),
        (format!("{ok}{a}Sec-WebSocket-Extensions: permessage-deflate, foo\r\n"), Err(E::UnofferedExtension("foo".into()))),
        (format!("{ok}{a}Sec-WebSocket-Extensions: \r\n"), Err(E::Malformed("empty Sec-WebSocket-Extensions".into()))),
        (format!("{ok}{a}Sec-WebSocket-Protocol: superchat\r\n"), Err(E::UnofferedSubprotocol("superchat".into()))),
        (format!("{ok}{a}Sec-WebSocket-Protocol: Chat\r\n"), Err(E::UnofferedSubprotocol("Chat".into()))),
        (format!("{ok}{a}Sec-WebSocket-Protocol: chat, v2.chat\r\n"), Err(E::Malformed("Sec-WebSocket-Protocol \"chat, v2.chat\" is not one token".into()))),
    ];
    for (head, want) in table {
        let bytes = format!("{head}\r\n").replace("{A}", &accept);
        let got = check_response(&parse_resp(bytes.as_bytes()), &req);
        assert_eq!(got, want, "{bytes}");
    }
}

#[test]
fn check_without_key_expects_accept_of_empty_key() {
    let mut req = request();
    req.key = None;
    let bytes = format!(
        "HTTP/1.1 101 x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
        accept_key("")
    );
    assert!(check_response(&parse_resp(bytes.as_bytes()), &req).is_ok());
}

#[test]
fn heads_split_at_every_byte_parse_the_same() {
    let req = offering();
    let reply = server_response_with(
        &parse_req(&req.to_bytes()),
        &ServerPolicy {
            echo_first_subprotocol: true,
        },
    );
    let head = reply.bytes.len();
    let mut wire = reply.bytes.clone();
    wire.extend_from_slice(&[0x82, 0x02, 0xAB, 0xCD]);
    let whole = parse_response(&wire, CAP).unwrap().unwrap();
    assert_eq!(whole.1, head);
    for cut in 0..=wire.len() {
        let got = parse_response(&wire[..cut], CAP).unwrap();
        assert_eq!(
            got.as_ref(),
            (cut >= head).then_some(&whole),
            "cut at {cut}"
        );
    }
    let request = req.to_bytes();
    let whole = parse_request(&request, CAP).unwrap().unwrap();
    for cut in 0..=request.len() {
        let got = parse_request(&request[..cut], CAP).unwrap();
        assert_eq!(
            got.as_ref(),
            (cut == request.len()).then_some(&whole),
            "cut at {cut}"
        );
    }
}

/// A response head of at least `len` bytes, padded with one long field.
fn long_head(len: usize) -> Vec<u8> {
    let base = "HTTP/1.1 101 Switching Protocols\r\nX-Pad: \r\n\r\n";
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nX-Pad: {}\r\n\r\n",
        "a".repeat(len - base.len())
    )
    .into_bytes()
}

#[test]
fn heads_over_the_cap_fail_at_every_split() {
    let cap = 512;
    assert_eq!(
        parse_response(&long_head(cap), cap).unwrap().map(|r| r.1),
        Some(cap)
    );
    let over = long_head(cap + 1);
    for cut in 0..=over.len() {
        let got = parse_response(&over[..cut], cap);
        let want = if cut < cap {
            Ok(None)
        } else {
            Err(E::HeadersTooLarge { cap })
        };
        assert_eq!(got, want, "cut at {cut}");
    }
}

#[test]
fn endless_heads_fail_at_the_default_cap() {
    let flood = [b"GET / HTTP/1.1\r\nX-Flood: ".as_slice(), &[b'a'; 1 << 20]].concat();
    let too_large = Err(E::HeadersTooLarge { cap: CAP });
    assert_eq!(
        parse_request(&flood[..CAP - 1], CAP).map(|r| r.is_some()),
        Ok(false)
    );
    assert_eq!(
        parse_request(&flood[..CAP], CAP).map(|r| r.is_some()),
        too_large
    );
    let long = [b"HTTP/1.1 101 OK\r\nX: ".as_slice(), &[b'a'; 1 << 20]].concat();
    assert_eq!(parse_response(&long, CAP).map(|r| r.is_some()), too_large);
}

#[test]
fn header_count_is_capped() {
    let with_fields = |n: usize| {
        let fields: String = (0..n).map(|i| format!("X-{i}: v\r\n")).collect();
        format!("HTTP/1.1 101 x\r\n{fields}\r\n").into_bytes()
    };
    assert!(
        parse_response(&with_fields(MAX_HEADERS), CAP)
            .unwrap()
            .is_some()
    );
    let err = Err(E::TooManyHeaders { cap: MAX_HEADERS });
    assert_eq!(
        parse_response(&with_fields(MAX_HEADERS + 1), CAP).map(|_| ()),
        err
    );
    let mut req = request();
    req.extra_headers = (0..MAX_HEADERS)
        .map(|i| (format!("X-{i}"), "v".into()))
        .collect();
    assert_eq!(parse_request(&req.to_bytes(), CAP).map(|_| ()), err);
}

#[test]
fn garbage_responses_are_malformed() {
    let table: &[&[u8]] = &[
        b"HTTP/2 101\r\n\r\n",
        b"SSH-2.0-OpenSSH_9.6\r\n",
        b"HTTP/1.1 1O1 x\r\n\r\n",
    ];
    for bytes in table {
        assert!(
            matches!(parse_response(bytes, CAP), Err(E::Malformed(_))),
            "{bytes:?}"
        );
    }
}
