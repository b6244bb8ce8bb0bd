//! `wsgauntlet frame decode|encode`: what is this frame and which RFC 6455
//! rule does it break; and a frame with any bit pattern, built from flags.

use std::io::Write;

use anyhow::{Context, anyhow};
use clap::{Args, Subcommand, ValueEnum};

use crate::codec::{Frame, FrameHeader, OpCode, PayloadLen, Role};

mod decode;

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
        FrameCommand::Decode(args) => decode::run(args, out),
        FrameCommand::Encode(args) => run_encode(args, out),
    }
}

fn run_encode(args: EncodeArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let frame = build_frame(&args)?;
    writeln!(out, "{}", to_hex(&frame.to_bytes()))?;
    Ok(crate::cli::EXIT_OK)
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
    let header = FrameHeader {
        fin: !args.no_fin,
        rsv: args.rsv,
        opcode: args.opcode.unwrap_or(default_op),
        mask: args.mask,
        len: declared_len(args, payload.len() as u64)?,
    };
    Ok(Frame {
        header,
        payload: payload.into(),
    })
}

/// The length to declare: `--declared-len` or the real one, in `--len-form`
/// or the shortest form.
fn declared_len(args: &EncodeArgs, real: u64) -> anyhow::Result<PayloadLen> {
    let value = args.declared_len.unwrap_or(real);
    let Some(form) = args.len_form else {
        return Ok(PayloadLen::minimal(value));
    };
    PayloadLen::with_form(value, form).with_context(|| {
        let max = form_max(form);
        format!("a length of {value} does not fit the {form}-bit length form (at most {max})")
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
}
