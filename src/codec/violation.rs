//! One variant per MUST of RFC 6455 §5, §7 and §8.1 that a single endpoint's
//! frame stream can break, each with its section, the quoted requirement and
//! the close code a receiver owes for it.

use super::close_code::CloseCode;
use super::opcode::OpCode;

/// A broken framing rule, named after what the *sender* did.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Violation {
    /// RSV bits set without a negotiated extension (§5.2).
    ReservedBits {
        /// The RSV bits as a 3-bit number.
        rsv: u8,
    },
    /// Opcode 0x3–0x7 or 0xB–0xF (§5.2).
    ReservedOpcode {
        /// The reserved opcode.
        opcode: OpCode,
    },
    /// A 64-bit payload length with the most significant bit set (§5.2).
    LengthMsbSet {
        /// The declared length.
        len: u64,
    },
    /// A length not written in the fewest bytes (§5.2). A sender-side rule:
    /// the RFC gives the receiver no duty to fail on it.
    NonMinimalLength {
        /// The declared length.
        len: u64,
        /// The form used (16 or 64).
        form: u8,
    },
    /// A client frame without the MASK bit (§5.1).
    UnmaskedClientFrame,
    /// A server frame with the MASK bit (§5.1).
    MaskedServerFrame,
    /// A control frame with more than 125 bytes of payload (§5.5).
    ControlFrameTooLong {
        /// The control opcode.
        opcode: OpCode,
        /// Its declared length.
        len: u64,
    },
    /// A control frame with FIN clear (§5.5).
    FragmentedControlFrame {
        /// The control opcode.
        opcode: OpCode,
    },
    /// A continuation frame with no message to continue (§5.4).
    UnexpectedContinuation,
    /// A new text or binary frame while a fragmented message is open (§5.4).
    ExpectedContinuation {
        /// The data opcode that arrived instead of a continuation.
        opcode: OpCode,
    },
    /// A text message that is not valid UTF-8 (§8.1, §5.6).
    InvalidUtf8 {
        /// Offset in the message of the first byte that cannot be valid.
        position: u64,
    },
    /// A Close body of exactly one byte (§5.5.1).
    CloseBodyTooShort,
    /// A Close status code that must not be sent (§7.4.1, §7.4.2).
    InvalidCloseCode {
        /// The code.
        code: CloseCode,
    },
    /// A Close reason that is not valid UTF-8 (§5.5.1, §8.1).
    InvalidCloseReason {
        /// Offset in the reason of the first byte that cannot be valid.
        position: u64,
    },
    /// A data frame after the sender's own Close (§5.5.1).
    DataAfterClose {
        /// The data opcode sent after Close.
        opcode: OpCode,
    },
    /// A message larger than the receiver accepts (§7.4.1, code 1009).
    MessageTooBig {
        /// Bytes of the message so far.
        size: u64,
        /// The receiver's limit.
        limit: u64,
    },
    /// RSV1, permessage-deflate's "Per-Message Compressed" bit, on a control
    /// frame or a continuation (RFC 7692 §6.1).
    CompressedBitMisplaced {
        /// The frame's opcode.
        opcode: OpCode,
    },
    /// A compressed message that does not inflate as agreed: a malformed
    /// DEFLATE stream, a distance beyond the agreed window or into a
    /// previous message after no_context_takeover (RFC 7692 §6.2, §7.2.2).
    BadCompressedData {
        /// What the inflater found.
        detail: String,
        /// The data ends inside a block: strict receivers fail, zlib-based
        /// ones deliver what inflated so far.
        truncated: bool,
    },
    /// A compressed message whose own bytes end in a form the compression
    /// algorithm of RFC 7692 §7.2.1 does not produce — a final block with
    /// nothing after it, or the `00 00 ff ff` not removed — so the appended
    /// tail is no complete block. Receivers that stop at the end of the
    /// DEFLATE stream or of the input inflate it whole; strict ones fail.
    CompressedTailForm {
        /// What the inflater found.
        detail: String,
    },
}

impl Violation {
    /// Short kebab-case name of the rule.
    pub fn rule(&self) -> &'static str {
        match self {
            Violation::ReservedBits { .. } => "reserved-bits",
            Violation::ReservedOpcode { .. } => "reserved-opcode",
            Violation::LengthMsbSet { .. } => "length-msb-set",
            Violation::NonMinimalLength { .. } => "non-minimal-length",
            Violation::UnmaskedClientFrame => "unmasked-client-frame",
            Violation::MaskedServerFrame => "masked-server-frame",
            Violation::ControlFrameTooLong { .. } => "control-frame-too-long",
            Violation::FragmentedControlFrame { .. } => "fragmented-control-frame",
            Violation::UnexpectedContinuation => "unexpected-continuation",
            Violation::ExpectedContinuation { .. } => "expected-continuation",
            Violation::InvalidUtf8 { .. } => "invalid-utf8",
            Violation::CloseBodyTooShort => "close-body-too-short",
            Violation::InvalidCloseCode { .. } => "invalid-close-code",
            Violation::InvalidCloseReason { .. } => "invalid-close-reason",
            Violation::DataAfterClose { .. } => "data-after-close",
            Violation::MessageTooBig { .. } => "message-too-big",
            Violation::CompressedBitMisplaced { .. } => "compressed-bit-misplaced",
            Violation::BadCompressedData { .. } => "bad-compressed-data",
            Violation::CompressedTailForm { .. } => "compressed-tail-form",
        }
    }

    /// The RFC 6455 section that states the rule.
    pub fn section(&self) -> &'static str {
        match self {
            Violation::ReservedBits { .. }
            | Violation::ReservedOpcode { .. }
            | Violation::LengthMsbSet { .. }
            | Violation::NonMinimalLength { .. } => "5.2",
            Violation::UnmaskedClientFrame | Violation::MaskedServerFrame => "5.1",
            Violation::ControlFrameTooLong { .. } | Violation::FragmentedControlFrame { .. } => {
                "5.5"
            }
            Violation::UnexpectedContinuation | Violation::ExpectedContinuation { .. } => "5.4",
            Violation::InvalidUtf8 { .. } => "8.1",
            Violation::CloseBodyTooShort
            | Violation::InvalidCloseReason { .. }
            | Violation::DataAfterClose { .. } => "5.5.1",
            Violation::InvalidCloseCode { code } if is_reserved_for_no_close(*code) => "7.4.1",
            Violation::InvalidCloseCode { .. } => "5.5.1",
            Violation::MessageTooBig { .. } => "7.4.1",
            Violation::CompressedBitMisplaced { .. } => "RFC 7692 §6.1",
            Violation::BadCompressedData { .. } => "RFC 7692 §6.2",
            Violation::CompressedTailForm { .. } => "RFC 7692 §7.2.1",
        }
    }

    /// The requirement, quoted from RFC 6455.
    pub fn requirement(&self) -> &'static str {
        match self {
            Violation::ReservedBits { .. } => {
                "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values. If a nonzero value is received and none of the negotiated extensions defines the meaning of such a nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_."
            }
            Violation::ReservedOpcode { .. } => {
                "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
            }
            Violation::LengthMsbSet { .. } => {
                "If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the most significant bit MUST be 0) are the payload length."
            }
            Violation::NonMinimalLength { .. } => {
                "Note that in all cases, the minimal number of bytes MUST be used to encode the length."
            }
            Violation::UnmaskedClientFrame => {
                "A client MUST mask all frames that it sends to the server. The server MUST close the connection upon receiving a frame that is not masked."
            }
            Violation::MaskedServerFrame => {
                "A server MUST NOT mask any frames that it sends to the client. A client MUST close a connection if it detects a masked frame."
            }
            Violation::ControlFrameTooLong { .. } => {
                "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
            }
            Violation::FragmentedControlFrame { .. } => {
                "Control frames themselves MUST NOT be fragmented."
            }
            Violation::UnexpectedContinuation | Violation::ExpectedContinuation { .. } => {
                "A fragmented message consists of a single frame with the FIN bit clear and an opcode other than 0, followed by zero or more frames with the FIN bit clear and the opcode set to 0, and terminated by a single frame with the FIN bit set and an opcode of 0. The fragments of one message MUST NOT be interleaved between the fragments of another message unless an extension has been negotiated that can interpret the interleaving."
            }
            Violation::InvalidUtf8 { .. } => {
                "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_."
            }
            Violation::CloseBodyTooShort => {
                "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer (in network byte order) representing a status code with value /code/ defined in Section 7.4."
            }
            Violation::InvalidCloseCode { code } if is_reserved_for_no_close(*code) => {
                "1005 is a reserved value and MUST NOT be set as a status code in a Close control frame by an endpoint (likewise 1006 and 1015)."
            }
            Violation::InvalidCloseCode { .. } => {
                "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer (in network byte order) representing a status code with value /code/ defined in Section 7.4."
            }
            Violation::InvalidCloseReason { .. } => {
                "Following the 2-byte integer, the body MAY contain UTF-8-encoded data with value /reason/; an endpoint that finds a byte stream it interprets as UTF-8 invalid MUST _Fail the WebSocket Connection_ (§8.1)."
            }
            Violation::DataAfterClose { .. } => {
                "The application MUST NOT send any more data frames after sending a Close frame."
            }
            Violation::MessageTooBig { .. } => {
                "1009 indicates that an endpoint is terminating the connection because it has received a message that is too big for it to process."
            }
            Violation::CompressedBitMisplaced { .. } => {
                "An endpoint MUST NOT set the \"Per-Message Compressed\" bit of control frames and non-first fragments of a data message. An endpoint receiving such a frame MUST _Fail the WebSocket Connection_."
            }
            Violation::BadCompressedData { .. } => {
                "An endpoint uses the following algorithm to decompress a message: Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the message. Decompress the resulting data using DEFLATE."
            }
            Violation::CompressedTailForm { .. } => {
                "If the resulting data does not end with an empty DEFLATE block with no compression (the \"BTYPE\" bits are set to 00), append an empty DEFLATE block with no compression to the tail end. Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end."
            }
        }
    }

    /// The close code the receiving endpoint owes.
    pub fn close_code(&self) -> CloseCode {
        match self {
            Violation::InvalidUtf8 { .. } | Violation::InvalidCloseReason { .. } => {
                CloseCode::INVALID_PAYLOAD
            }
            Violation::MessageTooBig { .. } => CloseCode::MESSAGE_TOO_BIG,
            _ => CloseCode::PROTOCOL_ERROR,
        }
    }

    /// Every close code that is a correct answer (the first is the preferred one).
    /// A bad Close reason may be answered 1007 or 1002; a too-big message 1009 or 1008.
    pub fn accepted_close_codes(&self) -> &'static [CloseCode] {
        match self {
            Violation::InvalidUtf8 { .. } => &[CloseCode::INVALID_PAYLOAD],
            Violation::InvalidCloseReason { .. } => {
                &[CloseCode::INVALID_PAYLOAD, CloseCode::PROTOCOL_ERROR]
            }
            Violation::MessageTooBig { .. } => {
                &[CloseCode::MESSAGE_TOO_BIG, CloseCode::POLICY_VIOLATION]
            }
            // The RFC names no code for data that does not inflate: 1007
            // (inconsistent data) and 1002 (protocol error) both fit; 1002
            // is the one the tester itself sends.
            Violation::BadCompressedData { .. } | Violation::CompressedTailForm { .. } => {
                &[CloseCode::PROTOCOL_ERROR, CloseCode::INVALID_PAYLOAD]
            }
            _ => &[CloseCode::PROTOCOL_ERROR],
        }
    }

    /// True for sender-side rules the RFC gives the receiver no duty to
    /// enforce: a receiver may accept the frame and carry on.
    pub fn receiver_may_tolerate(&self) -> bool {
        matches!(
            self,
            Violation::NonMinimalLength { .. }
                | Violation::DataAfterClose { .. }
                | Violation::CompressedTailForm { .. }
        )
    }
}

impl From<Violation> for CloseCode {
    fn from(v: Violation) -> CloseCode {
        v.close_code()
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let section = self.section();
        if section.starts_with("RFC ") {
            write!(f, "{} ({section})", self.rule())?;
        } else {
            write!(f, "{} (RFC 6455 §{section})", self.rule())?;
        }
        match self {
            Violation::ReservedBits { rsv } => write!(f, ": RSV={rsv}"),
            Violation::ReservedOpcode { opcode } => write!(f, ": opcode {opcode}"),
            Violation::LengthMsbSet { len } => write!(f, ": length {len:#x}"),
            Violation::NonMinimalLength { len, form } => write!(f, ": {len} in {form}-bit form"),
            Violation::ControlFrameTooLong { opcode, len } => {
                write!(f, ": {opcode} of {len} bytes")
            }
            Violation::FragmentedControlFrame { opcode } => write!(f, ": {opcode} with FIN=0"),
            Violation::ExpectedContinuation { opcode } => write!(f, ": {opcode} inside a message"),
            Violation::InvalidUtf8 { position } => write!(f, ": at byte {position}"),
            Violation::InvalidCloseCode { code } => write!(f, ": {code}"),
            Violation::InvalidCloseReason { position } => write!(f, ": at reason byte {position}"),
            Violation::DataAfterClose { opcode } => write!(f, ": {opcode}"),
            Violation::MessageTooBig { size, limit } => write!(f, ": {size} > {limit} bytes"),
            Violation::CompressedBitMisplaced { opcode } => write!(f, ": RSV1 on {opcode}"),
            Violation::BadCompressedData { detail, .. } => write!(f, ": {detail}"),
            Violation::CompressedTailForm { detail } => write!(f, ": {detail}"),
            _ => Ok(()),
        }
    }
}

/// 1005, 1006 and 1015: codes §7.4.1 defines and forbids in a Close frame
/// ("MUST NOT be set as a status code in a Close control frame"). Every
/// other unsendable code (0–999, unassigned 1xxx, 1016–2999, 5000 and up)
/// is simply not a code "defined in Section 7.4" (§5.5.1).
fn is_reserved_for_no_close(code: CloseCode) -> bool {
    matches!(code.0, 1005 | 1006 | 1015)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_close_code_quotes_the_must_it_breaks() {
        for code in [0, 999, 1004, 1016, 2999, 5000, 65535] {
            let v = Violation::InvalidCloseCode {
                code: CloseCode(code),
            };
            assert_eq!(v.section(), "5.5.1", "{code}");
            assert!(v.requirement().contains("defined in Section 7.4"), "{code}");
        }
        for code in [1005, 1006, 1015] {
            let v = Violation::InvalidCloseCode {
                code: CloseCode(code),
            };
            assert_eq!(v.section(), "7.4.1", "{code}");
            assert!(v.requirement().contains("MUST NOT be set"), "{code}");
        }
    }
}
