//! Frame opcodes (RFC 6455 §5.2, §11.8): an open newtype so that reserved
//! values can be represented, sent and reported.

use std::fmt;

/// A 4-bit frame opcode. Any value 0..=15 is representable; values above 15
/// cannot appear on the wire and are masked off by the encoder.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct OpCode(pub u8);

impl OpCode {
    /// `%x0` denotes a continuation frame.
    pub const CONTINUATION: OpCode = OpCode(0x0);
    /// `%x1` denotes a text frame.
    pub const TEXT: OpCode = OpCode(0x1);
    /// `%x2` denotes a binary frame.
    pub const BINARY: OpCode = OpCode(0x2);
    /// `%x8` denotes a connection close.
    pub const CLOSE: OpCode = OpCode(0x8);
    /// `%x9` denotes a ping.
    pub const PING: OpCode = OpCode(0x9);
    /// `%xA` denotes a pong.
    pub const PONG: OpCode = OpCode(0xA);

    /// Control frames are identified by opcodes where the most significant
    /// bit of the opcode is 1 (RFC 6455 §5.5).
    pub fn is_control(self) -> bool {
        self.0 & 0x8 != 0
    }

    /// `%x3-7` and `%xB-F` are reserved (RFC 6455 §5.2).
    pub fn is_reserved(self) -> bool {
        matches!(self.0 & 0xF, 0x3..=0x7 | 0xB..=0xF)
    }

    /// Text, binary or continuation: the opcodes that carry message data.
    pub fn is_data(self) -> bool {
        matches!(self.0, 0x0..=0x2)
    }

    /// The registered name, or `None` for a reserved value.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x0 => "continuation",
            0x1 => "text",
            0x2 => "binary",
            0x8 => "close",
            0x9 => "ping",
            0xA => "pong",
            _ => return None,
        })
    }
}

impl fmt::Debug for OpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for OpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "reserved(0x{:X})", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_partition_the_opcode_space() {
        for v in 0u8..16 {
            let op = OpCode(v);
            let classes = [
                op.is_data(),
                op.is_reserved(),
                op.name().is_some() && op.is_control(),
            ];
            assert_eq!(classes.iter().filter(|c| **c).count(), 1, "opcode {v:#x}");
            assert_eq!(op.is_control(), v >= 8);
        }
    }

    #[test]
    fn unknown_values_print_as_hex() {
        assert_eq!(OpCode(0xB).to_string(), "reserved(0xB)");
        assert_eq!(OpCode::PING.to_string(), "ping");
    }
}
