//! Every bound of a session, in one place: what a hostile or flooding peer
//! can make the tester record or answer is capped here, for both roles.

/// Frames kept in the wire log (both directions).
pub const WIRE_LOG_LIMIT: usize = 400;
/// Payload bytes kept per frame in the wire log.
pub const WIRE_PAYLOAD_HEAD: usize = 64;
/// Peer pings answered; later ones are counted, not answered.
pub const PING_ANSWER_LIMIT: usize = 1000;
/// Masking keys of peer frames kept (for reuse checks and statistics).
pub const KEY_LIMIT: usize = 4096;
/// Events beyond those owed after which the session stops reading.
pub const EXTRA_EVENTS: usize = 64;
/// Events a finished case keeps once its verdict and result record are
/// made (a run keeps every case until its reports are written).
pub const RETAINED_EVENTS: usize = 64;
/// Rule violations of peer frames kept.
pub const INVALID_LIMIT: usize = 16;
/// Largest opening-handshake response read.
pub const HANDSHAKE_CAP: usize = 64 << 10;
