//! Minimising a finding: drop whole frames first, then simplify fields and
//! shrink payloads, keeping each change only while the server still gives
//! the same verdict (outcome, reason, close code).

use std::time::Duration;

use bytes::Bytes;

use super::exec::Exec;
use super::input::input_case;
use crate::catalog::Delivery;
use crate::codec::{Frame, PayloadLen};
use crate::mutate::Input;
use crate::session::Verdict;

/// Shrinks `input` with at most `attempts` re-runs; returns the smallest
/// input that keeps `verdict`, and its verdict.
pub async fn minimise(
    exec: &Exec,
    input: &Input,
    verdict: &Verdict,
    deadline: Duration,
    attempts: usize,
) -> (Input, Verdict) {
    let mut best = (input.clone(), verdict.clone());
    let mut left = attempts;
    let mut changed = true;
    while changed && left > 0 {
        changed = false;
        for cand in candidates(&best.0) {
            if left == 0 {
                break;
            }
            left -= 1;
            let ran = exec.run(&input_case(0, &cand, deadline), 0, &|_| {}).await;
            if same(&ran.verdict, verdict) {
                best = (cand, ran.verdict);
                changed = true;
                break;
            }
        }
    }
    best
}

fn same(a: &Verdict, b: &Verdict) -> bool {
    (a.outcome, a.reason, a.close_code) == (b.outcome, b.reason, b.close_code)
}

/// Smaller variants of `input`, biggest cuts first: frames, then delivery
/// and fields, then payload bytes.
pub fn candidates(input: &Input) -> Vec<Input> {
    let mut out = Vec::new();
    let n = input.frames.len();
    for j in (0..n).rev() {
        let mut c = input.clone();
        c.frames.remove(j);
        c.pauses = c
            .pauses
            .iter()
            .filter(|p| **p != j)
            .map(|p| if *p > j { p - 1 } else { *p })
            .collect();
        out.push(c);
    }
    if input.delivery != Delivery::Whole || !input.pauses.is_empty() {
        let mut c = input.clone();
        c.delivery = Delivery::Whole;
        c.pauses.clear();
        out.push(c);
    }
    for j in 0..n {
        let f = &input.frames[j];
        if f.header.rsv != 0 {
            out.push(with_frame(input, j, f.clone().rsv(0)));
        }
        let honest = f.header.len.value() == f.payload.len() as u64;
        if honest && !f.header.len.is_minimal() {
            let len = PayloadLen::minimal(f.payload.len() as u64);
            out.push(with_frame(input, j, f.clone().declared_len(len)));
        }
        for len in [0, f.payload.len() / 2] {
            if len < f.payload.len() {
                out.push(with_frame(input, j, shrink(f, len)));
            }
        }
    }
    out
}

fn with_frame(input: &Input, j: usize, f: Frame) -> Input {
    let mut c = input.clone();
    c.frames[j] = f;
    c
}

/// The frame with its first `len` payload bytes; an honest declared length
/// stays honest (in the same form when it fits), a lie stays a lie.
fn shrink(f: &Frame, len: usize) -> Frame {
    let mut g = f.clone();
    g.payload = Bytes::copy_from_slice(&f.payload[..len]);
    if f.header.len.value() == f.payload.len() as u64 {
        g.header.len = PayloadLen::with_form(len as u64, f.header.len.form())
            .unwrap_or(PayloadLen::minimal(len as u64));
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::OpCode;

    #[test]
    fn candidates_drop_frames_first_then_shrink() {
        let mut input = Input::new(
            "t",
            vec![
                Frame::text("hello").masked([1, 2, 3, 4]).rsv(2),
                Frame::new(OpCode(3), "xy").masked([0; 4]),
            ],
        );
        input.delivery = Delivery::Chops(1);
        let c = candidates(&input);
        assert_eq!(c[0].frames.len(), 1);
        assert_eq!(c[0].frames[0].payload, "hello");
        assert_eq!(c[1].frames[0].header.opcode, OpCode(3));
        assert_eq!(c[2].delivery, Delivery::Whole);
        assert!(c.iter().any(|i| i.frames[0].header.rsv == 0));
        let shrunk = c.iter().find(|i| i.frames[0].payload.len() == 2).unwrap();
        assert_eq!(shrunk.frames[0].header.len, PayloadLen::Len7(2));
    }
}
