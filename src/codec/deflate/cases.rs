//! Negotiation inputs as data, for the catalogue, `serve` and the tests: the
//! offers a tester makes, offers a server must decline, and responses a
//! client must fail, each with the rule it breaks and the error this module
//! reports for it.

use super::negotiate::ResponseError;
use super::params::{
    CLIENT_MAX_WINDOW_BITS, CLIENT_NO_CONTEXT_TAKEOVER, DeflateParams, ParamError,
    SERVER_MAX_WINDOW_BITS, SERVER_NO_CONTEXT_TAKEOVER,
};

/// A named list of offers sent in one header, most preferred first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferSet {
    /// Stable short name.
    pub name: &'static str,
    /// The offers.
    pub offers: Vec<DeflateParams>,
}

/// Valid offers: the default, each parameter alone, all combined, several in
/// one header (Autobahn 13.7's list), and window bits 8, 9 and 15.
pub fn offer_sets() -> Vec<OfferSet> {
    let p = DeflateParams::new;
    let mut sets = vec![
        ("default", vec![p()]),
        (
            "server_no_context_takeover",
            vec![p().server_no_context_takeover()],
        ),
        (
            "client_no_context_takeover",
            vec![p().client_no_context_takeover()],
        ),
        (
            "client_max_window_bits",
            vec![p().client_max_window_bits(None)],
        ),
        (
            "all",
            vec![
                p().server_no_context_takeover()
                    .client_no_context_takeover()
                    .server_max_window_bits(10)
                    .client_max_window_bits(Some(10)),
            ],
        ),
        (
            "several",
            vec![
                p().server_no_context_takeover().server_max_window_bits(9),
                p().server_no_context_takeover(),
                p(),
            ],
        ),
    ];
    for (bits, server, client) in [
        (8, "server_max_window_bits=8", "client_max_window_bits=8"),
        (9, "server_max_window_bits=9", "client_max_window_bits=9"),
        (15, "server_max_window_bits=15", "client_max_window_bits=15"),
    ] {
        sets.push((server, vec![p().server_max_window_bits(bits)]));
        sets.push((client, vec![p().client_max_window_bits(Some(bits))]));
    }
    sets.into_iter()
        .map(|(name, offers)| OfferSet { name, offers })
        .collect()
}

/// An offer a server must decline (and still open the connection).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadOffer {
    /// Stable short name.
    pub name: &'static str,
    /// The `Sec-WebSocket-Extensions` value.
    pub header: &'static str,
    /// The rule it breaks.
    pub error: ParamError,
}

/// Offers breaking each rule of RFC 7692 §7 a server checks.
pub fn bad_offers() -> Vec<BadOffer> {
    use ParamError as E;
    let v = |name, value: &str| E::BadValue {
        name,
        value: value.into(),
    };
    let table = [
        (
            "unknown-parameter",
            "permessage-deflate; foo",
            E::Unknown("foo".into()),
        ),
        (
            "duplicate-parameter",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            E::Duplicate(SERVER_NO_CONTEXT_TAKEOVER),
        ),
        (
            "value-on-no-context-takeover",
            "permessage-deflate; client_no_context_takeover=true",
            E::UnexpectedValue {
                name: CLIENT_NO_CONTEXT_TAKEOVER,
                value: "true".into(),
            },
        ),
        (
            "server-window-without-value",
            "permessage-deflate; server_max_window_bits",
            E::MissingValue(SERVER_MAX_WINDOW_BITS),
        ),
        (
            "server-window-16",
            "permessage-deflate; server_max_window_bits=16",
            E::OutOfRange {
                name: SERVER_MAX_WINDOW_BITS,
                value: 16,
            },
        ),
        (
            "server-window-7",
            "permessage-deflate; server_max_window_bits=7",
            E::OutOfRange {
                name: SERVER_MAX_WINDOW_BITS,
                value: 7,
            },
        ),
        (
            "server-window-leading-zero",
            "permessage-deflate; server_max_window_bits=010",
            v(SERVER_MAX_WINDOW_BITS, "010"),
        ),
        (
            "client-window-0",
            "permessage-deflate; client_max_window_bits=0",
            E::OutOfRange {
                name: CLIENT_MAX_WINDOW_BITS,
                value: 0,
            },
        ),
        (
            "client-window-not-a-number",
            "permessage-deflate; client_max_window_bits=abc",
            v(CLIENT_MAX_WINDOW_BITS, "abc"),
        ),
        (
            "client-window-duplicate",
            "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
            E::Duplicate(CLIENT_MAX_WINDOW_BITS),
        ),
    ];
    table
        .into_iter()
        .map(|(name, header, error)| BadOffer {
            name,
            header,
            error,
        })
        .collect()
}

/// A response a client must fail the connection on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadResponse {
    /// Stable short name.
    pub name: &'static str,
    /// What the client offered.
    pub offers: Vec<DeflateParams>,
    /// The server's `Sec-WebSocket-Extensions` value.
    pub header: &'static str,
    /// The rule it breaks.
    pub error: ResponseError,
}

/// Responses breaking each rule a client checks (RFC 7692 §7, §7.1; RFC 6455
/// §9.1).
pub fn bad_responses() -> Vec<BadResponse> {
    use ResponseError as R;
    let p = DeflateParams::new;
    let table = [
        ("not-offered", vec![], "permessage-deflate", R::NotOffered),
        (
            "accepted-twice",
            vec![p()],
            "permessage-deflate, permessage-deflate",
            R::Repeated(2),
        ),
        (
            "unknown-parameter",
            vec![p()],
            "permessage-deflate; foo=1",
            R::Param(ParamError::Unknown("foo".into())),
        ),
        (
            "duplicate-parameter",
            vec![p()],
            "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
            R::Param(ParamError::Duplicate(CLIENT_NO_CONTEXT_TAKEOVER)),
        ),
        (
            "server-window-out-of-range",
            vec![p()],
            "permessage-deflate; server_max_window_bits=16",
            R::Param(ParamError::OutOfRange {
                name: SERVER_MAX_WINDOW_BITS,
                value: 16,
            }),
        ),
        (
            "client-window-without-value",
            vec![p().client_max_window_bits(None)],
            "permessage-deflate; client_max_window_bits",
            R::Param(ParamError::MissingValue(CLIENT_MAX_WINDOW_BITS)),
        ),
        (
            "client-window-not-offered",
            vec![p()],
            "permessage-deflate; client_max_window_bits=10",
            R::ClientWindowNotOffered,
        ),
        (
            "server-window-wider",
            vec![p().server_max_window_bits(10)],
            "permessage-deflate; server_max_window_bits=11",
            R::ServerWindowWider {
                offered: 10,
                got: 11,
            },
        ),
        (
            "server-window-dropped",
            vec![p().server_max_window_bits(10)],
            "permessage-deflate",
            R::ServerWindowMissing { offered: 10 },
        ),
        (
            "server-context-takeover-kept",
            vec![p().server_no_context_takeover()],
            "permessage-deflate",
            R::ServerContextTakeoverKept,
        ),
    ];
    table
        .into_iter()
        .map(|(name, offers, header, error)| BadResponse {
            name,
            offers,
            header,
            error,
        })
        .collect()
}
