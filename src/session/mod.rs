//! Sans-IO execution of one case over one connection, for both tester roles
//! (the tester as client of a server, or as server of a client), and the
//! pure verdict function that judges it with the reference model.

mod bounds;
mod config;
mod deflate_plan;
mod machine;
mod observe;
mod opening;
mod peer;
mod plan;
mod request;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_server_role;
mod transmit;
mod verdict;

pub use crate::results::{Outcome, Reason, Verdict};
pub use bounds::WIRE_PAYLOAD_HEAD;
pub use config::{Declared, SessionConfig, SessionEnd};
pub use machine::Session;
pub use observe::{
    Compressed, Diff, Observed, Received, Seen, SeenClose, SeenEvent, WireFrame, describe_seen,
};
pub use plan::{Action, MaskKeys, Plan};
pub use transmit::Stream;
pub use verdict::{Judging, describe_expectation, describe_observed, judge, judge_with};
