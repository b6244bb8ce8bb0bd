//! A small permessage-deflate client for `serve`'s sections 21.3 and 21.1,
//! built on the project's own codec (tokio-tungstenite has no deflate): it
//! offers what it is told, checks the 101 with `check_response` and, when
//! the response breaks a rule, fails the connection by closing TCP (RFC
//! 6455 §4.1: the connection never opened, so there is no Close frame to
//! send). With `ignores_bad_responses` it goes on and echoes every data
//! message as it came; `deflate_echo_client` instead keeps to the agreement
//! (inflating what it receives and compressing its echoes within its window
//! and context), as a conforming client does.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use wsgauntlet::codec::deflate::{
    Agreement, DeflateParams, Deflater, InflateConfig, Inflater, check_response, offers_header,
};
use wsgauntlet::codec::{
    ClientRequest, CloseCode, DEFAULT_MAX_HEADER_BYTES, Decoder, Frame, OpCode, Role,
    key_bytes_from_seed, parse_response,
};

/// Plays one `/runCase` at `path` to its end, offering `offers`.
pub async fn deflate_client(
    addr: SocketAddr,
    path: &str,
    offers: &[DeflateParams],
    ignores_bad_responses: bool,
) {
    let Some((mut stream, mut buf, header)) = open(addr, path, offers).await else {
        return;
    };
    let bad = check_response(offers, header.as_deref()).is_err();
    if bad && !ignores_bad_responses {
        return; // dropping the stream closes TCP
    }
    let _ = timeout(Duration::from_secs(10), echo(&mut stream, &mut buf)).await;
}

/// How `deflate_echo_client` keeps to the agreement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keeps {
    /// Compresses within the window and context it was given.
    Agreement,
    /// Always compresses with a 32 KiB window (a client that ignores
    /// `client_max_window_bits`).
    WideWindow,
    /// Cannot compress with a 256-byte window (zlib, as Python websockets):
    /// a response of `client_max_window_bits=8` fails the connection by
    /// closing TCP, as RFC 7692 §7 requires of a configuration it does not
    /// support.
    DropsOnWindow8,
    /// As `DropsOnWindow8`, but it takes the connection as open and sends a
    /// Close (1002) instead: no longer a failed handshake.
    ClosesOnWindow8,
}

/// Plays one `/runCase` at `path` as a conforming permessage-deflate client
/// offering `offers`: a response they do not allow fails the connection;
/// otherwise it echoes every message, inflated and compressed again as the
/// agreement says, `keeps` deciding the window. Returns the response's
/// `Sec-WebSocket-Extensions`.
pub async fn deflate_echo_client(
    addr: SocketAddr,
    path: &str,
    offers: &[DeflateParams],
    keeps: Keeps,
) -> Option<String> {
    let (mut stream, mut buf, header) = open(addr, path, offers).await?;
    if let Ok(agreement) = check_response(offers, header.as_deref()) {
        let eight = agreement.is_some_and(|a| a.response.client_max_window_bits == Some(Some(8)));
        match keeps {
            Keeps::DropsOnWindow8 if eight => return header,
            Keeps::ClosesOnWindow8 if eight => {
                let close = Frame::close(CloseCode::PROTOCOL_ERROR, b"").masked([1, 2, 3, 4]);
                let _ = stream.write_all(&close.to_bytes()).await;
                let _ = timeout(Duration::from_secs(5), stream.read_buf(&mut buf)).await;
                return header;
            }
            _ => {}
        }
        let run = echo_as_agreed(&mut stream, &mut buf, agreement, keeps == Keeps::WideWindow);
        let _ = timeout(Duration::from_secs(10), run).await;
    }
    header
}

/// Connects, sends the opening handshake offering `offers`, and reads a
/// 101: the stream, what follows the response, and its extensions header.
async fn open(
    addr: SocketAddr,
    path: &str,
    offers: &[DeflateParams],
) -> Option<(TcpStream, BytesMut, Option<String>)> {
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
            return None;
        }
    };
    let header = response
        .header("sec-websocket-extensions")
        .map(|v| String::from_utf8_lossy(v).into_owned());
    (response.status == 101).then_some((stream, buf, header))
}

/// Echoes every message within `agreement` (none: uncompressed), answers
/// pings and a Close, then waits for the server to close TCP.
async fn echo_as_agreed(
    stream: &mut TcpStream,
    buf: &mut BytesMut,
    agreement: Option<Agreement>,
    wide: bool,
) {
    let decoder = Decoder::new(1 << 20);
    let mut deflate = agreement.map(|a| {
        let inflater = Inflater::new(InflateConfig::new(a.receiving(Role::Client), 1 << 24));
        let mut sending = a.sending(Role::Client);
        if wide {
            sending.window_bits = 15;
        }
        (inflater, Deflater::new(sending, 1))
    });
    let mut key = 0x5a5a_0000u32;
    let mut message: Option<(OpCode, bool, Vec<u8>)> = None;
    loop {
        while let Ok(Some(f)) = decoder.decode(buf) {
            key = key.wrapping_add(0x0103_0107);
            let h = f.header;
            let reply = match h.opcode {
                OpCode::CLOSE => Some(Frame::close(CloseCode::NORMAL, b"")),
                OpCode::PING => Some(Frame::pong(f.payload)),
                op if op.is_data() => {
                    let (op, compressed, mut bytes) = match message.take() {
                        Some(m) if op == OpCode::CONTINUATION => m,
                        _ => (op, h.rsv1(), Vec::new()),
                    };
                    bytes.extend_from_slice(&f.payload);
                    if !h.fin {
                        message = Some((op, compressed, bytes));
                        continue;
                    }
                    match (&mut deflate, compressed) {
                        (Some((inflater, deflater)), true) => {
                            let Ok(plain) = inflater.inflate_to_vec(&bytes) else {
                                return; // data that does not inflate: fail
                            };
                            Some(Frame::new(op, deflater.compress(&plain)).rsv(4))
                        }
                        _ => Some(Frame::new(op, bytes)),
                    }
                }
                _ => None,
            };
            if let Some(reply) = reply {
                let wire = reply.masked(key.to_be_bytes()).to_bytes();
                let _ = stream.write_all(&wire).await;
            }
        }
        if !matches!(stream.read_buf(buf).await, Ok(n) if n > 0) {
            return;
        }
    }
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
