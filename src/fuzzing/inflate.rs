//! The permessage-deflate receive path under the fuzzer: an arbitrary
//! agreement, arbitrary compressed messages cut into arbitrary frames,
//! through the bounded [`Inflater`] and [`Validator::with_deflate`], as a
//! receiver reads them (RFC 7692 §6.2: "Append 4 octets of 0x00 0x00 0xff
//! 0xff to the tail end of the payload of the message" and inflate).
//!
//! Properties, each a panic when broken:
//! - nothing panics, whatever the bytes;
//! - memory is bounded by the limit: no message hands its sink more than
//!   `max_message_size` bytes, nor a slice above [`CHUNK`];
//! - the frame split does not matter: the same messages inflated whole and
//!   cut at arbitrary offsets give the same bytes and the same verdict;
//! - round trip: what a [`Deflater`] compresses under an agreement always
//!   inflates back to its input under the same agreement, at any split, and
//!   the frames carrying it break no rule;
//! - RSV1 where RFC 7692 §6.1 forbids it (a continuation frame, a control
//!   frame) is always reported.

use arbitrary::{Result, Unstructured};
use bytes::Bytes;

use crate::codec::deflate::{CHUNK, DeflateError, Deflater, Direction, InflateConfig, Inflater};
use crate::codec::{Frame, OpCode, Role, Utf8Validator, Validator, Violation};

/// The largest limit tried: the fuzzer's memory stays far below it.
const MAX_LIMIT: u64 = 1 << 18;
/// Messages per input.
const MAX_MESSAGES: usize = 4;
/// Cut points per message.
const MAX_CUTS: usize = 8;
/// RSV1, the "Per-Message Compressed" bit.
const RSV1: u8 = 4;

/// One fuzz input: see the module documentation.
pub fn inflate(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(input) = Input::take(&mut u) else {
        return;
    };
    match input.mode {
        Mode::Raw => input.raw(),
        Mode::RoundTrip => input.round_trip(),
    }
}

#[derive(Debug)]
enum Mode {
    /// The payloads are arbitrary bytes, taken as compressed.
    Raw,
    /// The payloads are messages a [`Deflater`] compresses first.
    RoundTrip,
}

#[derive(Debug)]
struct Input {
    mode: Mode,
    direction: Direction,
    limit: u64,
    level: u32,
    messages: Vec<Message>,
}

#[derive(Debug)]
struct Message {
    text: bool,
    bytes: Vec<u8>,
    cuts: Vec<usize>,
    /// Index of a continuation frame to set RSV1 on, when there is one.
    bad_rsv1: Option<usize>,
}

impl Input {
    fn take(u: &mut Unstructured<'_>) -> Result<Input> {
        let mode = if u.arbitrary::<bool>()? {
            Mode::RoundTrip
        } else {
            Mode::Raw
        };
        let direction = Direction {
            window_bits: u.int_in_range(8..=15)?,
            no_context_takeover: u.arbitrary()?,
        };
        let limit = u.int_in_range(0..=MAX_LIMIT)?;
        let level = u.int_in_range(0..=9)?;
        let count = u.int_in_range(1..=MAX_MESSAGES)?;
        let mut messages = Vec::with_capacity(count);
        for _ in 0..count {
            messages.push(Message::take(u)?);
        }
        Ok(Input {
            mode,
            direction,
            limit,
            level,
            messages,
        })
    }

    fn inflater(&self) -> Inflater {
        Inflater::new(InflateConfig::new(self.direction, self.limit))
    }

    /// Arbitrary compressed bytes: bounded, and the same at every split.
    fn raw(&self) {
        let payloads: Vec<&[u8]> = self.messages.iter().map(|m| m.bytes.as_slice()).collect();
        let whole = inflate_all(&mut self.inflater(), &payloads, |_| vec![], self.limit);
        let split = inflate_all(
            &mut self.inflater(),
            &payloads,
            |i| self.messages[i].cuts.clone(),
            self.limit,
        );
        assert_eq!(
            whole, split,
            "the frame split changed the result under {:?}",
            self.direction
        );
        for m in &self.messages {
            m.check_frames(m.bytes.clone());
        }
    }

    /// Deflater output inflates back to the input, at any split.
    fn round_trip(&self) {
        let mut deflater = Deflater::new(self.direction, self.level);
        let plain: Vec<&[u8]> = self.messages.iter().map(|m| m.plain()).collect();
        let compressed: Vec<Vec<u8>> = plain.iter().map(|p| deflater.compress(p)).collect();
        let refs: Vec<&[u8]> = compressed.iter().map(Vec::as_slice).collect();
        // A limit no message exceeds: each must come back whole.
        let limit = plain.iter().map(|p| p.len() as u64).max().unwrap_or(0);
        let config = InflateConfig::new(self.direction, limit);
        let cuts = |i: usize| self.messages[i].cuts.clone();
        let out = inflate_all(&mut Inflater::new(config), &refs, cuts, limit);
        for (i, (p, got)) in plain.iter().zip(&out).enumerate() {
            match got {
                Ok(bytes) => assert!(
                    bytes == p,
                    "message {i} of {:?} (level {}) came back as {} bytes, not its {}",
                    self.direction,
                    self.level,
                    bytes.len(),
                    p.len()
                ),
                Err(e) => panic!(
                    "message {i} ({} bytes) compressed under {:?} (level {}) does not inflate: {e:?}",
                    p.len(),
                    self.direction,
                    self.level
                ),
            }
        }
        for (m, c) in self.messages.iter().zip(compressed) {
            let violations = m.check_frames(c);
            assert!(
                violations.is_empty(),
                "valid compressed frames judged {violations:?}"
            );
            if m.text {
                let mut utf8 = Utf8Validator::new();
                let ok = utf8.feed(m.plain()).is_ok() && utf8.finish().is_ok();
                assert!(ok, "the text of a round trip is UTF-8");
            }
        }
    }
}

impl Message {
    fn take(u: &mut Unstructured<'_>) -> Result<Message> {
        let text = u.arbitrary::<bool>()?;
        let len = u.int_in_range(0..=4096usize)?;
        let bytes = u.bytes(len.min(u.len()))?.to_vec();
        let n = u.int_in_range(0..=MAX_CUTS)?;
        let mut cuts = Vec::with_capacity(n);
        for _ in 0..n {
            cuts.push(u.int_in_range(0..=bytes.len())?);
        }
        cuts.sort_unstable();
        let bad_rsv1 = u.arbitrary::<Option<u8>>()?.map(usize::from);
        Ok(Message {
            text,
            bytes,
            cuts,
            bad_rsv1,
        })
    }

    /// The message a round trip compresses: for text, the longest UTF-8
    /// prefix of the bytes.
    fn plain(&self) -> &[u8] {
        if !self.text {
            return &self.bytes;
        }
        match std::str::from_utf8(&self.bytes) {
            Ok(_) => &self.bytes,
            Err(e) => &self.bytes[..e.valid_up_to()],
        }
    }

    /// The frames of `payload` (compressed, RSV1 on the first) through the
    /// validator, with a ping between fragments, as a server sends them;
    /// returns the violations. RSV1 on a continuation or on the ping must
    /// be reported, and the compressed text is never judged as UTF-8 before
    /// it is inflated.
    fn check_frames(&self, payload: Vec<u8>) -> Vec<Violation> {
        let op = if self.text {
            OpCode::TEXT
        } else {
            OpCode::BINARY
        };
        let payload = Bytes::from(payload);
        let pieces = split(&payload, &self.cuts);
        let mut validator = Validator::new(Role::Server).with_deflate();
        let mut violations = Vec::new();
        let n = pieces.len();
        for (i, piece) in pieces.into_iter().enumerate() {
            let opcode = if i == 0 { op } else { OpCode::CONTINUATION };
            let frame = Frame::new(opcode, payload.slice_ref(piece)).fin(i + 1 == n);
            let frame = if i == 0 { frame.rsv(RSV1) } else { frame };
            violations.extend(validator.check_frame(&frame));
            if i == 0 && n > 1 {
                let ping = Frame::new(OpCode::PING, Bytes::from_static(b"p"));
                violations.extend(validator.check_frame(&ping));
            }
        }
        assert!(
            !violations
                .iter()
                .any(|v| matches!(v, Violation::InvalidUtf8 { .. })),
            "compressed text judged as UTF-8 before inflation: {violations:?}"
        );
        self.check_misplaced_rsv1(op, n);
        violations
    }

    /// RFC 7692 §6.1: RSV1 on a continuation frame, or on a control frame,
    /// must fail the connection.
    fn check_misplaced_rsv1(&self, op: OpCode, frames: usize) {
        let Some(at) = self.bad_rsv1 else {
            return;
        };
        let mut validator = Validator::new(Role::Server).with_deflate();
        let first = Frame::new(op, Bytes::new()).fin(false).rsv(RSV1);
        assert!(validator.check_frame(&first).is_empty());
        let bad = if at % 2 == 0 || frames < 2 {
            Frame::new(OpCode::PING, Bytes::new()).rsv(RSV1)
        } else {
            Frame::new(OpCode::CONTINUATION, Bytes::new()).rsv(RSV1)
        };
        let v = validator.check_frame(&bad);
        assert!(
            v.iter()
                .any(|v| matches!(v, Violation::CompressedBitMisplaced { .. })),
            "RSV1 on {:?} not reported: {v:?}",
            bad.header.opcode
        );
    }
}

/// `payload` cut at the sorted offsets `cuts` (empty pieces included).
fn split<'a>(payload: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for &c in cuts {
        let c = c.clamp(from, payload.len());
        pieces.push(&payload[from..c]);
        from = c;
    }
    pieces.push(&payload[from..]);
    pieces
}

/// What one message became: its bytes, or the kind of error (the offset
/// an error names may depend on where the input was cut).
type Outcome = std::result::Result<Vec<u8>, Failure>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    /// It inflates past the limit.
    TooBig,
    /// It breaks a rule of DEFLATE, the window or the context.
    Invalid,
}

/// Inflates the messages in order on one inflater (one connection), each
/// cut at `cuts(i)`, until the first error (after which the connection is
/// failed). Checks the limit and the slice size on every sink call.
fn inflate_all(
    inflater: &mut Inflater,
    payloads: &[&[u8]],
    cuts: impl Fn(usize) -> Vec<usize>,
    limit: u64,
) -> Vec<Outcome> {
    let mut out = Vec::with_capacity(payloads.len());
    for (i, payload) in payloads.iter().enumerate() {
        let mut got = Vec::new();
        let mut sink = |b: &[u8]| {
            assert!(b.len() <= CHUNK, "a sink slice of {} bytes", b.len());
            assert!(
                (got.len() + b.len()) as u64 <= limit,
                "inflated past the limit of {limit} bytes"
            );
            got.extend_from_slice(b);
        };
        let mut result = Ok(());
        for piece in split(payload, &cuts(i)) {
            result = inflater.feed(piece, &mut sink);
            if result.is_err() {
                break;
            }
        }
        let result = result.and_then(|()| inflater.finish(&mut sink).map(|_| ()));
        match result {
            Ok(()) => out.push(Ok(got)),
            Err(e) => {
                out.push(Err(failure(&e)));
                return out;
            }
        }
    }
    out
}

fn failure(e: &DeflateError) -> Failure {
    if let DeflateError::Internal(why) = e {
        panic!("the auditor and zlib disagree: {why}");
    }
    if e.is_too_big() {
        Failure::TooBig
    } else {
        Failure::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_inputs_run() {
        for seed in 0u8..64 {
            let data: Vec<u8> = (0..600u32)
                .map(|i| (i as u8).wrapping_mul(seed).wrapping_add(seed))
                .collect();
            inflate(&data);
        }
        inflate(&[]);
        inflate(&[1; 3]);
    }

    #[test]
    fn splits_keep_every_byte() {
        let p = b"abcdef";
        assert_eq!(
            split(p, &[0, 2, 2, 9]),
            [&b""[..], b"ab", b"", b"cdef", b""]
        );
    }
}
