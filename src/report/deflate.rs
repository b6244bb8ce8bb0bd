//! permessage-deflate in the reports: the same few lines (agreement, the
//! compression ratio of each direction, the time) for every writer, so a
//! case of sections 12 and 13 (or any case that offered deflate) reads the
//! same in HTML, Markdown, JUnit and the terminal.

use crate::results::{CaseResult, DeflateResult};

/// The permessage-deflate facts of a case as (label, value) pairs: the
/// agreement, then the ratio of what the tester sent and of what the peer
/// sent (wire bytes per inflated byte).
pub fn deflate_fields(d: &DeflateResult) -> Vec<(&'static str, String)> {
    if d.declined {
        return vec![("permessage-deflate", "declined by the server".into())];
    }
    vec![
        ("permessage-deflate", d.describe()),
        ("offer accepted", d.offer.clone()),
        ("compression, tester → peer", d.sent.describe()),
        ("compression, peer → tester", d.received.describe()),
    ]
}

/// The cases of a run that offered permessage-deflate.
pub fn deflate_cases(cases: &[CaseResult]) -> Vec<(&CaseResult, &DeflateResult)> {
    cases
        .iter()
        .filter_map(|c| c.deflate.as_ref().map(|d| (c, d)))
        .collect()
}

/// A ratio for a table cell: `0.254`, or `–` when nothing was compressed.
pub fn ratio_cell(r: Option<f64>) -> String {
    r.map_or("–".into(), |r| format!("{r:.3}"))
}

/// The agreed parameters for a table cell: the response element without
/// the extension name (`server_no_context_takeover; …`), `defaults` when
/// it has none, `declined`.
pub fn agreed_cell(d: &DeflateResult) -> String {
    if d.declined {
        return "declined".into();
    }
    let params = d
        .agreed
        .strip_prefix("permessage-deflate")
        .unwrap_or(&d.agreed)
        .trim_start_matches(';')
        .trim();
    if params.is_empty() {
        "defaults".into()
    } else {
        params.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{DeflateDirection, DeflateVolume};

    #[test]
    fn cells() {
        let d = DeflateResult {
            declined: false,
            offer: "permessage-deflate; server_max_window_bits=9".into(),
            agreed: "permessage-deflate; server_max_window_bits=9".into(),
            client_to_server: Some(DeflateDirection {
                window_bits: 15,
                no_context_takeover: false,
            }),
            server_to_client: Some(DeflateDirection {
                window_bits: 9,
                no_context_takeover: false,
            }),
            sent: DeflateVolume {
                messages: 2,
                wire_bytes: 25,
                inflated_bytes: 100,
            },
            received: DeflateVolume::default(),
        };
        assert_eq!(agreed_cell(&d), "server_max_window_bits=9");
        assert_eq!(ratio_cell(d.sent.ratio()), "0.250");
        assert_eq!(ratio_cell(d.received.ratio()), "–");
        let f = deflate_fields(&d);
        assert_eq!(f[2].1, "0.250 (25 of 100 B, 2 messages)");
        assert!(f[0].1.contains("server→client window 2^9"), "{}", f[0].1);
    }
}
