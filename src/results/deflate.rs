//! permessage-deflate in a case's result (RFC 7692): the parameters agreed
//! on the connection and how well each direction compressed.

use serde::{Deserialize, Serialize};

/// permessage-deflate on a case's connection (RFC 7692): what was agreed and
/// how well each direction compressed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeflateResult {
    /// The server declined every offer (the case is UNIMPLEMENTED).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub declined: bool,
    /// The offer the server accepted, as the extension element.
    #[serde(default)]
    pub offer: String,
    /// The agreed parameters: the server's response element.
    #[serde(default)]
    pub agreed: String,
    /// Client-to-server messages as agreed.
    pub client_to_server: Option<DeflateDirection>,
    /// Server-to-client messages as agreed.
    pub server_to_client: Option<DeflateDirection>,
    /// The tester's compressed messages.
    #[serde(default)]
    pub sent: DeflateVolume,
    /// The peer's compressed messages that inflated.
    #[serde(default)]
    pub received: DeflateVolume,
}

/// The rules one direction compresses by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeflateDirection {
    /// The LZ77 window is at most `2^window_bits` bytes.
    pub window_bits: u8,
    /// Every message starts with an empty window.
    pub no_context_takeover: bool,
}

/// Compressed messages of one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeflateVolume {
    /// Messages sent compressed.
    pub messages: u64,
    /// Their payload bytes on the wire.
    pub wire_bytes: u64,
    /// Their bytes once inflated.
    pub inflated_bytes: u64,
}

impl DeflateVolume {
    /// Wire bytes per inflated byte (0.25: a quarter of the size), if any
    /// byte was inflated.
    pub fn ratio(&self) -> Option<f64> {
        (self.inflated_bytes > 0).then(|| self.wire_bytes as f64 / self.inflated_bytes as f64)
    }

    /// `0.254 (64,001 of 251,904 B, 1000 messages)`, or `none`.
    pub fn describe(&self) -> String {
        match self.ratio() {
            None => "none".into(),
            Some(r) => format!(
                "{r:.3} ({} of {} B, {} messages)",
                self.wire_bytes, self.inflated_bytes, self.messages
            ),
        }
    }
}

impl DeflateResult {
    /// The record of a connection whose peer declined every offer.
    pub fn declined() -> DeflateResult {
        DeflateResult {
            declined: true,
            offer: String::new(),
            agreed: String::new(),
            client_to_server: None,
            server_to_client: None,
            sent: DeflateVolume::default(),
            received: DeflateVolume::default(),
        }
    }

    /// The agreement in one line: `permessage-deflate; …` or `declined`.
    pub fn describe(&self) -> String {
        if self.declined {
            return "declined".into();
        }
        let dir = |d: Option<DeflateDirection>| {
            d.map_or("?".into(), |d| {
                let ctx = if d.no_context_takeover {
                    ", no context takeover"
                } else {
                    ""
                };
                format!("window 2^{}{ctx}", d.window_bits)
            })
        };
        format!(
            "{} (client→server {}; server→client {})",
            self.agreed,
            dir(self.client_to_server),
            dir(self.server_to_client)
        )
    }
}
