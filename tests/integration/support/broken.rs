//! Deliberately broken servers: one strict echo loop (validator plus
//! reassembly, like the reference server) with one [`Defect`] switched on,
//! so each test can check that the tool finds exactly that bug.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::{Instant, timeout_at};
use wsgauntlet::codec::{
    CloseCode, DecodeError, Decoder, Frame, FrameHeader, OpCode, Role, Validator, Violation,
    apply_mask_at,
};

use super::servers::upgrade;
use super::{TestServer, accept_loop, loopback};

/// Largest frame and message the broken servers accept.
const MAX: u64 = 16 << 20;

/// Where [`Defect::UnmasksLargePayloadsWrongly`] loses the mask phase.
const WRONG_PHASE_AFTER: usize = 64 * 1024;

/// The mask key [`Defect::MasksOwnFrames`] uses.
const SERVER_KEY: [u8; 4] = [1, 2, 3, 4];

/// One bug, as real servers have them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Defect {
    /// Drops frames with reserved opcodes silently instead of failing.
    IgnoresReservedOpcodes,
    /// Fails with 1013 (Try Again Later) instead of 1002 or 1007.
    Answers1013ToProtocolErrors,
    /// On a violation, closes TCP without sending a Close frame.
    DropsTcpWithoutClose,
    /// Echoes text messages that are not valid UTF-8.
    SkipsUtf8Checks,
    /// Masks every frame it sends.
    MasksOwnFrames,
    /// A 64-bit length with the MSB set kills the whole server: listener
    /// closed, every connection dropped.
    DiesOnMsbLength,
    /// The first `first_n` connections get Close 1013 right after the
    /// handshake (load shedding); later ones are served correctly.
    ThrottlesWith1013 {
        /// How many connections are turned away.
        first_n: usize,
    },
    /// Every `every`-th connection gets Close 1012 (Service Restart) `after`
    /// the 101, without reading what the client wrote: it crosses the
    /// case's bytes on the wire.
    RestartsEvery {
        /// Which connections restart.
        every: usize,
        /// The pause between the 101 and the Close.
        after: Duration,
    },
    /// A connection that makes more than `limit` open at once gets Close
    /// 1013 (Try Again Later) `after` the 101, without reading.
    ShedsAbove {
        /// Connections served at once.
        limit: usize,
        /// The pause between the 101 and the Close.
        after: Duration,
    },
    /// After a continuation with no message open, never sends anything again.
    HangsOnOrphanContinuation,
    /// A ping inside a fragmented message makes it drop the fragment before.
    CorruptsMessageOnMidFragmentPing,
    /// Echoes a 126-byte message without its last byte.
    DropsLastByteOf126,
    /// Unmasks payload bytes after the first 64 KiB with the wrong key phase.
    UnmasksLargePayloadsWrongly,
    /// Accepts client frames without a mask.
    AcceptsUnmaskedFrames,
}

/// A broken echo server with `defect`, on a free loopback port.
pub async fn broken(defect: Defect) -> TestServer {
    let stop = Arc::new(Notify::new());
    let served = Arc::new(AtomicUsize::new(0));
    let open = Arc::new(AtomicUsize::new(0));
    let die = Arc::clone(&stop);
    accept_loop(loopback().await, stop, move |mut stream| {
        let (die, served, open) = (Arc::clone(&die), Arc::clone(&served), Arc::clone(&open));
        async move {
            if !upgrade(&mut stream).await {
                return;
            }
            let index = served.fetch_add(1, Ordering::SeqCst);
            let open = OpenGuard::new(open);
            let mut conn = Conn::new(stream, defect, die);
            let shed = match defect {
                Defect::ThrottlesWith1013 { first_n } if index < first_n => {
                    Some((1013, Duration::ZERO))
                }
                Defect::RestartsEvery { every, after } if (index + 1) % every == 0 => {
                    Some((1012, after))
                }
                Defect::ShedsAbove { limit, after } if open.count > limit => Some((1013, after)),
                _ => None,
            };
            if let Some((code, after)) = shed {
                tokio::time::sleep(after).await;
                conn.close_with(Frame::close(CloseCode(code), b"busy"))
                    .await;
                return;
            }
            conn.run().await;
        }
    })
}

/// Counts a connection as open while alive (for `ShedsAbove`).
struct OpenGuard {
    counter: Arc<AtomicUsize>,
    count: usize,
}

impl OpenGuard {
    fn new(counter: Arc<AtomicUsize>) -> OpenGuard {
        let count = counter.fetch_add(1, Ordering::SeqCst) + 1;
        OpenGuard { counter, count }
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What to do after a frame.
enum Next {
    Continue,
    Stop,
}

struct Conn {
    stream: TcpStream,
    buf: BytesMut,
    defect: Defect,
    die: Arc<Notify>,
    validator: Validator,
    message: Option<(OpCode, Vec<u8>)>,
    last_fragment: usize,
}

impl Conn {
    fn new(stream: TcpStream, defect: Defect, die: Arc<Notify>) -> Conn {
        Conn {
            stream,
            buf: BytesMut::new(),
            defect,
            die,
            validator: Validator::new(Role::Client).with_max_message(MAX),
            message: None,
            last_fragment: 0,
        }
    }

    async fn run(&mut self) {
        let decoder = Decoder::new(MAX);
        loop {
            if let Some((header, _)) = FrameHeader::parse(&self.buf) {
                if self.defect == Defect::DiesOnMsbLength && header.len.msb_set() {
                    self.die.notify_one();
                    return;
                }
                let ignored = self.ignores(&header);
                let violations = self.validator.check_header(&header);
                if self.defect == Defect::HangsOnOrphanContinuation
                    && violations.contains(&Violation::UnexpectedContinuation)
                {
                    return self.hang().await;
                }
                if let Some(v) = self.fatal(violations).filter(|_| !ignored) {
                    return self.fail(v).await;
                }
            }
            match decoder.decode(&mut self.buf) {
                Ok(Some(frame)) => {
                    if let Next::Stop = self.on_frame(frame).await {
                        return;
                    }
                    continue;
                }
                Ok(None) => {}
                Err(DecodeError::PayloadTooLarge { header, cap, .. }) => {
                    let size = header.len.value();
                    return self
                        .fail(Violation::MessageTooBig { size, limit: cap })
                        .await;
                }
            }
            if !matches!(self.stream.read_buf(&mut self.buf).await, Ok(n) if n > 0) {
                return;
            }
        }
    }

    fn ignores(&self, header: &FrameHeader) -> bool {
        self.defect == Defect::IgnoresReservedOpcodes && header.opcode.is_reserved()
    }

    /// The first violation the server acts on, after its defect's blind spots.
    fn fatal(&self, violations: Vec<Violation>) -> Option<Violation> {
        violations.into_iter().find(|v| {
            let blind = match v {
                Violation::UnmaskedClientFrame => self.defect == Defect::AcceptsUnmaskedFrames,
                Violation::InvalidUtf8 { .. } => self.defect == Defect::SkipsUtf8Checks,
                _ => false,
            };
            !blind && !v.receiver_may_tolerate()
        })
    }

    async fn on_frame(&mut self, mut frame: Frame) -> Next {
        if self.ignores(&frame.header) {
            return Next::Continue;
        }
        self.unmask_wrongly(&mut frame);
        let violations = self.validator.check_frame(&frame);
        if let Some(v) = self.fatal(violations) {
            self.fail(v).await;
            return Next::Stop;
        }
        match frame.header.opcode {
            OpCode::PING => self.on_ping(frame.payload).await,
            OpCode::PONG => Next::Continue,
            OpCode::CLOSE => {
                let reply = match frame.close_code() {
                    Some(code) => Frame::close(code, b""),
                    None => Frame::close_empty(),
                };
                self.close_with(reply).await;
                Next::Stop
            }
            _ => self.on_data(frame).await,
        }
    }

    async fn on_ping(&mut self, payload: Bytes) -> Next {
        let corrupts = self.defect == Defect::CorruptsMessageOnMidFragmentPing;
        if let Some((_, buf)) = self.message.as_mut().filter(|_| corrupts) {
            buf.truncate(buf.len().saturating_sub(self.last_fragment));
            self.last_fragment = 0;
        }
        self.send(Frame::pong(payload)).await
    }

    async fn on_data(&mut self, frame: Frame) -> Next {
        let (opcode, mut buf) = match self.message.take() {
            Some(open) if frame.header.opcode == OpCode::CONTINUATION => open,
            _ => (frame.header.opcode, Vec::new()),
        };
        buf.extend_from_slice(&frame.payload);
        self.last_fragment = frame.payload.len();
        if !frame.header.fin {
            self.message = Some((opcode, buf));
            return Next::Continue;
        }
        if self.defect == Defect::DropsLastByteOf126 && buf.len() == 126 {
            buf.pop();
        }
        self.send(Frame::new(opcode, buf)).await
    }

    /// Re-masks what lies past 64 KiB with the right phase and unmasks it
    /// with the next one: the off-by-one real unmasking loops have.
    fn unmask_wrongly(&self, frame: &mut Frame) {
        let (Some(key), true) = (frame.header.mask, frame.payload.len() > WRONG_PHASE_AFTER) else {
            return;
        };
        if self.defect != Defect::UnmasksLargePayloadsWrongly {
            return;
        }
        let mut payload = frame.payload.to_vec();
        let tail = &mut payload[WRONG_PHASE_AFTER..];
        apply_mask_at(tail, key, WRONG_PHASE_AFTER);
        apply_mask_at(tail, key, WRONG_PHASE_AFTER + 1);
        frame.payload = payload.into();
    }

    async fn send(&mut self, mut frame: Frame) -> Next {
        if self.defect == Defect::MasksOwnFrames {
            frame = frame.masked(SERVER_KEY);
        }
        match self.stream.write_all(&frame.to_bytes()).await {
            Ok(()) => Next::Continue,
            Err(_) => Next::Stop,
        }
    }

    async fn fail(&mut self, violation: Violation) {
        if self.defect == Defect::DropsTcpWithoutClose {
            return;
        }
        let mut code = violation.accepted_close_codes()[0];
        let protocol = [CloseCode::PROTOCOL_ERROR, CloseCode::INVALID_PAYLOAD];
        if self.defect == Defect::Answers1013ToProtocolErrors && protocol.contains(&code) {
            code = CloseCode(1013);
        }
        self.close_with(Frame::close(code, violation.rule().as_bytes()))
            .await;
    }

    /// Sends `close`, closes our side, and drains the peer for up to 1 s.
    async fn close_with(&mut self, close: Frame) {
        if let Next::Stop = self.send(close).await {
            return;
        }
        let _ = self.stream.shutdown().await;
        let deadline = Instant::now() + Duration::from_secs(1);
        let mut sink = [0u8; 4096];
        while let Ok(Ok(n)) = timeout_at(deadline, self.stream.read(&mut sink)).await {
            if n == 0 {
                return;
            }
        }
    }

    /// Reads and discards until the peer gives up; sends nothing.
    async fn hang(&mut self) {
        let mut sink = [0u8; 4096];
        while matches!(self.stream.read(&mut sink).await, Ok(n) if n > 0) {}
    }
}
