//! Shared test support: in-process WebSocket servers (good and broken) and
//! a raw peer that speaks our own frames over TCP.

pub mod broken;
pub mod broken_deflate;
pub mod deflate_client;
pub mod peer;
pub mod run;
pub mod servers;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

/// A server running in the test's runtime; dropping it stops the server
/// and drops every connection it holds.
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Wraps a running accept task.
    pub fn new(addr: SocketAddr, task: JoinHandle<()>) -> TestServer {
        TestServer { addr, task }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback listener on a free port.
pub async fn loopback() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0")
}

/// Accepts on `listener`, one task per connection, until dropped or until
/// `stop` is notified (then the listener closes and every connection drops).
pub fn accept_loop<F, Fut>(listener: TcpListener, stop: Arc<Notify>, handler: F) -> TestServer
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let addr = listener.local_addr().expect("local addr");
    let task = tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    connections.spawn(handler(stream));
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
                _ = stop.notified() => break,
            }
        }
    });
    TestServer::new(addr, task)
}
