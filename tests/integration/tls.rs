//! `wss://`: the runner's TLS client (rustls, ring) against the reference
//! server behind a TLS acceptor with a certificate made for the test.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, ServerConfig, pki_types::PrivateKeyDer};
use wsgauntlet::catalog::{self, Profile, Selection};
use wsgauntlet::runner::{Backoff, Connector, RunOptions, Target, TlsOptions, run_cases};
use wsgauntlet::server::{EchoConfig, serve_connection};
use wsgauntlet::session::{Outcome, SessionConfig};

use crate::support::{TestServer, accept_loop, loopback};

struct TlsServer {
    server: TestServer,
    ca_file: tempfile_path::TempPem,
}

mod tempfile_path {
    /// A PEM file removed on drop.
    pub struct TempPem(pub std::path::PathBuf);
    impl Drop for TempPem {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

async fn tls_reference() -> TlsServer {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let pem =
        std::env::temp_dir().join(format!("wsgauntlet-test-ca-{}-{n}.pem", std::process::id()));
    std::fs::write(&pem, cert.cert.pem()).unwrap();
    let key = PrivateKeyDer::try_from(cert.signing_key.serialize_der()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let server = accept_loop(loopback().await, Arc::new(Notify::new()), move |tcp| {
        let acceptor = acceptor.clone();
        async move {
            if let Ok(tls) = acceptor.accept(tcp).await {
                let _ = serve_connection(tls, &EchoConfig::default()).await;
            }
        }
    });
    TlsServer {
        server,
        ca_file: tempfile_path::TempPem(pem),
    }
}

fn options(target: &Target) -> RunOptions {
    RunOptions {
        jobs: 4,
        seed: 1,
        session: SessionConfig::new(target.host_header.clone(), target.path.clone()),
        backoff: Backoff::default(),
        probe: true,
    }
}

async fn run_over_tls(target: &Target, tls: TlsOptions) -> Vec<Outcome> {
    let connector = Connector::new(target, &tls, Duration::from_secs(5)).unwrap();
    let opts = options(target);
    opts.exec(target, &connector).preflight().await.unwrap();
    let cases = Selection::parse("1.1.*,4.1.1,6.3.1", "").apply(catalog::all(Profile::Quick));
    let runs = run_cases(target, &connector, cases, &opts, |_| {}).await;
    runs.iter().map(|r| r.verdict.outcome).collect()
}

#[tokio::test]
async fn wss_with_the_ca_file_and_with_insecure() {
    let s = tls_reference().await;
    let target = Target::parse(&format!("wss://localhost:{}/", s.server.addr.port())).unwrap();
    let with_ca = TlsOptions {
        insecure: false,
        ca_file: Some(s.ca_file.0.display().to_string()),
    };
    let outcomes = run_over_tls(&target, with_ca).await;
    assert_eq!(outcomes.len(), 10);
    assert!(outcomes.iter().all(|o| *o == Outcome::Pass), "{outcomes:?}");
    let insecure = TlsOptions {
        insecure: true,
        ca_file: None,
    };
    assert!(
        run_over_tls(&target, insecure)
            .await
            .iter()
            .all(|o| *o == Outcome::Pass)
    );
}

#[tokio::test]
async fn wss_refuses_an_unknown_issuer() {
    let s = tls_reference().await;
    let target = Target::parse(&format!("wss://localhost:{}/", s.server.addr.port())).unwrap();
    let connector =
        Connector::new(&target, &TlsOptions::default(), Duration::from_secs(5)).unwrap();
    let err = options(&target)
        .exec(&target, &connector)
        .preflight()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("TLS handshake"), "{err}");
}

#[test]
fn a_ca_file_without_certificates_is_a_clear_error() {
    let target = Target::parse("wss://localhost:1/").unwrap();
    let bad = std::env::temp_dir().join(format!("wsgauntlet-empty-{}.pem", std::process::id()));
    std::fs::write(&bad, "not a certificate").unwrap();
    let tls = TlsOptions {
        insecure: false,
        ca_file: Some(bad.display().to_string()),
    };
    let err = Connector::new(&target, &tls, Duration::from_secs(1))
        .err()
        .unwrap();
    let _ = std::fs::remove_file(&bad);
    assert!(err.to_string().contains("cannot use CA file"), "{err}");
}
