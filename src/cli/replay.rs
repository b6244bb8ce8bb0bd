//! `wsgauntlet replay FILE [URL]`: re-runs a finding (or `replay 4.1.1
//! URL`: one catalogue case) and prints the verdict. Exits 1 when the
//! deviation reproduces, 0 when the server now behaves, 2 on error.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;

use crate::catalog::{self, Profile};
use crate::runner::{
    Connector, Exec, FindingFile, Replayed, Target, TlsOptions, replay_case, replay_file,
};
use crate::server::{BackgroundServer, EchoConfig};
use crate::session::{Outcome, SessionConfig};

const AFTER_HELP: &str = "\
FILE is a replay file written by `wsgauntlet fuzz` (DIR/findings/*.json) or a
regression file; its recorded writes are sent byte for byte, with their
pauses, and judged as when it was found. Without URL the file's URL is used.
Instead of a file, a catalogue case id runs that case (without URL: against the
bundled reference server).

Exit codes: 1 the deviation reproduces, 0 the server now behaves, 2 error
(unreadable or corrupt file, unknown case, unreachable server).

Examples:
  wsgauntlet replay reports/fuzz/findings/001-rsv1-no-close.json
  wsgauntlet replay finding.json ws://127.0.0.1:9001/
  wsgauntlet replay 4.1.1 ws://127.0.0.1:9001/";

/// Arguments of `replay`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct ReplayArgs {
    /// A finding file, or a catalogue case id (e.g. 4.1.1)
    #[arg(value_name = "FILE|CASE")]
    pub what: String,
    /// Server URL (default: the file's URL; for a case, the bundled reference server)
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    /// wss://: accept any server certificate
    #[arg(long)]
    pub insecure: bool,
    /// wss://: also trust the PEM certificates in FILE
    #[arg(long, value_name = "FILE")]
    pub ca: Option<String>,
}

pub(super) fn run(args: ReplayArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let rt = super::runtime()?;
    rt.block_on(replay(args, out))
}

async fn replay(args: ReplayArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let path = Path::new(&args.what);
    let looks_like_file = path.exists() || args.what.ends_with(".json");
    if looks_like_file {
        let file = FindingFile::load(path)?;
        let url = args.url.clone().unwrap_or_else(|| file.url.clone());
        let exec = exec_for(&url, &args)?;
        writeln!(out, "replaying {} against {url}", path.display())?;
        let r = replay_file(&exec, &file).await;
        report(out, &r, Some(&file))
    } else {
        let case = catalog::all(Profile::Full)
            .into_iter()
            .find(|c| c.id == args.what)
            .with_context(|| {
                format!("{:?} is neither a file nor a catalogue case id", args.what)
            })?;
        let (url, _server) = match &args.url {
            Some(u) => (u.clone(), None),
            None => {
                let server =
                    BackgroundServer::start(([127, 0, 0, 1], 0).into(), EchoConfig::default())
                        .context("cannot start the reference server on loopback")?;
                (format!("ws://{}/", server.local_addr()), Some(server))
            }
        };
        let exec = exec_for(&url, &args)?;
        writeln!(
            out,
            "replaying case {} ({}) against {url}",
            case.id, case.title
        )?;
        let r = replay_case(&exec, &case, 1).await;
        report(out, &r, None)
    }
}

fn exec_for(url: &str, args: &ReplayArgs) -> anyhow::Result<Exec> {
    let target = Target::parse(url)?;
    let tls = TlsOptions {
        insecure: args.insecure,
        ca_file: args.ca.clone(),
    };
    let connector = Connector::new(&target, &tls, Duration::from_secs(5))?;
    let session = SessionConfig::new(target.host_header.clone(), target.path.clone());
    Ok(Exec::new(target, connector, session, 1))
}

fn report(out: &mut dyn Write, r: &Replayed, file: Option<&FindingFile>) -> anyhow::Result<u8> {
    let v = &r.verdict;
    let reason = v.reason.map_or(String::new(), |r| format!(" ({r})"));
    let code = v.close_code.map_or("none".to_string(), |c| c.to_string());
    writeln!(out, "verdict: {}{reason}, close code {code}", v.outcome)?;
    writeln!(out, "expected: {}", v.expected)?;
    writeln!(out, "actual: {}", v.actual)?;
    if let Some(f) = file {
        let rec = &f.verdict;
        let same = if r.same_as_recorded {
            "same"
        } else {
            "differs"
        };
        let reason = rec.reason.map_or(String::new(), |r| format!(" ({r})"));
        writeln!(out, "recorded: {}{reason} — {same}", rec.outcome)?;
    }
    if v.outcome == Outcome::Error {
        bail!("could not replay: {}", v.actual);
    }
    if r.reproduced {
        writeln!(out, "the deviation reproduces")?;
        Ok(super::EXIT_DEVIATION)
    } else {
        writeln!(out, "the server behaves")?;
        Ok(super::EXIT_OK)
    }
}
