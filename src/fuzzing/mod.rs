//! Bodies of the coverage-guided fuzz targets in `fuzz/`.
//!
//! Each target in `fuzz/fuzz_targets/` is one call into this module, so the
//! logic type-checks in normal builds and replays over `corpus/` as plain
//! tests. A function here never returns an error: it panics, with a message
//! that says which property broke, when the code under test misbehaves.

mod endpoint;
mod inflate;
mod network;
mod tolerated;

pub use endpoint::{
    BoxFuture, DuplexStream, InProcessServer, ReferenceServer, Tolerated, describe_failure,
    input_from, input_with_deflate_from, judge_case_in_process, judge_in_process,
    run_deflate_endpoint, run_endpoint,
};
pub use inflate::inflate;
pub use network::{URL_VAR, url};

use bytes::BytesMut;

use crate::codec::{
    CloseCode, DecodeError, Decoder, Frame, Role, Utf8Error, Utf8Validator, Validator,
};
use crate::model::{End, Endpoint, Expectation, Reaction};

/// Payload cap of the decoder under test.
const CAP: u64 = 1 << 16;
/// Longest frame header: 2 bytes, 8 of extended length, 4 of mask key.
const MAX_HEADER: usize = 14;

/// Decodes `data[1..]`, delivered in chunks whose size is `data[0]` (0 means
/// all at once), and checks that decoding never panics, that every frame
/// re-encodes to exactly the bytes it came from, that the buffer stays
/// bounded by the cap whatever length the input declares, and that the
/// strict validator judges every frame (as sent by a client) without panicking.
pub fn decode(data: &[u8]) {
    let Some((&sel, input)) = data.split_first() else {
        return;
    };
    let chunk = if sel == 0 {
        input.len().max(1)
    } else {
        usize::from(sel)
    };
    let mut run = DecodeRun::new(input);
    for piece in input.chunks(chunk) {
        if !run.feed(piece) {
            return;
        }
    }
    run.finish();
}

/// State of one `decode` run: the whole input, how much of it was fed, and
/// how much of it came back out as frames.
struct DecodeRun<'a> {
    input: &'a [u8],
    decoder: Decoder,
    validator: Validator,
    buf: BytesMut,
    fed: usize,
    consumed: usize,
}

impl<'a> DecodeRun<'a> {
    fn new(input: &'a [u8]) -> Self {
        DecodeRun {
            input,
            decoder: Decoder::new(CAP),
            validator: Validator::new(Role::Client),
            buf: BytesMut::new(),
            fed: 0,
            consumed: 0,
        }
    }

    /// Appends one chunk and takes off every whole frame; false once the
    /// decoder refused a header (the stream cannot go on).
    fn feed(&mut self, piece: &[u8]) -> bool {
        self.buf.extend_from_slice(piece);
        self.fed += piece.len();
        loop {
            let before = self.buf.len();
            match self.decoder.decode(&mut self.buf) {
                Ok(Some(frame)) => self.check_frame(&frame, before),
                Ok(None) => {
                    self.check_unconsumed("after `need more`");
                    self.check_bounded();
                    return true;
                }
                Err(e) => {
                    self.check_refusal(&e);
                    return false;
                }
            }
            self.check_bounded();
        }
    }

    /// The frame must be exactly the bytes taken off the buffer.
    fn check_frame(&mut self, frame: &Frame, before: usize) {
        let taken = before - self.buf.len();
        let wire = &self.input[self.consumed..self.consumed + taken];
        assert_eq!(
            frame.payload.len() as u64,
            frame.header.len.value(),
            "decoded payload length differs from the declared length in {wire:02x?}"
        );
        let again = frame.to_bytes();
        assert!(
            again[..] == *wire,
            "frame does not re-encode to its wire bytes:\n  wire:      {wire:02x?}\n  \
             re-encoded: {:02x?}\n  frame: {frame:?}",
            &again[..]
        );
        self.consumed += taken;
        self.check_unconsumed("after a frame");
        self.check_rules(frame);
    }

    /// The validator judges the frame; what the header alone breaks is part
    /// of the frame's verdict, and every violation can be explained.
    fn check_rules(&mut self, frame: &Frame) {
        let from_header = self.validator.check_header(&frame.header);
        let all = self.validator.check_frame(frame);
        assert!(
            from_header.iter().all(|v| all.contains(v)),
            "header violations {from_header:?} missing from the frame's {all:?} for {frame:?}"
        );
        for v in &all {
            assert!(
                !v.rule().is_empty() && !v.section().is_empty() && !v.requirement().is_empty(),
                "violation {v:?} lacks a rule, section or requirement"
            );
            let _ = v.close_code();
        }
    }

    /// What is still buffered is the fed input not yet returned as frames.
    fn check_unconsumed(&self, when: &str) {
        assert!(
            self.buf[..] == self.input[self.consumed..self.fed],
            "buffer {when} holds {:02x?}, expected the unconsumed input {:02x?}",
            &self.buf[..],
            &self.input[self.consumed..self.fed]
        );
    }

    /// A refusal is only for a declared length above the cap.
    fn check_refusal(&self, e: &DecodeError) {
        let DecodeError::PayloadTooLarge {
            declared,
            cap,
            header,
        } = e;
        assert!(
            *declared > *cap && *cap == CAP && header.len.value() == *declared,
            "refusal without cause: {e:?}"
        );
        self.check_unconsumed("after a refusal");
        self.check_bounded();
    }

    /// Memory never grows from an untrusted length beyond the cap.
    fn check_bounded(&self) {
        let bound = CAP as usize + MAX_HEADER + self.input.len();
        assert!(
            self.buf.capacity() <= bound,
            "buffer capacity {} exceeds cap + header + input = {bound}",
            self.buf.capacity()
        );
    }

    /// At the end, the rest is an incomplete frame, kept as it came.
    fn finish(&self) {
        self.check_unconsumed("at the end");
        let rest = &self.input[self.consumed..];
        assert!(
            matches!(self.decoder.decode(&mut BytesMut::from(rest)), Ok(None)),
            "an unconsumed tail {rest:02x?} decodes when delivered at once"
        );
    }
}

/// Differential test of [`Utf8Validator`] against `std::str::from_utf8` on
/// `data[1..]`: same validity; for a fail-fast error, the first byte after
/// which no continuation can be valid; for a truncated one, the end of the
/// input. The input fed in two pieces, cut at `data[0]` modulo its length
/// plus one, gives the same result.
pub fn utf8(data: &[u8]) {
    let Some((&sel, input)) = data.split_first() else {
        return;
    };
    let whole = Utf8Validator::validate(input);
    let std_ok = std::str::from_utf8(input).is_ok();
    assert_eq!(
        whole.is_ok(),
        std_ok,
        "validity differs from std (ours {whole:?}) on {input:02x?}"
    );
    if let Err(e) = whole {
        check_position(input, e);
    }
    let cut = usize::from(sel) % (input.len() + 1);
    let split = validate_split(input, cut);
    assert_eq!(
        split, whole,
        "input split at {cut} gives {split:?}, whole gives {whole:?}, on {input:02x?}"
    );
}

/// Feeds `input[..cut]` then `input[cut..]`, then finishes.
pub fn validate_split(input: &[u8], cut: usize) -> Result<(), Utf8Error> {
    let mut v = Utf8Validator::new();
    v.feed(&input[..cut])?;
    v.feed(&input[cut..])?;
    v.finish()
}

/// The first index `p` such that `bytes[..=p]` is a prefix of no valid UTF-8:
/// where a fail-fast validator must stop.
pub fn fail_fast_position(bytes: &[u8]) -> Option<usize> {
    // Everything before `valid_up_to` is valid, so no earlier prefix fails;
    // the search ends within four bytes of it.
    let start = std::str::from_utf8(bytes).err()?.valid_up_to();
    (start..bytes.len())
        .find(|&p| matches!(std::str::from_utf8(&bytes[..=p]), Err(e) if e.error_len().is_some()))
}

/// The error position agrees with the definition.
fn check_position(input: &[u8], e: Utf8Error) {
    let expected = fail_fast_position(input);
    if e.truncated {
        assert_eq!(
            (expected, e.position),
            (None, input.len() as u64),
            "truncation reported at {}, but the input {input:02x?} fails fast at {expected:?} \
             or has length {}",
            e.position,
            input.len()
        );
    } else {
        assert_eq!(
            Some(e.position),
            expected.map(|p| p as u64),
            "fail-fast position {} differs from the definition on {input:02x?}",
            e.position
        );
    }
}

/// The reference model over the frames decoded from `data` (as a client
/// sends them to a server): it never panics, and its answers keep the
/// model's invariants — it agrees with a fresh validator on where the
/// connection must fail, owes nothing after failing or closing, echoes only
/// complete text messages that are valid UTF-8, answers pings with their own
/// payload, and owes only codes an endpoint may send.
pub fn model(data: &[u8]) {
    let mut buf = BytesMut::from(data);
    let mut frames = Vec::new();
    while let Ok(Some(f)) = Decoder::new(CAP).decode(&mut buf) {
        frames.push(f);
    }
    let mut endpoint = Endpoint::new(Role::Server);
    let mut validator = Validator::new(Role::Client);
    let mut finished = false;
    for (i, frame) in frames.iter().enumerate() {
        let owed = endpoint.receive(frame);
        let fatal = validator
            .check_frame(frame)
            .into_iter()
            .find(|v| !v.receiver_may_tolerate());
        check_reaction(i, frame, &owed.reaction, fatal.is_some(), finished);
        finished |= matches!(
            owed.reaction,
            Reaction::Fail(_) | Reaction::CloseReply { .. }
        );
        assert_eq!(
            endpoint.is_open(),
            !finished,
            "frame {i}: open state disagrees with the reactions"
        );
    }
    let expectation = Expectation::of(Endpoint::new(Role::Server), &frames);
    if let End::Fail { frame, .. } = expectation.end {
        assert!(
            frame < frames.len(),
            "failure owed at frame {frame} of {}",
            frames.len()
        );
    }
}

fn check_reaction(i: usize, frame: &Frame, reaction: &Reaction, fatal: bool, finished: bool) {
    if finished {
        assert_eq!(
            *reaction,
            Reaction::Ignore,
            "frame {i}: a reaction after the connection ended"
        );
        return;
    }
    assert_eq!(
        matches!(reaction, Reaction::Fail(_)),
        fatal,
        "frame {i}: model and validator disagree: {reaction:?}"
    );
    match reaction {
        Reaction::Message { opcode, payload } if *opcode == crate::codec::OpCode::TEXT => {
            assert!(
                std::str::from_utf8(&payload.to_bytes()).is_ok(),
                "frame {i}: echoed invalid UTF-8"
            );
        }
        Reaction::Pong(p) => assert_eq!(
            p, &frame.payload,
            "frame {i}: pong payload differs from the ping"
        ),
        Reaction::Fail(f) => {
            assert!(
                !f.codes.is_empty() && f.codes.iter().all(|c| c.is_sendable()),
                "frame {i}: {f:?}"
            );
        }
        Reaction::CloseReply { codes, .. } => {
            assert!(
                codes.contains(&CloseCode::NORMAL),
                "frame {i}: close reply without 1000"
            );
            assert!(
                codes.iter().all(|c| c.is_sendable()),
                "frame {i}: unsendable reply code"
            );
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_fast_position_follows_the_definition() {
        assert_eq!(fail_fast_position(b"hello"), None);
        assert_eq!(fail_fast_position(&[0x61, 0xF4, 0x90]), Some(2));
        assert_eq!(fail_fast_position(&[0xFF]), Some(0));
        assert_eq!(fail_fast_position(&[0xE0, 0x80]), Some(1));
        assert_eq!(fail_fast_position(&[0xE2, 0x82]), None);
    }

    #[test]
    #[should_panic(expected = "does not re-encode")]
    fn decode_target_catches_a_broken_round_trip() {
        // A frame whose header lies about its length cannot come from the
        // decoder; feed the check one directly to prove it can fail.
        let input = [0x82, 0x01, 0xAA];
        let mut run = DecodeRun::new(&input);
        run.fed = 3;
        run.buf = BytesMut::new();
        let frame = Frame::binary(&[0xBB][..]);
        run.check_frame(&frame, 3);
    }

    #[test]
    fn targets_accept_edge_inputs() {
        for data in [&[][..], &[0], &[0, 0x81], &[1, 0x81, 0x7F, 0xFF]] {
            decode(data);
            utf8(data);
        }
    }
}
