//! The only tokio code: connections (TCP, TLS), deadlines, parallel cases,
//! liveness probes and back-off on load shedding.
//!
//! - [`drive`]: one session over one socket (both tester roles).
//! - [`Exec`]: the one case executor (connect, session, retry on load
//!   shedding, probe) and the one definition of alive.
//! - [`shedding`](Backoff): back-off and concurrency lowering.
//! - [`run_cases`] / [`run_agent`]: a run of many cases as a library call.
//! - [`run_campaign`]: the network fuzz campaign; [`campaign_summary`]
//!   turns its report into the results model's summary record.

mod agent;
mod campaign;
mod campaign_summary;
mod drive;
mod exec;
mod finding;
mod input;
mod insecure;
mod minimise;
mod replay;
mod result;
mod run;
mod shedding;
mod target;

pub use agent::{AgentConfig, AgentError, AgentRun, Endpoint, run_agent};
pub use campaign::{CampaignEvent, CampaignOptions, CampaignReport, Finding, Stats, run_campaign};
pub use campaign_summary::{campaign_summary, finding_file_name, finding_summary};
pub use drive::{close, drive, now};
pub use exec::{Exec, Ran, Throttle, ended_abnormally};
pub use finding::{
    FINDING_FORMAT, FindingError, FindingFile, FindingKind, FrameDesc, RecordedVerdict, SentInput,
    WriteDesc, judge_name, steps_of, writes_of,
};
pub use input::{input_case, signature};
pub use minimise::{candidates, minimise};
pub use replay::{Replayed, finding_file, replay_case, replay_file};
pub use result::{CaseMeta, case_result, wire_of};
pub use run::{CaseRun, RunEvent, RunOptions, run_cases};
pub use shedding::{Backoff, Concurrency, Slot};
pub use target::{ConnectError, Connector, Io, Target, TlsOptions};
