//! Autobahn section 12: permessage-deflate with the default offer, five
//! data sets (`deflate_data`), 18 message sizes and fragmentations each.
//! Every case sends its messages one at a time and waits for each echo, as
//! Autobahn does; the tester compresses each message as agreed and cuts the
//! *compressed* bytes into frames of the variant's fragment size. PASS when
//! every echo has the message's type, length and content (inflated) and
//! the close is clean; UNIMPLEMENTED when the server declines deflate.
//!
//! Messages per case: Autobahn sends 1000 whatever the size. `Full` sends
//! 1000 up to 4 KiB and then as many as fit in 4 MiB (32 of 128 KiB), so
//! the 216 cases of 12 and 13 run in seconds; `Quick` sends a tenth of
//! that, at least 4.

use std::time::Duration;

use super::deflate_data::{DataKind, message};
use super::{Case, DeflateCase, Profile, Step, send_sync};
use crate::codec::Frame;
use crate::codec::deflate::DeflateParams;

/// RFC 7692 §6.2, the receiver's side of what every case checks.
pub(super) const REQUIREMENT: &str = "An endpoint uses the following algorithm to decompress a message. 1. Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the message. 2. Decompress the resulting data using DEFLATE.";

/// Message size and auto-fragment size of variants 1 to 18.
pub(super) const VARIANTS: [(usize, Option<usize>); 18] = [
    (16, None),
    (64, None),
    (256, None),
    (1024, None),
    (4096, None),
    (8192, None),
    (16384, None),
    (32768, None),
    (65536, None),
    (131072, None),
    (8192, Some(256)),
    (16384, Some(256)),
    (32768, Some(256)),
    (65536, Some(256)),
    (131072, Some(256)),
    (131072, Some(1024)),
    (131072, Some(4096)),
    (131072, Some(32768)),
];

/// Bytes a `Full` case sends at most (beyond 1000 small messages).
const FULL_BUDGET: usize = 4 << 20;

/// Messages per case of `size` bytes under `profile`.
pub(super) fn message_count(profile: Profile, size: usize) -> usize {
    let full = (FULL_BUDGET / size).clamp(32, 1000);
    match profile {
        Profile::Full => full,
        Profile::Quick => (full / 10).max(4),
    }
}

/// Autobahn's per-case timeout for a message size.
fn deadline(size: usize) -> Duration {
    let secs = match size {
        16 | 64 => 60,
        256 => 120,
        1024 => 240,
        _ => 480,
    };
    Duration::from_secs(secs)
}

/// The 18 cases `prefix.1` … `prefix.18` of `kind` with `offers`.
pub(super) fn variants(
    prefix: &str,
    kind: DataKind,
    offers: &[DeflateParams],
    offers_text: &str,
    profile: Profile,
) -> Vec<Case> {
    let cases = VARIANTS.iter().enumerate().map(|(i, &(size, fragment))| {
        let count = message_count(profile, size);
        let cut = fragment.map_or("unfragmented".into(), |f| format!("fragments of {f} B"));
        let title = format!(
            "{count} {} messages of {size} B ({cut} compressed), offer {offers_text}",
            kind.name()
        );
        let steps = move || round_trips(kind, size, count);
        Case::frames(
            format!("{prefix}.{}", i + 1),
            title,
            "RFC 7692 §6.2",
            REQUIREMENT,
            steps,
        )
        .deadline(deadline(size))
        .deflate(DeflateCase {
            offers: offers.to_vec(),
            fragment,
            answer_as_offered: false,
        })
    });
    cases.collect()
}

/// `count` messages, each sent once the echo of the last came back.
fn round_trips(kind: DataKind, size: usize, count: usize) -> Vec<Step> {
    one_at_a_time((0..count).map(|n| {
        let m = message(kind, n, size);
        if kind.is_text() {
            Frame::text(m)
        } else {
            Frame::binary(m)
        }
    }))
}

/// Each frame sent once the echo of the one before came back.
pub(super) fn one_at_a_time(frames: impl IntoIterator<Item = Frame>) -> Vec<Step> {
    let frames = frames.into_iter();
    let mut steps = Vec::with_capacity(2 * frames.size_hint().0);
    for frame in frames {
        steps.push(send_sync(vec![frame]));
        steps.push(Step::AwaitEvents);
    }
    steps
}

/// Section 12.
pub(super) fn cases(profile: Profile) -> Vec<Case> {
    let kinds = [
        DataKind::Json,
        DataKind::Bitmap,
        DataKind::Prose,
        DataKind::Html,
        DataKind::Pdf,
    ];
    let default = [DeflateParams::new()];
    let sections = kinds.iter().enumerate().map(|(i, &kind)| {
        let prefix = format!("12.{}", i + 1);
        variants(&prefix, kind, &default, "permessage-deflate", profile)
    });
    sections.flatten().collect()
}
