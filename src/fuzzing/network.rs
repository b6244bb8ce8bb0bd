//! The `url` fuzz target: each input runs as one network session against a
//! live server named by `WSGAUNTLET_URL`, through the same execution path
//! as `wsgauntlet fuzz` ([`Exec`]), and a FAIL panics.

use std::sync::OnceLock;
use std::time::Duration;

use tokio::runtime::{Builder, Runtime};

use super::endpoint::{describe_failure, input_from};
use crate::runner::{Backoff, Connector, Exec, Target, TlsOptions, input_case};
use crate::session::{Outcome, SessionConfig};

/// The variable that names the server.
pub const URL_VAR: &str = "WSGAUNTLET_URL";
/// Deadline of one input once connected.
const DEADLINE: Duration = Duration::from_secs(2);

/// The executor and runtime for the URL in [`URL_VAR`], built once.
fn setup() -> &'static (Exec, Runtime) {
    static SETUP: OnceLock<(Exec, Runtime)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let url = std::env::var(URL_VAR).unwrap_or_else(|_| {
            panic!(
                "{URL_VAR} is not set: export {URL_VAR}=ws://host:port/path of the server to fuzz"
            )
        });
        let target =
            Target::parse(&url).unwrap_or_else(|e| panic!("{URL_VAR}={url:?} is not usable: {e}"));
        let tls = TlsOptions {
            insecure: true,
            ca_file: None,
        };
        let connector = Connector::new(&target, &tls, Duration::from_secs(5))
            .unwrap_or_else(|e| panic!("cannot set up a connection to {url}: {e}"));
        let mut session = SessionConfig::new(target.host_header.clone(), target.path.clone());
        session.close_timeout = Duration::from_millis(500);
        let mut exec = Exec::new(target, connector, session, 1);
        exec.backoff = Backoff {
            retries: 2,
            ..Backoff::default()
        };
        let rt = Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime");
        (exec, rt)
    })
}

/// Runs the input `data` stands for against the server at
/// `$WSGAUNTLET_URL`; panics on FAIL with the input and the verdict, and
/// when the server cannot be reached (ERROR), since every later input
/// would be lost too.
pub fn url(data: &[u8]) {
    let Some((seed, input)) = input_from(data) else {
        return;
    };
    let (exec, rt) = setup();
    let case = input_case(seed, &input, DEADLINE);
    let ran = rt.block_on(exec.run(&case, seed, &|_| {}));
    if matches!(ran.verdict.outcome, Outcome::Fail | Outcome::Error) {
        panic!(
            "{} ({})",
            describe_failure(seed, &input, &ran.verdict),
            exec.target.url
        );
    }
}
