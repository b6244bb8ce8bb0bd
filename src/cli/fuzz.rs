//! `wsgauntlet fuzz URL --seed N`: a network fuzz campaign. Writes one
//! replay file per finding under DIR/findings/ and a summary (JSON and
//! text) beside it; exits 1 with findings, 0 with none, 2 when it could not
//! run.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;

use crate::mutate::{Engine, all, select};
use crate::report::{campaign_text, write_campaign};
use crate::runner::{
    Backoff, CampaignEvent, CampaignOptions, Connector, Exec, Stats, Target, TlsOptions,
    campaign_summary, finding_file, finding_file_name, run_campaign,
};
use crate::session::SessionConfig;

const AFTER_HELP: &str = "\
The same seed and options send the same inputs: input i is a pure function of
(seed, i), whatever --jobs is. Every input is judged by the reference model;
after anything suspicious, and every --probe-every inputs, a new connection
checks the server is still alive. Findings are deduplicated (mutators, verdict
reason, close code), minimised, and saved as replay files:
  wsgauntlet replay DIR/findings/001-....json [URL]

1013/1012 before the input broke a rule is load shedding: the input waits and
is retried (exponential back-off). 1013 in answer to a protocol violation is a
finding (wrong-close-code).

Exit codes: 0 no finding, 1 findings, 2 could not run (bad URL, refused).

Examples:
  wsgauntlet fuzz --list-mutators
  wsgauntlet fuzz ws://127.0.0.1:9001/ --seed 7 --duration 60s
  wsgauntlet fuzz ws://127.0.0.1:9001/ --iterations 5000 --jobs 8 --mutators unmasked,rsv1";

/// Arguments of `fuzz`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct FuzzArgs {
    /// Server URL (ws:// or wss://)
    #[arg(value_name = "URL", required_unless_present = "list_mutators")]
    pub url: Option<String>,
    /// Master seed
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Stop after this long (e.g. 60s, 5m, 500ms; default 60s without --iterations)
    #[arg(long, value_name = "TIME", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Stop after this many inputs
    #[arg(long, value_name = "N")]
    pub iterations: Option<u64>,
    /// Inputs in flight at once
    #[arg(long, short = 'j', value_name = "J", default_value_t = 8)]
    pub jobs: usize,
    /// Use only these mutators (comma-separated names)
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub mutators: Vec<String>,
    /// Leave these mutators out (comma-separated names)
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub skip_mutators: Vec<String>,
    /// Folder for findings and the summary
    #[arg(long, value_name = "DIR", default_value = "reports/fuzz")]
    pub out: PathBuf,
    /// Deadline of each input once connected
    #[arg(long, value_name = "TIME", value_parser = parse_duration, default_value = "1s")]
    pub deadline: Duration,
    /// Probe liveness every N inputs (and after every suspicious one)
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub probe_every: u64,
    /// Re-runs the minimiser may spend per finding (0: keep findings as found)
    #[arg(long, value_name = "N", default_value_t = 40)]
    pub minimise_attempts: usize,
    /// Retries of an input while the server sheds load (1013/1012/HTTP 503)
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub retries: u32,
    /// List the mutators with the rule or bug class each targets, and exit
    #[arg(long)]
    pub list_mutators: bool,
    /// wss://: accept any server certificate
    #[arg(long)]
    pub insecure: bool,
    /// wss://: also trust the PEM certificates in FILE
    #[arg(long, value_name = "FILE")]
    pub ca: Option<String>,
}

/// Parses `60s`, `5m`, `250ms`, `1h` or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 60s"))?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => {
            return Err(format!(
                "unknown unit {unit:?} in {s:?} (use ms, s, m or h)"
            ));
        }
    };
    Ok(Duration::from_secs_f64(secs))
}

pub(super) fn run(args: FuzzArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    if args.list_mutators {
        list_mutators(out)?;
        return Ok(super::EXIT_OK);
    }
    let rt = super::runtime()?;
    rt.block_on(fuzz(args, out))
}

fn list_mutators(out: &mut dyn Write) -> std::io::Result<()> {
    let width = all().map(|m| m.name.len()).max().unwrap_or(0);
    for m in all() {
        writeln!(out, "{:<width$} {:<9} {}", m.name, m.family, m.targets)?;
    }
    Ok(())
}

async fn fuzz(args: FuzzArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let url = args.url.clone().unwrap_or_default();
    let mutators = select(&args.mutators, &args.skip_mutators)?;
    if mutators.is_empty() {
        bail!("no mutator left after --mutators/--skip-mutators");
    }
    let target = Target::parse(&url)?;
    let tls = TlsOptions {
        insecure: args.insecure,
        ca_file: args.ca.clone(),
    };
    let connector = Connector::new(&target, &tls, Duration::from_secs(5))?;
    let mut session = SessionConfig::new(target.host_header.clone(), target.path.clone());
    session.close_timeout = Duration::from_millis(500);
    let mut exec = Exec::new(target, connector, session, args.jobs.max(1));
    exec.backoff = Backoff {
        retries: args.retries,
        ..Backoff::default()
    };
    exec.preflight()
        .await
        .context("the server is not reachable")?;
    let findings_dir = args.out.join("findings");
    std::fs::create_dir_all(&findings_dir)
        .with_context(|| format!("cannot create {}", findings_dir.display()))?;
    let names: Vec<&str> = mutators.iter().map(|m| m.name).collect();
    let opts = CampaignOptions {
        seed: args.seed,
        jobs: args.jobs.max(1),
        iterations: args.iterations,
        duration: args
            .duration
            .or((args.iterations.is_none()).then_some(Duration::from_secs(60))),
        deadline: args.deadline,
        probe_every: args.probe_every,
        minimise_attempts: args.minimise_attempts,
    };
    let mut progress = Progress::new(out);
    let mut files = Vec::new();
    let mut write_error = None;
    let report = run_campaign(
        Engine::new(args.seed, mutators),
        exec,
        opts.clone(),
        |ev| match ev {
            CampaignEvent::Progress(stats, t) => progress.tick(&stats, t),
            CampaignEvent::Found(f) => {
                let file = finding_file(&f, &url, args.seed, args.deadline);
                let path = findings_dir.join(finding_file_name(files.len() + 1, &f.signature));
                if let Err(e) = file.save(&path) {
                    write_error.get_or_insert((path.clone(), e));
                }
                progress.line(&format!(
                    "finding: {} — {} ({} frame(s), minimised from {}) → {}",
                    f.signature,
                    f.verdict.outcome,
                    f.input.frames.len(),
                    f.original.frames.len(),
                    path.display()
                ));
                files.push(path);
            }
        },
    )
    .await;
    progress.finish();
    if let Some((path, e)) = write_error {
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    let summary = campaign_summary(&url, &opts, &names, &report, &files);
    let written = write_campaign(&args.out, &summary)?;
    write!(out, "{}", campaign_text(&summary))?;
    writeln!(out, "summary: {}", written.json.display())?;
    Ok(if report.findings.is_empty() {
        super::EXIT_OK
    } else {
        super::EXIT_DEVIATION
    })
}

/// A spinner on a terminal, a plain line every 2 s otherwise.
struct Progress<'a> {
    bar: Option<indicatif::ProgressBar>,
    out: &'a mut dyn Write,
    last_line: Duration,
}

impl<'a> Progress<'a> {
    fn new(out: &'a mut dyn Write) -> Progress<'a> {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::new_spinner();
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        Progress {
            bar,
            out,
            last_line: Duration::ZERO,
        }
    }

    fn tick(&mut self, s: &Stats, t: Duration) {
        let line = stats_line(s, t);
        match &self.bar {
            Some(b) => b.set_message(line),
            None if t >= self.last_line + Duration::from_secs(2) => {
                self.last_line = t;
                let _ = writeln!(self.out, "{line}");
            }
            None => {}
        }
    }

    fn line(&mut self, line: &str) {
        match &self.bar {
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

fn stats_line(s: &Stats, t: Duration) -> String {
    let rate = s.inputs as f64 / t.as_secs_f64().max(1e-9);
    let counts: Vec<String> = s.outcomes.iter().map(|(o, n)| format!("{o} {n}")).collect();
    format!(
        "[{:.0} s] {} inputs ({rate:.0}/s) {} | findings {}",
        t.as_secs_f64(),
        s.inputs,
        counts.join(" "),
        s.findings
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("s").is_err());
    }
}
