//! `wsgauntlet frame decode`: the first frame of some bytes, as far as they
//! go, and every RFC 6455 rule it breaks for the sender's role.

use std::io::Write;

use anyhow::anyhow;
use serde::Serialize;

use super::{DecodeArgs, parse_hex, to_hex};
use crate::cli::{EXIT_DEVIATION, EXIT_OK};
use crate::codec::{CloseCode, Frame, FrameHeader, OpCode, Role, Validator, Violation, apply_mask};

/// The first frame of some bytes, as far as they go.
struct Decoded {
    header: FrameHeader,
    /// Unmasked payload bytes present (all of them when `complete`).
    payload: Vec<u8>,
    complete: bool,
    trailing: usize,
    violations: Vec<Violation>,
}

pub(super) fn run(args: DecodeArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let bytes = parse_hex(&args.hex.join(" ")).map_err(|e| anyhow!("HEX: {e}"))?;
    let role = Role::from(args.role);
    let d = decode(&bytes, role)?;
    if args.json {
        serde_json::to_writer(&mut *out, &DecodeJson::from(&d))?;
        writeln!(out)?;
    } else {
        write_human(&d, role, out)?;
    }
    Ok(if d.violations.is_empty() {
        EXIT_OK
    } else {
        EXIT_DEVIATION
    })
}

fn decode(bytes: &[u8], role: Role) -> anyhow::Result<Decoded> {
    let (header, start) = FrameHeader::parse(bytes).ok_or_else(|| incomplete_header(bytes))?;
    let available = (bytes.len() - start) as u64;
    let complete = available >= header.len.value();
    // At most the bytes given, whatever length the header declares.
    let present = header.len.value().min(available) as usize;
    let mut payload = bytes[start..start + present].to_vec();
    if let Some(key) = header.mask {
        apply_mask(&mut payload, key);
    }
    let violations = if complete {
        let frame = Frame {
            header,
            payload: payload.clone().into(),
        };
        Validator::new(role).check_frame(&frame)
    } else {
        Validator::new(role).check_header(&header)
    };
    let trailing = bytes.len() - start - present;
    Ok(Decoded {
        header,
        payload,
        complete,
        trailing,
        violations,
    })
}

fn incomplete_header(bytes: &[u8]) -> anyhow::Error {
    let Some(&b1) = bytes.get(1) else {
        return anyhow!(
            "{} byte(s) given; a frame header is at least 2 bytes",
            bytes.len()
        );
    };
    let ext = match b1 & 0x7F {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    let need = 2 + ext + if b1 & 0x80 != 0 { 4 } else { 0 };
    anyhow!(
        "incomplete frame header: {} byte(s) given, this header needs {need}",
        bytes.len()
    )
}

/// The `--json` shape of `frame decode`.
#[derive(Serialize)]
struct DecodeJson {
    fin: bool,
    rsv1: bool,
    rsv2: bool,
    rsv3: bool,
    opcode: u8,
    masked: bool,
    mask_key: Option<String>,
    payload_len: u64,
    length_form: u8,
    minimal_length: bool,
    payload_hex: String,
    complete: bool,
    violations: Vec<ViolationJson>,
}

#[derive(Serialize)]
struct ViolationJson {
    rule: &'static str,
    section: &'static str,
    close_code: u16,
}

impl From<&Decoded> for DecodeJson {
    fn from(d: &Decoded) -> DecodeJson {
        let h = &d.header;
        DecodeJson {
            fin: h.fin,
            rsv1: h.rsv1(),
            rsv2: h.rsv2(),
            rsv3: h.rsv3(),
            opcode: h.opcode.0,
            masked: h.mask.is_some(),
            mask_key: h.mask.map(|k| to_hex(&k)),
            payload_len: h.len.value(),
            length_form: h.len.form(),
            minimal_length: h.len.is_minimal(),
            payload_hex: to_hex(&d.payload),
            complete: d.complete,
            violations: d
                .violations
                .iter()
                .map(|v| ViolationJson {
                    rule: v.rule(),
                    section: v.section(),
                    close_code: v.close_code().0,
                })
                .collect(),
        }
    }
}

fn write_human(d: &Decoded, role: Role, out: &mut dyn Write) -> std::io::Result<()> {
    let h = &d.header;
    let (rsv1, rsv2, rsv3) = (h.rsv1(), h.rsv2(), h.rsv3());
    let mut field = |name: &str, value: String| writeln!(out, "{name:<13}{value}");
    field("fin", h.fin.to_string())?;
    field(
        "rsv",
        format!("{} (rsv1 {rsv1}, rsv2 {rsv2}, rsv3 {rsv3})", h.rsv),
    )?;
    let op_name = h.opcode.name().unwrap_or("reserved");
    field("opcode", format!("{} ({op_name})", h.opcode.0))?;
    field(
        "masked",
        h.mask
            .map_or("false".into(), |k| format!("true (key {})", to_hex(&k))),
    )?;
    let minimal = if h.len.is_minimal() {
        "minimal"
    } else {
        "NOT minimal"
    };
    field(
        "payload_len",
        format!("{} ({}-bit form, {minimal})", h.len.value(), h.len.form()),
    )?;
    field("payload_hex", to_hex(&d.payload))?;
    for (name, value) in payload_views(h.opcode, &d.payload) {
        field(name, value)?;
    }
    let got = format!(
        "{} of {} payload bytes present",
        d.payload.len(),
        h.len.value()
    );
    field("complete", format!("{} ({got})", d.complete))?;
    if d.trailing > 0 {
        field(
            "trailing",
            format!("{} byte(s) after the frame, not decoded", d.trailing),
        )?;
    }
    write_violations(d, role, out)
}

/// Readable forms of the payload: text, or a Close frame's code and reason.
fn payload_views(opcode: OpCode, payload: &[u8]) -> Vec<(&'static str, String)> {
    let text = |b: &[u8]| match std::str::from_utf8(b) {
        Ok(s) => format!("{s:?}"),
        Err(_) => format!("{:?} (not valid UTF-8)", String::from_utf8_lossy(b)),
    };
    match opcode {
        OpCode::TEXT if !payload.is_empty() => vec![("text", text(payload))],
        OpCode::CLOSE if payload.len() >= 2 => {
            let code = CloseCode(u16::from_be_bytes([payload[0], payload[1]]));
            vec![
                ("close_code", code.to_string()),
                ("close_reason", text(&payload[2..])),
            ]
        }
        _ => Vec::new(),
    }
}

fn write_violations(d: &Decoded, role: Role, out: &mut dyn Write) -> std::io::Result<()> {
    let sender = match role {
        Role::Client => "client",
        Role::Server => "server",
    };
    if d.violations.is_empty() {
        let scope = if d.complete {
            ""
        } else {
            " (header only: the payload is incomplete)"
        };
        return writeln!(out, "no violation for a frame sent by a {sender}{scope}");
    }
    for v in &d.violations {
        writeln!(
            out,
            "violates {} ({}): \"{}\" → close {}",
            crate::results::cite(v.section()),
            v.rule(),
            v.requirement(),
            v.close_code().0
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_headers_say_what_they_need() {
        assert!(incomplete_header(&[]).to_string().contains("at least 2"));
        assert!(
            incomplete_header(&[0x81, 0xFE, 0])
                .to_string()
                .contains("needs 8")
        );
        assert!(
            incomplete_header(&[0x81, 0x7F])
                .to_string()
                .contains("needs 10")
        );
    }

    #[test]
    fn partial_payload_is_unmasked_as_far_as_it_goes() {
        let d = decode(
            &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f],
            Role::Client,
        )
        .unwrap();
        assert!(!d.complete);
        assert_eq!(d.payload, b"He");
        assert_eq!(d.trailing, 0);
    }
}
