//! `/results`: the selected cases as the browser driver page and
//! `scripts/check-browser.sh` read them — the 1-based number a driver runs
//! each by, its id and title, a time bound for the page, and the agent's
//! latest result (the results model as is, without its wire log), with the
//! outcomes counted and the masking-key result (15.3.1) apart. Nothing here
//! judges: the results are those `serve` recorded.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::Shared;
use super::route::ResultsQuery;
use crate::catalog::Selection;
use crate::report::CaseResult;

/// Added to a case's deadline and close timeout for the page's own bound:
/// the server ends the case first, the page gives up only on a stuck one.
const PAGE_MARGIN: Duration = Duration::from_secs(5);

/// Counted for a listed case without a result.
pub const MISSING: &str = "MISSING";

#[derive(Serialize)]
struct Listing<'a> {
    agent: &'a str,
    /// Cases `serve` runs (`/getCaseCount`).
    case_count: usize,
    /// Outcome → listed cases with it (`MISSING`: no result yet).
    counts: BTreeMap<String, usize>,
    cases: Vec<Entry<'a>>,
    /// The masking-key result over every frame of the agent.
    keys: Option<CaseResult>,
}

#[derive(Serialize)]
struct Entry<'a> {
    n: usize,
    id: &'a str,
    title: &'a str,
    /// How long the page waits for the case before it gives up.
    limit_ms: u64,
    result: Option<CaseResult>,
}

/// The JSON body of `/results` for `query`.
pub(super) fn results_json(shared: &Shared, query: &ResultsQuery) -> String {
    let agent = query.agent.as_deref().unwrap_or("unknown");
    let selection = Selection::parse(&query.cases, &query.exclude);
    let store = shared.store();
    let factor = shared.cfg.session.deadline_factor.max(0.01);
    let close = shared.cfg.session.close_timeout;
    let mut counts = BTreeMap::new();
    let mut cases = Vec::new();
    for (i, case) in shared.cases.iter().enumerate() {
        if !selection.selects(&case.id) {
            continue;
        }
        let result = store.result(agent, &case.id).map(without_wire);
        let outcome = result.as_ref().map_or(MISSING, |r| r.outcome.as_str());
        *counts.entry(outcome.to_string()).or_insert(0) += 1;
        let limit = (case.deadline + close).mul_f64(factor) + PAGE_MARGIN;
        cases.push(Entry {
            n: i + 1,
            id: &case.id,
            title: &case.title,
            limit_ms: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
            result,
        });
    }
    let keys = store
        .report(agent, &[])
        .and_then(|(mut run, _)| run.cases.pop());
    let listing = Listing {
        agent,
        case_count: shared.cases.len(),
        counts,
        cases,
        keys,
    };
    serde_json::to_string(&listing).unwrap_or_default()
}

fn without_wire(r: &CaseResult) -> CaseResult {
    CaseResult {
        wire: Vec::new(),
        ..r.clone()
    }
}
