//! The results model: what a case's outcome is and why, and the serde
//! records every report is written from. The session grades into it, the
//! runner builds its records, and `report/` depends on nothing else.

mod campaign;
mod cite;
mod deflate;
mod model;
mod outcome;

pub use campaign::{CampaignSummary, FindingSummary};
pub use cite::cite;
pub use deflate::{DeflateDirection, DeflateResult, DeflateVolume};
pub use model::{
    Attempt, CaseResult, RunResults, SCHEMA_VERSION, WIRE_ENTRIES, WireEntry, hex, rfc3339,
};
pub use outcome::{Outcome, Reason, Verdict};
