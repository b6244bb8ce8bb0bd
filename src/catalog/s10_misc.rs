//! Autobahn section 10: miscellaneous. 10.1.1 sends a 64 KiB text message
//! fragmented the way Autobahn's auto-fragmentation does (1300-byte
//! frames), which must come back whole.

use std::time::Duration;

use bytes::Bytes;

use super::case::{Case, send};
use crate::codec::Frame;

/// RFC 6455 §5.4.
const SUPPORT_FRAGMENTS: &str =
    "Clients and servers MUST support receiving both fragmented and unfragmented messages.";

/// Message size and fragment size of 10.1.1.
const MESSAGE_LEN: usize = 65536;
const FRAGMENT_LEN: usize = 1300;

/// `payload` cut into frames of `size` bytes: one text frame, then continuations.
fn auto_fragmented(payload: &Bytes, size: usize) -> Vec<Frame> {
    let count = payload.len().div_ceil(size);
    (0..count)
        .map(|i| {
            let part = payload.slice(i * size..((i + 1) * size).min(payload.len()));
            let frame = if i == 0 {
                Frame::text(part)
            } else {
                Frame::continuation(part)
            };
            frame.fin(i + 1 == count)
        })
        .collect()
}

pub(super) fn cases() -> Vec<Case> {
    let payload = Bytes::from(vec![b'*'; MESSAGE_LEN]);
    vec![
        Case::frames(
            "10.1.1",
            "64 KiB text of '*' in 1300-byte frames: 1 text and 50 continuation frames",
            "5.4",
            SUPPORT_FRAGMENTS,
            move || vec![send(auto_fragmented(&payload, FRAGMENT_LEN))],
        )
        .deadline(Duration::from_secs(10)),
    ]
}
