//! The wire log of a case for the HTML report: each frame decoded field by
//! field, and the bytes as they crossed the wire (header and payload head,
//! re-masked for masked frames) as a hex dump.

use std::fmt::Write;

use super::html_escape::esc;
use crate::codec::{CloseCode, FrameHeader, OpCode, PayloadLen, apply_mask};
use crate::results::WireEntry;

/// Parses lower-case hex (what the results hold); bad digits give `None`.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn mask_key(e: &WireEntry) -> Option<[u8; 4]> {
    e.mask
        .as_deref()
        .and_then(unhex)
        .and_then(|k| k.try_into().ok())
}

/// The bytes of the entry as sent: header, then the recorded payload head.
pub fn wire_bytes(e: &WireEntry) -> Vec<u8> {
    let header = FrameHeader {
        fin: e.fin,
        rsv: e.rsv & 7,
        opcode: OpCode(e.opcode & 0x0F),
        mask: mask_key(e),
        len: PayloadLen::with_form(e.len, e.len_form).unwrap_or(PayloadLen::minimal(e.len)),
    };
    let mut out = Vec::with_capacity(14 + e.payload_head.len() / 2);
    header.write(&mut out);
    let mut payload = unhex(&e.payload_head).unwrap_or_default();
    if let Some(key) = header.mask {
        apply_mask(&mut payload, key);
    }
    out.extend_from_slice(&payload);
    out
}

/// What the payload head says, in words.
fn payload_text(e: &WireEntry) -> String {
    let bytes = unhex(&e.payload_head).unwrap_or_default();
    let cut = if (bytes.len() as u64) < e.len {
        "…"
    } else {
        ""
    };
    match e.opcode {
        0x8 if bytes.len() >= 2 => {
            let code = u16::from_be_bytes([bytes[0], bytes[1]]);
            let name = CloseCode(code).name().unwrap_or("unregistered");
            let reason = String::from_utf8_lossy(&bytes[2..]);
            format!("code {code} ({name}) reason {reason:?}{cut}")
        }
        _ if bytes.is_empty() => "empty".into(),
        0x1 | 0x0 | 0x9 | 0xA => match std::str::from_utf8(&bytes) {
            Ok(s) => format!("{s:?}{cut}"),
            Err(_) => format!("{}{cut}", crate::results::hex(&bytes)),
        },
        _ => format!("{}{cut}", crate::results::hex(&bytes)),
    }
}

fn opcode_text(op: u8) -> String {
    match OpCode(op).name() {
        Some(n) => format!("{op:#x} {n}"),
        None => format!("{op:#x} reserved"),
    }
}

/// A table with one row per frame, every header field in its own column.
pub fn wire_table(entries: &[WireEntry]) -> String {
    let mut out = String::from(
        "<table class=\"wire\"><thead><tr><th>dir</th><th>at ms</th><th>FIN</th><th>RSV</th>\
         <th>opcode</th><th>mask</th><th>length</th><th>payload</th></tr></thead><tbody>",
    );
    for e in entries {
        let (arrow, cls) = if e.dir == "tx" {
            ("→ sent", "tx")
        } else {
            ("← received", "rx")
        };
        let _ = write!(
            out,
            "<tr class=\"{cls}\"><td>{arrow}</td><td>{}</td><td>{}</td><td>{:03b}</td><td>{}</td>\
             <td>{}</td><td>{} <span class=\"dim\">({}-bit)</span></td><td class=\"pl\">{}</td></tr>",
            e.at_ms,
            u8::from(e.fin),
            e.rsv & 7,
            esc(&opcode_text(e.opcode)),
            esc(e.mask.as_deref().unwrap_or("—")),
            e.len,
            e.len_form,
            esc(&payload_text(e)),
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// A hex dump of the frames, 16 bytes a line, each frame introduced by its
/// direction and time.
pub fn hex_log(entries: &[WireEntry]) -> String {
    let mut out = String::new();
    for e in entries {
        let bytes = wire_bytes(e);
        let _ = writeln!(
            out,
            "{} +{} ms",
            if e.dir == "tx" { "TX" } else { "RX" },
            e.at_ms
        );
        for (i, chunk) in bytes.chunks(16).enumerate() {
            let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(out, "  {:04x}  {}", i * 16, hex.join(" "));
        }
        let shown = e.payload_head.len() as u64 / 2;
        if shown < e.len {
            let _ = writeln!(out, "  … {} more payload bytes not recorded", e.len - shown);
        }
    }
    esc(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(dir: &str, op: u8, mask: Option<&str>, len: u64, head: &str) -> WireEntry {
        WireEntry {
            dir: dir.into(),
            at_ms: 0,
            fin: true,
            rsv: 0,
            opcode: op,
            mask: mask.map(String::from),
            len,
            len_form: 7,
            payload_head: head.into(),
        }
    }

    #[test]
    fn rebuilds_the_masked_wire_bytes() {
        // RFC 6455 §5.7: a masked "Hello" from a client.
        let e = entry("tx", 1, Some("37fa213d"), 5, "48656c6c6f");
        assert_eq!(
            crate::results::hex(wire_bytes(&e)),
            "818537fa213d7f9f4d5158"
        );
        assert!(payload_text(&e).contains("\"Hello\""));
    }

    #[test]
    fn close_payload_and_escaping() {
        let e = entry("rx", 8, None, 4, "03ea3c62");
        assert_eq!(payload_text(&e), "code 1002 (Protocol Error) reason \"<b\"");
        let t = wire_table(&[e]);
        assert!(t.contains("&lt;b") && !t.contains("<b\""), "{t}");
        assert!(hex_log(&[entry("rx", 2, None, 100, "ff")]).contains("99 more"));
    }
}
