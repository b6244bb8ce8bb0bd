//! `wsgauntlet cases`: the catalogue — id, RFC section, what the case sends,
//! the requirement it checks, how it is judged; with `--clients`, the
//! catalogue `serve` runs against clients.

use std::io::Write;

use clap::Args;
use serde::Serialize;

use super::limits::LimitArgs;
use crate::catalog::{self, CaseKind, Judge, Profile, Selection};
use crate::server::serve::client_catalogue;

const AFTER_HELP: &str = "\
Examples:
  wsgauntlet cases
  wsgauntlet cases --cases '6.4*' --json
  wsgauntlet cases --exclude '9.*,12.*' | wc -l
  wsgauntlet cases --clients --cases '21.3.*'
  wsgauntlet cases --cases '20.5.*' --max-message-size 65536   # the cases a declared limit adds";

/// Arguments of `cases`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct CasesArgs {
    /// Cases to list, comma-separated Autobahn-style patterns (default: all)
    #[arg(long, value_name = "PATTERNS", default_value = "")]
    pub cases: String,
    /// Cases to leave out
    #[arg(long, value_name = "PATTERNS", default_value = "")]
    pub exclude: String,
    /// Print a JSON array of {id, section, title, requirement, judge, kind, deadline_ms}
    #[arg(long)]
    pub json: bool,
    /// List the cases `serve` runs against clients instead: the server's
    /// frames unmasked (a masked one makes a masked-server-frame case), no
    /// opening-handshake cases and none whose point is an unmasked client
    /// frame, plus the client-only 21.3 (101 responses a client must fail)
    #[arg(long)]
    pub clients: bool,
    /// Declared limits: list the 20.5 cases `conform` and `serve` add for
    /// them (a message just under, at and over the declared size)
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    section: &'a str,
    title: &'a str,
    requirement: &'a str,
    judge: &'static str,
    kind: &'static str,
    deadline_ms: u64,
}

fn judge_name(j: Judge) -> &'static str {
    match j {
        Judge::Model => "model",
        Judge::FailFast => "model+fail-fast",
        Judge::ModelOrTooBig => "model-or-1009",
        Judge::Informational => "informational",
        Judge::NoReply => "no-reply",
        Judge::Survive => "survive",
        Judge::Bomb => "bomb: 1009 or the model",
        Judge::ModelUnlessContextReset => "model, or informational after no_context_takeover",
    }
}

pub(super) fn run(args: CasesArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let declared = args.limits.declared();
    let catalogue = if args.clients {
        client_catalogue(Profile::Full, &declared)
    } else {
        catalog::for_servers(Profile::Full, &declared)
    };
    let cases = Selection::parse(&args.cases, &args.exclude).apply(catalogue);
    if cases.is_empty() {
        anyhow::bail!(
            "no case matches --cases {:?} --exclude {:?}",
            args.cases,
            args.exclude
        );
    }
    let rows: Vec<Row> = cases
        .iter()
        .map(|c| Row {
            id: &c.id,
            section: c.section,
            title: &c.title,
            requirement: c.requirement,
            judge: judge_name(c.judge),
            kind: match c.kind {
                CaseKind::Frames(_) => "frames",
                CaseKind::Handshake(_) => "handshake",
            },
            deadline_ms: c.deadline.as_millis() as u64,
        })
        .collect();
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)?;
        return Ok(super::EXIT_OK);
    }
    for r in &rows {
        // Sections of RFC 6455 are bare; others name their RFC.
        let section = if r.section.starts_with("RFC ") {
            r.section.to_string()
        } else {
            format!("§{}", r.section)
        };
        writeln!(out, "{:<9} {:<8} {}", r.id, section, r.title)?;
        if !r.requirement.is_empty() {
            writeln!(out, "          \"{}\"", r.requirement)?;
        }
    }
    writeln!(out, "{} cases", rows.len())?;
    Ok(super::EXIT_OK)
}
