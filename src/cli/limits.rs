//! `--max-message-size` / `--max-frame-size`: what the user declares the
//! endpoint under test accepts, shared by `conform` and `serve`.

use clap::Args;

use crate::session::Declared;

/// Declared limits of the endpoint under test.
#[derive(Clone, Copy, Debug, Default, Args)]
pub struct LimitArgs {
    /// The endpoint accepts messages up to BYTES: refusing one at or below
    /// it (1009, 1008 or a TCP drop) is FAIL instead of NON-STRICT server-limit
    #[arg(long, value_name = "BYTES")]
    pub max_message_size: Option<u64>,
    /// The endpoint accepts frames up to BYTES (default: the message size)
    #[arg(long, value_name = "BYTES")]
    pub max_frame_size: Option<u64>,
}

impl LimitArgs {
    /// The declared limits.
    pub fn declared(&self) -> Declared {
        Declared {
            max_message: self.max_message_size,
            max_frame: self.max_frame_size,
        }
    }
}
