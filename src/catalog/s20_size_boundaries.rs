//! Sizes on both sides of the line between "too small for any limit" and
//! "a server may refuse it" (docs/verdicts.md, server limits), and — when
//! the user declares what the endpoint accepts (`--max-message-size`,
//! `--max-frame-size`) — on both sides of the declared limits.
//!
//! 20.4.1–20.4.3: binary messages of 64 KiB − 1, 64 KiB and 64 KiB + 1 in
//! one frame; 20.4.4–20.4.6: text messages of 1023, 1024 and 1025 one-byte
//! fragments. A refusal of the first of each three fails; of the others it
//! is NON-STRICT `server-limit`. A conforming endpoint echoes all of them.
//!
//! 20.5.1–20.5.3 (with `--max-message-size L`): binary messages of L − 1,
//! L and L + 1 bytes in frames no larger than the declared frame limit;
//! 20.5.4–20.5.6 (with `--max-frame-size F`): one message of three frames of
//! F − 1, F and F + 1 bytes each. Refusing one at or below the limit fails.

use bytes::Bytes;

use super::{Case, send};
use crate::codec::{Frame, OpCode};
use crate::model::Declared;

const Q_LIMITS: &str = "Implementations that have implementation- and/or platform-specific limitations regarding the frame size or total message size after reassembly from multiple frames MUST protect themselves against exceeding those limits.";
const Q_FRAGMENTED: &str =
    "Clients and servers MUST support receiving both fragmented and unfragmented messages.";

/// The size floor of the server-limit rule and the fragment floor.
const FLOOR: u64 = 64 << 10;
const FRAGMENTS: usize = 1024;
/// Frames larger than this are cut when a declared message needs it.
const DEFAULT_FRAME: u64 = 1 << 20;

/// 20.4.1–20.4.6, always in the catalogue.
pub(super) fn cases() -> Vec<Case> {
    let mut out = Vec::with_capacity(6);
    for (i, size) in [FLOOR - 1, FLOOR, FLOOR + 1].into_iter().enumerate() {
        let title = format!("Binary message of {size} bytes in one frame ({})", side(i));
        out.push(Case::frames(
            format!("20.4.{}", i + 1),
            title,
            "10.4",
            Q_LIMITS,
            move || vec![send(vec![Frame::binary(pattern(size))])],
        ));
    }
    for (i, count) in [FRAGMENTS - 1, FRAGMENTS, FRAGMENTS + 1]
        .into_iter()
        .enumerate()
    {
        let title = format!("Text message of {count} one-byte fragments ({})", side(i));
        out.push(Case::frames(
            format!("20.4.{}", i + 4),
            title,
            "5.4",
            Q_FRAGMENTED,
            move || vec![send(chain(OpCode::TEXT, &[b'f'; 1].repeat(count), 1))],
        ));
    }
    out
}

/// 20.5.x for the limits the user declared (none without a declaration).
pub fn declared_cases(declared: &Declared) -> Vec<Case> {
    let mut out = Vec::new();
    if let Some(limit) = declared.max_message {
        let frame = declared.max_frame.unwrap_or(DEFAULT_FRAME).max(1);
        let sizes = [limit.saturating_sub(1), limit, limit.saturating_add(1)];
        for (i, size) in sizes.into_iter().enumerate() {
            let title = format!(
                "Binary message of {size} bytes, frames of at most {frame} bytes ({} the declared message size)",
                side_of_declared(i)
            );
            out.push(Case::frames(
                format!("20.5.{}", i + 1),
                title,
                "10.4",
                Q_LIMITS,
                move || vec![send(chain(OpCode::BINARY, &pattern(size), frame))],
            ));
        }
    }
    if let Some(limit) = declared.max_frame {
        let sizes = [limit.saturating_sub(1), limit, limit.saturating_add(1)];
        for (i, size) in sizes.into_iter().enumerate() {
            let title = format!(
                "Binary message of three frames of {size} bytes ({} the declared frame size)",
                side_of_declared(i)
            );
            out.push(Case::frames(
                format!("20.5.{}", i + 4),
                title,
                "10.4",
                Q_LIMITS,
                move || vec![send(chain(OpCode::BINARY, &pattern(size * 3), size))],
            ));
        }
    }
    out
}

fn side(i: usize) -> &'static str {
    [
        "just below the floor",
        "at the floor",
        "just above the floor",
    ][i]
}

fn side_of_declared(i: usize) -> &'static str {
    ["just below", "at", "just above"][i]
}

/// `size` bytes of a repeating pattern.
fn pattern(size: u64) -> Bytes {
    (0..size)
        .map(|i| (i % 251) as u8)
        .collect::<Vec<u8>>()
        .into()
}

/// `payload` as one message of frames of at most `frame` bytes.
fn chain(opcode: OpCode, payload: &[u8], frame: u64) -> Vec<Frame> {
    let payload = Bytes::copy_from_slice(payload);
    let frame = frame.max(1) as usize;
    let count = payload.len().div_ceil(frame).max(1);
    (0..count)
        .map(|i| {
            let op = if i == 0 { opcode } else { OpCode::CONTINUATION };
            let end = payload.len().min((i + 1) * frame);
            Frame::new(op, payload.slice(i * frame..end)).fin(i + 1 == count)
        })
        .collect()
}
