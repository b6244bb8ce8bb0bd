//! A small permessage-deflate client for `serve`'s section 21.3, built on
//! the project's own codec (tokio-tungstenite has no deflate): it offers
//! what it is told, checks the 101 with `check_response` and, when the
//! response breaks a rule, fails the connection by closing TCP (RFC 6455
//! §4.1: the connection never opened, so there is no Close frame to send).
//! With `ignores_bad_responses` it goes on and echoes every data message.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use wsgauntlet::codec::deflate::{DeflateParams, check_response, offers_header};
use wsgauntlet::codec::{
    ClientRequest, CloseCode, DEFAULT_MAX_HEADER_BYTES, Decoder, Frame, OpCode,
    key_bytes_from_seed, parse_response,
};

/// Plays one `/runCase` at `path` to its end, offering `offers`.
pub async fn deflate_client(
    addr: SocketAddr,
    path: &str,
    offers: &[DeflateParams],
    ignores_bad_responses: bool,
) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut request = ClientRequest::new(addr.to_string(), path, key_bytes_from_seed(7));
    if !offers.is_empty() {
        request.extensions.push(offers_header(offers));
    }
    stream.write_all(&request.to_bytes()).await.unwrap();
    let mut buf = BytesMut::new();
    let response = loop {
        if let Some((response, n)) = parse_response(&buf, DEFAULT_MAX_HEADER_BYTES).unwrap() {
            buf.advance(n);
            break response;
        }
        if !matches!(stream.read_buf(&mut buf).await, Ok(n) if n > 0) {
            return;
        }
    };
    let header = response
        .header("sec-websocket-extensions")
        .map(|v| String::from_utf8_lossy(v).into_owned());
    let bad = check_response(offers, header.as_deref()).is_err();
    if response.status != 101 || (bad && !ignores_bad_responses) {
        return; // dropping the stream closes TCP
    }
    let _ = timeout(Duration::from_secs(10), echo(&mut stream, &mut buf)).await;
}

/// Echoes data frames (unfragmented, as `serve` sends them here) and
/// answers a Close, then waits for the server to close TCP.
async fn echo(stream: &mut TcpStream, buf: &mut BytesMut) {
    let decoder = Decoder::new(1 << 20);
    let mut key = 0u32;
    loop {
        while let Ok(Some(f)) = decoder.decode(buf) {
            key = key.wrapping_add(0x0101_0101);
            let reply = match f.header.opcode {
                OpCode::CLOSE => Frame::close(CloseCode::NORMAL, b""),
                op if op.is_data() => Frame::new(op, f.payload),
                _ => continue,
            };
            let _ = stream
                .write_all(&reply.masked(key.to_be_bytes()).to_bytes())
                .await;
        }
        if !matches!(stream.read_buf(buf).await, Ok(n) if n > 0) {
            return;
        }
    }
}
