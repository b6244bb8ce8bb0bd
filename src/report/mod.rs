//! Reports: one results model (serde) and a writer per format, the
//! campaign summary, the baseline comparison and the CI gate. Depends on
//! the results model (`crate::results`) only, and on `crate::codec` for
//! close-code explanations.

mod autobahn;
mod baseline;
mod campaign;
mod counts;
mod deflate;
mod expect;
mod format;
mod gate;
mod html;
mod html_assets;
mod html_escape;
mod html_wire;
mod json;
mod junit;
mod markdown;
mod stream;
mod terminal;

pub use crate::results::{
    CampaignSummary, CaseResult, FindingSummary, RunResults, SCHEMA_VERSION, WireEntry, hex,
    rfc3339,
};
pub use autobahn::{AutobahnCase, autobahn_case, autobahn_index, autobahn_verdict, case_anchor};
pub use baseline::{Change, ChangeKind, Scope, Verdict, diff, rank, updated_baseline};
pub use campaign::{
    CAMPAIGN_JSON, CAMPAIGN_TEXT, CampaignFiles, CampaignWriteError, campaign_json, campaign_text,
    write_campaign,
};
pub use counts::{Counts, OUTCOMES};
pub use deflate::{agreed_cell, deflate_cases, deflate_fields, ratio_cell};
pub use expect::{ExpectError, Expectation, Expectations, glob_matches};
pub use format::{DEFAULT_FORMATS, Format, FormatError, write_combined, write_reports};
pub use gate::{Gate, GateRules};
pub use html::html;
pub use html_escape::esc;
pub use json::{
    ResultsError, by_section, id_order, read_results, sort_cases, to_json, top_section,
};
pub use junit::junit;
pub use markdown::markdown;
pub use stream::{ResultStream, StreamError, StreamHeader, read_stream};
pub use terminal::summary;
