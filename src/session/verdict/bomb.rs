//! The verdict on a deflate bomb (section 22.4): a small compressed message
//! that inflates to megabytes or gigabytes.
//!
//! RFC 6455 §10.4: "Implementations that have implementation- and/or
//! platform-specific limitations regarding the frame size or total message
//! size after reassembly from multiple frames MUST protect themselves
//! against exceeding those limits." The limit is on the inflated message.

use super::grade::{refusable, refuses_size};
use super::{Judging, Part, fmt_code, judge_model};
use crate::results::{Outcome, Reason};
use crate::session::observe::{Observed, SeenClose};

/// From this inflated size up, delivering a bomb with no declared limit
/// says the endpoint has no practical one: NON-STRICT.
pub const UNBOUNDED: u64 = 1 << 30;

/// Refusal with 1009/1008 passes (unless the user declared the endpoint
/// accepts that size); a delivery is judged by the model and graded against
/// the declared limit.
pub(super) fn judge_bomb(ctx: &Judging<'_>, obs: &Observed) -> Part {
    let size = ctx.plan.sizes.message;
    let refused = obs
        .close
        .as_ref()
        .filter(|c| !c.after_tester_close && c.code.is_some_and(refuses_size));
    // A refusal at or below a size the user declared the endpoint accepts
    // is judged as any refusal for size (FAIL), by the model below.
    let within_declared = refusable(&ctx.plan.sizes, &ctx.declared).is_none();
    if let Some(c) = refused.filter(|_| !within_declared) {
        let text = format!(
            "refused the message that inflates to {size} bytes with {}",
            fmt_code(c.code)
        );
        return (Outcome::Pass, None, text);
    }
    let closed_first = obs.close.as_ref().filter(|c| !c.after_tester_close);
    let shedding = |c: &&SeenClose| c.code.is_some_and(|k| matches!(k.0, 1012 | 1013));
    if let Some(c) = closed_first.filter(|c| !shedding(c) && !within_declared) {
        // It refused the message, with another code than the one for "too
        // big" (a browser tab that runs out of memory goes away with 1001).
        let text = format!(
            "closed with {} on the message that inflates to {size} bytes; 1009 is the code for a message too big (RFC 6455 §7.4.1)",
            fmt_code(c.code)
        );
        return (Outcome::NonStrict, Some(Reason::WrongCloseCode), text);
    }
    let part = judge_model(ctx, obs);
    if part.0 != Outcome::Pass {
        return part;
    }
    match ctx.declared.max_message {
        Some(limit) if size > limit => (
            Outcome::Fail,
            Some(Reason::InflateUnbounded),
            format!(
                "delivered a message that inflates to {size} bytes although its declared limit is {limit} (a limit applied to the compressed size, or none)"
            ),
        ),
        None if size >= UNBOUNDED => (
            Outcome::NonStrict,
            Some(Reason::InflateUnbounded),
            format!(
                "delivered a message that inflates to {size} bytes: no limit below 1 GiB (RFC 6455 §10.4); declare --max-message-size to hold it to one"
            ),
        ),
        _ => part,
    }
}
