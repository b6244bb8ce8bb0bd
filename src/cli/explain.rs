//! `wsgauntlet explain CODE`: what a close code means, when it is seen and
//! how to resolve it, from the texts in `codec::close_explain`.

use std::io::Write;

use clap::Args;

use crate::codec::{CloseCode, CloseCodeClass, Explanation, explain};

const AFTER_HELP: &str = "\
Every registered code 1000-1015 has its own explanation; other codes are
explained by their range (0-999, 1016-2999, 3000-3999, 4000-4999, 5000+).

Examples:
  wsgauntlet explain 1002
  wsgauntlet explain 1013 --json";

/// Arguments of `explain`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct ExplainArgs {
    /// The close status code, a whole number from 0 to 65535 (e.g. 1006, 4001)
    #[arg(value_name = "CODE", value_parser = parse_code, allow_negative_numbers = true)]
    pub code: CloseCode,

    /// Print one JSON object: code, name, meaning, when_seen, resolution, sendable
    #[arg(long)]
    pub json: bool,
}

fn parse_code(s: &str) -> Result<CloseCode, String> {
    s.trim()
        .parse::<u16>()
        .map(CloseCode)
        .map_err(|_| "a close code is a whole number from 0 to 65535".to_owned())
}

pub(super) fn run(args: ExplainArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let e = explain(args.code);
    if args.json {
        serde_json::to_writer(&mut *out, &e)?;
        writeln!(out)?;
    } else {
        write_human(&e, args.code, out)?;
    }
    Ok(super::EXIT_OK)
}

fn write_human(e: &Explanation, code: CloseCode, out: &mut dyn Write) -> std::io::Result<()> {
    match e.name {
        Some(name) => writeln!(out, "{} {name} ({})", e.code, range(code))?,
        None => writeln!(out, "{} ({})", e.code, range(code))?,
    }
    writeln!(out)?;
    write_wrapped(out, "Meaning:    ", e.meaning)?;
    write_wrapped(out, "When seen:  ", e.when_seen)?;
    write_wrapped(out, "Resolution: ", e.resolution)?;
    let sendable = if e.sendable {
        "yes, an endpoint may send it in a Close frame"
    } else {
        "no, it must never appear in a Close frame"
    };
    writeln!(out, "Sendable:   {sendable}")
}

fn range(code: CloseCode) -> &'static str {
    match code.class() {
        CloseCodeClass::Unused => "range 0-999, not used",
        CloseCodeClass::Registered if code.0 >= 1012 => "registered with IANA after RFC 6455",
        CloseCodeClass::Registered => "defined by RFC 6455 §7.4.1",
        CloseCodeClass::Reserved if code.0 <= 1015 => "reserved by RFC 6455 §7.4.1",
        CloseCodeClass::Reserved => "range 1016-2999, reserved for the protocol",
        CloseCodeClass::Library => "range 3000-3999, libraries and frameworks",
        CloseCodeClass::Private => "range 4000-4999, private use",
        CloseCodeClass::Undefined => "5000 and above, outside every defined range",
    }
}

/// Writes `text` after `label`, wrapped at 88 columns and indented under it.
fn write_wrapped(out: &mut dyn Write, label: &str, text: &str) -> std::io::Result<()> {
    const WIDTH: usize = 88;
    let indent = " ".repeat(label.chars().count());
    let mut line = label.to_owned();
    let mut fresh = true;
    for word in text.split_whitespace() {
        if !fresh && line.chars().count() + 1 + word.chars().count() > WIDTH {
            writeln!(out, "{line}")?;
            line.clone_from(&indent);
            fresh = true;
        }
        if !fresh {
            line.push(' ');
        }
        line.push_str(word);
        fresh = false;
    }
    writeln!(out, "{line}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_and_the_width() {
        let text = "word ".repeat(60);
        let mut out = Vec::new();
        write_wrapped(&mut out, "Label: ", &text).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.lines().count() > 2);
        assert!(s.lines().all(|l| l.chars().count() <= 88));
        assert_eq!(s.split_whitespace().filter(|w| *w == "word").count(), 60);
    }

    #[test]
    fn codes_parse_strictly() {
        assert_eq!(parse_code("1013"), Ok(CloseCode(1013)));
        assert!(parse_code("65536").is_err());
        assert!(parse_code("-1").is_err());
        assert!(parse_code("abc").is_err());
    }
}
