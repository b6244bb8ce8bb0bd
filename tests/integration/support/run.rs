//! Catalogue cases run through the library API against a server address,
//! the way `conform` runs them: one helper for every test that runs cases.

use std::net::SocketAddr;
use std::time::Duration;

use wsgauntlet::catalog::{self, Profile, Selection};
use wsgauntlet::runner::{Backoff, CaseRun, Connector, RunOptions, Target, TlsOptions, run_cases};
use wsgauntlet::session::{Declared, SessionConfig};

/// A run's settings: the catalogue `include` patterns, cases in flight,
/// back-off, declared limits.
pub struct Plan {
    /// Case patterns (`1.*,12.1.1`).
    pub include: &'static str,
    /// Cases in flight.
    pub jobs: usize,
    /// Back-off for load shedding.
    pub backoff: Backoff,
    /// The limits the user declared for the server.
    pub declared: Declared,
}

impl Plan {
    /// The quick cases matching `include`, 8 at a time, default back-off.
    pub fn new(include: &'static str) -> Plan {
        Plan {
            include,
            jobs: 8,
            backoff: Backoff::default(),
            declared: Declared::default(),
        }
    }
}

/// Runs the quick cases of `plan` against `addr` the way `conform` does.
pub async fn run(addr: SocketAddr, plan: Plan) -> Vec<CaseRun> {
    let target = Target::parse(&format!("ws://{addr}/")).expect("URL");
    let connector =
        Connector::new(&target, &TlsOptions::default(), Duration::from_secs(5)).expect("connector");
    let mut session = SessionConfig::new(target.host_header.clone(), target.path.clone());
    // Room for a loaded machine and a debug build: a conforming server is
    // far faster than these deadlines, so only failing cases wait longer.
    session.deadline_factor = 3.0;
    session.close_timeout = Duration::from_secs(2);
    session.declared = plan.declared;
    let opts = RunOptions {
        jobs: plan.jobs,
        seed: 1,
        session,
        backoff: plan.backoff,
        probe: true,
    };
    let cases = Selection::parse(plan.include, "").apply(catalog::all(Profile::Quick));
    assert!(!cases.is_empty(), "no case matches {}", plan.include);
    run_cases(&target, &connector, cases, &opts, |_| {}).await
}
