//! Close status codes (RFC 6455 §7.4 and the IANA "WebSocket Close Code
//! Number Registry"): an open newtype so that any 16-bit value can be sent,
//! received and judged.

use std::fmt;

/// A close status code as carried in the first two bytes of a Close payload.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CloseCode(pub u16);

/// Where a code sits in the code space of RFC 6455 §7.4.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseCodeClass {
    /// 0–999: "not used"; never valid in a Close frame.
    Unused,
    /// A registered code that may be sent in a Close frame (1000–1003, 1007–1014).
    Registered,
    /// 1004, 1005, 1006, 1015 and the unassigned 1016–2999: reserved for the
    /// protocol and not valid in a Close frame.
    Reserved,
    /// 3000–3999: registered by libraries and frameworks.
    Library,
    /// 4000–4999: private use by applications.
    Private,
    /// 5000 and above: outside every range the RFC defines.
    Undefined,
}

impl CloseCode {
    /// Normal closure.
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// Going away (server shutdown, browser navigating away).
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// Protocol error.
    pub const PROTOCOL_ERROR: CloseCode = CloseCode(1002);
    /// Data type the endpoint cannot accept.
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode(1003);
    /// Reserved; no meaning is defined.
    pub const RESERVED: CloseCode = CloseCode(1004);
    /// No status code was present (MUST NOT be sent).
    pub const NO_STATUS: CloseCode = CloseCode(1005);
    /// Connection closed abnormally, without a Close frame (MUST NOT be sent).
    pub const ABNORMAL: CloseCode = CloseCode(1006);
    /// Data in a message not consistent with its type (e.g. non-UTF-8 text).
    pub const INVALID_PAYLOAD: CloseCode = CloseCode(1007);
    /// A message violates the endpoint's policy.
    pub const POLICY_VIOLATION: CloseCode = CloseCode(1008);
    /// A message is too big to process.
    pub const MESSAGE_TOO_BIG: CloseCode = CloseCode(1009);
    /// The client expected an extension the server did not negotiate.
    pub const MANDATORY_EXTENSION: CloseCode = CloseCode(1010);
    /// The server met an unexpected condition (internal error).
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// Service restart (IANA registry).
    pub const SERVICE_RESTART: CloseCode = CloseCode(1012);
    /// Try again later: the server is overloaded (IANA registry).
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);
    /// Bad gateway (IANA registry).
    pub const BAD_GATEWAY: CloseCode = CloseCode(1014);
    /// TLS handshake failure (MUST NOT be sent).
    pub const TLS_HANDSHAKE: CloseCode = CloseCode(1015);

    /// The registered name of the code, if it has one.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            1000 => "Normal Closure",
            1001 => "Going Away",
            1002 => "Protocol Error",
            1003 => "Unsupported Data",
            1004 => "Reserved",
            1005 => "No Status Received",
            1006 => "Abnormal Closure",
            1007 => "Invalid Frame Payload Data",
            1008 => "Policy Violation",
            1009 => "Message Too Big",
            1010 => "Mandatory Extension",
            1011 => "Internal Error",
            1012 => "Service Restart",
            1013 => "Try Again Later",
            1014 => "Bad Gateway",
            1015 => "TLS Handshake",
            _ => return None,
        })
    }

    /// The range of RFC 6455 §7.4.2 the code falls in.
    pub fn class(self) -> CloseCodeClass {
        match self.0 {
            0..=999 => CloseCodeClass::Unused,
            1000..=1003 | 1007..=1014 => CloseCodeClass::Registered,
            1004..=1006 | 1015..=2999 => CloseCodeClass::Reserved,
            3000..=3999 => CloseCodeClass::Library,
            4000..=4999 => CloseCodeClass::Private,
            _ => CloseCodeClass::Undefined,
        }
    }

    /// Whether an endpoint may put this code in a Close frame.
    ///
    /// RFC 6455 §7.4.1: 1005, 1006 and 1015 "MUST NOT be set as a status code
    /// in a Close control frame by an endpoint"; §7.4.2 reserves 0–999 and
    /// the unassigned part of 1000–2999. 1012–1014 are registered with IANA
    /// after the RFC and are valid. Codes from 5000 up are outside every
    /// defined range and are not valid either.
    pub fn is_sendable(self) -> bool {
        matches!(
            self.class(),
            CloseCodeClass::Registered | CloseCodeClass::Library | CloseCodeClass::Private
        )
    }
}

impl fmt::Debug for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{} ({n})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sendable_codes_match_autobahn_sections_7_7_and_7_9() {
        // Autobahn 7.7.x: valid codes that must be accepted.
        for c in [
            1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
        ] {
            assert!(CloseCode(c).is_sendable(), "{c}");
        }
        // Autobahn 7.9.x: invalid codes that must be answered with 1002.
        for c in [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999] {
            assert!(!CloseCode(c).is_sendable(), "{c}");
        }
        // IANA additions after the RFC.
        for c in [1012, 1013, 1014] {
            assert!(CloseCode(c).is_sendable(), "{c}");
        }
        assert!(!CloseCode::TLS_HANDSHAKE.is_sendable());
        assert_eq!(CloseCode(5000).class(), CloseCodeClass::Undefined);
        assert!(!CloseCode(65535).is_sendable());
    }

    #[test]
    fn display_names_registered_codes() {
        assert_eq!(CloseCode(1013).to_string(), "1013 (Try Again Later)");
        assert_eq!(CloseCode(4001).to_string(), "4001");
    }
}
