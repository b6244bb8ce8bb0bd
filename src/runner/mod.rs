//! The only tokio code: connections (TCP, TLS), deadlines, parallel cases,
//! liveness probes and back-off on load shedding.

mod backoff;
mod drive;
mod insecure;
mod run;
mod target;

pub use backoff::Backoff;
pub use drive::drive;
pub use run::{CaseRun, RunEvent, RunOptions, preflight, run_cases};
pub use target::{ConnectError, Connector, Io, Target, TlsOptions};
