//! A whole run against one server, as a library call: the bundled reference
//! server when no URL is given, the preflight, `results.jsonl` streamed as
//! cases finish (a killed run loses nothing), and the assembled results.
//! `conform` and `conform --autobahn-spec` call it; the CLI only turns
//! flags into an [`AgentConfig`] and prints the events.

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use super::result::{CaseMeta, case_result};
use super::run::{CaseRun, RunEvent, RunOptions, run_cases};
use super::target::{ConnectError, Connector, Target, TlsOptions};
use crate::catalog::Case;
use crate::report::{ResultStream, ResultsError, StreamHeader, read_results};
use crate::results::{RunResults, SCHEMA_VERSION, rfc3339};
use crate::server::{BackgroundServer, EchoConfig};

/// The server a run tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A server at a `ws://` or `wss://` URL.
    Url(String),
    /// The bundled strict reference server, started on loopback for the run.
    Reference,
}

/// Everything one run against one server needs.
#[derive(Clone, Debug)]
pub struct AgentConfig {
    /// The server.
    pub endpoint: Endpoint,
    /// Its name in the reports (default: host:port, or "reference").
    pub agent: Option<String>,
    /// The cases, in selection order.
    pub cases: Vec<Case>,
    /// Folder of `results.jsonl`.
    pub report_dir: PathBuf,
    /// wss:// trust.
    pub tls: TlsOptions,
    /// Jobs, seed, back-off, probes and the request template (its host and
    /// path are taken from the URL).
    pub run: RunOptions,
}

/// The results of one server, and whether the run was stopped early.
#[derive(Clone, Debug)]
pub struct AgentRun {
    /// The finished cases (all of them, or those that finished before the stop).
    pub results: RunResults,
    /// The stop future fired before the run ended.
    pub interrupted: bool,
}

/// Why a run could not be done.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The reference server could not be started.
    #[error("cannot start the reference server on loopback: {0}")]
    Reference(std::io::Error),
    /// Bad URL, TLS setup, or the server is not reachable.
    #[error("the server is not reachable: {0}")]
    Connect(#[from] ConnectError),
    /// The report folder or `results.jsonl` could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file or folder.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The stream of an interrupted run could not be read back.
    #[error(transparent)]
    Results(#[from] ResultsError),
}

/// The tool and its version, as the reports name it.
pub fn tool_name() -> String {
    format!("wsgauntlet {}", env!("CARGO_PKG_VERSION"))
}

/// Runs `cfg.cases` against one server. `on_event` sees every event (for a
/// progress display) after the finished case is on disk; when `stop`
/// completes first, the run ends with what finished (`interrupted`).
pub async fn run_agent(
    cfg: AgentConfig,
    mut on_event: impl FnMut(&RunEvent),
    stop: impl Future<Output = ()>,
) -> Result<AgentRun, AgentError> {
    let (url, agent, _server) = match &cfg.endpoint {
        Endpoint::Url(u) => (u.clone(), cfg.agent.clone(), None),
        Endpoint::Reference => {
            let server = BackgroundServer::start(([127, 0, 0, 1], 0).into(), EchoConfig::default())
                .map_err(AgentError::Reference)?;
            let agent = cfg.agent.clone().unwrap_or_else(|| "reference".into());
            (
                format!("ws://{}/", server.local_addr()),
                Some(agent),
                Some(server),
            )
        }
    };
    let target = Target::parse(&url)?;
    let agent = agent.unwrap_or_else(|| format!("{}:{}", target.host, target.port));
    let connector = Connector::new(&target, &cfg.tls, Duration::from_secs(10))?;
    let mut opts = cfg.run.clone();
    opts.session.host = target.host_header.clone();
    opts.session.path = target.path.clone();
    let probed = Instant::now();
    opts.exec(&target, &connector).preflight().await?;
    opts.session.rtt_margin = rtt_margin(probed.elapsed());
    let dir = &cfg.report_dir;
    let write_err = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |source| AgentError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    let started = SystemTime::now();
    let header = StreamHeader {
        schema: SCHEMA_VERSION,
        tool: tool_name(),
        agent: agent.clone(),
        url: url.clone(),
        started: rfc3339(started),
        seed: opts.seed,
    };
    let jsonl = dir.join("results.jsonl");
    let mut stream = ResultStream::create(&jsonl, &header).map_err(write_err(&jsonl))?;
    let meta: Vec<CaseMeta> = cfg.cases.iter().map(CaseMeta::of).collect();
    let t0 = Instant::now();
    let mut write_error = None;
    // The records as streamed, made from each whole run when it finished
    // (the runs kept until the end hold only the first events).
    let mut records: Vec<Option<crate::results::CaseResult>> = vec![None; meta.len()];
    let run = run_cases(&target, &connector, cfg.cases, &opts, |ev| {
        if let RunEvent::Finished(run) = &ev {
            let record = result_of(&meta, run);
            if let Err(e) = stream.push(&record) {
                write_error.get_or_insert(e);
            }
            if let Some(slot) = records.get_mut(run.index) {
                *slot = Some(record);
            }
        }
        on_event(&ev);
    });
    let finished = tokio::select! {
        runs = run => Some(runs),
        () = stop => None,
    };
    if let Some(e) = write_error {
        return Err(write_err(&jsonl)(e));
    }
    let Some(runs) = finished else {
        // What a later `report rebuild` would make of the stream.
        let results = read_results(&jsonl)?;
        return Ok(AgentRun {
            results,
            interrupted: true,
        });
    };
    let results = RunResults {
        schema: SCHEMA_VERSION,
        tool: tool_name(),
        agent,
        url,
        started: rfc3339(started),
        duration_ms: t0.elapsed().as_millis() as u64,
        seed: opts.seed,
        cases: runs
            .iter()
            .map(|r| {
                records[r.index]
                    .take()
                    .unwrap_or_else(|| result_of(&meta, r))
            })
            .collect(),
    };
    Ok(AgentRun {
        results,
        interrupted: false,
    })
}

/// The margin every case deadline gets for the round trip measured by the
/// preflight (connect, handshake, one echo, close): ten of them, at most
/// 5 s, so a slow or distant server is not failed by a deadline meant for
/// loopback.
fn rtt_margin(preflight: Duration) -> Duration {
    (preflight * 10).min(Duration::from_secs(5))
}

fn result_of(meta: &[CaseMeta], run: &CaseRun) -> crate::results::CaseResult {
    let m = meta.get(run.index).cloned().unwrap_or_default();
    let observed = run.observed.as_deref();
    case_result(
        &m,
        &run.verdict,
        observed,
        run.duration,
        &run.throttled,
        &run.attempts,
    )
}
