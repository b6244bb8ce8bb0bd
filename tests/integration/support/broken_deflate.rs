//! Deliberately broken permessage-deflate servers: a small echo server that
//! negotiates deflate with the library's `choose_offer`, inflates what the
//! client compressed and compresses its echoes, with one [`DeflateDefect`]
//! switched on, as real servers have had them. Like many real servers, it
//! is lenient where a strict one fails: RSV1 on a continuation or a control
//! frame is ignored.

use std::sync::Arc;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use wsgauntlet::codec::deflate::{
    Agreement, DeflateParams, Deflater, InflateConfig, Inflater, ServerConfig, choose_offer,
};
use wsgauntlet::codec::{
    DEFAULT_MAX_HEADER_BYTES, Decoder, Frame, OpCode, Role, parse_request, server_response,
};

use super::{TestServer, accept_loop, loopback};

/// Largest message the servers inflate (a test server, not a bounded one).
const MAX: u64 = 16 << 20;

/// One deflate bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeflateDefect {
    /// Answers with `client_max_window_bits`, which the offer never had.
    AnswersUnofferedParam,
    /// Sets RSV1 on the continuation frames of its echoes too.
    Rsv1OnContinuations,
    /// Compresses with a 32 KiB window whatever `server_max_window_bits` says.
    CompressesWiderThanAgreed,
    /// Keeps its compression context although it agreed
    /// `server_no_context_takeover`.
    IgnoresNoContextTakeover,
    /// Inflates every message with an empty window although it agreed to
    /// context takeover, so a message that refers into the previous one
    /// does not inflate and the connection is dropped (bun PR #33003: the
    /// second compressed message killed the connection).
    ForgetsContext,
    /// Leaves `client_no_context_takeover` out of its response (RFC 7692
    /// §7.1.1.2: it "MAY" include it), so it agreed to keep the context, and
    /// yet inflates every message with an empty window, as though it had
    /// agreed to reset it.
    OmitsClientNoContextTakeover,
    /// Checks its message limit on the compressed size only, so a bomb
    /// inflates as far as it goes (autobahn-python GHSA-hxp9-w8x3-p566).
    InflatesWithoutLimit,
    /// Accepts an offer it must decline (an unknown parameter, a bad value,
    /// a duplicate) as a plain `permessage-deflate`, as a lax parser does.
    AcceptsInvalidOffers,
    /// Refuses the whole connection (400) over an offer it must decline.
    RefusesInvalidOffers,
}

/// A broken deflate server on loopback.
pub async fn broken_deflate(defect: DeflateDefect) -> TestServer {
    let listener = loopback().await;
    accept_loop(listener, Arc::new(Notify::new()), move |stream| {
        serve(stream, defect)
    })
}

async fn serve(mut stream: TcpStream, defect: DeflateDefect) {
    let Some(agreement) = handshake(&mut stream, defect).await else {
        return;
    };
    // Without an offer (the runner's liveness probe) the echo is plain.
    let compresses = agreement.is_some();
    let agreement = agreement.unwrap_or(Agreement {
        offer: Default::default(),
        response: Default::default(),
    });
    let mut sending = agreement.sending(Role::Server);
    match defect {
        DeflateDefect::CompressesWiderThanAgreed => sending.window_bits = 15,
        DeflateDefect::IgnoresNoContextTakeover => sending.no_context_takeover = false,
        _ => {}
    }
    let mut receiving = agreement.receiving(Role::Server);
    if matches!(
        defect,
        DeflateDefect::ForgetsContext | DeflateDefect::OmitsClientNoContextTakeover
    ) {
        receiving.no_context_takeover = true;
    }
    let mut conn = Conn {
        stream,
        defect,
        compresses,
        deflater: Deflater::new(sending, 1),
        inflater: Inflater::new(InflateConfig::new(
            receiving,
            if defect == DeflateDefect::InflatesWithoutLimit {
                u64::MAX
            } else {
                MAX
            },
        )),
    };
    conn.run().await;
}

/// Reads the request (a byte at a time), answers it, and returns the
/// agreement (`Some(None)`: accepted without deflate).
async fn handshake(stream: &mut TcpStream, defect: DeflateDefect) -> Option<Option<Agreement>> {
    let mut head = BytesMut::new();
    let request = loop {
        match parse_request(&head, DEFAULT_MAX_HEADER_BYTES) {
            Ok(None) => head.extend_from_slice(&[stream.read_u8().await.ok()?]),
            Ok(Some((request, _))) => break request,
            Err(_) => return None,
        }
    };
    let Some(offers) = request.header("sec-websocket-extensions") else {
        let reply = server_response(&request);
        stream.write_all(&reply.bytes).await.ok()?;
        return Some(None);
    };
    let offers = std::str::from_utf8(offers).ok()?;
    let mut choice = choose_offer(offers, &ServerConfig::default()).unwrap_or_default();
    let invalid = choice.accepted.is_none();
    match defect {
        DeflateDefect::AcceptsInvalidOffers if invalid => {
            let lax = DeflateParams::default();
            let agreement = Agreement {
                offer: lax,
                response: lax,
            };
            choice.accepted = Some((0, agreement));
        }
        DeflateDefect::RefusesInvalidOffers if invalid => {
            let refusal = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
            stream.write_all(refusal).await.ok()?;
            return None;
        }
        DeflateDefect::OmitsClientNoContextTakeover => {
            if let Some((_, a)) = &mut choice.accepted {
                a.response.client_no_context_takeover = false;
            }
        }
        _ => {}
    }
    let mut header = choice.response_header()?;
    if defect == DeflateDefect::AnswersUnofferedParam {
        header.push_str("; client_max_window_bits=10");
    }
    let (_, agreement) = choice.accepted?;
    let reply = server_response(&request).with_header("Sec-WebSocket-Extensions", &header);
    stream.write_all(&reply.bytes).await.ok()?;
    Some(Some(agreement))
}

struct Conn {
    stream: TcpStream,
    defect: DeflateDefect,
    compresses: bool,
    deflater: Deflater,
    inflater: Inflater,
}

impl Conn {
    async fn run(&mut self) {
        let decoder = Decoder::new(MAX);
        let mut buf = BytesMut::new();
        let mut message: Option<(OpCode, bool, Vec<u8>)> = None;
        loop {
            while let Ok(Some(f)) = decoder.decode(&mut buf) {
                let op = f.header.opcode;
                if op == OpCode::CLOSE {
                    let _ = self
                        .stream
                        .write_all(&Frame::close_empty().to_bytes())
                        .await;
                    return;
                }
                if op == OpCode::PING {
                    let _ = self
                        .stream
                        .write_all(&Frame::pong(f.payload).to_bytes())
                        .await;
                    continue;
                }
                let (opcode, compressed, mut data) = match message.take() {
                    Some(m) if op == OpCode::CONTINUATION => m,
                    _ => (op, f.header.rsv & 4 != 0, Vec::new()),
                };
                data.extend_from_slice(&f.payload);
                if !f.header.fin {
                    message = Some((opcode, compressed, data));
                    continue;
                }
                let plain = if compressed {
                    match self.inflater.inflate_to_vec(&data) {
                        Ok(p) => p,
                        Err(_) => return,
                    }
                } else {
                    data
                };
                if !self.echo(opcode, &plain).await {
                    return;
                }
            }
            if !matches!(self.stream.read_buf(&mut buf).await, Ok(n) if n > 0) {
                return;
            }
        }
    }

    /// Echoes `plain` compressed, in two frames when the defect is RSV1 on
    /// continuations.
    async fn echo(&mut self, opcode: OpCode, plain: &[u8]) -> bool {
        if !self.compresses {
            let frame = Frame::new(opcode, plain.to_vec());
            return self.stream.write_all(&frame.to_bytes()).await.is_ok();
        }
        let compressed = self.deflater.compress(plain);
        let frames = if self.defect == DeflateDefect::Rsv1OnContinuations && compressed.len() > 1 {
            let (a, b) = compressed.split_at(compressed.len() / 2);
            vec![
                Frame::new(opcode, a.to_vec()).rsv(4).fin(false),
                Frame::continuation(b.to_vec()).rsv(4),
            ]
        } else {
            vec![Frame::new(opcode, compressed).rsv(4)]
        };
        for f in frames {
            if self.stream.write_all(&f.to_bytes()).await.is_err() {
                return false;
            }
        }
        true
    }
}
