//! The opening-handshake request of a case: a conforming request from the
//! session config, with a handshake case's edits applied.

use super::config::SessionConfig;
use crate::catalog::{CaseKind, HeaderEdit};
use crate::codec::{ClientRequest, key_bytes_from_seed};

/// The request `kind` sends.
pub fn build_request(cfg: &SessionConfig, kind: &CaseKind) -> ClientRequest {
    let mut req = ClientRequest::new(
        cfg.host.clone(),
        cfg.path.clone(),
        key_bytes_from_seed(cfg.seed),
    );
    req.origin = cfg.origin.clone();
    req.subprotocols = cfg.subprotocols.clone();
    req.extra_headers = cfg.headers.clone();
    if let CaseKind::Handshake(h) = kind {
        req.method = h.method.to_string();
        req.http_version = h.http_version.to_string();
        for edit in &h.edits {
            apply(&mut req, edit);
        }
    }
    req
}

fn apply(req: &mut ClientRequest, edit: &HeaderEdit) {
    match edit {
        HeaderEdit::Remove(name) => {
            if let Some(slot) = slot(req, name) {
                *slot = None;
            } else if name.eq_ignore_ascii_case("Sec-WebSocket-Protocol") {
                req.subprotocols.clear();
            } else if name.eq_ignore_ascii_case("Sec-WebSocket-Extensions") {
                req.extensions.clear();
            }
            req.extra_headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        }
        HeaderEdit::Set(name, value) => match slot(req, name) {
            Some(slot) => *slot = Some(value.clone()),
            None if name.eq_ignore_ascii_case("Sec-WebSocket-Protocol") => {
                req.subprotocols = vec![value.clone()]
            }
            None if name.eq_ignore_ascii_case("Sec-WebSocket-Extensions") => {
                req.extensions = vec![value.clone()]
            }
            None => {
                req.extra_headers
                    .retain(|(k, _)| !k.eq_ignore_ascii_case(name));
                req.extra_headers.push((name.to_string(), value.clone()));
            }
        },
        HeaderEdit::Add(name, value) => req.extra_headers.push((name.to_string(), value.clone())),
    }
}

/// The request field that holds header `name`, when it is one of the fixed ones.
fn slot<'a>(req: &'a mut ClientRequest, name: &str) -> Option<&'a mut Option<String>> {
    let n = name.to_ascii_lowercase();
    Some(match n.as_str() {
        "host" => &mut req.host,
        "upgrade" => &mut req.upgrade,
        "connection" => &mut req.connection,
        "sec-websocket-key" => &mut req.key,
        "sec-websocket-version" => &mut req.version_header,
        "origin" => &mut req.origin,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{HandshakeCase, HandshakeExpect};

    #[test]
    fn edits_remove_set_and_add_headers() {
        let cfg = SessionConfig::new("localhost:9001", "/");
        let kind = CaseKind::Handshake(HandshakeCase {
            method: "POST",
            http_version: "HTTP/1.0",
            edits: vec![
                HeaderEdit::Remove("Sec-WebSocket-Version"),
                HeaderEdit::Set("Upgrade", "WebSocket".into()),
                HeaderEdit::Add("X-Extra", "1".into()),
            ],
            expect: HandshakeExpect::Reject {
                statuses: &[400],
                header: None,
            },
        });
        let text = String::from_utf8(build_request(&cfg, &kind).to_bytes()).unwrap();
        assert!(text.starts_with("POST / HTTP/1.0\r\n"), "{text}");
        assert!(!text.to_ascii_lowercase().contains("sec-websocket-version"));
        assert!(text.contains("Upgrade: WebSocket\r\n"));
        assert!(text.contains("X-Extra: 1\r\n"));
    }
}
