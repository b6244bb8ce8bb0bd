//! `wsgauntlet serve`: the malicious server that tests clients. It speaks
//! Autobahn's client-driver URL protocol (`/getCaseCount`, `/runCase`,
//! `/updateReports`, `/getCaseInfo`, `/getCaseStatus`), so a driver that
//! echoes every message works unchanged; each `/runCase` connection gets
//! the catalogue case with the roles swapped (see [`client_cases`]), judged
//! by the model of a conforming client. A plain GET of `/` gets the browser
//! driver page, which runs the same protocol with the browser's own
//! `WebSocket` and shows the results `/results` returns. Results stream to disk per agent as
//! each case finishes and are loaded again on start.

mod cases;
mod conn;
mod http;
mod keys;
mod negotiation;
mod route;
mod store;
mod summary;

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore, mpsc};
use tokio::task::{JoinHandle, JoinSet};

pub use cases::{as_server, client_cases, client_catalogue, for_client};
pub use http::DRIVER_PAGE;
pub use keys::{KEY_CASE_ID, KeyStats};
pub use route::{CaseRef, ResultsQuery, Route, RouteError};
pub use store::{Store, StoreError};

use crate::catalog::Case;
use crate::report::{CaseResult, RunResults};
use crate::session::{Outcome, SessionConfig};

/// Connections served at once; more wait in the listen backlog.
const MAX_CONNECTIONS: usize = 256;

/// What `serve` runs and where it keeps results.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// The client cases (already role-swapped and selected), in order.
    pub cases: Vec<Case>,
    /// Folder of the per-agent reports.
    pub report_dir: PathBuf,
    /// Stop after the first `/updateReports`.
    pub once: bool,
    /// Limits of each case (the tester as server: [`SessionConfig::accepted`]).
    pub session: SessionConfig,
    /// Deadline for a client's opening handshake.
    pub handshake_timeout: Duration,
}

impl ServeConfig {
    /// Defaults for `cases` and `report_dir`.
    pub fn new(cases: Vec<Case>, report_dir: impl Into<PathBuf>) -> ServeConfig {
        ServeConfig {
            cases,
            report_dir: report_dir.into(),
            once: false,
            session: SessionConfig::accepted(),
            handshake_timeout: Duration::from_secs(5),
        }
    }
}

/// Progress of `serve`, in order of occurrence.
#[derive(Clone, Debug)]
pub enum ServeEvent {
    /// A case finished (already on disk).
    CaseFinished {
        /// The client's agent name.
        agent: String,
        /// The result.
        result: Box<CaseResult>,
    },
    /// Reports were written.
    ReportsWritten {
        /// The agent.
        agent: String,
        /// Its `results.json`.
        path: PathBuf,
    },
    /// Results or reports could not be written.
    WriteFailed(String),
}

pub(crate) struct Shared {
    cfg: ServeConfig,
    cases: Vec<Case>,
    ids: Vec<String>,
    store: Mutex<Store>,
    events: mpsc::UnboundedSender<ServeEvent>,
    stop: Notify,
    last_reports: Mutex<Vec<RunResults>>,
}

impl Shared {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn resolve(&self, r: &CaseRef) -> Option<usize> {
        match r {
            CaseRef::Number(n) => (1..=self.cases.len()).contains(n).then(|| n - 1),
            CaseRef::Id(id) => self.ids.iter().position(|i| i == id),
        }
    }

    fn info(&self, i: usize) -> String {
        let c = &self.cases[i];
        serde_json::json!({"id": c.id, "description": c.title}).to_string()
    }

    /// The agent's result of case `i` in Autobahn's words (`behavior`) and ours.
    fn status(&self, agent: &str, i: usize) -> String {
        let store = self.store();
        let r = store.result(agent, &self.ids[i]);
        let behavior = match r.map(|r| r.outcome) {
            None => "MISSING",
            Some(Outcome::Pass) => "OK",
            Some(Outcome::NonStrict) => "NON-STRICT",
            Some(Outcome::Informational) => "INFORMATIONAL",
            Some(Outcome::Unimplemented) => "UNIMPLEMENTED",
            Some(Outcome::Fail | Outcome::Error) => "FAILED",
        };
        serde_json::json!({
            "behavior": behavior,
            "outcome": r.map(|r| r.outcome),
            "reason": r.and_then(|r| r.reason),
        })
        .to_string()
    }

    fn record(&self, agent: &str, result: CaseResult, keys: &[[u8; 4]]) {
        let written = self.store().record(agent, result.clone(), keys);
        if let Err(e) = written {
            let _ = self.events.send(ServeEvent::WriteFailed(e.to_string()));
        }
        let agent = agent.to_string();
        let result = Box::new(result);
        let _ = self.events.send(ServeEvent::CaseFinished { agent, result });
    }

    /// Writes the reports of `agent` (of every agent when `None`).
    fn update_reports(&self, agent: Option<&str>) -> Vec<RunResults> {
        let store = self.store();
        let agents = match agent {
            Some(a) => vec![a.to_string()],
            None => store.agents(),
        };
        let mut written = Vec::new();
        for a in agents {
            let Some((run, _)) = store.report(&a, &self.ids) else {
                continue;
            };
            match store.write_reports(&a, &self.ids) {
                Ok(path) => {
                    let _ = self
                        .events
                        .send(ServeEvent::ReportsWritten { agent: a, path });
                }
                Err(e) => {
                    let _ = self.events.send(ServeEvent::WriteFailed(e.to_string()));
                }
            }
            written.push(run);
        }
        *self.last_reports.lock().unwrap_or_else(|p| p.into_inner()) = written.clone();
        written
    }
}

/// A bound client-testing server.
pub struct ClientTester {
    listener: TcpListener,
    shared: Arc<Shared>,
    events: Option<mpsc::UnboundedReceiver<ServeEvent>>,
}

impl ClientTester {
    /// Binds `addr` and loads earlier results from the report folder.
    pub async fn bind(addr: SocketAddr, cfg: ServeConfig) -> Result<ClientTester, StoreError> {
        let io = |source| StoreError::Io {
            path: addr.to_string(),
            source,
        };
        let listener = TcpListener::bind(addr).await.map_err(io)?;
        let local = listener.local_addr().map_err(io)?;
        let tool = format!("wsgauntlet {}", env!("CARGO_PKG_VERSION"));
        let store = Store::load(&cfg.report_dir, tool, format!("ws://{local}/"))?;
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Shared {
            ids: cfg.cases.iter().map(|c| c.id.clone()).collect(),
            cases: cfg.cases.clone(),
            cfg,
            store: Mutex::new(store),
            events: tx,
            stop: Notify::new(),
            last_reports: Mutex::new(Vec::new()),
        };
        Ok(ClientTester {
            listener,
            shared: Arc::new(shared),
            events: Some(rx),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Number of cases a driver runs (`/getCaseCount`).
    pub fn case_count(&self) -> usize {
        self.shared.cases.len()
    }

    /// The report folder.
    pub fn report_dir(&self) -> &Path {
        &self.shared.cfg.report_dir
    }

    /// The progress events (once).
    pub fn take_events(&mut self) -> Option<mpsc::UnboundedReceiver<ServeEvent>> {
        self.events.take()
    }

    /// Serves until dropped, or with `once` until the first
    /// `/updateReports`; then returns the reports that call wrote.
    pub async fn run(&self) -> Vec<RunResults> {
        let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let mut connections = JoinSet::new();
        loop {
            let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                break;
            };
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let _ = stream.set_nodelay(true);
                        let shared = Arc::clone(&self.shared);
                        connections.spawn(async move {
                            conn::serve(stream, shared).await;
                            drop(permit);
                        });
                    }
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
                () = self.shared.stop.notified() => break,
            }
        }
        self.shared
            .last_reports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Writes the reports of every agent (at shutdown); the reports.
    pub fn write_all_reports(&self) -> Vec<RunResults> {
        self.shared.update_reports(None)
    }

    /// Runs the server in a task; its address and the task.
    pub fn spawn(self) -> io::Result<(SocketAddr, JoinHandle<Vec<RunResults>>)> {
        let addr = self.local_addr()?;
        Ok((addr, tokio::spawn(async move { self.run().await })))
    }
}

/// The exit code of reports as for `conform`: 1 when a case failed (or,
/// with `strict`, was non-strict), 2 when one could not run, else 0.
pub fn exit_code(reports: &[RunResults], strict: bool) -> u8 {
    let outcomes = || {
        reports
            .iter()
            .flat_map(|r| r.cases.iter().map(|c| c.outcome))
    };
    if outcomes().any(|o| o.fails_run(strict)) {
        1
    } else if outcomes().any(|o| o == Outcome::Error) {
        2
    } else {
        0
    }
}
