//! The known deviations an endpoint target accepts ([`Tolerated`]), each a
//! named rule over the input and the verdict, so the fuzzer keeps looking
//! for new ones of a library whose old ones are known.

use flate2::{Decompress, FlushDecompress, Status};

use crate::codec::deflate::{CHUNK, TAIL};
use crate::codec::{Frame, OpCode, Violation};
use crate::model::End;
use crate::mutate::Input;
use crate::session::{Reason, Verdict};

/// A known deviation of the server under test that the harness accepts, so
/// the fuzzer looks for new ones. Every other FAIL panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tolerated {
    /// `no-close` when the input ends inside a frame: the server sees a
    /// stream that stops mid-frame and drops it without a Close (the model
    /// owes a Close only when a header already breaks a rule).
    NoCloseOnIncompleteFrame,
    /// The server dropped the connection, or closed it with another code,
    /// on an input holding a frame that breaks a rule only the sender must
    /// keep and the receiver may tolerate (a non-minimal length encoding:
    /// "the minimal number of bytes MUST be used to encode the length",
    /// RFC 6455 §5.2). The model owes an echo; refusing is a choice.
    RefusesTolerableViolation,
    /// The server sent a text message that is not valid UTF-8 (RFC 6455
    /// §8.1): a known echo bug of a library, tolerated so the fuzzer keeps
    /// looking for other deviations. Matched on the verdict's rule name.
    EchoesInvalidUtf8,
    /// `no-close`, or a Close with another code (1000 to the tester's
    /// Close), where the Close owed is for invalid UTF-8 in a text message
    /// the input never finishes (its last data frame has no FIN): the
    /// server checks UTF-8 only once a message is whole (ratchet_rs leaves
    /// UTF-8 to the application, which sees whole messages), so it waits
    /// for the rest. RFC 6455 §8.1 asks to fail as soon as the bytes are
    /// found invalid; with the message finished the same server fails.
    /// Also an `unexpected-frame` pong: a ping between the fragments after
    /// the invalid bytes is answered, since the server has not failed yet.
    Utf8CheckedAtMessageEnd,
    /// Any FAIL where the Close owed is for RSV1 on a control frame or a
    /// continuation frame (RFC 7692 §6.1: "An endpoint receiving such a
    /// frame MUST _Fail the WebSocket Connection_"): the server accepts the
    /// bit there, answering the ping or delivering the message, and what
    /// follows goes on from that (ratchet_rs checks the RSV bits of every
    /// frame against the negotiated ones only).
    AcceptsMisplacedRsv1,
    /// `unexpected-frame`, `echo-mismatch`, `wrong-close-code`, `unclean` or
    /// `no-close` on an input where an uncompressed message in fragments follows a
    /// compressed one: the server inflates it all the same (ratchet_rs
    /// keeps the "compressed" state of its first compressed message), so
    /// it refuses it, or echoes what its plain bytes inflate to (and so
    /// misses the invalid UTF-8 they are as text). RFC 7692
    /// §6: the "Per-Message Compressed" bit tells which messages to inflate.
    InflatesUncompressedFragments,
    /// `echo-mismatch`, `unexpected-frame` or `no-close` on an input with a
    /// compressed message whose DEFLATE stream ends (a block with BFINAL
    /// set) before its bytes and the appended tail do: the server stops
    /// there and inflates nothing more (ratchet_rs never restarts its zlib
    /// stream), so a bad block after it goes unseen and later messages come
    /// back empty, even one it had to refuse. RFC 7692 §7.2.1:
    /// after such a block "The next DEFLATE block follows the padded data
    /// if any"; §7.2.3.4 shows the form.
    StopsInflatingAfterFinalBlock,
    /// Any FAIL with this reason.
    Reason(Reason),
}

impl Tolerated {
    /// Whether this tolerance covers `verdict` for `input`.
    pub fn covers(self, input: &Input, verdict: &Verdict) -> bool {
        match self {
            Tolerated::NoCloseOnIncompleteFrame => {
                verdict.reason == Some(Reason::NoClose) && input.expectation().1
            }
            Tolerated::RefusesTolerableViolation => {
                matches!(
                    verdict.reason,
                    Some(Reason::Unclean | Reason::WrongCloseCode)
                ) && !input.expectation().0.tolerable.is_empty()
            }
            Tolerated::EchoesInvalidUtf8 => {
                verdict.reason == Some(Reason::InvalidServerFrame)
                    && verdict
                        .actual
                        .starts_with("server frame breaks invalid-utf8 ")
            }
            Tolerated::Utf8CheckedAtMessageEnd => {
                let unfinished = input
                    .frames
                    .iter()
                    .rev()
                    .find(|f| f.header.opcode.is_data())
                    .is_some_and(|f| !f.header.fin);
                let late = match verdict.reason {
                    Some(Reason::NoClose | Reason::WrongCloseCode) => unfinished,
                    Some(Reason::UnexpectedFrame) => verdict.actual.contains("unexpected pong"),
                    _ => false,
                };
                late && verdict.expected.contains("invalid-utf8")
            }
            Tolerated::AcceptsMisplacedRsv1 => matches!(
                &input.expectation().0.end,
                End::Fail { failure, .. }
                    if matches!(failure.violation, Violation::CompressedBitMisplaced { .. })
            ),
            Tolerated::InflatesUncompressedFragments => {
                matches!(
                    verdict.reason,
                    Some(
                        Reason::UnexpectedFrame
                            | Reason::EchoMismatch
                            | Reason::WrongCloseCode
                            | Reason::Unclean
                            | Reason::NoClose
                    )
                ) && uncompressed_fragments_after_compressed(&input.frames)
            }
            Tolerated::StopsInflatingAfterFinalBlock => {
                matches!(
                    verdict.reason,
                    Some(Reason::EchoMismatch | Reason::UnexpectedFrame | Reason::NoClose)
                ) && messages(&input.frames)
                    .iter()
                    .any(|m| m.0 && stream_ends_early(&m.2))
            }
            Tolerated::Reason(r) => verdict.reason == Some(r),
        }
    }
}

/// The data messages of `frames` as (compressed, fragmented, payload).
fn messages(frames: &[Frame]) -> Vec<(bool, bool, Vec<u8>)> {
    let mut out = Vec::new();
    let mut open: Option<(bool, usize, Vec<u8>)> = None;
    for f in frames.iter().filter(|f| f.header.opcode.is_data()) {
        let h = &f.header;
        let (compressed, n, mut bytes) = match (h.opcode, open.take()) {
            (OpCode::CONTINUATION, Some(o)) => o,
            (OpCode::CONTINUATION, None) => continue,
            _ => (h.rsv1(), 0, Vec::new()),
        };
        bytes.extend_from_slice(&f.payload);
        if h.fin {
            out.push((compressed, n > 0, bytes));
        } else {
            open = Some((compressed, n + 1, bytes));
        }
    }
    out
}

/// An uncompressed message in two or more fragments after a compressed one.
fn uncompressed_fragments_after_compressed(frames: &[Frame]) -> bool {
    let ms = messages(frames);
    let first = ms.iter().position(|m| m.0);
    first.is_some_and(|i| ms[i + 1..].iter().any(|m| !m.0 && m.1))
}

/// Whether the DEFLATE stream of a compressed message's payload (with the
/// tail appended, RFC 7692 §7.2.2) ends before its last byte: a block with
/// BFINAL set, and bytes after it.
fn stream_ends_early(payload: &[u8]) -> bool {
    let mut zlib = Decompress::new(false);
    let mut input: Vec<u8> = payload.to_vec();
    input.extend_from_slice(&TAIL);
    let mut out = vec![0u8; CHUNK];
    // Bounded: a bomb of the engine inflates to a few MiB.
    for _ in 0..4096 {
        let at = zlib.total_in() as usize;
        let status = zlib.decompress(&input[at..], &mut out, FlushDecompress::Sync);
        let done = zlib.total_in() as usize == input.len();
        match status {
            Ok(Status::StreamEnd) => return !done,
            Ok(_) if done => return false,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}
