//! `wsgauntlet serve`: the malicious server for testing WebSocket clients,
//! driven by Autobahn's client-driver URL protocol.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use super::limits::LimitArgs;

use crate::catalog::{Profile, Selection};
use crate::server::serve::{ClientTester, ServeConfig, ServeEvent, client_catalogue, exit_code};

const AFTER_HELP: &str = "\
A client driver connects to (N is 1-based over the selected cases):
  ws://ADDR/getCaseCount                   the number of cases, as a text message
  ws://ADDR/runCase?case=N&agent=NAME      runs case N (or casetuple=1.2.3); echo every message
  ws://ADDR/updateReports?agent=NAME       writes DIR/NAME/results.json
  ws://ADDR/getCaseInfo?case=N             {\"id\", \"description\"} as JSON
  ws://ADDR/getCaseStatus?case=N&agent=NAME  {\"behavior\", \"outcome\", \"reason\"} as JSON
  http://ADDR/                             the browser driver page: open it in a browser to test it
  http://ADDR/results?agent=NAME           the agent's results per case as JSON

The server sends the catalogue's frames as a server would (unmasked), plus the
malformed ones a client must reject (masked server frames, RSV bits, reserved
opcodes, bad lengths, invalid UTF-8, bad close payloads); the client must echo,
answer pings and closes, and fail with 1002/1007/1009 where RFC 6455 says so.
Its own frames must be masked with fresh, unpredictable keys (case 15.3.1).

Results stream to DIR/NAME/results.jsonl as each case finishes and are loaded
again when serve restarts.

Exit codes (with --once, or at Ctrl-C): 0 no case FAILED, 1 a case FAILED
(or NON-STRICT with --strict), 2 the tool could not do its job.

Examples:
  wsgauntlet serve
  wsgauntlet serve --listen 127.0.0.1:9001 --exclude '9.*' --once";

/// Arguments of `serve`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9001")]
    pub listen: SocketAddr,
    /// Cases to run, comma-separated Autobahn-style patterns (default: all)
    #[arg(long, value_name = "PATTERNS", default_value = "")]
    pub cases: String,
    /// Cases to leave out, comma-separated patterns (applied after --cases)
    #[arg(long, value_name = "PATTERNS", default_value = "")]
    pub exclude: String,
    /// Folder for the reports (one subfolder per agent)
    #[arg(long, value_name = "DIR", default_value = "reports/clients")]
    pub report_dir: PathBuf,
    /// Exit after the first /updateReports
    #[arg(long)]
    pub once: bool,
    /// Section 9 with sizes divided by 16 and round trips by 10
    #[arg(long)]
    pub quick: bool,
    /// Count NON-STRICT as failure (exit 1)
    #[arg(long)]
    pub strict: bool,
    /// Multiply every case deadline (for slow clients)
    #[arg(long, value_name = "F", default_value_t = 1.0)]
    pub deadline_factor: f64,
    /// Declared limits of the endpoint under test.
    #[command(flatten)]
    pub limits: LimitArgs,
}

pub(super) fn run(args: ServeArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let rt = super::runtime().context("cannot start the async runtime")?;
    rt.block_on(serve(args, out))
}

async fn serve(args: ServeArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    if !(args.deadline_factor > 0.0 && args.deadline_factor.is_finite()) {
        bail!("--deadline-factor must be a positive number");
    }
    let profile = if args.quick {
        Profile::Quick
    } else {
        Profile::Full
    };
    let selection = Selection::parse(&args.cases, &args.exclude);
    let cases = selection.apply(client_catalogue(profile, &args.limits.declared()));
    if cases.is_empty() {
        bail!(
            "no client case matches --cases {:?} --exclude {:?}",
            args.cases,
            args.exclude
        );
    }
    let mut cfg = ServeConfig::new(cases, &args.report_dir);
    cfg.once = args.once;
    cfg.session.deadline_factor = args.deadline_factor;
    cfg.session.declared = args.limits.declared();
    let mut tester = ClientTester::bind(args.listen, cfg)
        .await
        .with_context(|| format!("cannot serve on {}", args.listen))?;
    let addr = tester.local_addr()?;
    writeln!(
        out,
        "listening on ws://{addr}/ with {} cases; reports in {}",
        tester.case_count(),
        args.report_dir.display()
    )?;
    out.flush()?;
    let mut events = tester.take_events().context("events already taken")?;
    let reports = {
        let run = tester.run();
        tokio::pin!(run);
        loop {
            tokio::select! {
                reports = &mut run => break reports,
                Some(ev) = events.recv() => print_event(out, &ev)?,
                stopped = tokio::signal::ctrl_c() => {
                    stopped.context("cannot wait for Ctrl-C")?;
                    break tester.write_all_reports();
                }
            }
        }
    };
    while let Ok(ev) = events.try_recv() {
        print_event(out, &ev)?;
    }
    Ok(exit_code(&reports, args.strict))
}

fn print_event(out: &mut dyn Write, ev: &ServeEvent) -> std::io::Result<()> {
    match ev {
        ServeEvent::CaseFinished { agent, result } => writeln!(
            out,
            "[{agent}] {} {} ({} ms){}",
            result.outcome,
            result.id,
            result.duration_ms,
            result.reason.map(|r| format!(" {r}")).unwrap_or_default()
        ),
        ServeEvent::ReportsWritten { agent, path } => {
            writeln!(out, "[{agent}] reports: {}", path.display())
        }
        ServeEvent::WriteFailed(e) => writeln!(out, "error: {e}"),
    }?;
    out.flush()
}
