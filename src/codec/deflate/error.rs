//! Why a compressed message does not inflate, or inflates to something the
//! receiver must refuse. Every `at` is a byte offset into the message's
//! compressed bytes (the frame payloads concatenated, then the 4-byte tail
//! RFC 7692 §7.2.2 appends): the byte holding the first bit of what failed.

/// A compressed message the receiver must fail.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeflateError {
    /// `BTYPE` 3: "11 - reserved (error)" (RFC 1951 §3.2.3).
    #[error("reserved block type 3 at byte {at}")]
    ReservedBlockType {
        /// Offset of the block header.
        at: u64,
    },
    /// A stored block whose `NLEN` is not the one's complement of `LEN`.
    #[error("stored block at byte {at}: LEN {len:#06x} but NLEN {nlen:#06x}")]
    StoredLengthMismatch {
        /// Offset of the block header.
        at: u64,
        /// `LEN`.
        len: u16,
        /// `NLEN`.
        nlen: u16,
    },
    /// A dynamic header announcing more than 286 literal/length or 30
    /// distance codes.
    #[error(
        "dynamic block at byte {at} announces {litlen} literal/length and {dist} distance codes"
    )]
    TooManyCodes {
        /// Offset of the block header.
        at: u64,
        /// HLIT + 257.
        litlen: u16,
        /// HDIST + 1.
        dist: u16,
    },
    /// The code length code of a dynamic header is over-subscribed or incomplete.
    #[error("dynamic block at byte {at}: invalid code length code")]
    BadCodeLengthCode {
        /// Offset of the block header.
        at: u64,
    },
    /// A repeat code (16, 17, 18) with nothing to repeat or running past the
    /// announced number of lengths.
    #[error("dynamic block at byte {at}: invalid code length repeat")]
    BadLengthRepeat {
        /// Offset of the block header.
        at: u64,
    },
    /// A dynamic literal/length code without the end-of-block symbol.
    #[error("dynamic block at byte {at} has no end-of-block code")]
    MissingEndOfBlock {
        /// Offset of the block header.
        at: u64,
    },
    /// The literal/length code of a dynamic header is over-subscribed or incomplete.
    #[error("dynamic block at byte {at}: invalid literal/length code")]
    BadLiteralLengthCode {
        /// Offset of the block header.
        at: u64,
    },
    /// The distance code of a dynamic header is over-subscribed or incomplete.
    #[error("dynamic block at byte {at}: invalid distance code")]
    BadDistanceCode {
        /// Offset of the block header.
        at: u64,
    },
    /// Bits that are no literal/length code, or the meaningless symbols 286
    /// and 287 of the fixed code.
    #[error("invalid literal/length symbol at byte {at}")]
    InvalidLiteralLength {
        /// Offset of the symbol.
        at: u64,
    },
    /// Bits that are no distance code, or the meaningless distance symbols
    /// 30 and 31.
    #[error("invalid distance symbol at byte {at}")]
    InvalidDistance {
        /// Offset of the length symbol.
        at: u64,
    },
    /// A back-reference to before the data the receiver holds: before the
    /// connection's first byte, or before this message's first byte when
    /// the context is reset per message.
    #[error(
        "distance {distance} at byte {at} reaches before the {available} bytes of history{}",
        if *into_previous_message { " (into the previous message)" } else { "" }
    )]
    DistanceTooFarBack {
        /// Offset of the length symbol.
        at: u64,
        /// The distance.
        distance: u32,
        /// Bytes of history the receiver holds.
        available: u64,
        /// The bytes exist in an earlier message, so the stream would inflate
        /// with context takeover: the sender broke a `*_no_context_takeover`
        /// it agreed to.
        into_previous_message: bool,
    },
    /// A back-reference farther than the agreed LZ77 window (`2^window_bits`).
    /// A distance both beyond the window and before the history is reported
    /// as this: the agreement is the rule it breaks first.
    #[error("distance {distance} at byte {at} is beyond the agreed window of 2^{window_bits}")]
    DistanceBeyondWindow {
        /// Offset of the length symbol.
        at: u64,
        /// The distance.
        distance: u32,
        /// The agreed window bits.
        window_bits: u8,
    },
    /// The input ends inside a block, even with the tail appended.
    #[error("the compressed data ends inside a block at byte {at}")]
    Truncated {
        /// Offset of the unit that could not be completed.
        at: u64,
    },
    /// The message's own bytes end exactly with a `BFINAL` block, so the
    /// appended `00 00 ff ff` starts a stored block it cannot complete
    /// (RFC 7692 §7.2.3.4 shows the `0x00` a sender adds to avoid this).
    /// Receivers that stop at the end of the DEFLATE stream accept it.
    #[error("the message ends with a final block at byte {at}; the appended tail is no block")]
    EndsWithFinalBlock {
        /// Offset where the final block's padded bytes end.
        at: u64,
    },
    /// The message's own bytes end with an empty stored block, `00 00 ff ff`
    /// included: the sender did not remove it (RFC 7692 §7.2.1: "Remove 4
    /// octets (that are 0x00 0x00 0xff 0xff) from the tail end"), so the
    /// appended copy starts a stored block it cannot complete. Receivers that
    /// stop when the input runs out accept it.
    #[error("the message ends with 00 00 ff ff at byte {at}: the tail was not removed")]
    UnstrippedTail {
        /// Offset where the sender's empty stored block ends.
        at: u64,
    },
    /// The inflated message exceeds the receiver's limit.
    #[error("the message inflates past {limit} bytes by compressed byte {at}")]
    TooBig {
        /// The limit in inflated bytes.
        limit: u64,
        /// Offset of the unit that would have crossed it.
        at: u64,
    },
    /// zlib and this crate's auditor disagree about the stream: a bug here,
    /// never a verdict on the peer.
    #[error("internal inflate disagreement: {0}")]
    Internal(String),
}

impl DeflateError {
    /// The offset the error names.
    pub fn at(&self) -> Option<u64> {
        use DeflateError as E;
        match self {
            E::ReservedBlockType { at }
            | E::StoredLengthMismatch { at, .. }
            | E::TooManyCodes { at, .. }
            | E::BadCodeLengthCode { at }
            | E::BadLengthRepeat { at }
            | E::MissingEndOfBlock { at }
            | E::BadLiteralLengthCode { at }
            | E::BadDistanceCode { at }
            | E::InvalidLiteralLength { at }
            | E::InvalidDistance { at }
            | E::DistanceTooFarBack { at, .. }
            | E::DistanceBeyondWindow { at, .. }
            | E::Truncated { at }
            | E::EndsWithFinalBlock { at }
            | E::UnstrippedTail { at }
            | E::TooBig { at, .. } => Some(*at),
            E::Internal(_) => None,
        }
    }

    /// True when the message is refused for its inflated size rather than
    /// for its encoding (RFC 6455 §7.4.1: 1009, "a message that is too big
    /// for it to process").
    pub fn is_too_big(&self) -> bool {
        matches!(self, DeflateError::TooBig { .. })
    }

    /// True for a message that inflated whole but ends in a form the
    /// sender's algorithm (RFC 7692 §7.2.1) does not write: a final block
    /// with nothing after it, or `00 00 ff ff` left on. A receiver that
    /// accepts it goes on with the next message.
    pub fn is_tail_form(&self) -> bool {
        matches!(
            self,
            DeflateError::EndsWithFinalBlock { .. } | DeflateError::UnstrippedTail { .. }
        )
    }
}
