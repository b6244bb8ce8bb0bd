//! The echo server over in-memory streams: the same code path the network
//! uses, with no sockets, as the cargo-fuzz endpoint targets drive it.

use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, duplex};

use super::*;
use crate::codec::{ClientRequest, CloseCode, Decoder, Frame, OpCode, Violation, parse_response};

const KEY: [u8; 4] = [1, 2, 3, 4];

fn request() -> Vec<u8> {
    ClientRequest::new("test", "/", [7; 16]).to_bytes()
}

/// Runs the server on one end of a pipe fed `input`; what it wrote back
/// (after the response head) and how the connection ended.
async fn session(input: &[u8], cfg: EchoConfig) -> (u16, Vec<Frame>, ConnectionEnd) {
    let (mut client, server) = duplex(1 << 20);
    let task = tokio::spawn(async move { serve_connection(server, &cfg).await });
    client.write_all(input).await.unwrap();
    // Our end of input: the server's linger after its Close ends at once.
    client.shutdown().await.unwrap();
    let out = read_all(&mut client).await;
    let end = task.await.unwrap().expect("no I/O error");
    let (response, n) = parse_response(&out, 16 * 1024).unwrap().unwrap();
    let mut rest = BytesMut::from(&out[n..]);
    let mut frames = Vec::new();
    while let Some(f) = Decoder::new(1 << 20).decode(&mut rest).unwrap() {
        frames.push(f);
    }
    (response.status, frames, end)
}

/// Everything the server writes until it closes its side.
async fn read_all(client: &mut DuplexStream) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), client.read_to_end(&mut out)).await;
    out
}

fn input(frames: &[Frame]) -> Vec<u8> {
    let mut bytes = request();
    for f in frames {
        bytes.extend_from_slice(&f.clone().masked(KEY).to_bytes());
    }
    bytes
}

#[tokio::test]
async fn echo_then_close_over_a_pipe() {
    let frames = [
        Frame::text(&b"hi"[..]),
        Frame::ping(&b"p"[..]),
        Frame::close(CloseCode(3001), b""),
    ];
    let (status, got, end) = session(&input(&frames), EchoConfig::default()).await;
    assert_eq!(status, 101);
    let want = [
        Frame::text(&b"hi"[..]),
        Frame::pong(&b"p"[..]),
        Frame::close(CloseCode(3001), b""),
    ];
    assert_eq!(got, want);
    let code = Some(CloseCode(3001));
    assert_eq!(end, ConnectionEnd::Closed { code });
}

#[tokio::test]
async fn frames_after_a_violation_are_not_answered() {
    let frames = [Frame::new(OpCode(0xC), &b""[..]), Frame::ping(&b"late"[..])];
    let (_, got, end) = session(&input(&frames), EchoConfig::default()).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].close_code(), Some(CloseCode::PROTOCOL_ERROR));
    assert_eq!(&got[0].payload[2..], b"reserved-opcode");
    let violation = Violation::ReservedOpcode {
        opcode: OpCode(0xC),
    };
    let code = CloseCode::PROTOCOL_ERROR;
    assert_eq!(end, ConnectionEnd::Failed { violation, code });
}

#[tokio::test]
async fn reserved_opcode_with_huge_length_is_a_protocol_error_not_too_big() {
    let frame =
        Frame::new(OpCode(0x3), &b""[..]).declared_len(crate::codec::PayloadLen::Len64(1 << 40));
    let (_, got, _) = session(&input(&[frame]), EchoConfig::default()).await;
    assert_eq!(got[0].close_code(), Some(CloseCode::PROTOCOL_ERROR));
}

#[tokio::test]
async fn rejected_handshake_ends_the_connection() {
    let mut bytes = request();
    let head = String::from_utf8(bytes.clone())
        .unwrap()
        .replace("GET", "POST");
    bytes = head.into_bytes();
    let (status, got, end) = session(&bytes, EchoConfig::default()).await;
    assert_eq!(status, 400);
    assert!(got.is_empty());
    assert_eq!(end, ConnectionEnd::Rejected { status: 400 });
}

#[tokio::test]
async fn slow_handshake_times_out() {
    let cfg = EchoConfig {
        handshake_timeout: Duration::from_millis(50),
        ..EchoConfig::default()
    };
    let (mut client, server) = duplex(1024);
    client.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let got = serve_connection(server, &cfg).await;
    assert!(
        matches!(got, Err(ServerError::HandshakeTimeout(_))),
        "{got:?}"
    );
}
