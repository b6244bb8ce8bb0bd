//! The bundled strict reference server (`wsgauntlet echo-server`): an echo
//! endpoint built only on the codec and the model, so it does exactly what
//! the oracle says a conforming server must. A new user runs the catalogue
//! against it to see a full, passing run; tests use it as the known-good
//! server.

mod echo;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

pub use echo::{ConnectionEnd, EchoConfig, ServerError, serve_connection};

/// A bound echo server, not yet accepting.
#[derive(Debug)]
pub struct EchoServer {
    listener: TcpListener,
    cfg: Arc<EchoConfig>,
}

impl EchoServer {
    /// Binds `addr` (port 0 picks a free port).
    pub async fn bind(addr: SocketAddr, cfg: EchoConfig) -> io::Result<EchoServer> {
        let listener = TcpListener::bind(addr).await?;
        Ok(EchoServer {
            listener,
            cfg: Arc::new(cfg),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections until dropped, each served in its own task.
    /// Dropping the future (or aborting its task) drops every connection.
    pub async fn run(self) {
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        connections.spawn(serve(stream, peer, Arc::clone(&self.cfg)));
                    }
                    // Out of descriptors or a connection reset before accept:
                    // keep serving the others.
                    Err(e) => tracing::warn!("accept failed: {e}"),
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }

    /// Runs the server in a task; its address and the task. Aborting the
    /// task stops the server and drops its connections.
    pub fn spawn(self) -> io::Result<(SocketAddr, JoinHandle<()>)> {
        let addr = self.local_addr()?;
        Ok((addr, tokio::spawn(self.run())))
    }
}

async fn serve(stream: TcpStream, peer: SocketAddr, cfg: Arc<EchoConfig>) {
    // Small echoes must not wait for Nagle's algorithm.
    let _ = stream.set_nodelay(true);
    match serve_connection(stream, &cfg).await {
        Ok(end) => tracing::debug!(%peer, ?end, "connection ended"),
        Err(e) => tracing::debug!(%peer, "connection error: {e}"),
    }
}
