//! `wsgauntlet conform [URL]`: runs the conformance catalogue against a
//! server, prints a summary, writes reports, exits 0/1/2.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use anyhow::{Context, bail};
use clap::Args;

use crate::catalog::{self, Profile, Selection};
use crate::report::{
    CaseResult, ResultStream, RunResults, SCHEMA_VERSION, StreamHeader, rfc3339, summary, wire_of,
};
use crate::runner::{
    Backoff, CaseRun, Connector, RunEvent, RunOptions, Target, TlsOptions, preflight, run_cases,
};
use crate::server::{EchoConfig, EchoServer};
use crate::session::SessionConfig;

const AFTER_HELP: &str = "\
Without URL, the bundled strict reference server is started on loopback and
tested, so one command shows a full run.

Case patterns are Autobahn's: '*' matches anything and a pattern matches a
prefix of the id ('4.*', '5.1*', '6.4' select what an Autobahn spec would).

Reports: DIR/results.jsonl grows as each case finishes (nothing is lost if
the run is killed); DIR/results.json is written at the end.

Exit codes: 0 every case PASS, NON-STRICT, INFORMATIONAL or UNIMPLEMENTED
(NON-STRICT fails under --strict); 1 a case FAILED; 2 the tool could not do
its job (bad URL, refused connection, no case selected).

Examples:
  wsgauntlet conform
  wsgauntlet conform ws://127.0.0.1:9001/ --exclude '9.*'
  wsgauntlet conform wss://example.test/ws --ca ca.pem --cases '4.*,5.1*'";

/// Arguments of `conform`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct ConformArgs {
    /// Server URL (ws:// or wss://); omitted: the bundled reference server
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    /// Cases to run, comma-separated Autobahn-style patterns (default: all)
    #[arg(long, value_name = "PATTERNS", default_value = "")]
    pub cases: String,
    /// Cases to leave out, comma-separated patterns (applied after --cases)
    #[arg(long, value_name = "PATTERNS", default_value = "")]
    pub exclude: String,
    /// Section 9 with sizes divided by 16 and round trips by 10
    #[arg(long)]
    pub quick: bool,
    /// Count NON-STRICT as failure (exit 1)
    #[arg(long)]
    pub strict: bool,
    /// Folder for the reports
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub report_dir: PathBuf,
    /// Name of the server under test in the reports (default: host:port, or "reference")
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,
    /// Cases in flight at once (lowered automatically when the server sheds load)
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Master seed of masking keys (the same seed sends the same bytes)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Multiply every case deadline (for slow servers or networks)
    #[arg(long, value_name = "F", default_value_t = 1.0)]
    pub deadline_factor: f64,
    /// wss://: accept any server certificate
    #[arg(long)]
    pub insecure: bool,
    /// wss://: also trust the PEM certificates in FILE
    #[arg(long, value_name = "FILE")]
    pub ca: Option<String>,
    /// Extra request header, repeatable ("Name: value")
    #[arg(long = "header", short = 'H', value_name = "K:V")]
    pub headers: Vec<String>,
    /// Origin request header
    #[arg(long)]
    pub origin: Option<String>,
    /// Subprotocol to offer, repeatable
    #[arg(long)]
    pub subprotocol: Vec<String>,
    /// Do not probe the server's liveness after abnormal case ends
    #[arg(long)]
    pub no_probe: bool,
    /// Retries per case when the server sheds load (1013/1012/HTTP 503)
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub retries: u32,
}

pub(super) fn run(args: ConformArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(conform(args, out))
}

async fn conform(args: ConformArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let profile = if args.quick {
        Profile::Quick
    } else {
        Profile::Full
    };
    let cases = Selection::parse(&args.cases, &args.exclude).apply(catalog::all(profile));
    if cases.is_empty() {
        bail!(
            "no case matches --cases {:?} --exclude {:?} (see `wsgauntlet cases`)",
            args.cases,
            args.exclude
        );
    }
    let (url, agent, _server) = match &args.url {
        Some(u) => (u.clone(), args.agent.clone(), None),
        None => {
            let (addr, task) = start_reference().await?;
            (
                format!("ws://{addr}/"),
                Some(args.agent.clone().unwrap_or("reference".into())),
                Some(AbortOnDrop(task)),
            )
        }
    };
    let target = Target::parse(&url)?;
    let agent = agent.unwrap_or_else(|| format!("{}:{}", target.host, target.port));
    let tls = TlsOptions {
        insecure: args.insecure,
        ca_file: args.ca.clone(),
    };
    let connector = Connector::new(&target, &tls, std::time::Duration::from_secs(10))?;
    let opts = run_options(&args, &target)?;
    preflight(&target, &connector, &opts.session)
        .await
        .context("the server is not reachable")?;
    std::fs::create_dir_all(&args.report_dir)
        .with_context(|| format!("cannot create report folder {}", args.report_dir.display()))?;
    let started = SystemTime::now();
    let header = StreamHeader {
        schema: SCHEMA_VERSION,
        tool: tool_name(),
        agent: agent.clone(),
        url: url.clone(),
        started: rfc3339(started),
        seed: args.seed,
    };
    let jsonl = args.report_dir.join("results.jsonl");
    let mut stream = ResultStream::create(&jsonl, &header)
        .with_context(|| format!("cannot write {}", jsonl.display()))?;
    let meta: Vec<CaseMeta> = cases.iter().map(CaseMeta::of).collect();
    let mut progress = Progress::new(meta.len(), out);
    let t0 = Instant::now();
    let mut write_error = None;
    let runs = run_cases(&target, &connector, cases, &opts, |ev| {
        if let RunEvent::Finished(run) = &ev
            && let Err(e) = stream.push(&case_result(&meta[run.index], run))
        {
            write_error.get_or_insert(e);
        }
        progress.event(&ev);
    })
    .await;
    progress.finish();
    if let Some(e) = write_error {
        return Err(e).with_context(|| format!("cannot write {}", jsonl.display()));
    }
    let results = RunResults {
        schema: SCHEMA_VERSION,
        tool: tool_name(),
        agent,
        url,
        started: rfc3339(started),
        duration_ms: t0.elapsed().as_millis() as u64,
        seed: args.seed,
        cases: runs
            .iter()
            .map(|r| case_result(&meta[r.index], r))
            .collect(),
    };
    let json = args.report_dir.join("results.json");
    std::fs::write(&json, serde_json::to_string_pretty(&results)?)
        .with_context(|| format!("cannot write {}", json.display()))?;
    write!(out, "{}", summary(&results))?;
    writeln!(out, "reports: {}", json.display())?;
    let failed = results
        .cases
        .iter()
        .any(|c| c.outcome.fails_run(args.strict));
    let errored = results
        .cases
        .iter()
        .any(|c| c.outcome == crate::session::Outcome::Error);
    Ok(if failed {
        super::EXIT_DEVIATION
    } else if errored {
        super::EXIT_ERROR
    } else {
        super::EXIT_OK
    })
}

fn tool_name() -> String {
    format!("wsgauntlet {}", env!("CARGO_PKG_VERSION"))
}

fn run_options(args: &ConformArgs, target: &Target) -> anyhow::Result<RunOptions> {
    let mut session = SessionConfig::new(target.host_header.clone(), target.path.clone());
    session.origin = args.origin.clone();
    session.subprotocols = args.subprotocol.clone();
    session.deadline_factor = args.deadline_factor;
    for h in &args.headers {
        let (k, v) = h
            .split_once(':')
            .with_context(|| format!("--header {h:?} is not \"Name: value\""))?;
        session
            .headers
            .push((k.trim().to_string(), v.trim().to_string()));
    }
    if !(args.deadline_factor > 0.0 && args.deadline_factor.is_finite()) {
        bail!("--deadline-factor must be a positive number");
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Ok(RunOptions {
        jobs: args.jobs.unwrap_or(cores * 4).max(1),
        seed: args.seed,
        session,
        backoff: Backoff {
            retries: args.retries,
            ..Backoff::default()
        },
        probe: !args.no_probe,
    })
}

async fn start_reference() -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let server = EchoServer::bind(([127, 0, 0, 1], 0).into(), EchoConfig::default())
        .await
        .context("cannot start the reference server on loopback")?;
    Ok(server.spawn()?)
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The catalogue facts of a case, kept for its result.
struct CaseMeta {
    id: String,
    title: String,
    section: String,
    requirement: String,
}

impl CaseMeta {
    fn of(c: &crate::catalog::Case) -> CaseMeta {
        CaseMeta {
            id: c.id.clone(),
            title: c.title.clone(),
            section: c.section.to_string(),
            requirement: c.requirement.to_string(),
        }
    }
}

fn case_result(meta: &CaseMeta, run: &CaseRun) -> CaseResult {
    CaseResult {
        id: meta.id.clone(),
        title: meta.title.clone(),
        section: meta.section.clone(),
        requirement: meta.requirement.clone(),
        outcome: run.verdict.outcome,
        reason: run.verdict.reason,
        close_code: run.verdict.close_code,
        duration_ms: run.duration.as_millis() as u64,
        expected: run.verdict.expected.clone(),
        actual: run.verdict.actual.clone(),
        throttled: run.throttled.clone(),
        wire: wire_of(run.observed.as_deref()),
    }
}

/// A progress bar on a terminal, plain lines otherwise.
struct Progress<'a> {
    bar: Option<indicatif::ProgressBar>,
    out: &'a mut dyn Write,
    done: usize,
    total: usize,
}

impl<'a> Progress<'a> {
    fn new(total: usize, out: &'a mut dyn Write) -> Progress<'a> {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::new(total as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} cases {elapsed} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        });
        Progress {
            bar,
            out,
            done: 0,
            total,
        }
    }

    fn event(&mut self, ev: &RunEvent) {
        let line = match ev {
            RunEvent::Finished(r) => {
                self.done += 1;
                if let Some(b) = &self.bar {
                    b.inc(1);
                }
                format!(
                    "[{}/{}] {} {} ({} ms)",
                    self.done,
                    self.total,
                    r.verdict.outcome,
                    r.id,
                    r.duration.as_millis()
                )
            }
            RunEvent::Throttled {
                id,
                code,
                wait,
                jobs,
            } => {
                format!(
                    "server shed load ({code}) in case {id}: retrying in {:.1} s with {jobs} job(s)",
                    wait.as_secs_f64()
                )
            }
            RunEvent::ServerDied { after } => format!(
                "the server stopped accepting connections after case {after}; ending the run"
            ),
        };
        match &self.bar {
            Some(b) if matches!(ev, RunEvent::Finished(_)) => b.set_message(line),
            Some(b) => b.println(line),
            None => {
                let _ = writeln!(self.out, "{line}");
            }
        }
    }

    fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}
