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
    .deadline(input_deadline(input, deadline));
    match input.deflate {
        Some(offer) => case.deflate(deflate_case(offer)),
        None => case,
    }
}

/// Least deadline of a deflate bomb: the server inflates and echoes
/// megabytes, so the verdict must not hang on the machine's load.
const BOMB_DEADLINE: Duration = Duration::from_secs(10);

/// The deadline of `input` in a campaign whose inputs get `deadline`:
/// longer for a bomb.
pub fn input_deadline(input: &Input, deadline: Duration) -> Duration {
    match input.judge() {
        crate::catalog::Judge::Bomb => deadline.max(BOMB_DEADLINE),
        _ => deadline,
    }
}

/// What a deflate input offers: one offer, its compressed frames sent as
/// they are (`Step::SendAsIs` goes through the compressed plan untouched,
/// and the model inflates every RSV1 message).
pub fn deflate_case(offer: crate::codec::deflate::DeflateParams) -> DeflateCase {
    DeflateCase {
        offers: vec![offer],
        fragment: None,
        answer_as_offered: false,
    }
}
