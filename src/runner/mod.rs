//! The only tokio code: connections (TCP, TLS), deadlines, parallel cases,
//! liveness probes and back-off on load shedding.

mod backoff;
mod campaign;
mod drive;
mod exec;
mod finding;
mod insecure;
mod minimise;
mod replay;
mod run;
mod target;

pub use backoff::Backoff;
pub use campaign::{
    CampaignEvent, CampaignOptions, CampaignReport, Finding, Stats, input_case, run_campaign,
    signature,
};
pub use drive::drive;
pub use exec::{Exec, Ran};
pub use finding::{
    FINDING_FORMAT, FindingError, FindingFile, FindingKind, FrameDesc, RecordedVerdict, SentInput,
    WriteDesc, judge_name, steps_of, writes_of,
};
pub use minimise::{candidates, minimise};
pub use replay::{Replayed, finding_file, replay_case, replay_file};
pub use run::{CaseRun, RunEvent, RunOptions, preflight, run_cases};
pub use target::{ConnectError, Connector, Io, Target, TlsOptions};
