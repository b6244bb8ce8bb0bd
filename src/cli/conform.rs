//! `wsgauntlet conform [URL]`: runs the conformance catalogue against a
//! server, prints a summary, writes reports, exits 0/1/2. With
//! `--autobahn-spec FILE` it tests every server of the spec one after the
//! other: `DIR/<agent>/` gets that agent's results and reports, `DIR` the
//! combined HTML, Markdown and `index.json`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;

use super::autobahn_spec::{FuzzingClientSpec, agent_dir};
use super::limits::LimitArgs;
use super::outputs::{GateFiles, print_written, write_all, write_run};
use super::shard::Shard;
use crate::catalog::{self, Profile, Selection};
use crate::report::{DEFAULT_FORMATS, Format, RunResults};
use crate::runner::{
    self, AgentConfig, AgentRun, Backoff, Endpoint, RunEvent, RunOptions, TlsOptions,
};
use crate::session::SessionConfig;

const AFTER_HELP: &str = "\
Without URL, the bundled strict reference server is started on loopback and
tested, so one command shows a full run.

Case patterns are Autobahn's: '*' matches anything and a pattern matches a
prefix of the id ('4.*', '5.1*', '6.4' select what an Autobahn spec would).

Reports: DIR/results.jsonl grows as each case finishes (nothing is lost if
the run is killed; `wsgauntlet report rebuild DIR` makes the reports from
it); the --format writers run at the end, and on Ctrl-C for what finished.

Gate: with --baseline (any earlier results.json) a case whose outcome got
worse fails the run and is printed as `4.1.1: PASS → FAIL (wrong-close-code
1013)`; improvements are listed (--update-baseline records them). --expect
takes a TOML file of known deviations (case-id glob → outcome and reason).

Exit codes: 0 every case PASS, NON-STRICT, INFORMATIONAL or UNIMPLEMENTED
(NON-STRICT fails under --strict), or unchanged against the baseline; 1 a
case FAILED or regressed; 2 the tool could not do its job (bad URL, refused
connection, no case selected, interrupted).

Examples:
  wsgauntlet conform
  wsgauntlet conform ws://127.0.0.1:9001/ --exclude '9.*'
  wsgauntlet conform wss://example.test/ws --ca ca.pem --cases '4.*,5.1*'
  wsgauntlet conform ws://127.0.0.1:9001/ --baseline reports/baseline.json --shard 1/4
  wsgauntlet conform --autobahn-spec fuzzingclient.json --format html,autobahn";

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
    /// Report writers: terminal, json, junit, html, md, autobahn (results.jsonl is always written)
    #[arg(long, value_name = "LIST", default_value = DEFAULT_FORMATS)]
    pub format: String,
    /// Gate against an earlier results.json: a case whose outcome got worse fails the run
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record improvements and new cases in the --baseline file (created if missing)
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,
    /// Known deviations, TOML: case-id glob → expected outcome and reason
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
    /// Run only shard K of N of the selected cases (round-robin), e.g. 2/4
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Declared limits of the endpoint under test.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Run every server of an Autobahn fuzzingclient spec, one after the other
    #[arg(long, value_name = "FILE", conflicts_with = "url")]
    pub autobahn_spec: Option<PathBuf>,
}

pub(super) fn run(args: ConformArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let rt = super::runtime()?;
    rt.block_on(conform(args, out))
}

async fn conform(args: ConformArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let formats = Format::parse_list(&args.format)?;
    if args.autobahn_spec.is_some() && args.baseline.is_some() {
        bail!("--baseline compares one server; with --autobahn-spec use `report diff` per agent");
    }
    let gate = GateFiles::load(
        args.baseline.as_deref(),
        args.expect.as_deref(),
        args.update_baseline,
        args.strict,
    )?;
    if let Some(spec) = &args.autobahn_spec {
        return run_spec(&args, spec, &formats, &gate, out).await;
    }
    let cases = select(&args, &args.cases, &args.exclude)?;
    let dir = args.report_dir.clone();
    let run = run_agent(
        &args,
        cases,
        args.url.clone(),
        args.agent.clone(),
        &dir,
        out,
    )
    .await?;
    let written = write_run(&dir, &run.results, &formats, out)?;
    print_written(out, &written)?;
    let code = gate.judge(&run.results, out)?;
    Ok(exit_code(&run, code))
}

/// Runs every server of the spec; the worst exit code of all agents.
async fn run_spec(
    args: &ConformArgs,
    spec_path: &Path,
    formats: &[Format],
    gate: &GateFiles,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let spec = FuzzingClientSpec::read(spec_path)?;
    let mut runs: Vec<RunResults> = Vec::new();
    let mut code = super::EXIT_OK;
    for server in &spec.servers {
        let (include, exclude) = spec.patterns_for(&server.agent);
        let cases =
            select(args, &include, &exclude).with_context(|| format!("agent {}", server.agent))?;
        writeln!(
            out,
            "\n== {} ({}): {} cases",
            server.agent,
            server.url,
            cases.len()
        )?;
        let dir = args.report_dir.join(agent_dir(&server.agent));
        let run = run_agent(
            args,
            cases,
            Some(server.url.clone()),
            Some(server.agent.clone()),
            &dir,
            out,
        )
        .await?;
        let written = write_run(&dir, &run.results, formats, out)?;
        print_written(out, &written)?;
        let agent_code = exit_code(&run, gate.judge(&run.results, out)?);
        code = worst(code, agent_code);
        runs.push(run.results);
        if run.interrupted {
            break;
        }
    }
    let mut combined: Vec<Format> = formats.to_vec();
    combined.extend([Format::Html, Format::Autobahn]);
    let written = write_all(&args.report_dir, &runs, &combined)?;
    print_written(out, &written)?;
    Ok(code)
}

/// 2 (could not do the job) over 1 (deviation) over 0.
fn worst(a: u8, b: u8) -> u8 {
    if a == super::EXIT_ERROR || b == super::EXIT_ERROR {
        super::EXIT_ERROR
    } else {
        a.max(b)
    }
}

/// The catalogue cases chosen by patterns and `--shard`; an error when none is.
fn select(args: &ConformArgs, include: &str, exclude: &str) -> anyhow::Result<Vec<catalog::Case>> {
    let profile = if args.quick {
        Profile::Quick
    } else {
        Profile::Full
    };
    let all = catalog::for_servers(profile, &args.limits.declared());
    let mut cases = Selection::parse(include, exclude).apply(all);
    if let Some(shard) = args.shard {
        cases = shard.apply(cases);
    }
    if cases.is_empty() {
        let shard = args
            .shard
            .map(|s| format!(" --shard {s}"))
            .unwrap_or_default();
        bail!(
            "no case matches --cases {include:?} --exclude {exclude:?}{shard} (see `wsgauntlet cases`)"
        );
    }
    Ok(cases)
}

/// The gate's code, or 2 with a notice when Ctrl-C cut the run short.
fn exit_code(run: &AgentRun, gate: u8) -> u8 {
    if run.interrupted {
        eprintln!(
            "interrupted: reports cover {} finished cases",
            run.results.cases.len()
        );
        super::EXIT_ERROR
    } else {
        gate
    }
}

/// Runs `cases` against one server (the bundled one without URL) through
/// the library's [`runner::run_agent`], printing progress; Ctrl-C ends the
/// run with what finished.
async fn run_agent(
    args: &ConformArgs,
    cases: Vec<catalog::Case>,
    url: Option<String>,
    agent: Option<String>,
    dir: &Path,
    out: &mut dyn Write,
) -> anyhow::Result<AgentRun> {
    let cfg = AgentConfig {
        endpoint: url.map_or(Endpoint::Reference, Endpoint::Url),
        agent,
        cases,
        report_dir: dir.to_path_buf(),
        tls: TlsOptions {
            insecure: args.insecure,
            ca_file: args.ca.clone(),
        },
        run: run_options(args)?,
    };
    let mut progress = Progress::new(cfg.cases.len(), out);
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let run = runner::run_agent(cfg, |ev| progress.event(ev), stop).await;
    progress.finish();
    Ok(run?)
}

/// The run options of the flags; host and path come from the URL later.
fn run_options(args: &ConformArgs) -> anyhow::Result<RunOptions> {
    let mut session = SessionConfig::new("", "");
    session.origin = args.origin.clone();
    session.subprotocols = args.subprotocol.clone();
    session.deadline_factor = args.deadline_factor;
    session.declared = args.limits.declared();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_exit_code_wins() {
        assert_eq!(worst(1, 0), 1);
        assert_eq!(worst(0, 0), 0);
        assert_eq!(worst(1, 2), 2);
        assert_eq!(worst(2, 1), 2);
    }
}
