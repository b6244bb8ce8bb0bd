//! The outcome vocabulary: one combined verdict per case, never behaviour and
//! close judged apart.

use serde::{Deserialize, Serialize};

/// The combined outcome of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Outcome {
    /// Did exactly what a conforming endpoint must.
    #[serde(rename = "PASS")]
    Pass,
    /// Allowed by a SHOULD of the RFC or by Autobahn's tolerance, not the
    /// preferred behaviour (TCP drop instead of a Close, no fail-fast).
    #[serde(rename = "NON-STRICT")]
    NonStrict,
    /// Recorded, not judged.
    #[serde(rename = "INFORMATIONAL")]
    Informational,
    /// The endpoint does not implement what the case needs.
    #[serde(rename = "UNIMPLEMENTED")]
    Unimplemented,
    /// Broke a requirement.
    #[serde(rename = "FAIL")]
    Fail,
    /// The tool could not run the case.
    #[serde(rename = "ERROR")]
    Error,
}

impl Outcome {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::NonStrict => "NON-STRICT",
            Outcome::Informational => "INFORMATIONAL",
            Outcome::Unimplemented => "UNIMPLEMENTED",
            Outcome::Fail => "FAIL",
            Outcome::Error => "ERROR",
        }
    }

    /// Parses a report name.
    pub fn parse(s: &str) -> Option<Outcome> {
        Some(match s {
            "PASS" => Outcome::Pass,
            "NON-STRICT" => Outcome::NonStrict,
            "INFORMATIONAL" => Outcome::Informational,
            "UNIMPLEMENTED" => Outcome::Unimplemented,
            "FAIL" => Outcome::Fail,
            "ERROR" => Outcome::Error,
            _ => return None,
        })
    }

    /// Whether this outcome fails a run (`strict`: NON-STRICT counts as failure).
    pub fn fails_run(self, strict: bool) -> bool {
        matches!(self, Outcome::Fail) || (strict && self == Outcome::NonStrict)
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a case is not PASS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Closed with a code the requirement does not allow.
    WrongCloseCode,
    /// Never sent the Close it owed.
    NoClose,
    /// The case deadline passed before the outcome was known.
    Timeout,
    /// A message or pong differed from what was owed.
    EchoMismatch,
    /// Sent a frame or message that was not owed (or out of order).
    UnexpectedFrame,
    /// Closed TCP without a Close frame where one was owed, or kept TCP open
    /// after the closing handshake.
    Unclean,
    /// The server stopped accepting connections.
    ServerDied,
    /// A frame the server sent breaks the rules for a server.
    InvalidServerFrame,
    /// A frame the client sends breaks the rules for a client (unmasked,
    /// a masking key reused within the connection, …).
    InvalidClientFrame,
    /// The opening handshake was refused or invalid where it must succeed,
    /// or accepted where it must be refused.
    Handshake,
    /// Closed TCP without a Close frame where failing was owed (non-strict).
    DroppedWithoutClose,
    /// Failed the connection only at the end of the message, not at the
    /// first invalid byte (non-strict).
    NoFailFast,
    /// Events owed before the violation were missing (non-strict).
    MissingEventsBeforeFailure,
    /// Answered only the latest of several pings (RFC 6455 §5.5.3 MAY; non-strict).
    PongsCoalesced,
    /// Refused a frame or message for its size, with 1009/1008 or a TCP drop,
    /// where no declared limit says it accepts that size (RFC 6455 §10.4;
    /// non-strict).
    ServerLimit,
    /// Delivered a deflate bomb's inflated message above the limit the user
    /// declared (FAIL), or of 1 GiB or more with none declared (non-strict):
    /// its limit, if any, is not applied to the inflated size.
    InflateUnbounded,
    /// The server kept shedding load (1013/1012) through every retry.
    ServerOverloaded,
    /// The tool could not connect or talk to the server.
    Connection,
}

impl Reason {
    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::WrongCloseCode => "wrong-close-code",
            Reason::NoClose => "no-close",
            Reason::Timeout => "timeout",
            Reason::EchoMismatch => "echo-mismatch",
            Reason::UnexpectedFrame => "unexpected-frame",
            Reason::Unclean => "unclean",
            Reason::ServerDied => "server-died",
            Reason::InvalidServerFrame => "invalid-server-frame",
            Reason::InvalidClientFrame => "invalid-client-frame",
            Reason::Handshake => "handshake",
            Reason::DroppedWithoutClose => "dropped-without-close",
            Reason::NoFailFast => "no-fail-fast",
            Reason::MissingEventsBeforeFailure => "missing-events-before-failure",
            Reason::PongsCoalesced => "pongs-coalesced",
            Reason::ServerLimit => "server-limit",
            Reason::InflateUnbounded => "inflate-unbounded",
            Reason::ServerOverloaded => "server-overloaded",
            Reason::Connection => "connection",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A case's verdict: outcome, reason, and requirement / expected / actual.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The combined outcome.
    pub outcome: Outcome,
    /// Why it is not PASS.
    pub reason: Option<Reason>,
    /// What a conforming endpoint does, in words.
    pub expected: String,
    /// What this one did, in words.
    pub actual: String,
    /// The close code the server sent, if any.
    pub close_code: Option<u16>,
}

impl Verdict {
    /// A verdict with no close code.
    pub fn new(
        outcome: Outcome,
        reason: Option<Reason>,
        expected: String,
        actual: String,
    ) -> Verdict {
        Verdict {
            outcome,
            reason,
            expected,
            actual,
            close_code: None,
        }
    }

    /// An ERROR verdict: the tool could not run the case.
    pub fn error(reason: Reason, detail: impl Into<String>) -> Verdict {
        Verdict::new(Outcome::Error, Some(reason), String::new(), detail.into())
    }
}
