//! What the user declares the endpoint under test accepts.

/// Sizes the user declares the endpoint under test accepts
/// (`--max-message-size`, `--max-frame-size`). Refusing something for its
/// size is a server's right (RFC 6455 §10.4) and graded NON-STRICT
/// `server-limit`; refusing it at or below a declared size is FAIL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Declared {
    /// The largest message the peer promises to accept.
    pub max_message: Option<u64>,
    /// The largest frame the peer promises to accept.
    pub max_frame: Option<u64>,
}
