//! What a session needs to know before it starts: the tester's role, the
//! opening request (when the tester is the client), and its limits.

use std::time::Duration;

use super::observe::Observed;
use crate::codec::Role;
pub use crate::model::Declared;
use crate::results::Verdict;

/// Where and how to connect, and the limits of a session.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// The tester's role: `Client` tests a server (and performs the opening
    /// handshake), `Server` tests a client (the handshake is already done).
    pub role: Role,
    /// `Host` header value (`host[:port]`); the client role only.
    pub host: String,
    /// Request path with query; the client role only.
    pub path: String,
    /// `Origin` header, if any.
    pub origin: Option<String>,
    /// Subprotocols to offer.
    pub subprotocols: Vec<String>,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Seed of the case's keys.
    pub seed: u64,
    /// Largest peer message the session buffers.
    pub max_message: u64,
    /// How long the opening handshake may take.
    pub handshake_timeout: Duration,
    /// How long the closing handshake and the TCP close may take.
    pub close_timeout: Duration,
    /// Multiplies every case deadline (slow peers, debug builds).
    pub deadline_factor: f64,
    /// What the user declared the peer accepts (refusals below it fail).
    pub declared: Declared,
    /// Added to every case deadline: a margin for the round trip measured
    /// before the run (the runner sets it).
    pub rtt_margin: Duration,
    /// A wait between the 101 and the case's first byte (the confirming
    /// rerun of a 1012/1013 suspect; zero otherwise).
    pub opening_pause: Duration,
    /// The tester as server: the permessage-deflate agreement its 101
    /// accepted (`None` when it accepted none). As client the session
    /// negotiates its own, from the case's offers.
    pub deflate: Option<crate::codec::deflate::Agreement>,
}

/// The closing handshake's own deadline (times `deadline_factor`).
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(3);

impl SessionConfig {
    /// The tester as client of the server at `host` and `path`.
    pub fn new(host: impl Into<String>, path: impl Into<String>) -> SessionConfig {
        SessionConfig {
            role: Role::Client,
            host: host.into(),
            path: path.into(),
            origin: None,
            subprotocols: Vec::new(),
            headers: Vec::new(),
            seed: 0,
            max_message: 128 << 20,
            handshake_timeout: Duration::from_secs(5),
            // Measured from the tester's Close: a conforming endpoint answers
            // at once, and a busy one (a Python server echoing megabytes for
            // other connections stalls ~1 s) still gets its reply in.
            close_timeout: CLOSE_TIMEOUT,
            deadline_factor: 1.0,
            declared: Declared::default(),
            rtt_margin: Duration::ZERO,
            opening_pause: Duration::ZERO,
            deflate: None,
        }
    }

    /// The tester as server of a client whose handshake it has accepted.
    pub fn accepted() -> SessionConfig {
        SessionConfig {
            role: Role::Server,
            max_message: 64 << 20,
            ..SessionConfig::new("", "")
        }
    }

    /// The multiplied deadline factor, never zero.
    pub(super) fn factor(&self) -> f64 {
        self.deadline_factor.max(0.01)
    }
}

/// How a session ended.
#[derive(Clone, Debug)]
pub enum SessionEnd {
    /// The case was judged.
    Judged(Verdict, Box<Observed>),
    /// The server shed load (1013/1012 or HTTP 503) before the case did
    /// anything wrong: back off and retry; never a conformance failure.
    Throttled {
        /// The close code or HTTP status.
        code: u16,
        /// When it arrived, in milliseconds since the case started.
        at_ms: u64,
        /// Case bytes the tester had written by then.
        bytes_written: u64,
    },
}
