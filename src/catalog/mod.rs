//! The conformance catalogue, as data: every Autobahn|Testsuite case of
//! sections 1–10 under its Autobahn id, then the cases Autobahn lacks in
//! sections 14 and up. One file per area, in RFC order.

mod case;
mod select;

pub use case::{
    Case, CaseKind, Delivery, HandshakeCase, HandshakeExpect, HeaderEdit, Judge, Step, StepsFn,
    send, send_chopped, send_sync,
};
pub use select::{Selection, matches_pattern};

/// Payload sizes: the full Autobahn sizes, or smaller ones for a quick run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Profile {
    /// Autobahn's sizes (section 9 up to 16 MiB).
    #[default]
    Full,
    /// Section 9 with sizes divided by 16 and round trips by 10.
    Quick,
}

/// Every case, in catalogue order.
pub fn all(profile: Profile) -> Vec<Case> {
    let _ = profile;
    let sections: Vec<Vec<Case>> = vec![];
    sections.into_iter().flatten().collect()
}
