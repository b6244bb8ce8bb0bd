//! Sans-IO execution of one case over one connection, and the pure verdict
//! function that judges it with the reference model.

mod machine;
mod observe;
mod outcome;
mod peer_client;
mod plan;
mod request;
#[cfg(test)]
mod tests;
mod verdict;

pub use machine::{Session, SessionConfig, SessionEnd};
pub use observe::{Observed, Seen, SeenClose, SeenEvent, WireFrame};
pub use outcome::{Outcome, Reason, Verdict};
pub use peer_client::{PeerClientConfig, PeerClientEnd, PeerClientSession};
pub use plan::{Action, MaskKeys, Plan};
pub use verdict::{describe_expectation, describe_observed, judge};
