//! The receiving half of permessage-deflate, for every receiver of the
//! project (the session reading its peer, the model, the reference server):
//! a compressed message inflated for its sender's direction as its pieces
//! arrive, bounded by the receiver's limit (a bomb costs at most a piece of
//! memory and that much work), held to the agreed window and context, and,
//! when it is text, checked as UTF-8 once inflated.

use super::{DeflateError, Direction, InflateConfig, Inflater};
use crate::codec::{Body, OpCode, Utf8Validator, Violation};

/// Why a compressed message was not delivered.
#[derive(Clone, Debug)]
pub enum Refused {
    /// A rule broken.
    Invalid(Violation),
    /// It inflates past the receiver's limit.
    TooBig(u64),
    /// It ends in a form strict receivers refuse and lenient ones accept
    /// ([`Violation::CompressedTailForm`]): the bytes inflated are the
    /// whole message.
    Lenient(Violation),
}

/// Inflater of the peer's compressed messages.
#[derive(Debug)]
pub struct MessageInflater {
    inflater: Inflater,
    limit: u64,
    utf8: Option<Utf8Validator>,
    refused: Option<Refused>,
}

impl MessageInflater {
    /// For messages compressed as `direction` agreed, up to `limit` bytes each.
    pub fn new(direction: Direction, limit: u64) -> MessageInflater {
        MessageInflater {
            inflater: Inflater::new(InflateConfig::new(direction, limit)),
            limit,
            utf8: None,
            refused: None,
        }
    }

    /// A compressed message of `opcode` starts.
    pub fn begin(&mut self, opcode: OpCode) {
        self.utf8 = (opcode == OpCode::TEXT).then(Utf8Validator::new);
        self.refused = None;
    }

    /// The next piece of the compressed payload; inflated bytes go to `sink`.
    pub fn feed(&mut self, piece: &[u8], sink: &mut dyn FnMut(&[u8])) {
        if self.refused.is_some() {
            return;
        }
        let (utf8, bad) = (&mut self.utf8, &mut None);
        let r = self.inflater.feed(piece, &mut |b| {
            check_text(utf8, bad, b);
            sink(b)
        });
        self.note(r.err(), bad.take());
    }

    /// The message ended: the rest of its inflated bytes go to `sink`; the
    /// reason it is not delivered, if any.
    pub fn finish(&mut self, sink: &mut dyn FnMut(&[u8])) -> Option<Refused> {
        if self.refused.is_none() {
            let (utf8, bad) = (&mut self.utf8, &mut None);
            let r = self.inflater.finish(&mut |b| {
                check_text(utf8, bad, b);
                sink(b)
            });
            self.note(r.err(), bad.take());
            if self.refused.is_none()
                && let Some(e) = self.utf8.as_mut().and_then(|u| u.finish().err())
            {
                self.refused = Some(invalid_utf8(e.position));
            }
        }
        self.refused.take()
    }

    /// Why a message its sender compressed from `plain` with the codec's
    /// own `Deflater` (trusted to inflate to exactly `plain`) is not
    /// delivered, if it is not: the same limit and UTF-8 rules as a message
    /// inflated piece by piece, applied to the plain bytes.
    pub fn judge_plain(&self, opcode: OpCode, plain: &Body) -> Option<Refused> {
        if plain.len() > self.limit {
            return Some(Refused::TooBig(self.limit.saturating_add(1)));
        }
        let (mut utf8, mut bad) = ((opcode == OpCode::TEXT).then(Utf8Validator::new), None);
        plain.for_each_piece(|p| check_text(&mut utf8, &mut bad, p));
        if bad.is_none()
            && let Some(e) = utf8.as_ref().and_then(|u| u.finish().err())
        {
            bad = Some(invalid_utf8(e.position));
        }
        bad
    }

    fn note(&mut self, error: Option<DeflateError>, bad_text: Option<Refused>) {
        if self.refused.is_some() {
            return;
        }
        self.refused = match error {
            Some(e) if e.is_too_big() => Some(Refused::TooBig(self.limit + 1)),
            Some(
                e @ (DeflateError::EndsWithFinalBlock { .. } | DeflateError::UnstrippedTail { .. }),
            ) => Some(Refused::Lenient(Violation::CompressedTailForm {
                detail: e.to_string(),
            })),
            Some(e) => Some(Refused::Invalid(Violation::BadCompressedData {
                detail: e.to_string(),
                truncated: matches!(e, DeflateError::Truncated { .. }),
            })),
            None => bad_text,
        };
    }
}

/// RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8
/// but finds that the byte stream is not, in fact, a valid UTF-8 stream,
/// that endpoint MUST _Fail the WebSocket Connection_" — the inflated bytes
/// are the text.
fn check_text(utf8: &mut Option<Utf8Validator>, bad: &mut Option<Refused>, bytes: &[u8]) {
    if bad.is_some() {
        return;
    }
    if let Some(e) = utf8.as_mut().and_then(|u| u.feed(bytes).err()) {
        *bad = Some(invalid_utf8(e.position));
    }
}

fn invalid_utf8(position: u64) -> Refused {
    Refused::Invalid(Violation::InvalidUtf8 { position })
}
