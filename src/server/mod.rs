//! The bundled strict reference server (`wsgauntlet echo-server`): an echo
//! endpoint built only on the codec and the model, so it does exactly what
//! the oracle says a conforming server must. A new user runs the catalogue
//! against it to see a full, passing run; tests use it as the known-good
//! server.

mod echo;
mod echo_deflate;
pub mod serve;
#[cfg(test)]
mod tests;

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
    addr: SocketAddr,
    cfg: Arc<EchoConfig>,
}

impl EchoServer {
    /// Binds `addr` (port 0 picks a free port).
    pub async fn bind(addr: SocketAddr, cfg: EchoConfig) -> io::Result<EchoServer> {
        let listener = TcpListener::bind(addr).await?;
        Ok(EchoServer {
            addr: listener.local_addr()?,
            listener,
            cfg: Arc::new(cfg),
        })
    }

    /// The address it listens on (with the port chosen, when bound to 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
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
                    // keep serving the others, without spinning.
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    }
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }

    /// Runs the server in a task; its address and the task. Aborting the
    /// task stops the server and drops its connections.
    pub fn spawn(self) -> (SocketAddr, JoinHandle<()>) {
        (self.addr, tokio::spawn(self.run()))
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

/// An echo server on a thread and runtime of its own, so its work never
/// delays the tester that drives it in the same process. Stops when dropped.
#[derive(Debug)]
pub struct BackgroundServer {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl BackgroundServer {
    /// Binds `addr` and serves on a dedicated runtime (safe to
    /// call from inside another runtime).
    pub fn start(addr: SocketAddr, cfg: EchoConfig) -> io::Result<BackgroundServer> {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (bound_tx, bound_rx) = std::sync::mpsc::channel::<io::Result<SocketAddr>>();
        std::thread::Builder::new()
            .name("reference-server".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => return drop(bound_tx.send(Err(e))),
                };
                rt.block_on(async move {
                    let server = match EchoServer::bind(addr, cfg).await {
                        Ok(s) => s,
                        Err(e) => return drop(bound_tx.send(Err(e))),
                    };
                    let _ = bound_tx.send(Ok(server.local_addr()));
                    tokio::select! {
                        _ = server.run() => {}
                        _ = stopped => {}
                    }
                });
            })?;
        let addr = bound_rx
            .recv()
            .map_err(|_| io::Error::other("the reference server thread ended before binding"))??;
        Ok(BackgroundServer {
            addr,
            stop: Some(stop),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
