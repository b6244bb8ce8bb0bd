//! Negotiation, both sides: a server choosing among the client's offers, and
//! a client checking the server's answer against what it offered.
//!
//! RFC 7692 §5: a server declines an offer by leaving it out of the response;
//! the connection still opens. A client that gets a response breaking a rule
//! of §7 "MUST _Fail the WebSocket Connection_", and so must one that gets
//! the extension without having offered it (RFC 6455 §9.1: the client "MUST
//! NOT use them unless the server indicates that it wishes to use the
//! extension", and §4.1 fails a response naming an extension not requested).

use super::agreement::Agreement;
use super::grammar::{Extension, SyntaxError, parse_extensions};
use super::params::{DEFAULT_WINDOW_BITS, DeflateParams, EXTENSION_NAME, ParamError, Side};

/// What a server supports and prefers when it accepts an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ServerConfig {
    /// Add `server_no_context_takeover` to every response (§7.1.1.1: "A
    /// server MAY include the "server_no_context_takeover" extension parameter
    /// in an extension negotiation response even if the extension negotiation
    /// offer being accepted by the extension negotiation response didn't
    /// include" it).
    pub server_no_context_takeover: bool,
    /// Add `client_no_context_takeover` to every response (§7.1.1.2: "A
    /// server MAY include the "client_no_context_takeover" extension parameter
    /// in an extension negotiation response"). It is also added when the
    /// offer carries it as a hint.
    pub client_no_context_takeover: bool,
    /// The widest window the server compresses with.
    pub server_max_window_bits: u8,
    /// The window the server asks the client to keep to, when the offer has
    /// `client_max_window_bits`.
    pub client_max_window_bits: Option<u8>,
    /// The narrowest window the server's compressor can honour: 9 for a zlib
    /// compressor (zlib cannot compress raw DEFLATE within 256 bytes), 8 for
    /// this crate's [`Deflater`](super::Deflater).
    pub smallest_server_window_bits: u8,
}

impl Default for ServerConfig {
    /// Accepts every valid offer, adds nothing, honours window 8.
    fn default() -> Self {
        Self {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: DEFAULT_WINDOW_BITS,
            client_max_window_bits: None,
            smallest_server_window_bits: 8,
        }
    }
}

/// Why a server left one offer out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Decline {
    /// The offer breaks a rule of §7 (the server "MUST decline" it).
    #[error("invalid offer: {0}")]
    Param(#[from] ParamError),
    /// "The server doesn't support the offered configuration": a window
    /// narrower than its compressor can keep to.
    #[error("server_max_window_bits={requested} is below the {smallest} this server can honour")]
    WindowTooSmall {
        /// The offered `server_max_window_bits`.
        requested: u8,
        /// [`ServerConfig::smallest_server_window_bits`].
        smallest: u8,
    },
}

/// The server's decision over all `permessage-deflate` offers of a request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerChoice {
    /// The accepted offer: its index among the `permessage-deflate` offers,
    /// and the agreement (whose `response`, written out, is the header value).
    pub accepted: Option<(usize, Agreement)>,
    /// Each offer left out before the accepted one, with why.
    pub declined: Vec<(usize, Decline)>,
}

impl ServerChoice {
    /// The `Sec-WebSocket-Extensions` value to answer with, if any.
    pub fn response_header(&self) -> Option<String> {
        self.accepted.map(|(_, a)| a.response.to_string())
    }
}

/// The `permessage-deflate` elements of a header value.
fn deflate_elements(header: &str) -> Result<Vec<Extension>, SyntaxError> {
    let mut all = parse_extensions(header)?;
    all.retain(|e| e.name.eq_ignore_ascii_case(EXTENSION_NAME));
    Ok(all)
}

/// Server side: take the first acceptable offer of a request's
/// `Sec-WebSocket-Extensions` value, in the client's order of preference
/// (RFC 7692 §5: "It is recommended that a server accepts PMCEs with higher
/// preference if the server supports them"). Other extensions are ignored.
pub fn choose_offer(header: &str, config: &ServerConfig) -> Result<ServerChoice, SyntaxError> {
    let mut choice = ServerChoice::default();
    for (index, ext) in deflate_elements(header)?.iter().enumerate() {
        match accept(ext, config) {
            Ok(agreement) => {
                choice.accepted = Some((index, agreement));
                break;
            }
            Err(why) => choice.declined.push((index, why)),
        }
    }
    Ok(choice)
}

/// The valid `permessage-deflate` offers of a request's
/// `Sec-WebSocket-Extensions` value, in the client's order (invalid ones
/// left out, as a server declines them; none for a value that does not
/// parse).
pub fn valid_offers(header: &str) -> Vec<DeflateParams> {
    let elements = deflate_elements(header).unwrap_or_default();
    let offers = elements
        .iter()
        .map(|e| DeflateParams::parse(e, Side::Offer));
    offers.filter_map(Result::ok).collect()
}

/// The response to one offer, or why the server declines it.
fn accept(ext: &Extension, config: &ServerConfig) -> Result<Agreement, Decline> {
    // RFC 7692 §7: "A server MUST decline an extension negotiation offer for
    // this extension if any of the following conditions are met" (unknown
    // parameter, invalid value, duplicate: ParamError).
    let offer = DeflateParams::parse(ext, Side::Offer)?;
    let mut response = DeflateParams {
        server_no_context_takeover: offer.server_no_context_takeover
            || config.server_no_context_takeover,
        client_no_context_takeover: offer.client_no_context_takeover
            || config.client_no_context_takeover,
        ..DeflateParams::default()
    };
    response.server_max_window_bits = match offer.server_max_window_bits {
        // "The server doesn't support the offered configuration."
        Some(requested) if requested < config.smallest_server_window_bits => {
            return Err(Decline::WindowTooSmall {
                requested,
                smallest: config.smallest_server_window_bits,
            });
        }
        // §7.1.2.1: "A server accepts an extension negotiation offer with this
        // parameter by including the "server_max_window_bits" extension
        // parameter in the extension negotiation response to send back to the
        // client with the same or smaller value as the offer."
        Some(requested) => Some(requested.min(config.server_max_window_bits)),
        None => (config.server_max_window_bits < DEFAULT_WINDOW_BITS)
            .then_some(config.server_max_window_bits),
    };
    // §7.1.2.2: "If a received extension negotiation offer doesn't have the
    // "client_max_window_bits" extension parameter, the corresponding
    // extension negotiation response to the offer MUST NOT include the
    // "client_max_window_bits" extension parameter."
    response.client_max_window_bits =
        offer
            .client_max_window_bits
            .and_then(|hint| match (hint, config.client_max_window_bits) {
                (hint, Some(cap)) => Some(Some(hint.unwrap_or(DEFAULT_WINDOW_BITS).min(cap))),
                (Some(hint), None) => Some(Some(hint)),
                (None, None) => None,
            });
    Ok(Agreement { offer, response })
}

/// A server response the client must fail the connection on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The value breaks the §9.1 grammar of RFC 6455.
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    /// `permessage-deflate` in a response to a request that did not offer it.
    #[error("the server accepted permessage-deflate, which the client did not offer")]
    NotOffered,
    /// The extension accepted more than once: two instances would both use
    /// RSV1, and §5 says "A client that received a response accepting a PMCE
    /// extension negotiation offer together with such an extension MUST _Fail
    /// the WebSocket Connection_" (the server accepts one offer, §7.1.3: "by
    /// picking any supported one from the listed offers").
    #[error("the response accepts permessage-deflate {0} times")]
    Repeated(usize),
    /// The response's parameters break a rule of §7.
    #[error("invalid response: {0}")]
    Param(#[from] ParamError),
    /// §7.1.2.2: `client_max_window_bits` in a response to an offer without it.
    #[error("client_max_window_bits in the response, but the offer did not carry it")]
    ClientWindowNotOffered,
    /// §7.1.2.1: the offer had `server_max_window_bits=N`, the response lacks it.
    #[error(
        "the offer asked for server_max_window_bits={offered}, the response does not limit the window"
    )]
    ServerWindowMissing {
        /// The offered value.
        offered: u8,
    },
    /// §7.1.2.1: "the same or smaller value as the offer" — it was larger.
    #[error("server_max_window_bits={got} is wider than the {offered} offered")]
    ServerWindowWider {
        /// The offered value.
        offered: u8,
        /// The value in the response.
        got: u8,
    },
    /// §7.1.1.1: the offer had `server_no_context_takeover`, and a server
    /// accepts it only "by including the "server_no_context_takeover"
    /// extension parameter in the corresponding extension negotiation
    /// response".
    #[error("the offer asked for server_no_context_takeover, the response lacks it")]
    ServerContextTakeoverKept,
}

/// Client side: check a response's `Sec-WebSocket-Extensions` value (`None`
/// when absent) against the offers the client sent. `Ok(None)` means the
/// server declined `permessage-deflate`. With several offers the response
/// must fit one of them; the first it fits is the agreement, and when it
/// fits none the error is the one against the most preferred offer.
pub fn check_response(
    offers: &[DeflateParams],
    header: Option<&str>,
) -> Result<Option<Agreement>, ResponseError> {
    let Some(header) = header else {
        return Ok(None);
    };
    let elements = deflate_elements(header)?;
    let Some(first) = elements.first() else {
        return Ok(None);
    };
    if offers.is_empty() {
        return Err(ResponseError::NotOffered);
    }
    if elements.len() > 1 {
        return Err(ResponseError::Repeated(elements.len()));
    }
    let response = DeflateParams::parse(first, Side::Response)?;
    let mut first_error = None;
    for offer in offers {
        match fits(offer, &response) {
            Ok(()) => {
                return Ok(Some(Agreement {
                    offer: *offer,
                    response,
                }));
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.expect("offers is not empty"))
}

/// Whether `response` accepts `offer`.
fn fits(offer: &DeflateParams, response: &DeflateParams) -> Result<(), ResponseError> {
    // RFC 7692 §7.1.2.2: "A server MUST NOT include the
    // "client_max_window_bits" extension parameter in an extension negotiation
    // response if the extension negotiation offer being accepted by the
    // response didn't include the "client_max_window_bits" extension
    // parameter."
    if response.client_max_window_bits.is_some() && offer.client_max_window_bits.is_none() {
        return Err(ResponseError::ClientWindowNotOffered);
    }
    if let Some(offered) = offer.server_max_window_bits {
        match response.server_max_window_bits {
            None => return Err(ResponseError::ServerWindowMissing { offered }),
            Some(got) if got > offered => {
                return Err(ResponseError::ServerWindowWider { offered, got });
            }
            Some(_) => {}
        }
    }
    if offer.server_no_context_takeover && !response.server_no_context_takeover {
        return Err(ResponseError::ServerContextTakeoverKept);
    }
    Ok(())
}
