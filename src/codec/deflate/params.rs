//! The four parameters of `permessage-deflate` (RFC 7692 §7.1) as a checked
//! value, parsed from one [`Extension`] element of an offer or a response,
//! and written back.
//!
//! RFC 7692 §7: "A server MUST decline an extension negotiation offer for
//! this extension if any of the following conditions are met: The
//! negotiation offer contains an extension parameter not defined for use in
//! an offer. The negotiation offer contains an extension parameter with an
//! invalid value. The negotiation offer contains multiple extension
//! parameters with the same name." The client's list for a response is the
//! same, and there it "MUST _Fail the WebSocket Connection_". Each condition
//! is one [`ParamError`] variant.

use std::fmt;

use super::grammar::Extension;

/// The registered extension name (RFC 7692 §7).
pub const EXTENSION_NAME: &str = "permessage-deflate";

/// `server_no_context_takeover` (RFC 7692 §7.1.1.1).
pub const SERVER_NO_CONTEXT_TAKEOVER: &str = "server_no_context_takeover";
/// `client_no_context_takeover` (RFC 7692 §7.1.1.2).
pub const CLIENT_NO_CONTEXT_TAKEOVER: &str = "client_no_context_takeover";
/// `server_max_window_bits` (RFC 7692 §7.1.2.1).
pub const SERVER_MAX_WINDOW_BITS: &str = "server_max_window_bits";
/// `client_max_window_bits` (RFC 7692 §7.1.2.2).
pub const CLIENT_MAX_WINDOW_BITS: &str = "client_max_window_bits";

/// The window sizes a parameter may name: "a decimal integer value without
/// leading zeroes between 8 to 15, inclusive" (RFC 7692 §7.1.2.1).
pub const WINDOW_BITS: std::ops::RangeInclusive<u8> = 8..=15;

/// The window when no parameter limits it: 32,768 bytes (RFC 7692 §7.1.2.1).
pub const DEFAULT_WINDOW_BITS: u8 = 15;

/// Which message of the handshake a parameter set comes from; the rules for
/// `client_max_window_bits` differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The client's offer.
    Offer,
    /// The server's response.
    Response,
}

/// A valid `permessage-deflate` parameter set, offer or response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DeflateParams {
    /// `server_no_context_takeover` present.
    pub server_no_context_takeover: bool,
    /// `client_no_context_takeover` present.
    pub client_no_context_takeover: bool,
    /// `server_max_window_bits=N`, always with a value.
    pub server_max_window_bits: Option<u8>,
    /// `client_max_window_bits[=N]`: `Some(None)` is the bare parameter, which
    /// only an offer may carry.
    pub client_max_window_bits: Option<Option<u8>>,
}

/// A parameter set breaks a rule of RFC 7692 §7.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// "an extension parameter not defined for use in an offer" (or response).
    #[error("unknown parameter {0:?}")]
    Unknown(String),
    /// "multiple extension parameters with the same name".
    #[error("parameter {0} appears more than once")]
    Duplicate(&'static str),
    /// A `*_no_context_takeover` parameter with a value: "This extension
    /// parameter has no value" (§7.1.1.1, §7.1.1.2).
    #[error("{name} takes no value, got {value:?}")]
    UnexpectedValue {
        /// The parameter.
        name: &'static str,
        /// The value it carried.
        value: String,
    },
    /// `server_max_window_bits` without a value (always required), or
    /// `client_max_window_bits` without one in a response: §7.1.2.2 lets
    /// only an offer carry it bare, and gives the response's parameter a
    /// decimal value of 8 to 15.
    #[error("{0} needs a value")]
    MissingValue(&'static str),
    /// A window value that is not 1*DIGIT without leading zeroes.
    #[error("{name}={value:?} is not a decimal integer without leading zeroes")]
    BadValue {
        /// The parameter.
        name: &'static str,
        /// The value as written.
        value: String,
    },
    /// A window value outside 8..=15.
    #[error("{name}={value} is outside 8..=15")]
    OutOfRange {
        /// The parameter.
        name: &'static str,
        /// The value (saturated to u32).
        value: u32,
    },
}

impl DeflateParams {
    /// The default offer or response: `permessage-deflate` with no parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// With `server_no_context_takeover`.
    pub fn server_no_context_takeover(mut self) -> Self {
        self.server_no_context_takeover = true;
        self
    }

    /// With `client_no_context_takeover`.
    pub fn client_no_context_takeover(mut self) -> Self {
        self.client_no_context_takeover = true;
        self
    }

    /// With `server_max_window_bits=bits`.
    pub fn server_max_window_bits(mut self, bits: u8) -> Self {
        self.server_max_window_bits = Some(bits);
        self
    }

    /// With `client_max_window_bits`, bare (`None`) or `=bits`.
    pub fn client_max_window_bits(mut self, bits: Option<u8>) -> Self {
        self.client_max_window_bits = Some(bits);
        self
    }

    /// Checks one parsed element's parameters against RFC 7692 §7.1 for
    /// `side`. The element's name is not looked at.
    pub fn parse(ext: &Extension, side: Side) -> Result<Self, ParamError> {
        let mut out = Self::default();
        let mut seen = [false; 4];
        for param in &ext.params {
            let (slot, name) = known(&param.name)?;
            if std::mem::replace(&mut seen[slot], true) {
                return Err(ParamError::Duplicate(name));
            }
            let value = param.value.as_deref();
            match slot {
                0 => out.server_no_context_takeover = no_value(name, value)?,
                1 => out.client_no_context_takeover = no_value(name, value)?,
                2 => out.server_max_window_bits = Some(bits(name, value)?),
                _ => out.client_max_window_bits = Some(client_bits(value, side)?),
            }
        }
        Ok(out)
    }
}

/// The slot and canonical name of a known parameter, compared ASCII
/// case-insensitively like the handshake's other tokens.
fn known(name: &str) -> Result<(usize, &'static str), ParamError> {
    [
        SERVER_NO_CONTEXT_TAKEOVER,
        CLIENT_NO_CONTEXT_TAKEOVER,
        SERVER_MAX_WINDOW_BITS,
        CLIENT_MAX_WINDOW_BITS,
    ]
    .into_iter()
    .enumerate()
    .find(|(_, k)| k.eq_ignore_ascii_case(name))
    .ok_or_else(|| ParamError::Unknown(name.to_owned()))
}

fn no_value(name: &'static str, value: Option<&str>) -> Result<bool, ParamError> {
    match value {
        // RFC 7692 §7.1.1.1 and §7.1.1.2: "This extension parameter has no value."
        Some(v) => Err(ParamError::UnexpectedValue {
            name,
            value: v.to_owned(),
        }),
        None => Ok(true),
    }
}

fn client_bits(value: Option<&str>, side: Side) -> Result<Option<u8>, ParamError> {
    match (value, side) {
        // RFC 7692 §7.1.2.2: in an offer "This parameter has no value or a
        // decimal integer value without leading zeroes between 8 to 15".
        (None, Side::Offer) => Ok(None),
        (None, Side::Response) => Err(ParamError::MissingValue(CLIENT_MAX_WINDOW_BITS)),
        (Some(_), _) => bits(CLIENT_MAX_WINDOW_BITS, value).map(Some),
    }
}

/// A window value: "a decimal integer value without leading zeroes between 8
/// to 15, inclusive ... and MUST conform to the ABNF below.
/// server-max-window-bits = 1*DIGIT" (RFC 7692 §7.1.2.1, and §7.1.2.2 alike).
fn bits(name: &'static str, value: Option<&str>) -> Result<u8, ParamError> {
    let Some(value) = value else {
        return Err(ParamError::MissingValue(name));
    };
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    if !digits || (value.len() > 1 && value.starts_with('0')) {
        return Err(ParamError::BadValue {
            name,
            value: value.to_owned(),
        });
    }
    let n = value.parse::<u32>().unwrap_or(u32::MAX);
    match u8::try_from(n) {
        Ok(b) if WINDOW_BITS.contains(&b) => Ok(b),
        _ => Err(ParamError::OutOfRange { name, value: n }),
    }
}

/// Writes the element: `permessage-deflate` and the present parameters in a
/// fixed order.
impl fmt::Display for DeflateParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXTENSION_NAME)?;
        if self.server_no_context_takeover {
            write!(f, "; {SERVER_NO_CONTEXT_TAKEOVER}")?;
        }
        if self.client_no_context_takeover {
            write!(f, "; {CLIENT_NO_CONTEXT_TAKEOVER}")?;
        }
        if let Some(b) = self.server_max_window_bits {
            write!(f, "; {SERVER_MAX_WINDOW_BITS}={b}")?;
        }
        match self.client_max_window_bits {
            Some(Some(b)) => write!(f, "; {CLIENT_MAX_WINDOW_BITS}={b}"),
            Some(None) => write!(f, "; {CLIENT_MAX_WINDOW_BITS}"),
            None => Ok(()),
        }
    }
}

/// Several offers in one header value, most preferred first.
pub fn offers_header(offers: &[DeflateParams]) -> String {
    let parts: Vec<String> = offers.iter().map(ToString::to_string).collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::deflate::grammar::parse_extensions;

    fn parse(element: &str, side: Side) -> Result<DeflateParams, ParamError> {
        DeflateParams::parse(&parse_extensions(element).unwrap()[0], side)
    }

    #[test]
    fn every_parameter_alone_and_combined_round_trips() {
        let sets = [
            DeflateParams::new(),
            DeflateParams::new().server_no_context_takeover(),
            DeflateParams::new().client_no_context_takeover(),
            DeflateParams::new().server_max_window_bits(8),
            DeflateParams::new().client_max_window_bits(Some(15)),
            DeflateParams::new()
                .server_no_context_takeover()
                .client_no_context_takeover()
                .server_max_window_bits(9)
                .client_max_window_bits(Some(10)),
        ];
        for set in sets {
            for side in [Side::Offer, Side::Response] {
                assert_eq!(parse(&set.to_string(), side), Ok(set), "{set}");
            }
        }
        let bare = DeflateParams::new().client_max_window_bits(None);
        assert_eq!(
            bare.to_string(),
            "permessage-deflate; client_max_window_bits"
        );
        assert_eq!(parse(&bare.to_string(), Side::Offer), Ok(bare));
    }

    #[test]
    fn values_may_be_quoted_and_names_any_case() {
        let got = parse(
            "permessage-deflate; Server_Max_Window_Bits=\"9\"; CLIENT_NO_CONTEXT_TAKEOVER",
            Side::Response,
        );
        assert_eq!(
            got,
            Ok(DeflateParams::new()
                .server_max_window_bits(9)
                .client_no_context_takeover())
        );
    }

    #[test]
    fn each_rule_has_its_error() {
        use ParamError as E;
        let bad_value = |name, value: &str| E::BadValue {
            name,
            value: value.into(),
        };
        let out_of_range = |name, value| E::OutOfRange { name, value };
        let table: Vec<(&str, Side, ParamError)> = vec![
            ("x; foo", Side::Offer, E::Unknown("foo".into())),
            (
                "x; max_window_bits=10",
                Side::Offer,
                E::Unknown("max_window_bits".into()),
            ),
            (
                "x; server_no_context_takeover; server_no_context_takeover",
                Side::Offer,
                E::Duplicate(SERVER_NO_CONTEXT_TAKEOVER),
            ),
            (
                "x; client_max_window_bits; client_max_window_bits=9",
                Side::Offer,
                E::Duplicate(CLIENT_MAX_WINDOW_BITS),
            ),
            (
                "x; client_no_context_takeover=1",
                Side::Response,
                E::UnexpectedValue {
                    name: CLIENT_NO_CONTEXT_TAKEOVER,
                    value: "1".into(),
                },
            ),
            (
                "x; server_max_window_bits",
                Side::Offer,
                E::MissingValue(SERVER_MAX_WINDOW_BITS),
            ),
            (
                "x; client_max_window_bits",
                Side::Response,
                E::MissingValue(CLIENT_MAX_WINDOW_BITS),
            ),
            (
                "x; server_max_window_bits=16",
                Side::Offer,
                out_of_range(SERVER_MAX_WINDOW_BITS, 16),
            ),
            (
                "x; server_max_window_bits=7",
                Side::Response,
                out_of_range(SERVER_MAX_WINDOW_BITS, 7),
            ),
            (
                "x; client_max_window_bits=0",
                Side::Offer,
                out_of_range(CLIENT_MAX_WINDOW_BITS, 0),
            ),
            (
                "x; client_max_window_bits=99999999999",
                Side::Offer,
                out_of_range(CLIENT_MAX_WINDOW_BITS, u32::MAX),
            ),
            (
                "x; server_max_window_bits=09",
                Side::Offer,
                bad_value(SERVER_MAX_WINDOW_BITS, "09"),
            ),
            (
                "x; client_max_window_bits=a",
                Side::Offer,
                bad_value(CLIENT_MAX_WINDOW_BITS, "a"),
            ),
            (
                "x; client_max_window_bits=+9",
                Side::Response,
                bad_value(CLIENT_MAX_WINDOW_BITS, "+9"),
            ),
        ];
        for (element, side, want) in table {
            assert_eq!(parse(element, side), Err(want), "{element:?} as {side:?}");
        }
    }

    #[test]
    fn several_offers_join_in_preference_order() {
        let header = offers_header(&[
            DeflateParams::new().server_max_window_bits(9),
            DeflateParams::new(),
        ]);
        assert_eq!(
            header,
            "permessage-deflate; server_max_window_bits=9, permessage-deflate"
        );
    }
}
