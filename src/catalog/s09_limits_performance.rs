//! Autobahn section 9, limits and performance: big messages in one frame
//! (9.1, 9.2), one 4 MiB message cut into frames of 64 B to 4 MiB (9.3,
//! 9.4), a 1 MiB frame written in small TCP chops (9.5, 9.6), and 1000
//! sequential round trips (9.7, 9.8). Sizes, chops and deadlines are
//! Autobahn's (`case9_*.py`). Autobahn checks only the echo's type and
//! length; the model checks its content too.
//!
//! The large messages are generated (`Step::SendGenerated`): Autobahn's
//! pattern repeated to the size, produced as it is written and compared
//! with the echo as that arrives, so no message is held whole.
//!
//! `Profile::Quick` keeps the ids and deadlines and divides message and
//! fragment sizes by 16 (9.3.1 still sends 65,536 frames, of 4 B); TCP chop
//! sizes and the small round-trip payloads stay, with 100 round trips
//! instead of 1000.

use std::time::Duration;

use bytes::Bytes;

use super::{Case, Delivery, Profile, Step, send, send_generated};
use crate::codec::{Frame, OpCode};

const KIB: usize = 1 << 10;
const MIB: usize = 1 << 20;

/// Autobahn's payload pattern for 9.1 and 9.5, repeated to the size.
const TEXT_PATTERN: &[u8] = b"BAsd7&jh23";
/// Autobahn's payload pattern for 9.2 and 9.6, repeated to the size.
const BINARY_PATTERN: &[u8] = b"\x00\xfe\x23\xfa\xf0";

/// 9.1.x / 9.2.x: message size, text deadline, binary deadline (seconds).
const SINGLE: [(usize, u64, u64); 6] = [
    (64 * KIB, 10, 10),
    (256 * KIB, 10, 10),
    (MIB, 100, 10),
    (4 * MIB, 100, 10),
    (8 * MIB, 100, 100),
    (16 * MIB, 100, 100),
];

/// 9.3.x / 9.4.x: the 4 MiB message is cut into frames of these sizes.
const FRAGMENT_SIZES: [usize; 9] = [
    64,
    256,
    KIB,
    4 * KIB,
    16 * KIB,
    64 * KIB,
    256 * KIB,
    MIB,
    4 * MIB,
];
const FRAGMENTED_MESSAGE: usize = 4 * MIB;
const FRAGMENTED_DEADLINE: u64 = 100;

/// 9.5.x / 9.6.x: the 1 MiB frame is written in TCP chops of these sizes.
const CHOP_SIZES: [usize; 6] = [64, 128, 256, 512, 1024, 2048];
const CHOPPED_MESSAGE: usize = MIB;
const CHOPPED_DEADLINE: u64 = 1000;

/// 9.7.x / 9.8.x: payload size and deadline (seconds) of the round trips.
const ROUND_TRIPS: [(usize, u64); 6] = [
    (0, 60),
    (16, 60),
    (64, 60),
    (256, 120),
    (1024, 240),
    (4096, 480),
];

const Q_LENGTH_64: &str = "If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the most significant bit MUST be 0) are the payload length.";
const Q_FRAGMENTED: &str =
    "Clients and servers MUST support receiving both fragmented and unfragmented messages.";
const Q_DATA_ANY_TIME: &str = "A data frame MAY be transmitted by either the client or the server at any time after opening handshake completion and before that endpoint has sent a Close frame (Section 5.5.1).";

/// A payload size under `profile`: Autobahn's, or a sixteenth for a quick run.
pub(super) fn scaled(profile: Profile, size: usize) -> usize {
    match profile {
        Profile::Full => size,
        Profile::Quick => size / 16,
    }
}

/// Round trips per 9.7/9.8 case under `profile`.
pub(super) fn round_trip_count(profile: Profile) -> usize {
    match profile {
        Profile::Full => 1000,
        Profile::Quick => 100,
    }
}

/// The 54 cases of section 9.
pub(super) fn cases(profile: Profile) -> Vec<Case> {
    let mut all = Vec::with_capacity(54);
    for (opcode, group) in [(OpCode::TEXT, 1), (OpCode::BINARY, 2)] {
        all.extend(single_frame(profile, opcode, group));
    }
    for (opcode, group) in [(OpCode::TEXT, 3), (OpCode::BINARY, 4)] {
        all.extend(fragmented(profile, opcode, group));
    }
    for (opcode, group) in [(OpCode::TEXT, 5), (OpCode::BINARY, 6)] {
        all.extend(chopped(profile, opcode, group));
    }
    for (opcode, group) in [(OpCode::TEXT, 7), (OpCode::BINARY, 8)] {
        all.extend(round_trips(profile, opcode, group));
    }
    all
}

fn single_frame(profile: Profile, opcode: OpCode, group: u8) -> Vec<Case> {
    let mut out = Vec::new();
    for (i, &(size, text_secs, binary_secs)) in SINGLE.iter().enumerate() {
        let size = scaled(profile, size);
        let secs = if opcode == OpCode::TEXT {
            text_secs
        } else {
            binary_secs
        };
        let title = format!("{} message of {} in one frame", kind(opcode), human(size));
        let case = Case::frames(id(group, i), title, "5.2", Q_LENGTH_64, move || {
            vec![send_generated(
                opcode,
                pattern(opcode),
                size as u64,
                0,
                Delivery::Whole,
            )]
        });
        out.push(case.deadline(Duration::from_secs(secs)));
    }
    out
}

fn fragmented(profile: Profile, opcode: OpCode, group: u8) -> Vec<Case> {
    let size = scaled(profile, FRAGMENTED_MESSAGE);
    let fill: &'static [u8] = if opcode == OpCode::TEXT {
        b"*"
    } else {
        b"\xfe"
    };
    let mut out = Vec::new();
    for (i, &frag) in FRAGMENT_SIZES.iter().enumerate() {
        let frag = scaled(profile, frag);
        let title = format!(
            "{} message of {} in frames of {}",
            kind(opcode),
            human(size),
            human(frag)
        );
        let case = Case::frames(id(group, i), title, "5.4", Q_FRAGMENTED, move || {
            vec![send_generated(
                opcode,
                fill,
                size as u64,
                frag as u64,
                Delivery::Whole,
            )]
        });
        out.push(case.deadline(Duration::from_secs(FRAGMENTED_DEADLINE)));
    }
    out
}

fn chopped(profile: Profile, opcode: OpCode, group: u8) -> Vec<Case> {
    let size = scaled(profile, CHOPPED_MESSAGE);
    let mut out = Vec::new();
    for (i, &chop) in CHOP_SIZES.iter().enumerate() {
        let title = format!(
            "{} message of {} in one frame, written in TCP chops of {chop} B",
            kind(opcode),
            human(size)
        );
        let case = Case::frames(id(group, i), title, "5.2", Q_LENGTH_64, move || {
            vec![send_generated(
                opcode,
                pattern(opcode),
                size as u64,
                0,
                Delivery::Chops(chop),
            )]
        });
        out.push(case.deadline(Duration::from_secs(CHOPPED_DEADLINE)));
    }
    out
}

fn round_trips(profile: Profile, opcode: OpCode, group: u8) -> Vec<Case> {
    let count = round_trip_count(profile);
    let fill = if opcode == OpCode::TEXT { b'*' } else { 0xFE };
    let mut out = Vec::new();
    for (i, &(size, secs)) in ROUND_TRIPS.iter().enumerate() {
        let title = format!(
            "{count} sequential round trips of {} messages of {size} B",
            kind(opcode).to_lowercase()
        );
        let case = Case::frames(id(group, i), title, "5.1", Q_DATA_ANY_TIME, move || {
            let payload = Bytes::from(vec![fill; size]);
            (0..count)
                .flat_map(|_| {
                    let frame = Frame::new(opcode, payload.clone());
                    [send(vec![frame]), Step::AwaitEvents]
                })
                .collect()
        });
        out.push(case.deadline(Duration::from_secs(secs)));
    }
    out
}

/// Autobahn's pattern for the opcode (repeated to the message's size).
fn pattern(opcode: OpCode) -> &'static [u8] {
    if opcode == OpCode::TEXT {
        TEXT_PATTERN
    } else {
        BINARY_PATTERN
    }
}

fn id(group: u8, index: usize) -> String {
    format!("9.{group}.{}", index + 1)
}

fn kind(opcode: OpCode) -> &'static str {
    if opcode == OpCode::TEXT {
        "Text"
    } else {
        "Binary"
    }
}

fn human(size: usize) -> String {
    match size {
        s if s >= MIB && s % MIB == 0 => format!("{} MiB", s / MIB),
        s if s >= KIB && s % KIB == 0 => format!("{} KiB", s / KIB),
        s => format!("{s} B"),
    }
}
