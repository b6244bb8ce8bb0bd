//! Header-field helpers shared by both sides: ASCII case-insensitive lookup,
//! comma-separated lists, and the capped incremental head parse.

use super::{HandshakeError, MAX_HEADERS};

/// Header fields as parsed: name, raw value.
pub(super) type Fields = [(String, Vec<u8>)];

/// All values of the fields named `name`, compared ASCII case-insensitively
/// ("all header field names in both HTTP requests and HTTP responses are
/// case-insensitive", RFC 6455 §4.1).
pub(super) fn values<'a>(fields: &'a Fields, name: &str) -> impl Iterator<Item = &'a [u8]> {
    fields
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// The first value of the field named `name`, raw.
pub(super) fn first<'a>(fields: &'a Fields, name: &str) -> Option<&'a [u8]> {
    values(fields, name).next()
}

/// The trimmed value of a field that may appear at most once.
pub(super) fn single(
    fields: &Fields,
    name: &'static str,
) -> Result<Option<String>, HandshakeError> {
    let mut found = values(fields, name);
    let value = found.next().map(text);
    if found.next().is_some() {
        return Err(HandshakeError::DuplicateHeader(name));
    }
    Ok(value)
}

/// A list field's values joined with ", " (a list may be split over several
/// field lines), or `None` when the field is absent.
pub(super) fn joined(fields: &Fields, name: &str) -> Option<String> {
    let parts: Vec<String> = values(fields, name).map(text).collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// A value as text (invalid UTF-8 replaced, so it matches no token), trimmed.
pub(super) fn text(value: &[u8]) -> String {
    String::from_utf8_lossy(value).trim().to_owned()
}

/// Elements of a comma-separated list with optional whitespace; empty
/// elements are dropped and commas inside quoted strings do not split.
pub(super) fn split_list(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(value[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(value[start..].trim());
    out.retain(|e| !e.is_empty());
    out
}

/// Whether a comma-separated list holds `token`, ASCII case-insensitively.
pub(super) fn has_token(value: &str, token: &str) -> bool {
    split_list(value)
        .iter()
        .any(|t| t.eq_ignore_ascii_case(token))
}

/// The name of an extension-list element: the token before any parameter.
pub(super) fn extension_name(element: &str) -> &str {
    element.split(';').next().unwrap_or("").trim()
}

/// Owned copy of the headers httparse found.
pub(super) fn owned(headers: &[httparse::Header<'_>]) -> Vec<(String, Vec<u8>)> {
    headers
        .iter()
        .map(|h| (h.name.to_owned(), h.value.to_vec()))
        .collect()
}

/// The part of `buf` the parser may look at: never more than `cap` bytes,
/// so a peer cannot make us scan or hold an unbounded head.
pub(super) fn capped(buf: &[u8], cap: usize) -> &[u8] {
    &buf[..buf.len().min(cap)]
}

/// One httparse pass over `scanned` bytes as "head ends after n bytes",
/// "need more" or an error. A head still open after `cap` bytes is too large
/// whatever follows, so the verdict does not depend on how bytes arrive.
pub(super) fn head_status(
    res: httparse::Result<usize>,
    scanned: usize,
    cap: usize,
) -> Result<Option<usize>, HandshakeError> {
    match res {
        Ok(httparse::Status::Complete(n)) => Ok(Some(n)),
        Ok(httparse::Status::Partial) if scanned >= cap => {
            Err(HandshakeError::HeadersTooLarge { cap })
        }
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            Err(HandshakeError::TooManyHeaders { cap: MAX_HEADERS })
        }
        Err(e) => Err(HandshakeError::Malformed(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_on_commas_outside_quotes() {
        let table: &[(&str, &[&str])] = &[
            ("keep-alive, Upgrade", &["keep-alive", "Upgrade"]),
            ("  a ,,b ,", &["a", "b"]),
            ("", &[]),
            (r#"x; p="1,2", y"#, &[r#"x; p="1,2""#, "y"]),
            (r#"x; p="a\",b", y"#, &[r#"x; p="a\",b""#, "y"]),
        ];
        for (value, want) in table {
            assert_eq!(split_list(value), *want, "{value:?}");
        }
    }

    #[test]
    fn tokens_match_case_insensitively_and_whole() {
        assert!(has_token("keep-alive, UPGRADE", "upgrade"));
        assert!(!has_token("upgraded", "upgrade"));
        assert!(!has_token("keep-alive upgrade", "upgrade"));
    }

    #[test]
    fn single_rejects_repeats() {
        let f = vec![
            ("Host".to_owned(), b"a".to_vec()),
            ("host".to_owned(), b"b".to_vec()),
        ];
        assert_eq!(
            single(&f, "HOST"),
            Err(HandshakeError::DuplicateHeader("HOST"))
        );
        assert_eq!(joined(&f, "hOsT").as_deref(), Some("a, b"));
    }
}
