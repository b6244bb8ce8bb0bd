//! A fuzz input as a case, and the signature findings are deduplicated by.

use std::time::Duration;

use crate::catalog::{Case, DeflateCase};
use crate::mutate::Input;
use crate::session::Verdict;

/// The signature of a finding: mutators, verdict reason, close code.
pub fn signature(input: &Input, v: &Verdict) -> String {
    let muts = if input.mutators.is_empty() {
        "none".to_string()
    } else {
        input.mutators.join("+")
    };
    let reason = v.reason.map_or(v.outcome.as_str(), |r| r.as_str());
    let code = v.close_code.map_or("-".to_string(), |c| c.to_string());
    format!("{muts}/{reason}/{code}")
}

/// The case that runs input `index`.
pub fn input_case(index: u64, input: &Input, deadline: Duration) -> Case {
    let steps = input.steps();
    let case = Case::frames(
        format!("fuzz-{index}"),
        input.mutators.join("+"),
        "5",
        "",
        move || steps.clone(),
    )
    .judge(input.judge())
    .deadline(deadline);
    match input.deflate {
        Some(offer) => case.deflate(deflate_case(offer)),
        None => case,
    }
}

/// What a deflate input offers: one offer, its compressed frames sent as
/// they are (`Step::SendAsIs` goes through the compressed plan untouched,
/// and the model inflates every RSV1 message).
pub fn deflate_case(offer: crate::codec::deflate::DeflateParams) -> DeflateCase {
    DeflateCase {
        offers: vec![offer],
        fragment: None,
    }
}
