//! The summary of a network fuzz campaign, as written to `campaign.json`
//! (and, as text, to `campaign.txt`). The runner builds it from its
//! campaign report; `report/` writes it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::outcome::{Outcome, Reason};

/// A whole campaign against one server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignSummary {
    /// The tool and its version.
    pub tool: String,
    /// The server's URL.
    pub url: String,
    /// Master seed.
    pub seed: u64,
    /// Inputs in flight at once.
    pub jobs: usize,
    /// Names of the mutators used, in engine order.
    pub mutators: Vec<String>,
    /// Wall time of the campaign.
    pub duration_ms: u64,
    /// Inputs judged.
    pub inputs: u64,
    /// Inputs per second, one decimal.
    pub inputs_per_second: f64,
    /// Inputs per outcome, keyed by the outcome's report name (in name order).
    pub outcomes: BTreeMap<String, u64>,
    /// Load-shedding answers met (each backed off).
    pub throttled: u64,
    /// Liveness probes made.
    pub probes: u64,
    /// The server stopped accepting connections.
    pub server_died: bool,
    /// Findings in the order found.
    pub findings: Vec<FindingSummary>,
}

/// One finding of a campaign, with the replay file it was saved to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingSummary {
    /// The replay file.
    pub file: String,
    /// Deduplication key (mutators, verdict reason, close code).
    pub signature: String,
    /// The verdict's outcome.
    pub outcome: Outcome,
    /// Why it is not PASS.
    pub reason: Option<Reason>,
    /// The close code the server sent (null if none).
    pub close_code: Option<u16>,
    /// Frames of the minimised input.
    pub frames: usize,
    /// Frames of the input as generated.
    pub frames_before_minimising: usize,
}
