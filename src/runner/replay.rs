//! Replay: a finding as a file, and re-running a file (or a catalogue
//! case) against a server to see whether the deviation still shows.

use std::time::Duration;

use super::campaign::Finding;
use super::exec::Exec;
use super::finding::{
    FINDING_FORMAT, FindingFile, FindingKind, FrameDesc, RecordedVerdict, SentInput, judge_name,
    steps_of, writes_of,
};
use super::input::{deflate_case, input_deadline};
use crate::catalog::{Case, Judge};
use crate::codec::deflate::{DeflateParams, offers_header, valid_offers};
use crate::session::{Outcome, Reason, Verdict};

/// What a replay showed.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// The verdict now.
    pub verdict: Verdict,
    /// The deviation (a FAIL) still shows.
    pub reproduced: bool,
    /// Same outcome, reason and close code as recorded.
    pub same_as_recorded: bool,
}

/// The replay file of `f`, found on `url` by a campaign with `seed`.
pub fn finding_file(f: &Finding, url: &str, seed: u64, deadline: Duration) -> FindingFile {
    let input = &f.input;
    FindingFile {
        format: FINDING_FORMAT.to_string(),
        kind: if f.server_died {
            FindingKind::ServerDied
        } else {
            FindingKind::Deviation
        },
        url: url.to_string(),
        server: None,
        seed,
        index: f.index,
        scenario: input.scenario.to_string(),
        mutators: input.mutators.iter().map(|m| m.to_string()).collect(),
        signature: f.signature.clone(),
        judge: judge_name(input.judge()).to_string(),
        deadline_ms: input_deadline(input, deadline).as_millis() as u64,
        deflate_offer: input.deflate.map(|o| offers_header(&[o])),
        verdict: RecordedVerdict::of(&f.verdict),
        expected: f.verdict.expected.clone(),
        actual: f.verdict.actual.clone(),
        frames: input.frames.iter().map(FrameDesc::of).collect(),
        writes: writes_of(input),
        frames_before_minimising: f.original.frames.len(),
        last_inputs: f
            .recent
            .iter()
            .map(|(i, inp)| SentInput {
                index: *i,
                mutators: inp.mutators.iter().map(|m| m.to_string()).collect(),
                deflate_offer: inp.deflate.map(|o| offers_header(&[o])),
                writes: writes_of(inp),
            })
            .collect(),
    }
}

/// Re-runs a finding file.
pub async fn replay_file(exec: &Exec, file: &FindingFile) -> Replayed {
    let recorded = &file.verdict;
    let verdict = match file.kind {
        FindingKind::Deviation => {
            let writes = &file.writes;
            run_writes(exec, file, writes, file.deflate(), file.judge()).await
        }
        FindingKind::ServerDied => replay_death(exec, file).await,
    };
    let same_as_recorded = RecordedVerdict::of(&verdict) == *recorded;
    Replayed {
        reproduced: verdict.outcome == Outcome::Fail,
        same_as_recorded,
        verdict,
    }
}

async fn run_writes(
    exec: &Exec,
    file: &FindingFile,
    writes: &[super::finding::WriteDesc],
    deflate: Option<DeflateParams>,
    judge: Judge,
) -> Verdict {
    let steps = match steps_of(writes) {
        Ok(s) => s,
        Err(e) => return Verdict::error(Reason::Connection, e),
    };
    let case = Case::frames(
        format!("replay-{}", file.index),
        file.signature.clone(),
        "5",
        "",
        move || steps.clone(),
    )
    .judge(judge)
    .deadline(file.deadline());
    let case = match deflate {
        Some(offer) => case.deflate(deflate_case(offer)),
        None => case,
    };
    exec.run(&case, file.seed ^ file.index, &|_| {})
        .await
        .verdict
}

/// Sends the inputs recorded before the server died, then probes it.
async fn replay_death(exec: &Exec, file: &FindingFile) -> Verdict {
    let offer = |o: &Option<String>| {
        let o = o.as_deref()?;
        valid_offers(o).into_iter().next()
    };
    let mut inputs: Vec<(&[super::finding::WriteDesc], Option<DeflateParams>)> = file
        .last_inputs
        .iter()
        .map(|s| (s.writes.as_slice(), offer(&s.deflate_offer)))
        .collect();
    if inputs.is_empty() {
        inputs.push((&file.writes, file.deflate()));
    }
    for (writes, deflate) in inputs {
        let v = run_writes(exec, file, writes, deflate, Judge::Survive).await;
        if v.reason == Some(Reason::Connection) {
            break;
        }
    }
    let expected = "the server keeps accepting connections".to_string();
    if exec.alive().await {
        Verdict::new(Outcome::Pass, None, expected, "still alive".into())
    } else {
        Verdict::new(
            Outcome::Fail,
            Some(Reason::ServerDied),
            expected,
            "the server stopped accepting connections".into(),
        )
    }
}

/// Runs one catalogue case.
pub async fn replay_case(exec: &Exec, case: &Case, seed: u64) -> Replayed {
    let verdict = exec.run(case, seed, &|_| {}).await.verdict;
    Replayed {
        reproduced: verdict.outcome == Outcome::Fail,
        same_as_recorded: true,
        verdict,
    }
}
