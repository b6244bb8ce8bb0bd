//! The `Sec-WebSocket-Extensions` value grammar of RFC 6455 §9.1, for both
//! directions:
//!
//! ```text
//! extension-list = 1#extension
//! extension = extension-token *( ";" extension-param )
//! extension-param = token [ "=" (token | quoted-string) ]
//! ```
//!
//! with HTTP's implied linear white space between the elements. RFC 6455
//! §9.1: "If a value is received by either the client or the server during
//! negotiation that does not conform to the ABNF below, the recipient of such
//! malformed data MUST immediately _Fail the WebSocket Connection_." So a
//! [`SyntaxError`] is not a declined offer: it fails the handshake.

/// One element of the list: an extension name and its parameters, in order,
/// quoted values already unescaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    /// The extension token, as written.
    pub name: String,
    /// The parameters, as written (names keep their case).
    pub params: Vec<Param>,
}

/// One `name[=value]` parameter of an [`Extension`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// The parameter token.
    pub name: String,
    /// The value after unquoting, or `None` for a bare parameter.
    pub value: Option<String>,
}

/// Where and why a header value breaks the §9.1 grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Sec-WebSocket-Extensions breaks the RFC 6455 §9.1 grammar at byte {at}: {kind}")]
pub struct SyntaxError {
    /// Byte offset in the header value.
    pub at: usize,
    /// What was wrong there.
    pub kind: SyntaxKind,
}

/// The grammar rule a [`SyntaxError`] broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxKind {
    /// `1#extension`: the list holds no extension at all.
    #[error("the list is empty")]
    Empty,
    /// A token (extension name, parameter name or value) was expected.
    #[error("a token was expected")]
    ExpectedToken,
    /// After an element only `,` or `;` may follow.
    #[error("',' or ';' was expected")]
    ExpectedSeparator,
    /// A quoted string without its closing quote.
    #[error("unterminated quoted-string")]
    UnterminatedQuote,
    /// "the value after quoted-string unescaping MUST conform to the 'token'
    /// ABNF" (RFC 6455 §9.1).
    #[error("a quoted value that is not a token once unescaped")]
    QuotedNotToken,
}

/// Parses a whole header value (several field lines joined with `, `).
pub fn parse_extensions(value: &str) -> Result<Vec<Extension>, SyntaxError> {
    let mut p = Cursor {
        s: value.as_bytes(),
        i: 0,
    };
    let mut out = Vec::new();
    loop {
        p.skip_ws();
        if p.eat(b',') {
            continue; // #rule: empty elements are allowed and ignored
        }
        if p.done() {
            break;
        }
        out.push(p.extension()?);
        p.skip_ws();
        if !p.done() && !p.eat(b',') {
            return Err(p.error(SyntaxKind::ExpectedSeparator));
        }
    }
    if out.is_empty() {
        return Err(SyntaxError {
            at: 0,
            kind: SyntaxKind::Empty,
        });
    }
    Ok(out)
}

/// Whether `b` is a `token` character of RFC 2616 §2.2: any CHAR except
/// controls and separators.
pub fn is_token_char(b: u8) -> bool {
    b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b)
}

/// Whether `s` is a non-empty `token`.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn done(&self) -> bool {
        self.i >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.i += usize::from(hit);
        hit
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn error(&self, kind: SyntaxKind) -> SyntaxError {
        SyntaxError { at: self.i, kind }
    }

    fn token(&mut self) -> Result<String, SyntaxError> {
        let start = self.i;
        while self.peek().is_some_and(is_token_char) {
            self.i += 1;
        }
        if start == self.i {
            return Err(self.error(SyntaxKind::ExpectedToken));
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn quoted(&mut self) -> Result<String, SyntaxError> {
        let start = self.i;
        self.i += 1; // the opening quote
        let mut value = Vec::new();
        loop {
            match self.peek() {
                None => {
                    return Err(SyntaxError {
                        at: start,
                        kind: SyntaxKind::UnterminatedQuote,
                    });
                }
                Some(b'"') => break,
                Some(b'\\') if self.i + 1 < self.s.len() => {
                    value.push(self.s[self.i + 1]);
                    self.i += 2;
                }
                Some(b) => {
                    value.push(b);
                    self.i += 1;
                }
            }
        }
        self.i += 1; // the closing quote
        let value = String::from_utf8_lossy(&value).into_owned();
        // RFC 6455 §9.1: "When using the quoted-string syntax variant, the
        // value after quoted-string unescaping MUST conform to the 'token' ABNF."
        if !is_token(&value) {
            return Err(SyntaxError {
                at: start,
                kind: SyntaxKind::QuotedNotToken,
            });
        }
        Ok(value)
    }

    fn param(&mut self) -> Result<Param, SyntaxError> {
        self.skip_ws();
        let name = self.token()?;
        self.skip_ws();
        if !self.eat(b'=') {
            return Ok(Param { name, value: None });
        }
        self.skip_ws();
        let value = if self.peek() == Some(b'"') {
            self.quoted()?
        } else {
            self.token()?
        };
        Ok(Param {
            name,
            value: Some(value),
        })
    }

    fn extension(&mut self) -> Result<Extension, SyntaxError> {
        let name = self.token()?;
        let mut params = Vec::new();
        loop {
            self.skip_ws();
            if !self.eat(b';') {
                return Ok(Extension { name, params });
            }
            params.push(self.param()?);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, value: Option<&str>) -> Param {
        Param {
            name: name.into(),
            value: value.map(Into::into),
        }
    }

    #[test]
    fn several_offers_with_parameters_and_quotes() {
        let got = parse_extensions(
            "permessage-deflate; client_max_window_bits; server_max_window_bits=\"10\" ,\
             , x-foo ,permessage-deflate",
        )
        .unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[0].params,
            [
                p("client_max_window_bits", None),
                p("server_max_window_bits", Some("10"))
            ]
        );
        assert_eq!(got[1].name, "x-foo");
        assert_eq!(got[2].params, []);
    }

    #[test]
    fn quoted_pairs_unescape_to_a_token() {
        let got = parse_extensions(r#"a; b="1\5""#).unwrap();
        assert_eq!(got[0].params, [p("b", Some("15"))]);
    }

    #[test]
    fn each_grammar_rule_has_its_error() {
        use SyntaxKind as K;
        let table: &[(&str, usize, SyntaxKind)] = &[
            ("", 0, K::Empty),
            (" , ,", 0, K::Empty),
            ("a; ", 3, K::ExpectedToken),
            ("a; =1", 3, K::ExpectedToken),
            ("a; b=", 5, K::ExpectedToken),
            ("a b", 2, K::ExpectedSeparator),
            ("a; b=1 2", 7, K::ExpectedSeparator),
            ("a; b=\"1", 5, K::UnterminatedQuote),
            ("a; b=\"1 2\"", 5, K::QuotedNotToken),
            ("a; b=\"\"", 5, K::QuotedNotToken),
            ("a; b=\"x,y\"", 5, K::QuotedNotToken),
            ("\"a\"", 0, K::ExpectedToken),
        ];
        for &(value, at, kind) in table {
            assert_eq!(
                parse_extensions(value),
                Err(SyntaxError { at, kind }),
                "{value:?}"
            );
        }
    }

    #[test]
    fn tokens_exclude_separators_and_controls() {
        assert!(is_token("server_max_window_bits"));
        assert!(is_token("15"));
        for bad in ["", "a b", "a=b", "a;b", "\"a\"", "a\u{7f}", "é"] {
            assert!(!is_token(bad), "{bad:?}");
        }
    }
}
