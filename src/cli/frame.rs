//! `wsgauntlet frame decode|encode`: what is this frame and which RFC 6455
//! rule does it break; and a frame with any bit pattern, built from flags.

use std::io::Write;

use anyhow::{Context, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::codec::{
    Frame, FrameHeader, OpCode, PayloadLen, Role, Validator, Violation, apply_mask,
};

const DECODE_HELP: &str = "\
Input: the frame's bytes in hex. Spaces, colons and a leading 0x are ignored
and several arguments are joined, so `81 05 48 65 6c 6c 6f` works unquoted.

Only the first frame is decoded: bytes after it are reported as `trailing` in
the human output and ignored by --json. If the payload is incomplete, the
header is still decoded and checked (complete: false; payload_hex holds the
bytes present). An incomplete header, including empty input, is an error.
The frame is judged on its own, as the first frame of a connection: a
continuation frame is reported as having no message to continue.

Exit codes: 0 no violation, 1 the frame breaks an RFC 6455 rule, 2 bad input.

Examples:
  wsgauntlet frame decode 81 85 37 fa 21 3d 7f 9f 4d 51 58
  wsgauntlet frame decode --role server --json 81:05:48:65:6c:6c:6f";

const ENCODE_HELP: &str = "\
Prints the frame as lowercase hex without spaces. The frame is written exactly
as the flags say, so invalid frames (reserved opcodes, RSV bits, unmasked client
frames, non-minimal or lying lengths) can be built on purpose.

Examples:
  wsgauntlet frame encode --text Hello                 # 810548656c6c6f
  wsgauntlet frame encode --text Hello --mask 37fa213d # 818537fa213d7f9f4d5158
  wsgauntlet frame encode --opcode 11 --rsv 4 --len-form 64 --payload-hex 00ff";

/// Arguments of `frame`.
#[derive(Debug, Args)]
pub struct FrameArgs {
    /// `decode` or `encode`.
    #[command(subcommand)]
    pub command: FrameCommand,
}

/// The `frame` subcommands.
#[derive(Debug, Subcommand)]
pub enum FrameCommand {
    /// Decode one frame from hex and check it against the rules of RFC 6455
    Decode(DecodeArgs),
    /// Build one frame from flags, valid or not, and print its bytes in hex
    Encode(EncodeArgs),
}

/// Which side sent a frame: clients must mask, servers must not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SenderRole {
    /// Sent by a client: must be masked (RFC 6455 §5.1).
    Client,
    /// Sent by a server: must not be masked (RFC 6455 §5.1).
    Server,
}

impl From<SenderRole> for Role {
    fn from(r: SenderRole) -> Role {
        match r {
            SenderRole::Client => Role::Client,
            SenderRole::Server => Role::Server,
        }
    }
}

/// Arguments of `frame decode`.
#[derive(Debug, Args)]
#[command(after_help = DECODE_HELP)]
pub struct DecodeArgs {
    /// Who sent the frame; a client's frames must be masked, a server's must not
    #[arg(long, value_enum, default_value_t = SenderRole::Client)]
    pub role: SenderRole,

    /// Print one JSON object (fin, rsv1-3, opcode, masked, mask_key, payload_len,
    /// length_form, minimal_length, payload_hex, complete, violations)
    #[arg(long)]
    pub json: bool,

    /// The frame's bytes in hex, e.g. 810548656c6c6f or "81 05 48 65 6c 6c 6f"
    #[arg(value_name = "HEX", required = true, num_args = 1..)]
    pub hex: Vec<String>,
}

/// Arguments of `frame encode`.
#[derive(Debug, Args)]
#[command(after_help = ENCODE_HELP)]
pub struct EncodeArgs {
    /// Set FIN: the final fragment of its message (the default)
    #[arg(long, conflicts_with = "no_fin")]
    pub fin: bool,

    /// Clear FIN: more fragments of the message follow
    #[arg(long)]
    pub no_fin: bool,

    /// RSV bits as a number 0-7: RSV1 = 4, RSV2 = 2, RSV3 = 1 (Autobahn's "RSV=n")
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u8).range(0..=7))]
    pub rsv: u8,

    /// Opcode 0-15 (decimal or 0x-hex) or a name: continuation, text, binary, close,
    /// ping, pong [default: text with --text, binary otherwise]
    #[arg(long, value_name = "N|NAME", value_parser = parse_opcode)]
    pub opcode: Option<OpCode>,

    /// Set the MASK bit with this 4-byte key (8 hex digits) and mask the payload
    /// with it, as a client must
    #[arg(long, value_name = "HEX", value_parser = parse_mask, conflicts_with = "no_mask")]
    pub mask: Option<[u8; 4]>,

    /// Leave the MASK bit clear, as a server must (the default)
    #[arg(long)]
    pub no_mask: bool,

    /// Write the length in this form: 7 (second byte, up to 125), 16 (126 + 2 bytes,
    /// up to 65535) or 64 (127 + 8 bytes) [default: the shortest form]
    #[arg(long, value_name = "7|16|64", value_parser = parse_len_form)]
    pub len_form: Option<u8>,

    /// Declare this payload length instead of the real one (a length lie); the
    /// payload is still written as given
    #[arg(long, value_name = "N")]
    pub declared_len: Option<u64>,

    /// The payload as hex bytes (spaces and colons ignored)
    #[arg(long, value_name = "HEX", conflicts_with = "text")]
    pub payload_hex: Option<String>,

    /// The payload as UTF-8 text
    #[arg(long, value_name = "STR")]
    pub text: Option<String>,
}

pub(super) fn run(args: FrameArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    match args.command {
        FrameCommand::Decode(args) => run_decode(args, out),
        FrameCommand::Encode(args) => run_encode(args, out),
    }
}

/// The first frame of some bytes, as far as they go.
struct Decoded {
    header: FrameHeader,
    /// Unmasked payload bytes present (all of them when `complete`).
    payload: Vec<u8>,
    complete: bool,
    trailing: usize,
    violations: Vec<Violation>,
}

fn run_decode(args: DecodeArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
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
        super::EXIT_OK
    } else {
        super::EXIT_DEVIATION
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
            let code = crate::codec::CloseCode(u16::from_be_bytes([payload[0], payload[1]]));
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
            "violates RFC 6455 §{} ({}): \"{}\" → close {}",
            v.section(),
            v.rule(),
            v.requirement(),
            v.close_code().0
        )?;
    }
    Ok(())
}

fn run_encode(args: EncodeArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let frame = build_frame(&args)?;
    writeln!(out, "{}", to_hex(&frame.to_bytes()))?;
    Ok(super::EXIT_OK)
}

fn build_frame(args: &EncodeArgs) -> anyhow::Result<Frame> {
    let payload = match (&args.payload_hex, &args.text) {
        (Some(hex), _) => parse_hex(hex).map_err(|e| anyhow!("--payload-hex: {e}"))?,
        (None, Some(text)) => text.as_bytes().to_vec(),
        (None, None) => Vec::new(),
    };
    let default_op = if args.text.is_some() {
        OpCode::TEXT
    } else {
        OpCode::BINARY
    };
    let value = args.declared_len.unwrap_or(payload.len() as u64);
    let len = match args.len_form {
        None => PayloadLen::minimal(value),
        Some(form) => PayloadLen::with_form(value, form).with_context(|| {
            format!(
                "a length of {value} does not fit the {form}-bit length form (at most {})",
                form_max(form)
            )
        })?,
    };
    let header = FrameHeader {
        fin: !args.no_fin,
        rsv: args.rsv,
        opcode: args.opcode.unwrap_or(default_op),
        mask: args.mask,
        len,
    };
    Ok(Frame {
        header,
        payload: payload.into(),
    })
}

fn form_max(form: u8) -> u64 {
    match form {
        7 => 125,
        16 => 0xFFFF,
        _ => u64::MAX,
    }
}

fn parse_opcode(s: &str) -> Result<OpCode, String> {
    let s = s.trim().to_ascii_lowercase();
    if let Some(op) = (0..16).map(OpCode).find(|op| op.name() == Some(s.as_str())) {
        return Ok(op);
    }
    let n = match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse::<u64>(),
    }
    .map_err(|_| "expected 0-15 or continuation, text, binary, close, ping, pong".to_owned())?;
    u8::try_from(n)
        .ok()
        .filter(|n| *n <= 15)
        .map(OpCode)
        .ok_or_else(|| format!("opcode {n} is out of range: the opcode field has 4 bits (0-15)"))
}

fn parse_mask(s: &str) -> Result<[u8; 4], String> {
    let bytes = parse_hex(s)?;
    <[u8; 4]>::try_from(bytes.as_slice()).map_err(|_| {
        format!(
            "a masking key is 4 bytes (8 hex digits), got {}",
            bytes.len()
        )
    })
}

fn parse_len_form(s: &str) -> Result<u8, String> {
    match s.trim() {
        "7" => Ok(7),
        "16" => Ok(16),
        "64" => Ok(64),
        _ => Err("the length form is 7, 16 or 64".to_owned()),
    }
}

/// Hex bytes; whitespace, colons and a leading `0x` are ignored.
fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let s = s.trim();
    let s = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    let mut digits = Vec::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        if c.is_whitespace() || c == ':' {
            continue;
        }
        let d = c
            .to_digit(16)
            .ok_or_else(|| format!("{c:?} (character {}) is not a hex digit", i + 1))?;
        digits.push(d as u8);
    }
    if digits.len() % 2 == 1 {
        return Err(format!(
            "odd number of hex digits ({}): each byte needs two",
            digits.len()
        ));
    }
    Ok(digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_accepts_separators_and_rejects_junk() {
        assert_eq!(parse_hex("0x81:05 4 8"), Ok(vec![0x81, 0x05, 0x48]));
        assert_eq!(parse_hex(""), Ok(vec![]));
        assert!(parse_hex("8").unwrap_err().contains("odd"));
        assert!(parse_hex("8g").unwrap_err().contains("'g'"));
        assert_eq!(to_hex(&[0x0A, 0xFF]), "0aff");
    }

    #[test]
    fn opcodes_by_number_hex_or_name() {
        assert_eq!(parse_opcode("PING"), Ok(OpCode::PING));
        assert_eq!(parse_opcode("0xB"), Ok(OpCode(11)));
        assert_eq!(parse_opcode("15"), Ok(OpCode(15)));
        assert!(parse_opcode("16").unwrap_err().contains("out of range"));
        assert!(parse_opcode("300").is_err());
        assert!(parse_opcode("pingg").is_err());
    }

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
