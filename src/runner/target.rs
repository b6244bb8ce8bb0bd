//! Where the server is: a `ws://` or `wss://` URL, resolved and connected
//! over TCP, with TLS (rustls, ring provider) for `wss://`.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore, pki_types::ServerName};

use super::insecure::AcceptAnyCert;

/// A byte stream to a server: TCP or TLS over TCP.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Why the tool could not reach a server.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Not a usable WebSocket URL.
    #[error("bad URL {url:?}: {why}")]
    BadUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// The host name did not resolve.
    #[error("cannot resolve {host}: {source}")]
    Resolve {
        /// Host name.
        host: String,
        /// The resolver's error.
        source: std::io::Error,
    },
    /// TCP connect failed (refused, unreachable).
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// Host and port.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// TCP connect took too long.
    #[error("connecting to {addr} timed out after {after:?}")]
    Timeout {
        /// Host and port.
        addr: String,
        /// The limit.
        after: Duration,
    },
    /// The TLS handshake failed.
    #[error("TLS handshake with {host} failed: {source}")]
    Tls {
        /// Server name.
        host: String,
        /// The TLS error.
        source: std::io::Error,
    },
    /// The CA file could not be used.
    #[error("cannot use CA file {path}: {why}")]
    CaFile {
        /// The path.
        path: String,
        /// What went wrong.
        why: String,
    },
}

/// A parsed server URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The URL as given.
    pub url: String,
    /// `wss://`.
    pub tls: bool,
    /// Host name or address (no brackets).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Path and query for the request line.
    pub path: String,
    /// `Host` header value (`host[:port]`, port omitted when default).
    pub host_header: String,
}

impl Target {
    /// Parses a `ws://` or `wss://` URL.
    pub fn parse(url: &str) -> Result<Target, ConnectError> {
        let bad = |why: &str| ConnectError::BadUrl {
            url: url.to_string(),
            why: why.to_string(),
        };
        let u = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        let tls = match u.scheme() {
            "ws" => false,
            "wss" => true,
            s => return Err(bad(&format!("scheme {s:?} is not ws or wss"))),
        };
        let host = u.host_str().ok_or_else(|| bad("no host"))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let default = if tls { 443 } else { 80 };
        let port = u.port().unwrap_or(default);
        let mut path = u.path().to_string();
        if let Some(q) = u.query() {
            path = format!("{path}?{q}");
        }
        let shown = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.clone()
        };
        let host_header = if port == default {
            shown
        } else {
            format!("{shown}:{port}")
        };
        if u.fragment().is_some() {
            return Err(bad(
                "a WebSocket URL must not have a fragment (RFC 6455 §3)",
            ));
        }
        Ok(Target {
            url: url.to_string(),
            tls,
            host,
            port,
            path,
            host_header,
        })
    }
}

/// TLS settings for `wss://`.
#[derive(Clone, Debug, Default)]
pub struct TlsOptions {
    /// Accept any certificate (testing only).
    pub insecure: bool,
    /// Extra trusted roots, PEM.
    pub ca_file: Option<String>,
}

/// A connector: TCP settings plus a ready TLS config.
#[derive(Clone)]
pub struct Connector {
    tls: Option<TlsConnector>,
    timeout: Duration,
}

impl Connector {
    /// Builds the TLS config once (roots, CA file, or accept-any).
    pub fn new(
        target: &Target,
        opts: &TlsOptions,
        timeout: Duration,
    ) -> Result<Connector, ConnectError> {
        let tls = if target.tls {
            Some(TlsConnector::from(Arc::new(tls_config(opts)?)))
        } else {
            None
        };
        Ok(Connector { tls, timeout })
    }

    /// Opens one connection.
    pub async fn connect(&self, target: &Target) -> Result<Box<dyn Io>, ConnectError> {
        let addr = format!("{}:{}", target.host, target.port);
        let tcp = tokio::time::timeout(
            self.timeout,
            TcpStream::connect((target.host.as_str(), target.port)),
        )
        .await
        .map_err(|_| ConnectError::Timeout {
            addr: addr.clone(),
            after: self.timeout,
        })?
        .map_err(|source| classify(&target.host, addr.clone(), source))?;
        let _ = tcp.set_nodelay(true);
        let Some(tls) = &self.tls else {
            return Ok(Box::new(tcp));
        };
        let name = ServerName::try_from(target.host.clone()).map_err(|e| ConnectError::BadUrl {
            url: target.url.clone(),
            why: e.to_string(),
        })?;
        let stream = tokio::time::timeout(self.timeout, tls.connect(name, tcp))
            .await
            .map_err(|_| ConnectError::Timeout {
                addr: addr.clone(),
                after: self.timeout,
            })?
            .map_err(|source| ConnectError::Tls {
                host: target.host.clone(),
                source,
            })?;
        Ok(Box::new(stream))
    }
}

fn classify(host: &str, addr: String, source: std::io::Error) -> ConnectError {
    // tokio reports resolver failures as io errors of kind Other / Uncategorized.
    let text = source.to_string();
    if text.contains("lookup") || text.contains("resolve") || text.contains("Name or service") {
        ConnectError::Resolve {
            host: host.to_string(),
            source,
        }
    } else {
        ConnectError::Connect { addr, source }
    }
}

fn tls_config(opts: &TlsOptions) -> Result<ClientConfig, ConnectError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConnectError::CaFile {
            path: String::new(),
            why: e.to_string(),
        })?;
    if opts.insecure {
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert::new(provider)))
            .with_no_client_auth());
    }
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = &opts.ca_file {
        add_ca_file(&mut roots, path)?;
    }
    Ok(builder.with_root_certificates(roots).with_no_client_auth())
}

fn add_ca_file(roots: &mut RootCertStore, path: &str) -> Result<(), ConnectError> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let err = |why: String| ConnectError::CaFile {
        path: path.to_string(),
        why,
    };
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| err(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| err(e.to_string()))?;
    if certs.is_empty() {
        return Err(err("no PEM certificate in it".into()));
    }
    for c in certs {
        roots.add(c).map_err(|e| err(e.to_string()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        let t = Target::parse("ws://127.0.0.1:9001/chat?x=1").unwrap();
        assert_eq!(
            (t.tls, t.port, t.path.as_str(), t.host_header.as_str()),
            (false, 9001, "/chat?x=1", "127.0.0.1:9001")
        );
        let t = Target::parse("wss://example.com").unwrap();
        assert_eq!(
            (t.tls, t.port, t.path.as_str(), t.host_header.as_str()),
            (true, 443, "/", "example.com")
        );
        let t = Target::parse("ws://[::1]:80/").unwrap();
        assert_eq!((t.host.as_str(), t.host_header.as_str()), ("::1", "[::1]"));
        for bad in ["http://x/", "ws//x", "", "ws://x/#frag", "ws://"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
