//! One connection of the strict reference echo server: the opening
//! handshake, then an echo loop that decides everything with the codec and
//! the model — so the server behaves exactly as the oracle says a
//! conforming endpoint must, including failing on a header before its
//! payload arrives and failing a text frame as soon as its first bytes are
//! hopeless UTF-8.

use std::io;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{Instant, timeout, timeout_at};

use super::echo_deflate::EchoDeflate;
use crate::codec::{
    ClientHandshake, CloseCode, DEFAULT_MAX_HEADER_BYTES, DecodeError, Decoder, Frame, FrameHeader,
    OpCode, Role, ServerReply, Violation, apply_mask_at, parse_request, reject, server_response,
};
use crate::model::{Endpoint, Failure, Limits, Reaction};

/// Bytes asked of the socket per read.
const READ_CHUNK: usize = 64 * 1024;

/// How long a closing connection waits for the peer to finish, and how many
/// bytes it reads and discards meanwhile (so the peer gets our Close instead
/// of a reset caused by unread data).
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 1 << 20;

/// A partial text frame is re-judged from its start while it is at most this
/// long, then only each time it has doubled: fail-fast for frames sent in
/// chops, linear work for large frames trickling in.
const PARTIAL_ALWAYS: usize = 4 * 1024;

/// Limits and deadlines of the echo server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EchoConfig {
    /// Largest message accepted; a larger one (or a frame declaring more)
    /// fails the connection with 1009 before its payload is read. Default
    /// 16 MiB: the largest message of the Autobahn 9.x performance cases.
    /// A connection buffers at most about twice this (one frame plus the
    /// message being reassembled).
    pub max_message: u64,
    /// Deadline for the whole opening handshake (default 10 s).
    pub handshake_timeout: Duration,
    /// A connection with nothing received for this long is closed with
    /// 1001 Going Away; a write that cannot complete for this long (the
    /// peer stopped reading) drops the connection (default 60 s).
    pub idle_timeout: Duration,
}

impl Default for EchoConfig {
    fn default() -> Self {
        EchoConfig {
            max_message: 16 << 20,
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// How a connection ended, when it ended without an I/O error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectionEnd {
    /// The opening handshake was refused with this HTTP status (400 or 426).
    Rejected {
        /// The status sent.
        status: u16,
    },
    /// The peer closed and the server answered its Close.
    Closed {
        /// The code the peer's Close carried.
        code: Option<CloseCode>,
    },
    /// The peer broke a rule and the server failed the connection.
    Failed {
        /// The rule broken.
        violation: Violation,
        /// The close code sent.
        code: CloseCode,
    },
    /// Nothing arrived for the idle timeout; the server sent 1001.
    Idle,
    /// The peer closed TCP without a closing handshake.
    PeerGone,
}

/// What stopped a connection other than the peer's behaviour.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Reading or writing the socket failed.
    #[error("connection I/O: {0}")]
    Io(#[from] io::Error),
    /// The opening handshake did not complete in time.
    #[error("opening handshake not complete after {0:?}")]
    HandshakeTimeout(Duration),
}

/// Serves one connection: the opening handshake, then echo until the peer
/// closes, breaks a rule, goes idle or goes away.
pub async fn serve_connection<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    cfg: &EchoConfig,
) -> Result<ConnectionEnd, ServerError> {
    let mut conn = Connection::new(stream, cfg);
    let accepted = timeout(cfg.handshake_timeout, conn.handshake())
        .await
        .map_err(|_| ServerError::HandshakeTimeout(cfg.handshake_timeout))??;
    if let Some(end) = accepted {
        return Ok(end);
    }
    conn.echo().await
}

/// What the loop does next.
enum Step {
    /// Wait for more bytes.
    Read,
    /// The connection is over.
    End(ConnectionEnd),
}

struct Connection<'a, S> {
    stream: S,
    buf: BytesMut,
    cfg: &'a EchoConfig,
    endpoint: Endpoint,
    decoder: Decoder,
    /// Unmasked prefix of a partial frame, reused between checks.
    scratch: Vec<u8>,
    /// Payload bytes of the current partial frame already judged.
    judged: usize,
    /// permessage-deflate, when negotiated: the compressor of the echoes.
    deflate: Option<EchoDeflate>,
}

impl<'a, S: AsyncRead + AsyncWrite + Unpin> Connection<'a, S> {
    fn new(stream: S, cfg: &'a EchoConfig) -> Self {
        let limits = Limits {
            max_message: cfg.max_message,
            rsv_allowed: 0,
            deflate: None,
        };
        Connection {
            stream,
            buf: BytesMut::with_capacity(4096),
            cfg,
            endpoint: Endpoint::with_limits(Role::Server, limits),
            decoder: Decoder::new(cfg.max_message),
            scratch: Vec::new(),
            judged: 0,
            deflate: None,
        }
    }

    /// Reads at most one chunk; `Ok(0)` is end of stream.
    async fn read_some(&mut self) -> io::Result<usize> {
        self.buf.reserve(READ_CHUNK);
        self.stream.read_buf(&mut self.buf).await
    }

    /// `Ok(None)` when the connection is now a WebSocket (any bytes after
    /// the head stay in `buf`), `Ok(Some(end))` when it is over.
    async fn handshake(&mut self) -> Result<Option<ConnectionEnd>, ServerError> {
        loop {
            let reply = match parse_request(&self.buf, DEFAULT_MAX_HEADER_BYTES) {
                Ok(None) => {
                    if self.read_some().await? == 0 {
                        return Ok(Some(ConnectionEnd::PeerGone));
                    }
                    continue;
                }
                Ok(Some((request, n))) => {
                    self.buf.advance(n);
                    self.negotiate(&request, server_response(&request))
                }
                Err(e) => reject(e),
            };
            self.stream.write_all(&reply.bytes).await?;
            if reply.is_accept() {
                return Ok(None);
            }
            self.stream.shutdown().await?;
            return Ok(Some(ConnectionEnd::Rejected {
                status: reply.status,
            }));
        }
    }

    /// Accepts permessage-deflate in an accepting `reply` when an offer can
    /// be honoured; the model then knows RSV1 as the compressed bit.
    fn negotiate(&mut self, request: &ClientHandshake, reply: ServerReply) -> ServerReply {
        if !reply.is_accept() {
            return reply;
        }
        let Some((deflate, header)) = EchoDeflate::negotiate(request) else {
            return reply;
        };
        let limits = Limits {
            max_message: self.cfg.max_message,
            rsv_allowed: 0,
            deflate: Some(deflate.receiving()),
        };
        self.deflate = Some(deflate);
        self.endpoint = Endpoint::with_limits(Role::Server, limits);
        reply.with_header("Sec-WebSocket-Extensions", &header)
    }

    async fn echo(&mut self) -> Result<ConnectionEnd, ServerError> {
        loop {
            if let Step::End(end) = self.process().await? {
                return Ok(end);
            }
            match timeout(self.cfg.idle_timeout, self.read_some()).await {
                Err(_) => {
                    let going_away = Frame::close(CloseCode::GOING_AWAY, b"idle");
                    self.close_after(&going_away).await?;
                    return Ok(ConnectionEnd::Idle);
                }
                Ok(read) => {
                    if read? == 0 {
                        return Ok(ConnectionEnd::PeerGone);
                    }
                }
            }
        }
    }

    /// Handles every whole frame in `buf`, and judges the partial one.
    async fn process(&mut self) -> Result<Step, ServerError> {
        loop {
            match self.next_frame() {
                Ok(None) => return Ok(Step::Read),
                Ok(Some(frame)) => {
                    self.judged = 0;
                    if let Step::End(end) = self.react(&frame).await? {
                        return Ok(Step::End(end));
                    }
                }
                Err(failure) => return self.fail(failure).await.map(Step::End),
            }
        }
    }

    /// The next whole frame, `None` while more bytes are needed, or the
    /// failure the bytes present already call for: a header is judged as
    /// soon as it is in, before any of its payload.
    fn next_frame(&mut self) -> Result<Option<Frame>, Failure> {
        let header = match self.decoder.peek_header(&self.buf) {
            Ok(None) => return Ok(None),
            Ok(Some((header, _))) => header,
            Err(DecodeError::PayloadTooLarge { header, .. }) => {
                let failure = self.endpoint.judge_header(&header);
                return Err(failure.unwrap_or_else(|| too_big(&header, self.cfg)));
            }
        };
        if let Some(failure) = self.endpoint.judge_header(&header) {
            return Err(failure);
        }
        match self.decoder.decode(&mut self.buf) {
            Ok(Some(frame)) => Ok(Some(frame)),
            Ok(None) => self.judge_partial(&header).map_or(Ok(None), Err),
            Err(DecodeError::PayloadTooLarge { header, .. }) => Err(too_big(&header, self.cfg)),
        }
    }

    /// Fail-fast inside one frame: the payload bytes present, unmasked,
    /// judged by the model before the rest arrives.
    fn judge_partial(&mut self, header: &FrameHeader) -> Option<Failure> {
        if !matches!(header.opcode, OpCode::TEXT | OpCode::CONTINUATION) {
            return None;
        }
        let present = &self.buf[header.wire_len()..];
        let due = present.len() <= PARTIAL_ALWAYS || present.len() >= 2 * self.judged;
        if present.len() == self.judged || !due {
            return None;
        }
        self.judged = present.len();
        self.scratch.clear();
        self.scratch.extend_from_slice(present);
        if let Some(key) = header.mask {
            apply_mask_at(&mut self.scratch, key, 0);
        }
        self.endpoint.judge_partial(header, &self.scratch)
    }

    async fn react(&mut self, frame: &Frame) -> Result<Step, ServerError> {
        match self.endpoint.receive(frame).reaction {
            Reaction::Message { opcode, payload } => {
                let echo = self.echo_of(opcode, payload.to_bytes());
                self.send(&echo).await?
            }
            Reaction::Pong(payload) => self.send(&Frame::pong(payload)).await?,
            Reaction::CloseReply { codes, .. } => {
                // RFC 6455 §5.5.1: "When sending a Close frame in response,
                // the endpoint typically echos the status code it received."
                let reply = match codes.last() {
                    Some(code) if !frame.payload.is_empty() => Frame::close(*code, b""),
                    _ => Frame::close_empty(),
                };
                // RFC 6455 §5.5.1: "If an endpoint receives a Close frame and
                // did not previously send a Close frame, the endpoint MUST
                // send a Close frame in response."
                self.close_after(&reply).await?;
                let code = frame.close_code();
                return Ok(Step::End(ConnectionEnd::Closed { code }));
            }
            Reaction::Fail(failure) => return self.fail(failure).await.map(Step::End),
            Reaction::Nothing | Reaction::Ignore => {}
        }
        Ok(Step::Read)
    }

    /// Writes one frame straight to the socket: a peer that does not read
    /// back-pressures the server instead of growing a queue.
    /// A write not finished within the idle timeout fails.
    /// The echo of a message (the model inflated it, and checked it as
    /// UTF-8 if text, when it came compressed): compressed when deflate was
    /// agreed.
    fn echo_of(&mut self, opcode: OpCode, message: bytes::Bytes) -> Frame {
        let Some(deflate) = self.deflate.as_mut() else {
            return Frame::new(opcode, message);
        };
        // RFC 7692 §6.1: the "Per-Message Compressed" bit on the first (here
        // the only) frame of a compressed message.
        Frame::new(opcode, deflate.compress(&message)).rsv(4)
    }

    async fn send(&mut self, frame: &Frame) -> io::Result<()> {
        let mut head = BytesMut::with_capacity(14);
        frame.header.write(&mut head);
        let write = async {
            self.stream.write_all(&head).await?;
            self.stream.write_all(&frame.payload).await
        };
        timeout(self.cfg.idle_timeout, write)
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "peer stopped reading"))?
    }

    /// RFC 6455 §7.1.7: "the endpoint MUST _Close the WebSocket Connection_,
    /// and MAY report the problem to the user" — with a Close frame first
    /// ("SHOULD send a Close frame", §7.1.7) carrying the owed code.
    async fn fail(&mut self, failure: Failure) -> Result<ConnectionEnd, ServerError> {
        let code = failure.codes[0];
        let reason = failure.violation.rule().as_bytes();
        self.close_after(&Frame::close(code, reason)).await?;
        Ok(ConnectionEnd::Failed {
            violation: failure.violation,
            code,
        })
    }

    /// Sends `close`, then closes TCP. RFC 6455 §5.5.1: "the server MUST
    /// close the underlying TCP connection immediately" — our FIN goes out
    /// at once; what the peer still sends is read and discarded (bounded in
    /// time and bytes) so unread data does not turn our close into a reset
    /// that could destroy the Close frame in flight.
    async fn close_after(&mut self, close: &Frame) -> io::Result<()> {
        self.send(close).await?;
        self.stream.shutdown().await?;
        let deadline = Instant::now() + LINGER;
        let mut discarded = 0;
        let mut sink = [0u8; 4096];
        while discarded < LINGER_BYTES {
            match timeout_at(deadline, self.stream.read(&mut sink)).await {
                Ok(Ok(n)) if n > 0 => discarded += n,
                _ => break,
            }
        }
        Ok(())
    }
}

/// The 1009 failure for a frame whose declared length is above the cap.
fn too_big(header: &FrameHeader, cfg: &EchoConfig) -> Failure {
    let violation = Violation::MessageTooBig {
        size: header.len.value(),
        limit: cfg.max_message,
    };
    Failure {
        codes: violation.accepted_close_codes().to_vec(),
        violation,
        deferrable_to_message_end: false,
    }
}
