//! How a close code or a refusal is graded: the rules of docs/verdicts.md
//! that are about *which* answer, not whether there was one.

use crate::codec::CloseCode;
use crate::session::config::Declared;
use crate::session::plan::Sizes;

/// The smallest message or frame a server may refuse for its size without a
/// declared limit: Autobahn's smallest "large" message (9.1.1, 64 KiB).
/// Smaller refusals are no plausible limit and fail.
pub const SIZE_FLOOR: u64 = 64 << 10;
/// The fewest fragments of one message a server may refuse as too many.
pub const FRAGMENT_FLOOR: usize = 1024;

/// How an answer's close code compares with the codes owed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeGrade {
    /// One of the owed codes.
    Owed,
    /// Another code of the "your data was bad" family (1002, 1003, 1007,
    /// 1008, 1009): RFC 6455 §7.1.7 makes the code a SHOULD ("SHOULD send a
    /// Close frame with an appropriate status code"), so NON-STRICT.
    SameFamily,
    /// A code that blames the endpoint's own state or says all is well
    /// (1000, 1001, 1011, 1012, 1013, 1014), or any other code: the peer
    /// would carry on, retry or back off. FAIL.
    Misleading,
}

/// Grades `got` against the `owed` codes of a failure.
pub fn grade_code(owed: &[CloseCode], got: CloseCode) -> CodeGrade {
    if owed.contains(&got) {
        CodeGrade::Owed
    } else if matches!(got.0, 1002 | 1003 | 1007 | 1008 | 1009) {
        CodeGrade::SameFamily
    } else {
        CodeGrade::Misleading
    }
}

/// Codes a server refuses something too big with (RFC 6455 §7.4.1: 1009
/// "a message that is too big for it to process", 1008 policy).
pub fn refuses_size(code: CloseCode) -> bool {
    matches!(code.0, 1008 | 1009)
}

/// When the case sends something a server may refuse for its size — above
/// the floor, and above what the user declared it accepts — the words for
/// what was refused. `None`: a refusal would be a failure.
///
/// RFC 6455 §10.4: "Implementations that have implementation- and/or
/// platform-specific limitations regarding the frame size or total message
/// size after reassembly from multiple frames MUST protect themselves
/// against exceeding those limits."
pub fn refusable(sizes: &Sizes, declared: &Declared) -> Option<String> {
    let message_floor = declared.max_message.unwrap_or(SIZE_FLOOR - 1);
    let frame_floor = declared
        .max_frame
        .or(declared.max_message)
        .unwrap_or(SIZE_FLOOR - 1);
    let many = declared.max_message.is_none() && sizes.fragments >= FRAGMENT_FLOOR;
    if sizes.message > message_floor || sizes.frame > frame_floor || many {
        Some(describe(sizes))
    } else {
        None
    }
}

/// "a message of N bytes in K frame(s), the largest frame F bytes".
pub fn describe(s: &Sizes) -> String {
    if s.fragments <= 1 {
        format!("a frame of {} bytes", s.frame)
    } else {
        format!(
            "a message of {} bytes in {} frames (largest frame {} bytes)",
            s.message, s.fragments, s.frame
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_grades_of_wrong_code() {
        let owed = [CloseCode::INVALID_PAYLOAD];
        assert_eq!(grade_code(&owed, CloseCode(1007)), CodeGrade::Owed);
        for c in [1002, 1003, 1008, 1009] {
            assert_eq!(
                grade_code(&owed, CloseCode(c)),
                CodeGrade::SameFamily,
                "{c}"
            );
        }
        for c in [1000, 1001, 1011, 1012, 1013, 1014, 3000, 4000] {
            assert_eq!(
                grade_code(&owed, CloseCode(c)),
                CodeGrade::Misleading,
                "{c}"
            );
        }
    }

    #[test]
    fn refusal_for_size_above_the_floor_and_the_declared_limits_only() {
        let big = Sizes {
            frame: 16 << 20,
            message: 16 << 20,
            fragments: 1,
        };
        let small = Sizes {
            frame: 125,
            message: 125,
            fragments: 1,
        };
        let none = Declared::default();
        assert!(refusable(&big, &none).is_some());
        assert!(refusable(&small, &none).is_none());
        let at = Declared {
            max_message: Some(16 << 20),
            max_frame: None,
        };
        assert!(refusable(&big, &at).is_none(), "at the declared limit");
        let below = Declared {
            max_message: Some((16 << 20) - 1),
            max_frame: None,
        };
        assert!(
            refusable(&big, &below).is_some(),
            "just above the declared limit"
        );
        let frames = Declared {
            max_message: Some(64 << 20),
            max_frame: Some(1 << 20),
        };
        assert!(
            refusable(&big, &frames).is_some(),
            "frame above the frame limit"
        );
        let chain = Sizes {
            frame: 1,
            message: 100_000,
            fragments: 100_000,
        };
        assert!(refusable(&chain, &none).is_some());
        assert!(
            refusable(&chain, &at).is_none(),
            "a declared message limit covers the chain"
        );
    }
}
